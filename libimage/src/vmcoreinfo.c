/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VMCOREINFO: the kernel's "KEY=value\n" text note. */
#include <inttypes.h>
#include <stdio.h>

#include "internal.h"

/* A line longer than this is not VMCOREINFO (the kernel limits the
 * whole note to one page; keys are short). */
#define VMCOREINFO_MAX_LINE 4096
#define VMCOREINFO_MAX_TEXT (1u << 20)

struct vi_entry {
	const char *key, *value;
};

struct s3img_vmcoreinfo {
	char *text; /* copy; '=' and '\n' replaced with NULs */
	struct vi_entry *entries;
	size_t n;
};

_public_ void s3img_vmcoreinfo_free(struct s3img_vmcoreinfo *vi)
{
	if (!vi)
		return;
	free(vi->text);
	free(vi->entries);
	free(vi);
}

_public_ int s3img_vmcoreinfo_parse(const char *text, size_t len,
				    struct s3img_vmcoreinfo **ret, struct s3img_diag *diag)
{
	struct s3img_vmcoreinfo *vi;
	size_t cap = 0, pos = 0;

	if (len > VMCOREINFO_MAX_TEXT)
		return diag_bad(diag, 0, "VMCOREINFO is %zu bytes, more than the %u allowed", len,
				VMCOREINFO_MAX_TEXT);
	/* The note may carry trailing NULs from padding. */
	while (len > 0 && text[len - 1] == '\0')
		len--;

	vi = calloc(1, sizeof(*vi));
	if (!vi)
		return -ENOMEM;
	vi->text = malloc(len + 1);
	if (!vi->text)
		goto oom;
	memcpy(vi->text, text, len);
	vi->text[len] = '\0';

	while (pos < len) {
		char *line = vi->text + pos, *nl, *eq;
		size_t linelen;

		nl = memchr(line, '\n', len - pos);
		linelen = nl ? (size_t)(nl - line) : len - pos;
		if (linelen > VMCOREINFO_MAX_LINE) {
			s3img_vmcoreinfo_free(vi);
			return diag_bad(diag, pos, "VMCOREINFO line of %zu bytes is too long", linelen);
		}
		if (memchr(line, '\0', linelen)) {
			s3img_vmcoreinfo_free(vi);
			return diag_bad(diag, pos, "VMCOREINFO contains a NUL byte inside a line");
		}
		pos += linelen + (nl ? 1 : 0);
		if (nl)
			*nl = '\0';
		else
			line[linelen] = '\0';
		if (linelen == 0)
			continue;
		eq = memchr(line, '=', linelen);
		if (!eq || eq == line) {
			int r = diag_bad(diag, (uint64_t)(line - vi->text),
					 "VMCOREINFO line without KEY=value: '%.40s'", line);
			s3img_vmcoreinfo_free(vi);
			return r;
		}
		*eq = '\0';
		if (vi->n == cap) {
			size_t ncap = cap ? cap * 2 : 128;
			struct vi_entry *ne = realloc(vi->entries, ncap * sizeof(*ne));
			if (!ne)
				goto oom;
			vi->entries = ne;
			cap = ncap;
		}
		vi->entries[vi->n].key = line;
		vi->entries[vi->n].value = eq + 1;
		vi->n++;
	}
	*ret = vi;
	return 0;
oom:
	s3img_vmcoreinfo_free(vi);
	return -ENOMEM;
}

_public_ const char *s3img_vmcoreinfo_get(const struct s3img_vmcoreinfo *vi, const char *key)
{
	if (!vi)
		return NULL;
	/* Last one wins, like the kernel appending to the note would mean. */
	for (size_t i = vi->n; i-- > 0;)
		if (strcmp(vi->entries[i].key, key) == 0)
			return vi->entries[i].value;
	return NULL;
}

_public_ size_t s3img_vmcoreinfo_count(const struct s3img_vmcoreinfo *vi)
{
	return vi ? vi->n : 0;
}

_public_ int s3img_vmcoreinfo_entry(const struct s3img_vmcoreinfo *vi, size_t i,
				    const char **ret_key, const char **ret_value)
{
	if (!vi || i >= vi->n)
		return -ENOENT;
	*ret_key = vi->entries[i].key;
	*ret_value = vi->entries[i].value;
	return 0;
}

static int parse_u64(const char *s, int base, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == ' ')
		return -EBADMSG;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end)
		return -EBADMSG;
	*ret = v;
	return 0;
}

static int parse_s64(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (!s || !*s || *s == ' ')
		return -EBADMSG;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -EBADMSG;
	*ret = v;
	return 0;
}

static int lookup_wrapped(const struct s3img_vmcoreinfo *vi, const char *kind,
			  const char *name, const char **ret)
{
	char key[256];
	const char *v;

	if (snprintf(key, sizeof(key), "%s(%s)", kind, name) >= (int)sizeof(key))
		return -ENAMETOOLONG;
	v = s3img_vmcoreinfo_get(vi, key);
	if (!v)
		return -ENOENT;
	*ret = v;
	return 0;
}

_public_ int s3img_vmcoreinfo_symbol(const struct s3img_vmcoreinfo *vi, const char *name,
				     uint64_t *ret)
{
	const char *v;
	uint64_t x;
	int r = lookup_wrapped(vi, "SYMBOL", name, &v);
	if (r < 0)
		return r;
	r = parse_u64(v, 16, &x);
	if (r < 0)
		return r;
	*ret = x;
	return 0;
}

static int typed_s64(const struct s3img_vmcoreinfo *vi, const char *kind, const char *name,
		     int64_t *ret)
{
	const char *v;
	int64_t x;
	int r = lookup_wrapped(vi, kind, name, &v);
	if (r < 0)
		return r;
	r = parse_s64(v, &x);
	if (r < 0)
		return r;
	*ret = x;
	return 0;
}

_public_ int s3img_vmcoreinfo_size(const struct s3img_vmcoreinfo *vi, const char *name,
				   int64_t *ret)
{
	return typed_s64(vi, "SIZE", name, ret);
}

_public_ int s3img_vmcoreinfo_offset(const struct s3img_vmcoreinfo *vi, const char *name,
				     int64_t *ret)
{
	return typed_s64(vi, "OFFSET", name, ret);
}

_public_ int s3img_vmcoreinfo_length(const struct s3img_vmcoreinfo *vi, const char *name,
				     int64_t *ret)
{
	return typed_s64(vi, "LENGTH", name, ret);
}

_public_ int s3img_vmcoreinfo_number(const struct s3img_vmcoreinfo *vi, const char *name,
				     int64_t *ret)
{
	return typed_s64(vi, "NUMBER", name, ret);
}

/* Helpers for other files: untyped keys. */
int vmcoreinfo_hex(const struct s3img_vmcoreinfo *vi, const char *key, uint64_t *ret)
{
	return parse_u64(s3img_vmcoreinfo_get(vi, key), 16, ret);
}

int vmcoreinfo_dec(const struct s3img_vmcoreinfo *vi, const char *key, uint64_t *ret)
{
	return parse_u64(s3img_vmcoreinfo_get(vi, key), 10, ret);
}
