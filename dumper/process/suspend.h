/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dumper's process mode: a live process tree -> one suspend image. */
#ifndef SUSPEND3_DUMPER_SUSPEND_H
#define SUSPEND3_DUMPER_SUSPEND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <suspend3/image.h>

struct suspend_opts {
	bool leave_running;     /* thaw the tree afterwards instead of killing it */
	bool shell_job;         /* the tree is a shell job: its terminal and its
				 * session/group leaders outside are allowed */
	bool force;             /* replace an existing output */
};

struct suspend_result {
	size_t nprocs, nthreads;
	uint64_t memory_bytes;  /* stored memory */
	uint64_t file_size;
	const char *io;         /* the write method used (s3img_io_name) */
};

/* Freeze the tree under pid, check that it can be restored, write the
 * image to out (created 0600, replaced atomically), then kill the tree
 * or let it run on. On failure nothing is left behind and the tree runs
 * on untouched; diag->reason holds one line naming pid, fd and kind. */
int dumper_suspend(pid_t pid, const char *out, const struct suspend_opts *opts,
		   struct suspend_result *ret, struct s3img_diag *diag);

#endif
