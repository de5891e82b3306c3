/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend: check the live tree, freeze it, collect, write the image to a
 * temporary file next to the output, rename it into place, then kill the
 * tree or let it go on. Any failure thaws the tree and removes the file. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "process.h"

bool suspend_interrupted(void)
{
	sigset_t s;

	if (sigpending(&s) < 0)
		return false;
	return sigismember(&s, SIGINT) || sigismember(&s, SIGTERM) || sigismember(&s, SIGHUP);
}

/* Cheap refusals, on the live tree, before anything is touched. */
static int precheck(struct tree *t, pid_t pid, struct s3img_diag *diag)
{
	_cleanup_free_ char *status = NULL;
	uint64_t tgid;
	int r;

	if (read_textf(&status, NULL, "/proc/%d/status", pid) == 0 &&
	    status_u64(status, "Tgid", 10, &tgid) == 0 && (pid_t)tgid != pid)
		return fail(diag, -EINVAL, "%d is a thread of process %llu: give the process", pid,
			    (unsigned long long)tgid);
	r = tree_scan(t, pid, diag);
	if (r < 0)
		return r;
	if (t->procs[0].zombie)
		return fail(diag, -ESRCH, "pid %d is a zombie", pid);
	/* Before any stop: a vfork parent would never reach one. */
	r = check_shared(t, diag);
	if (r < 0)
		return r;
	for (size_t i = 0; i < t->nprocs; i++) {
		struct proc *p = &t->procs[i];
		r = check_process(t, p, diag);
		if (r == 0)
			r = check_files(t, p, diag);
		if (r == 0)
			r = check_vmas(t, p, diag);
		if (r == -ENOENT || r == -ESRCH)
			continue; /* exited meanwhile: the frozen pass will know */
		if (r < 0)
			return r;
	}
	return 0;
}

static int image_header(struct s3img_proc_image *img, const struct suspend_opts *o)
{
	_cleanup_free_ char *boot = NULL;
	struct utsname u;

	img->page_size = PAGE_SZ;
	img->time = (uint64_t)time(NULL);
	img->flags = (o->shell_job ? S3IMG_PROC_IMAGE_SHELL_JOB : 0) |
		     (o->leave_running ? S3IMG_PROC_IMAGE_LEFT_RUNNING : 0);
	if (uname(&u) == 0) {
		snprintf(img->release, sizeof(img->release), "%s", u.release);
		snprintf(img->machine, sizeof(img->machine), "%s", u.machine);
		snprintf(img->nodename, sizeof(img->nodename), "%s", u.nodename);
	}
	if (read_text("/proc/sys/kernel/random/boot_id", &boot, NULL) == 0)
		snprintf(img->boot_id, sizeof(img->boot_id), "%.36s", boot);
	return 0;
}

static int collect(struct tree *t, struct s3img_diag *diag)
{
	int r;

	t->img->procs = calloc(t->nprocs, sizeof(*t->img->procs));
	if (!t->img->procs)
		return -ENOMEM;
	t->img->nprocs = t->nprocs;
	r = check_shared(t, diag);
	if (r == 0)
		r = collect_namespaces(t, diag);
	for (size_t i = 0; r == 0 && i < t->nprocs; i++) {
		r = check_process(t, &t->procs[i], diag);
		if (r == 0)
			r = collect_process(t, i, diag);
	}
	for (size_t i = 0; r == 0 && i < t->nprocs; i++)
		r = collect_threads(t, i, diag);
	for (size_t i = 0; r == 0 && i < t->nprocs; i++) {
		r = collect_injected(t, i, diag);
		if (r == 0 && suspend_interrupted())
			r = fail(diag, -EINTR, "interrupted");
	}
	if (r == 0)
		r = collect_files(t, diag);
	for (size_t i = 0; r == 0 && i < t->nprocs; i++)
		r = collect_vmas(t, i, diag);
	return r;
}

struct output {
	char *path, *tmp, *dir;
	int fd;
};

static void output_discard(struct output *o)
{
	if (o->fd >= 0) {
		close(o->fd);
		unlink(o->tmp);
	}
	free(o->path);
	free(o->tmp);
	free(o->dir);
	*o = (struct output){ .fd = -1 };
}

static int output_open(struct output *o, const char *out, bool force, struct s3img_diag *diag)
{
	_cleanup_free_ char *d = strdup(out), *b = strdup(out);
	struct stat st;

	*o = (struct output){ .fd = -1 };
	if (!d || !b)
		return -ENOMEM;
	if (!force && lstat(out, &st) == 0)
		return fail(diag, -EEXIST, "'%s' exists (use --force to replace it)", out);
	o->path = strdup(out);
	o->dir = strdup(dirname(d));
	if (!o->path || !o->dir || asprintf(&o->tmp, "%s/.%s.XXXXXX", o->dir, basename(b)) < 0) {
		o->tmp = NULL;
		return -ENOMEM;
	}
	o->fd = mkostemp(o->tmp, O_CLOEXEC);    /* mode 0600 */
	if (o->fd < 0)
		return fail(diag, -errno, "cannot create '%s': %m", o->tmp);
	return 0;
}

static int output_commit(struct output *o, bool force, struct s3img_diag *diag)
{
	_cleanup_close_ int dfd = -1;

	if (force ? rename(o->tmp, o->path) < 0
		  : renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->path, RENAME_NOREPLACE) < 0)
		return fail(diag, -errno, "cannot create '%s': %m", o->path);
	close(o->fd);
	o->fd = -1;
	dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		fsync(dfd);
	return 0;
}

static int write_image(struct tree *t, struct output *o, struct suspend_result *res,
		       struct s3img_diag *diag)
{
	struct s3img_proc_write_opts wo = { .io = S3IMG_IO_AUTO, .direct_fd = -1 };
	struct s3img_proc_writer *w = NULL;
	struct stat st;
	int r;

	/* Bulk data goes out O_DIRECT where the file system allows it. */
	wo.direct_fd = open(o->tmp, O_WRONLY | O_DIRECT | O_CLOEXEC);
	r = s3img_proc_writer_new(o->fd, &wo, &w);
	if (r < 0) {
		if (wo.direct_fd >= 0)
			close(wo.direct_fd);
		return fail(diag, r, "cannot write the image: %s", strerror(-r));
	}
	res->io = s3img_io_name(s3img_proc_writer_io(w));
	for (size_t i = 0; r == 0 && i < t->nprocs; i++)
		r = dump_memory(t, i, w, &res->memory_bytes, diag);
	if (r == 0)
		r = dump_pipes(t, w, diag);
	if (r == 0) {
		r = s3img_proc_writer_finish(w, t->img, diag);
		if (r < 0 && !diag->reason[0])
			fail(diag, r, "cannot write the image: %s", strerror(-r));
	}
	s3img_proc_writer_free(w);
	if (wo.direct_fd >= 0)
		close(wo.direct_fd);
	if (r == 0 && fstat(o->fd, &st) == 0)
		res->file_size = (uint64_t)st.st_size;
	if (r < 0 && strncmp(diag->reason, "cannot write the image", 22) == 0)
		fail(diag, r, "cannot write '%s': %s", o->path, strerror(-r));
	return r;
}

int dumper_suspend(pid_t pid, const char *out, const struct suspend_opts *opts,
		   struct suspend_result *ret, struct s3img_diag *diag)
{
	struct suspend_result res = { 0 };
	struct tree t = { .opts = opts };
	struct output o = { .fd = -1 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_xfsz;
	sigset_t block, old;
	bool frozen = false;
	int r;

	diag->reason[0] = 0;
	diag->offset = UINT64_MAX;
	if (pid <= 0)
		return fail(diag, -EINVAL, "'%d' is not a process ID", pid);
	/* A signal must not kill us while the tree is frozen and borrowed. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	/* A file size limit must fail the write (EFBIG), not kill us. */
	sigaction(SIGXFSZ, &ign, &old_xfsz);

	r = precheck(&t, pid, diag);
	tree_free(&t);
	if (r == 0)
		r = output_open(&o, out, opts->force, diag);
	if (r < 0)
		goto out;
	r = tree_freeze(&t, pid, diag);
	if (r < 0)
		goto out;
	frozen = true;
	t.img = calloc(1, sizeof(*t.img));
	if (!t.img) {
		r = -ENOMEM;
		goto out;
	}
	image_header(t.img, opts);
	r = collect(&t, diag);
	if (r == 0)
		r = write_image(&t, &o, &res, diag);
	if (r == 0)
		r = output_commit(&o, opts->force, diag);
	if (r < 0)
		goto out;
	res.nprocs = t.nprocs;
	for (size_t i = 0; i < t.img->nprocs; i++)
		res.nthreads += t.img->procs[i].nthreads;
	if (opts->leave_running)
		tree_thaw(&t);
	else
		tree_kill(&t);
	frozen = false;
	*ret = res;
out:
	if (r < 0 && !diag->reason[0])
		fail(diag, r, "%s", strerror(-r));
	if (frozen)
		tree_thaw(&t);
	output_discard(&o);
	s3img_proc_image_free(t.img);
	free(t.reps);
	tree_free(&t);
	sigaction(SIGXFSZ, &old_xfsz, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
