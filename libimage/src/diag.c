/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Diagnostics for corrupt input and bounds-checked source reads. */
#include <inttypes.h>
#include <stdio.h>

#include "internal.h"

static void diag_vset(struct s3img_diag *diag, uint64_t offset, const char *fmt, va_list ap)
{
	if (!diag)
		return;
	diag->offset = offset;
	vsnprintf(diag->reason, sizeof(diag->reason), fmt, ap);
}

int diag_bad(struct s3img_diag *diag, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vset(diag, offset, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

int diag_err(struct s3img_diag *diag, int err, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vset(diag, offset, fmt, ap);
	va_end(ap);
	return err;
}

int source_read(const struct s3img_source *src, void *buf, size_t len, uint64_t off,
		struct s3img_diag *diag, const char *what)
{
	int r;

	if (!range_ok(off, len, src->size))
		return diag_bad(diag, off, "%s (%zu bytes at offset %#" PRIx64 ") is beyond the end of the file (%" PRIu64 " bytes)",
				what, len, off, src->size);
	if (src->map) {
		memcpy(buf, (const uint8_t *)src->map + off, len);
		return 0;
	}
	if (!src->pread)
		return -EINVAL;
	r = src->pread(src->ctx, buf, len, off);
	if (r == -EBADMSG)
		return diag_bad(diag, off, "%s (%zu bytes at offset %#" PRIx64 ") cannot be read: truncated",
				what, len, off);
	if (r < 0)
		return diag_err(diag, r, off, "%s cannot be read: %s", what, strerror(-r));
	return 0;
}
