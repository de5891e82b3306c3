/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture command line: Debian's and Fedora's conventions (REFERENCE 6). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

static const struct {
	const char *name, *why;
} drop[] = {
	{ "crashkernel", "the capture kernel reserves nothing itself" },
	{ "hugepages", "no huge page pool in the small capture memory" },
	{ "hugepagesz", "no huge page pool in the small capture memory" },
	{ "default_hugepagesz", "no huge page pool in the small capture memory" },
	{ "hugetlb_cma", "no CMA area in the small capture memory" },
	{ "cma", "no CMA area in the small capture memory" },
	{ "log_buf_len", "a large log buffer does not fit the capture memory" },
	{ "swiotlb", "a large bounce buffer does not fit the capture memory" },
	{ "resume", "the capture kernel must not resume a hibernation image" },
	{ "resume_offset", "the capture kernel must not resume a hibernation image" },
	{ "init", "suspend3 is the capture kernel's /init" },
	{ "rdinit", "suspend3 is the capture kernel's /init" },
	{ "nr_cpus", "replaced by nr_cpus=1" },
	{ "maxcpus", "replaced by nr_cpus=1" },
	{ "panic", "replaced by panic=10" },
};

static const struct {
	const char *param, *why;
} add[] = {
	{ "reset_devices", "drivers reset devices the crashed kernel left running" },
	{ "nr_cpus=1", "one CPU: less memory, no secondary CPU bring-up" },
	{ "irqpoll", "survive interrupts lost by the crashed kernel" },
	{ "usbcore.nousb", "USB is not needed and costs memory and time" },
	{ "cgroup_disable=memory", "the memory cgroup costs memory the capture kernel lacks" },
	{ "panic=10", "reboot if the capture kernel itself panics" },
};

static bool name_eq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
		if (x != y)
			return false;
	}
	return true;
}

/* Length of the parameter name of token t (up to '=' or the end). */
static size_t param_name_len(const char *t, size_t len)
{
	const char *eq = memchr(t, '=', len);
	return eq ? (size_t)(eq - t) : len;
}

/* Next token of s at *pos (quotes keep spaces); 0 at the end, -EINVAL. */
static int next_token(const char *s, size_t *pos, const char **ret, size_t *ret_len)
{
	size_t i = *pos, start;
	bool quoted = false;

	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
		i++;
	if (!s[i]) {
		*pos = i;
		return 0;
	}
	start = i;
	for (; s[i] && (quoted || (s[i] != ' ' && s[i] != '\t' && s[i] != '\n')); i++)
		if (s[i] == '"')
			quoted = !quoted;
	if (quoted)
		return -EINVAL;
	*ret = s + start;
	*ret_len = i - start;
	*pos = i;
	return 1;
}

static int push_edit(struct cmdline_result *r, const char *p, size_t len, const char *why, int added)
{
	struct cmdline_edit *e = realloc(r->edits, (r->n_edits + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	r->edits = e;
	e[r->n_edits].param = strndup(p, len);
	if (!e[r->n_edits].param)
		return -ENOMEM;
	e[r->n_edits].why = why;
	e[r->n_edits].added = added;
	r->n_edits++;
	return 0;
}

static int append_word(char *out, size_t *used, const char *p, size_t len)
{
	if (*used + (*used ? 1 : 0) + len + 1 > CMDLINE_MAX)
		return -E2BIG;
	if (*used)
		out[(*used)++] = ' ';
	memcpy(out + *used, p, len);
	*used += len;
	out[*used] = 0;
	return 0;
}

static const char *drop_reason(const char *t, size_t len, const char *const *remove, size_t n_remove)
{
	size_t nl = param_name_len(t, len);

	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if (name_eq(t, nl, drop[i].name))
			return drop[i].why;
	for (size_t i = 0; i < n_remove; i++)
		if (name_eq(t, nl, remove[i]))
			return "removed by the configuration or --remove";
	return NULL;
}

static bool is_added(const char *t, size_t len)
{
	for (size_t i = 0; i < sizeof(add) / sizeof(add[0]); i++)
		if (strlen(add[i].param) == len && memcmp(add[i].param, t, len) == 0)
			return true;
	return false;
}

int cmdline_derive(const char *current, const char *const *remove, size_t n_remove,
		   const char *append, struct cmdline_result *ret, struct kx_diag *diag)
{
	struct cmdline_result res = { 0 };
	size_t pos = 0, used = 0, len;
	const char *t;
	int r;

	res.cmdline = malloc(CMDLINE_MAX);
	if (!res.cmdline)
		return -ENOMEM;
	res.cmdline[0] = 0;
	/* Everything after a bare "--" goes to init, not the kernel: drop it. */
	while ((r = next_token(current, &pos, &t, &len)) > 0) {
		const char *why;
		if (len == 2 && memcmp(t, "--", 2) == 0)
			break;
		if (is_added(t, len))
			continue; /* added again below, once */
		why = drop_reason(t, len, remove, n_remove);
		r = why ? push_edit(&res, t, len, why, 0) : append_word(res.cmdline, &used, t, len);
		if (r < 0)
			goto fail;
	}
	if (r < 0) {
		r = kx_diag_set(diag, -EINVAL, 0, "unbalanced quote in the kernel command line");
		goto fail;
	}
	for (size_t i = 0; i < sizeof(add) / sizeof(add[0]); i++) {
		size_t alen = strlen(add[i].param);
		r = append_word(res.cmdline, &used, add[i].param, alen);
		if (r == 0)
			r = push_edit(&res, add[i].param, alen, add[i].why, 1);
		if (r < 0)
			goto fail;
	}
	if (append) {
		pos = 0;
		while ((r = next_token(append, &pos, &t, &len)) > 0) {
			r = append_word(res.cmdline, &used, t, len);
			if (r == 0)
				r = push_edit(&res, t, len, "added by the configuration or --append", 1);
			if (r < 0)
				goto fail;
		}
		if (r < 0) {
			r = kx_diag_set(diag, -EINVAL, 0, "unbalanced quote in '%s'", append);
			goto fail;
		}
	}
	*ret = res;
	return 0;
fail:
	if (r == -E2BIG)
		kx_diag_set(diag, r, 0, "the capture command line would exceed %d bytes", CMDLINE_MAX - 1);
	cmdline_result_free(&res);
	return r;
}

void cmdline_result_free(struct cmdline_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_edits; i++)
		free(r->edits[i].param);
	free(r->edits);
	free(r->cmdline);
	memset(r, 0, sizeof(*r));
}
