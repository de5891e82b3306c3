/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a resume needs of an image beyond what the reader checks: a
 * namespace tree whose every namespace has its init in the image, parents
 * that can create their children there, sessions and groups that setsid
 * and setpgid can rebuild. Pure: a fuzz target calls it on any model the
 * reader accepts. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <stdarg.h>
#include <stdio.h>

#include "restorer.h"

int rfail(struct s3img_diag *diag, int err, const char *fmt, ...)
{
	va_list ap;

	if (diag) {
		va_start(ap, fmt);
		vsnprintf(diag->reason, sizeof(diag->reason), fmt, ap);
		va_end(ap);
		diag->offset = UINT64_MAX;
	}
	return err;
}

/* fs.nr_open's default: no process had an fd above it. */
#define MAX_FD (1 << 20)
#define MAX_SHM (1ull << 46)

static bool signal_ok(const uint8_t *siginfo)
{
	int32_t signo;

	memcpy(&signo, siginfo, 4);
	return signo > 0 && signo <= S3IMG_PROC_NSIG && signo != SIGKILL && signo != SIGSTOP;
}

static const struct s3img_proc_process *ns_init(const struct s3img_proc_image *img, uint32_t ns)
{
	for (size_t i = 0; i < img->nprocs; i++)
		if (img->procs[i].pidns == ns && img->procs[i].pid[img->procs[i].nlevels - 1] == 1)
			return &img->procs[i];
	return NULL;
}

static int check_process(const struct s3img_proc_image *img, size_t i, struct s3img_diag *diag)
{
	const struct s3img_proc_process *p = &img->procs[i];
	const struct s3img_proc_process *par = p->parent < img->nprocs ? &img->procs[p->parent] : NULL;
	const struct s3img_proc_pidns *ns;
	uint32_t L;

	if (p->pidns >= img->npidns || p->pidns_for_children >= img->npidns || !p->nlevels ||
	    p->nlevels > S3IMG_PROC_MAX_LEVELS)
		return rfail(diag, -EBADMSG, "process %zu: bad namespace or level count", i);
	ns = &img->pidns[p->pidns];
	L = p->nlevels - 1;
	if (ns->level != L)
		return rfail(diag, -EBADMSG, "process %zu: %u PID levels in a namespace of level %u", i, p->nlevels,
			     ns->level);
	for (uint32_t k = 0; k < p->nlevels; k++)
		if (p->pid[k] <= 0)
			return rfail(diag, -EBADMSG, "process %zu: PID %d at level %u", i, p->pid[k], k);
	if (p->pidns_for_children != p->pidns && img->pidns[p->pidns_for_children].parent != p->pidns)
		return rfail(diag, -EBADMSG, "pid %d: its namespace for children is not a child of its own", p->pid[0]);
	if (i == 0 ? p->parent != S3IMG_PROC_NO_INDEX : p->parent >= i)
		return rfail(diag, -EBADMSG, "process %zu: parent %u does not come before it", i, p->parent);
	/* Where it can be created from. */
	if (!par ? p->pidns != 0 : p->pidns != par->pidns && p->pidns != par->pidns_for_children) {
		if (p->pid[L] != 1 || ns->parent != (par ? par->pidns : 0))
			return rfail(diag, -EOPNOTSUPP,
				     "pid %d: its PID namespace cannot be recreated by its parent (it is not the namespace's init)",
				     p->pid[0]);
	}
	if (p->state == S3IMG_PROC_ZOMBIE) {
		if (i == 0)
			return rfail(diag, -EBADMSG, "the root process is a zombie");
		for (size_t j = i + 1; j < img->nprocs; j++)
			if (img->procs[j].parent == i)
				return rfail(diag, -EBADMSG, "zombie pid %d has children", p->pid[0]);
	} else {
		if (!p->nthreads)
			return rfail(diag, -EBADMSG, "pid %d has no threads", p->pid[0]);
		for (uint32_t k = 0; k < p->nlevels; k++)
			if (p->threads[0].tid[k] != p->pid[k])
				return rfail(diag, -EBADMSG, "pid %d: its first thread is not the leader", p->pid[0]);
		for (size_t n = 1; n < p->nthreads; n++)
			for (uint32_t k = 0; k < p->nlevels; k++)
				if (p->threads[n].tid[k] <= 0)
					return rfail(diag, -EBADMSG, "pid %d: thread %zu has TID %d at level %u", p->pid[0],
						     n, p->threads[n].tid[k], k);
	}
	/* Sessions: a leader makes its own; the others inherit their
	 * parent's (or the resumer's, for a shell job). */
	if (p->sid[0] != p->pid[0]) {
		bool outside = p->flags & S3IMG_PROC_SID_OUTSIDE;
		if (outside ? par && !(par->flags & S3IMG_PROC_SID_OUTSIDE) : !par || par->sid[0] != p->sid[0])
			return rfail(diag, -EOPNOTSUPP, "pid %d: its session %d cannot be rebuilt (not its parent's)",
				     p->pid[0], p->sid[0]);
	}
	if (p->pgid[0] != p->pid[0] && !(p->flags & S3IMG_PROC_PGID_OUTSIDE)) {
		const struct s3img_proc_process *leader = NULL;
		for (size_t j = 0; j < img->nprocs; j++)
			if (img->procs[j].pid[0] == p->pgid[0])
				leader = &img->procs[j];
		/* Joined with setpgid where the leader is visible, else inherited. */
		if (!leader || leader->sid[0] != p->sid[0] || (!p->pgid[L] && (!par || par->pgid[0] != p->pgid[0])))
			return rfail(diag, -EOPNOTSUPP, "pid %d: its process group %d cannot be rebuilt (no leader in the image)",
				     p->pid[0], p->pgid[0]);
	}
	return 0;
}

int restorer_check_image(const struct s3img_proc_image *img, struct s3img_diag *diag)
{
	int r;

	if (!img->nprocs || img->procs[0].state != S3IMG_PROC_ALIVE)
		return rfail(diag, -EBADMSG, "no live root process");
	if (img->page_size != R_PAGE)
		return rfail(diag, -EPROTONOSUPPORT, "page size %u", img->page_size);
	for (size_t i = 0; i < img->nprocs; i++)
		if ((r = check_process(img, i, diag)) < 0)
			return r;
	for (uint32_t ns = 1; ns < img->npidns; ns++)
		if (!ns_init(img, ns)) {
			bool used = false;
			for (size_t i = 0; i < img->nprocs; i++)
				used |= img->procs[i].pidns == ns;
			if (used)
				return rfail(diag, -EOPNOTSUPP, "PID namespace %u has no init in the image", ns);
		}
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct s3img_proc_process *p = &img->procs[i];
		unsigned specials = 0;

		for (size_t v = 0; v < p->nvmas; v++) {
			const struct s3img_proc_vma *vma = &p->vmas[v];
			if ((vma->kind == S3IMG_VMA_FILE_PRIVATE || vma->kind == S3IMG_VMA_FILE_SHARED) &&
			    (vma->file >= img->nfiles || !(img->files[vma->file].flags & S3IMG_FILE_MAPPED)))
				return rfail(diag, -EBADMSG, "pid %d: mapping at %#llx has no file", p->pid[0],
					     (unsigned long long)vma->start);
			/* The file holds a shared mapping's pages: never written from the
			 * image. libimage's reader refuses such runs already; this stays
			 * as the restorer's own guard, since the fill writes memory. */
			if (vma->kind == S3IMG_VMA_FILE_SHARED && vma->nruns)
				return rfail(diag, -EBADMSG, "pid %d: shared file mapping at %#llx has stored pages",
					     p->pid[0], (unsigned long long)vma->start);
			/* Shared memory objects: offsets within what a shmem file can be. */
			if (vma->kind == S3IMG_VMA_ANON_SHARED && (vma->pgoff >= MAX_SHM || vma->end - vma->start > MAX_SHM - vma->pgoff))
				return rfail(diag, -EBADMSG, "pid %d: shared memory at %#llx: offset %#llx out of range",
					     p->pid[0], (unsigned long long)vma->start, (unsigned long long)vma->pgoff);
			if (vma->kind >= S3IMG_VMA_VDSO && vma->kind <= S3IMG_VMA_VVAR_VCLOCK) {
				if (specials & (1u << vma->kind))
					return rfail(diag, -EBADMSG, "pid %d: two vdso or vvar mappings of one kind", p->pid[0]);
				specials |= 1u << vma->kind;
			}
		}
		for (size_t k = 0; k < p->npending; k++)
			if (!signal_ok(p->pending[k].data))
				return rfail(diag, -EBADMSG, "pid %d: a pending signal that cannot be queued", p->pid[0]);
		for (size_t n = 0; n < p->nthreads; n++)
			for (size_t k = 0; k < p->threads[n].npending; k++)
				if (!signal_ok(p->threads[n].pending[k].data))
					return rfail(diag, -EBADMSG, "pid %d: a pending signal that cannot be queued", p->pid[0]);
	}
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			uint32_t f = img->procs[i].fds[k].file;
			if (img->procs[i].fds[k].fd < 0 || img->procs[i].fds[k].fd >= MAX_FD)
				return rfail(diag, -EBADMSG, "pid %d: fd %d out of range", img->procs[i].pid[0],
					     img->procs[i].fds[k].fd);
			if (f >= img->nfiles || (img->files[f].flags & S3IMG_FILE_MAPPED) ||
			    (img->files[f].kind == S3IMG_FILE_PIPE && img->files[f].pipe >= img->npipes))
				return rfail(diag, -EBADMSG, "pid %d: fd %d refers to no open file", img->procs[i].pid[0],
					     img->procs[i].fds[k].fd);
		}
	return 0;
}
