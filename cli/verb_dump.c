/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 dump: /proc/vmcore (or any dump) -> a filtered, compressed image. */
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

int verb_dump(int argc, char **argv)
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
				 .levels = { 31 }, .nlevels = 1 };
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
				return log_usage("dump", "unknown format '%s' (kdump, elf or flat)", optarg);
			break;
		case 'c':
			if (parse_compress(optarg, &o.compress) < 0)
				return log_usage("dump", "unknown compression '%s'", optarg);
			if (o.compress & ~s3img_compress_supported())
				return log_error("dump", "%s compression is not built into this suspend3", optarg);
			break;
		case 'd':
			if (parse_levels(optarg, &o) < 0)
				return log_usage("dump", "dump level '%s' is not a level 0..31 or a list like 31,1", optarg);
			break;
		case 'T':
			if (parse_threads(optarg, &o.threads) < 0)
				return log_usage("dump", "--threads takes 1..64, not '%s'", optarg);
			break;
		case 'i':
			if (parse_io(optarg, &o.io) < 0)
				return log_usage("dump", "--io takes auto, uring, aio or sync, not '%s'", optarg);
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
			return log_usage("dump", "unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind == 2)
		src = argv[optind++];
	else if (argc - optind != 1)
		return log_usage("dump", "expected [SRC] DEST");
	dest = argv[optind];
	if (o.format == S3IMG_FORMAT_ELF)
		o.compress = S3IMG_COMPRESS_NONE;

	progress_init(&prog, "dump", quiet || strcmp(dest, "-") == 0);
	prog.plain = !prog.enabled && !quiet;   /* serial console: periodic lines */
	o.progress = progress_update;
	o.progress_ctx = &prog;
	double t0 = now();
	r = dumper_convert(src, dest, &o, &res, &diag);
	progress_end(&prog);
	if (res.level_note[0])
		fprintf(stderr, "%s dump: %s\n", program_name, res.level_note);
	if (r < 0) {
		log_image_error("dump", r == -EEXIST || r == -EINVAL ? dest : src, r, &diag);
		if (res.output_left)
			fprintf(stderr, "%s dump: '%s' is left marked incomplete\n", program_name, dest);
		return EXIT_FAILURE;
	}
	if (verbose)
		fprintf(stderr, "%s dump: writing with %s%s, %u compression thread%s\n", program_name,
			s3img_io_name(res.stats.io), res.stats.direct ? " and O_DIRECT" : "",
			res.stats.threads, res.stats.threads == 1 ? "" : "s");
	if (!quiet)
		print_summary(dest, &res, now() - t0);
	return EXIT_SUCCESS;
}
