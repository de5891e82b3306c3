/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture initramfs: suspend3 itself as /init with its shared
 * libraries and program interpreter, the configuration, and the resolved
 * kernel modules. No shell, no busybox. */
#ifndef SUSPEND3_KX_INITRAMFS_H
#define SUSPEND3_KX_INITRAMFS_H

#include <stddef.h>
#include <stdint.h>

#include "s3conf.h"
#include "cpio.h"
#include "diag.h"
#include "modules.h"

/* In the initramfs: the load order, one module path a line. */
#define INITRD_MODULE_LIST "etc/suspend3.modules"
/* The kernel release the initramfs was built for. */
#define INITRD_KVER_FILE "etc/suspend3.kver"

struct initrd_opts {
	const char *exe;          /* the program that becomes /init */
	const char *kver;
	const char *moddir;       /* where the modules came from (paths in mods start with it) */
	const struct s3conf *conf; /* resolved: target set */
	const struct modlist *mods;
	enum initrd_compress compress;
};

struct initrd_report {
	char **files;             /* every regular file in the archive */
	size_t n_files;
	size_t cpio_bytes, compressed_bytes;
};

int initrd_build(const struct initrd_opts *o, uint8_t **ret, size_t *ret_len,
		 struct initrd_report *report, struct kx_diag *diag);
void initrd_report_deinit(struct initrd_report *r);

/* Which compression the kernel with this config can unpack: zstd if
 * CONFIG_RD_ZSTD=y, else gzip. config_text may be NULL (unknown: gzip,
 * which every distribution kernel unpacks). */
enum initrd_compress initrd_compress_for_kernel(const char *config_text, size_t len);

/* Read a whole file (max bytes at most). */
int read_whole_file(const char *path, uint8_t **ret, size_t *ret_len, size_t max);

#endif
