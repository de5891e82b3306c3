/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The restorer, internal: what the resumer (the suspend3 process that runs
 * `resume`) prepares, the copies of it that become the tree's processes,
 * and the ptrace work that turns each copy into the process it was. */
#ifndef SUSPEND3_RESTORER_H
#define SUSPEND3_RESTORER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <suspend3/image.h>

#include "resume.h"

#define R_PAGE 4096u
/* Bytes of the image in one batch of fill.c. */
#define FILL_BUF (1u << 20)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Record why the resume cannot go on; returns err (negative errno). */
int rfail(struct s3img_diag *diag, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* With --verbose: one line on stderr, with the seconds since the start. */
struct rs;
void rverbose(const struct rs *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A shared memory object (MAP_SHARED|MAP_ANONYMOUS) of the tree. */
struct shm_obj {
	uint64_t id;
	uint64_t size;
	int fd;
};

/* The vdso and vvar areas of this system (the resumer's own). */
struct specials {
	uint64_t start[3], len[3];       /* [0] vdso, [1] vvar, [2] vvar_vclock; len 0: none */
	uint64_t syscall_off;            /* of a `syscall` instruction in the vdso */
};

/* What the resumer holds while it rebuilds the tree. Every fd from
 * `base` up is "pool": inherited by each copy, used while it is rebuilt
 * and closed at the end; every fd the tree had lies below base. */
struct rs {
	struct s3img_proc *handle;
	const struct s3img_proc_image *img;
	const struct resume_opts *opts;
	struct s3img_diag *diag;
	int base;
	int img_fd;              /* the image */
	int *file_fd;            /* per file: an open description (pool fd) */
	int *pipe_fd;            /* per pipe: [2i] read end, [2i+1] write end */
	struct shm_obj *shm;
	size_t nshm;
	int status_rd, status_wr; /* copies -> resumer: struct rmsg */
	int go_rd, go_wr;        /* the barrier: closed when every process exists */
	struct specials sp;
	pid_t *pid;              /* per process: its PID in the resumer's namespace
				  * (0: not known yet) */
	pid_t **tid;             /* per process, per thread: TID there, once made */
	bool userns;             /* not root: the tree lives in a new user and PID
				  * namespace, whose level 0 is the image's */
	int level_off;           /* levels of NSpid above the image's level 0 */
	pid_t init;              /* userns: that namespace's init (a helper) */
	int *nsfd;               /* per process: its namespace for children to set
				  * again once its threads exist, or -1 */
	uint64_t mem_bytes;
	size_t nthreads;
	double t0;               /* CLOCK_MONOTONIC seconds at the start */
	int cap_last;            /* /proc/sys/kernel/cap_last_cap */
};

/* A copy's report to the resumer (shorter than PIPE_BUF: written whole). */
enum { RMSG_CREATED = 1, RMSG_READY = 2, RMSG_ERROR = 3 };
struct rmsg {
	uint32_t proc;
	uint32_t what;
	int32_t err;
	char text[244];
};

/* prepare.c: the resumer's part before any process exists. */
int prepare_files(struct rs *s);
int prepare_specials(struct rs *s);
int shm_fd(const struct rs *s, uint64_t id);
void prepare_close(struct rs *s);

/* spawn.c: create the root; the copies create the rest. */
pid_t spawn_process(struct rs *s, size_t i, unsigned long clone_flags);

/* rebuild.c: a stopped copy becomes process i (memory, threads, state). */
int rebuild_process(struct rs *s, size_t i);
/* Let every thread of process i run. */
void release_process(struct rs *s, size_t i);

/* fill.c: the stored memory of process i, into its copy (thread tid),
 * whose filled mappings (vma_filled) exist and are writable. */
bool vma_filled(const struct s3img_proc_vma *v);
int fill_process(struct rs *s, size_t i, pid_t tid);

/* inject.c: syscalls made by a stopped thread, at a `syscall` instruction. */
struct tracee {
	pid_t tid;
	uint64_t ip;             /* of the syscall instruction */
	uint64_t regs[27];       /* the registers to run the calls with */
};
int tracee_seize(struct tracee *t, pid_t tid);
int tracee_adopt(struct tracee *t, pid_t tid);   /* a new thread, already traced */
int tracee_call(struct tracee *t, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		uint64_t a4, uint64_t a5, int64_t *ret);
/* The same, when the call creates a thread: its TID in *ret. */
int tracee_clone(struct tracee *t, uint64_t args, uint64_t size, int64_t *ret, pid_t *ret_new_tid);
int tracee_write(pid_t tid, uint64_t addr, const void *buf, size_t len);

#endif
