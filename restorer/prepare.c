/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The resumer's part before any process exists: reopen and check every
 * file, recreate pipes with their bytes and shared memory with its pages,
 * and make sure this kernel's vdso is the one the image ran with. Every
 * fd made here lies at or above s->base ("pool"), so each copy inherits
 * it and none collides with an fd the tree had. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "restorer.h"

static int pool(struct rs *s, int fd)
{
	int n;

	if (fd < 0)
		return -errno;
	n = fcntl(fd, F_DUPFD_CLOEXEC, s->base);
	close(fd);
	return n < 0 ? -errno : n;
}

static int copy_data(struct rs *s, int fd, uint64_t off, uint64_t img_off, uint64_t len, bool is_pipe)
{
	static uint8_t buf[1 << 16];

	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		int r = s3img_proc_read_data(s->handle, img_off, buf, n, s->diag);
		if (r < 0)
			return r;
		for (size_t done = 0; done < n;) {
			ssize_t k = is_pipe ? write(fd, buf + done, n - done)
					    : pwrite(fd, buf + done, n - done, (off_t)(off + done));
			if (k < 0)
				return -errno;
			done += (size_t)k;
		}
		off += n;
		img_off += n;
		len -= n;
	}
	return 0;
}

static int open_tty(struct rs *s)
{
	int fd = -1;

	/* The terminal our stdio is on (it shows as /dev/pts/N, not as the
	 * /dev/tty alias), else the controlling one. */
	for (int i = 0; fd < 0 && i < 3; i++)
		if (isatty(i))
			fd = fcntl(i, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return rfail(s->diag, -ENOTTY, "the image is a shell job whose stdio was a terminal: resume it from a terminal");
	return pool(s, fd);
}

static int open_file(struct rs *s, size_t i)
{
	const struct s3img_proc_file *f = &s->img->files[i];
	bool mapped = f->flags & S3IMG_FILE_MAPPED;
	int flags = (int)(f->open_flags & ~(uint32_t)(O_CREAT | O_EXCL | O_TRUNC)) | O_NOCTTY | O_CLOEXEC;
	struct stat st;
	int fd;

	if (f->kind == S3IMG_FILE_TTY)
		return open_tty(s);
	fd = open(f->path, flags);
	if (fd < 0)
		return rfail(s->diag, -errno, "%s %s: cannot reopen it: %s", mapped ? "mapped file" : "file",
			     f->path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		close(fd);
		return rfail(s->diag, -errno, "%s: %s", f->path, strerror(errno));
	}
	if (f->kind == S3IMG_FILE_CHR ? st.st_rdev != f->rdev
				      : (st.st_dev != f->dev || st.st_ino != f->ino)) {
		close(fd);
		return rfail(s->diag, -ESTALE, "file %s was replaced since the suspend (another file has its name now)",
			     f->path);
	}
	/* A mapped file is the memory's other half: it must not have changed. */
	if (mapped && ((uint64_t)st.st_size != f->size || st.st_mtim.tv_sec != f->mtime_sec ||
		       (uint32_t)st.st_mtim.tv_nsec != f->mtime_nsec)) {
		close(fd);
		return rfail(s->diag, -ESTALE, "mapped file %s changed since the suspend (size %llu, was %llu; or modified)",
			     f->path, (unsigned long long)st.st_size, (unsigned long long)f->size);
	}
	/* The position (read() uses it under O_APPEND too). */
	if (!mapped && (f->kind == S3IMG_FILE_REG || f->kind == S3IMG_FILE_DIR) &&
	    lseek(fd, (off_t)f->pos, SEEK_SET) < 0) {
		close(fd);
		return rfail(s->diag, -errno, "file %s: cannot seek to %llu: %s", f->path,
			     (unsigned long long)f->pos, strerror(errno));
	}
	return pool(s, fd);
}

static int make_pipe(struct rs *s, size_t i)
{
	const struct s3img_proc_pipe *p = &s->img->pipes[i];
	int fds[2], r;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return rfail(s->diag, -errno, "pipe: %s", strerror(errno));
	s->pipe_fd[2 * i] = pool(s, fds[0]);
	s->pipe_fd[2 * i + 1] = pool(s, fds[1]);
	if (s->pipe_fd[2 * i] < 0 || s->pipe_fd[2 * i + 1] < 0)
		return rfail(s->diag, -EMFILE, "pipe: no file descriptors left");
	if (p->size && p->size <= (1u << 30))
		fcntl(s->pipe_fd[2 * i], F_SETPIPE_SZ, (int)p->size);
	r = fcntl(s->pipe_fd[2 * i], F_GETPIPE_SZ);
	if (r < 0 || (uint64_t)r < p->data_len)
		return rfail(s->diag, -ENOSPC, "pipe %zu: cannot make it hold its %llu bytes (size %d)", i,
			     (unsigned long long)p->data_len, r);
	/* Never block here, whatever the image says. */
	fcntl(s->pipe_fd[2 * i + 1], F_SETFL, O_NONBLOCK);
	r = copy_data(s, s->pipe_fd[2 * i + 1], 0, p->data_offset, p->data_len, true);
	if (r < 0)
		return rfail(s->diag, r, "pipe %zu: cannot put back its %llu bytes: %s", i,
			     (unsigned long long)p->data_len, strerror(-r));
	return 0;
}

int shm_fd(const struct rs *s, uint64_t id)
{
	for (size_t i = 0; i < s->nshm; i++)
		if (s->shm[i].id == id)
			return s->shm[i].fd;
	return -1;
}

/* A shmem object like the one MAP_SHARED|MAP_ANONYMOUS made ("/dev/zero
 * (deleted)"), reached through map_files so that it can be mapped into
 * other processes, filled from the first mapping of each range. */
static int make_shm(struct rs *s)
{
	const struct s3img_proc_image *img = s->img;
	char path[64];

	for (size_t p = 0; p < img->nprocs; p++)
		for (size_t v = 0; v < img->procs[p].nvmas; v++) {
			const struct s3img_proc_vma *vma = &img->procs[p].vmas[v];
			uint64_t end = vma->pgoff + (vma->end - vma->start);
			size_t k;

			if (vma->kind != S3IMG_VMA_ANON_SHARED)
				continue;
			for (k = 0; k < s->nshm && s->shm[k].id != vma->shmem_id; k++)
				;
			if (k == s->nshm) {
				void *n = realloc(s->shm, (s->nshm + 1) * sizeof(*s->shm));
				if (!n)
					return -ENOMEM;
				s->shm = n;
				s->shm[s->nshm++] = (struct shm_obj){ .id = vma->shmem_id, .fd = -1 };
			}
			if (end > s->shm[k].size)
				s->shm[k].size = end;
		}
	for (size_t k = 0; k < s->nshm; k++) {
		void *m;
		int fd;

		/* map_files wants CAP_CHECKPOINT_RESTORE of the first user
		 * namespace: without it, a memfd does (it shows as /memfd:). */
		if (s->userns) {
			fd = memfd_create("dev/zero", MFD_CLOEXEC);
			if (fd >= 0 && ftruncate(fd, (off_t)s->shm[k].size) < 0) {
				close(fd);
				fd = -1;
			}
			s->shm[k].fd = pool(s, fd);
			if (s->shm[k].fd < 0)
				return rfail(s->diag, s->shm[k].fd, "shared memory: %s", strerror(-s->shm[k].fd));
			continue;
		}
		m = mmap(NULL, s->shm[k].size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			return rfail(s->diag, -errno, "shared memory of %llu bytes: %s",
				     (unsigned long long)s->shm[k].size, strerror(errno));
		snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)m,
			 (unsigned long)m + s->shm[k].size);
		fd = open(path, O_RDWR | O_CLOEXEC);
		munmap(m, s->shm[k].size);
		s->shm[k].fd = pool(s, fd);
		if (s->shm[k].fd < 0)
			return rfail(s->diag, s->shm[k].fd, "shared memory: %s: %s", path, strerror(-s->shm[k].fd));
	}
	for (size_t p = 0; p < img->nprocs; p++)
		for (size_t v = 0; v < img->procs[p].nvmas; v++) {
			const struct s3img_proc_vma *vma = &img->procs[p].vmas[v];
			if (vma->kind != S3IMG_VMA_ANON_SHARED)
				continue;
			for (size_t r = 0; r < vma->nruns; r++) {
				const struct s3img_proc_run *run = &vma->runs[r];
				int e = copy_data(s, shm_fd(s, vma->shmem_id), vma->pgoff + (run->vaddr - vma->start),
						  run->offset, run->len, false);
				if (e < 0)
					return rfail(s->diag, e, "shared memory: %s", strerror(-e));
			}
		}
	return 0;
}

int prepare_files(struct rs *s)
{
	const struct s3img_proc_image *img = s->img;
	int r;

	s->file_fd = malloc((img->nfiles + 1) * sizeof(int));
	s->pipe_fd = malloc((2 * img->npipes + 1) * sizeof(int));
	if (!s->file_fd || !s->pipe_fd)
		return -ENOMEM;
	for (size_t i = 0; i < img->nfiles; i++)
		s->file_fd[i] = -1;
	for (size_t i = 0; i < 2 * img->npipes; i++)
		s->pipe_fd[i] = -1;
	for (size_t i = 0; i < img->nfiles; i++) {
		if (img->files[i].kind == S3IMG_FILE_PIPE)
			continue;
		s->file_fd[i] = open_file(s, i);
		if (s->file_fd[i] < 0)
			return s->file_fd[i];
	}
	for (size_t i = 0; i < img->npipes; i++) {
		r = make_pipe(s, i);
		if (r < 0)
			return r;
	}
	/* Each open description of a pipe end its own, with its status flags
	 * (O_NONBLOCK): reopened through /proc. */
	for (size_t i = 0; i < img->nfiles; i++) {
		const struct s3img_proc_file *f = &img->files[i];
		char path[64];

		if (f->kind != S3IMG_FILE_PIPE)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d",
			 s->pipe_fd[2 * f->pipe + ((f->open_flags & O_ACCMODE) != O_RDONLY)]);
		s->file_fd[i] = pool(s, open(path, (int)(f->open_flags & (O_ACCMODE | O_NONBLOCK)) | O_CLOEXEC));
		if (s->file_fd[i] < 0)
			return rfail(s->diag, s->file_fd[i], "pipe %u: %s", f->pipe, strerror(-s->file_fd[i]));
	}
	return make_shm(s);
}

/* Where [vdso], [vvar] and [vvar_vclock] are in this process. */
static int own_specials(struct specials *sp)
{
	static const char *names[3] = { "[vdso]", "[vvar]", "[vvar_vclock]" };
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		char *name = strchr(line, '[');
		if (!name || sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		name[strcspn(name, "\n")] = 0;
		for (int k = 0; k < 3; k++)
			if (!strcmp(name, names[k])) {
				sp->start[k] = s;
				sp->len[k] = e - s;
			}
	}
	fclose(f);
	if (!sp->len[0])
		return -ENOENT;
	for (uint64_t o = 0; o + 1 < sp->len[0]; o++) {
		const uint8_t *b = (const uint8_t *)(uintptr_t)(sp->start[0] + o);
		if (b[0] == 0x0f && b[1] == 0x05) {
			sp->syscall_off = o;
			return 0;
		}
	}
	return -ENOENT;
}

static const struct s3img_proc_vma *find_kind(const struct s3img_proc_process *p, uint32_t kind)
{
	for (size_t v = 0; v < p->nvmas; v++)
		if (p->vmas[v].kind == kind)
			return &p->vmas[v];
	return NULL;
}

/* The image's vdso must be this kernel's, byte for byte, with the vvar
 * areas where this kernel puts them relative to it: the resumed process
 * gets this kernel's vdso moved onto the recorded address. */
int prepare_specials(struct rs *s)
{
	static const uint32_t kinds[3] = { S3IMG_VMA_VDSO, S3IMG_VMA_VVAR, S3IMG_VMA_VVAR_VCLOCK };
	uint8_t *buf;
	int r;

	r = own_specials(&s->sp);
	if (r < 0)
		return rfail(s->diag, r, "cannot find this process's vdso and a syscall instruction in it");
	buf = malloc(s->sp.len[0]);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < s->img->nprocs; i++) {
		const struct s3img_proc_process *p = &s->img->procs[i];
		const struct s3img_proc_vma *vd = find_kind(p, S3IMG_VMA_VDSO);

		if (p->state != S3IMG_PROC_ALIVE)
			continue;
		if (!vd) {
			free(buf);
			return rfail(s->diag, -EOPNOTSUPP, "process %d has no vdso: not supported", p->pid[0]);
		}
		for (int k = 0; k < 3; k++) {
			const struct s3img_proc_vma *v = find_kind(p, kinds[k]);
			uint64_t len = v ? v->end - v->start : 0;
			if (len != s->sp.len[k] ||
			    (v && v->start - vd->start != s->sp.start[k] - s->sp.start[0])) {
				free(buf);
				return rfail(s->diag, -EOPNOTSUPP,
					     "the image's vdso/vvar layout is not this kernel's (suspended on %s): resume it on the kernel it was suspended on",
					     s->img->release);
			}
		}
		r = s3img_proc_read_memory(s->handle, i, vd->start, buf, s->sp.len[0], s->diag);
		if (r < 0 || memcmp(buf, (const void *)(uintptr_t)s->sp.start[0], s->sp.len[0])) {
			free(buf);
			return rfail(s->diag, -EOPNOTSUPP,
				     "the image's vdso is not this kernel's (suspended on %s): resume it on the kernel it was suspended on",
				     s->img->release);
		}
	}
	free(buf);
	return 0;
}

void prepare_close(struct rs *s)
{
	for (size_t i = 0; s->file_fd && i < s->img->nfiles; i++)
		if (s->file_fd[i] >= 0)
			close(s->file_fd[i]);
	for (size_t i = 0; s->pipe_fd && i < 2 * s->img->npipes; i++)
		if (s->pipe_fd[i] >= 0)
			close(s->pipe_fd[i]);
	for (size_t i = 0; i < s->nshm; i++)
		if (s->shm[i].fd >= 0)
			close(s->shm[i].fd);
	free(s->file_fd);
	free(s->pipe_fd);
	free(s->shm);
	s->file_fd = s->pipe_fd = NULL;
	s->shm = NULL;
	s->nshm = 0;
}
