/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Syscall injection into a stopped thread: some state has no /proc file
 * (signal handlers, itimers, the alternate signal stack, the TID address,
 * brk), so the thread itself is made to ask for it. The thread, stopped
 * at PTRACE_INTERRUPT, gets all signals blocked and its registers pointed
 * at a `syscall` instruction found in its own vdso; PTRACE_SYSCALL stops
 * it at the call's entry and exit. inject_end() puts back registers and
 * mask and re-enters the interrupt stop, so that an interrupted syscall
 * restarts exactly as it would have without us. Nothing is written into
 * the process's memory but what the injected calls write themselves. */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"

static int regs_get(pid_t tid, void *regs)
{
	struct iovec iov = { regs, arch->regs_size };
	return ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, &iov) < 0 ? -errno : 0;
}

static int regs_set(pid_t tid, const void *regs)
{
	struct iovec iov = { (void *)regs, arch->regs_size };
	return ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, &iov) < 0 ? -errno : 0;
}

int inject_begin(struct inject *in, pid_t tid, uint64_t syscall_ip)
{
	uint64_t all = ~0ull;
	int r;

	*in = (struct inject){ .tid = tid, .syscall_ip = syscall_ip };
	r = regs_get(tid, in->saved_regs);
	if (r < 0)
		return r;
	if (ptrace(PTRACE_GETSIGMASK, tid, sizeof(in->saved_mask), &in->saved_mask) < 0)
		return -errno;
	/* No handler may run, and no signal be dequeued, while we borrow it. */
	if (ptrace(PTRACE_SETSIGMASK, tid, sizeof(all), &all) < 0)
		return -errno;
	in->active = true;
	return 0;
}

static int wait_syscall_stop(pid_t tid)
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
		if (WIFSTOPPED(st) && WSTOPSIG(st) == (SIGTRAP | 0x80))
			return 0;
		/* Anything else (a job-control stop from SIGSTOP, which no mask
		 * holds back) ends the injection. */
		return -EIO;
	}
}

int inject_syscall(struct inject *in, long nr, const uint64_t args[6], int64_t *ret)
{
	uint64_t regs[32];
	int r;

	memcpy(regs, in->saved_regs, arch->regs_size);
	arch->set_syscall(regs, in->syscall_ip, nr, args);
	r = regs_set(in->tid, regs);
	if (r < 0)
		return r;
	/* Entry stop, then exit stop. */
	for (int i = 0; i < 2; i++) {
		if (ptrace(PTRACE_SYSCALL, in->tid, 0, 0) < 0)
			return -errno;
		r = wait_syscall_stop(in->tid);
		if (r < 0)
			return r;
	}
	r = regs_get(in->tid, regs);
	if (r < 0)
		return r;
	*ret = arch->syscall_ret(regs);
	return 0;
}

int inject_end(struct inject *in)
{
	int r;

	if (!in->active)
		return 0;
	in->active = false;
	r = regs_set(in->tid, in->saved_regs);
	if (r < 0)
		return r;
	if (ptrace(PTRACE_SETSIGMASK, in->tid, sizeof(in->saved_mask), &in->saved_mask) < 0)
		return -errno;
	/* From the syscall-exit stop back into an interrupt stop: the kernel's
	 * restart logic then sees the registers the thread was stopped with. */
	if (ptrace(PTRACE_INTERRUPT, in->tid, 0, 0) < 0 || ptrace(PTRACE_CONT, in->tid, 0, 0) < 0)
		return -errno;
	r = wait_interrupt_stop(in->tid);
	return r < 0 ? r : 0;
}

static int search_range(int mem_fd, uint64_t start, uint64_t end, uint64_t *ret)
{
	uint8_t buf[65536];

	for (uint64_t a = start; a < end; a += sizeof(buf) - 1) {
		size_t n = end - a < sizeof(buf) ? (size_t)(end - a) : sizeof(buf);
		ssize_t k = pread(mem_fd, buf, n, (off_t)a);
		if (k <= 1)
			return -ENOENT;
		for (ssize_t i = 0; i + 1 < k; i++)
			if (buf[i] == 0x0f && buf[i + 1] == 0x05) {
				*ret = a + (uint64_t)i;
				return 0;
			}
	}
	return -ENOENT;
}

int find_syscall_insn(struct proc *p, uint64_t *ret)
{
	_cleanup_free_ char *maps = NULL;
	int r;

	r = read_textf(&maps, NULL, "/proc/%d/maps", p->pid);
	if (r < 0)
		return r;
	/* The vdso first: the same on every process, never written to. */
	for (int pass = 0; pass < 2; pass++) {
		for (char *l = maps; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
			unsigned long long s, e;
			char perms[8];
			int n = 0;

			if (sscanf(l, "%llx-%llx %7s %*s %*s %*s%n", &s, &e, perms, &n) < 3)
				continue;
			if (perms[2] != 'x')
				continue;
			if (pass == 0 && !strstr(l, "[vdso]"))
				continue;
			if (pass == 1 && (e - s > (16u << 20)))
				e = s + (16u << 20);
			if (search_range(p->mem_fd, s, e, ret) == 0)
				return 0;
		}
	}
	return -ENOENT;
}
