/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private anonymous memory in many shapes, for the suspend and resume of
 * memory to be checked byte for byte: usage: memmix SEED. From SEED, 16
 * areas of 1 page to 12 MiB, each in one pattern: every page data; data
 * and zero pages alternating (more pieces than one write of the dumper
 * takes); data, zero and never-touched pages at random; data with zero
 * pages at the end; sparse single pages. Some areas are then made
 * read-only, one PROT_NONE. Prints "area ADDR LEN" for each, then "ready",
 * and sleeps. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096u

static uint64_t rng;

static uint64_t next(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static void fill_page(uint8_t *p, uint64_t tag)
{
	uint64_t *w = (uint64_t *)p;

	for (size_t k = 0; k < PAGE / 8; k++)
		w[k] = (tag + k) * 0x9e3779b97f4a7c15ull;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	rng = strtoull(argv[1], NULL, 0) | 1;
	for (int a = 0; a < 16; a++) {
		/* Sizes around the dumper's 4 MiB reads and the fill's 1 MiB batches. */
		static const size_t sizes[] = { 1, 3, 255, 256, 257, 1023, 1024, 1025, 2048, 3072 };
		size_t pages = sizes[next() % (sizeof(sizes) / sizeof(sizes[0]))];
		int pattern = (int)(next() % 5);
		uint8_t *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int prot = PROT_READ | PROT_WRITE;

		if (p == MAP_FAILED)
			return 1;
		for (size_t i = 0; i < pages; i++) {
			uint64_t r = next(), tag = ((uint64_t)a << 32) | i;

			switch (pattern) {
			case 0: /* every page data */
				fill_page(p + i * PAGE, tag);
				break;
			case 1: /* data, zero, data, zero... */
				if (i % 2 == 0)
					fill_page(p + i * PAGE, tag);
				else
					p[i * PAGE] = 0;
				break;
			case 2: /* at random: data, zero, or never touched */
				if (r % 3 == 0)
					fill_page(p + i * PAGE, tag);
				else if (r % 3 == 1)
					p[i * PAGE + r % PAGE] = 0;
				break;
			case 3: /* data, then the last eighth zero */
				if (i < pages - pages / 8 - 1)
					fill_page(p + i * PAGE, tag);
				else
					p[i * PAGE] = 0;
				break;
			default: /* one page in 16, one byte */
				if (r % 16 == 0)
					p[i * PAGE + r % PAGE] = (uint8_t)(r >> 8 | 1);
				break;
			}
		}
		if (a == 5)
			prot = PROT_NONE;
		else if (next() % 3 == 0)
			prot = PROT_READ;
		if (prot != (PROT_READ | PROT_WRITE) && mprotect(p, pages * PAGE, prot))
			return 1;
		printf("area %p %zu\n", (void *)p, pages * PAGE);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
