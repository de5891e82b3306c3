/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writer for the kdump-compressed format, header version 6. */
#include <inttypes.h>
#include <stdio.h>

#include "internal.h"
#include "kdump_format.h"
#include "output.h"
#include "write_common.h"

#define DESC_BATCH 4096

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

static int kdump_write_headers(struct s3img *img, struct output *o, const struct kdump_layout *L,
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
	r = output_write(o, 0, blk, L->ps);
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
	r = output_write(o, L->ps, sub, L->sub_blocks * L->ps);
	free(sub);
	return r;
}

static int kdump_write_pages(struct s3img *img, struct output *o, const struct kdump_layout *L,
			     const struct s3img_write_opts *opts, struct compressor *c,
			     struct s3img_write_stats *st, struct s3img_diag *diag)
{
	uint8_t *page = malloc(L->ps), *descs = malloc(DESC_BATCH * PD_LEN);
	uint64_t data_pos = L->data_off, zero_off = 0, idx = 0, batch_start = 0;
	size_t nb = 0;
	int r = 0;

	if (!page || !descs) {
		r = -ENOMEM;
		goto out;
	}
	if (opts->dump_level & 1) {
		/* One shared zero page, written first (REFERENCE 3, rule 2). */
		memset(page, 0, L->ps);
		r = output_write(o, data_pos, page, L->ps);
		if (r < 0)
			goto out;
		zero_off = data_pos;
		data_pos += L->ps;
	}
	for (uint64_t pfn = 0; pfn < L->max_mapnr; pfn++) {
		uint64_t off = data_pos;
		uint32_t size = L->ps, flags = 0;
		const void *out = page;

		if (!(L->bitmap2[pfn >> 3] & (1u << (pfn & 7))))
			continue;
		if (write_should_stop(opts)) {
			r = -EINTR;
			goto out;
		}
		r = s3img_read_pfn(img, pfn, page, diag);
		if (r < 0)
			goto out;
		if (zero_off && page_is_zero(page, L->ps)) {
			off = zero_off;
			st->pages_zero++;
		} else {
			ssize_t n = c ? compressor_page(c, page, &out) : 0;
			if (n < 0) {
				r = (int)n;
				goto out;
			}
			if (n > 0) {
				size = (uint32_t)n;
				flags = opts->compress;
			} else {
				out = page;
			}
			r = output_write(o, data_pos, out, size);
			if (r < 0)
				goto out;
			data_pos += size;
		}
		uint8_t *d = descs + nb * PD_LEN;
		put_le64(d + PD_OFFSET, off);
		put_le32(d + PD_SIZE, size);
		put_le32(d + PD_FLAGS, flags);
		put_le64(d + PD_PAGE_FLAGS, 0);
		st->pages_written++;
		idx++;
		if (++nb == DESC_BATCH) {
			r = output_write(o, L->desc_off + batch_start * PD_LEN, descs, nb * PD_LEN);
			if (r < 0)
				goto out;
			batch_start = idx;
			nb = 0;
		}
		write_progress(opts, idx, L->ndesc);
	}
	if (nb)
		r = output_write(o, L->desc_off + batch_start * PD_LEN, descs, nb * PD_LEN);
out:
	free(page);
	free(descs);
	return r;
}

int kdump_write(struct s3img *img, struct output *o, const struct s3img_write_opts *opts,
		struct s3img_write_stats *st, struct s3img_diag *diag)
{
	struct kdump_layout L = { 0 };
	struct compressor *c = NULL;
	char uts[6][65];
	uint32_t status = opts->compress;
	int r;

	r = write_utsname(img, uts, diag);
	if (r < 0)
		return r;
	if (opts->compress) {
		r = compressor_new(opts->compress, img->info.page_size, &c);
		if (r < 0)
			return diag_err(diag, r, UINT64_MAX, "%s compression is not available in this build",
					s3img_compress_name(opts->compress));
	}
	r = kdump_plan(img, &L);
	if (r < 0)
		goto out;
	/* Headers first, marked incomplete until the last page is written. */
	r = kdump_write_headers(img, o, &L, opts, status | KDUMP_STATUS_INCOMPLETE, uts);
	if (r == 0)
		r = output_write(o, (1 + L.sub_blocks) * L.ps, L.bitmap1, L.bitmap_bytes);
	if (r == 0)
		r = output_write(o, (1 + L.sub_blocks) * L.ps + L.bitmap_bytes, L.bitmap2, L.bitmap_bytes);
	if (r == 0)
		r = kdump_write_pages(img, o, &L, opts, c, st, diag);
	st->pages_excluded = 0;
	for (uint64_t i = 0; i < L.bitmap_bytes; i++)
		st->pages_excluded += (uint64_t)__builtin_popcount(L.bitmap1[i] & ~L.bitmap2[i]);
	if (r == 0)
		r = output_flush(o);
	if (r == 0)
		r = kdump_write_headers(img, o, &L, opts, status, uts);
out:
	compressor_free(c);
	free(L.bitmap1);
	free(L.bitmap2);
	return r;
}
