/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Block devices on a live system (sysfs, /dev, /proc/self/mountinfo):
 * find the dump target, and the drivers it needs. */
#ifndef SUSPEND3_KX_BLOCKDEV_H
#define SUSPEND3_KX_BLOCKDEV_H

#include <stddef.h>
#include <sys/types.h>

#include "diag.h"
#include "fsprobe.h"

struct blockdev {
	char name[64];       /* kernel name: "vdb", "sda1" */
	char node[80];       /* "/dev/vdb" */
	unsigned major, minor;
	struct fs_id fs;     /* fs.type empty if none recognised */
};

/* Probe one device node. -ENOENT if there is no known file system. */
int blockdev_probe(const char *node, struct fs_id *ret);

/* Find the device that spec names ("UUID=..", "LABEL=..", "/dev/.."):
 * scans sysfs_root/class/block (sysfs_root "/sys") and dev_root ("/dev").
 * -ENODEV if none (yet). */
int blockdev_find(const char *sysfs_root, const char *dev_root, const char *spec,
		  struct blockdev *ret, struct kx_diag *diag);

/* The block device and mount point of the file system holding path, and
 * path relative to that mount point. */
int blockdev_of_path(const char *path, struct blockdev *ret_dev, char **ret_mountpoint,
		     char **ret_relpath, struct kx_diag *diag);

/* Where (if anywhere) the device major:minor is mounted, from
 * /proc/self/mountinfo; -ENOENT if not mounted. */
int blockdev_mountpoint(unsigned major, unsigned minor, char **ret);

/* Kernel modules of the drivers bound along the device's sysfs path
 * (disk, its controller, the bus transport: virtio_blk, virtio_pci, ...).
 * Built-in drivers have no module and are left out. -EOPNOTSUPP for
 * stacked devices (device-mapper, md), which are not supported yet. */
int blockdev_driver_modules(const char *sysfs_root, const struct blockdev *dev, char ***ret,
			    size_t *ret_n, struct kx_diag *diag);

void strv_free(char **v, size_t n);
int strv_add_unique(char ***v, size_t *n, const char *s);

#endif
