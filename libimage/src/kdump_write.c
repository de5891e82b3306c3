/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writer for the kdump-compressed format, header version 6. */
#include <inttypes.h>
#include <stdio.h>

#include "internal.h"
#include "kdump_format.h"
#include "pipeline.h"
#include "sink.h"
#include "write_common.h"

/* Descriptors go out in chunks that start and end on a block boundary. */
#define DESC_CHUNK 8192

struct kdump_layout {
	uint32_t ps;
	uint64_t max_mapnr, sub_blocks, bitmap_blocks, bitmap_bytes;
	uint64_t note_off, desc_off, data_off, ndesc;
	uint8_t *bitmap1, *bitmap2;
};

static void bit_set(uint8_t *bm, uint64_t pfn)
{
	bm[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
}

static int kdump_plan(struct s3img *img, struct kdump_layout *L)
{
	L->ps = img->info.page_size;
	L->max_mapnr = img->info.max_pfn;
	L->sub_blocks = DIV_ROUND_UP(KS_SIZE + img->notes_len, L->ps);
	L->bitmap_bytes = DIV_ROUND_UP(DIV_ROUND_UP(L->max_mapnr, 8), L->ps) * L->ps;
	L->bitmap_blocks = 2 * L->bitmap_bytes / L->ps;
	L->note_off = L->ps + KS_SIZE;
	L->bitmap1 = calloc(1, L->bitmap_bytes);
	L->bitmap2 = calloc(1, L->bitmap_bytes);
	if (!L->bitmap1 || !L->bitmap2)
		return -ENOMEM;
	for (uint64_t pfn = 0; pfn < L->max_mapnr; pfn++) {
		enum s3img_page_state st = s3img_page_state(img, pfn);
		if (st == S3IMG_PAGE_NOT_RAM)
			continue;
		bit_set(L->bitmap1, pfn);
		if (st == S3IMG_PAGE_DUMPED && image_keeps(img, pfn)) {
			bit_set(L->bitmap2, pfn);
			L->ndesc++;
		}
	}
	L->desc_off = (1 + L->sub_blocks + L->bitmap_blocks) * L->ps;
	L->data_off = L->desc_off + L->ndesc * PD_LEN;
	return 0;
}

static int kdump_write_headers(struct s3img *img, struct sink *o, const struct kdump_layout *L,
			       const struct s3img_write_opts *opts, uint32_t status,
			       const char uts[6][65])
{
	uint8_t *blk = calloc(1, L->ps);
	uint8_t *sub;
	size_t vi_off = 0;
	int r, level = opts->dump_level;

	if (!blk)
		return -ENOMEM;
	memcpy(blk + KH_SIGNATURE, KDUMP_SIGNATURE, KDUMP_SIG_LEN);
	put_le32(blk + KH_VERSION, KDUMP_HEADER_VERSION);
	memcpy(blk + KH_UTSNAME, uts, 6 * 65);
	put_le64(blk + KH_TV_SEC, img->info.crash_time);
	put_le64(blk + KH_TV_USEC, 0); /* REFERENCE 3, rule 4 */
	put_le32(blk + KH_STATUS, status);
	put_le32(blk + KH_BLOCK_SIZE, L->ps);
	put_le32(blk + KH_SUB_HDR_SIZE, (uint32_t)L->sub_blocks);
	put_le32(blk + KH_BITMAP_BLOCKS, (uint32_t)L->bitmap_blocks);
	put_le32(blk + KH_MAX_MAPNR, (uint32_t)L->max_mapnr);
	put_le32(blk + KH_NR_CPUS, (uint32_t)img->info.nr_cpus);
	r = sink_pwrite(o, 0, blk, L->ps);
	free(blk);
	if (r < 0)
		return r;

	sub = calloc(1, L->sub_blocks * L->ps);
	if (!sub)
		return -ENOMEM;
	if (img->info.dump_level > 0)
		level |= img->info.dump_level;
	put_le64(sub + KS_PHYS_BASE, img->info.phys_base);
	put_le32(sub + KS_DUMP_LEVEL, (uint32_t)level);
	if (img->vmcoreinfo_text)
		vi_off = (size_t)((const uint8_t *)img->vmcoreinfo_text - img->notes);
	put_le64(sub + KS_OFFSET_VMCOREINFO, img->vmcoreinfo_text ? L->note_off + vi_off : 0);
	put_le64(sub + KS_SIZE_VMCOREINFO, img->vmcoreinfo_len);
	put_le64(sub + KS_OFFSET_NOTE, img->notes_len ? L->note_off : 0);
	put_le64(sub + KS_SIZE_NOTE, img->notes_len);
	put_le64(sub + KS_MAX_MAPNR_64, L->max_mapnr);
	if (img->notes_len)
		memcpy(sub + KS_SIZE, img->notes, img->notes_len);
	r = sink_pwrite(o, L->ps, sub, L->sub_blocks * L->ps);
	free(sub);
	return r;
}

/* Descriptors, written in aligned chunks as pages are laid out. */
struct desc_writer {
	struct sink *sink;
	uint64_t base;      /* file offset of page_desc[0] */
	uint64_t index;     /* descriptors written so far */
	struct sink_buf *cur;
};

static int desc_add(struct desc_writer *dw, uint64_t off, uint32_t size, uint32_t flags)
{
	int r;

	if (!dw->cur) {
		r = sink_get(dw->sink, &dw->cur);
		if (r < 0)
			return r;
		dw->cur->off = dw->base + dw->index * PD_LEN;
		dw->cur->len = 0;
	}
	uint8_t *d = dw->cur->data + dw->cur->len;
	put_le64(d + PD_OFFSET, off);
	put_le32(d + PD_SIZE, size);
	put_le32(d + PD_FLAGS, flags);
	put_le64(d + PD_PAGE_FLAGS, 0);
	dw->cur->len += PD_LEN;
	dw->index++;
	if (dw->cur->len == DESC_CHUNK * PD_LEN) {
		r = sink_submit(dw->sink, dw->cur);
		dw->cur = NULL;
		return r;
	}
	return 0;
}

/* The last, partial chunk: a synchronous write (it may share a block
 * with the first page data). */
static int desc_finish(struct desc_writer *dw)
{
	int r = 0;

	if (dw->cur) {
		r = sink_pwrite(dw->sink, dw->cur->off, dw->cur->data, dw->cur->len);
		dw->cur->busy = false;
		dw->cur = NULL;
	}
	return r;
}

struct page_feed {
	const struct kdump_layout *L;
	uint64_t pfn;           /* next pfn to look at */
	uint64_t pending[BATCH_PAGES];
	uint32_t npending;
};

/* Queue batches of dumpable pfns until the window is full or all are in. */
static int feed(struct pipeline *p, struct page_feed *f)
{
	for (;;) {
		while (f->npending < BATCH_PAGES && f->pfn < f->L->max_mapnr) {
			uint64_t pfn = f->pfn++;
			if (f->L->bitmap2[pfn >> 3] & (1u << (pfn & 7)))
				f->pending[f->npending++] = pfn;
		}
		if (f->npending == 0)
			return 0;
		int r = pipeline_push(p, f->pending, f->npending);
		if (r == -EAGAIN)
			return 0;
		if (r < 0)
			return r;
		f->npending = 0;
	}
}

static int kdump_write_pages(struct s3img *img, struct sink *o, const struct kdump_layout *L,
			     const struct s3img_write_opts *opts, struct s3img_write_stats *st,
			     uint64_t *ret_end, struct s3img_diag *diag)
{
	struct pipeline_opts po = { .img = img, .compress = opts->compress,
				    .zero_pages = opts->dump_level & 1, .threads = opts->threads };
	struct desc_writer dw = { .sink = o, .base = L->desc_off };
	struct page_feed f = { .L = L };
	struct stream data;
	struct pipeline *p = NULL;
	uint64_t zero_off = 0, done = 0;
	struct batch *b;
	int r;

	r = pipeline_new(&po, &p);
	if (r < 0)
		return r;
	st->threads = pipeline_threads(p);
	stream_init(&data, o, L->data_off);
	if (opts->dump_level & 1) {
		/* One shared zero page, written first (REFERENCE 3, rule 2). */
		uint8_t *zero = calloc(1, L->ps);
		zero_off = data.pos;
		r = zero ? stream_write(&data, zero, L->ps) : -ENOMEM;
		free(zero);
	}
	while (r == 0 && (r = feed(p, &f)) == 0 && (b = pipeline_next(p))) {
		if (b->err) {
			r = b->err;
			if (diag)
				*diag = b->diag;
			break;
		}
		size_t pos = 0;
		for (uint32_t i = 0; i < b->n && r == 0; i++) {
			if (b->kind[i] == PAGE_ZERO) {
				r = desc_add(&dw, zero_off, L->ps, 0);
				st->pages_zero++;
			} else {
				r = desc_add(&dw, data.pos, b->size[i], b->flags[i]);
				if (r == 0)
					r = stream_write(&data, b->out + pos, b->size[i]);
				pos += b->size[i];
			}
			st->pages_written++;
		}
		done += b->n;
		pipeline_release(p, b);
		write_progress(opts, done, L->ndesc);
		if (r == 0 && write_should_stop(opts))
			r = -EINTR;
	}
	pipeline_free(p);
	if (r == 0)
		r = desc_finish(&dw);
	if (r == 0)
		r = stream_finish(&data, ret_end);
	if (r < 0 && dw.cur)
		dw.cur->busy = false;
	return r;
}

int kdump_write(struct s3img *img, struct sink *o, const struct s3img_write_opts *opts,
		struct s3img_write_stats *st, struct s3img_diag *diag)
{
	struct kdump_layout L = { 0 };
	char uts[6][65];
	uint32_t status = opts->compress;
	uint64_t end = 0;
	int r;

	r = write_utsname(img, uts, diag);
	if (r < 0)
		return r;
	r = kdump_plan(img, &L);
	if (r < 0)
		goto out;
	/* Headers first, marked incomplete until the last page is written. */
	r = kdump_write_headers(img, o, &L, opts, status | KDUMP_STATUS_INCOMPLETE, uts);
	if (r == 0)
		r = sink_pwrite(o, (1 + L.sub_blocks) * L.ps, L.bitmap1, L.bitmap_bytes);
	if (r == 0)
		r = sink_pwrite(o, (1 + L.sub_blocks) * L.ps + L.bitmap_bytes, L.bitmap2, L.bitmap_bytes);
	if (r == 0)
		r = kdump_write_pages(img, o, &L, opts, st, &end, diag);
	st->pages_excluded = 0;
	for (uint64_t i = 0; i < L.bitmap_bytes; i++)
		st->pages_excluded += (uint64_t)__builtin_popcount(L.bitmap1[i] & ~L.bitmap2[i]);
	if (r == 0 && !o->flat && ftruncate(o->fd, (off_t)end) < 0)
		r = -errno;
	if (r == 0)
		r = kdump_write_headers(img, o, &L, opts, status, uts);
	st->file_size = end;
out:
	free(L.bitmap1);
	free(L.bitmap2);
	return r;
}
