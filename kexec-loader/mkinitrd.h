/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Build the capture initramfs for a configuration: resolve the target,
 * the modules it needs, and write the archive. */
#ifndef SUSPEND3_KX_MKINITRD_H
#define SUSPEND3_KX_MKINITRD_H

#include <stdbool.h>
#include <stddef.h>

#include "blockdev.h"
#include "s3conf.h"
#include "cpio.h"
#include "diag.h"
#include "initramfs.h"
#include "modules.h"

#define S3_INITRD_DIR "/var/lib/suspend3"

/* Read a config file. A missing file is an error only if must_exist (an
 * explicit --config); otherwise the defaults apply. Errors name the line. */
int s3conf_load(const char *path, bool must_exist, struct s3conf **ret, struct kx_diag *diag);

/* Resolve where the dump goes: set conf->target (UUID= when the file
 * system has one), conf->fstype and conf->path (relative to the target's
 * root). dev receives the device; dev->name is "" when the configured
 * target is not present on this system (then nothing is resolved). */
int s3conf_resolve_target(struct s3conf *conf, struct blockdev *ret_dev, struct kx_diag *diag);

struct mkinitrd_opts {
	const char *config;   /* NULL: S3CONF_DEFAULT_PATH, may be missing */
	const char *kver;     /* NULL: the running kernel */
	const char *moddir;   /* NULL: /lib/modules/KVER */
	const char *output;
	int compress;         /* -1: what the kernel's config says */
	const char *exe;      /* NULL: /proc/self/exe */
};

struct mkinitrd_result {
	struct s3conf *conf;      /* resolved */
	struct blockdev dev;
	char **wanted;            /* what was asked of libkmod, and why (parallel) */
	const char **wanted_why;
	size_t n_wanted;
	struct modlist mods;
	struct initrd_report report;
	enum initrd_compress compress;
	char kver[65];
	bool target_absent;
};

int mkinitrd_run(const struct mkinitrd_opts *o, struct mkinitrd_result *ret, struct kx_diag *diag);
void mkinitrd_result_deinit(struct mkinitrd_result *r);

/* Default paths for a kernel release. */
void default_initrd_path(const char *kver, char *buf, size_t size);
void default_kernel_path(const char *kver, char *buf, size_t size);

#endif
