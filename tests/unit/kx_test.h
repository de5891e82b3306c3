/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tiny assertion helpers for the kexec-loader unit tests. */
#ifndef KX_TEST_H
#define KX_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int kx_failures;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			kx_failures++;                                                  \
		}                                                                       \
	} while (0)

#define CHECK_STR(a, b)                                                                 \
	do {                                                                            \
		const char *a_ = (a), *b_ = (b);                                        \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                \
			fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__,    \
				a_ ? a_ : "(null)", b_ ? b_ : "(null)");                \
			kx_failures++;                                                  \
		}                                                                       \
	} while (0)

static inline int kx_done(const char *name)
{
	if (kx_failures) {
		fprintf(stderr, "%s: %d failures\n", name, kx_failures);
		return 1;
	}
	printf("%s: ok\n", name);
	return 0;
}

#endif
