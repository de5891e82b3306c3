/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tiny streaming JSON writer for --json output. */
#include <inttypes.h>

#include "cli.h"

static void sep(struct json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	if (j->pretty && j->depth > 0) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	if (key) {
		json_string(&(struct json){ .f = j->f, .first = true }, NULL, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

void json_string(struct json *j, const char *key, const char *s)
{
	if (key || j->depth)
		sep(j, key);
	fputc('"', j->f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(j->f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(j->f, "\\u%04x", *p);
		else
			fputc(*p, j->f);
	}
	fputc('"', j->f);
}

void json_begin_object(struct json *j, const char *key)
{
	if (j->depth > 0)
		sep(j, key);
	fputc('{', j->f);
	j->depth++;
	j->first = true;
}

void json_end_object(struct json *j)
{
	j->depth--;
	if (j->pretty && !j->first) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc('}', j->f);
	j->first = false;
	if (j->depth == 0)
		fputc('\n', j->f);
}

void json_begin_array(struct json *j, const char *key)
{
	if (j->depth > 0)
		sep(j, key);
	fputc('[', j->f);
	j->depth++;
	j->first = true;
}

void json_end_array(struct json *j)
{
	j->depth--;
	if (j->pretty && !j->first) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(']', j->f);
	j->first = false;
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	sep(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	sep(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	sep(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	sep(j, key);
	fputs("null", j->f);
}
