/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: ELF vmcore headers, PT_LOADs and notes. */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image(data, size, "\177ELF", 4);
	return 0;
}
