/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Syscalls made by a copy of the resumer that ptrace holds: its registers
 * point at a `syscall` instruction of the vdso and PTRACE_SYSCALL stops it
 * at the call's entry and exit. The copy's own code is gone after the
 * first munmap, so nothing it would run matters: only the registers we
 * set do. All signals stay blocked in the copy while this goes on. */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "restorer.h"

enum { R10 = 7, R9 = 8, R8 = 9, RAX = 10, RDX = 12, RSI = 13, RDI = 14, ORIG_RAX = 15, RIP = 16 };

static int regs_get(pid_t tid, uint64_t *regs)
{
	struct iovec iov = { regs, 27 * 8 };
	return ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, &iov) < 0 ? -errno : 0;
}

static int regs_set(pid_t tid, const uint64_t *regs)
{
	struct iovec iov = { (void *)regs, 27 * 8 };
	return ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, &iov) < 0 ? -errno : 0;
}

/* Wait for tid's next stop; its status in *ret_status. */
static int wait_stop(pid_t tid, int *ret_status)
{
	int st;

	for (;;) {
		if (waitpid(tid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return -ESRCH;
		*ret_status = st;
		return 0;
	}
}

int tracee_seize(struct tracee *t, pid_t tid)
{
	int st = 0, r;

	*t = (struct tracee){ .tid = tid };
	if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL) < 0)
		return -errno;
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
		return -errno;
	r = wait_stop(tid, &st);
	if (r < 0)
		return r;
	if (!WIFSTOPPED(st) || (st >> 16) != PTRACE_EVENT_STOP)
		return -EIO;
	return regs_get(tid, t->regs);
}

int tracee_adopt(struct tracee *t, pid_t tid)
{
	int st = 0, r;

	*t = (struct tracee){ .tid = tid };
	/* A thread created under PTRACE_O_TRACECLONE starts in an event stop. */
	r = wait_stop(tid, &st);
	if (r < 0)
		return r;
	if (!WIFSTOPPED(st) || (st >> 16) != PTRACE_EVENT_STOP)
		return -EIO;
	return regs_get(tid, t->regs);
}

static int run_call(struct tracee *t, long nr, const uint64_t a[6], int64_t *ret, pid_t *ret_new)
{
	uint64_t regs[27];
	int st, r, stops = 0;

	memcpy(regs, t->regs, sizeof(regs));
	regs[RIP] = t->ip;
	regs[RAX] = (uint64_t)nr;
	regs[ORIG_RAX] = (uint64_t)-1;
	regs[RDI] = a[0];
	regs[RSI] = a[1];
	regs[RDX] = a[2];
	regs[R10] = a[3];
	regs[R8] = a[4];
	regs[R9] = a[5];
	r = regs_set(t->tid, regs);
	if (r < 0)
		return r;
	/* Entry stop, (a clone's event stop,) exit stop. */
	while (stops < 2) {
		if (ptrace(PTRACE_SYSCALL, t->tid, 0, 0) < 0)
			return -errno;
		r = wait_stop(t->tid, &st);
		if (r < 0)
			return r;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			stops++;
			continue;
		}
		if (WSTOPSIG(st) == SIGTRAP && (st >> 16) == PTRACE_EVENT_CLONE) {
			unsigned long msg = 0;
			if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg) < 0)
				return -errno;
			if (ret_new)
				*ret_new = (pid_t)msg;
			continue;
		}
		return -EIO;
	}
	r = regs_get(t->tid, regs);
	if (r < 0)
		return r;
	*ret = (int64_t)regs[RAX];
	return 0;
}

int tracee_call(struct tracee *t, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		uint64_t a4, uint64_t a5, int64_t *ret)
{
	const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	return run_call(t, nr, a, ret, NULL);
}

int tracee_clone(struct tracee *t, uint64_t args, uint64_t size, int64_t *ret, pid_t *ret_new_tid)
{
	const uint64_t a[6] = { args, size };
	*ret_new_tid = 0;
	return run_call(t, 435 /* clone3 */, a, ret, ret_new_tid);
}

int tracee_write(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_writev(tid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}
