/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The process tree: found through /proc/PID/task/TID/children, frozen
 * with PTRACE_SEIZE + PTRACE_INTERRUPT on every thread (repeated until a
 * pass finds no new thread and no new child, so that processes forked
 * while we froze their parents are caught), then thawed or killed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"

#define MAX_PROCS (1u << 16)

void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->nprocs; i++) {
		free(t->procs[i].tasks);
		free(t->procs[i].vma_scan);
		if (t->procs[i].mem_fd >= 0)
			close(t->procs[i].mem_fd);
	}
	free(t->procs);
	t->procs = NULL;
	t->nprocs = 0;
}

struct proc *tree_find(struct tree *t, pid_t pid)
{
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].pid == pid)
			return &t->procs[i];
	return NULL;
}

static int tree_add(struct tree *t, pid_t pid, pid_t ppid, struct s3img_diag *diag)
{
	struct proc_stat st;
	struct proc *p;
	int r;

	if (t->nprocs >= MAX_PROCS)
		return fail(diag, -E2BIG, "the tree has more than %u processes", MAX_PROCS);
	r = proc_stat_read(pid, 0, &st);
	if (r < 0)
		return r; /* gone already */
	p = realloc(t->procs, (t->nprocs + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	t->procs = p;
	p = &t->procs[t->nprocs++];
	*p = (struct proc){ .pid = pid, .ppid = ppid, .zombie = st.state == 'Z' || st.state == 'X',
			    .mem_fd = -1 };
	{
		_cleanup_free_ char *c = NULL;
		if (read_textf(&c, NULL, "/proc/%d/comm", pid) == 0)
			snprintf(p->comm, sizeof(p->comm), "%.*s", (int)strcspn(c, "\n"), c);
	}
	return 0;
}

/* Add the children of procs[i] not known yet; *ret_added counts them. */
static int add_children(struct tree *t, size_t i, size_t *ret_added, struct s3img_diag *diag)
{
	_cleanup_free_ pid_t *kids = NULL;
	size_t n;
	pid_t parent = t->procs[i].pid;
	int r;

	if (t->procs[i].zombie)
		return 0;
	r = list_children(parent, &kids, &n);
	if (r < 0)
		return r == -ENOENT || r == -ESRCH ? 0 : r;
	for (size_t k = 0; k < n; k++) {
		if (tree_find(t, kids[k]))
			continue;
		r = tree_add(t, kids[k], parent, diag);
		if (r == -ENOENT || r == -ESRCH)
			continue;
		if (r < 0)
			return r;
		(*ret_added)++;
	}
	return 0;
}

int tree_scan(struct tree *t, pid_t root, struct s3img_diag *diag)
{
	size_t added = 0;
	int r;

	r = tree_add(t, root, 0, diag);
	if (r < 0)
		return fail(diag, r, "pid %d: %s", root, r == -ENOENT ? "no such process" : strerror(-r));
	for (size_t i = 0; i < t->nprocs; i++) {
		r = add_children(t, i, &added, diag);
		if (r < 0)
			return fail(diag, r, "cannot list the children of pid %d: %s", t->procs[i].pid,
				    strerror(-r));
	}
	return 0;
}

/* waitpid() for tid, giving up after STOP_TIMEOUT_MS: a thread in an
 * uninterruptible sleep (a vfork parent, a hung NFS server) never stops. */
#define STOP_TIMEOUT_MS 10000

static int wait_timed(pid_t tid, int *st)
{
	long slept_us = 0, step = 20;

	for (;;) {
		pid_t w = waitpid(tid, st, __WALL | WNOHANG);
		if (w == tid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (slept_us >= STOP_TIMEOUT_MS * 1000L)
			return -ETIMEDOUT;
		usleep((useconds_t)step);
		slept_us += step;
		if (step < 10000)
			step *= 2;
	}
}

int wait_interrupt_stop(pid_t tid)
{
	for (int rounds = 0; rounds < 1000; rounds++) {
		int st, sig, event, r;

		r = wait_timed(tid, &st);
		if (r < 0)
			return r;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return -ESRCH;
		if (!WIFSTOPPED(st))
			continue;
		sig = WSTOPSIG(st);
		event = st >> 16;
		if (event == PTRACE_EVENT_STOP) {
			if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
				return 1; /* a job-control stop */
			return 0;
		}
		/* A signal on its way in (or a syscall stop left from an
		 * injection): let it go on; the interrupt is still pending. */
		if (ptrace(PTRACE_CONT, tid, 0, (sig & 0x80) || event ? 0 : sig) < 0)
			return -errno;
	}
	return -ETIMEDOUT;
}

static int seize_task(struct proc *p, pid_t tid, struct s3img_diag *diag)
{
	struct task *tk;
	int r;

	tk = realloc(p->tasks, (p->ntasks + 1) * sizeof(*tk));
	if (!tk)
		return -ENOMEM;
	p->tasks = tk;
	tk = &p->tasks[p->ntasks];
	*tk = (struct task){ .tid = tid };
	if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD) < 0) {
		r = -errno;
		if (r == -ESRCH)
			return r; /* exited meanwhile */
		if (r == -EPERM)
			return unsupported(diag, p->pid, "thread %d cannot be traced (already traced, or not permitted)",
					   tid);
		return fail(diag, r, "cannot attach to thread %d of pid %d: %s", tid, p->pid, strerror(-r));
	}
	p->ntasks++;
	tk->seized = true;
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
		return fail(diag, -errno, "cannot interrupt thread %d of pid %d: %m", tid, p->pid);
	r = wait_interrupt_stop(tid);
	if (r == -ESRCH) {
		tk->seized = false;
		return r;
	}
	if (r == -ETIMEDOUT)
		return unsupported(diag, p->pid, "thread %d did not stop within %d s (uninterruptible sleep?)", tid,
				   STOP_TIMEOUT_MS / 1000);
	if (r < 0)
		return fail(diag, r, "thread %d of pid %d did not stop: %s", tid, p->pid, strerror(-r));
	tk->group_stopped = r == 1;
	return 0;
}

/* A process not stopped yet that could not be seized: exited (-ESRCH),
 * or a zombie now; *p is updated for the latter. */
static int vanished(struct proc *p)
{
	struct proc_stat st;

	if (p->ntasks > 0 || proc_stat_read(p->pid, 0, &st) < 0)
		return p->ntasks > 0 ? 0 : -ESRCH;
	if (st.state == 'Z' || st.state == 'X') {
		p->zombie = true;
		return 1;
	}
	return 0;
}

/* Seize the threads of p not seized yet; *ret_added counts them. A process
 * seen as a child that exits or dies before we hold it is marked gone or
 * zombie (it ran no more of the tree's code than if we had come later). */
static int freeze_threads(struct proc *p, size_t *ret_added, struct s3img_diag *diag)
{
	for (;;) {
		_cleanup_free_ pid_t *tids = NULL;
		size_t n, before = *ret_added;
		char dir[64];
		int r;

		snprintf(dir, sizeof(dir), "/proc/%d/task", p->pid);
		r = list_numbers(dir, &tids, &n);
		if (r < 0 && p->ntasks == 0) {
			p->gone = true;
			return 0;
		}
		if (r < 0)
			return fail(diag, -ESRCH, "pid %d (%s) exited while the tree was being frozen",
				    p->pid, p->comm);
		for (size_t k = 0; k < n; k++) {
			bool known = false;
			for (size_t j = 0; j < p->ntasks; j++)
				known |= p->tasks[j].tid == tids[k];
			if (known)
				continue;
			r = seize_task(p, tids[k], diag);
			if ((r == -ESRCH || r == -EOPNOTSUPP) && tids[k] == p->pid && p->ntasks == 0) {
				int v = vanished(p);
				if (v == 1)
					return 0;
				if (v == -ESRCH) {
					p->gone = true;
					return 0;
				}
			}
			if (r == -ESRCH && tids[k] != p->pid)
				continue;
			if (r == -ESRCH)
				return fail(diag, r, "pid %d (%s) exited while the tree was being frozen",
					    p->pid, p->comm);
			if (r < 0)
				return r;
			(*ret_added)++;
		}
		if (*ret_added == before)
			return 0;
	}
}

/* Drop the processes that went away before they could be held. */
static void tree_compact(struct tree *t)
{
	size_t k = 0;

	for (size_t i = 0; i < t->nprocs; i++) {
		if (t->procs[i].gone) {
			free(t->procs[i].tasks);
			continue;
		}
		t->procs[k++] = t->procs[i];
	}
	t->nprocs = k;
}

int tree_freeze(struct tree *t, pid_t root, struct s3img_diag *diag)
{
	size_t added;
	int r;

	tree_free(t);
	r = tree_add(t, root, 0, diag);
	if (r < 0)
		return fail(diag, r, "pid %d: %s", root, strerror(-r));
	do {
		added = 0;
		for (size_t i = 0; i < t->nprocs; i++) {
			if (t->procs[i].zombie || t->procs[i].gone)
				continue;
			r = freeze_threads(&t->procs[i], &added, diag);
			if (r < 0)
				goto fail;
			if (t->procs[i].gone && i == 0) {
				r = fail(diag, -ESRCH, "pid %d exited", root);
				goto fail;
			}
			if (t->procs[i].gone || t->procs[i].zombie)
				continue;
			/* Stopped now: its list of children is final. */
			r = add_children(t, i, &added, diag);
			if (r < 0) {
				fail(diag, r, "cannot list the children of pid %d: %s", t->procs[i].pid,
				     strerror(-r));
				goto fail;
			}
		}
	} while (added);
	tree_compact(t);
	return 0;
fail:
	tree_thaw(t);
	return r;
}

void tree_thaw(struct tree *t)
{
	for (size_t i = t->nprocs; i-- > 0;) {
		struct proc *p = &t->procs[i];
		for (size_t k = p->ntasks; k-- > 0;) {
			if (p->tasks[k].seized)
				ptrace(PTRACE_DETACH, p->tasks[k].tid, 0, 0);
			p->tasks[k].seized = false;
		}
	}
}

void tree_kill(struct tree *t)
{
	for (size_t i = 0; i < t->nprocs; i++)
		if (!t->procs[i].zombie)
			kill(t->procs[i].pid, SIGKILL);
	/* Reap the tracer's notifications so that the real parents see the
	 * exits, in whatever order they come: a PID namespace's init, dying,
	 * waits for the processes of its namespace, which wait for us. */
	for (;;) {
		int st;
		pid_t w = waitpid(-1, &st, __WALL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: no tracee left */
		}
		if (WIFSTOPPED(st))
			ptrace(PTRACE_CONT, w, 0, 0);
	}
	for (size_t i = 0; i < t->nprocs; i++)
		for (size_t k = 0; k < t->procs[i].ntasks; k++)
			t->procs[i].tasks[k].seized = false;
}
