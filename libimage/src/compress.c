/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-page compression in the kdump-compressed format's methods. */
#include "config.h"

#include <zlib.h>
#include <zstd.h>
#if HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#if HAVE_SNAPPY
#include <snappy-c.h>
#endif

#include "internal.h"

_public_ unsigned s3img_compress_supported(void)
{
	unsigned m = S3IMG_COMPRESS_ZLIB | S3IMG_COMPRESS_ZSTD;
#if HAVE_LZO
	m |= S3IMG_COMPRESS_LZO;
#endif
#if HAVE_SNAPPY
	m |= S3IMG_COMPRESS_SNAPPY;
#endif
	return m;
}

_public_ const char *s3img_compress_name(unsigned c)
{
	switch (c) {
	case S3IMG_COMPRESS_NONE: return "none";
	case S3IMG_COMPRESS_ZLIB: return "zlib";
	case S3IMG_COMPRESS_LZO: return "lzo";
	case S3IMG_COMPRESS_SNAPPY: return "snappy";
	case S3IMG_COMPRESS_ZSTD: return "zstd";
	default: return "unknown";
	}
}

int page_decompress(unsigned method, const void *src, size_t srclen, void *dst,
		    size_t page_size)
{
	switch (method) {
	case S3IMG_COMPRESS_ZLIB: {
		uLongf out = page_size;
		if (uncompress(dst, &out, src, srclen) != Z_OK || out != page_size)
			return -EBADMSG;
		return 0;
	}
	case S3IMG_COMPRESS_ZSTD: {
		size_t out = ZSTD_decompress(dst, page_size, src, srclen);
		if (ZSTD_isError(out) || out != page_size)
			return -EBADMSG;
		return 0;
	}
#if HAVE_LZO
	case S3IMG_COMPRESS_LZO: {
		lzo_uint out = page_size;
		if (lzo_init() != LZO_E_OK)
			return -EIO;
		if (lzo1x_decompress_safe(src, srclen, dst, &out, NULL) != LZO_E_OK ||
		    out != page_size)
			return -EBADMSG;
		return 0;
	}
#endif
#if HAVE_SNAPPY
	case S3IMG_COMPRESS_SNAPPY: {
		size_t out;
		if (snappy_uncompressed_length(src, srclen, &out) != SNAPPY_OK || out != page_size)
			return -EBADMSG;
		if (snappy_uncompress(src, srclen, dst, &out) != SNAPPY_OK || out != page_size)
			return -EBADMSG;
		return 0;
	}
#endif
	default:
		if (method == S3IMG_COMPRESS_LZO || method == S3IMG_COMPRESS_SNAPPY)
			return -EOPNOTSUPP;
		return -EPROTONOSUPPORT;
	}
}

/* zstd for one page per frame. Level 1 with a window of one page loses to
 * zlib level 1 (makedumpfile -c) by about 1 % on kernel pages; a minimum
 * match of 4 (what level 2 picks for small inputs) wins that back for the
 * same CPU. The frame carries no content size: the reader knows it is one
 * page, and it saves a byte a page. No checksum, no dictionary ID (the
 * defaults, set anyway so the frame does not change if they do). */
static int zstd_page_params(ZSTD_CCtx *z, size_t page_size)
{
	static const struct { ZSTD_cParameter p; int v; } fixed[] = {
		{ ZSTD_c_strategy, ZSTD_fast },
		{ ZSTD_c_hashLog, 13 },
		{ ZSTD_c_chainLog, 12 },
		{ ZSTD_c_searchLog, 1 },
		{ ZSTD_c_minMatch, 4 },
		{ ZSTD_c_targetLength, 0 },
		{ ZSTD_c_contentSizeFlag, 0 },
		{ ZSTD_c_checksumFlag, 0 },
		{ ZSTD_c_dictIDFlag, 0 },
	};
	int wlog = 10;  /* ZSTD_WINDOWLOG_MIN */

	while ((1ul << wlog) < page_size && wlog < 17)
		wlog++;
	if (ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_windowLog, wlog)))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		if (ZSTD_isError(ZSTD_CCtx_setParameter(z, fixed[i].p, fixed[i].v)))
			return -EINVAL;
	return 0;
}

struct compressor {
	unsigned method;
	size_t page_size;
	int fill;          /* byte of the last single-byte page compressed, -1 none */
	ssize_t fill_len;  /* its result, as compressor_page() returned it */
	uint8_t *fill_out;
	ZSTD_CCtx *zstd;
	z_stream *zlib;  /* reset per page: compress2() would allocate ~256 KiB each time */
	void *work;  /* lzo work memory */
	size_t cap;
	uint8_t out[];
};

int compressor_new(unsigned method, size_t page_size, struct compressor **ret)
{
	struct compressor *c;
	size_t cap;

	switch (method) {
	case S3IMG_COMPRESS_ZLIB: cap = compressBound(page_size); break;
	case S3IMG_COMPRESS_ZSTD: cap = ZSTD_compressBound(page_size); break;
#if HAVE_LZO
	case S3IMG_COMPRESS_LZO: cap = page_size + page_size / 16 + 64 + 3; break;
#endif
#if HAVE_SNAPPY
	case S3IMG_COMPRESS_SNAPPY: cap = snappy_max_compressed_length(page_size); break;
#endif
	case S3IMG_COMPRESS_NONE: cap = 0; break;
	default: return -EOPNOTSUPP;
	}
	c = calloc(1, sizeof(*c) + cap);
	if (!c)
		return -ENOMEM;
	c->method = method;
	c->page_size = page_size;
	c->cap = cap;
	c->fill = -1;
	c->fill_out = malloc(cap ? cap : 1);
	if (!c->fill_out) {
		compressor_free(c);
		return -ENOMEM;
	}
	if (method == S3IMG_COMPRESS_ZLIB) {
		c->zlib = calloc(1, sizeof(*c->zlib));
		/* The parameters compress2(level 1) uses: same output. */
		if (!c->zlib || deflateInit(c->zlib, 1) != Z_OK) {
			free(c->zlib);
			c->zlib = NULL;
			compressor_free(c);
			return -ENOMEM;
		}
	}
	if (method == S3IMG_COMPRESS_ZSTD) {
		c->zstd = ZSTD_createCCtx();
		if (!c->zstd || zstd_page_params(c->zstd, page_size) < 0) {
			compressor_free(c);
			return -ENOMEM;
		}
	}
#if HAVE_LZO
	if (method == S3IMG_COMPRESS_LZO) {
		if (lzo_init() != LZO_E_OK) {
			compressor_free(c);
			return -EIO;
		}
		c->work = malloc(LZO1X_1_MEM_COMPRESS);
		if (!c->work) {
			compressor_free(c);
			return -ENOMEM;
		}
	}
#endif
	*ret = c;
	return 0;
}

void compressor_free(struct compressor *c)
{
	if (!c)
		return;
	ZSTD_freeCCtx(c->zstd);
	if (c->zlib) {
		deflateEnd(c->zlib);
		free(c->zlib);
	}
	free(c->work);
	free(c->fill_out);
	free(c);
}

/* The byte a page is filled with, or -1. Kernel dumps hold runs of pages
 * of one byte (0xcc between functions, 0xff bitmaps): about one kept page
 * in eight at dump level 31, each costing a full zstd call. */
static int page_fill_byte(const void *page, size_t len)
{
	const uint64_t *w = page;
	uint64_t first = w[0];

	if (first != (first & 0xff) * 0x0101010101010101ull)
		return -1;
	for (size_t i = 1; i < len / 8; i++)
		if (w[i] != first)
			return -1;
	return (int)(first & 0xff);
}

static ssize_t compress_one(struct compressor *c, const void *page, const void **ret_out)
{
	size_t n;

	switch (c->method) {
	case S3IMG_COMPRESS_NONE:
		return 0;
	case S3IMG_COMPRESS_ZLIB:
		if (deflateReset(c->zlib) != Z_OK)
			return -EIO;
		c->zlib->next_in = (Bytef *)page;
		c->zlib->avail_in = (uInt)c->page_size;
		c->zlib->next_out = c->out;
		c->zlib->avail_out = (uInt)c->cap;
		if (deflate(c->zlib, Z_FINISH) != Z_STREAM_END)
			return -EIO;
		n = c->zlib->total_out;
		break;
	case S3IMG_COMPRESS_ZSTD:
		n = ZSTD_compress2(c->zstd, c->out, c->cap, page, c->page_size);
		if (ZSTD_isError(n))
			return -EIO;
		break;
#if HAVE_LZO
	case S3IMG_COMPRESS_LZO: {
		lzo_uint out = c->cap;
		if (lzo1x_1_compress(page, c->page_size, c->out, &out, c->work) != LZO_E_OK)
			return -EIO;
		n = out;
		break;
	}
#endif
#if HAVE_SNAPPY
	case S3IMG_COMPRESS_SNAPPY: {
		size_t out = c->cap;
		if (snappy_compress(page, c->page_size, (char *)c->out, &out) != SNAPPY_OK)
			return -EIO;
		n = out;
		break;
	}
#endif
	default:
		return -EOPNOTSUPP;
	}
	if (n >= c->page_size)
		return 0;
	*ret_out = c->out;
	return (ssize_t)n;
}

/* Compressing is a pure function of the page: a repeat of the last
 * single-byte page reuses its result, so the output does not change. */
ssize_t compressor_page(struct compressor *c, const void *page, const void **ret_out)
{
	int fill = c->method == S3IMG_COMPRESS_NONE ? -1 : page_fill_byte(page, c->page_size);
	ssize_t n;

	if (fill >= 0 && fill == c->fill) {
		*ret_out = c->fill_out;
		return c->fill_len;
	}
	n = compress_one(c, page, ret_out);
	if (fill >= 0 && n >= 0) {
		if (n > 0)
			memcpy(c->fill_out, *ret_out, (size_t)n);
		c->fill = fill;
		c->fill_len = n;
	}
	return n;
}
