/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test tool: compare the memory of two images page by page.
 *
 * usage: s3cmp A B [--same-set] [--zero-ok]
 * Every page dumped in both must be byte-identical. --same-set: the sets of
 * dumped pages must be equal too. --zero-ok: a page dumped in A but not in
 * B is fine if it is all zero in A (dump level 1 on ELF output).
 * Prints counts; exit 0 equal, 1 different, 2 usage/open error. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <suspend3/image.h>

static int zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	struct s3img *a = NULL, *b = NULL;
	struct s3img_diag d = { 0 };
	int same_set = 0, zero_ok = 0, r;
	uint64_t both = 0, only_a = 0, only_b = 0, bad = 0;

	if (argc < 3)
		return 2;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--same-set"))
			same_set = 1;
		else if (!strcmp(argv[i], "--zero-ok"))
			zero_ok = 1;
	}
	if ((r = s3img_open(argv[1], &a, &d)) < 0 || (r = s3img_open(argv[2], &b, &d)) < 0) {
		fprintf(stderr, "s3cmp: %s\n", d.reason);
		return 2;
	}
	uint32_t ps = s3img_get_info(a)->page_size;
	uint64_t max = s3img_get_info(a)->max_pfn;
	if (s3img_get_info(b)->max_pfn > max)
		max = s3img_get_info(b)->max_pfn;
	uint8_t *pa = malloc(ps), *pb = malloc(ps);
	for (uint64_t pfn = 0; pfn < max; pfn++) {
		int da = s3img_page_state(a, pfn) == S3IMG_PAGE_DUMPED;
		int db = s3img_page_state(b, pfn) == S3IMG_PAGE_DUMPED;
		if (da && db) {
			both++;
			if (s3img_read_pfn(a, pfn, pa, &d) < 0 || s3img_read_pfn(b, pfn, pb, &d) < 0 ||
			    memcmp(pa, pb, ps)) {
				if (bad++ < 5)
					fprintf(stderr, "s3cmp: pfn %#" PRIx64 " differs or cannot be read\n", pfn);
			}
		} else if (da) {
			only_a++;
			if (zero_ok && s3img_read_pfn(a, pfn, pa, &d) == 0 && zero(pa, ps))
				continue;
			if (same_set || zero_ok) {
				if (bad++ < 5)
					fprintf(stderr, "s3cmp: pfn %#" PRIx64 " only in %s\n", pfn, argv[1]);
			}
		} else if (db) {
			only_b++;
			if (same_set && bad++ < 5)
				fprintf(stderr, "s3cmp: pfn %#" PRIx64 " only in %s\n", pfn, argv[2]);
		}
	}
	printf("both %" PRIu64 " only-a %" PRIu64 " only-b %" PRIu64 " bad %" PRIu64 "\n", both, only_a,
	       only_b, bad);
	free(pa);
	free(pb);
	s3img_free(a);
	s3img_free(b);
	return bad || both == 0 ? 1 : 0;
}
