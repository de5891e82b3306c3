/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /etc/suspend3.conf: where and how the capture kernel writes the dump. */
#ifndef SUSPEND3_KX_S3CONF_H
#define SUSPEND3_KX_S3CONF_H

#include <stddef.h>
#include <suspend3/image.h>

#include "diag.h"

#define S3CONF_DEFAULT_PATH "/etc/suspend3.conf"
#define S3CONF_IN_INITRD "/etc/suspend3.conf"

enum s3conf_action {
	S3CONF_REBOOT = 0,
	S3CONF_POWEROFF,
	S3CONF_HALT,
};

struct s3conf {
	char *target;          /* "UUID=..", "LABEL=..", "/dev/..", NULL: the fs holding path */
	char *fstype;          /* NULL: probe the superblock */
	char *path;            /* dump directory (on the target, or absolute if no target) */
	int dump_level;
	unsigned compress;     /* S3IMG_COMPRESS_* */
	enum s3img_format format;
	enum s3conf_action final_action, failure_action;
	char **modules;        /* extra modules for the capture initramfs */
	size_t n_modules;
	char **cmdline_remove; /* parameter names */
	size_t n_cmdline_remove;
	char *cmdline_append;
	char *kernel, *initrd; /* NULL: the defaults for the running kernel */
	unsigned wait_seconds; /* how long the capture init waits for the target */
};

/* The defaults (no file): path /var/crash on the filesystem holding it. */
int s3conf_new_default(struct s3conf **ret);
/* Parse the text of a config file: "key = value" lines, '#' comments.
 * -EINVAL with the line number and reason on any mistake. */
int s3conf_parse(const char *text, size_t len, struct s3conf **ret, struct kx_diag *diag);
/* Serialize (for the capture initramfs): a text that s3conf_parse reads
 * back to the same settings. Caller frees. */
int s3conf_format(const struct s3conf *c, char **ret);
void s3conf_free(struct s3conf *c);

const char *s3conf_action_name(enum s3conf_action a);
const char *s3conf_format_name(enum s3img_format f);

#endif
