/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Threads (registers, masks, queued signals, robust lists, rseq) and the
 * state only the process itself can tell (signal handlers, itimers, brk,
 * alternate stacks, TID addresses), asked for by injected syscalls. */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "process.h"

/* PTRACE_GET_RSEQ_CONFIGURATION (5.13) fills this. */
struct rseq_config {
	uint64_t rseq_abi_pointer;
	uint32_t rseq_abi_size, signature, flags, pad;
};

#define MAX_QUEUED 65536
#define SCRATCH_SIZE (4 * PAGE_SZ)

static int peek_signals(pid_t tid, uint32_t flags, struct s3img_proc_siginfo **ret, size_t *ret_n)
{
	struct s3img_proc_siginfo *arr = NULL;
	size_t n = 0;

	for (;;) {
		struct __ptrace_peeksiginfo_args a = { .off = n, .flags = flags, .nr = 32 };
		struct s3img_proc_siginfo *na;
		long k;

		na = realloc(arr, (n + 32) * sizeof(*arr));
		if (!na) {
			free(arr);
			return -ENOMEM;
		}
		arr = na;
		k = ptrace(PTRACE_PEEKSIGINFO, tid, &a, arr + n);
		if (k < 0) {
			int r = -errno;
			free(arr);
			return r;
		}
		n += (size_t)k;
		if (k < 32 || n >= MAX_QUEUED)
			break;
	}
	if (!n) {
		free(arr);
		arr = NULL;
	}
	*ret = arr;
	*ret_n = n;
	return 0;
}

static int task_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct task *)a)->tid, y = ((const struct task *)b)->tid;
	return (x > y) - (x < y);
}

static int collect_thread(struct proc *p, struct s3img_proc_process *m, size_t k,
			  const char *proc_status, struct s3img_diag *diag)
{
	struct s3img_proc_thread *th = &m->threads[k];
	pid_t tid = p->tasks[k].tid;
	_cleanup_free_ char *status = NULL, *comm = NULL;
	struct rseq_config rs = { 0 };
	uint8_t xs[XSTATE_BUF];
	struct iovec iov;
	int64_t v[S3IMG_PROC_MAX_LEVELS];
	size_t n, l1, l2;
	const char *u1, *u2;
	long head_len;
	void *head;
	int r;

	if (read_textf(&status, NULL, "/proc/%d/task/%d/status", p->pid, tid) < 0 ||
	    status_numbers(status, "NSpid", 10, v, ARRAY_SIZE(v), &n) < 0 || n != m->nlevels)
		return fail(diag, -EBADMSG, "pid %d: cannot read NSpid of thread %d", p->pid, tid);
	for (size_t l = 0; l < n; l++)
		th->tid[l] = (int32_t)v[l];
	/* Credentials are per thread in the kernel; glibc keeps them equal. */
	u1 = status_field(status, "Uid", &l1);
	u2 = status_field(proc_status, "Uid", &l2);
	if (!u1 || !u2 || l1 != l2 || memcmp(u1, u2, l1) != 0)
		return unsupported(diag, p->pid, "thread %d has other credentials than its process", tid);
	if (read_textf(&comm, NULL, "/proc/%d/task/%d/comm", p->pid, tid) == 0)
		snprintf(th->comm, sizeof(th->comm), "%.*s", (int)strcspn(comm, "\n"), comm);

	iov = (struct iovec){ th->regs, sizeof(th->regs) };
	if (ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, &iov) < 0 || iov.iov_len != sizeof(th->regs))
		return fail(diag, -errno, "pid %d: cannot read the registers of thread %d: %m", p->pid, tid);
	arch->restart_regs(th->regs, &th->flags, &th->syscall_nr);
	iov = (struct iovec){ th->fpregs, sizeof(th->fpregs) };
	if (ptrace(PTRACE_GETREGSET, tid, NT_PRFPREG, &iov) < 0)
		return fail(diag, -errno, "pid %d: cannot read the FPU registers of thread %d: %m", p->pid, tid);
	iov = (struct iovec){ xs, sizeof(xs) };
	if (ptrace(PTRACE_GETREGSET, tid, NT_X86_XSTATE, &iov) == 0 && iov.iov_len >= 576) {
		th->xstate = malloc(iov.iov_len);
		if (!th->xstate)
			return -ENOMEM;
		memcpy(th->xstate, xs, iov.iov_len);
		th->xstate_len = (uint32_t)iov.iov_len;
	}
	if (ptrace(PTRACE_GETSIGMASK, tid, sizeof(th->sigmask), &th->sigmask) < 0)
		return fail(diag, -errno, "pid %d: cannot read the signal mask of thread %d: %m", p->pid, tid);
	r = peek_signals(tid, 0, &th->pending, &th->npending);
	if (r < 0)
		return fail(diag, r, "pid %d: cannot read the queued signals of thread %d: %s", p->pid, tid,
			    strerror(-r));
	if (syscall(SYS_get_robust_list, tid, &head, &head_len) == 0) {
		th->robust_list = (uint64_t)(uintptr_t)head;
		th->robust_list_len = (uint64_t)head_len;
	}
	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, sizeof(rs), &rs) > 0) {
		th->rseq = rs.rseq_abi_pointer;
		th->rseq_len = rs.rseq_abi_size;
		th->rseq_sig = rs.signature;
		th->rseq_flags = rs.flags;
	}
	return 0;
}

int collect_threads(struct tree *t, size_t i, struct s3img_diag *diag)
{
	struct proc *p = &t->procs[i];
	struct s3img_proc_process *m = &t->img->procs[i];
	_cleanup_free_ char *status = NULL;
	int r;

	if (p->zombie)
		return 0;
	/* The thread group leader first, then by TID. */
	qsort(p->tasks, p->ntasks, sizeof(*p->tasks), task_cmp);
	for (size_t k = 0; k < p->ntasks; k++)
		if (p->tasks[k].tid == p->pid && k > 0) {
			struct task lead = p->tasks[k];
			memmove(p->tasks + 1, p->tasks, k * sizeof(*p->tasks));
			p->tasks[0] = lead;
		}
	if (!p->ntasks || p->tasks[0].tid != p->pid)
		return unsupported(diag, p->pid, "its main thread has exited: not supported");
	for (size_t k = 0; k < p->ntasks; k++)
		if (p->tasks[k].group_stopped)
			return unsupported(diag, p->pid, "it is stopped (job control): not supported");
	r = read_textf(&status, NULL, "/proc/%d/status", p->pid);
	if (r < 0)
		return fail(diag, r, "pid %d: %s", p->pid, strerror(-r));
	m->threads = calloc(p->ntasks, sizeof(*m->threads));
	if (!m->threads)
		return -ENOMEM;
	m->nthreads = p->ntasks;
	for (size_t k = 0; k < p->ntasks; k++) {
		r = collect_thread(p, m, k, status, diag);
		if (r < 0)
			return r;
	}
	r = peek_signals(p->pid, PTRACE_PEEKSIGINFO_SHARED, &m->pending, &m->npending);
	if (r < 0)
		return fail(diag, r, "pid %d: cannot read its queued signals: %s", p->pid, strerror(-r));
	return 0;
}

/* ---- injected ---------------------------------------------------------- */

static int call(struct inject *in, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		int64_t *ret)
{
	uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };
	int64_t v = 0;
	int r = inject_syscall(in, nr, args, &v);

	if (r < 0)
		return r;
	if (ret)
		*ret = v;
	return v < 0 && v >= -4095 && !ret ? (int)v : 0;
}

/* Per thread: alternate signal stack, TID address, timer slack. */
static int thread_injected(struct inject *in, int mem_fd, uint64_t scratch,
			   struct s3img_proc_thread *th)
{
	uint8_t buf[32];
	int64_t slack;
	int r;

	r = call(in, SYS_sigaltstack, 0, scratch, 0, 0, NULL);
	if (r == 0)
		r = call(in, SYS_prctl, PR_GET_TID_ADDRESS, scratch + 24, 0, 0, NULL);
	if (r == 0)
		r = call(in, SYS_prctl, PR_GET_TIMERSLACK, 0, 0, 0, &slack);
	if (r < 0)
		return r;
	if (pread(mem_fd, buf, sizeof(buf), (off_t)scratch) != (ssize_t)sizeof(buf))
		return -EIO;
	memcpy(&th->altstack_sp, buf, 8);
	memcpy(&th->altstack_flags, buf + 8, 4);
	memcpy(&th->altstack_size, buf + 16, 8);
	memcpy(&th->clear_child_tid, buf + 24, 8);
	th->timerslack_ns = slack > 0 ? (uint64_t)slack : 0;
	return 0;
}

/* Process-wide, from the leader. Scratch layout: 64 sigactions at 0,
 * itimers at 2048, pdeathsig at 2200, subreaper at 2208. */
static int process_injected(struct inject *in, int mem_fd, uint64_t scratch,
			    struct s3img_proc_process *m)
{
	uint8_t buf[2304];
	int64_t v;
	int r = 0;

	for (int sig = 1; r == 0 && sig <= S3IMG_PROC_NSIG; sig++)
		r = call(in, SYS_rt_sigaction, (uint64_t)sig, 0, scratch + (uint64_t)(sig - 1) * 32, 8, NULL);
	for (int w = 0; r == 0 && w < 3; w++)
		r = call(in, SYS_getitimer, (uint64_t)w, scratch + 2048 + (uint64_t)w * 32, 0, 0, NULL);
	if (r == 0)
		r = call(in, SYS_prctl, PR_GET_PDEATHSIG, scratch + 2200, 0, 0, NULL);
	if (r == 0)
		r = call(in, SYS_prctl, PR_GET_CHILD_SUBREAPER, scratch + 2208, 0, 0, NULL);
	if (r < 0)
		return r;
	r = call(in, SYS_brk, 0, 0, 0, 0, &v);
	if (r < 0)
		return r;
	m->mm.brk = (uint64_t)v;
	if (call(in, SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, &v) == 0)
		m->dumpable = (int32_t)v;
	if (call(in, SYS_prctl, PR_GET_KEEPCAPS, 0, 0, 0, &v) == 0 && v > 0)
		m->flags |= S3IMG_PROC_KEEPCAPS;
	if (call(in, SYS_prctl, PR_GET_SECUREBITS, 0, 0, 0, &v) == 0 && v >= 0)
		m->creds.securebits = (uint32_t)v;
	if (call(in, SYS_prctl, PR_GET_THP_DISABLE, 0, 0, 0, &v) == 0 && v > 0)
		m->flags |= S3IMG_PROC_THP_DISABLE;
	if (pread(mem_fd, buf, sizeof(buf), (off_t)scratch) != (ssize_t)sizeof(buf))
		return -EIO;
	memcpy(m->sigactions, buf, sizeof(m->sigactions));
	memcpy(m->itimers, buf + 2048, sizeof(m->itimers));
	memcpy(&m->pdeathsig, buf + 2200, 4);
	memcpy(&v, buf + 2208, 4);
	if ((int32_t)v)
		m->flags |= S3IMG_PROC_SUBREAPER;
	return 0;
}

int collect_injected(struct tree *t, size_t i, struct s3img_diag *diag)
{
	struct proc *p = &t->procs[i];
	struct s3img_proc_process *m = &t->img->procs[i];
	struct inject lead;
	int64_t scratch = 0;
	int r, r2;

	if (p->zombie)
		return 0;
	r = find_syscall_insn(p, &p->syscall_ip);
	if (r < 0)
		return unsupported(diag, p->pid, "no syscall instruction found in its code (no vdso?)");
	r = inject_begin(&lead, p->pid, p->syscall_ip);
	if (r < 0)
		goto out;
	{
		const uint64_t args[6] = { 0, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0 };
		r = inject_syscall(&lead, SYS_mmap, args, &scratch);
	}
	if (r == 0 && scratch < 0 && scratch >= -4095)
		r = (int)scratch;
	if (r < 0) {
		scratch = 0;
		goto out;
	}
	r = process_injected(&lead, p->mem_fd, (uint64_t)scratch, m);
	if (r == 0)
		r = thread_injected(&lead, p->mem_fd, (uint64_t)scratch + 2304, &m->threads[0]);
	for (size_t k = 1; r == 0 && k < p->ntasks; k++) {
		struct inject in;
		r = inject_begin(&in, p->tasks[k].tid, p->syscall_ip);
		if (r == 0)
			r = thread_injected(&in, p->mem_fd, (uint64_t)scratch + 2304 + k % 32 * 64,
					    &m->threads[k]);
		r2 = inject_end(&in);
		if (r == 0)
			r = r2;
	}
out:
	if (scratch > 0 && lead.active)
		call(&lead, SYS_munmap, (uint64_t)scratch, SCRATCH_SIZE, 0, 0, NULL);
	r2 = inject_end(&lead);
	if (r == 0)
		r = r2;
	if (r < 0)
		return fail(diag, r, "pid %d (%s): cannot query its signal handlers and timers: %s", p->pid,
			    p->comm, strerror(-r));
	return 0;
}
