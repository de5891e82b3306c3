/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: /proc/iomem text and crashkernel= values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crashmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crash_ranges c;
	struct crashkernel_spec k;
	struct bzimage_info z;
	struct kx_diag d;
	char *s;

	iomem_parse((const char *)data, size, &c, &d);
	bzimage_parse(data, size, &z);
	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	crashkernel_parse(s, 4ull << 30, &k, &d);
	free(s);
	return 0;
}
