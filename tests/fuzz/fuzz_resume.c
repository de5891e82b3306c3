/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: what `suspend3 resume` checks of an image before it touches
 * the system (restorer_check_image), on every model the reader accepts.
 * Its corpus is the suspend image's (corpus/procimage). */
#include <stdint.h>
#include <stdlib.h>

#include <suspend3/image.h>

#include "resume.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3img_source src = { .map = data, .size = size, .name = "fuzz" };
	struct s3img_proc *h = NULL;
	struct s3img_diag diag;

	if (size > (64u << 20))
		return 0;
	if (s3img_proc_open_source(&src, &h, &diag) == 0) {
		restorer_check_image(s3img_proc_get_image(h), &diag);
		s3img_proc_free(h);
	}
	return 0;
}
