/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* makedumpfile's flattened stream, read as the file it rebuilds.
 *
 * The stream is a sequence of {offset, size, data} records (big-endian
 * header fields). We index the records once, resolve overlaps (a later
 * record wins, as `makedumpfile -R` writing them in order would), and then
 * serve reads of the rebuilt file from the index. */
#include <inttypes.h>

#include "internal.h"
#include "kdump_format.h"

#define FLAT_MAX_RECORDS (1u << 26)
#define FLAT_MAX_RECORD_SIZE (1ull << 32)

struct flat_seg {
	uint64_t voff, len, soff; /* rebuilt-file offset, length, stream offset */
};

struct flat_index {
	const struct s3img_source *src;
	struct flat_seg *segs; /* sorted by voff, disjoint */
	size_t n;
	uint64_t size;
};

struct flat_rec {
	uint64_t voff, len, soff, seq;
};

static bool flat_probe(const uint8_t *head, size_t len)
{
	return len >= 12 && memcmp(head, FLAT_SIGNATURE, 12) == 0;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct flat_rec *x = a, *y = b;
	if (x->voff != y->voff)
		return x->voff < y->voff ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int seg_push(struct flat_index *fi, size_t *cap, uint64_t voff, uint64_t len, uint64_t soff)
{
	if (len == 0)
		return 0;
	if (fi->n && fi->segs[fi->n - 1].voff + fi->segs[fi->n - 1].len == voff &&
	    fi->segs[fi->n - 1].soff + fi->segs[fi->n - 1].len == soff) {
		fi->segs[fi->n - 1].len += len;
		return 0;
	}
	if (fi->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		struct flat_seg *s = realloc(fi->segs, nc * sizeof(*s));
		if (!s)
			return -ENOMEM;
		fi->segs = s;
		*cap = nc;
	}
	fi->segs[fi->n++] = (struct flat_seg){ voff, len, soff };
	return 0;
}

/* Turn possibly overlapping records into disjoint segments, newest wins:
 * a sweep over record starts and ends. Overlaps are rare (headers are
 * rewritten at the end), so the set of active records stays tiny. */
static int flat_resolve(struct flat_index *fi, struct flat_rec *recs, size_t n)
{
	_cleanup_free_ size_t *active = NULL;
	size_t cap = 0, nact = 0, i = 0, acap = 0;
	uint64_t pos = 0;

	qsort(recs, n, sizeof(*recs), rec_cmp);
	while (i < n || nact > 0) {
		if (nact == 0 && recs[i].voff > pos)
			pos = recs[i].voff;
		for (; i < n && recs[i].voff <= pos; i++) {
			if (nact == acap) {
				size_t nc = acap ? acap * 2 : 16;
				size_t *na = realloc(active, nc * sizeof(*na));
				if (!na)
					return -ENOMEM;
				active = na;
				acap = nc;
			}
			active[nact++] = i;
		}
		size_t w = SIZE_MAX;
		for (size_t k = 0; k < nact;) {
			const struct flat_rec *r = &recs[active[k]];
			if (r->voff + r->len <= pos) {
				active[k] = active[--nact];
				continue;
			}
			if (w == SIZE_MAX || r->seq > recs[w].seq)
				w = active[k];
			k++;
		}
		if (w == SIZE_MAX)
			continue;
		uint64_t next = recs[w].voff + recs[w].len;
		if (i < n && recs[i].voff < next)
			next = recs[i].voff;
		int e = seg_push(fi, &cap, pos, next - pos, recs[w].soff + (pos - recs[w].voff));
		if (e < 0)
			return e;
		pos = next;
	}
	return 0;
}

int flat_index_build(const struct s3img_source *src, struct flat_index **ret, uint64_t *ret_size,
		     struct s3img_diag *diag)
{
	struct flat_index *fi;
	struct flat_rec *recs = NULL;
	size_t n = 0, cap = 0;
	uint64_t pos = FLAT_HEADER_SIZE, size = 0;
	uint8_t h[32];
	int r;

	r = source_read(src, h, sizeof(h), 0, diag, "flattened header");
	if (r < 0)
		return r;
	if (get_be64(h + 16) != FLAT_TYPE || get_be64(h + 24) != FLAT_VERSION)
		return diag_err(diag, -EPROTONOSUPPORT, 16,
				"flattened stream type %" PRId64 " version %" PRId64 " is not supported (1/1)",
				(int64_t)get_be64(h + 16), (int64_t)get_be64(h + 24));
	for (;;) {
		uint8_t rh[16];
		int64_t off, len;

		r = source_read(src, rh, sizeof(rh), pos, diag, "flattened record header");
		if (r < 0)
			goto fail;
		off = (int64_t)get_be64(rh);
		len = (int64_t)get_be64(rh + 8);
		if (off == -1 && len == -1)
			break;
		if (off < 0 || len <= 0 || (uint64_t)len > FLAT_MAX_RECORD_SIZE ||
		    !range_ok((uint64_t)off, (uint64_t)len, INT64_MAX) ||
		    !range_ok(pos + 16, (uint64_t)len, src->size)) {
			r = diag_bad(diag, pos, "flattened record (offset %" PRId64 ", size %" PRId64 ") is invalid or truncated",
				     off, len);
			goto fail;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			struct flat_rec *nr;
			if (nc > FLAT_MAX_RECORDS) {
				r = diag_bad(diag, pos, "more than %u flattened records", FLAT_MAX_RECORDS);
				goto fail;
			}
			nr = realloc(recs, nc * sizeof(*nr));
			if (!nr) {
				r = -ENOMEM;
				goto fail;
			}
			recs = nr;
			cap = nc;
		}
		recs[n] = (struct flat_rec){ (uint64_t)off, (uint64_t)len, pos + 16, n };
		n++;
		if ((uint64_t)(off + len) > size)
			size = (uint64_t)(off + len);
		pos += 16 + (uint64_t)len;
	}
	fi = calloc(1, sizeof(*fi));
	if (!fi) {
		r = -ENOMEM;
		goto fail;
	}
	fi->src = src;
	fi->size = size;
	r = flat_resolve(fi, recs, n);
	free(recs);
	if (r < 0) {
		flat_index_free(fi);
		return r;
	}
	*ret = fi;
	*ret_size = size;
	return 0;
fail:
	free(recs);
	return r;
}

void flat_index_free(struct flat_index *fi)
{
	if (!fi)
		return;
	free(fi->segs);
	free(fi);
}

/* pread on the rebuilt file: holes read as zeros, like a sparse file. */
int flat_index_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct flat_index *fi = ctx;
	uint8_t *out = buf;
	size_t lo = 0, hi = fi->n;

	if (!range_ok(off, len, fi->size))
		return -EBADMSG;
	while (lo < hi) { /* first segment ending after off */
		size_t mid = (lo + hi) / 2;
		if (fi->segs[mid].voff + fi->segs[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (len > 0) {
		const struct flat_seg *s = lo < fi->n ? &fi->segs[lo] : NULL;
		size_t n;
		if (!s || off < s->voff) {
			n = s ? (size_t)(s->voff - off < len ? s->voff - off : len) : len;
			memset(out, 0, n);
		} else {
			n = (size_t)(s->voff + s->len - off < len ? s->voff + s->len - off : len);
			int r = source_read(fi->src, out, n, s->soff + (off - s->voff), NULL, "flattened data");
			if (r < 0)
				return r;
			lo++;
		}
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int flat_open(struct s3img *img, struct s3img_diag *diag)
{
	uint8_t head[16];
	uint64_t size;
	int r;

	r = flat_index_build(img->src, &img->flat, &size, diag);
	if (r < 0)
		return r;
	img->flat_src = (struct s3img_source){
		.pread = flat_index_pread, .ctx = img->flat, .size = size, .name = img->src->name,
	};
	img->src = &img->flat_src;
	if (size < sizeof(head))
		return diag_bad(diag, FLAT_HEADER_SIZE, "flattened stream rebuilds a file of only %" PRIu64 " bytes", size);
	r = source_read(img->src, head, sizeof(head), 0, diag, "rebuilt header");
	if (r < 0)
		return r;
	if (kdump_ops.probe(head, sizeof(head)))
		img->inner = &kdump_ops;
	else if (elf_ops.probe(head, sizeof(head)))
		img->inner = &elf_ops;
	else
		return diag_bad(diag, FLAT_HEADER_SIZE, "flattened stream does not hold a kdump or ELF file");
	r = img->inner->open(img, diag);
	if (r < 0)
		return r;
	img->info.inner_format = img->info.format;
	img->info.format = S3IMG_FORMAT_FLAT;
	return 0;
}

static enum s3img_page_state flat_page_state(struct s3img *img, uint64_t pfn)
{
	return img->inner->page_state(img, pfn);
}

static int flat_read_pfn(struct s3img *img, uint64_t pfn, void *buf, struct s3img_diag *diag)
{
	return img->inner->read_pfn(img, pfn, buf, diag);
}

static int flat_is_shared_zero(struct s3img *img, uint64_t pfn)
{
	return img->inner->is_shared_zero ? img->inner->is_shared_zero(img, pfn) : 0;
}

static void flat_close(struct s3img *img)
{
	if (img->inner && img->inner->close)
		img->inner->close(img);
	flat_index_free(img->flat);
}

const struct fmt_ops flat_ops = {
	.name = "flat",
	.probe = flat_probe,
	.open = flat_open,
	.page_state = flat_page_state,
	.read_pfn = flat_read_pfn,
	.is_shared_zero = flat_is_shared_zero,
	.close = flat_close,
};
