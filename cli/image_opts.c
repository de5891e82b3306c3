/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option values shared by the verbs that write images (dump, convert). */
#include <stdlib.h>
#include <string.h>

#include "image_opts.h"

int parse_format(const char *s, enum s3img_format *ret)
{
	if (strcmp(s, "kdump") == 0)
		*ret = S3IMG_FORMAT_KDUMP;
	else if (strcmp(s, "elf") == 0)
		*ret = S3IMG_FORMAT_ELF;
	else if (strcmp(s, "flat") == 0)
		*ret = S3IMG_FORMAT_FLAT;
	else
		return -1;
	return 0;
}

int parse_compress(const char *s, unsigned *ret)
{
	static const unsigned all[] = { S3IMG_COMPRESS_NONE, S3IMG_COMPRESS_ZLIB, S3IMG_COMPRESS_LZO,
					S3IMG_COMPRESS_SNAPPY, S3IMG_COMPRESS_ZSTD };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, s3img_compress_name(all[i])) == 0) {
			*ret = all[i];
			return 0;
		}
	return -1;
}

int parse_io(const char *s, enum s3img_io *ret)
{
	static const enum s3img_io all[] = { S3IMG_IO_AUTO, S3IMG_IO_URING, S3IMG_IO_AIO, S3IMG_IO_SYNC };
	if (strcmp(s, "uring") == 0) {
		*ret = S3IMG_IO_URING;
		return 0;
	}
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, s3img_io_name(all[i])) == 0) {
			*ret = all[i];
			return 0;
		}
	return -1;
}

/* "31" or a fallback list "31,15,1". */
int parse_levels(const char *s, struct dumper_opts *o)
{
	const char *p = s;

	o->nlevels = 0;
	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || v < 0 || v > 31 || (*end && *end != ',') || o->nlevels == DUMPER_MAX_LEVELS)
			return -1;
		o->levels[o->nlevels++] = (int)v;
		p = *end ? end + 1 : end;
		if (*end == ',' && !*p)
			return -1;
	}
	return o->nlevels ? 0 : -1;
}

int parse_threads(const char *s, unsigned *ret)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 1 || v > 64)
		return -1;
	*ret = (unsigned)v;
	return 0;
}
