/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "diag.h"

int kx_diag_set(struct kx_diag *diag, int err, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (!diag)
		return err;
	diag->line = line;
	va_start(ap, fmt);
	vsnprintf(diag->reason, sizeof(diag->reason), fmt, ap);
	va_end(ap);
	return err;
}
