/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture kernel's command line, derived from the running kernel's. */
#ifndef SUSPEND3_KX_CMDLINE_H
#define SUSPEND3_KX_CMDLINE_H

#include <stddef.h>

#include "diag.h"

/* Longest command line accepted (x86 COMMAND_LINE_SIZE). */
#define CMDLINE_MAX 2048

/* One edit, kept so that `load --dry-run` can say why. */
struct cmdline_edit {
	char *param;        /* the parameter as written ("crashkernel=256M") */
	const char *why;    /* static text */
	int added;          /* 1 added, 0 removed */
};

struct cmdline_result {
	char *cmdline;
	struct cmdline_edit *edits;
	size_t n_edits;
};

/* Derive from current (e.g. /proc/cmdline): drop the parameters named in
 * the default list and in remove[] (names compare with '-' == '_'; a name
 * matches "name" and "name=..."), then add the capture parameters that are
 * not already there, then append (verbatim; the user's words win).
 * -EINVAL with a reason for an unbalanced quote; -E2BIG when too long. */
int cmdline_derive(const char *current, const char *const *remove, size_t n_remove,
		   const char *append, struct cmdline_result *ret, struct kx_diag *diag);
void cmdline_result_free(struct cmdline_result *r);

#endif
