/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Aligned asynchronous writes: io_uring, Linux AIO (IOCB_CMD_PWRITEV), or
 * pwrite; measured on this class of machine (REFERENCE.md 9), O_DIRECT
 * writes of 1 MiB gathered buffers, 4 in flight, into a preallocated file
 * reach the disk's speed at a fraction of the CPU of buffered writes. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#if HAVE_URING
#include <liburing.h>
#endif
#if HAVE_AIO
#include <libaio.h>
#endif

#include "kdump_format.h"
#include "sink.h"

struct sink_backend {
	const char *name;
	enum s3img_io id;
	int (*init)(struct sink *s);
	int (*submit)(struct sink *s, struct sink_buf *b, int fd);
	/* Complete at least one write when wait is set; any that are done otherwise. */
	int (*reap)(struct sink *s, bool wait);
	void (*fini)(struct sink *s);
};

static int write_full(int fd, const void *data, size_t len, uint64_t off, bool seq)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t n = seq ? write(fd, p, len) : pwrite(fd, p, len, (off_t)off);
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

/* A write finished with res: short or failed writes are retried
 * synchronously so the caller sees the real errno (ENOSPC, EIO...). */
static void complete(struct sink *s, struct sink_buf *b, long res, int fd)
{
	if (res < 0 && !s->err)
		s->err = (int)res;
	else if (res >= 0 && (size_t)res < b->len && !s->err)
		s->err = write_full(fd, b->data + res, b->len - (size_t)res, b->off + (uint64_t)res, false);
	if (res > 0)
		s->bytes += (uint64_t)res < b->len ? (uint64_t)res : b->len;
	b->busy = false;
	s->inflight--;
}

/* ---- pwrite ------------------------------------------------------- */

static int sync_init(struct sink *s) { (void)s; return 0; }
static int sync_submit(struct sink *s, struct sink_buf *b, int fd)
{
	int r = write_full(fd, b->data, b->len, b->off, false);
	s->inflight++;
	b->busy = true;
	complete(s, b, r < 0 ? r : (long)b->len, fd);
	return 0;
}
static int sync_reap(struct sink *s, bool wait) { (void)s; (void)wait; return 0; }
static void sync_fini(struct sink *s) { (void)s; }

static const struct sink_backend sync_backend = {
	"sync", S3IMG_IO_SYNC, sync_init, sync_submit, sync_reap, sync_fini,
};

/* ---- io_uring ----------------------------------------------------- */
#if HAVE_URING
struct uring_state {
	struct io_uring ring;
	int fd[SINK_QD];
	struct iovec iov[SINK_QD];
};

static int uring_init(struct sink *s)
{
	struct uring_state *u = calloc(1, sizeof(*u));
	int r;

	if (!u)
		return -ENOMEM;
	r = io_uring_queue_init(SINK_QD * 2, &u->ring, 0);
	if (r < 0) {
		free(u);
		return r; /* e.g. -EPERM with kernel.io_uring_disabled */
	}
	s->be_state = u;
	return 0;
}

static int uring_submit(struct sink *s, struct sink_buf *b, int fd)
{
	struct uring_state *u = s->be_state;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	unsigned i = (unsigned)(b - s->bufs);
	int r;

	if (!sqe)
		return -EBUSY;
	u->iov[i] = (struct iovec){ b->data, b->len };
	u->fd[i] = fd;
	io_uring_prep_writev(sqe, fd, &u->iov[i], 1, b->off);
	io_uring_sqe_set_data64(sqe, i);
	b->busy = true;
	s->inflight++;
	r = io_uring_submit(&u->ring);
	if (r < 0) {
		b->busy = false;
		s->inflight--;
		return r;
	}
	return 0;
}

static int uring_reap(struct sink *s, bool wait)
{
	struct uring_state *u = s->be_state;
	struct io_uring_cqe *cqe;
	int r;

	while (s->inflight > 0) {
		r = wait ? io_uring_wait_cqe(&u->ring, &cqe) : io_uring_peek_cqe(&u->ring, &cqe);
		if (r == -EAGAIN || r == -EINTR)
			return 0;
		if (r < 0)
			return r;
		unsigned i = (unsigned)io_uring_cqe_get_data64(cqe);
		long res = cqe->res;
		io_uring_cqe_seen(&u->ring, cqe);
		if (i >= SINK_QD)
			return -EIO;
		complete(s, &s->bufs[i], res, u->fd[i]);
		wait = false;
	}
	return 0;
}

static void uring_fini(struct sink *s)
{
	struct uring_state *u = s->be_state;
	if (!u)
		return;
	io_uring_queue_exit(&u->ring);
	free(u);
}

static const struct sink_backend uring_backend = {
	"io_uring", S3IMG_IO_URING, uring_init, uring_submit, uring_reap, uring_fini,
};
#endif

/* ---- Linux AIO ---------------------------------------------------- */
#if HAVE_AIO
struct aio_state {
	io_context_t ctx;
	struct iocb cb[SINK_QD];
	struct iovec iov[SINK_QD];
	int fd[SINK_QD];
};

static int aio_init(struct sink *s)
{
	struct aio_state *a = calloc(1, sizeof(*a));
	int r;

	if (!a)
		return -ENOMEM;
	r = io_setup(SINK_QD, &a->ctx);
	if (r < 0) {
		free(a);
		return r;
	}
	s->be_state = a;
	return 0;
}

static int aio_submit(struct sink *s, struct sink_buf *b, int fd)
{
	struct aio_state *a = s->be_state;
	unsigned i = (unsigned)(b - s->bufs);
	struct iocb *cbp = &a->cb[i];
	int r;

	a->iov[i] = (struct iovec){ b->data, b->len };
	a->fd[i] = fd;
	io_prep_pwritev(cbp, fd, &a->iov[i], 1, (long long)b->off);
	cbp->data = b;
	b->busy = true;
	s->inflight++;
	do
		r = io_submit(a->ctx, 1, &cbp);
	while (r == -EINTR || r == -EAGAIN);
	if (r != 1) {
		b->busy = false;
		s->inflight--;
		return r < 0 ? r : -EIO;
	}
	return 0;
}

static int aio_reap(struct sink *s, bool wait)
{
	struct aio_state *a = s->be_state;
	struct io_event ev[SINK_QD];
	struct timespec zero = { 0, 0 };
	int n;

	if (s->inflight == 0)
		return 0;
	do
		n = io_getevents(a->ctx, wait ? 1 : 0, SINK_QD, ev, wait ? NULL : &zero);
	while (n == -EINTR);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct sink_buf *b = ev[i].data;
		unsigned k = (unsigned)(b - s->bufs);
		complete(s, b, (long)ev[i].res, a->fd[k]);
	}
	return 0;
}

static void aio_fini(struct sink *s)
{
	struct aio_state *a = s->be_state;
	if (!a)
		return;
	io_destroy(a->ctx);
	free(a);
}

static const struct sink_backend aio_backend = {
	"aio", S3IMG_IO_AIO, aio_init, aio_submit, aio_reap, aio_fini,
};
#endif

/* ---- The sink ----------------------------------------------------- */

_public_ const char *s3img_io_name(enum s3img_io io)
{
	switch (io) {
	case S3IMG_IO_AUTO: return "auto";
	case S3IMG_IO_URING: return "io_uring";
	case S3IMG_IO_AIO: return "aio";
	case S3IMG_IO_SYNC: return "sync";
	}
	return "unknown";
}

static int try_backend(struct sink *s, const struct sink_backend *be)
{
	int r = be->init(s);
	if (r == 0)
		s->be = be;
	return r;
}

int sink_open(struct sink *s, int fd, int dfd, enum s3img_io io, bool flat)
{
	int r = -EOPNOTSUPP;

	*s = (struct sink){ .fd = fd, .dfd = flat || dfd <= 0 ? -1 : dfd, .flat = flat };
	s->mem = bigbuf_alloc((size_t)SINK_QD * SINK_BUF);
	if (!s->mem)
		return -ENOMEM;
	for (unsigned i = 0; i < SINK_QD; i++)
		s->bufs[i].data = s->mem + (size_t)i * SINK_BUF;
	if (flat) {
		uint8_t h[FLAT_HEADER_SIZE] = { 0 };
		memcpy(h, FLAT_SIGNATURE, strlen(FLAT_SIGNATURE));
		put_be64(h + 16, FLAT_TYPE);
		put_be64(h + 24, FLAT_VERSION);
		s->be = &sync_backend;
		s->used = S3IMG_IO_SYNC;
		return s->err = write_full(fd, h, sizeof(h), 0, true);
	}
	switch (io) {
	case S3IMG_IO_AUTO:
#if HAVE_URING
		if ((r = try_backend(s, &uring_backend)) == 0)
			break;
#endif
#if HAVE_AIO
		if ((r = try_backend(s, &aio_backend)) == 0)
			break;
#endif
		r = try_backend(s, &sync_backend);
		break;
	case S3IMG_IO_URING:
#if HAVE_URING
		r = try_backend(s, &uring_backend);
#endif
		break;
	case S3IMG_IO_AIO:
#if HAVE_AIO
		r = try_backend(s, &aio_backend);
#endif
		break;
	case S3IMG_IO_SYNC:
		r = try_backend(s, &sync_backend);
		break;
	}
	if (r < 0) {
		sink_close(s);
		return r;
	}
	s->used = s->be->id;
	return 0;
}

void sink_close(struct sink *s)
{
	if (s->be) {
		while (s->inflight > 0 && s->be->reap(s, true) == 0)
			;
		s->be->fini(s);
		s->be = NULL;
	}
	for (unsigned i = 0; i < SINK_QD; i++)
		s->bufs[i].data = NULL;
	free(s->mem);
	s->mem = NULL;
}

int sink_drain(struct sink *s)
{
	while (s->inflight > 0) {
		int r = s->be->reap(s, true);
		if (r < 0)
			return s->err ? s->err : (s->err = r);
	}
	return s->err;
}

int sink_get(struct sink *s, struct sink_buf **ret)
{
	for (;;) {
		if (s->err)
			return s->err;
		for (unsigned i = 0; i < SINK_QD; i++)
			if (!s->bufs[i].busy) {
				/* Busy from now: owned by the caller until submitted. */
				s->bufs[i].busy = true;
				s->bufs[i].len = 0;
				*ret = &s->bufs[i];
				return 0;
			}
		int r = s->be->reap(s, true);
		if (r < 0)
			return s->err ? s->err : (s->err = r);
	}
}

static void sink_prealloc(struct sink *s, uint64_t end)
{
	if (s->prealloc_off || end <= s->prealloc_end)
		return;
	uint64_t to = ALIGN_UP(end, SINK_PREALLOC);
	/* Mode 0 extends the file: O_DIRECT writes inside i_size are truly
	 * asynchronous on ext4; the caller truncates to the real size at the
	 * end. Where it is refused (tmpfs, ENOSPC), just stop preallocating:
	 * the writes report the real problem, if any. */
	if (fallocate(s->fd, 0, (off_t)s->prealloc_end, (off_t)(to - s->prealloc_end)) < 0)
		s->prealloc_off = true;
	else
		s->prealloc_end = to;
}

int sink_submit(struct sink *s, struct sink_buf *b)
{
	int r;

	if (s->err || b->len == 0 || s->flat) {
		int r2 = s->err ? s->err : s->flat ? sink_pwrite(s, b->off, b->data, b->len) : 0;
		b->busy = false;
		return r2;
	}
	bool aligned = b->off % SINK_ALIGN == 0 && b->len % SINK_ALIGN == 0;
	sink_prealloc(s, b->off + b->len);
	r = s->be->submit(s, b, aligned && s->dfd >= 0 ? s->dfd : s->fd);
	if (r < 0 && !s->err) {
		s->err = r;
		b->busy = false;
	}
	/* Keep the ring moving without blocking. */
	if (s->be->reap(s, false) < 0 && !s->err)
		s->err = -EIO;
	return s->err;
}

int sink_pwrite(struct sink *s, uint64_t off, const void *data, size_t len)
{
	int r;

	if (s->err)
		return s->err;
	if (len == 0)
		return 0;
	if (s->flat) {
		uint8_t rh[16];
		put_be64(rh, off);
		put_be64(rh + 8, len);
		r = write_full(s->fd, rh, sizeof(rh), 0, true);
		if (r == 0)
			r = write_full(s->fd, data, len, 0, true);
	} else {
		r = write_full(s->fd, data, len, off, false);
	}
	if (r == 0)
		s->bytes += len;
	return s->err = r;
}

int sink_finish(struct sink *s)
{
	int r = sink_drain(s);

	if (r == 0 && s->flat) {
		uint8_t end[16];
		put_be64(end, UINT64_MAX);
		put_be64(end + 8, UINT64_MAX);
		r = s->err = write_full(s->fd, end, sizeof(end), 0, true);
	}
	return r;
}

/* ---- Streams ------------------------------------------------------ */

int stream_init(struct stream *st, struct sink *s, uint64_t start)
{
	*st = (struct stream){ .sink = s, .start = start, .pos = start };
	st->head_off = start;
	/* Bytes up to the next block boundary are kept back (shared block). */
	st->head_len = 0;
	return 0;
}

static size_t head_room(const struct stream *st)
{
	uint64_t boundary = ALIGN_UP(st->start, SINK_ALIGN);
	return (size_t)(boundary - st->start);
}

int stream_write(struct stream *st, const void *data, size_t len)
{
	const uint8_t *p = data;
	int r;

	/* The shared first block. */
	if (st->head_len < head_room(st)) {
		size_t n = head_room(st) - st->head_len;
		if (n > len)
			n = len;
		memcpy(st->head + st->head_len, p, n);
		st->head_len += n;
		st->pos += n;
		p += n;
		len -= n;
	}
	while (len > 0) {
		if (!st->cur) {
			r = sink_get(st->sink, &st->cur);
			if (r < 0)
				return r;
			st->cur->off = st->pos;
			st->cur->len = 0;
		}
		size_t n = SINK_BUF - st->cur->len;
		if (n > len)
			n = len;
		memcpy(st->cur->data + st->cur->len, p, n);
		st->cur->len += n;
		st->pos += n;
		p += n;
		len -= n;
		if (st->cur->len == SINK_BUF) {
			r = sink_submit(st->sink, st->cur);
			st->cur = NULL;
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int stream_finish(struct stream *st, uint64_t *ret_end)
{
	int r = 0;

	if (st->cur) {
		/* Pad the tail to a block so it can go out as O_DIRECT too; the
		 * caller truncates the file to ret_end. */
		size_t real = st->cur->len, padded = ALIGN_UP(real, SINK_ALIGN);
		memset(st->cur->data + real, 0, padded - real);
		st->cur->len = st->sink->flat ? real : padded;
		r = sink_submit(st->sink, st->cur);
		st->cur = NULL;
	}
	if (r == 0)
		r = sink_pwrite(st->sink, st->head_off, st->head, st->head_len);
	if (r == 0)
		r = sink_drain(st->sink);
	if (ret_end)
		*ret_end = st->pos;
	return r;
}
