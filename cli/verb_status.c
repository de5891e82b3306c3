/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 status: the reservation, whether a capture kernel is loaded,
 * crash hotplug, the configured target and the last dump found there. */
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "kexec.h"
#include "mkinitrd.h"

struct status_target {
	const char *spec;       /* configured target, NULL: the fs holding path */
	char dir[2048];         /* where dumps are, on this system; "" if unknown */
	const char *why_unknown;
	char last[4400];        /* newest dump file, "" if none */
};

static int is_stamp_dir(const char *name)
{
	size_t n = strspn(name, "0123456789");
	return n == 12 && (name[12] == 0 || name[12] == '-');
}

/* The newest PATH/YYYYMMDDHHMM[-N]/ holding a dump.* file. */
static void find_last_dump(struct status_target *t)
{
	char best[256] = "", sub_path[4096];
	struct dirent *de;
	DIR *d = opendir(t->dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct dirent *f;
		DIR *sub;

		if (!is_stamp_dir(de->d_name) || strcmp(de->d_name, best) <= 0)
			continue;
		if (snprintf(sub_path, sizeof(sub_path), "%s/%s", t->dir, de->d_name) >= (int)sizeof(sub_path))
			continue;
		sub = opendir(sub_path);
		if (!sub)
			continue;
		while ((f = readdir(sub)))
			if (strncmp(f->d_name, "dump.", 5) == 0 &&
			    snprintf(t->last, sizeof(t->last), "%s/%s", sub_path, f->d_name) < (int)sizeof(t->last)) {
				memcpy(best, de->d_name, strlen(de->d_name) + 1);
				break;
			}
		closedir(sub);
	}
	closedir(d);
}

static void locate_target(const struct s3conf *conf, struct status_target *t)
{
	struct blockdev dev;
	struct kx_diag diag = { 0 };
	char *mnt = NULL;

	t->spec = conf->target;
	if (!conf->target) {
		snprintf(t->dir, sizeof(t->dir), "%s", conf->path);
	} else if (blockdev_find("/sys", "/dev", conf->target, &dev, &diag) < 0) {
		t->why_unknown = "target not found (or not readable without root)";
	} else if (blockdev_mountpoint(dev.major, dev.minor, &mnt) < 0) {
		t->why_unknown = "target not mounted";
	} else {
		snprintf(t->dir, sizeof(t->dir), "%s%s", strcmp(mnt, "/") == 0 ? "" : mnt, conf->path);
		free(mnt);
	}
	if (t->dir[0])
		find_last_dump(t);
}

static void ranges_text(const struct crash_state *st, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < st->ranges.n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%" PRIx64 "-%" PRIx64, i ? "," : "",
					 st->ranges.r[i].start, st->ranges.r[i].end);
}

static void print_json(const struct crash_state *st, int64_t reserved, const struct s3conf *conf,
		       const char *config, const struct status_target *t, bool pretty)
{
	struct json j = { .f = stdout, .pretty = pretty, .first = true };
	char ranges[512];

	json_begin_object(&j, NULL);
	json_string(&j, "kernel", st->release);
	if (st->crashkernel[0])
		json_string(&j, "crashkernel", st->crashkernel);
	else
		json_null(&j, "crashkernel");
	if (reserved >= 0)
		json_i64(&j, "reserved_bytes", reserved);
	else
		json_null(&j, "reserved_bytes");
	ranges_text(st, ranges, sizeof(ranges));
	json_string(&j, "reserved_ranges", ranges);
	if (st->loaded >= 0)
		json_bool(&j, "loaded", st->loaded == 1);
	else
		json_null(&j, "loaded");
	if (st->hotplug_cpu >= 0)
		json_bool(&j, "crash_hotplug", st->hotplug_cpu == 1);
	else
		json_null(&j, "crash_hotplug");
	json_string(&j, "config", config);
	if (conf) {
		if (conf->target)
			json_string(&j, "target", conf->target);
		else
			json_null(&j, "target");
		json_string(&j, "path", conf->path);
		if (t->last[0])
			json_string(&j, "last_dump", t->last);
		else
			json_null(&j, "last_dump");
	}
	json_end_object(&j);
}

static void print_text(const struct crash_state *st, int64_t reserved, const struct s3conf *conf,
		       const char *config, const char *conf_error, const struct status_target *t)
{
	char ranges[512];

	ranges_text(st, ranges, sizeof(ranges));
	printf("kernel:        %s\n", st->release);
	if (reserved > 0)
		printf("reservation:   %.0f MiB at %s%s%s\n", (double)reserved / (1 << 20),
		       ranges[0] ? ranges : "(addresses hidden)", st->crashkernel[0] ? ", crashkernel=" : "",
		       st->crashkernel);
	else if (reserved == 0)
		printf("reservation:   none (add crashkernel= to the kernel command line)\n");
	else
		printf("reservation:   unknown\n");
	if (st->crashkernel[0]) {
		struct crashkernel_spec k;
		/* What crashkernel= asks for on this machine, when it got less. */
		if (crashkernel_parse(st->crashkernel, st->ranges.system_ram, &k, NULL) == 0 && reserved >= 0 &&
		    k.size != (uint64_t)reserved && !st->ranges.hidden)
			printf("               crashkernel=%s asks for %.0f MiB here\n", st->crashkernel,
			       (double)k.size / (1 << 20));
	}
	printf("loaded:        %s\n", st->loaded == 1 ? "yes" : st->loaded == 0 ? "no" : "unknown");
	if (st->hotplug_cpu >= 0)
		printf("crash hotplug: %s\n", st->hotplug_cpu == 1 ? "yes (the kernel updates the loaded image)" :
		       "no (reload after CPU or memory hotplug)");
	else
		printf("crash hotplug: not supported by this kernel (reload after CPU or memory hotplug)\n");
	if (!conf) {
		printf("config:        %s: %s\n", config, conf_error);
		return;
	}
	printf("config:        %s\n", config);
	printf("target:        %s, path %s\n", conf->target ? conf->target : "the file system holding the path",
	       conf->path);
	if (t->last[0])
		printf("last dump:     %s\n", t->last);
	else
		printf("last dump:     %s\n", t->why_unknown ? t->why_unknown : "none");
}

int verb_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", optional_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ 0 },
	};
	const char *config = NULL;
	struct status_target t = { 0 };
	struct crash_state st;
	struct s3conf *conf = NULL;
	struct kx_diag diag = { 0 };
	char conf_error[400] = "";
	int json = 0, opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			if (!optarg || strcmp(optarg, "pretty") == 0)
				json = 2;
			else if (strcmp(optarg, "short") == 0)
				json = 1;
			else
				return log_usage("status", "--json takes pretty or short, not '%s'", optarg);
			break;
		case 'c': config = optarg; break;
		default:
			return log_usage("status", "unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return log_usage("status", "unexpected argument '%s'", argv[optind]);
	crash_state_read("", &st);
	r = s3conf_load(config ? config : S3CONF_DEFAULT_PATH, config != NULL, &conf, &diag);
	if (r < 0) {
		if (diag.line)
			snprintf(conf_error, sizeof(conf_error), "line %u: %s", diag.line, diag.reason);
		else
			snprintf(conf_error, sizeof(conf_error), "%s", diag.reason[0] ? diag.reason : strerror(-r));
		conf = NULL;
	} else {
		locate_target(conf, &t);
	}
	if (json)
		print_json(&st, crash_state_reserved(&st), conf, config ? config : S3CONF_DEFAULT_PATH, &t, json == 2);
	else
		print_text(&st, crash_state_reserved(&st), conf, config ? config : S3CONF_DEFAULT_PATH, conf_error, &t);
	s3conf_free(conf);
	if (r < 0)
		return log_kx_error("status", config ? config : S3CONF_DEFAULT_PATH, r, &diag);
	return EXIT_SUCCESS;
}
