/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the writers. */
#ifndef S3IMG_WRITE_COMMON_H
#define S3IMG_WRITE_COMMON_H

#include "internal.h"
#include "sink.h"

static inline bool write_should_stop(const struct s3img_write_opts *o)
{
	return o->should_stop && o->should_stop(o->stop_ctx);
}

static inline void write_progress(const struct s3img_write_opts *o, uint64_t done, uint64_t total)
{
	if (o->progress && (done % 4096 == 0 || done == total))
		o->progress(o->progress_ctx, done, total);
}

static inline bool page_is_zero(const void *page, size_t len)
{
	const uint64_t *p = page;
	for (size_t i = 0; i < len / 8; i++)
		if (p[i])
			return false;
	return true;
}

/* The kernel's utsname for headers, from the input or init_uts_ns. */
int write_utsname(struct s3img *img, char uts[6][65], struct s3img_diag *diag);

int kdump_write(struct s3img *img, struct sink *o, const struct s3img_write_opts *opts,
		struct s3img_write_stats *st, struct s3img_diag *diag);
int elf_write(struct s3img *img, struct sink *o, const struct s3img_write_opts *opts,
	      struct s3img_write_stats *st, struct s3img_diag *diag);

#endif
