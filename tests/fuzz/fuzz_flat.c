/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: flattened stream records and the image they rebuild. */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image(data, size, "makedumpfile", 12);
	return 0;
}
