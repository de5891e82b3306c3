/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A process's memory, in from the image: the resumer reads the stored
 * runs into a buffer of its own and writes them into the process with
 * process_vm_writev. The kernel faults the process's pages in and copies
 * into them through its own mapping of them, so no page is touched through
 * the process's addresses. That is the point: on a shadow-paging
 * hypervisor (the PVM one this was measured on) every first touch of a
 * page through a user address costs a trap, about 12 us; the process
 * reading the image into its own pages took 2.2 s for 768 MiB, this way
 * takes 0.17 s on one thread. Batches go to up to FILL_THREADS threads.
 * Where process_vm_writev is refused (a seccomp filter, ENOSYS), the same
 * bytes go through /proc/PID/mem.
 * The batches follow the image: each is one stretch of image bytes (at
 * most FILL_BUF) and the pieces of memory it fills (at most IOV_MAX). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "restorer.h"

#define FILL_THREADS 4
/* Less than this in all, and one thread does it. */
#define FILL_PARALLEL_MIN (16u << 20)

struct batch {
	uint64_t off;            /* in the image */
	size_t len;
	size_t first, n;         /* pieces */
};

struct fill {
	int img_fd;
	pid_t tid;
	int mem_fd;              /* /proc/TID/mem: where process_vm_writev is refused */
	bool refused;            /* SUSPEND3_FAULT=vm_writev: as if it were (tests) */
	struct iovec *piece;     /* where each piece goes, in the process */
	struct batch *batch;
	size_t nbatches;
	atomic_size_t next;
	atomic_bool stop;
	pthread_mutex_t lock;
	int err;                 /* the first failure: negative errno */
	uint64_t err_at;         /* its image offset, or address */
	bool err_short, err_read;
};

struct worker {
	struct fill *f;
	pthread_t thread;
	bool started;
};

/* Shared memory is filled by prepare.c, a shared file is its own. */
bool vma_filled(const struct s3img_proc_vma *v)
{
	switch (v->kind) {
	case S3IMG_VMA_ANON_PRIVATE:
	case S3IMG_VMA_FILE_PRIVATE:
		return v->nruns > 0;
	default:
		return false;
	}
}

static void failed(struct fill *f, int err, uint64_t at, bool read, bool is_short)
{
	pthread_mutex_lock(&f->lock);
	if (!f->err) {
		f->err = err;
		f->err_at = at;
		f->err_read = read;
		f->err_short = is_short;
	}
	pthread_mutex_unlock(&f->lock);
	atomic_store(&f->stop, true);
}

/* Where the bytes after the first done of batch b go. */
static uint64_t fault_address(const struct fill *f, const struct batch *b, size_t done)
{
	for (size_t k = b->first; k < b->first + b->n; k++) {
		if (done < f->piece[k].iov_len)
			return (uint64_t)(uintptr_t)f->piece[k].iov_base + done;
		done -= f->piece[k].iov_len;
	}
	return (uint64_t)(uintptr_t)f->piece[b->first].iov_base;
}

/* The bytes of batch b, in buf, into the process: process_vm_writev, or
 * where a sandbox refuses that call, pwrite to /proc/TID/mem (the same
 * kernel copy, a piece at a time). Bytes written, or -1 with errno. */
static ssize_t write_batch(struct fill *f, const char *buf, const struct batch *b)
{
	struct iovec local = { (void *)buf, b->len };
	ssize_t n = -1;
	size_t done = 0;

	errno = ENOSYS;
	if (!f->refused)
		n = process_vm_writev(f->tid, &local, 1, &f->piece[b->first], b->n, 0);
	if (n >= 0 || (errno != EPERM && errno != ENOSYS) || f->mem_fd < 0)
		return n;
	for (size_t k = b->first; k < b->first + b->n; k++) {
		const struct iovec *p = &f->piece[k];

		for (size_t at = 0; at < p->iov_len; at += (size_t)n) {
			n = pwrite(f->mem_fd, buf + done + at, p->iov_len - at, (off_t)(uintptr_t)p->iov_base + (off_t)at);
			if (n <= 0)
				return n < 0 && done + at == 0 ? -1 : (ssize_t)(done + at);
		}
		done += p->iov_len;
	}
	return (ssize_t)done;
}

static void *work(void *arg)
{
	struct fill *f = ((struct worker *)arg)->f;
	char *buf = aligned_alloc(R_PAGE, FILL_BUF);
	size_t i;

	if (!buf) {
		failed(f, -ENOMEM, 0, true, false);
		return NULL;
	}
	while (!atomic_load(&f->stop) && (i = atomic_fetch_add(&f->next, 1)) < f->nbatches) {
		const struct batch *b = &f->batch[i];
		ssize_t n;

		for (size_t at = 0; at < b->len; at += (size_t)n) {
			n = pread(f->img_fd, buf + at, b->len - at, (off_t)(b->off + at));
			if (n < 0 && errno == EINTR) {
				n = 0;
			} else if (n <= 0) {
				failed(f, n < 0 ? -errno : -EIO, b->off + at, true, n == 0);
				goto out;
			}
		}
		n = write_batch(f, buf, b);
		if (n != (ssize_t)b->len) {
			failed(f, n < 0 ? -errno : -EFAULT, fault_address(f, b, n < 0 ? 0 : (size_t)n), false, n >= 0);
			goto out;
		}
	}
out:
	free(buf);
	return NULL;
}

/* The pieces and batches of every filled VMA of p. */
static int plan(struct fill *f, const struct s3img_proc_process *p, uint64_t *total)
{
	size_t npieces = 0, cap = 0;
	struct batch *b = NULL;

	for (size_t v = 0; v < p->nvmas; v++)
		if (vma_filled(&p->vmas[v]))
			for (size_t k = 0; k < p->vmas[v].nruns; k++)
				cap += 2 + p->vmas[v].runs[k].len / FILL_BUF;
	f->piece = calloc(cap ? cap : 1, sizeof(*f->piece));
	f->batch = calloc(cap ? cap : 1, sizeof(*f->batch));
	if (!f->piece || !f->batch)
		return -ENOMEM;
	*total = 0;
	for (size_t v = 0; v < p->nvmas; v++) {
		const struct s3img_proc_vma *vma = &p->vmas[v];

		if (!vma_filled(vma))
			continue;
		for (size_t k = 0; k < vma->nruns; k++) {
			const struct s3img_proc_run *run = &vma->runs[k];

			for (uint64_t at = 0; at < run->len;) {
				uint64_t len = run->len - at;

				/* A new batch unless this continues the last one in the image. */
				if (!b || b->len == FILL_BUF || b->n == IOV_MAX || b->off + b->len != run->offset + at) {
					b = &f->batch[f->nbatches++];
					*b = (struct batch){ .off = run->offset + at, .first = npieces };
				}
				if (len > FILL_BUF - b->len)
					len = FILL_BUF - b->len;
				f->piece[npieces++] = (struct iovec){ (void *)(uintptr_t)(run->vaddr + at), len };
				b->n++;
				b->len += len;
				at += len;
				*total += len;
			}
		}
	}
	return 0;
}

int fill_process(struct rs *s, size_t i, pid_t tid)
{
	const struct s3img_proc_process *p = &s->img->procs[i];
	struct fill f = { .img_fd = s->img_fd, .tid = tid, .mem_fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct worker w[FILL_THREADS] = { 0 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nw = 1, started = 1;
	uint64_t total;
	char path[64];
	int r;

	if ((r = plan(&f, p, &total)) < 0) {
		r = rfail(s->diag, r, "pid %d: no memory to plan its memory's copy", p->pid[0]);
		goto out;
	}
	r = 0;
	if (!f.nbatches)
		goto out;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)tid);
	f.mem_fd = open(path, O_WRONLY | O_CLOEXEC);
	f.refused = getenv("SUSPEND3_FAULT") && !strcmp(getenv("SUSPEND3_FAULT"), "vm_writev");
	if (total >= FILL_PARALLEL_MIN && cpus > 1)
		nw = cpus < FILL_THREADS ? (size_t)cpus : FILL_THREADS;
	if (nw > f.nbatches)
		nw = f.nbatches;
	for (size_t k = 0; k < nw; k++) {
		w[k].f = &f;
		/* This thread is one of them; without more, it does it alone. */
		if (k > 0 && pthread_create(&w[k].thread, NULL, work, &w[k]) == 0) {
			w[k].started = true;
			started++;
		}
	}
	work(&w[0]);
	for (size_t k = 1; k < nw; k++)
		if (w[k].started)
			pthread_join(w[k].thread, NULL);
	if (f.err) {
		if (f.err_read && f.err_short)
			r = rfail(s->diag, -EIO, "pid %d: the image ends at %llu, inside its memory", p->pid[0],
				  (unsigned long long)f.err_at);
		else if (f.err_read)
			r = rfail(s->diag, f.err, "pid %d: reading its memory from the image at %llu: %s", p->pid[0],
				  (unsigned long long)f.err_at, strerror(-f.err));
		else
			r = rfail(s->diag, f.err, "pid %d: writing its memory at %#llx: %s", p->pid[0],
				  (unsigned long long)f.err_at, f.err_short ? "short write" : strerror(-f.err));
		goto out;
	}
	s->mem_bytes += total;
	rverbose(s, "pid %d: %llu bytes of memory in, %zu batches on %zu threads", p->pid[0],
		 (unsigned long long)total, f.nbatches, started);
	r = 0;
out:
	if (f.mem_fd >= 0)
		close(f.mem_fd);
	free(f.piece);
	free(f.batch);
	return r;
}
