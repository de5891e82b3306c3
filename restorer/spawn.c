/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tree's processes are copies of the resumer. Each copy is created by
 * the copy that is its parent in the image, with clone3 and set_tid, so it
 * has its PID at every namespace level and its real parent. A copy then
 * sets what only the process itself can (session, group, namespace for
 * its children, working directory, umask, handlers, fds) and waits, all
 * signals blocked, for the resumer to take it over with ptrace. */

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "restorer.h"

static void report(struct rs *s, size_t i, uint32_t what, int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void report(struct rs *s, size_t i, uint32_t what, int err, const char *fmt, ...)
{
	struct rmsg m = { .proc = (uint32_t)i, .what = what, .err = err };
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(m.text, sizeof(m.text), fmt, ap);
		va_end(ap);
	}
	if (write(s->status_wr, &m, sizeof(m)) != (ssize_t)sizeof(m))
		_exit(127);
}

static __attribute__((noreturn)) void die(struct rs *s, size_t i, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static __attribute__((noreturn)) void die(struct rs *s, size_t i, int err, const char *fmt, ...)
{
	struct rmsg m = { .proc = (uint32_t)i, .what = RMSG_ERROR, .err = err };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	if (write(s->status_wr, &m, sizeof(m)) < 0)
		_exit(126);
	_exit(127);
}

static void be_zombie(int32_t status)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t one;

	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		/* No core, not even to a core_pattern pipe. */
		setrlimit(RLIMIT_CORE, &no_core);
		prctl(PR_SET_DUMPABLE, 0);
		signal(sig, SIG_DFL);
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		raise(sig);
		_exit(128 + sig);
	}
	_exit(WEXITSTATUS(status));
}


static void restore_state(struct rs *s, size_t i)
{
	const struct s3img_proc_process *p = &s->img->procs[i];
	int next = 0;

	if (p->cwd && chdir(p->cwd) < 0)
		die(s, i, -errno, "pid %d: cannot enter its working directory %s: %s", p->pid[0], p->cwd,
		    strerror(errno));
	if (p->root && strcmp(p->root, "/") && chroot(p->root) < 0)
		die(s, i, -errno, "pid %d: cannot change its root to %s: %s", p->pid[0], p->root, strerror(errno));
	umask(p->umask & 0777);
	if (personality(p->personality) < 0)
		die(s, i, -errno, "pid %d: personality 0x%x: %s", p->pid[0], p->personality, strerror(errno));
	if ((p->flags & S3IMG_PROC_SUBREAPER) && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die(s, i, -errno, "pid %d: child subreaper: %s", p->pid[0], strerror(errno));
	for (int sig = 1; sig <= S3IMG_PROC_NSIG; sig++) {
		const struct s3img_proc_sigaction *sa = &p->sigactions[sig - 1];
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* struct kernel_sigaction is the record's layout. */
		if (syscall(SYS_rt_sigaction, sig, sa, NULL, 8) < 0 && sa->handler)
			die(s, i, -errno, "pid %d: handler of signal %d: %s", p->pid[0], sig, strerror(errno));
	}
	for (size_t k = 0; k < p->nfds; k++) {
		const struct s3img_proc_fd *fd = &p->fds[k];
		int src = s->file_fd[fd->file];
		if (src < 0 || dup3(src, fd->fd, (fd->fd_flags & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0)
			die(s, i, -errno, "pid %d: fd %d: %s", p->pid[0], fd->fd, strerror(errno));
	}
	/* Every fd below the pool that the process did not have (fds are
	 * sorted). */
	for (size_t k = 0; k <= p->nfds; k++) {
		int end = k < p->nfds ? p->fds[k].fd : s->base;
		if (end > next)
			syscall(SYS_close_range, next, end - 1, 0);
		next = end + 1;
	}
}

static void child_main(struct rs *s, size_t i, pid_t creator) __attribute__((noreturn));

/* Which pass creates child c of p: 0 its own namespace, 1 a namespace it
 * makes with CLONE_NEWPID, 2 the namespace for children it unshared (the
 * init first, as unshare then fork made it). */
static int child_pass(const struct s3img_proc_process *p, const struct s3img_proc_process *c)
{
	if (c->pidns == p->pidns)
		return 0;
	if (c->pidns != p->pidns_for_children)
		return 1;
	return c->pid[c->nlevels - 1] == 1 ? 2 : 3;
}

static int make_child(struct rs *s, size_t i, size_t j, bool *unshared)
{
	const struct s3img_proc_process *p = &s->img->procs[i], *c = &s->img->procs[j];
	unsigned long flags = 0;
	pid_t r;

	if (child_pass(p, c) == 1) {
		flags = CLONE_NEWPID;
	} else if (child_pass(p, c) >= 2 && !*unshared) {
		if (unshare(CLONE_NEWPID) < 0)
			return -errno;
		*unshared = true;
	}
	r = spawn_process(s, j, flags);
	return r < 0 ? (int)r : 0;
}

/* The kernel gives random PIDs to levels set_tid leaves out: make sure
 * every level is the one asked for. */
static void check_nspid(struct rs *s, size_t i)
{
	const struct s3img_proc_process *p = &s->img->procs[i];
	char buf[4096], *l;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	l = strstr(buf, "\nNSpid:");
	if (l)
		l += 7;
	for (int k = 0; l && k < s->level_off; k++)
		strtol(l, &l, 10);
	for (uint32_t k = 0; l && k < p->nlevels; k++) {
		long v = strtol(l, &l, 10);
		if (v != p->pid[k])
			die(s, i, -EEXIST, "pid %d was created with PID %ld at level %u, not %d", p->pid[0], v, k, p->pid[k]);
	}
	if (!l)
		die(s, i, -EIO, "pid %d: no NSpid in /proc/self/status", p->pid[0]);
}

static void child_main(struct rs *s, size_t i, pid_t creator)
{
	const struct s3img_proc_image *img = s->img;
	const struct s3img_proc_process *p = &img->procs[i];
	bool unshared = false, join_later = false;
	int nsfd = -1;
	sigset_t all;
	char c;

	close(s->go_wr);
	close(s->status_rd);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* Until it is rebuilt, a copy dies with the copy that made it; if that
	 * one is already gone, at once (the parent of a namespace's init is
	 * not visible from it: 0). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != creator && getppid() != 0)
		_exit(127);
	check_nspid(s, i);
	if (p->sid[0] == p->pid[0]) {
		if (setsid() < 0)
			die(s, i, -errno, "pid %d: setsid: %s", p->pid[0], strerror(errno));
	} else if (p->pgid[0] == p->pid[0]) {
		if (setpgid(0, 0) < 0)
			die(s, i, -errno, "pid %d: setpgid: %s", p->pid[0], strerror(errno));
	} else if (!(p->flags & S3IMG_PROC_PGID_OUTSIDE) && p->pgid[p->nlevels - 1]) {
		/* The leader may not exist yet: then after the barrier. */
		join_later = setpgid(0, p->pgid[p->nlevels - 1]) < 0;
	}
	for (int pass = 0; pass < 4; pass++)
		for (size_t j = i + 1; j < img->nprocs; j++) {
			if (img->procs[j].parent != i || child_pass(p, &img->procs[j]) != pass)
				continue;
			if (make_child(s, i, j, &unshared) < 0)
				_exit(127); /* spawn_process reported it */
		}
	if (p->pidns_for_children != p->pidns && !unshared) {
		if (unshare(CLONE_NEWPID) < 0)
			die(s, i, -errno, "pid %d: unshare(CLONE_NEWPID): %s", p->pid[0], strerror(errno));
		unshared = true;
	}
	/* CLONE_THREAD is refused while the namespace for children differs
	 * from the own one: back to the own until the threads exist (the
	 * resumer then sets it again through this fd, closed with the pool). */
	if (unshared && p->nthreads > 1) {
		int own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		int kids = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
		nsfd = kids < 0 ? -1 : fcntl(kids, F_DUPFD_CLOEXEC, s->base);
		if (own < 0 || nsfd < 0 || setns(own, CLONE_NEWPID) < 0)
			die(s, i, -errno, "pid %d: its namespace for children: %s", p->pid[0], strerror(errno));
		close(own);
		close(kids);
	}
	report(s, i, RMSG_CREATED, nsfd, NULL);
	/* The barrier: every process exists when the resumer closes go_wr. */
	while (read(s->go_rd, &c, 1) > 0)
		;
	if (join_later && setpgid(0, p->pgid[p->nlevels - 1]) < 0)
		die(s, i, -errno, "pid %d: cannot join process group %d: %s", p->pid[0], p->pgid[0], strerror(errno));
	if (p->state == S3IMG_PROC_ZOMBIE) {
		report(s, i, RMSG_READY, 0, NULL);
		be_zombie(p->exit_status);
	}
	/* Its zombie children exit before its handlers are set (SIG_IGN for
	 * SIGCHLD would have them reaped at once). */
	for (size_t j = i + 1; j < img->nprocs; j++) {
		const struct s3img_proc_process *z = &img->procs[j];
		siginfo_t si;
		if (z->parent == i && z->state == S3IMG_PROC_ZOMBIE &&
		    waitid(P_PID, (id_t)z->pid[p->nlevels - 1], &si, WEXITED | WNOWAIT) < 0)
			die(s, i, -errno, "pid %d: its zombie child %d: %s", p->pid[0], z->pid[0], strerror(errno));
	}
	restore_state(s, i);
	report(s, i, RMSG_READY, 0, NULL);
	for (;;)
		pause();
}

pid_t spawn_process(struct rs *s, size_t i, unsigned long clone_flags)
{
	const struct s3img_proc_process *p = &s->img->procs[i];
	struct clone_args ca = { .flags = clone_flags, .exit_signal = SIGCHLD };
	pid_t tids[S3IMG_PROC_MAX_LEVELS];
	long r;

	/* set_tid: the innermost namespace first. */
	for (uint32_t k = 0; k < p->nlevels; k++)
		tids[k] = p->pid[p->nlevels - 1 - k];
	ca.set_tid = (uint64_t)(uintptr_t)tids;
	ca.set_tid_size = p->nlevels;
	pid_t creator = getpid();

	r = syscall(SYS_clone3, &ca, sizeof(ca));
	if (r == 0)
		child_main(s, i, creator);
	if (r < 0) {
		int e = errno;
		if (e == EEXIST)
			report(s, i, RMSG_ERROR, -e,
			       "cannot recreate pid %d (%s): a PID it had is taken by another process%s",
			       p->pid[0], p->comm, kill(p->pid[0], 0) == 0 || errno == EPERM ? " (this one)" : "");
		else
			report(s, i, RMSG_ERROR, -e, "cannot recreate pid %d (%s): clone3: %s", p->pid[0], p->comm,
			       strerror(e));
		return -e;
	}
	return (pid_t)r;
}
