/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Recognise a file system from its superblock: type, UUID, label
 * (ext2/3/4, XFS, btrfs). The capture kernel has no udev and no blkid:
 * this is how it finds the target named by UUID= or LABEL=. */
#ifndef SUSPEND3_KX_FSPROBE_H
#define SUSPEND3_KX_FSPROBE_H

#include <stddef.h>

/* Bytes from the start of a device that fsprobe() wants to see. */
#define FSPROBE_BYTES (68u * 1024)

struct fs_id {
	char type[16];  /* "ext4", "xfs", "btrfs" */
	char uuid[40];  /* canonical 8-4-4-4-12 lowercase */
	char label[256];
};

/* 0 and *ret filled, or -ENOENT if no known file system is there. buf holds
 * the first len bytes of the device (short reads are fine). */
int fsprobe(const void *buf, size_t len, struct fs_id *ret);

/* Does spec ("UUID=...", "LABEL=...") name this file system? */
int fs_id_matches(const struct fs_id *id, const char *spec);

#endif
