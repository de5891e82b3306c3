/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-process and per-thread state: /proc, ptrace, and injected syscalls.
 * check_process() refuses what a resume could not recreate; it runs on the
 * live tree before anything is touched, and again once it is frozen. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <linux/nsfs.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "process.h"

#define PF_KTHREAD 0x00200000


/* /proc/PID/limits: a header, then one line per RLIMIT_* in order, the
 * soft and hard values from column 26 ("unlimited" or a number). */
static int read_limits(pid_t pid, uint64_t (*out)[2])
{
	_cleanup_free_ char *text = NULL;
	char *l;
	int res = 0;

	if (read_textf(&text, NULL, "/proc/%d/limits", pid) < 0)
		return -1;
	l = strchr(text, '\n');
	while (l && res < S3IMG_PROC_NRLIMITS) {
		char *v = ++l, *end;
		if (strlen(v) < 26)
			break;
		v += 26;
		for (int k = 0; k < 2; k++) {
			while (*v == ' ')
				v++;
			if (!strncmp(v, "unlimited", 9)) {
				out[res][k] = UINT64_MAX;
				v += 9;
			} else {
				out[res][k] = strtoull(v, &end, 10);
				if (end == v)
					return -1;
				v = end;
			}
		}
		res++;
		l = strchr(l, '\n');
	}
	errno = EPERM;
	return res == S3IMG_PROC_NRLIMITS ? 0 : -1;
}

static const char *const other_namespaces[] = { "mnt", "net", "uts", "ipc", "user", "cgroup", "time" };

/* ---- checks ----------------------------------------------------------- */

static bool is_ancestor_of_self(pid_t pid)
{
	pid_t cur = getpid();

	for (int depth = 0; cur > 1 && depth < 4096; depth++) {
		struct proc_stat st;
		if (cur == pid)
			return true;
		if (proc_stat_read(cur, 0, &st) < 0)
			return false;
		cur = st.ppid;
	}
	return cur == pid;
}

static int check_namespaces(pid_t pid, struct s3img_diag *diag)
{
	for (size_t i = 0; i < ARRAY_SIZE(other_namespaces); i++) {
		uint64_t mine, theirs;
		if (ns_inode(0, other_namespaces[i], &mine) < 0 ||
		    ns_inode(pid, other_namespaces[i], &theirs) < 0)
			continue; /* namespace type not built in */
		if (mine != theirs)
			return unsupported(diag, pid, "in another %s namespace than suspend3: not supported",
					   other_namespaces[i]);
	}
	return 0;
}

int check_process(struct tree *t, struct proc *p, struct s3img_diag *diag)
{
	_cleanup_free_ char *status = NULL, *timers = NULL;
	struct proc_stat st;
	uint64_t v;
	size_t len;
	const char *f;
	int r;

	if (p->pid == getpid() || is_ancestor_of_self(p->pid))
		return fail(diag, -EINVAL, "pid %d: suspend3 itself runs in this tree", p->pid);
	if (p->pid == 1)
		return fail(diag, -EINVAL, "pid 1 cannot be suspended");
	r = proc_stat_read(p->pid, 0, &st);
	if (r < 0)
		return fail(diag, r, "pid %d: %s", p->pid, strerror(-r));
	if (st.flags & PF_KTHREAD)
		return unsupported(diag, p->pid, "a kernel thread cannot be suspended");
	if (p->zombie)
		return 0;
	r = read_textf(&status, NULL, "/proc/%d/status", p->pid);
	if (r < 0)
		return fail(diag, r, "pid %d: %s", p->pid, strerror(-r));
	if (status_u64(status, "TracerPid", 10, &v) == 0 && v != 0 && (pid_t)v != getpid())
		return unsupported(diag, p->pid, "it is being traced by pid %llu: not supported",
				   (unsigned long long)v);
	if ((st.state == 'T' || st.state == 't') && status_u64(status, "TracerPid", 10, &v) == 0 && v == 0)
		return unsupported(diag, p->pid, "it is stopped (job control): not supported");
	if (status_u64(status, "Seccomp", 10, &v) == 0 && v != 0)
		return unsupported(diag, p->pid, "it runs under seccomp (mode %llu): not supported",
				   (unsigned long long)v);
	if ((f = status_field(status, "x86_Thread_features", &len)) && memmem(f, len, "shstk", 5))
		return unsupported(diag, p->pid, "it uses a shadow stack: not supported");
	r = check_namespaces(p->pid, diag);
	if (r < 0)
		return r;
	if (read_textf(&timers, NULL, "/proc/%d/timers", p->pid) == 0 && timers[0])
		return unsupported(diag, p->pid, "it has POSIX timers (timer_create): not supported");
	if (!t->opts->shell_job) {
		if (st.tty_nr != 0)
			return unsupported(diag, p->pid,
					   "it has a controlling terminal (use --shell-job for a job of a shell)");
		if (!tree_find(t, st.session))
			return unsupported(diag, p->pid,
					   "its session leader (pid %d) is outside the tree (use --shell-job, or start it with setsid)",
					   st.session);
		if (!tree_find(t, st.pgrp))
			return unsupported(diag, p->pid,
					   "its process group leader (pid %d) is outside the tree (use --shell-job, or start it with setsid)",
					   st.pgrp);
	}
	return 0;
}

/* ---- PID namespaces ------------------------------------------------------ */

static int pidns_add(struct s3img_proc_image *img, uint64_t ino, uint32_t level, uint32_t parent,
		     uint32_t *ret)
{
	struct s3img_proc_pidns *a;

	for (size_t i = 0; i < img->npidns; i++)
		if (img->pidns[i].ino == ino) {
			*ret = (uint32_t)i;
			return 0;
		}
	a = realloc(img->pidns, (img->npidns + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	img->pidns = a;
	a[img->npidns] = (struct s3img_proc_pidns){ .ino = ino, .level = level, .parent = parent };
	*ret = (uint32_t)img->npidns++;
	return 0;
}

/* Index of the namespace /proc/PID/ns/WHICH, adding it and its ancestors
 * up to suspend3's own. */
static int pidns_index(struct tree *t, pid_t pid, const char *which, uint32_t *ret,
		       struct s3img_diag *diag)
{
	uint64_t chain[S3IMG_PROC_MAX_LEVELS];
	size_t n = 0;
	uint32_t parent = 0;
	char path[96];
	int fd, r;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, which);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(diag, -errno, "pid %d: cannot open its PID namespace: %m", pid);
	for (;;) {
		struct stat st;
		int up;

		if (fstat(fd, &st) < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		if (st.st_ino == t->img->pidns[0].ino)
			break;
		if (n >= ARRAY_SIZE(chain)) {
			close(fd);
			return fail(diag, -ELOOP, "pid %d: PID namespaces nested too deep", pid);
		}
		chain[n++] = st.st_ino;
		up = ioctl(fd, NS_GET_PARENT);
		close(fd);
		if (up < 0)
			return unsupported(diag, pid, "its PID namespace is not below suspend3's");
		fd = up;
	}
	close(fd);
	/* Outermost first, so that parents get lower indexes. */
	for (size_t k = n; k-- > 0;) {
		r = pidns_add(t->img, chain[k], (uint32_t)(n - k), parent, &parent);
		if (r < 0)
			return r;
	}
	*ret = parent;
	return 0;
}

int collect_namespaces(struct tree *t, struct s3img_diag *diag)
{
	uint64_t mine;
	int r;

	r = ns_inode(0, "pid", &mine);
	if (r < 0)
		return fail(diag, r, "cannot read suspend3's PID namespace: %s", strerror(-r));
	t->img->pidns = calloc(1, sizeof(*t->img->pidns));
	if (!t->img->pidns)
		return -ENOMEM;
	t->img->pidns[0] = (struct s3img_proc_pidns){ .ino = mine, .parent = S3IMG_PROC_NO_INDEX };
	t->img->npidns = 1;
	return 0;
}

/* ---- the process ------------------------------------------------------------ */

static int levels_read(const char *status, const char *key, int32_t *out, uint32_t *ret_n)
{
	int64_t v[S3IMG_PROC_MAX_LEVELS];
	size_t n;
	int r = status_numbers(status, key, 10, v, ARRAY_SIZE(v), &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		out[i] = (int32_t)v[i];
	if (ret_n)
		*ret_n = (uint32_t)n;
	return 0;
}

static int read_creds(pid_t pid, const char *status, struct s3img_proc_creds *c)
{
	static const char *const caps[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	uint64_t *capv[] = { &c->cap_inh, &c->cap_prm, &c->cap_eff, &c->cap_bnd, &c->cap_amb };
	int64_t v[4], g[65536 / 64];
	size_t n;
	int r;

	(void)pid;
	if (status_numbers(status, "Uid", 10, v, 4, &n) < 0 || n != 4)
		return -EBADMSG;
	for (int i = 0; i < 4; i++)
		c->uid[i] = (uint32_t)v[i];
	if (status_numbers(status, "Gid", 10, v, 4, &n) < 0 || n != 4)
		return -EBADMSG;
	for (int i = 0; i < 4; i++)
		c->gid[i] = (uint32_t)v[i];
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++)
		if (status_u64(status, caps[i], 16, capv[i]) < 0)
			*capv[i] = 0;
	r = status_numbers(status, "Groups", 10, g, ARRAY_SIZE(g), &n);
	if (r == -E2BIG)
		return r;
	if (r == 0 && n) {
		c->groups = calloc(n, sizeof(*c->groups));
		if (!c->groups)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			c->groups[i] = (uint32_t)g[i];
		c->ngroups = n;
	}
	return 0;
}

static int read_path_link(pid_t pid, const char *what, char **ret, struct s3img_diag *diag)
{
	_cleanup_free_ char *link = NULL;
	struct stat a, b;
	char path[96];
	int r;

	r = readlinkf(&link, "/proc/%d/%s", pid, what);
	if (r < 0)
		return fail(diag, r, "pid %d: cannot read its %s: %s", pid, what, strerror(-r));
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	if (link[0] != '/' || stat(path, &a) < 0 || stat(link, &b) < 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino)
		return unsupported(diag, pid, "its %s '%s' was deleted or replaced: not supported", what, link);
	*ret = TAKE_PTR(link);
	return 0;
}

static void read_cmdline(pid_t pid, struct s3img_proc_process *m)
{
	_cleanup_free_ char *c = NULL;
	size_t len;

	if (read_textf(&c, &len, "/proc/%d/cmdline", pid) < 0)
		return;
	while (len > 0 && c[len - 1] == 0)
		len--;
	c[len] = 0;
	for (size_t i = 0; i < len; i++)
		if (c[i] == 0 || c[i] == '\n')
			c[i] = ' ';
	m->cmdline = TAKE_PTR(c);
}

static int read_auxv(pid_t pid, struct s3img_proc_mm *mm)
{
	_cleanup_free_ char *a = NULL;
	size_t len;
	int r = read_textf(&a, &len, "/proc/%d/auxv", pid);

	if (r < 0)
		return r;
	len -= len % 16;
	if (len > 1024 * 8)
		return -E2BIG;
	if (!len)
		return 0;
	mm->auxv = malloc(len);
	if (!mm->auxv)
		return -ENOMEM;
	memcpy(mm->auxv, a, len);
	mm->nauxv = len / 8;
	return 0;
}

static uint32_t proc_index(struct tree *t, pid_t pid)
{
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].pid == pid)
			return (uint32_t)i;
	return S3IMG_PROC_NO_INDEX;
}

static int collect_zombie(struct tree *t, size_t i, const struct proc_stat *st,
			  struct s3img_diag *diag)
{
	struct s3img_proc_process *m = &t->img->procs[i];
	const struct s3img_proc_process *parent = &t->img->procs[m->parent];

	/* /proc/PID/ns is gone with the task: the zombie lives in its parent's
	 * namespace for children (or, after setns, in its parent's own). */
	m->state = S3IMG_PROC_ZOMBIE;
	m->exit_status = st->exit_code;
	if (t->img->pidns[parent->pidns_for_children].level == m->nlevels - 1)
		m->pidns = parent->pidns_for_children;
	else if (t->img->pidns[parent->pidns].level == m->nlevels - 1)
		m->pidns = parent->pidns;
	else
		return unsupported(diag, t->procs[i].pid, "a zombie in an unknown PID namespace");
	m->pidns_for_children = m->pidns;
	return 0;
}

int collect_process(struct tree *t, size_t i, struct s3img_diag *diag)
{
	struct proc *p = &t->procs[i];
	struct s3img_proc_process *m = &t->img->procs[i];
	_cleanup_free_ char *status = NULL, *text = NULL;
	struct proc_stat st;
	uint64_t v;
	int r;

	r = proc_stat_read(p->pid, 0, &st);
	if (r == 0)
		r = read_textf(&status, NULL, "/proc/%d/status", p->pid);
	if (r < 0)
		return fail(diag, r, "pid %d: %s", p->pid, strerror(-r));
	/* The parent now: a process reparented during the freeze counts. */
	p->ppid = st.ppid;
	m->parent = i == 0 ? S3IMG_PROC_NO_INDEX : proc_index(t, p->ppid);
	if (i > 0 && m->parent >= i)
		return fail(diag, -EINVAL, "pid %d: its parent %d left the tree while it was being frozen",
			    p->pid, p->ppid);
	memcpy(m->comm, p->comm, sizeof(m->comm));
	if (levels_read(status, "NSpid", m->pid, &m->nlevels) < 0 || m->nlevels < 1 ||
	    m->pid[0] != p->pid)
		return fail(diag, -EBADMSG, "pid %d: cannot read NSpid (is /proc mounted for suspend3's PID namespace?)",
			    p->pid);
	levels_read(status, "NSpgid", m->pgid, NULL);
	levels_read(status, "NSsid", m->sid, NULL);
	if (!tree_find(t, st.session))
		m->flags |= S3IMG_PROC_SID_OUTSIDE;
	if (!tree_find(t, st.pgrp))
		m->flags |= S3IMG_PROC_PGID_OUTSIDE;
	m->mm.exe_file = S3IMG_PROC_NO_INDEX;
	if (p->zombie)
		return collect_zombie(t, i, &st, diag);
	m->state = S3IMG_PROC_ALIVE;
	r = pidns_index(t, p->pid, "pid", &m->pidns, diag);
	if (r == 0)
		r = pidns_index(t, p->pid, "pid_for_children", &m->pidns_for_children, diag);
	if (r < 0)
		return r;
	read_cmdline(p->pid, m);
	r = read_path_link(p->pid, "cwd", &m->cwd, diag);
	if (r == 0)
		r = read_path_link(p->pid, "root", &m->root, diag);
	if (r == 0)
		r = read_path_link(p->pid, "exe", &m->mm.exe, diag);
	if (r < 0)
		return r;
	if (status_u64(status, "Umask", 8, &v) == 0)
		m->umask = (uint32_t)v;
	if (status_u64(status, "NoNewPrivs", 10, &v) == 0 && v)
		m->flags |= S3IMG_PROC_NO_NEW_PRIVS;
	if (read_creds(p->pid, status, &m->creds) < 0)
		return fail(diag, -EBADMSG, "pid %d: cannot parse its credentials", p->pid);
	if (read_textf(&text, NULL, "/proc/%d/personality", p->pid) == 0)
		m->personality = (uint32_t)strtoul(text, NULL, 16);
	free(text);
	text = NULL;
	if (read_textf(&text, NULL, "/proc/%d/oom_score_adj", p->pid) == 0)
		m->oom_score_adj = (int32_t)strtol(text, NULL, 10);
	for (int res = 0; res < S3IMG_PROC_NRLIMITS; res++) {
		struct rlimit rl;
		if (prlimit(p->pid, res, NULL, &rl) < 0) {
			/* Another user's process without CAP_SYS_RESOURCE: /proc. */
			if (errno != EPERM || read_limits(p->pid, m->rlimits) < 0)
				return fail(diag, -errno, "pid %d: cannot read its resource limits: %m", p->pid);
			break;
		}
		m->rlimits[res][0] = rl.rlim_cur;
		m->rlimits[res][1] = rl.rlim_max;
	}
	m->mm.start_code = st.start_code;
	m->mm.end_code = st.end_code;
	m->mm.start_stack = st.start_stack;
	m->mm.start_data = st.start_data;
	m->mm.end_data = st.end_data;
	m->mm.start_brk = st.start_brk;
	m->mm.arg_start = st.arg_start;
	m->mm.arg_end = st.arg_end;
	m->mm.env_start = st.env_start;
	m->mm.env_end = st.env_end;
	r = read_auxv(p->pid, &m->mm);
	if (r < 0)
		return fail(diag, r, "pid %d: cannot read its auxv: %s", p->pid, strerror(-r));
	{
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", p->pid);
		p->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (p->mem_fd < 0)
			return fail(diag, -errno, "pid %d: cannot open its memory: %m", p->pid);
	}
	return 0;
}

/* ---- resources shared between processes ------------------------------- */

struct kcmp_ctx {
	const struct tree *t;
	int type;
};

static int kcmp_order(const void *a, const void *b, void *arg)
{
	const struct kcmp_ctx *c = arg;
	pid_t x = c->t->procs[*(const size_t *)a].pid, y = c->t->procs[*(const size_t *)b].pid;
	long r = syscall(SYS_kcmp, x, y, c->type, 0, 0);

	/* 0 equal, 1 less, 2 greater: the kernel's own order of the objects. */
	return r == 0 ? 0 : r == 1 ? -1 : r == 2 ? 1 : (x > y) - (x < y);
}

/* Processes that share their memory (vfork, CLONE_VM), their fd table,
 * their signal handlers or their cwd/umask as threads do: a resume makes
 * separate processes, so these are refused. Sorting by kcmp's order puts
 * sharers next to each other. */
int check_shared(struct tree *t, struct s3img_diag *diag)
{
	static const struct {
		int type;
		const char *what;
	} kinds[] = {
		{ KCMP_VM, "memory (vfork or CLONE_VM)" },
		{ KCMP_FILES, "file descriptor table (CLONE_FILES)" },
		{ KCMP_SIGHAND, "signal handlers (CLONE_SIGHAND)" },
		{ KCMP_FS, "working directory and umask (CLONE_FS)" },
	};
	_cleanup_free_ size_t *idx = calloc(t->nprocs, sizeof(*idx));
	size_t n = 0;

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < t->nprocs; i++)
		if (!t->procs[i].zombie)
			idx[n++] = i;
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct kcmp_ctx c = { t, kinds[k].type };

		qsort_r(idx, n, sizeof(*idx), kcmp_order, &c);
		for (size_t i = 1; i < n; i++)
			if (kcmp_order(&idx[i - 1], &idx[i], &c) == 0)
				return unsupported(diag, t->procs[idx[i]].pid, "it shares its %s with pid %d: not supported",
						   kinds[k].what, t->procs[idx[i - 1]].pid);
	}
	return 0;
}
