/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rawcopy PID OUT: the raw cost the suspend is compared with: read every
 * present or swapped page of the process's private anonymous and writable
 * memory (pagemap, process_vm_readv in 4 MiB pieces) and write those bytes
 * to OUT with 4 MiB O_DIRECT pwrites, then fsync. No zero check, no
 * metadata, no freeze: the floor for "read that memory, write that many
 * bytes". Prints bytes and seconds. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (4u << 20)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char path[64], line[512];
	uint64_t total = 0;
	uint8_t *buf;
	FILE *maps;
	int pm, out;
	pid_t pid;
	double t0;

	if (argc != 3)
		return 2;
	pid = atoi(argv[1]);
	if (posix_memalign((void **)&buf, 4096, CHUNK))
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pm = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "r");
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	if (pm < 0 || !maps || out < 0)
		return 1;
	t0 = now();
	while (fgets(line, sizeof(line), maps)) {
		unsigned long long s, e;
		char perms[8];
		if (sscanf(line, "%llx-%llx %7s", &s, &e, perms) != 3 || perms[0] != 'r' || perms[1] != 'w' ||
		    perms[3] != 'p')
			continue;
		for (uint64_t a = s; a < e; a += 65536ull * 4096) {
			static uint64_t pmv[65536];
			uint64_t np = (e - a) / 4096 < 65536 ? (e - a) / 4096 : 65536, run = 0, i;

			if (pread(pm, pmv, np * 8, (off_t)(a / 4096 * 8)) != (ssize_t)(np * 8))
				return 1;
			for (i = 0; i <= np; i++) {
				/* Copy a run of present pages at its end, or at CHUNK. */
				if (i < np && (pmv[i] >> 62) && run < CHUNK) {
					run += 4096;
					continue;
				}
				if (run) {
					uint64_t at = a + i * 4096 - run;
					struct iovec l = { buf, run }, r = { (void *)(uintptr_t)at, run };
					if (process_vm_readv(pid, &l, 1, &r, 1, 0) != (ssize_t)run ||
					    pwrite(out, buf, run, (off_t)total) != (ssize_t)run)
						return 1;
					total += run;
					run = 0;
					if (i < np && (pmv[i] >> 62))
						run = 4096;
				}
			}
		}
	}
	fsync(out);
	printf("%llu %.3f\n", (unsigned long long)total, now() - t0);
	return 0;
}
