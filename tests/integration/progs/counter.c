/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Single-threaded counter: prints 1, 2, 3... every 50 ms to stdout (a file
 * in the tests), so a resumed copy can be seen to go on from its value. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long counter;

static void __attribute__((noinline)) wait_tick(void)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

static void __attribute__((noinline)) count_forever(void)
{
	for (;;) {
		counter++;
		printf("%lu\n", counter);
		fflush(stdout);
		wait_tick();
	}
}

int main(void)
{
	count_forever();
	return 0;
}
