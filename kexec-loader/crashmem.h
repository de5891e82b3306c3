/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The crashkernel reservation: /proc/iomem, the crashkernel= parameter and
 * what a kernel image needs inside it. Parsers take buffers, no I/O. */
#ifndef SUSPEND3_KX_CRASHMEM_H
#define SUSPEND3_KX_CRASHMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define CRASH_RANGES_MAX 4

struct crash_ranges {
	struct {
		uint64_t start, end; /* inclusive, as /proc/iomem prints them */
	} r[CRASH_RANGES_MAX];
	size_t n;
	uint64_t system_ram; /* bytes of "System RAM" (top level), for crashkernel= ranges */
	bool hidden;         /* addresses read as 0 (not root): sizes unknown */
};

/* Parse /proc/iomem text: the "Crash kernel" ranges (any nesting level)
 * and the total of top-level "System RAM". -EBADMSG with the line number
 * on a malformed line. */
int iomem_parse(const char *text, size_t len, struct crash_ranges *ret, struct kx_diag *diag);

static inline uint64_t crash_ranges_size(const struct crash_ranges *c)
{
	uint64_t s = 0;
	for (size_t i = 0; i < c->n; i++)
		s += c->r[i].end - c->r[i].start + 1;
	return s;
}

/* A size with an optional K/M/G/T suffix ("256M", "0x1000"): 0 or -EINVAL. */
int parse_size(const char *s, size_t len, uint64_t *ret);

/* The value of crashkernel= ("256M", "256M@16M", "512M-2G:64M,2G-:128M",
 * "256M,high", "64M,low") for a machine with system_ram bytes: the size it
 * asks for (0 when no range matches). -EINVAL with a reason when malformed. */
struct crashkernel_spec {
	uint64_t size, offset; /* offset 0 = anywhere */
	bool high, low;
};
int crashkernel_parse(const char *value, uint64_t system_ram, struct crashkernel_spec *ret,
		      struct kx_diag *diag);

/* The x86 boot protocol header of a bzImage: version and the memory the
 * kernel needs to decompress and run (init_size). -ENOEXEC if not a bzImage. */
struct bzimage_info {
	uint16_t protocol;
	uint32_t init_size;
	bool relocatable, xloadflags_64;
	char version[128]; /* the kernel's version string, "" if absent */
};
int bzimage_parse(const void *buf, size_t len, struct bzimage_info *ret);

#endif
