/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 dump and convert: one engine (the dumper) with two sets of
 * defaults: dump is the capture-kernel job (/proc/vmcore, level 31), convert
 * turns any image into another format (level 1: nothing but zero pages). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "dumper.h"
#include "image_opts.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_summary(const char *dest, const struct dumper_result *res, double secs)
{
	const struct s3img_write_stats *st = &res->stats;
	const struct s3img_filter_stats *f = &st->filter;

	fprintf(stderr, "%s: dump level %d, %" PRIu64 " pages written (%" PRIu64 " zero), %" PRIu64
		" excluded: cache %" PRIu64 ", cache+private %" PRIu64 ", user %" PRIu64 ", free %" PRIu64
		", hwpoison %" PRIu64 ", offline %" PRIu64 ", zero %" PRIu64 "\n",
		dest, res->level, st->pages_written, st->pages_zero, st->pages_excluded, f->cache,
		f->cache_private, f->user, f->free, f->hwpoison, f->offline, st->pages_zero);
	fprintf(stderr, "%s: %" PRIu64 " bytes in %.2f s (%.0f MB/s), %u thread%s, %s%s\n", dest,
		st->file_size ? st->file_size : st->bytes_written, secs,
		secs > 0 ? (double)st->bytes_written / secs / 1e6 : 0.0, st->threads,
		st->threads == 1 ? "" : "s", s3img_io_name(st->io), st->direct ? " O_DIRECT" : "");
}

static int write_image_verb(const char *verb, int argc, char **argv, int default_level,
			    bool src_optional)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "compress", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 'T' },
		{ "io", required_argument, NULL, 'i' },
		{ "force", no_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	struct dumper_opts o = { .format = S3IMG_FORMAT_KDUMP, .compress = S3IMG_COMPRESS_ZSTD,
				 .levels = { default_level }, .nlevels = 1 };
	struct dumper_result res;
	struct s3img_diag diag = { 0 };
	struct progress prog;
	bool quiet = false, verbose = false;
	const char *src = "/proc/vmcore", *dest;
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "d:qvT:", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (parse_format(optarg, &o.format) < 0)
				return log_usage(verb, "unknown format '%s' (kdump, elf or flat)", optarg);
			break;
		case 'c':
			if (parse_compress(optarg, &o.compress) < 0)
				return log_usage(verb, "unknown compression '%s'", optarg);
			if (o.compress & ~s3img_compress_supported())
				return log_error(verb, "%s compression is not built into this suspend3", optarg);
			break;
		case 'd':
			if (parse_levels(optarg, &o) < 0)
				return log_usage(verb, "dump level '%s' is not a level 0..31 or a list like 31,1", optarg);
			break;
		case 'T':
			if (parse_threads(optarg, &o.threads) < 0)
				return log_usage(verb, "--threads takes 1..64, not '%s'", optarg);
			break;
		case 'i':
			if (parse_io(optarg, &o.io) < 0)
				return log_usage(verb, "--io takes auto, uring, aio or sync, not '%s'", optarg);
			break;
		case 'F':
			o.force = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			return log_usage(verb, "unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind == 2)
		src = argv[optind++];
	else if (argc - optind != 1 || !src_optional)
		return log_usage(verb, src_optional ? "expected [SRC] DEST" : "expected IN and OUT");
	dest = argv[optind];
	if (o.format == S3IMG_FORMAT_ELF)
		o.compress = S3IMG_COMPRESS_NONE;

	progress_init(&prog, verb, quiet || strcmp(dest, "-") == 0);
	/* dump runs on serial consoles: periodic lines there. convert stays
	 * silent off a terminal, like other tools. */
	prog.plain = src_optional && !prog.enabled && !quiet;
	o.progress = progress_update;
	o.progress_ctx = &prog;
	double t0 = now();
	r = dumper_convert(src, dest, &o, &res, &diag);
	progress_end(&prog);
	if (res.level_note[0])
		fprintf(stderr, "%s %s: %s\n", program_name, verb, res.level_note);
	if (r < 0) {
		log_image_error(verb, r == -EEXIST || r == -EINVAL ? dest : src, r, &diag);
		if (res.output_left)
			fprintf(stderr, "%s %s: '%s' is left marked incomplete\n", program_name, verb, dest);
		return EXIT_FAILURE;
	}
	if (verbose)
		fprintf(stderr, "%s %s: writing with %s%s, %u compression thread%s\n", program_name, verb,
			s3img_io_name(res.stats.io), res.stats.direct ? " and O_DIRECT" : "",
			res.stats.threads, res.stats.threads == 1 ? "" : "s");
	if (!quiet)
		print_summary(dest, &res, now() - t0);
	return EXIT_SUCCESS;
}

int verb_dump(int argc, char **argv)
{
	return write_image_verb("dump", argc, argv, 31, true);
}

int verb_convert(int argc, char **argv)
{
	return write_image_verb("convert", argc, argv, 1, false);
}
