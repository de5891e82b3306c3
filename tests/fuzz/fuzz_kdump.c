/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: kdump-compressed headers, bitmaps, descriptors, pages. */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image(data, size, "KDUMP   ", 8);
	return 0;
}
