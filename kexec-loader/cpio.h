/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A newc ("070701") cpio writer into memory, and the compressed forms a
 * kernel unpacks as its initramfs. Also a reader, for listing and tests. */
#ifndef SUSPEND3_KX_CPIO_H
#define SUSPEND3_KX_CPIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"

struct cpio {
	uint8_t *buf;
	size_t len, cap;
	uint32_t next_ino;
	int error; /* sticky: the first failure */
};

/* Entries: name without a leading '/', parents first (the kernel creates
 * nothing implicitly). Regular file data is copied. */
void cpio_add_dir(struct cpio *c, const char *name, mode_t perm);
void cpio_add_file(struct cpio *c, const char *name, mode_t perm, const void *data, size_t len);
void cpio_add_symlink(struct cpio *c, const char *name, const char *target);
void cpio_add_chardev(struct cpio *c, const char *name, mode_t perm, unsigned major, unsigned minor);
/* Write the trailer; returns 0 or the first error of the whole archive. */
int cpio_finish(struct cpio *c);
void cpio_deinit(struct cpio *c);

enum initrd_compress {
	INITRD_NONE = 0,
	INITRD_GZIP,
	INITRD_ZSTD,
};
const char *initrd_compress_name(enum initrd_compress c);
/* Compress a finished archive. Caller frees *ret. */
int initrd_compress(const void *in, size_t len, enum initrd_compress how, uint8_t **ret,
		    size_t *ret_len);
/* Undo initrd_compress (by magic); uncompressed input is copied. */
int initrd_decompress(const void *in, size_t len, uint8_t **ret, size_t *ret_len, size_t max);

/* Walk a newc archive: calls fn for each entry until the trailer.
 * -EBADMSG with a reason for a corrupt archive. */
struct cpio_entry {
	const char *name;
	uint32_t mode, nlink;
	const void *data;
	size_t size;
};
int cpio_walk(const void *buf, size_t len, int (*fn)(void *ctx, const struct cpio_entry *e),
	      void *ctx, struct kx_diag *diag);

#endif
