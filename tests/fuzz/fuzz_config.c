/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the configuration file, and its writer's round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3conf *c, *c2;
	struct kx_diag d;
	char *text;

	if (s3conf_parse((const char *)data, size, &c, &d) < 0)
		return 0;
	/* Whatever parses must be written so that it parses again. */
	if (s3conf_format(c, &text) == 0) {
		if (s3conf_parse(text, strlen(text), &c2, &d) < 0)
			abort();
		s3conf_free(c2);
		free(text);
	}
	s3conf_free(c);
	return 0;
}
