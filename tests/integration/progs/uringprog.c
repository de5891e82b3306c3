/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Holds an io_uring instance and sleeps: suspend must refuse it. Exits 77
 * if io_uring is not available (disabled by sysctl, or not built). */
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct io_uring_params p;
	long fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0)
		return 77;
	printf("ready %ld\n", fd);
	fflush(stdout);
	for (;;)
		pause();
}
