/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz s3img_printk_dump. The input is VMCOREINFO text up to the first NUL
 * byte; the bytes after it are kernel memory at FUZZ_MEM_BASE (the x86_64
 * direct map), which SYMBOL() values and pointers in that memory address.
 * Nothing else is readable. Seeds: tests/fuzz/gen_printk_seeds.py.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suspend3/image.h"

#define FUZZ_MEM_BASE UINT64_C(0xffff888000000000)

struct fuzz_mem {
	const uint8_t *data;
	size_t size;
};

static int fuzz_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct fuzz_mem *m = ctx;
	uint64_t off = addr - FUZZ_MEM_BASE;

	if (addr < FUZZ_MEM_BASE || off > m->size || len > m->size - off)
		return -ENXIO;
	memcpy(buf, m->data + off, len);
	return 0;
}

static int fuzz_emit(void *ctx, const char *text, size_t len)
{
	size_t *total = ctx;

	/* Touch the text so ASan checks it is valid. */
	if (len > 0 && (text[0] == 0x7f || text[len - 1] == 0x7f))
		*total += 1;
	*total += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t vlen = nul ? (size_t)(nul - data) : size;
	struct fuzz_mem mem = { nul ? nul + 1 : data + size, nul ? size - vlen - 1 : 0 };
	struct s3img_kread rd = { fuzz_read, &mem };
	struct s3img_vmcoreinfo *vi;
	struct s3img_diag diag = { 0 };
	size_t total = 0;
	int r;

	if (s3img_vmcoreinfo_parse((const char *)data, vlen, &vi, &diag) < 0)
		return 0;
	memset(&diag, 0, sizeof(diag));
	r = s3img_printk_dump(vi, &rd, fuzz_emit, &total, &diag);
	/* Every failure but out-of-memory says why. */
	if (r < 0 && r != -ENOMEM && diag.reason[0] == '\0')
		abort();
	s3img_vmcoreinfo_free(vi);
	return 0;
}
