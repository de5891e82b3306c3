/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Buffered positional output, for files and for the flattened stream. */
#include "output.h"
#include "kdump_format.h"

#define OUTPUT_BUF (1u << 20)

static int write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int pwrite_all(int fd, const void *data, size_t len, uint64_t off)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int output_init(struct output *o, int fd, bool flat)
{
	*o = (struct output){ .fd = fd, .flat = flat, .cap = OUTPUT_BUF };
	o->buf = malloc(o->cap);
	if (!o->buf)
		return -ENOMEM;
	if (flat) {
		uint8_t h[FLAT_HEADER_SIZE] = { 0 };
		memcpy(h, FLAT_SIGNATURE, strlen(FLAT_SIGNATURE));
		put_be64(h + 16, FLAT_TYPE);
		put_be64(h + 24, FLAT_VERSION);
		return o->err = write_all(fd, h, sizeof(h));
	}
	return 0;
}

void output_deinit(struct output *o)
{
	free(o->buf);
	o->buf = NULL;
}

static int emit(struct output *o, uint64_t off, const void *data, size_t len)
{
	int r;

	if (len == 0)
		return 0;
	if (o->flat) {
		uint8_t rh[16];
		put_be64(rh, off);
		put_be64(rh + 8, len);
		r = write_all(o->fd, rh, sizeof(rh));
		if (r == 0)
			r = write_all(o->fd, data, len);
	} else {
		r = pwrite_all(o->fd, data, len, off);
	}
	if (r == 0)
		o->bytes += len;
	return r;
}

int output_flush(struct output *o)
{
	int r;

	if (o->err)
		return o->err;
	r = emit(o, o->bufoff, o->buf, o->len);
	o->len = 0;
	return o->err = r;
}

int output_write(struct output *o, uint64_t off, const void *data, size_t len)
{
	int r;

	if (o->err)
		return o->err;
	if (o->len && off != o->bufoff + o->len) {
		r = output_flush(o);
		if (r < 0)
			return r;
	}
	if (len >= o->cap) {
		r = output_flush(o);
		if (r == 0)
			r = emit(o, off, data, len);
		return o->err = r;
	}
	if (o->len + len > o->cap) {
		r = output_flush(o);
		if (r < 0)
			return r;
	}
	if (o->len == 0)
		o->bufoff = off;
	memcpy(o->buf + o->len, data, len);
	o->len += len;
	return 0;
}

int output_finish(struct output *o)
{
	int r = output_flush(o);

	if (r == 0 && o->flat) {
		uint8_t end[16];
		put_be64(end, UINT64_MAX);
		put_be64(end + 8, UINT64_MAX);
		r = o->err = write_all(o->fd, end, sizeof(end));
	}
	return r;
}
