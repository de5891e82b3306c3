/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kexec-loader's diagnostic: where (a line, when the input has lines)
 * and why. Library code fills it and never logs; the CLI prints it. */
#ifndef SUSPEND3_KX_DIAG_H
#define SUSPEND3_KX_DIAG_H

#include <stdarg.h>

struct kx_diag {
	unsigned line; /* 1-based line of the input, 0 if not applicable */
	char reason[256];
};

/* Fill diag (may be NULL) and return err (a negative errno). */
int kx_diag_set(struct kx_diag *diag, int err, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
