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
	/* All of it resident now, in huge pages where THP gives them: the
	 * faults are paid once, and the peak RSS is the same whether a run
	 * touches a part of the buffers or all (with THP, a touched byte
	 * would otherwise bring in 2 MiB, depending on what THP could get). */
	(void)madvise(p, size, 23 /* MADV_POPULATE_WRITE, Linux 5.14 */);
	return p;
}
