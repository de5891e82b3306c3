/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dumper: produce images. Kernel mode only, for now: an ELF vmcore or a
 * kdump-compressed file (or /proc/vmcore) -> a new image. */
#ifndef SUSPEND3_DUMPER_H
#define SUSPEND3_DUMPER_H

#include <stdbool.h>
#include <suspend3/image.h>

struct dumper_opts {
	enum s3img_format format;
	unsigned compress;
	int dump_level;
	bool force;             /* overwrite an existing output */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
};

struct dumper_result {
	struct s3img_write_stats stats;
	bool output_left;       /* a (marked-incomplete) output was left behind */
};

/* Convert IN to OUT ("-" = standard output, flattened only). Returns 0 or
 * a negative errno; diag says what and where. SIGINT/SIGTERM stop the
 * write and leave an output marked incomplete. */
int dumper_convert(const char *in, const char *out, const struct dumper_opts *opts,
		   struct dumper_result *ret, struct s3img_diag *diag);

#endif
