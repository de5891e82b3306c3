/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fsprobe.h"

static void format_uuid(const uint8_t *u, char *out)
{
	snprintf(out, 40,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

static void copy_label(char *out, size_t outsz, const uint8_t *in, size_t max)
{
	size_t n = strnlen((const char *)in, max);
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, in, n);
	out[n] = 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int fsprobe(const void *buf, size_t len, struct fs_id *ret)
{
	const uint8_t *b = buf;
	struct fs_id id = { 0 };

	/* ext2/3/4: superblock at 1024, magic 0xEF53 at +56. */
	if (len >= 1024 + 264 && b[1024 + 56] == 0x53 && b[1024 + 57] == 0xef) {
		const uint8_t *sb = b + 1024;
		uint32_t compat = le32(sb + 92), incompat = le32(sb + 96);
		/* has_journal -> ext3; extents, 64bit, flex_bg -> ext4. */
		strcpy(id.type, (incompat & (0x40 | 0x80 | 0x200)) ? "ext4" : (compat & 4) ? "ext3" : "ext2");
		format_uuid(sb + 104, id.uuid);
		copy_label(id.label, sizeof(id.label), sb + 120, 16);
		*ret = id;
		return 0;
	}
	/* XFS: "XFSB" at 0, uuid at 32, 12-byte label at 108. */
	if (len >= 120 && memcmp(b, "XFSB", 4) == 0) {
		strcpy(id.type, "xfs");
		format_uuid(b + 32, id.uuid);
		copy_label(id.label, sizeof(id.label), b + 108, 12);
		*ret = id;
		return 0;
	}
	/* btrfs: superblock at 64 KiB, "_BHRfS_M" at +64, fsid at +32, label at +299. */
	if (len >= 65536 + 299 + 256 && memcmp(b + 65536 + 64, "_BHRfS_M", 8) == 0) {
		strcpy(id.type, "btrfs");
		format_uuid(b + 65536 + 32, id.uuid);
		copy_label(id.label, sizeof(id.label), b + 65536 + 299, 256);
		*ret = id;
		return 0;
	}
	return -ENOENT;
}

int fs_id_matches(const struct fs_id *id, const char *spec)
{
	if (strncmp(spec, "UUID=", 5) == 0)
		return id->uuid[0] && strcasecmp(id->uuid, spec + 5) == 0;
	if (strncmp(spec, "LABEL=", 6) == 0)
		return id->label[0] && strcmp(id->label, spec + 6) == 0;
	return 0;
}
