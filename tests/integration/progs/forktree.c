/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A fork tree joined by pipes: the parent forks two children, the first of
 * which forks a grandchild. Messages travel down a pipe to each child, and
 * the grandchild writes into a pipe nobody reads yet, so that bytes sit
 * buffered in it. All then block. Prints "ready" when the tree is built. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void __attribute__((noinline)) child_loop(int in)
{
	char buf[64];

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n <= 0)
			pause();
	}
}

int main(void)
{
	int down1[2], down2[2], up[2], ready[2];
	pid_t a, b;
	char c;

	if (pipe(down1) || pipe(down2) || pipe(up) || pipe(ready))
		return 1;
	a = fork();
	if (a == 0) {
		pid_t g = fork();
		if (g == 0) {
			/* Grandchild: leaves bytes in the "up" pipe. */
			const char msg[] = "buffered-in-pipe";
			if (write(up[1], msg, sizeof(msg) - 1) < 0)
				_exit(1);
			if (write(ready[1], "g", 1) < 0)
				_exit(1);
			pause();
			_exit(0);
		}
		child_loop(down1[0]);
	}
	b = fork();
	if (b == 0)
		child_loop(down2[0]);
	if (write(down1[1], "to-a", 4) < 0 || write(down2[1], "to-b", 4) < 0)
		return 1;
	if (read(ready[0], &c, 1) != 1)
		return 1;
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
