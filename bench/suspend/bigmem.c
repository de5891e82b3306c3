/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bigmem MiB: hold MiB of mixed anonymous memory, then sleep. A quarter of
 * the pages are touched but zero, a quarter random, half text-like
 * (compressible); in 64 KiB stripes so every kind spreads over the range.
 * Prints "ready" once filled. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024, len = mib << 20;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	static const char text[] = "the quick brown fox jumps over the lazy dog 0123456789\n";
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return 1;
	for (size_t off = 0; off < len; off += 65536) {
		uint8_t *p = m + off;
		switch ((off >> 16) & 3) {
		case 0: /* touched, zero */
			for (size_t i = 0; i < 65536; i += 4096)
				p[i] = 0;
			break;
		case 1: /* random */
			for (size_t i = 0; i < 65536; i += 8) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				memcpy(p + i, &x, 8);
			}
			break;
		default: /* text */
			for (size_t i = 0; i < 65536; i++)
				p[i] = (uint8_t)text[(i + off / 7) % (sizeof(text) - 1)];
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
