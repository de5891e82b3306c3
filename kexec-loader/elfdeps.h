/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a dynamically linked ELF program needs at run time: its program
 * interpreter, DT_NEEDED libraries and DT_RUNPATH/DT_RPATH. */
#ifndef SUSPEND3_KX_ELFDEPS_H
#define SUSPEND3_KX_ELFDEPS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define ELFDEPS_NEEDED_MAX 64

struct elfdeps {
	char *interp;  /* PT_INTERP, NULL if static */
	char *needed[ELFDEPS_NEEDED_MAX];
	size_t n_needed;
	char *runpath; /* DT_RUNPATH, or DT_RPATH when there is no RUNPATH; NULL if none */
	bool dynamic;  /* has PT_DYNAMIC */
};

/* Parse a 64-bit little-endian ELF file in memory. -ENOEXEC if not ELF64;
 * -EBADMSG with a reason when a header, segment or string is out of bounds. */
int elfdeps_parse(const void *buf, size_t len, struct elfdeps *ret, struct kx_diag *diag);
void elfdeps_deinit(struct elfdeps *d);

#endif
