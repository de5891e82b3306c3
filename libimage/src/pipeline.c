/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Compression workers over a bounded window of batches. */
#include <unistd.h>

#include "pipeline.h"
#include "write_common.h"

#define MAX_THREADS 64
#define NO_WAITER UINT64_MAX

struct pipeline {
	struct pipeline_opts o;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct batch *slots;
	unsigned nslots;
	uint8_t *out_mem;     /* the slots' output buffers */
	uint8_t *page_mem;    /* each worker's pages, BATCH_PAGES a worker */
	unsigned nstarted;    /* workers that took their part of page_mem */
	uint64_t next_push, next_take, next_work;  /* sequence numbers */
	uint64_t want;  /* the batch the writer sleeps on, NO_WAITER if none */
	bool stop;
	pthread_t tid[MAX_THREADS];
	unsigned nthreads;
	size_t out_cap;
};

/* Read the batch's pages into pages[]: contiguous runs with one read each
 * where the source allows (one pread per page was the dump's largest cost
 * after compression), page by page otherwise. */
static int batch_read(struct pipeline *p, struct batch *b, uint8_t *pages)
{
	uint32_t ps = p->o.img->info.page_size;

	for (uint32_t i = 0; i < b->n;) {
		uint32_t run = 1;
		while (i + run < b->n && b->pfn[i + run] == b->pfn[i] + run)
			run++;
		int r = elf_read_pfns(p->o.img, b->pfn[i], run, pages + (size_t)i * ps, &b->diag);
		if (r == -EAGAIN) {
			for (uint32_t k = 0; k < run; k++) {
				r = s3img_read_pfn(p->o.img, b->pfn[i + k], pages + (size_t)(i + k) * ps, &b->diag);
				if (r < 0)
					return r;
			}
		}
		if (r < 0)
			return r;
		i += run;
	}
	return 0;
}

static void batch_compress(struct pipeline *p, struct batch *b, struct compressor *c, uint8_t *pages)
{
	uint32_t ps = p->o.img->info.page_size;
	int r = batch_read(p, b, pages);

	b->out_len = 0;
	if (r < 0) {
		b->err = r;
		return;
	}
	for (uint32_t i = 0; i < b->n; i++) {
		const uint8_t *page = pages + (size_t)i * ps;
		const void *data = page;
		ssize_t n = 0;

		if (p->o.zero_pages && page_is_zero(page, ps)) {
			b->kind[i] = PAGE_ZERO;
			b->size[i] = 0;
			b->flags[i] = 0;
			continue;
		}
		if (c) {
			n = compressor_page(c, page, &data);
			if (n < 0) {
				b->err = (int)n;
				return;
			}
		}
		b->kind[i] = PAGE_DATA;
		b->size[i] = n > 0 ? (uint32_t)n : ps;
		b->flags[i] = n > 0 ? p->o.compress : 0;
		memcpy(b->out + b->out_len, n > 0 ? data : page, b->size[i]);
		b->out_len += b->size[i];
	}
}

static void *worker(void *arg)
{
	struct pipeline *p = arg;
	struct compressor *c = NULL;
	size_t page_bytes = (size_t)BATCH_PAGES * p->o.img->info.page_size;
	int cerr = p->o.compress ? compressor_new(p->o.compress, p->o.img->info.page_size, &c) : 0;

	pthread_mutex_lock(&p->lock);
	uint8_t *page = p->page_mem + p->nstarted++ * page_bytes;
	for (;;) {
		while (!p->stop && p->next_work == p->next_push)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		struct batch *b = &p->slots[p->next_work % p->nslots];
		p->next_work++;
		pthread_mutex_unlock(&p->lock);
		if (cerr < 0)
			b->err = cerr;
		else
			batch_compress(p, b, c, page);
		pthread_mutex_lock(&p->lock);
		b->done = true;
		/* Wake the writer only for the batch it waits on: every wake-up
		 * costs a context switch, and on a small VM an IPI. */
		if (b->seq == p->want)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	compressor_free(c);
	return NULL;
}

int pipeline_new(const struct pipeline_opts *o, struct pipeline **ret)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint32_t ps = o->img->info.page_size;
	unsigned nthreads = o->threads ? o->threads : (cpus > 0 ? (unsigned)cpus : 1);

	if (!p)
		return -ENOMEM;
	p->o = *o;
	p->want = NO_WAITER;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	/* Enough batches to keep every worker busy while the writer drains. */
	p->nslots = 4 * nthreads + 4;
	p->out_cap = (size_t)BATCH_PAGES * (ps + ps / 8 + 128);
	p->slots = calloc(p->nslots, sizeof(*p->slots));
	p->out_mem = bigbuf_alloc(p->nslots * p->out_cap);
	p->page_mem = bigbuf_alloc((size_t)nthreads * BATCH_PAGES * ps);
	if (!p->slots || !p->out_mem || !p->page_mem) {
		pipeline_free(p);  /* no threads yet: frees the memory only */
		return -ENOMEM;
	}
	for (unsigned i = 0; i < p->nslots; i++)
		p->slots[i].out = p->out_mem + i * p->out_cap;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	for (; p->nthreads < nthreads; p->nthreads++) {
		if (pthread_create(&p->tid[p->nthreads], NULL, worker, p) != 0) {
			if (p->nthreads == 0) {
				pthread_mutex_destroy(&p->lock);
				pthread_cond_destroy(&p->work);
				pthread_cond_destroy(&p->done);
			}
			pipeline_free(p);
			return -EAGAIN;
		}
	}
	*ret = p;
	return 0;
}

unsigned pipeline_threads(const struct pipeline *p)
{
	return p->nthreads;
}

int pipeline_push(struct pipeline *p, const uint64_t *pfns, uint32_t n)
{
	pthread_mutex_lock(&p->lock);
	if (p->next_push - p->next_take >= p->nslots) {
		pthread_mutex_unlock(&p->lock);
		return -EAGAIN;
	}
	struct batch *b = &p->slots[p->next_push % p->nslots];
	b->seq = p->next_push;
	b->n = n;
	memcpy(b->pfn, pfns, n * sizeof(*pfns));
	b->err = 0;
	b->diag.reason[0] = '\0';
	b->done = false;
	p->next_push++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* Sleep until batch seq is done (the lock held). */
static void wait_done(struct pipeline *p, uint64_t seq)
{
	struct batch *b = &p->slots[seq % p->nslots];

	while (!b->done) {
		p->want = seq;
		pthread_cond_wait(&p->done, &p->lock);
	}
	p->want = NO_WAITER;
}

struct batch *pipeline_next(struct pipeline *p)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->next_take < p->next_push) {
		b = &p->slots[p->next_take % p->nslots];
		if (!b->done) {
			/* Behind the workers: sleep until half the window is done,
			 * then take it in one go, instead of waking per batch. The
			 * other half keeps the workers busy meanwhile. */
			uint64_t later = p->next_take + p->nslots / 2;
			wait_done(p, later < p->next_push ? later : p->next_push - 1);
			wait_done(p, p->next_take);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return b;
}

void pipeline_release(struct pipeline *p, struct batch *b)
{
	(void)b;
	pthread_mutex_lock(&p->lock);
	p->next_take++;
	pthread_mutex_unlock(&p->lock);
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	if (p->nthreads) {
		pthread_mutex_lock(&p->lock);
		p->stop = true;
		pthread_cond_broadcast(&p->work);
		pthread_mutex_unlock(&p->lock);
		/* Workers finish their current batch, then exit. */
		for (unsigned i = 0; i < p->nthreads; i++)
			pthread_join(p->tid[i], NULL);
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->work);
		pthread_cond_destroy(&p->done);
	}
	free(p->out_mem);
	free(p->page_mem);
	free(p->slots);
	free(p);
}
