/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared body of the image-format fuzz targets: open the input as an
 * image from memory, then exercise every read path a verb uses. */
#ifndef FUZZ_IMAGE_H
#define FUZZ_IMAGE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <suspend3/image.h>

static int fuzz_sink(void *ctx, const char *text, size_t len)
{
	(void)text;
	*(size_t *)ctx += len;
	return *(size_t *)ctx > (1u << 20) ? -1 : 0;
}

/* magic/mlen: forced at the start so each target stays on its parser. */
static void fuzz_image(const uint8_t *data, size_t size, const char *magic, size_t mlen)
{
	struct s3img *img = NULL;
	struct s3img_diag diag;
	struct s3img_page_counts c;
	uint8_t *buf;

	if (size < mlen || size > (64u << 20))
		return;
	buf = malloc(size);
	if (!buf)
		return;
	memcpy(buf, data, size);
	memcpy(buf, magic, mlen);
	struct s3img_source src = { .map = buf, .size = size, .name = "fuzz" };
	if (s3img_open_source(&src, &img, &diag) == 0) {
		const struct s3img_info *in = s3img_get_info(img);
		uint8_t *page = malloc(in->page_size);
		uint64_t n = 0;
		size_t out = 0;
		/* Bounded so a huge max_pfn in a tiny input cannot time out. */
		for (uint64_t pfn = 0; page && pfn < in->max_pfn && n < 4096; pfn++, n++)
			if (s3img_page_state(img, pfn) == S3IMG_PAGE_DUMPED)
				s3img_read_pfn(img, pfn, page, &diag);
		if (in->max_pfn < (1u << 20)) {
			uint8_t *keep = NULL;
			s3img_count_pages(img, &c);
			if (s3img_filter(img, 31, &keep, NULL, &diag) == 0)
				free(keep);
		}
		s3img_dmesg(img, fuzz_sink, &out, &diag);
		free(page);
		s3img_free(img);
	}
	free(buf);
}

#endif
