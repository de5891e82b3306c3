/* SPDX-License-Identifier: GPL-2.0-or-later */
/* newc cpio: 110-byte ASCII header, name, data, each padded to 4 bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "cpio.h"

#define NEWC_HDR 110

static int reserve(struct cpio *c, size_t more)
{
	size_t cap;
	uint8_t *b;

	if (c->error)
		return c->error;
	if (c->len + more <= c->cap)
		return 0;
	cap = c->cap ? c->cap : 1 << 20;
	while (cap < c->len + more)
		cap *= 2;
	b = realloc(c->buf, cap);
	if (!b)
		return c->error = -ENOMEM;
	c->buf = b;
	c->cap = cap;
	return 0;
}

static void pad4(struct cpio *c)
{
	while (c->len & 3)
		c->buf[c->len++] = 0;
}

static void add_entry(struct cpio *c, const char *name, uint32_t mode, unsigned rmaj, unsigned rmin,
		      const void *data, size_t len)
{
	size_t nlen = strlen(name) + 1;
	char hdr[NEWC_HDR + 1];

	if (c->error)
		return;
	if (len > UINT32_MAX || nlen > 4096) {
		c->error = -EFBIG;
		return;
	}
	if (reserve(c, NEWC_HDR + nlen + 3 + len + 3) < 0)
		return;
	/* ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
	 * rdevmajor, rdevminor, namesize, check. mtime 0: reproducible. */
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08zX%08X",
		 ++c->next_ino, mode, 0u, 0u, (mode & S_IFMT) == S_IFDIR ? 2u : 1u, 0u, (uint32_t)len,
		 0u, 0u, rmaj, rmin, nlen, 0u);
	memcpy(c->buf + c->len, hdr, NEWC_HDR);
	c->len += NEWC_HDR;
	memcpy(c->buf + c->len, name, nlen);
	c->len += nlen;
	pad4(c);
	if (len) {
		memcpy(c->buf + c->len, data, len);
		c->len += len;
		pad4(c);
	}
}

void cpio_add_dir(struct cpio *c, const char *name, mode_t perm)
{
	add_entry(c, name, S_IFDIR | (perm & 07777), 0, 0, NULL, 0);
}

void cpio_add_file(struct cpio *c, const char *name, mode_t perm, const void *data, size_t len)
{
	add_entry(c, name, S_IFREG | (perm & 07777), 0, 0, data, len);
}

void cpio_add_symlink(struct cpio *c, const char *name, const char *target)
{
	add_entry(c, name, S_IFLNK | 0777, 0, 0, target, strlen(target));
}

void cpio_add_chardev(struct cpio *c, const char *name, mode_t perm, unsigned major, unsigned minor)
{
	add_entry(c, name, S_IFCHR | (perm & 07777), major, minor, NULL, 0);
}

int cpio_finish(struct cpio *c)
{
	add_entry(c, "TRAILER!!!", 0, 0, 0, NULL, 0);
	if (!c->error && reserve(c, 512) == 0)
		while (c->len & 511) /* pad like cpio(1) does */
			c->buf[c->len++] = 0;
	return c->error;
}

void cpio_deinit(struct cpio *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

const char *initrd_compress_name(enum initrd_compress c)
{
	return c == INITRD_GZIP ? "gzip" : c == INITRD_ZSTD ? "zstd" : "none";
}

static int gzip_buf(const void *in, size_t len, uint8_t **ret, size_t *ret_len)
{
	z_stream z = { 0 };
	size_t cap = compressBound((uLong)len) + 64;
	uint8_t *out = malloc(cap);
	int r;

	if (!out)
		return -ENOMEM;
	/* 16 + 15: a gzip wrapper, which is what the kernel's gunzip expects. */
	if (deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	r = deflate(&z, Z_FINISH);
	*ret_len = z.total_out;
	deflateEnd(&z);
	if (r != Z_STREAM_END) {
		free(out);
		return -EIO;
	}
	*ret = out;
	return 0;
}

static int zstd_buf(const void *in, size_t len, uint8_t **ret, size_t *ret_len)
{
	size_t cap = ZSTD_compressBound(len), n;
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	uint8_t *out = malloc(cap);

	if (!out || !cc) {
		free(out);
		ZSTD_freeCCtx(cc);
		return -ENOMEM;
	}
	/* Level 12: within 12 % of level 19's size at a seventh of its time
	 * (mkinitrd may run at every boot). A 1 MiB window: the kernel's
	 * decompressor allocates a work area the window's size from the
	 * capture kernel's little memory (an 8 MiB window costs 1.7 % in
	 * size and needed a 16 MiB larger crashkernel= in QEMU). */
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 12);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, 20);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	n = ZSTD_compress2(cc, out, cap, in, len);
	ZSTD_freeCCtx(cc);
	if (ZSTD_isError(n)) {
		free(out);
		return -EIO;
	}
	*ret = out;
	*ret_len = n;
	return 0;
}

int initrd_compress(const void *in, size_t len, enum initrd_compress how, uint8_t **ret,
		    size_t *ret_len)
{
	uint8_t *out;

	switch (how) {
	case INITRD_GZIP:
		return gzip_buf(in, len, ret, ret_len);
	case INITRD_ZSTD:
		return zstd_buf(in, len, ret, ret_len);
	case INITRD_NONE:
		break;
	}
	out = malloc(len ? len : 1);
	if (!out)
		return -ENOMEM;
	memcpy(out, in, len);
	*ret = out;
	*ret_len = len;
	return 0;
}

int initrd_decompress(const void *in, size_t len, uint8_t **ret, size_t *ret_len, size_t max)
{
	const uint8_t *b = in;
	uint8_t *out = NULL;
	size_t cap = 0, used = 0;
	int r = 0;

	if (len >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
		ZSTD_DStream *d = ZSTD_createDStream();
		ZSTD_inBuffer zi = { in, len, 0 };
		size_t zr = 1;
		if (!d)
			return -ENOMEM;
		while (zi.pos < zi.size && zr != 0) {
			if (used == cap) {
				uint8_t *n;
				if (cap >= max) { r = -EFBIG; break; }
				cap = cap ? cap * 2 : 1 << 20;
				n = realloc(out, cap);
				if (!n) { r = -ENOMEM; break; }
				out = n;
			}
			ZSTD_outBuffer zo = { out, cap, used };
			zr = ZSTD_decompressStream(d, &zo, &zi);
			used = zo.pos;
			if (ZSTD_isError(zr)) { r = -EBADMSG; break; }
			if (used > max) { r = -EFBIG; break; }
		}
		ZSTD_freeDStream(d);
		if (r == 0 && zr != 0)
			r = -EBADMSG; /* the input ended inside a frame */
	} else if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
		z_stream z = { 0 };
		int zr = Z_OK;
		if (inflateInit2(&z, 16 + 15) != Z_OK)
			return -ENOMEM;
		z.next_in = (Bytef *)in;
		z.avail_in = (uInt)len;
		while (zr != Z_STREAM_END) {
			if (used == cap) {
				uint8_t *n;
				if (cap >= max) { r = -EFBIG; break; }
				cap = cap ? cap * 2 : 1 << 20;
				n = realloc(out, cap);
				if (!n) { r = -ENOMEM; break; }
				out = n;
			}
			z.next_out = out + used;
			z.avail_out = (uInt)(cap - used);
			zr = inflate(&z, Z_NO_FLUSH);
			used = cap - z.avail_out;
			if (zr != Z_OK && zr != Z_STREAM_END) { r = -EBADMSG; break; }
			if (used > max) { r = -EFBIG; break; }
		}
		inflateEnd(&z);
	} else {
		if (len > max)
			return -EFBIG;
		out = malloc(len ? len : 1);
		if (!out)
			return -ENOMEM;
		memcpy(out, in, len);
		used = len;
	}
	if (r < 0) {
		free(out);
		return r;
	}
	*ret = out;
	*ret_len = used;
	return 0;
}

static int hex8(const char *p, uint32_t *ret)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		char ch = p[i];
		int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 :
			ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
		if (d < 0)
			return -EBADMSG;
		v = v << 4 | (uint32_t)d;
	}
	*ret = v;
	return 0;
}

int cpio_walk(const void *buf, size_t len, int (*fn)(void *ctx, const struct cpio_entry *e),
	      void *ctx, struct kx_diag *diag)
{
	const char *b = buf;
	size_t off = 0;

	for (;;) {
		uint32_t f[13];
		struct cpio_entry e;
		size_t name_off, data_off;
		int r;

		if (len - off < NEWC_HDR)
			return kx_diag_set(diag, -EBADMSG, 0, "offset %zu: truncated header", off);
		if (memcmp(b + off, "070701", 6) != 0 && memcmp(b + off, "070702", 6) != 0)
			return kx_diag_set(diag, -EBADMSG, 0, "offset %zu: not a newc header", off);
		for (int i = 0; i < 13; i++)
			if (hex8(b + off + 6 + 8 * i, &f[i]) < 0)
				return kx_diag_set(diag, -EBADMSG, 0, "offset %zu: bad hex field", off);
		name_off = off + NEWC_HDR;
		if (f[11] == 0 || f[11] > 4096 || f[11] > len - name_off || b[name_off + f[11] - 1] != 0)
			return kx_diag_set(diag, -EBADMSG, 0, "offset %zu: bad name size", off);
		data_off = (name_off + f[11] + 3) & ~(size_t)3;
		if (data_off > len || f[6] > len - data_off)
			return kx_diag_set(diag, -EBADMSG, 0, "offset %zu: data past the end", off);
		e.name = b + name_off;
		if (strcmp(e.name, "TRAILER!!!") == 0)
			return 0;
		e.mode = f[1];
		e.nlink = f[4];
		e.data = b + data_off;
		e.size = f[6];
		r = fn(ctx, &e);
		if (r < 0)
			return r;
		off = (data_off + f[6] + 3) & ~(size_t)3;
		if (off > len)
			return kx_diag_set(diag, -EBADMSG, 0, "truncated after '%s'", e.name);
	}
}
