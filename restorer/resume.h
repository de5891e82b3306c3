/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The restorer: a suspend image -> the process tree running again. */
#ifndef SUSPEND3_RESTORER_RESUME_H
#define SUSPEND3_RESTORER_RESUME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <suspend3/image.h>

struct resume_result;

struct resume_opts {
	bool detach;            /* leave the tree running and return */
	bool verbose;           /* say what is done, step by step, on stderr */
	/* Called once the tree runs, before waiting for it (may be NULL). */
	void (*on_running)(const struct resume_result *res, void *userdata);
	void *userdata;
};

struct resume_result {
	size_t nprocs, nthreads;
	pid_t root_pid;         /* the root's PID in the resumer's namespace */
	uint64_t memory_bytes;  /* bytes of memory read back from the image */
	double seconds;         /* from opening the image to the tree running */
	int status;             /* foreground: the root's wait status */
};

/* Rebuild the tree of the suspend image at path and let it run. Without
 * opts->detach, wait for the root (forwarding SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2 and SIGCONT sent to the resumer) and return
 * with its wait status in ret->status. On failure nothing is left behind:
 * every process created so far is killed and reaped; diag->reason holds
 * one line. */
int restorer_resume(const char *path, const struct resume_opts *opts,
		    struct resume_result *ret, struct s3img_diag *diag);

/* The checks a resume makes of an image before it touches the system:
 * the namespace tree, sessions and groups, PIDs, thread IDs and mappings
 * must be rebuildable. Pure (no I/O): the fuzz target calls it. */
int restorer_check_image(const struct s3img_proc_image *img, struct s3img_diag *diag);

#endif
