/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading /proc: whole files, status fields, stat, directories of numbers. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.h"

#define TEXT_MAX (64u << 20)

void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

int fail(struct s3img_diag *diag, int err, const char *fmt, ...)
{
	va_list ap;

	if (diag) {
		va_start(ap, fmt);
		vsnprintf(diag->reason, sizeof(diag->reason), fmt, ap);
		va_end(ap);
		diag->offset = UINT64_MAX;
	}
	return err;
}

int unsupported(struct s3img_diag *diag, pid_t pid, const char *fmt, ...)
{
	char comm[32] = "", msg[160];
	_cleanup_free_ char *c = NULL;
	va_list ap;

	if (read_textf(&c, NULL, "/proc/%d/comm", pid) == 0)
		snprintf(comm, sizeof(comm), " (%.*s)", (int)strcspn(c, "\n"), c);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail(diag, -EOPNOTSUPP, "pid %d%s: %s", pid, comm, msg);
}

int read_text(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 4096;
	char *buf, *n;

	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t k;

		if (cap - len < 2) {
			if (cap >= TEXT_MAX) {
				free(buf);
				return -EFBIG;
			}
			n = realloc(buf, cap * 2);
			if (!n) {
				free(buf);
				return -ENOMEM;
			}
			buf = n;
			cap *= 2;
		}
		k = read(fd, buf + len, cap - len - 1);
		if (k < 0) {
			int r = -errno;
			if (r == -EINTR)
				continue;
			free(buf);
			return r;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	buf[len] = 0;
	*ret = buf;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int read_textf(char **ret, size_t *ret_len, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return read_text(path, ret, ret_len);
}

int readlinkf(char **ret, const char *fmt, ...)
{
	char path[256], buf[4097];
	va_list ap;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(buf) - 1)
		return -ENAMETOOLONG;
	buf[n] = 0;
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

const char *status_field(const char *text, const char *key, size_t *ret_len)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
			const char *v = l + kl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			*ret_len = strcspn(v, "\n");
			return v;
		}
	}
	return NULL;
}

int status_numbers(const char *text, const char *key, int base, int64_t *out, size_t max,
		   size_t *ret_n)
{
	size_t len, n = 0;
	const char *v = status_field(text, key, &len), *end;

	if (!v)
		return -ENOENT;
	end = v + len;
	while (v < end) {
		char *e;
		long long x;

		while (v < end && isspace((unsigned char)*v))
			v++;
		if (v >= end)
			break;
		if (n >= max)
			return -E2BIG;
		errno = 0;
		x = strtoll(v, &e, base);
		if (e == v || errno)
			return -EBADMSG;
		out[n++] = x;
		v = e;
	}
	*ret_n = n;
	return 0;
}

int status_u64(const char *text, const char *key, int base, uint64_t *ret)
{
	size_t len;
	const char *v = status_field(text, key, &len);
	char *e;

	if (!v)
		return -ENOENT;
	errno = 0;
	*ret = strtoull(v, &e, base);
	return e == v || errno ? -EBADMSG : 0;
}

int proc_stat_read(pid_t pid, pid_t tid, struct proc_stat *ret)
{
	_cleanup_free_ char *text = NULL;
	unsigned long long f[52] = { 0 };
	const char *p;
	int r, n = 0;

	r = tid ? read_textf(&text, NULL, "/proc/%d/task/%d/stat", pid, tid)
		: read_textf(&text, NULL, "/proc/%d/stat", pid);
	if (r < 0)
		return r;
	/* comm may hold anything, ')' too: the fields start after the last one. */
	p = strrchr(text, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EBADMSG;
	*ret = (struct proc_stat){ .state = p[2] };
	p += 3;
	/* Field 4 (ppid) onwards; f[k] is field k+1 of proc(5). */
	for (int k = 3; k < 52 && *p; k++) {
		char *e;
		while (*p == ' ')
			p++;
		f[k] = strtoull(p, &e, 10);
		if (e == p && *p != '-')
			break;
		if (*p == '-')
			f[k] = (unsigned long long)strtoll(p, &e, 10);
		p = e;
		n = k;
	}
	if (n < 27)
		return -EBADMSG;
	ret->ppid = (pid_t)f[3];
	ret->pgrp = (pid_t)f[4];
	ret->session = (pid_t)f[5];
	ret->tty_nr = (int)f[6];
	ret->flags = (unsigned long)f[8];
	ret->start_code = f[25];
	ret->end_code = f[26];
	ret->start_stack = f[27];
	if (n >= 51) {
		ret->start_data = f[44];
		ret->end_data = f[45];
		ret->start_brk = f[46];
		ret->arg_start = f[47];
		ret->arg_end = f[48];
		ret->env_start = f[49];
		ret->env_end = f[50];
		ret->exit_code = (int)f[51];
	}
	return 0;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static int push_pid(pid_t **arr, size_t *n, size_t *cap, pid_t v)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		pid_t *a = realloc(*arr, c * sizeof(*a));
		if (!a)
			return -ENOMEM;
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = v;
	return 0;
}

int list_numbers(const char *dir, pid_t **ret, size_t *ret_n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	pid_t *arr = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *e;
		long v = strtol(de->d_name, &e, 10);
		if (*e || e == de->d_name || v < 0)
			continue;
		r = push_pid(&arr, &n, &cap, (pid_t)v);
		if (r < 0)
			break;
	}
	closedir(d);
	if (r < 0) {
		free(arr);
		return r;
	}
	if (n)
		qsort(arr, n, sizeof(*arr), pid_cmp);
	*ret = arr;
	*ret_n = n;
	return 0;
}

int list_children(pid_t pid, pid_t **ret, size_t *ret_n)
{
	_cleanup_free_ pid_t *tasks = NULL;
	pid_t *arr = NULL;
	size_t ntasks, n = 0, cap = 0, k = 0;
	char dir[64];
	int r;

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	r = list_numbers(dir, &tasks, &ntasks);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ntasks; i++) {
		_cleanup_free_ char *text = NULL;
		const char *p;

		if (read_textf(&text, NULL, "/proc/%d/task/%d/children", pid, tasks[i]) < 0)
			continue; /* the thread is gone */
		for (p = text; *p;) {
			char *e;
			long v = strtol(p, &e, 10);
			if (e == p)
				break;
			r = push_pid(&arr, &n, &cap, (pid_t)v);
			if (r < 0) {
				free(arr);
				return r;
			}
			p = e;
		}
	}
	if (n) {
		qsort(arr, n, sizeof(*arr), pid_cmp);
		for (size_t i = 0; i < n; i++)
			if (i == 0 || arr[i] != arr[k - 1])
				arr[k++] = arr[i];
	}
	*ret = arr;
	*ret_n = k;
	return 0;
}

int ns_inode(pid_t pid, const char *ns, uint64_t *ret)
{
	char path[96];
	struct stat st;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	if (stat(path, &st) < 0)
		return -errno;
	*ret = st.st_ino;
	return 0;
}
