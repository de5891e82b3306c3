/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/iomem, crashkernel= and bzImage headers. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crashmem.h"

static int parse_hex(const char *s, const char *end, uint64_t *ret)
{
	uint64_t v = 0;

	if (s == end || end - s > 16)
		return -EINVAL;
	for (; s < end; s++) {
		int d = isdigit((unsigned char)*s) ? *s - '0' :
			isxdigit((unsigned char)*s) ? (tolower((unsigned char)*s) - 'a' + 10) : -1;
		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	*ret = v;
	return 0;
}

/* One line: "<indent>start-end : name". */
static int iomem_line(const char *p, const char *eol, unsigned line, struct crash_ranges *c,
		      struct kx_diag *diag)
{
	const char *q = p, *dash, *colon, *name;
	uint64_t start, end;
	size_t indent, nlen;

	while (q < eol && *q == ' ')
		q++;
	indent = (size_t)(q - p);
	dash = memchr(q, '-', (size_t)(eol - q));
	colon = dash ? memchr(dash, ':', (size_t)(eol - dash)) : NULL;
	if (!dash || !colon || colon - dash < 2 || colon[-1] != ' ')
		return kx_diag_set(diag, -EBADMSG, line, "not 'start-end : name'");
	if (parse_hex(q, dash, &start) < 0 || parse_hex(dash + 1, colon - 1, &end) < 0)
		return kx_diag_set(diag, -EBADMSG, line, "bad address range");
	name = colon + 1;
	if (name < eol && *name == ' ')
		name++;
	nlen = (size_t)(eol - name);
	if (end < start)
		return kx_diag_set(diag, -EBADMSG, line, "range ends before it starts");
	if (nlen == 12 && memcmp(name, "Crash kernel", 12) == 0) {
		if (start == 0 && end == 0) {
			c->hidden = true;
			return 0;
		}
		if (c->n == CRASH_RANGES_MAX)
			return kx_diag_set(diag, -EBADMSG, line, "more than %d crash kernel ranges",
					   CRASH_RANGES_MAX);
		c->r[c->n].start = start;
		c->r[c->n].end = end;
		c->n++;
	} else if (indent == 0 && nlen == 10 && memcmp(name, "System RAM", 10) == 0) {
		if (start == 0 && end == 0)
			c->hidden = true;
		else
			c->system_ram += end - start + 1;
	}
	return 0;
}

int iomem_parse(const char *text, size_t len, struct crash_ranges *ret, struct kx_diag *diag)
{
	struct crash_ranges c = { 0 };
	const char *p = text, *end = text + len;
	unsigned line = 0;
	int r;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		line++;
		if (eol > p) {
			r = iomem_line(p, eol, line, &c, diag);
			if (r < 0)
				return r;
		}
		p = eol + 1;
	}
	*ret = c;
	return 0;
}

int parse_size(const char *s, size_t len, uint64_t *ret)
{
	char buf[32], *end;
	unsigned long long v;
	unsigned shift = 0;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (!isdigit((unsigned char)buf[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	case 0: break;
	default: return -EINVAL;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*ret = (uint64_t)v << shift;
	return 0;
}

/* "start-[end]:size" entries separated by ','; end exclusive. */
static int crashkernel_ranges(const char *s, size_t len, uint64_t ram, uint64_t *ret,
			      struct kx_diag *diag)
{
	const char *p = s, *end = s + len;

	*ret = 0;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p)), *colon, *dash;
		uint64_t lo, hi = UINT64_MAX, size;

		if (!comma)
			comma = end;
		colon = memchr(p, ':', (size_t)(comma - p));
		dash = colon ? memchr(p, '-', (size_t)(colon - p)) : NULL;
		if (!colon || !dash)
			return kx_diag_set(diag, -EINVAL, 0, "crashkernel range '%.*s' is not START-[END]:SIZE",
					   (int)(comma - p), p);
		if (parse_size(p, (size_t)(dash - p), &lo) < 0 ||
		    (dash + 1 < colon && parse_size(dash + 1, (size_t)(colon - dash - 1), &hi) < 0) ||
		    parse_size(colon + 1, (size_t)(comma - colon - 1), &size) < 0)
			return kx_diag_set(diag, -EINVAL, 0, "crashkernel range '%.*s' has a bad size",
					   (int)(comma - p), p);
		if (hi <= lo)
			return kx_diag_set(diag, -EINVAL, 0, "crashkernel range '%.*s' ends before it starts",
					   (int)(comma - p), p);
		if (ram >= lo && ram < hi && *ret == 0)
			*ret = size;
		p = comma + 1;
	}
	return 0;
}

int crashkernel_parse(const char *value, uint64_t system_ram, struct crashkernel_spec *ret,
		      struct kx_diag *diag)
{
	struct crashkernel_spec k = { 0 };
	size_t len = strlen(value);
	const char *at, *colon;
	int r;

	if (len > 4 && strcmp(value + len - 5, ",high") == 0) {
		k.high = true;
		len -= 5;
	} else if (len > 3 && strcmp(value + len - 4, ",low") == 0) {
		k.low = true;
		len -= 4;
	}
	if (len == 0)
		return kx_diag_set(diag, -EINVAL, 0, "crashkernel= is empty");
	colon = memchr(value, ':', len);
	if (colon) {
		/* Ranges, optionally followed by "@offset". */
		at = memchr(colon, '@', len - (size_t)(colon - value));
		r = crashkernel_ranges(value, at ? (size_t)(at - value) : len, system_ram, &k.size, diag);
		if (r < 0)
			return r;
	} else {
		at = memchr(value, '@', len);
		if (parse_size(value, at ? (size_t)(at - value) : len, &k.size) < 0)
			return kx_diag_set(diag, -EINVAL, 0, "crashkernel='%s' is not a size", value);
	}
	if (at && parse_size(at + 1, len - (size_t)(at + 1 - value), &k.offset) < 0)
		return kx_diag_set(diag, -EINVAL, 0, "crashkernel='%s' has a bad @offset", value);
	*ret = k;
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int bzimage_parse(const void *buf, size_t len, struct bzimage_info *ret)
{
	const uint8_t *b = buf;
	struct bzimage_info z = { 0 };
	uint32_t setup_sects, ver_off;

	/* boot_flag 0xAA55 at 0x1fe, "HdrS" at 0x202, protocol >= 2.10 for init_size. */
	if (len < 0x270 || b[0x1fe] != 0x55 || b[0x1ff] != 0xaa || memcmp(b + 0x202, "HdrS", 4) != 0)
		return -ENOEXEC;
	z.protocol = (uint16_t)(b[0x206] | b[0x207] << 8);
	if (z.protocol < 0x20a)
		return -ENOEXEC;
	z.relocatable = b[0x234] != 0;
	z.xloadflags_64 = (b[0x236] & 1) != 0; /* XLF_KERNEL_64 */
	z.init_size = le32(b + 0x260);
	setup_sects = b[0x1f1] ? b[0x1f1] : 4;
	ver_off = (uint32_t)(b[0x20e] | b[0x20f] << 8);
	/* kernel_version points 0x200 before the string, within the setup sectors. */
	if (ver_off && (uint64_t)ver_off + 0x200 < (uint64_t)(setup_sects + 1) * 512 &&
	    ver_off + 0x200 < len) {
		const char *v = (const char *)b + ver_off + 0x200;
		size_t max = len - (ver_off + 0x200), n = 0;
		while (n < max && n < sizeof(z.version) - 1 && v[n] && isprint((unsigned char)v[n]))
			n++;
		memcpy(z.version, v, n);
		z.version[n] = 0;
	}
	*ret = z;
	return 0;
}
