/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dumper: produce images. Kernel mode: an ELF vmcore, a kdump-compressed
 * file or /proc/vmcore -> a filtered, compressed image. */
#ifndef SUSPEND3_DUMPER_H
#define SUSPEND3_DUMPER_H

#include <stdbool.h>
#include <suspend3/image.h>

#define DUMPER_MAX_LEVELS 8

struct dumper_opts {
	enum s3img_format format;
	unsigned compress;
	/* Dump levels to try in order: the first the dump's VMCOREINFO fully
	 * supports is used; if none is, the last one's supported part. */
	int levels[DUMPER_MAX_LEVELS];
	unsigned nlevels;
	unsigned threads;       /* 0 = online CPUs */
	enum s3img_io io;
	bool force;             /* overwrite an existing output */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
};

struct dumper_result {
	struct s3img_write_stats stats;
	int level;              /* the dump level used */
	char level_note[160];   /* why a requested level was lowered, or "" */
	bool output_left;       /* a (marked-incomplete) output was left behind */
	int signal;             /* the signal that stopped the dump, or 0 */
};

/* Write IN as OUT ("-" = standard output, flattened only). Returns 0 or a
 * negative errno; diag says what and where. SIGINT/SIGTERM stop the write
 * and leave an output marked incomplete. */
int dumper_convert(const char *in, const char *out, const struct dumper_opts *opts,
		   struct dumper_result *ret, struct s3img_diag *diag);

#endif
