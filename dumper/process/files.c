/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Open files: every fd of every process, classified (regular files,
 * directories, pipes, /dev/null-like devices, the terminal of a shell job)
 * or refused (sockets, anonymous inodes such as io_uring or inotify,
 * deleted files, locks...). fds that share one open file description
 * (dup, fork) are found with kcmp(KCMP_FILE) and share one files[] entry;
 * pipes are one pipes[] entry each, their buffered bytes copied with tee()
 * so that the pipe keeps them. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "process.h"

struct fdinfo {
	uint64_t pos, mnt_id;
	uint32_t flags;
	bool locked;
};

static int fdinfo_read(pid_t pid, int fd, struct fdinfo *ret)
{
	_cleanup_free_ char *text = NULL;
	uint64_t v;
	int r = read_textf(&text, NULL, "/proc/%d/fdinfo/%d", pid, fd);

	if (r < 0)
		return r;
	*ret = (struct fdinfo){ 0 };
	if (status_u64(text, "pos", 10, &ret->pos) < 0 || status_u64(text, "flags", 8, &v) < 0)
		return -EBADMSG;
	ret->flags = (uint32_t)v;
	status_u64(text, "mnt_id", 10, &ret->mnt_id);
	ret->locked = status_field(text, "lock", &(size_t){ 0 }) != NULL;
	return 0;
}

/* What kind of socket an inode is, from the process's /proc/PID/net. */
static const char *socket_kind(pid_t pid, uint64_t ino)
{
	static const struct {
		const char *file, *name;
		int column;
	} tables[] = {
		{ "tcp", "TCP socket", 9 },     { "tcp6", "TCP socket", 9 },
		{ "udp", "UDP socket", 9 },     { "udp6", "UDP socket", 9 },
		{ "raw", "raw socket", 9 },     { "raw6", "raw socket", 9 },
		{ "unix", "Unix socket", 6 },   { "netlink", "netlink socket", 9 },
		{ "packet", "packet socket", 8 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
		_cleanup_free_ char *text = NULL;
		const char *l;

		if (read_textf(&text, NULL, "/proc/%d/net/%s", pid, tables[i].file) < 0)
			continue;
		for (l = strchr(text, '\n'); l && *++l; l = strchr(l, '\n')) {
			const char *f = l;
			for (int c = 0; c < tables[i].column && f; c++) {
				f += strspn(f, " \t");
				f += strcspn(f, " \t\n");
			}
			if (f && strtoull(f, NULL, 10) == ino && *f)
				return tables[i].name;
		}
	}
	return "socket";
}

static const char *anon_kind(const char *name)
{
	static const struct {
		const char *inode, *what;
	} kinds[] = {
		{ "[io_uring]", "an io_uring instance" }, { "inotify", "an inotify instance" },
		{ "[eventfd]", "an eventfd" },            { "[eventpoll]", "an epoll instance" },
		{ "[signalfd]", "a signalfd" },           { "[timerfd]", "a timerfd" },
		{ "[pidfd]", "a pidfd" },                 { "[userfaultfd]", "a userfaultfd" },
		{ "[fanotify]", "a fanotify instance" },  { "[perf_event]", "a perf event" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strcmp(name, kinds[i].inode) == 0)
			return kinds[i].what;
	return NULL;
}

static bool is_null_like(dev_t rdev)
{
	/* /dev/null, zero, full, random, urandom */
	return major(rdev) == 1 && (minor(rdev) == 3 || minor(rdev) == 5 || minor(rdev) == 7 ||
				    minor(rdev) == 8 || minor(rdev) == 9);
}

static bool is_tty(dev_t rdev)
{
	unsigned ma = major(rdev);
	return (ma >= 136 && ma <= 143) || ma == 4 || (ma == 5 && minor(rdev) <= 2);
}

struct fd_class {
	uint32_t kind;
	struct stat st;      /* of the open file */
	uint64_t pipe_ino;
};

static int classify(struct tree *t, pid_t pid, int fd, const char *link, const struct fdinfo *fi,
		    struct fd_class *c, struct s3img_diag *diag)
{
	char path[96];
	struct stat now;
	const char *what;

	*c = (struct fd_class){ 0 };
	if (strncmp(link, "socket:[", 8) == 0)
		return unsupported(diag, pid, "fd %d is a %s: not supported", fd,
				   socket_kind(pid, strtoull(link + 8, NULL, 10)));
	if (strncmp(link, "pipe:[", 6) == 0) {
		if (fi->flags & O_DIRECT)
			return unsupported(diag, pid, "fd %d is a packet-mode pipe: not supported", fd);
		c->kind = S3IMG_FILE_PIPE;
		c->pipe_ino = strtoull(link + 6, NULL, 10);
		return 0;
	}
	if (strncmp(link, "anon_inode:", 11) == 0) {
		what = anon_kind(link + 11);
		if (what)
			return unsupported(diag, pid, "fd %d is %s: not supported", fd, what);
		return unsupported(diag, pid, "fd %d is %s: not supported", fd, link);
	}
	if (link[0] != '/')
		return unsupported(diag, pid, "fd %d (%s): not supported", fd, link);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	if (stat(path, &c->st) < 0)
		return fail(diag, -errno, "pid %d: fd %d: cannot stat '%s': %m", pid, fd, link);
	if (fi->locked)
		return unsupported(diag, pid, "fd %d: '%s' holds a file lock: not supported", fd, link);
	switch (c->st.st_mode & S_IFMT) {
	case S_IFREG:
	case S_IFDIR:
		c->kind = S_ISREG(c->st.st_mode) ? S3IMG_FILE_REG : S3IMG_FILE_DIR;
		if (c->st.st_nlink == 0) {
			size_t n = strlen(link);
			if (n > 10 && strcmp(link + n - 10, " (deleted)") == 0)
				n -= 10;
			return unsupported(diag, pid, "fd %d: '%.*s' was deleted: not supported", fd, (int)n, link);
		}
		if (stat(link, &now) < 0 || now.st_dev != c->st.st_dev || now.st_ino != c->st.st_ino)
			return unsupported(diag, pid, "fd %d: '%s' now names another file: not supported", fd,
					   link);
		return 0;
	case S_IFCHR:
		if (is_null_like(c->st.st_rdev)) {
			c->kind = S3IMG_FILE_CHR;
			return 0;
		}
		if (is_tty(c->st.st_rdev)) {
			if (!t->opts->shell_job)
				return unsupported(diag, pid, "fd %d is the terminal '%s' (use --shell-job)", fd, link);
			c->kind = S3IMG_FILE_TTY;
			return 0;
		}
		return unsupported(diag, pid, "fd %d is the device '%s': not supported", fd, link);
	case S_IFIFO:
		return unsupported(diag, pid, "fd %d is the named FIFO '%s': not supported", fd, link);
	default:
		return unsupported(diag, pid, "fd %d ('%s') is a block device or socket: not supported", fd,
				   link);
	}
}

static int pipe_index(struct s3img_proc_image *img, uint64_t ino, uint32_t *ret)
{
	struct s3img_proc_pipe *a;

	for (size_t i = 0; i < img->npipes; i++)
		if (img->pipes[i].ino == ino) {
			*ret = (uint32_t)i;
			return 0;
		}
	a = realloc(img->pipes, (img->npipes + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	img->pipes = a;
	a[img->npipes] = (struct s3img_proc_pipe){ .ino = ino };
	*ret = (uint32_t)img->npipes++;
	return 0;
}

static bool same_description(const struct file_rep *rep, pid_t pid, int fd)
{
	return syscall(SYS_kcmp, rep->pid, pid, KCMP_FILE, rep->fd, fd) == 0;
}

/* The files[] index of this fd's open file description, added if new. */
static int file_index(struct tree *t, pid_t pid, int fd, const char *link, const struct fdinfo *fi,
		      const struct fd_class *c, uint32_t *ret)
{
	struct s3img_proc_image *img = t->img;
	uint32_t flags = fi->flags & ~(uint32_t)O_CLOEXEC, pipe = S3IMG_PROC_NO_INDEX;
	struct s3img_proc_file *f;
	struct file_rep *rp;
	int r;

	for (size_t i = 0; i < img->nfiles; i++) {
		f = &img->files[i];
		if (t->reps[i].pid == 0 || f->kind != c->kind || f->open_flags != flags || f->pos != fi->pos)
			continue;
		if (c->kind == S3IMG_FILE_PIPE ? img->pipes[f->pipe].ino != c->pipe_ino
					       : f->dev != c->st.st_dev || f->ino != c->st.st_ino)
			continue;
		if (same_description(&t->reps[i], pid, fd)) {
			*ret = (uint32_t)i;
			return 0;
		}
	}
	if (c->kind == S3IMG_FILE_PIPE) {
		r = pipe_index(img, c->pipe_ino, &pipe);
		if (r < 0)
			return r;
	}
	f = realloc(img->files, (img->nfiles + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	img->files = f;
	rp = realloc(t->reps, (img->nfiles + 1) * sizeof(*rp));
	if (!rp)
		return -ENOMEM;
	t->reps = rp;
	t->reps[img->nfiles] = (struct file_rep){ .pid = pid, .fd = fd };
	f = &img->files[img->nfiles];
	*f = (struct s3img_proc_file){
		.kind = c->kind, .open_flags = flags, .mode = c->st.st_mode, .pos = fi->pos,
		.dev = c->st.st_dev, .ino = c->st.st_ino, .rdev = c->st.st_rdev, .size = (uint64_t)c->st.st_size,
		.mtime_sec = c->st.st_mtim.tv_sec, .mtime_nsec = (uint32_t)c->st.st_mtim.tv_nsec,
		.ctime_sec = c->st.st_ctim.tv_sec, .ctime_nsec = (uint32_t)c->st.st_ctim.tv_nsec,
		.mnt_id = fi->mnt_id, .pipe = pipe,
	};
	if (c->kind != S3IMG_FILE_PIPE) {
		f->path = strdup(link);
		if (!f->path)
			return -ENOMEM;
	} else {
		f->mode = S_IFIFO | 0600;
	}
	*ret = (uint32_t)img->nfiles++;
	t->nreps = img->nfiles;
	return 0;
}

static int scan_fds(struct tree *t, size_t pi, struct proc *p, bool record, struct s3img_diag *diag)
{
	_cleanup_free_ pid_t *fds = NULL;
	struct s3img_proc_process *m = record ? &t->img->procs[pi] : NULL;
	size_t n;
	char dir[64];
	int r;

	if (p->zombie)
		return 0;
	snprintf(dir, sizeof(dir), "/proc/%d/fd", p->pid);
	r = list_numbers(dir, &fds, &n);
	if (r < 0)
		return fail(diag, r, "pid %d: cannot list its files: %s", p->pid, strerror(-r));
	if (record && n) {
		m->fds = calloc(n, sizeof(*m->fds));
		if (!m->fds)
			return -ENOMEM;
	}
	for (size_t k = 0; k < n; k++) {
		_cleanup_free_ char *link = NULL;
		struct fd_class c;
		struct fdinfo fi;
		uint32_t file;

		r = readlinkf(&link, "/proc/%d/fd/%d", p->pid, fds[k]);
		if (r == 0)
			r = fdinfo_read(p->pid, fds[k], &fi);
		if (r == -ENOENT && !record)
			continue; /* closed meanwhile: the tree still runs */
		if (r < 0)
			return fail(diag, r, "pid %d: cannot read fd %d: %s", p->pid, fds[k], strerror(-r));
		r = classify(t, p->pid, fds[k], link, &fi, &c, diag);
		if (r < 0)
			return r;
		if (!record)
			continue;
		r = file_index(t, p->pid, fds[k], link, &fi, &c, &file);
		if (r < 0)
			return r;
		m->fds[m->nfds++] = (struct s3img_proc_fd){ .fd = fds[k], .file = file,
							    .fd_flags = fi.flags & O_CLOEXEC ? 1 : 0 };
	}
	return 0;
}

int check_files(struct tree *t, struct proc *p, struct s3img_diag *diag)
{
	return scan_fds(t, 0, p, false, diag);
}

/* A pipe with an end in a process outside the tree cannot be restored. */
static int check_pipes_outside(struct tree *t, struct s3img_diag *diag)
{
	_cleanup_free_ pid_t *all = NULL;
	size_t n;

	if (!t->img->npipes || list_numbers("/proc", &all, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ pid_t *fds = NULL;
		size_t nfd;
		char dir[64];

		if (tree_find(t, all[i]) || all[i] == getpid())
			continue;
		snprintf(dir, sizeof(dir), "/proc/%d/fd", all[i]);
		if (list_numbers(dir, &fds, &nfd) < 0)
			continue;
		for (size_t k = 0; k < nfd; k++) {
			_cleanup_free_ char *link = NULL;
			uint64_t ino;

			if (readlinkf(&link, "/proc/%d/fd/%d", all[i], fds[k]) < 0 ||
			    strncmp(link, "pipe:[", 6) != 0)
				continue;
			ino = strtoull(link + 6, NULL, 10);
			for (size_t j = 0; j < t->img->nfiles; j++) {
				const struct s3img_proc_file *f = &t->img->files[j];
				if (f->kind == S3IMG_FILE_PIPE && t->img->pipes[f->pipe].ino == ino)
					return unsupported(diag, t->reps[j].pid,
							   "fd %d is a pipe shared with pid %d outside the tree: not supported",
							   t->reps[j].fd, all[i]);
			}
		}
	}
	return 0;
}

int collect_files(struct tree *t, struct s3img_diag *diag)
{
	int r;

	for (size_t i = 0; i < t->nprocs; i++) {
		r = scan_fds(t, i, &t->procs[i], true, diag);
		if (r < 0)
			return r;
	}
	return check_pipes_outside(t, diag);
}

int dump_pipes(struct tree *t, struct s3img_proc_writer *w, struct s3img_diag *diag)
{
	for (size_t k = 0; k < t->img->npipes; k++) {
		struct s3img_proc_pipe *pp = &t->img->pipes[k];
		_cleanup_close_ int in = -1, rd = -1, wr = -1;
		_cleanup_free_ uint8_t *buf = NULL;
		const struct file_rep *rep = NULL;
		int pfd[2], size;
		char path[64];
		ssize_t n;

		for (size_t j = 0; j < t->img->nfiles && !rep; j++)
			if (t->img->files[j].kind == S3IMG_FILE_PIPE && t->img->files[j].pipe == k)
				rep = &t->reps[j];
		if (!rep)
			continue;
		/* A new reader of the same pipe, for tee(): the tree is frozen. */
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", rep->pid, rep->fd);
		in = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (in < 0)
			return fail(diag, -errno, "pid %d: fd %d: cannot open its pipe: %m", rep->pid, rep->fd);
		size = fcntl(in, F_GETPIPE_SZ);
		if (size <= 0)
			return fail(diag, -errno, "pid %d: fd %d: cannot read the pipe size: %m", rep->pid, rep->fd);
		pp->size = (uint32_t)size;
		if (pipe2(pfd, O_NONBLOCK | O_CLOEXEC) < 0)
			return -errno;
		rd = pfd[0];
		wr = pfd[1];
		if (fcntl(wr, F_SETPIPE_SZ, size) < 0)
			return fail(diag, -errno, "cannot make a pipe of %d bytes: %m", size);
		n = tee(in, wr, (size_t)size, SPLICE_F_NONBLOCK);
		if (n < 0 && errno != EAGAIN)
			return fail(diag, -errno, "pid %d: fd %d: cannot copy the pipe's bytes: %m", rep->pid,
				    rep->fd);
		if (n <= 0)
			continue;
		buf = malloc((size_t)n);
		if (!buf)
			return -ENOMEM;
		if (read(rd, buf, (size_t)n) != n)
			return fail(diag, -EIO, "pid %d: fd %d: short read of the pipe's bytes", rep->pid, rep->fd);
		{
			struct iovec iov = { buf, (size_t)n };
			int r = s3img_proc_writer_data(w, &iov, 1, &pp->data_offset);
			if (r < 0)
				return fail(diag, r, "cannot write the image: %s", strerror(-r));
		}
		pp->data_len = (uint64_t)n;
	}
	return 0;
}
