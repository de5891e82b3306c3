/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Large, long-lived work buffers backed by transparent huge pages where the
 * kernel allows it. The writer's buffers (about 8 MiB for a dump) are first
 * touched page by page; under shadow paging, as on the small VMs this runs
 * on, each first touch of a 4 KiB page cost about 17 us (17 ms for 4 MiB),
 * a 2 MiB huge page under 0.3 ms. Without THP this is plain memory. */
#include <sys/mman.h>

#include "internal.h"

#define BIGBUF_ALIGN (2u << 20)

void *bigbuf_alloc(size_t len)
{
	size_t size = ALIGN_UP(len ? len : 1, (size_t)BIGBUF_ALIGN);
	void *p;

	if (posix_memalign(&p, BIGBUF_ALIGN, size))
		return NULL;
	(void)madvise(p, size, MADV_HUGEPAGE);  /* a hint: EINVAL without THP */
	return p;
}
