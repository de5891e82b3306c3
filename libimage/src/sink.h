/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The write end of the pipeline: aligned buffers submitted as asynchronous
 * writes (io_uring, Linux AIO, or pwrite), O_DIRECT where the file allows
 * it, the file preallocated ahead of the writes; or, for a stream, the
 * flattened format's records. */
#ifndef S3IMG_SINK_H
#define S3IMG_SINK_H

#include "internal.h"

#define SINK_ALIGN 4096
#define SINK_BUF (1u << 20)   /* one write request */
#define SINK_QD 4             /* requests in flight */
#define SINK_PREALLOC (64ull << 20)

struct sink_backend;

struct sink_buf {
	uint8_t *data;
	bool busy;
	uint64_t off;
	size_t len;
};

struct sink {
	int fd;           /* buffered (and the only fd for streams) */
	int dfd;          /* O_DIRECT fd, or -1 */
	bool flat;
	const struct sink_backend *be;
	void *be_state;
	struct sink_buf bufs[SINK_QD];
	uint8_t *mem;     /* the buffers' memory, SINK_QD * SINK_BUF */
	unsigned inflight;
	uint64_t prealloc_end;
	bool prealloc_off;
	uint64_t bytes;   /* payload bytes written */
	int err;          /* sticky first error */
	enum s3img_io used;
};

int sink_open(struct sink *s, int fd, int dfd, enum s3img_io io, bool flat);
/* Finish in-flight writes; for streams write the end marker. */
int sink_finish(struct sink *s);
void sink_close(struct sink *s);
/* A free aligned buffer of SINK_BUF bytes (waits for one). */
int sink_get(struct sink *s, struct sink_buf **ret);
/* Write buf->len bytes of buf at buf->off. Aligned offset and length go
 * out asynchronously (through O_DIRECT where available); the buffer is
 * busy until done. Anything else is written at once. */
int sink_submit(struct sink *s, struct sink_buf *buf);
/* A synchronous write of any size at any offset (headers, edges). */
int sink_pwrite(struct sink *s, uint64_t off, const void *data, size_t len);
/* Wait until nothing is in flight. */
int sink_drain(struct sink *s);

/* A sequential byte stream at [start, ...) written in aligned buffers.
 * The block holding `start` is shared with whatever precedes the stream,
 * so its bytes are kept back and written by stream_finish() with a
 * synchronous write. */
struct stream {
	struct sink *sink;
	uint64_t start, pos;           /* file offsets */
	struct sink_buf *cur;
	uint8_t head[SINK_ALIGN];      /* bytes of the first, shared block */
	size_t head_len;
	uint64_t head_off;
};

int stream_init(struct stream *st, struct sink *s, uint64_t start);
int stream_write(struct stream *st, const void *data, size_t len);
/* Flush everything; the file's real end is returned (for ftruncate). */
int stream_finish(struct stream *st, uint64_t *ret_end);

#endif
