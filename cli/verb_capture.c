/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture side: suspend3 as /init of the capture kernel, and the
 * `capture` verb that runs the same steps into a directory (tests). The
 * dump itself is the dumper's: this file wires the two components. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "dumper.h"

static int write_dump(void *ctx, const char *vmcore, const char *out, const struct s3conf *conf,
		      void (*progress)(void *pctx, uint64_t done, uint64_t total), void *pctx,
		      struct kx_diag *diag)
{
	struct dumper_opts o = {
		.format = conf->format,
		.compress = conf->compress,
		.levels = { conf->dump_level },
		.nlevels = 1,
		.progress = progress,
		.progress_ctx = pctx,
	};
	struct dumper_result res;
	struct s3img_diag d = { 0 };
	int r;

	(void)ctx;
	r = dumper_convert(vmcore, out, &o, &res, &d);
	if (r == 0 && res.level_note[0])
		kx_diag_set(diag, 0, 0, "dump level %d: %s", res.level, res.level_note);
	if (r < 0) {
		if (d.reason[0] && d.offset != UINT64_MAX)
			kx_diag_set(diag, r, 0, "'%s': offset %#llx: %s%s", vmcore, (unsigned long long)d.offset,
				    d.reason, res.output_left ? " (output left marked incomplete)" : "");
		else
			kx_diag_set(diag, r, 0, "'%s': %s%s", vmcore, d.reason[0] ? d.reason : strerror(-r),
				    res.output_left ? " (output left marked incomplete)" : "");
	}
	return r;
}

static const struct capture_ops ops = { .write_dump = write_dump };

int capture_init_main(void)
{
	struct capture_opts o = {
		.vmcore = "/proc/vmcore", .config = S3CONF_IN_INITRD, .as_init = true,
	};
	capture_run(&o, &ops); /* does not return */
	return EXIT_FAILURE;
}

int verb_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "into", required_argument, NULL, 'i' },
		{ "config", required_argument, NULL, 'c' },
		{ "vmcore", required_argument, NULL, 'v' },
		{ 0 },
	};
	struct capture_opts o = { .vmcore = "/proc/vmcore", .config = S3CONF_DEFAULT_PATH };
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': o.into = optarg; break;
		case 'c': o.config = optarg; break;
		case 'v': o.vmcore = optarg; break;
		default:
			return log_usage("capture", "unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return log_usage("capture", "unexpected argument '%s'", argv[optind]);
	if (!o.into)
		return log_usage("capture", "--into DIR is required outside the capture kernel");
	return capture_run(&o, &ops) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
