/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reader for makedumpfile's kdump-compressed files, versions 1-6, split sets. */
#include <inttypes.h>

#include "internal.h"
#include "kdump_format.h"

#define KDUMP_MAX_SUBHDR_BLOCKS (1u << 16)
#define KDUMP_MAX_NOTES (64u << 20)
/* 2^48 pfns = 1 EiB of 4K pages; a bitmap that large cannot be real. */
#define KDUMP_MAX_MAPNR (1ull << 40)

static bool kdump_probe(const uint8_t *head, size_t len)
{
	return len >= KDUMP_SIG_LEN && memcmp(head, KDUMP_SIGNATURE, KDUMP_SIG_LEN) == 0;
}

static inline bool bit_test(const uint8_t *bm, uint64_t pfn)
{
	return bm[pfn >> 3] & (1u << (pfn & 7));
}

static int kdump_read_subheader(struct s3img *img, struct kdump_part *p, const uint8_t *sh,
				struct s3img_diag *diag)
{
	const struct s3img_source *src = p->src;
	uint64_t off_note, size_note;
	int r;

	img->info.phys_base = get_le64(sh + KS_PHYS_BASE);
	img->info.dump_level = (int32_t)get_le32(sh + KS_DUMP_LEVEL);
	img->info.split = (int32_t)get_le32(sh + KS_SPLIT);
	p->start_pfn = 0;
	p->end_pfn = p->max_mapnr;
	if (img->info.split) {
		if (p->header_version >= 6) {
			p->start_pfn = get_le64(sh + KS_START_PFN_64);
			p->end_pfn = get_le64(sh + KS_END_PFN_64);
		} else {
			p->start_pfn = get_le64(sh + KS_START_PFN);
			p->end_pfn = get_le64(sh + KS_END_PFN);
		}
		if (p->start_pfn > p->end_pfn || p->end_pfn > p->max_mapnr)
			return diag_bad(diag, p->block_size + KS_START_PFN,
					"split range [%#" PRIx64 ", %#" PRIx64 ") is outside max_mapnr %#" PRIx64,
					p->start_pfn, p->end_pfn, p->max_mapnr);
	}
	if (p->header_version < 4)
		return 0;
	off_note = get_le64(sh + KS_OFFSET_NOTE);
	size_note = get_le64(sh + KS_SIZE_NOTE);
	if (size_note == 0)
		return 0;
	if (size_note > KDUMP_MAX_NOTES || !range_ok(off_note, size_note, src->size))
		return diag_bad(diag, p->block_size + KS_OFFSET_NOTE,
				"note data (%#" PRIx64 " bytes at %#" PRIx64 ") is outside the file",
				size_note, off_note);
	if (img->notes)
		return 0; /* split parts: the first part's notes are used */
	img->notes = malloc(size_note);
	if (!img->notes)
		return -ENOMEM;
	r = source_read(src, img->notes, size_note, off_note, diag, "note data");
	if (r < 0)
		return r;
	img->notes_len = size_note;
	return 0;
}

/* Versions 3 (vmcoreinfo only, no notes) keep VMCOREINFO separately. */
static int kdump_read_v3_vmcoreinfo(struct s3img *img, struct kdump_part *p, const uint8_t *sh,
				    struct s3img_diag *diag)
{
	uint64_t off = get_le64(sh + KS_OFFSET_VMCOREINFO), size = get_le64(sh + KS_SIZE_VMCOREINFO);
	char *text;
	int r;

	if (size == 0 || img->vi)
		return 0;
	if (size > (1u << 20) || !range_ok(off, size, p->src->size))
		return diag_bad(diag, p->block_size + KS_OFFSET_VMCOREINFO,
				"VMCOREINFO (%#" PRIx64 " bytes at %#" PRIx64 ") is outside the file", size, off);
	text = malloc(size);
	if (!text)
		return -ENOMEM;
	r = source_read(p->src, text, size, off, diag, "VMCOREINFO");
	if (r == 0)
		r = s3img_vmcoreinfo_parse(text, size, &img->vi, diag);
	free(text);
	return r;
}

static int kdump_build_rank(struct kdump_part *p)
{
	uint64_t words = DIV_ROUND_UP(p->end_pfn, 64), total = 0;

	p->rank = malloc((words + 1) * sizeof(*p->rank));
	if (!p->rank)
		return -ENOMEM;
	for (uint64_t w = 0; w < words; w++) {
		uint64_t bits = 0, base = w * 64;
		p->rank[w] = total;
		if (base + 64 <= p->start_pfn)
			continue;
		memcpy(&bits, p->bitmap2 + w * 8, base / 8 + 8 <= p->bitmap_bytes ? 8 : p->bitmap_bytes - base / 8);
		if (base < p->start_pfn)
			bits &= ~0ull << (p->start_pfn - base);
		if (base + 64 > p->end_pfn)
			bits &= p->end_pfn - base >= 64 ? ~0ull : (1ull << (p->end_pfn - base)) - 1;
		total += (uint64_t)__builtin_popcountll(bits);
	}
	p->rank[words] = total;
	p->ndesc = total;
	return 0;
}

static int kdump_open_part(struct s3img *img, struct kdump_part *p, struct s3img_diag *diag)
{
	const struct s3img_source *src = p->src;
	uint8_t h[KH_SIZE], sh[KS_SIZE] = { 0 };
	uint64_t sub_blocks, bitmap_blocks, bm_off, need;
	int r;

	r = source_read(src, h, sizeof(h), 0, diag, "kdump main header");
	if (r < 0)
		return r;
	p->header_version = (int32_t)get_le32(h + KH_VERSION);
	if (p->header_version < 1 || p->header_version > 6)
		return diag_err(diag, -EPROTONOSUPPORT, KH_VERSION,
				"kdump header version %d is not supported (1-6)", p->header_version);
	p->block_size = get_le32(h + KH_BLOCK_SIZE);
	if (p->block_size < 4096 || p->block_size > 65536 || (p->block_size & (p->block_size - 1)))
		return diag_bad(diag, KH_BLOCK_SIZE, "block_size %u is not a power of two in 4K..64K",
				p->block_size);
	sub_blocks = get_le32(h + KH_SUB_HDR_SIZE);
	bitmap_blocks = get_le32(h + KH_BITMAP_BLOCKS);
	if (sub_blocks == 0 || sub_blocks > KDUMP_MAX_SUBHDR_BLOCKS)
		return diag_bad(diag, KH_SUB_HDR_SIZE, "sub_hdr_size %" PRIu64 " blocks is out of range",
				sub_blocks);
	r = source_read(src, sh, p->header_version >= 6 ? KS_SIZE : KS_START_PFN_64, p->block_size,
			diag, "kdump sub header");
	if (r < 0)
		return r;
	p->max_mapnr = get_le32(h + KH_MAX_MAPNR);
	if (p->header_version >= 6)
		p->max_mapnr = get_le64(sh + KS_MAX_MAPNR_64);
	if (p->max_mapnr == 0 || p->max_mapnr > KDUMP_MAX_MAPNR)
		return diag_bad(diag, p->header_version >= 6 ? p->block_size + KS_MAX_MAPNR_64 : KH_MAX_MAPNR,
				"max_mapnr %#" PRIx64 " is out of range", p->max_mapnr);
	need = DIV_ROUND_UP(DIV_ROUND_UP(p->max_mapnr, 8), p->block_size);
	if (bitmap_blocks % 2 || bitmap_blocks / 2 < need)
		return diag_bad(diag, KH_BITMAP_BLOCKS,
				"bitmap_blocks %" PRIu64 " cannot hold two bitmaps of %#" PRIx64 " pfns",
				bitmap_blocks, p->max_mapnr);
	bm_off = (1 + sub_blocks) * p->block_size;
	p->bitmap_bytes = bitmap_blocks / 2 * p->block_size;
	if (!range_ok(bm_off, 2 * p->bitmap_bytes, src->size))
		return diag_bad(diag, bm_off, "bitmaps (%" PRIu64 " blocks) extend beyond the end of the file",
				bitmap_blocks);
	r = kdump_read_subheader(img, p, sh, diag);
	if (r < 0)
		return r;
	if (p->header_version == 3)
		r = kdump_read_v3_vmcoreinfo(img, p, sh, diag);
	if (r < 0)
		return r;

	p->bitmap1 = malloc(p->bitmap_bytes);
	p->bitmap2 = malloc(p->bitmap_bytes);
	if (!p->bitmap1 || !p->bitmap2)
		return -ENOMEM;
	r = source_read(src, p->bitmap1, p->bitmap_bytes, bm_off, diag, "bitmap 1");
	if (r == 0)
		r = source_read(src, p->bitmap2, p->bitmap_bytes, bm_off + p->bitmap_bytes, diag, "bitmap 2");
	if (r < 0)
		return r;
	p->desc_off = bm_off + 2 * p->bitmap_bytes;
	r = kdump_build_rank(p);
	if (r < 0)
		return r;
	if (!range_ok(p->desc_off, p->ndesc * PD_LEN, src->size) &&
	    !(get_le32(h + KH_STATUS) & KDUMP_STATUS_INCOMPLETE))
		return diag_bad(diag, p->desc_off,
				"%" PRIu64 " page descriptors at %#" PRIx64 " extend beyond the end of the file (%" PRIu64 " bytes)",
				p->ndesc, p->desc_off, src->size);
	p->zero_desc_off = p->desc_off + p->ndesc * PD_LEN;

	/* First part fills the image info. */
	if (p == &img->parts[0]) {
		struct s3img_info *in = &img->info;
		in->format = S3IMG_FORMAT_KDUMP;
		in->inner_format = S3IMG_FORMAT_KDUMP;
		in->header_version = p->header_version;
		in->status = get_le32(h + KH_STATUS);
		in->incomplete = !!(in->status & KDUMP_STATUS_INCOMPLETE);
		in->compress_mask = in->status & KDUMP_COMPRESS_MASK;
		in->page_size = p->block_size;
		in->max_pfn = p->max_mapnr;
		in->crash_time = get_le64(h + KH_TV_SEC);
		char (*u)[65] = (char (*)[65])(h + KH_UTSNAME);
		memcpy(in->sysname, u[0], 64);
		memcpy(in->nodename, u[1], 64);
		memcpy(in->release, u[2], 64);
		memcpy(in->version, u[3], 64);
		memcpy(in->machine, u[4], 64);
		memcpy(in->domainname, u[5], 64);
		in->start_pfn = p->start_pfn;
		in->end_pfn = p->end_pfn;
	}
	return 0;
}

static int kdump_open(struct s3img *img, struct s3img_diag *diag)
{
	int r;
	uint64_t v;

	img->parts = calloc(1, sizeof(*img->parts));
	if (!img->parts)
		return -ENOMEM;
	img->nparts = 1;
	img->parts[0].src = img->src;
	r = kdump_open_part(img, &img->parts[0], diag);
	if (r < 0)
		return r;
	if (img->notes) {
		struct s3img_vmcoreinfo *v3 = img->vi;
		img->vi = NULL;
		uint32_t ps = img->info.page_size;
		r = image_parse_notes(img, diag);
		img->info.page_size = ps;
		if (r < 0) {
			s3img_vmcoreinfo_free(v3);
			return r;
		}
		if (!img->vi)
			img->vi = v3;
		else
			s3img_vmcoreinfo_free(v3);
	}
	if (img->vi && vmcoreinfo_dec(img->vi, "CRASHTIME", &v) == 0)
		img->info.crash_time = v;
	if (img->vi && vmcoreinfo_dec(img->vi, "PAGESIZE", &v) == 0 && v != img->info.page_size)
		return diag_bad(diag, KH_BLOCK_SIZE, "block_size %u differs from VMCOREINFO PAGESIZE %" PRIu64,
				img->info.page_size, v);
	return 0;
}

int kdump_join_parts(struct s3img *img, size_t n, struct s3img_diag *diag)
{
	struct kdump_part *np = realloc(img->parts, n * sizeof(*np));
	int r;

	if (!np)
		return -ENOMEM;
	img->parts = np;
	memset(np + 1, 0, (n - 1) * sizeof(*np));
	for (size_t i = 1; i < n; i++) {
		const struct s3img_source *src = image_owned_source(img, i);
		uint8_t head[KDUMP_SIG_LEN];

		np[i].src = src;
		img->nparts = i + 1;
		r = source_read(src, head, sizeof(head), 0, diag, "kdump signature");
		if (r < 0)
			return r;
		if (!kdump_probe(head, sizeof(head)))
			return diag_bad(diag, 0, "part %zu is not a kdump-compressed file", i + 1);
		r = kdump_open_part(img, &np[i], diag);
		if (r < 0)
			return r;
		if (np[i].max_mapnr != np[0].max_mapnr || np[i].block_size != np[0].block_size)
			return diag_bad(diag, KH_MAX_MAPNR, "part %zu does not belong to the same dump", i + 1);
	}
	/* The set must cover [0, max_mapnr) without overlap; parts may come in any order. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (i != j && np[i].start_pfn < np[j].end_pfn && np[j].start_pfn < np[i].end_pfn)
				return diag_bad(diag, UINT64_MAX, "split parts %zu and %zu overlap", i + 1, j + 1);
	img->info.start_pfn = 0;
	img->info.end_pfn = img->info.max_pfn;
	return 0;
}

static struct kdump_part *kdump_part_of(struct s3img *img, uint64_t pfn)
{
	for (size_t i = 0; i < img->nparts; i++)
		if (pfn >= img->parts[i].start_pfn && pfn < img->parts[i].end_pfn)
			return &img->parts[i];
	return NULL;
}

static enum s3img_page_state kdump_page_state(struct s3img *img, uint64_t pfn)
{
	struct kdump_part *p = img->nparts == 1 ? &img->parts[0] : kdump_part_of(img, pfn);

	if (!p || pfn >= p->max_mapnr)
		return S3IMG_PAGE_NOT_RAM;
	if (bit_test(p->bitmap2, pfn) && pfn >= p->start_pfn && pfn < p->end_pfn)
		return S3IMG_PAGE_DUMPED;
	return bit_test(p->bitmap1, pfn) ? S3IMG_PAGE_EXCLUDED : S3IMG_PAGE_NOT_RAM;
}

static int kdump_desc(struct s3img *img, uint64_t pfn, struct kdump_part **ret_part,
		      uint8_t d[PD_LEN], struct s3img_diag *diag)
{
	struct kdump_part *p = img->nparts == 1 ? &img->parts[0] : kdump_part_of(img, pfn);
	uint64_t idx, word, off;

	if (!p || pfn < p->start_pfn || pfn >= p->end_pfn)
		return -ENXIO;
	if (!bit_test(p->bitmap2, pfn))
		return bit_test(p->bitmap1, pfn) ? -ENODATA : -ENXIO;
	word = pfn / 64;
	idx = p->rank[word];
	uint64_t bits = get_le64(p->bitmap2 + word * 8) & ((1ull << (pfn % 64)) - 1);
	if (word * 64 < p->start_pfn)
		bits &= ~0ull << (p->start_pfn - word * 64);
	idx += (uint64_t)__builtin_popcountll(bits);
	off = p->desc_off + idx * PD_LEN;
	int r = source_read(p->src, d, PD_LEN, off, diag, "page descriptor");
	if (r < 0)
		return r;
	*ret_part = p;
	return 0;
}

static int kdump_read_pfn(struct s3img *img, uint64_t pfn, void *buf, struct s3img_diag *diag)
{
	struct kdump_part *p;
	uint8_t d[PD_LEN];
	uint64_t off, dsc;
	uint32_t size, flags, ps = img->info.page_size;
	int r = kdump_desc(img, pfn, &p, d, diag);

	if (r < 0)
		return r;
	dsc = p->desc_off + (uint64_t)0; /* for messages below */
	off = get_le64(d + PD_OFFSET);
	size = get_le32(d + PD_SIZE);
	flags = get_le32(d + PD_FLAGS);
	(void)dsc;
	if (off == 0)
		return diag_bad(diag, UINT64_MAX, "pfn %#" PRIx64 ": descriptor has offset 0 (dump incomplete)", pfn);
	if (size == 0 || size > ps || !range_ok(off, size, p->src->size))
		return diag_bad(diag, off, "pfn %#" PRIx64 ": page data (%u bytes at %#" PRIx64 ") is out of range",
				pfn, size, off);
	if ((flags & KDUMP_COMPRESS_MASK) == 0) {
		if (size != ps)
			return diag_bad(diag, off, "pfn %#" PRIx64 ": uncompressed page of %u bytes", pfn, size);
		return source_read(p->src, buf, ps, off, diag, "page data");
	}
	unsigned method = flags & KDUMP_COMPRESS_MASK;
	if (method & (method - 1))
		return diag_bad(diag, off, "pfn %#" PRIx64 ": descriptor flags %#x name several compressions", pfn, flags);
	uint8_t *tmp = malloc(size);
	if (!tmp)
		return -ENOMEM;
	r = source_read(p->src, tmp, size, off, diag, "compressed page");
	if (r == 0) {
		r = page_decompress(method, tmp, size, buf, ps);
		if (r == -EBADMSG)
			diag_bad(diag, off, "pfn %#" PRIx64 ": %s data (%u bytes) does not decompress to one page",
				 pfn, s3img_compress_name(method), size);
		else if (r == -EOPNOTSUPP)
			diag_err(diag, r, off, "pfn %#" PRIx64 ": %s decompression is not built in", pfn,
				 s3img_compress_name(method));
	}
	free(tmp);
	return r;
}

static int kdump_is_shared_zero(struct s3img *img, uint64_t pfn)
{
	struct kdump_part *p;
	uint8_t d[PD_LEN];

	if (img->info.dump_level < 0 || !(img->info.dump_level & 1))
		return 0;
	if (kdump_desc(img, pfn, &p, d, NULL) < 0)
		return 0;
	return get_le64(d + PD_OFFSET) == p->zero_desc_off;
}

static void kdump_close(struct s3img *img)
{
	for (size_t i = 0; i < img->nparts; i++) {
		free(img->parts[i].bitmap1);
		free(img->parts[i].bitmap2);
		free(img->parts[i].rank);
	}
	free(img->parts);
}

const struct fmt_ops kdump_ops = {
	.name = "kdump",
	.probe = kdump_probe,
	.open = kdump_open,
	.page_state = kdump_page_state,
	.read_pfn = kdump_read_pfn,
	.is_shared_zero = kdump_is_shared_zero,
	.close = kdump_close,
};
