/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared and private file mappings, and shared anonymous memory shared with
 * a child: usage: mappings FILE. FILE is created with 4 pages of 'F'; page 1
 * is written through a MAP_SHARED mapping (the file changes), page 2 through
 * a MAP_PRIVATE one (a private copy); a MAP_SHARED|MAP_ANONYMOUS page is
 * written by the parent and seen by the child. Prints "ready". */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char page[4096];
	char *shared, *priv, *anon, *heap;
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
	if (shared == MAP_FAILED || priv == MAP_FAILED || anon == MAP_FAILED || heap == MAP_FAILED)
		return 1;
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
