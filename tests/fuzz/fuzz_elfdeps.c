/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: ELF program interpreter, DT_NEEDED and DT_RUNPATH. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elfdeps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfdeps e;
	struct kx_diag d;

	if (elfdeps_parse(data, size, &e, &d) == 0)
		elfdeps_deinit(&e);
	return 0;
}
