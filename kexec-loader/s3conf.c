/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration file parser and writer. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockdev.h"
#include "s3conf.h"

#define CONF_LINE_MAX 4096
#define CONF_WORDS_MAX 64

enum key {
	K_TARGET, K_FSTYPE, K_PATH, K_DUMP_LEVEL, K_COMPRESS, K_FORMAT, K_FINAL, K_FAILURE,
	K_MODULES, K_CMDLINE_REMOVE, K_CMDLINE_APPEND, K_KERNEL, K_INITRD, K_WAIT, K__MAX
};

static const char *const key_names[K__MAX] = {
	[K_TARGET] = "target", [K_FSTYPE] = "fstype", [K_PATH] = "path",
	[K_DUMP_LEVEL] = "dump_level", [K_COMPRESS] = "compress", [K_FORMAT] = "format",
	[K_FINAL] = "final_action", [K_FAILURE] = "failure_action", [K_MODULES] = "modules",
	[K_CMDLINE_REMOVE] = "cmdline_remove", [K_CMDLINE_APPEND] = "cmdline_append",
	[K_KERNEL] = "kernel", [K_INITRD] = "initrd", [K_WAIT] = "wait_seconds",
};

static const char *const action_names[] = {
	[S3CONF_REBOOT] = "reboot", [S3CONF_POWEROFF] = "poweroff", [S3CONF_HALT] = "halt",
};

const char *s3conf_action_name(enum s3conf_action a)
{
	return (unsigned)a < sizeof(action_names) / sizeof(action_names[0]) ? action_names[a] : "?";
}

const char *s3conf_format_name(enum s3img_format f)
{
	return f == S3IMG_FORMAT_ELF ? "elf" : "kdump";
}

void s3conf_free(struct s3conf *c)
{
	if (!c)
		return;
	free(c->target);
	free(c->fstype);
	free(c->path);
	for (size_t i = 0; i < c->n_modules; i++)
		free(c->modules[i]);
	free(c->modules);
	for (size_t i = 0; i < c->n_cmdline_remove; i++)
		free(c->cmdline_remove[i]);
	free(c->cmdline_remove);
	free(c->cmdline_append);
	free(c->kernel);
	free(c->initrd);
	free(c);
}

int s3conf_new_default(struct s3conf **ret)
{
	struct s3conf *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->path = strdup("/var/crash");
	if (!c->path) {
		free(c);
		return -ENOMEM;
	}
	c->dump_level = 31; /* kdump-tools' default: no page cache, user or free pages */
	c->compress = S3IMG_COMPRESS_ZSTD;
	c->format = S3IMG_FORMAT_KDUMP;
	c->final_action = S3CONF_REBOOT;
	c->failure_action = S3CONF_REBOOT;
	c->wait_seconds = 60;
	*ret = c;
	return 0;
}

/* Split a value into space-separated words (no quoting in lists). */
static int split_words(const char *v, unsigned line, const char *key, char ***ret, size_t *ret_n,
		       struct kx_diag *diag)
{
	char **w = NULL;
	size_t n = 0;

	while (*v) {
		const char *s;
		char **nw, *word;

		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v)
			break;
		s = v;
		while (*v && *v != ' ' && *v != '\t')
			v++;
		if (n == CONF_WORDS_MAX) {
			strv_free(w, n);
			return kx_diag_set(diag, -EINVAL, line, "more than %d words in '%s'", CONF_WORDS_MAX, key);
		}
		word = strndup(s, (size_t)(v - s));
		nw = word ? realloc(w, (n + 1) * sizeof(*w)) : NULL;
		if (!nw) {
			free(word);
			strv_free(w, n);
			return -ENOMEM;
		}
		w = nw;
		w[n++] = word;
	}
	*ret = w;
	*ret_n = n;
	return 0;
}

static int valid_target(const char *v)
{
	if (strncmp(v, "UUID=", 5) == 0)
		return v[5] != 0;
	if (strncmp(v, "LABEL=", 6) == 0)
		return v[6] != 0;
	return strncmp(v, "/dev/", 5) == 0 && v[5] != 0;
}

static int parse_compress_name(const char *v, unsigned *ret)
{
	static const unsigned all[] = { S3IMG_COMPRESS_NONE, S3IMG_COMPRESS_ZLIB, S3IMG_COMPRESS_LZO,
					S3IMG_COMPRESS_SNAPPY, S3IMG_COMPRESS_ZSTD };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(v, s3img_compress_name(all[i])) == 0) {
			*ret = all[i];
			return 0;
		}
	return -EINVAL;
}

static int parse_action(const char *v, enum s3conf_action *ret)
{
	for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (strcmp(v, action_names[i]) == 0) {
			*ret = (enum s3conf_action)i;
			return 0;
		}
	return -EINVAL;
}

static int parse_uint(const char *v, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long x;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	x = strtoul(v, &end, 10);
	if (errno || *end || x > max)
		return -EINVAL;
	*ret = (unsigned)x;
	return 0;
}

static int set_string(char **field, const char *v)
{
	char *s = strdup(v);
	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

static int set_key(struct s3conf *c, enum key k, const char *v, unsigned line, struct kx_diag *diag)
{
	unsigned u;

	switch (k) {
	case K_TARGET:
		if (!valid_target(v))
			return kx_diag_set(diag, -EINVAL, line,
					   "target '%s' is not UUID=..., LABEL=... or /dev/NAME", v);
		return set_string(&c->target, v);
	case K_FSTYPE:
		if (strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(v))
			return kx_diag_set(diag, -EINVAL, line, "fstype '%s' is not a file system type", v);
		return set_string(&c->fstype, v);
	case K_PATH:
	case K_KERNEL:
	case K_INITRD:
		if (v[0] != '/')
			return kx_diag_set(diag, -EINVAL, line, "%s '%s' is not an absolute path",
					   key_names[k], v);
		return set_string(k == K_PATH ? &c->path : k == K_KERNEL ? &c->kernel : &c->initrd, v);
	case K_DUMP_LEVEL:
		if (parse_uint(v, 31, &u) < 0)
			return kx_diag_set(diag, -EINVAL, line, "dump_level '%s' is not a number in 0..31", v);
		c->dump_level = (int)u;
		return 0;
	case K_COMPRESS:
		if (parse_compress_name(v, &c->compress) < 0)
			return kx_diag_set(diag, -EINVAL, line,
					   "compress '%s' is not zstd, zlib, lzo, snappy or none", v);
		if (c->compress & ~s3img_compress_supported())
			return kx_diag_set(diag, -EOPNOTSUPP, line,
					   "%s compression is not built into this suspend3", v);
		return 0;
	case K_FORMAT:
		if (strcmp(v, "kdump") == 0)
			c->format = S3IMG_FORMAT_KDUMP;
		else if (strcmp(v, "elf") == 0)
			c->format = S3IMG_FORMAT_ELF;
		else
			return kx_diag_set(diag, -EINVAL, line, "format '%s' is not kdump or elf", v);
		return 0;
	case K_FINAL:
	case K_FAILURE:
		if (parse_action(v, k == K_FINAL ? &c->final_action : &c->failure_action) < 0)
			return kx_diag_set(diag, -EINVAL, line, "%s '%s' is not reboot, poweroff or halt",
					   key_names[k], v);
		return 0;
	case K_MODULES:
		for (size_t i = 0; v[i]; i++)
			if (!isalnum((unsigned char)v[i]) && !strchr("_- \t", v[i]))
				return kx_diag_set(diag, -EINVAL, line, "modules: '%s' is not a list of module names", v);
		return split_words(v, line, key_names[k], &c->modules, &c->n_modules, diag);
	case K_CMDLINE_REMOVE:
		for (size_t i = 0; v[i]; i++)
			if (v[i] == '=' || v[i] == '"')
				return kx_diag_set(diag, -EINVAL, line,
						   "cmdline_remove takes parameter names, not '%s'", v);
		return split_words(v, line, key_names[k], &c->cmdline_remove, &c->n_cmdline_remove, diag);
	case K_CMDLINE_APPEND:
		return set_string(&c->cmdline_append, v);
	case K_WAIT:
		if (parse_uint(v, 3600, &u) < 0)
			return kx_diag_set(diag, -EINVAL, line, "wait_seconds '%s' is not a number in 0..3600", v);
		c->wait_seconds = u;
		return 0;
	case K__MAX:
		break;
	}
	return -EINVAL;
}

static char *trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = 0;
	return s;
}

/* One "key = value" line (already without its newline, writable). */
static int parse_line(struct s3conf *c, char *p, char *eol, unsigned line, unsigned seen[K__MAX],
		      struct kx_diag *diag)
{
	char *eq, *key, *val;

	for (char *q = p; q < eol; q++)
		if (*q == 0 || ((unsigned char)*q < 0x20 && *q != '\t' && *q != '\r'))
			return kx_diag_set(diag, -EINVAL, line, "control character in the line");
	p = trim(p, eol);
	if (!*p || *p == '#')
		return 0;
	eq = strchr(p, '=');
	if (!eq)
		return kx_diag_set(diag, -EINVAL, line, "expected 'key = value'");
	key = trim(p, eq);
	val = trim(eq + 1, eol);
	for (int k = 0; k < K__MAX; k++) {
		if (strcmp(key, key_names[k]) != 0)
			continue;
		if (seen[k])
			return kx_diag_set(diag, -EINVAL, line, "'%s' is already set on line %u", key, seen[k]);
		seen[k] = line;
		if (!*val && k != K_CMDLINE_APPEND && k != K_MODULES && k != K_CMDLINE_REMOVE)
			return kx_diag_set(diag, -EINVAL, line, "'%s' has no value", key);
		return set_key(c, (enum key)k, val, line, diag);
	}
	return kx_diag_set(diag, -EINVAL, line, "unknown key '%s'", key);
}

int s3conf_parse(const char *text, size_t len, struct s3conf **ret, struct kx_diag *diag)
{
	unsigned seen[K__MAX] = { 0 }, line = 0;
	struct s3conf *c;
	const char *p = text, *end = text + len;
	char buf[CONF_LINE_MAX + 1];
	int r;

	r = s3conf_new_default(&c);
	if (r < 0)
		return r;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		if (!eol)
			eol = end;
		line++;
		n = (size_t)(eol - p);
		if (n > CONF_LINE_MAX) {
			r = kx_diag_set(diag, -EINVAL, line, "line longer than %d bytes", CONF_LINE_MAX);
			goto fail;
		}
		memcpy(buf, p, n);
		buf[n] = 0;
		r = parse_line(c, buf, buf + n, line, seen, diag);
		if (r < 0)
			goto fail;
		p = eol + 1;
	}
	if (c->format == S3IMG_FORMAT_ELF && seen[K_COMPRESS] && c->compress != S3IMG_COMPRESS_NONE) {
		r = kx_diag_set(diag, -EINVAL, seen[K_COMPRESS], "format elf cannot be compressed (compress = none)");
		goto fail;
	}
	if (c->format == S3IMG_FORMAT_ELF)
		c->compress = S3IMG_COMPRESS_NONE;
	*ret = c;
	return 0;
fail:
	s3conf_free(c);
	return r;
}

static void put_list(FILE *f, const char *key, char *const *w, size_t n)
{
	if (!n)
		return;
	fprintf(f, "%s =", key);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s", w[i]);
	fputc('\n', f);
}

int s3conf_format(const struct s3conf *c, char **ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, "# written by suspend3 mkinitrd\n");
	if (c->target)
		fprintf(f, "target = %s\n", c->target);
	if (c->fstype)
		fprintf(f, "fstype = %s\n", c->fstype);
	fprintf(f, "path = %s\n", c->path);
	fprintf(f, "dump_level = %d\n", c->dump_level);
	fprintf(f, "format = %s\n", s3conf_format_name(c->format));
	fprintf(f, "compress = %s\n", s3img_compress_name(c->compress));
	fprintf(f, "final_action = %s\n", s3conf_action_name(c->final_action));
	fprintf(f, "failure_action = %s\n", s3conf_action_name(c->failure_action));
	fprintf(f, "wait_seconds = %u\n", c->wait_seconds);
	put_list(f, "modules", c->modules, c->n_modules);
	put_list(f, "cmdline_remove", c->cmdline_remove, c->n_cmdline_remove);
	if (c->cmdline_append)
		fprintf(f, "cmdline_append = %s\n", c->cmdline_append);
	if (c->kernel)
		fprintf(f, "kernel = %s\n", c->kernel);
	if (c->initrd)
		fprintf(f, "initrd = %s\n", c->initrd);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}
