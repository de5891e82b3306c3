/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared and private file mappings, and shared anonymous memory shared with
 * a child: usage: mappings FILE. FILE is created with 4 pages of 'F'; page 1
 * is written through a MAP_SHARED mapping (the file changes), page 2 through
 * a MAP_PRIVATE one (a private copy); a MAP_SHARED|MAP_ANONYMOUS page is
 * written by the parent and seen by the child. A 40 MiB private anonymous
 * area (more than the restorer fills on one thread) holds a pattern in
 * most pages, every 7th never touched, every 11th touched but zero, and is
 * then made read-only; one page with data is made PROT_NONE. Prints
 * "big ADDR", "hidden ADDR", then "ready". */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char page[4096];
	char *shared, *priv, *anon, *heap, *big, *hidden;
	const size_t big_pages = 40 * 256;
	int fd;

	if (argc != 2)
		return 2;
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	memset(page, 'F', sizeof(page));
	for (int i = 0; i < 4; i++)
		if (write(fd, page, sizeof(page)) != sizeof(page))
			return 1;
	shared = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	priv = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	anon = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	heap = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	big = mmap(NULL, big_pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hidden = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED || priv == MAP_FAILED || anon == MAP_FAILED || heap == MAP_FAILED ||
	    big == MAP_FAILED || hidden == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < big_pages; i++) {
		uint64_t *w = (uint64_t *)(big + i * 4096);

		if (i % 7 == 0)
			continue;
		for (size_t k = 0; k < 512; k++)
			w[k] = i % 11 == 0 ? 0 : (i * 512 + k) * 0x9e3779b97f4a7c15ull;
	}
	strcpy(hidden, "hidden-behind-prot-none");
	if (mprotect(big, big_pages * 4096, PROT_READ) || mprotect(hidden, 4096, PROT_NONE))
		return 1;
	printf("big %p\nhidden %p\n", (void *)big, (void *)hidden);
	memset(shared + 4096, 'S', 4096);
	memset(priv + 2 * 4096, 'P', 4096);
	strcpy(anon, "shared-anon-from-parent");
	for (int i = 0; i < 64; i += 2)
		heap[i * 4096] = (char)i; /* half of the pages touched, one still zero */
	heap[0] = 0;
	if (fork() == 0) {
		for (;;)
			pause();
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
