/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Progress: a bar on a terminal; nothing otherwise (or with --quiet). */
#include <time.h>
#include <unistd.h>

#include "cli.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void progress_init(struct progress *p, const char *what, bool quiet)
{
	p->enabled = !quiet && isatty(STDERR_FILENO);
	p->plain = false;
	p->what = what;
	p->start_ns = p->last_ns = now_ns();
}

void progress_update(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	uint64_t t = now_ns();
	double secs, pct, eta;
	int filled;

	if (p->plain) {
		/* Not a terminal (a serial console): a line every 5 s. */
		if (t - p->last_ns < 5000000000ull || done == total)
			return;
		p->last_ns = t;
		fprintf(stderr, "%s: %.0f%% (%llu of %llu pages)\n", p->what,
			total ? 100.0 * (double)done / (double)total : 100.0,
			(unsigned long long)done, (unsigned long long)total);
		return;
	}
	if (!p->enabled || (t - p->last_ns < 200000000ull && done != total))
		return;
	p->last_ns = t;
	secs = (double)(t - p->start_ns) / 1e9;
	pct = total ? 100.0 * (double)done / (double)total : 100.0;
	eta = done && secs > 0 ? secs * (double)(total - done) / (double)done : 0;
	filled = (int)(pct / 5);
	fprintf(stderr, "\r%s [%-20.*s] %5.1f%% %8.0f pages/s ETA %4.0fs", p->what, filled,
		"####################", pct, secs > 0 ? (double)done / secs : 0.0, eta);
}

void progress_end(struct progress *p)
{
	if (p->enabled)
		fputs("\r\033[K", stderr);
}
