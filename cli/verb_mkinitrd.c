/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 mkinitrd: build the capture initramfs. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "mkinitrd.h"

static void print_words(const char *label, char *const *w, size_t n)
{
	printf("%-10s", label);
	if (!n)
		printf(" (none)");
	for (size_t i = 0; i < n; i++)
		printf(" %s", w[i]);
	putchar('\n');
}

void mkinitrd_print(const struct mkinitrd_result *res, const char *output, bool verbose)
{
	printf("initrd:    %s for %s (%s, %.1f MiB; %.1f MiB unpacked)\n", output, res->kver,
	       initrd_compress_name(res->compress), (double)res->report.compressed_bytes / (1 << 20),
	       (double)res->report.cpio_bytes / (1 << 20));
	if (res->target_absent)
		printf("target:    %s (%s), not present now, path %s\n", res->conf->target, res->conf->fstype,
		       res->conf->path);
	else
		printf("target:    %s (%s on %s), path %s\n", res->conf->target, res->conf->fstype,
		       res->dev.node, res->conf->path);
	print_words("modules:", res->mods.names, res->mods.n);
	if (res->mods.n_builtin)
		print_words("built in:", res->mods.builtin, res->mods.n_builtin);
	if (res->mods.n_added)
		print_words("transport:", res->mods.added, res->mods.n_added);
	if (verbose) {
		for (size_t i = 0; i < res->n_wanted; i++)
			printf("wanted:    %s (%s)\n", res->wanted[i], res->wanted_why[i]);
		for (size_t i = 0; i < res->report.n_files; i++)
			printf("file:      /%s\n", res->report.files[i]);
	}
}

int verb_mkinitrd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "kver", required_argument, NULL, 'k' },
		{ "config", required_argument, NULL, 'c' },
		{ "moddir", required_argument, NULL, 'm' },
		{ "compress", required_argument, NULL, 'z' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	struct mkinitrd_opts o = { .compress = -1 };
	struct mkinitrd_result res;
	struct kx_diag diag = { 0 };
	char out[1024];
	bool verbose = false;
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:v", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': o.output = optarg; break;
		case 'k': o.kver = optarg; break;
		case 'c': o.config = optarg; break;
		case 'm': o.moddir = optarg; break;
		case 'v': verbose = true; break;
		case 'z':
			if (strcmp(optarg, "zstd") == 0)
				o.compress = INITRD_ZSTD;
			else if (strcmp(optarg, "gzip") == 0)
				o.compress = INITRD_GZIP;
			else if (strcmp(optarg, "none") == 0)
				o.compress = INITRD_NONE;
			else
				return log_usage("mkinitrd", "unknown compression '%s' (zstd, gzip or none)", optarg);
			break;
		default:
			return log_usage("mkinitrd", "unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return log_usage("mkinitrd", "unexpected argument '%s'", argv[optind]);
	if (!o.output) {
		struct { char s[65]; } k = { "" };
		if (o.kver)
			snprintf(k.s, sizeof(k.s), "%s", o.kver);
		else
			kver_running(k.s, sizeof(k.s));
		default_initrd_path(k.s, out, sizeof(out));
		mkdir(S3_INITRD_DIR, 0755);
		o.output = out;
	}
	r = mkinitrd_run(&o, &res, &diag);
	if (r < 0)
		return log_kx_error("mkinitrd", o.config ? o.config : S3CONF_DEFAULT_PATH, r, &diag);
	mkinitrd_print(&res, o.output, verbose);
	mkinitrd_result_deinit(&res);
	return EXIT_SUCCESS;
}
