/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where writers put bytes: a random-access file, or a flattened stream. */
#ifndef S3IMG_OUTPUT_H
#define S3IMG_OUTPUT_H

#include "internal.h"

struct output {
	int fd;
	bool flat;        /* emit {offset, size, data} records */
	uint8_t *buf;     /* coalesces sequential writes */
	size_t len, cap;
	uint64_t bufoff;
	uint64_t bytes;   /* payload bytes written */
	int err;          /* sticky first error */
};

int output_init(struct output *o, int fd, bool flat);
void output_deinit(struct output *o);
/* Write len bytes at offset off of the (rebuilt) file. */
int output_write(struct output *o, uint64_t off, const void *data, size_t len);
int output_flush(struct output *o);
/* Flush, and for streams write the end marker. */
int output_finish(struct output *o);

#endif
