/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x86_64 registers (struct user_regs_struct as 27 words): syscall restart
 * and syscall injection. */
#include <errno.h>

#include "process.h"

enum { R15, R14, R13, R12, RBP, RBX, R11, R10, R9, R8, RAX, RCX, RDX, RSI, RDI, ORIG_RAX,
       RIP, CS, EFLAGS, RSP, SS, FS_BASE, GS_BASE, DS, ES, FS, GS, NR_REGS };

/* The kernel's restart codes (include/linux/errno.h, not in uapi). */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/* A thread stopped on its way out of an interrupted syscall holds
 * rax = -ERESTART*, rip after the instruction; the kernel would rewind it
 * once the stop ends. The image keeps what the thread will execute: the
 * syscall again (rip - 2, rax = nr), or -EINTR where the restart needs
 * kernel state (restart_block) that a resume cannot recreate. */
static void x86_restart_regs(uint64_t *regs, uint32_t *ret_flags, int64_t *ret_nr)
{
	int64_t nr = (int64_t)regs[ORIG_RAX], rc = (int64_t)regs[RAX];

	*ret_flags = 0;
	*ret_nr = -1;
	if (nr < 0)
		return;
	switch (rc) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
		regs[RAX] = (uint64_t)nr;
		regs[RIP] -= 2;
		break;
	case -ERESTART_RESTARTBLOCK:
		regs[RAX] = (uint64_t)(int64_t)-EINTR;
		break;
	default:
		return;
	}
	*ret_flags = S3IMG_THREAD_IN_SYSCALL;
	*ret_nr = nr;
}

static void x86_set_syscall(uint64_t *regs, uint64_t ip, long nr, const uint64_t args[6])
{
	regs[RIP] = ip;
	regs[RAX] = (uint64_t)nr;
	/* No syscall to restart when the interrupt stop ends. */
	regs[ORIG_RAX] = (uint64_t)-1;
	regs[RDI] = args[0];
	regs[RSI] = args[1];
	regs[RDX] = args[2];
	regs[R10] = args[3];
	regs[R8] = args[4];
	regs[R9] = args[5];
}

static int64_t x86_syscall_ret(const uint64_t *regs)
{
	return (int64_t)regs[RAX];
}

static uint64_t x86_pc(const uint64_t *regs)
{
	return regs[RIP];
}

const struct arch_ops arch_x86_64 = {
	.name = "x86_64",
	.regs_size = NR_REGS * 8,
	.restart_regs = x86_restart_regs,
	.set_syscall = x86_set_syscall,
	.syscall_ret = x86_syscall_ret,
	.pc = x86_pc,
};
