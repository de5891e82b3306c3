/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test tool, LD_PRELOADed: make reads of one file fail or slow down.
 *   S3_FAULT_PATH      the file (as /proc/self/fd/N resolves it)
 *   S3_FAULT_EIO_AT    a byte offset: a pread covering it fails with EIO
 *   S3_FAULT_DELAY_US  sleep this long before every pread of the file */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef ssize_t (*pread_fn)(int, void *, size_t, off_t);

static int is_target(int fd)
{
	const char *want = getenv("S3_FAULT_PATH");
	char link[64], path[PATH_MAX];
	ssize_t n;

	if (!want)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return strcmp(path, want) == 0;
}

static ssize_t faulty(pread_fn real, int fd, void *buf, size_t len, off_t off)
{
	if (is_target(fd)) {
		const char *at = getenv("S3_FAULT_EIO_AT"), *delay = getenv("S3_FAULT_DELAY_US");
		if (delay)
			usleep((useconds_t)strtoul(delay, NULL, 10));
		if (at) {
			long long a = strtoll(at, NULL, 10);
			if (a >= off && a < off + (long long)len) {
				errno = EIO;
				return -1;
			}
		}
	}
	return real(fd, buf, len, off);
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	static pread_fn real;
	if (!real)
		real = (pread_fn)dlsym(RTLD_NEXT, "pread");
	return faulty(real, fd, buf, len, off);
}

ssize_t pread64(int fd, void *buf, size_t len, off_t off)
{
	static pread_fn real;
	if (!real)
		real = (pread_fn)dlsym(RTLD_NEXT, "pread64");
	return faulty(real, fd, buf, len, off);
}
