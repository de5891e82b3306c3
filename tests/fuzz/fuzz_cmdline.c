/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: capture command line derivation. The input is the current
 * command line; after a NUL, an append string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rm[] = { "quiet", "a-b" };
	struct cmdline_result r;
	struct kx_diag d;
	char *s;
	const char *append = NULL;
	size_t n;

	if (size > 8192)
		return 0;
	s = malloc(size + 2);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = s[size + 1] = 0;
	n = strlen(s);
	if (n < size)
		append = s + n + 1;
	if (cmdline_derive(s, rm, 2, append, &r, &d) == 0) {
		if (strlen(r.cmdline) >= CMDLINE_MAX)
			abort();
		cmdline_result_free(&r);
	}
	free(s);
	return 0;
}
