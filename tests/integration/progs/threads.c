/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Threads with live FPU/SSE state and thread-local data. Each worker spins
 * in a loop that keeps a value in xmm8 and checks it on every iteration
 * (so a suspend lands, most of the time, with live SSE state in user
 * mode), naps, and checks its __thread values. Any loss is reported on
 * stderr and the program exits 3. The main thread waits in pthread_join.
 * Prints "ready" once all threads run. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 3

static __thread unsigned long tls_id;
static __thread double tls_seed;

static void __attribute__((noinline)) fpu_nap(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

/* 1 if xmm8 changed under our feet during iters iterations. */
static int __attribute__((noinline)) sse_spin(double seed, long iters)
{
	int bad;

	__asm__ volatile("movsd %[seed], %%xmm8\n\t"
			 "movapd %%xmm8, %%xmm9\n\t"
			 "mulsd %%xmm9, %%xmm9\n\t"
			 "mov %[n], %%rcx\n"
			 "1:\n\t"
			 "movapd %%xmm8, %%xmm10\n\t"
			 "mulsd %%xmm10, %%xmm10\n\t"
			 "ucomisd %%xmm9, %%xmm10\n\t"
			 "jne 2f\n\t"
			 "dec %%rcx\n\t"
			 "jnz 1b\n\t"
			 "xor %[bad], %[bad]\n\t"
			 "jmp 3f\n"
			 "2:\n\t"
			 "mov $1, %[bad]\n"
			 "3:\n"
			 : [bad] "=&r"(bad)
			 : [seed] "m"(seed), [n] "r"(iters)
			 : "rcx", "xmm8", "xmm9", "xmm10", "cc");
	return bad;
}

static void *__attribute__((noinline)) fpu_worker(void *arg)
{
	unsigned long id = (unsigned long)arg;

	tls_id = id;
	tls_seed = 1.0 + (double)id / 8.0;
	for (;;) {
		if (sse_spin(tls_seed, 100000)) {
			fprintf(stderr, "thread %lu: SSE state lost\n", id);
			exit(3);
		}
		fpu_nap();
		if (tls_id != id || tls_seed != 1.0 + (double)id / 8.0) {
			fprintf(stderr, "thread %lu: thread-local data lost\n", id);
			exit(3);
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];

	for (unsigned long i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, fpu_worker, (void *)(i + 1)) != 0)
			return 1;
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	return 0;
}
