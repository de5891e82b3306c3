/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture side: what suspend3 does as /init of the capture kernel.
 * Mount the kernel file systems, load the modules, find and mount the
 * target, write <path>/<YYYYMMDDHHMM>/{dmesg,dump}.<stamp> and a log,
 * then the final action (or the failure action). */
#ifndef SUSPEND3_KX_CAPTURE_H
#define SUSPEND3_KX_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "s3conf.h"
#include "diag.h"

struct capture_ops {
	/* Write the dump of vmcore to out (a new file). The component that
	 * produces images is the caller's: kexec-loader does not link it. */
	int (*write_dump)(void *ctx, const char *vmcore, const char *out, const struct s3conf *conf,
			  void (*progress)(void *pctx, uint64_t done, uint64_t total), void *pctx,
			  struct kx_diag *diag);
	void *ctx;
};

struct capture_opts {
	const char *vmcore;  /* "/proc/vmcore" */
	const char *config;  /* "/etc/suspend3.conf" */
	const char *into;    /* host tests: an existing directory standing for the
			      * mounted target; no mounts, modules or final action */
	bool as_init;        /* PID 1 of the capture kernel: mounts, modules, action */
};

/* Returns 0 or a negative errno (after logging the reason). As init it
 * does not return: it reboots, powers off or halts. */
int capture_run(const struct capture_opts *o, const struct capture_ops *ops);

#endif
