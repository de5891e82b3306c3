/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process mode of the dumper, internal: the frozen tree, /proc parsing,
 * syscall injection, and the collectors that fill the image model. */
#ifndef SUSPEND3_DUMPER_PROCESS_H
#define SUSPEND3_DUMPER_PROCESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <suspend3/image.h>

#include "suspend.h"

#define _cleanup_(f) __attribute__((cleanup(f)))
static inline void freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ _cleanup_(freep)
void closep(int *fd);
#define _cleanup_close_ _cleanup_(closep)
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SZ 4096u
#define XSTATE_BUF (64u << 10)

/* Record why the suspend cannot go on; returns err (negative errno). */
int fail(struct s3img_diag *diag, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* -EOPNOTSUPP with "pid N (comm): ..." */
int unsupported(struct s3img_diag *diag, pid_t pid, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- /proc (procfs.c) ------------------------------------------------- */

/* Read a whole /proc file (NUL-terminated); *ret_len excludes the NUL. */
int read_text(const char *path, char **ret, size_t *ret_len);
int read_textf(char **ret, size_t *ret_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int readlinkf(char **ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Value after "Key:" in a status-style text, or NULL. Points into text;
 * ends at the newline (not NUL-terminated: use the returned length). */
const char *status_field(const char *text, const char *key, size_t *ret_len);
/* Parse up to max whitespace-separated numbers of a status field. */
int status_numbers(const char *text, const char *key, int base, int64_t *out, size_t max,
		   size_t *ret_n);
int status_u64(const char *text, const char *key, int base, uint64_t *ret);

struct proc_stat {
	char state;
	pid_t ppid, pgrp, session;
	int tty_nr;
	unsigned long flags;
	uint64_t start_code, end_code, start_stack;
	uint64_t start_data, end_data, start_brk, arg_start, arg_end, env_start, env_end;
	int exit_code;
};
int proc_stat_read(pid_t pid, pid_t tid, struct proc_stat *ret);

/* Numbers in a directory such as /proc/PID/task, sorted. */
int list_numbers(const char *dir, pid_t **ret, size_t *ret_n);
/* Children of every thread of pid, sorted and unique. */
int list_children(pid_t pid, pid_t **ret, size_t *ret_n);
int ns_inode(pid_t pid, const char *ns, uint64_t *ret);

/* ---- the tree ------------------------------------------------------------ */

struct task {
	pid_t tid;
	bool seized;
	bool group_stopped;   /* job-control stopped when we came */
};

struct proc {
	pid_t pid;
	pid_t ppid;
	bool zombie;
	bool gone;            /* exited before it could be held (dropped) */
	struct task *tasks;
	size_t ntasks;
	char comm[16];
	int mem_fd;           /* /proc/PID/mem while frozen */
	uint64_t syscall_ip;  /* a `syscall` instruction in this process */
	uint8_t *vma_scan;    /* per VMA: has resident or swapped pages to look for */
};

/* Where an open file description can be reached (files[] index -> fd). */
struct file_rep {
	pid_t pid;
	int fd;
};

struct tree {
	struct proc *procs;   /* breadth first: parents before children */
	size_t nprocs;
	struct file_rep *reps;  /* parallel to img->files; pid 0 for mapped files */
	size_t nreps;
	const struct suspend_opts *opts;
	struct s3img_proc_image *img;
};

void tree_free(struct tree *t);
struct proc *tree_find(struct tree *t, pid_t pid);
/* Walk the tree under root without stopping it (the pre-check). */
int tree_scan(struct tree *t, pid_t root, struct s3img_diag *diag);
/* PTRACE_SEIZE + PTRACE_INTERRUPT every thread, until no new thread or
 * child appears. On failure everything is thawed again. */
int tree_freeze(struct tree *t, pid_t root, struct s3img_diag *diag);
void tree_thaw(struct tree *t);
/* SIGKILL every process and reap the ptrace notifications. */
void tree_kill(struct tree *t);

/* ---- syscall injection (inject.c, per architecture in arch_*.c) --------- */

struct inject {
	pid_t tid;
	uint64_t syscall_ip;
	bool active;          /* registers or mask changed: inject_end restores */
	uint8_t saved_regs[27 * 8];
	uint64_t saved_mask;
};

int inject_begin(struct inject *in, pid_t tid, uint64_t syscall_ip);
int inject_syscall(struct inject *in, long nr, const uint64_t args[6], int64_t *ret);
/* Back to the interrupt stop with the registers and mask found there. */
int inject_end(struct inject *in);
/* Find the bytes of a syscall instruction in the process (vdso first). */
int find_syscall_insn(struct proc *p, uint64_t *ret);
/* Wait for tid's next ptrace stop: 0 at an interrupt (PTRACE_EVENT_STOP
 * with SIGTRAP), 1 at a job-control stop; delivers signals met on the way. */
int wait_interrupt_stop(pid_t tid);

/* Architecture: registers of a stopped thread (arch_x86_64.c). */
struct arch_ops {
	const char *name;
	size_t regs_size;
	/* Registers as the image stores them: an interrupted syscall restarts. */
	void (*restart_regs)(uint64_t *regs, uint32_t *ret_flags, int64_t *ret_nr);
	void (*set_syscall)(uint64_t *regs, uint64_t ip, long nr, const uint64_t args[6]);
	int64_t (*syscall_ret)(const uint64_t *regs);
	uint64_t (*pc)(const uint64_t *regs);
};
extern const struct arch_ops arch_x86_64;
#define arch (&arch_x86_64)

/* ---- collectors (fill tree->img) ------------------------------------------ */

/* Refuse what cannot be restored; cheap, from /proc only, on a live tree. */
int check_process(struct tree *t, struct proc *p, struct s3img_diag *diag);
/* Refuse processes sharing memory, fd table, handlers or fs (kcmp). */
int check_shared(struct tree *t, struct s3img_diag *diag);
int collect_namespaces(struct tree *t, struct s3img_diag *diag);
int collect_process(struct tree *t, size_t i, struct s3img_diag *diag);
int collect_threads(struct tree *t, size_t i, struct s3img_diag *diag);
int collect_injected(struct tree *t, size_t i, struct s3img_diag *diag);
int collect_files(struct tree *t, struct s3img_diag *diag);
int collect_vmas(struct tree *t, size_t i, struct s3img_diag *diag);
/* Classify the fds and mappings without recording them (the pre-check). */
int check_files(struct tree *t, struct proc *p, struct s3img_diag *diag);
int check_vmas(struct tree *t, struct proc *p, struct s3img_diag *diag);

/* ---- writing --------------------------------------------------------------- */

int dump_memory(struct tree *t, size_t i, struct s3img_proc_writer *w, uint64_t *ret_bytes,
		struct s3img_diag *diag);
int dump_pipes(struct tree *t, struct s3img_proc_writer *w, struct s3img_diag *diag);

/* Has SIGINT, SIGTERM or SIGHUP arrived (they are blocked while frozen)? */
bool suspend_interrupted(void);

#endif
