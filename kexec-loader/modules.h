/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel modules with libkmod: the closed, ordered set the capture
 * initramfs needs (dependencies and soft dependencies first), and loading
 * that set in the capture kernel. */
#ifndef SUSPEND3_KX_MODULES_H
#define SUSPEND3_KX_MODULES_H

#include <stddef.h>

#include "diag.h"

struct modlist {
	char **names;   /* module names, load order (dependencies first) */
	char **paths;   /* absolute paths of the .ko files */
	size_t n;
	char **builtin; /* asked for, but built into the kernel */
	size_t n_builtin;
	char **added;   /* transports added by rule, with no dependency naming them */
	size_t n_added;
};

/* Resolve names or aliases (e.g. "virtio_blk", "fs-ext4") against
 * moddir (".../lib/modules/KVER" with its depmod indexes). A name that
 * matches nothing is an error; a soft dependency that matches nothing is
 * not. The PCI transport of virtio drivers is added (modules.dep does not
 * lead there). */
int modules_resolve(const char *moddir, const char *const *wanted, size_t n_wanted,
		    struct modlist *ret, struct kx_diag *diag);
void modlist_deinit(struct modlist *m);

/* Insert the modules (absolute paths, in order) with libkmod; modules
 * already loaded or built in are fine. Stops at the first failure. */
int modules_insert(const char *moddir, char *const *paths, size_t n, struct kx_diag *diag);

#endif
