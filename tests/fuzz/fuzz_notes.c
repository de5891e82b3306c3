/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the ELF note walker. */
#include <stdint.h>
#include <stddef.h>

#include <suspend3/image.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3img_note n;
	size_t pos = 0;
	unsigned count = 0;
	volatile uint8_t sink = 0;

	while (count++ < 100000 && s3img_note_next(data, size, &pos, &n) > 0) {
		/* Touch the reported ranges: ASan proves they are inside. */
		if (n.namesz)
			sink ^= (uint8_t)n.name[n.namesz - 1];
		if (n.descsz)
			sink ^= ((const uint8_t *)n.desc)[n.descsz - 1];
	}
	(void)sink;
	return 0;
}
