/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 convert: one image format into another. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dumper.h"
#include "image_opts.h"

int verb_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "compress", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ 0 },
	};
	struct dumper_opts o = { .format = S3IMG_FORMAT_KDUMP, .compress = S3IMG_COMPRESS_ZSTD,
				 .levels = { 1 }, .nlevels = 1 };
	struct dumper_result res;
	struct s3img_diag diag = { 0 };
	struct progress prog;
	bool quiet = false;
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "d:", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (parse_format(optarg, &o.format) < 0)
				return log_usage("convert", "unknown format '%s' (kdump, elf or flat)", optarg);
			break;
		case 'c':
			if (parse_compress(optarg, &o.compress) < 0)
				return log_usage("convert", "unknown compression '%s'", optarg);
			if (o.compress & ~s3img_compress_supported())
				return log_error("convert", "%s compression is not built into this suspend3", optarg);
			break;
		case 'd':
			if (parse_levels(optarg, &o) < 0)
				return log_usage("convert", "dump level '%s' is not a level 0..31 or a list like 31,1", optarg);
			break;
		case 'F':
			o.force = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return log_usage("convert", "unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return log_usage("convert", "expected IN and OUT");
	if (o.format == S3IMG_FORMAT_ELF)
		o.compress = S3IMG_COMPRESS_NONE;
	progress_init(&prog, "convert", quiet || strcmp(argv[optind + 1], "-") == 0);
	o.progress = progress_update;
	o.progress_ctx = &prog;
	r = dumper_convert(argv[optind], argv[optind + 1], &o, &res, &diag);
	progress_end(&prog);
	if (r < 0) {
		log_image_error("convert", argv[optind], r, &diag);
		if (res.output_left)
			fprintf(stderr, "%s convert: '%s' is left marked incomplete\n", program_name,
				argv[optind + 1]);
		return EXIT_FAILURE;
	}
	if (!quiet && strcmp(argv[optind + 1], "-") != 0)
		fprintf(stderr, "%s: %" PRIu64 " pages (%" PRIu64 " zero), %" PRIu64 " excluded, %" PRIu64 " bytes\n",
			argv[optind + 1], res.stats.pages_written, res.stats.pages_zero,
			res.stats.pages_excluded, res.stats.bytes_written);
	return EXIT_SUCCESS;
}
