/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 load: arm the capture kernel with kexec_file_load. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmdline.h"
#include "kexec.h"
#include "mkinitrd.h"

#define MiB(x) ((double)(x) / (1 << 20))
#define REMOVE_MAX 64
/* Memory the capture kernel needs to run beyond what kexec places: 30 MiB
 * was the least that worked in QEMU with Debian's cloud kernel and a 5 MiB
 * initramfs (docs/BENCHMARKS.md); the suggestion keeps a margin. */
#define CAPTURE_RUN_MiB 48

struct load_plan {
	char kernel[1024], initrd[1024], kver[65];
	const char *kernel_why, *initrd_why;
	bool initrd_default, build_initrd;
	const char *build_why;
	struct bzimage_info bz;
	uint64_t initrd_size, need;
	int64_t reserved;
	struct crash_state st;
	struct cmdline_result cmd;
};

static int read_head(const char *path, void *buf, size_t len, size_t *ret)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, 0);
	close(fd);
	if (n < 0)
		return -errno;
	*ret = (size_t)n;
	return 0;
}

/* Is the default initrd missing or older than what it is built from? */
static const char *initrd_stale(const char *initrd, const char *config)
{
	struct stat si, s;

	if (stat(initrd, &si) < 0)
		return "it does not exist";
	if (stat(config, &s) == 0 && s.st_mtime > si.st_mtime)
		return "the configuration is newer";
	if (stat("/proc/self/exe", &s) == 0 && s.st_mtime > si.st_mtime)
		return "suspend3 is newer";
	return NULL;
}

/* A crashkernel= size to suggest: what kexec places in the reservation
 * plus room for the capture kernel to run, in steps of 16 MiB. */
static uint64_t suggest_mib(uint64_t need)
{
	uint64_t b = need + (CAPTURE_RUN_MiB << 20), step = 16u << 20;
	return ((b + step - 1) / step * step) >> 20;
}

static int reservation_error(const struct load_plan *p)
{
	if (p->reserved == 0)
		return log_error("load", "no crashkernel reservation: add crashkernel=%" PRIu64
				 "M to the kernel command line and reboot", suggest_mib(p->need));
	if (p->reserved > 0)
		return log_error("load", "the crashkernel reservation (%.0f MiB) is too small for '%s' + '%s' "
				 "(about %.0f MiB needed): raise crashkernel= and reboot",
				 MiB(p->reserved), p->kernel, p->initrd, MiB(p->need));
	return log_error("load", "%s", kexec_error_hint(-EADDRNOTAVAIL));
}

static void print_plan(const struct load_plan *p, const struct s3conf *conf, bool dry_run)
{
	printf("%s\n", dry_run ? "would load (dry run, nothing changed):" : "loaded:");
	printf("  kernel:   %s (%s)\n", p->kernel, p->kernel_why);
	if (p->bz.version[0])
		printf("            %s; needs %.1f MiB to unpack\n", p->bz.version, MiB(p->bz.init_size));
	printf("  initrd:   %s (%s)", p->initrd, p->initrd_why);
	if (p->build_initrd)
		printf(", %s by mkinitrd: %s\n", dry_run ? "would be built" : "built", p->build_why);
	else
		printf(", %.1f MiB\n", MiB(p->initrd_size));
	printf("  cmdline:  %s\n", p->cmd.cmdline);
	for (size_t i = 0; i < p->cmd.n_edits; i++)
		printf("            %c %-22s %s\n", p->cmd.edits[i].added ? '+' : '-', p->cmd.edits[i].param,
		       p->cmd.edits[i].why);
	if (p->reserved > 0)
		printf("  reserved: %.0f MiB%s%s, about %.0f MiB needed by kernel + initrd\n", MiB(p->reserved),
		       p->st.crashkernel[0] ? " by crashkernel=" : "", p->st.crashkernel, MiB(p->need));
	else if (p->reserved == 0)
		printf("  reserved: none (no crashkernel= reservation: load would fail)\n");
	else
		printf("  reserved: unknown (/proc/iomem and /sys/kernel/kexec_crash_size unreadable)\n");
	printf("  target:   %s, path %s\n", conf->target ? conf->target : "the file system holding the path",
	       conf->path);
	printf("  dump:     %s, %s, dump level %d; then %s (on failure %s)\n", s3conf_format_name(conf->format),
	       s3img_compress_name(conf->compress), conf->dump_level, s3conf_action_name(conf->final_action),
	       s3conf_action_name(conf->failure_action));
}

static int plan_files(struct load_plan *p, const struct s3conf *conf, const char *kernel,
		      const char *initrd, const char *config)
{
	uint8_t head[65536];
	struct stat st;
	size_t n = 0;
	int r;

	kver_running(p->kver, sizeof(p->kver));
	if (kernel) {
		snprintf(p->kernel, sizeof(p->kernel), "%s", kernel);
		p->kernel_why = "--kernel";
	} else if (conf->kernel) {
		snprintf(p->kernel, sizeof(p->kernel), "%s", conf->kernel);
		p->kernel_why = "'kernel' in the configuration";
	} else {
		default_kernel_path(p->kver, p->kernel, sizeof(p->kernel));
		p->kernel_why = "the running kernel";
	}
	r = read_head(p->kernel, head, sizeof(head), &n);
	if (r < 0)
		return log_error("load", "cannot read kernel '%s': %s", p->kernel, strerror(-r));
	if (bzimage_parse(head, n, &p->bz) < 0)
		return log_error("load", "'%s' is not an x86 bzImage (boot protocol 2.10 or later)", p->kernel);
	if (initrd) {
		snprintf(p->initrd, sizeof(p->initrd), "%s", initrd);
		p->initrd_why = "--initrd";
	} else if (conf->initrd) {
		snprintf(p->initrd, sizeof(p->initrd), "%s", conf->initrd);
		p->initrd_why = "'initrd' in the configuration";
	} else {
		default_initrd_path(p->kver, p->initrd, sizeof(p->initrd));
		p->initrd_why = "suspend3's capture initramfs";
		p->initrd_default = true;
		p->build_why = initrd_stale(p->initrd, config);
		p->build_initrd = p->build_why != NULL;
	}
	if (!p->build_initrd) {
		if (stat(p->initrd, &st) < 0)
			return log_error("load", "cannot read initrd '%s': %s", p->initrd, strerror(errno));
		p->initrd_size = (uint64_t)st.st_size;
	}
	return 0;
}

static int build_initrd(struct load_plan *p, const char *config)
{
	struct mkinitrd_opts o = { .config = config, .output = p->initrd, .compress = -1 };
	struct mkinitrd_result res;
	struct kx_diag diag = { 0 };
	struct stat st;
	int r;

	mkdir(S3_INITRD_DIR, 0755);
	r = mkinitrd_run(&o, &res, &diag);
	if (r < 0)
		return log_kx_error("load", config ? config : S3CONF_DEFAULT_PATH, r, &diag);
	mkinitrd_result_deinit(&res);
	if (stat(p->initrd, &st) == 0)
		p->initrd_size = (uint64_t)st.st_size;
	return 0;
}

int verb_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "remove", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ 0 },
	};
	const char *kernel = NULL, *initrd = NULL, *config = NULL, *append_arg = NULL;
	const char *remove[REMOVE_MAX];
	char *remove_buf = NULL, *append = NULL, *cmdline = NULL;
	size_t n_remove = 0, len;
	struct load_plan p = { 0 };
	struct s3conf *conf = NULL;
	struct kx_diag diag = { 0 };
	bool dry_run = false;
	int opt, r, ret = EXIT_FAILURE;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'k': kernel = optarg; break;
		case 'i': initrd = optarg; break;
		case 'a': append_arg = optarg; break;
		case 'r':
			free(remove_buf);
			remove_buf = strdup(optarg);
			break;
		case 'c': config = optarg; break;
		case 'n': dry_run = true; break;
		default:
			free(remove_buf);
			return log_usage("load", "unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc) {
		free(remove_buf);
		return log_usage("load", "unexpected argument '%s'", argv[optind]);
	}
	r = s3conf_load(config ? config : S3CONF_DEFAULT_PATH, config != NULL, &conf, &diag);
	if (r < 0) {
		log_kx_error("load", config ? config : S3CONF_DEFAULT_PATH, r, &diag);
		goto out;
	}
	for (size_t i = 0; i < conf->n_cmdline_remove && n_remove < REMOVE_MAX; i++)
		remove[n_remove++] = conf->cmdline_remove[i];
	if (remove_buf)
		for (char *s = NULL, *t = strtok_r(remove_buf, " ,", &s); t && n_remove < REMOVE_MAX;
		     t = strtok_r(NULL, " ,", &s))
			remove[n_remove++] = t;
	if (conf->cmdline_append || append_arg) {
		if (asprintf(&append, "%s %s", conf->cmdline_append ? conf->cmdline_append : "",
			     append_arg ? append_arg : "") < 0)
			goto out;
	}
	if (plan_files(&p, conf, kernel, initrd, config ? config : S3CONF_DEFAULT_PATH) != 0)
		goto out;
	{
		uint8_t *buf;
		r = read_whole_file("/proc/cmdline", &buf, &len, 65536);
		if (r < 0) {
			log_error("load", "cannot read /proc/cmdline: %s", strerror(-r));
			goto out;
		}
		cmdline = strndup((char *)buf, len);
		free(buf);
	}
	r = cmdline_derive(cmdline, remove, n_remove, append, &p.cmd, &diag);
	if (r < 0) {
		log_kx_error("load", "", r, &diag);
		goto out;
	}
	crash_state_read("", &p.st);
	p.reserved = crash_state_reserved(&p.st);
	/* An unpacked initrd of unknown size: estimate it as 16 MiB. */
	p.need = kexec_crash_need(p.bz.init_size, p.build_initrd ? 16u << 20 : p.initrd_size);
	if (dry_run) {
		print_plan(&p, conf, true);
		ret = EXIT_SUCCESS;
		goto out;
	}
	if (p.reserved == 0) {
		reservation_error(&p);
		goto out;
	}
	if (p.build_initrd && build_initrd(&p, config) != 0)
		goto out;
	p.need = kexec_crash_need(p.bz.init_size, p.initrd_size);
	r = kexec_crash_load(p.kernel, p.initrd, p.cmd.cmdline);
	if (r == -EADDRNOTAVAIL || (r == -ENOMEM && p.reserved > 0 && (uint64_t)p.reserved < p.need)) {
		reservation_error(&p);
		goto out;
	}
	if (r == -ENOENT || r == -EACCES) {
		log_error("load", "cannot open '%s' or '%s': %s", p.kernel, p.initrd, strerror(-r));
		goto out;
	}
	if (r < 0) {
		log_error("load", "kexec_file_load of '%s' failed: %s", p.kernel, kexec_error_hint(r));
		goto out;
	}
	print_plan(&p, conf, false);
	ret = EXIT_SUCCESS;
out:
	cmdline_result_free(&p.cmd);
	s3conf_free(conf);
	free(remove_buf);
	free(append);
	free(cmdline);
	return ret;
}

int verb_unload(int argc, char **argv)
{
	struct crash_state st;
	int r;

	optind = 1;
	opterr = 0;
	if (getopt_long(argc, argv, "", (struct option[]){ { 0 } }, NULL) != -1)
		return log_usage("unload", "unknown option '%s'", argv[optind - 1]);
	if (optind != argc)
		return log_usage("unload", "unexpected argument '%s'", argv[optind]);
	crash_state_read("", &st);
	r = kexec_crash_unload();
	if (r < 0)
		return log_error("unload", "cannot unload the capture kernel: %s", kexec_error_hint(r));
	printf("%s\n", st.loaded == 1 ? "unloaded the capture kernel" : "no capture kernel was loaded");
	return EXIT_SUCCESS;
}
