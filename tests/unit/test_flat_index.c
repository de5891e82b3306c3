/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flattened streams: overlapping records resolve newest-wins; holes are
 * zeros; malformed records are rejected. */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "kdump_format.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); return 1; } } while (0)

static uint8_t stream[8192];
static size_t slen;

static void rec(int64_t off, int64_t len, char fill)
{
	put_be64(stream + slen, (uint64_t)off);
	put_be64(stream + slen + 8, (uint64_t)len);
	slen += 16;
	if (len > 0) {
		memset(stream + slen, fill, (size_t)len);
		slen += (size_t)len;
	}
}

static int build(struct flat_index **fi, uint64_t *size)
{
	/* The index keeps the source pointer: it must outlive the index. */
	static struct s3img_source src;
	src = (struct s3img_source){ .map = stream, .size = slen };
	return flat_index_build(&src, fi, size, NULL);
}

int main(void)
{
	struct flat_index *fi;
	uint64_t size;
	char out[64];

	memset(stream, 0, FLAT_HEADER_SIZE);
	memcpy(stream, FLAT_SIGNATURE, 12);
	put_be64(stream + 16, 1);
	put_be64(stream + 24, 1);
	slen = FLAT_HEADER_SIZE;
	rec(0, 10, 'a');   /* header, rewritten below */
	rec(20, 10, 'b');  /* after a hole */
	rec(30, 5, 'c');
	rec(2, 4, 'z');    /* newer, inside the first */
	rec(-1, -1, 0);
	CHECK(build(&fi, &size) == 0);
	CHECK(size == 35);
	CHECK(flat_index_pread(fi, out, 35, 0) == 0);
	CHECK(memcmp(out, "aazzzzaaaa\0\0\0\0\0\0\0\0\0\0bbbbbbbbbbccccc", 35) == 0);
	CHECK(flat_index_pread(fi, out, 2, 34) == -EBADMSG);
	flat_index_free(fi);

	/* A zero-size record, a negative offset, a record past the end. */
	slen = FLAT_HEADER_SIZE;
	rec(0, 0, 0);
	CHECK(build(&fi, &size) == -EBADMSG);
	slen = FLAT_HEADER_SIZE;
	rec(-5, 3, 'x');
	CHECK(build(&fi, &size) == -EBADMSG);
	slen = FLAT_HEADER_SIZE;
	rec(0, 3, 'x');
	slen -= 2;
	CHECK(build(&fi, &size) == -EBADMSG);
	/* Missing end marker. */
	slen = FLAT_HEADER_SIZE;
	rec(0, 3, 'x');
	CHECK(build(&fi, &size) == -EBADMSG);
	puts("test_flat_index: ok");
	return 0;
}
