/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Compression workers: pages in pfn order go out in batches; workers read
 * and compress them; batches come back in order, so the output is the same
 * whatever the number of threads. Memory is bounded by the window. */
#ifndef S3IMG_PIPELINE_H
#define S3IMG_PIPELINE_H

#include <pthread.h>

#include "internal.h"

#define BATCH_PAGES 64

enum page_kind { PAGE_DATA = 0, PAGE_ZERO = 1 };

struct batch {
	uint64_t seq;
	uint32_t n;
	uint64_t pfn[BATCH_PAGES];
	uint32_t size[BATCH_PAGES];   /* bytes in out for this page */
	uint32_t flags[BATCH_PAGES];  /* compression flag, 0 = raw */
	uint8_t kind[BATCH_PAGES];
	uint8_t *out;                 /* records back to back */
	size_t out_len;
	int err;
	struct s3img_diag diag;
	bool done;
};

struct pipeline;

struct pipeline_opts {
	struct s3img *img;
	unsigned compress;   /* S3IMG_COMPRESS_* or NONE */
	bool zero_pages;     /* detect all-zero pages (dump level bit 1) */
	unsigned threads;    /* 0 = online CPUs */
};

int pipeline_new(const struct pipeline_opts *o, struct pipeline **ret);
/* Queue the next batch of pfns (n <= BATCH_PAGES); blocks while the
 * window is full. Returns -EAGAIN if the caller must take results first. */
int pipeline_push(struct pipeline *p, const uint64_t *pfns, uint32_t n);
/* The next batch in order, waiting for it; NULL when none is queued. */
struct batch *pipeline_next(struct pipeline *p);
/* Give a batch returned by pipeline_next back. */
void pipeline_release(struct pipeline *p, struct batch *b);
void pipeline_free(struct pipeline *p);
unsigned pipeline_threads(const struct pipeline *p);

#endif
