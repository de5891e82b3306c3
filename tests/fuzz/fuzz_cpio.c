/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the newc reader and the initrd decompressors. */
#include <stdint.h>
#include <stdlib.h>

#include "cpio.h"

static int count(void *ctx, const struct cpio_entry *e)
{
	(void)e;
	return ++*(int *)ctx > 100000 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kx_diag d;
	uint8_t *out;
	size_t len;
	int n = 0;

	cpio_walk(data, size, count, &n, &d);
	if (initrd_decompress(data, size, &out, &len, 16u << 20) == 0) {
		n = 0;
		cpio_walk(out, len, count, &n, &d);
		free(out);
	}
	return 0;
}
