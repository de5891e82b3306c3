/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: superblock probing (ext2/3/4, XFS, btrfs). Inputs shorter
 * than the probe window are read at offset 1024 too, so small seeds reach
 * the ext superblock. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fsprobe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_id id;
	uint8_t *b;

	if (fsprobe(data, size, &id) == 0) {
		fs_id_matches(&id, "LABEL=x");
		fs_id_matches(&id, "UUID=x");
	}
	if (size > FSPROBE_BYTES - 1024)
		return 0;
	b = calloc(1, 1024 + size);
	if (!b)
		return 0;
	memcpy(b + 1024, data, size);
	if (fsprobe(b, 1024 + size, &id) == 0)
		fs_id_matches(&id, "LABEL=S3DUMP");
	free(b);
	return 0;
}
