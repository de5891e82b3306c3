/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `suspend3 resume`: check the image and the system, prepare what the
 * processes share, create the tree (spawn.c), rebuild each process
 * (rebuild.c), let them all run, then wait for the root like the job it
 * was. On any failure every process created so far is killed and reaped:
 * the copies die with their parents (PR_SET_PDEATHSIG) and with the
 * resumer (PTRACE_O_EXITKILL), and the resumer is their subreaper. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "restorer.h"

#define PHASE_TIMEOUT_MS 60000

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCONT };

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void rverbose(const struct rs *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->opts->verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "resume: %6.3f s: ", now() - s->t0);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Every PID and TID the tree needs here must be free (a clearer message
 * than clone3's EEXIST, before anything is created). */
static int check_pids_free(struct rs *s)
{
	const struct s3img_proc_image *img = s->img;
	char path[64], comm[32] = "?";

	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t n = 0; n < (img->procs[i].nthreads ? img->procs[i].nthreads : 1); n++) {
			pid_t id = img->procs[i].nthreads ? img->procs[i].threads[n].tid[0] : img->procs[i].pid[0];
			FILE *f;

			char stat[512], *e;
			size_t len;

			snprintf(path, sizeof(path), "/proc/%d/stat", id);
			f = fopen(path, "re");
			if (!f)
				continue;
			len = fread(stat, 1, sizeof(stat) - 1, f);
			fclose(f);
			stat[len] = 0;
			e = strrchr(stat, ')');
			snprintf(comm, sizeof(comm), "%.*s", e && strchr(stat, '(') ? (int)(e - strchr(stat, '(') - 1) : 0,
				 strchr(stat, '(') ? strchr(stat, '(') + 1 : "");
			return rfail(s->diag, -EEXIST, "cannot resume pid %d (%s): PID %d is taken by %s (%s)",
				     img->procs[i].pid[0], img->procs[i].comm, id,
				     e && e[1] == ' ' && e[2] == 'Z' ? "a zombie not yet reaped" : "a running process", comm);
		}
	return 0;
}

/* Not root: only one's own processes, as they were (no capabilities). */
static int check_own(struct rs *s)
{
	gid_t groups[1024];
	int ng = getgroups(1024, groups);

	for (size_t i = 0; i < s->img->nprocs; i++) {
		const struct s3img_proc_process *p = &s->img->procs[i];
		const struct s3img_proc_creds *c = &p->creds;
		bool same = c->ngroups == (size_t)(ng < 0 ? 0 : ng);

		if (p->state != S3IMG_PROC_ALIVE)
			continue;
		for (size_t k = 0; same && k < c->ngroups; k++) {
			bool found = false;
			for (int n = 0; n < ng; n++)
				found |= groups[n] == c->groups[k];
			same = found;
		}
		for (int k = 0; k < 4; k++)
			same = same && c->uid[k] == getuid() && c->gid[k] == getgid();
		if (!same || c->cap_prm || c->cap_eff || c->cap_amb || c->cap_inh)
			return rfail(s->diag, -EPERM,
				     "pid %d (%s) ran as uid %u gid %u%s: only root may resume it",
				     p->pid[0], p->comm, c->uid[1], c->gid[1],
				     c->cap_prm || c->cap_eff ? " with capabilities" : "");
	}
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	return r;
}

/* Not root: a new user namespace (our uid and gid mapped to themselves)
 * and a new PID namespace, whose init is a small helper: it reaps what
 * is orphaned there, and once the resumer is done (its pipe closes) it
 * stays until the namespace is otherwise empty. The image's level 0 is
 * that namespace. */
static int enter_userns(struct rs *s, int *ret_ctl)
{
	char map[64];
	int ctl[2], r;
	pid_t init;

	if (unshare(CLONE_NEWUSER) < 0)
		return rfail(s->diag, -errno, "cannot make a user namespace to resume in (as a user): %s", strerror(errno));
	snprintf(map, sizeof(map), "%u %u 1\n", getuid(), getuid());
	if ((r = write_file("/proc/self/uid_map", map)) < 0 ||
	    (r = write_file("/proc/self/setgroups", "deny")) < 0)
		return rfail(s->diag, r, "user namespace: uid map: %s", strerror(-r));
	snprintf(map, sizeof(map), "%u %u 1\n", getgid(), getgid());
	if ((r = write_file("/proc/self/gid_map", map)) < 0)
		return rfail(s->diag, r, "user namespace: gid map: %s", strerror(-r));
	if (unshare(CLONE_NEWPID) < 0 || pipe2(ctl, O_CLOEXEC) < 0)
		return rfail(s->diag, -errno, "cannot make a PID namespace to resume in: %s", strerror(errno));
	init = fork();
	if (init < 0)
		return rfail(s->diag, -errno, "fork: %s", strerror(errno));
	if (init == 0) {
		char c;
		int st;
		prctl(PR_SET_NAME, "suspend3-init");
		if (ctl[0] != 3 && dup2(ctl[0], 3) < 0)
			_exit(127);
		syscall(SYS_close_range, 4, ~0u, 0);
		close(0);
		close(1);
		close(2);
		while (read(3, &c, 1) != 0)
			;
		/* Until no other process is left in the namespace (the tree's
		 * root comes to us only once the resumer is gone). */
		for (;;) {
			if (waitpid(-1, &st, __WALL) > 0 || errno == EINTR)
				continue;
			if (kill(-1, 0) < 0 && errno == ESRCH)
				_exit(0);
			usleep(100000);
		}
	}
	close(ctl[0]);
	s->init = init;
	s->level_off = 1;
	/* Above the tree's fds: every copy closes it with the pool. */
	*ret_ctl = fcntl(ctl[1], F_DUPFD_CLOEXEC, s->base);
	close(ctl[1]);
	return *ret_ctl < 0 ? -errno : 0;
}

/* Not root: the copies' PIDs here, found from the root down (NSpid: ours
 * first, then the image's levels). */
static int translate_pids(struct rs *s, pid_t root)
{
	pid_t *queue = calloc(s->img->nprocs + 1, sizeof(pid_t));
	size_t head = 0, tail = 0;
	char path[64];

	if (!queue)
		return -ENOMEM;
	queue[tail++] = root;
	while (head < tail) {
		pid_t p = queue[head++];
		char *text = NULL, *l, *e;
		size_t len = 0;
		FILE *f;
		long inner;

		snprintf(path, sizeof(path), "/proc/%d/status", p);
		f = fopen(path, "re");
		if (!f || getdelim(&text, &len, 0, f) < 0) {
			if (f)
				fclose(f);
			free(text);
			continue;
		}
		fclose(f);
		l = strstr(text, "\nNSpid:");
		inner = l ? (strtol(l + 7, &e, 10), strtol(e, NULL, 10)) : 0;
		free(text);
		for (size_t i = 0; i < s->img->nprocs; i++)
			if (s->img->procs[i].pid[0] == inner)
				s->pid[i] = p;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", p, p);
		f = fopen(path, "re");
		while (f && tail < s->img->nprocs && fscanf(f, "%d", &queue[tail]) == 1)
			tail++;
		if (f)
			fclose(f);
	}
	free(queue);
	for (size_t i = 0; i < s->img->nprocs; i++)
		if (!s->pid[i])
			return rfail(s->diag, -ESRCH, "pid %d: not found after it was created", s->img->procs[i].pid[0]);
	return 0;
}

/* Wait for one report of each kind `what` from every process to expect. */
static int collect(struct rs *s, uint32_t what, pid_t root)
{
	const struct s3img_proc_image *img = s->img;
	size_t want = 0, got = 0;
	bool *seen = calloc(img->nprocs, 1);
	double deadline = now() + PHASE_TIMEOUT_MS / 1000.0;
	int r = 0;

	if (!seen)
		return -ENOMEM;
	want = img->nprocs;
	while (got < want) {
		struct pollfd pfd = { s->status_rd, POLLIN, 0 };
		struct rmsg m;
		int st;

		if (poll(&pfd, 1, 100) == 0) {
			if (root > 0 && waitpid(root, &st, WNOHANG) == root) {
				r = rfail(s->diag, -ECHILD, "the resumed tree died while it was being rebuilt (%s %d)",
					  WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
				break;
			}
			if (now() > deadline) {
				r = rfail(s->diag, -ETIMEDOUT, "the processes did not report within %d s", PHASE_TIMEOUT_MS / 1000);
				break;
			}
			continue;
		}
		if (read(s->status_rd, &m, sizeof(m)) != (ssize_t)sizeof(m) || m.proc >= img->nprocs) {
			r = rfail(s->diag, -EIO, "a broken report from a process being rebuilt");
			break;
		}
		m.text[sizeof(m.text) - 1] = 0;
		if (m.what == RMSG_ERROR) {
			r = rfail(s->diag, m.err ? m.err : -EIO, "%s", m.text);
			break;
		}
		if (m.what == RMSG_CREATED) {
			if (!s->userns)
				s->pid[m.proc] = img->procs[m.proc].pid[0];
			s->nsfd[m.proc] = m.err;
		}
		if (m.what == what && !seen[m.proc]) {
			seen[m.proc] = true;
			got++;
		}
	}
	free(seen);
	return r;
}

/* The zombies of the image must be zombies before their parents are
 * rebuilt (their exit is what makes the parent's SIGCHLD). */
static int wait_zombies(struct rs *s)
{
	for (size_t i = 0; i < s->img->nprocs; i++) {
		char path[64], buf[256];
		bool z = false;

		if (s->img->procs[i].state != S3IMG_PROC_ZOMBIE)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", s->pid[i]);
		for (int k = 0; k < 500 && !z; k++) {
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
			char *e;
			if (fd >= 0)
				close(fd);
			buf[n > 0 ? n : 0] = 0;
			e = strrchr(buf, ')');
			z = e && e[1] == ' ' && e[2] == 'Z';
			if (!z)
				usleep(10000);
		}
		if (!z)
			return rfail(s->diag, -ETIMEDOUT, "zombie pid %d did not exit", s->img->procs[i].pid[0]);
	}
	return 0;
}

/* Our children: the root, and orphans of the tree (we are their
 * subreaper while it is rebuilt). */
static size_t kill_children(void)
{
	char path[64], buf[512];
	size_t n = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;

	while (d && (de = readdir(d))) {
		pid_t pid = (pid_t)strtol(de->d_name, NULL, 10);
		char *e;
		int fd;
		ssize_t len;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		buf[len > 0 ? len : 0] = 0;
		e = strrchr(buf, ')');
		if (e && e[1] && e[2] && strtol(e + 4, NULL, 10) == getpid()) {
			kill(pid, SIGKILL);
			n++;
		}
	}
	if (d)
		closedir(d);
	return n;
}

static void kill_all(struct rs *s, pid_t root)
{
	double deadline = now() + 10;
	int st;

	if (root > 0)
		kill(root, SIGKILL);
	/* Its init gone, a PID namespace dies whole. */
	if (s->init > 0)
		kill(s->init, SIGKILL);
	for (size_t i = 0; i < s->img->nprocs; i++)
		if (s->pid[i] > 0)
			kill(s->pid[i], SIGKILL);
	/* Copies die with their parents; orphans come to us: kill and reap
	 * until none is left. */
	while (now() < deadline) {
		pid_t w = waitpid(-1, &st, __WALL | WNOHANG);
		if (w < 0 && errno == ECHILD)
			break;
		if (w <= 0) {
			kill_children();
			usleep(5000);
		}
	}
}

static int foreground(pid_t root, int *ret_status)
{
	sigset_t set;
	siginfo_t si;
	int st;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t k = 0; k < ARRAY_SIZE(forwarded); k++)
		sigaddset(&set, forwarded[k]);
	for (;;) {
		pid_t w;

		while ((w = waitpid(-1, &st, WNOHANG)) > 0)
			if (w == root) {
				*ret_status = st;
				return 0;
			}
		if (w < 0 && errno == ECHILD)
			return -ECHILD;
		if (sigwaitinfo(&set, &si) < 0)
			continue;
		/* A terminal's signals reach the job's group by themselves. */
		if (si.si_signo != SIGCHLD && si.si_code != SI_KERNEL)
			kill(root, si.si_signo);
	}
}

int restorer_resume(const char *path, const struct resume_opts *opts, struct resume_result *ret,
		    struct s3img_diag *diag)
{
	struct rs s = { .opts = opts, .diag = diag, .img_fd = -1, .status_rd = -1, .status_wr = -1,
			.go_rd = -1, .go_wr = -1, .t0 = now() };
	struct resume_result res = { 0 };
	sigset_t block, old;
	pid_t root = 0;
	int r, fds[2];
	struct rlimit nofile;
	const char *fault;
	long fault_at = -1;
	int init_ctl = -1;

	sigprocmask(SIG_SETMASK, NULL, &old);
	s.userns = geteuid() != 0;
	r = s3img_proc_open(path, &s.handle, diag);
	if (r < 0)
		return r;
	s.img = s3img_proc_get_image(s.handle);
	if ((r = restorer_check_image(s.img, diag)) < 0)
		goto out;
	rverbose(&s, "image read and checked");
	if (s.userns && (r = check_own(&s)) < 0)
		goto out;
	s.pid = calloc(s.img->nprocs, sizeof(*s.pid));
	s.nsfd = calloc(s.img->nprocs, sizeof(*s.nsfd));
	s.tid = calloc(s.img->nprocs, sizeof(*s.tid));
	if (!s.pid || !s.nsfd || !s.tid) {
		r = -ENOMEM;
		goto out;
	}
	/* The pool starts above every fd of the tree. */
	s.base = 3;
	for (size_t i = 0; i < s.img->nprocs; i++)
		for (size_t k = 0; k < s.img->procs[i].nfds; k++)
			if (s.img->procs[i].fds[k].fd >= s.base)
				s.base = s.img->procs[i].fds[k].fd + 1;
	getrlimit(RLIMIT_NOFILE, &nofile);
	if (nofile.rlim_cur < (rlim_t)s.base + s.img->nfiles + 2 * s.img->npipes + 64) {
		nofile.rlim_cur = (rlim_t)s.base + s.img->nfiles + 2 * s.img->npipes + 64;
		if (nofile.rlim_max < nofile.rlim_cur)
			nofile.rlim_max = nofile.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &nofile) < 0) {
			r = rfail(diag, -errno, "cannot raise the open file limit to %llu: %s",
				  (unsigned long long)nofile.rlim_cur, strerror(errno));
			goto out;
		}
	}
	s.cap_last = 40;
	{
		FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
		if (f) {
			if (fscanf(f, "%d", &s.cap_last) != 1 || s.cap_last < 0 || s.cap_last > 63)
				s.cap_last = 40;
			fclose(f);
		}
	}
	if (s.userns ? (r = enter_userns(&s, &init_ctl)) < 0 : (r = check_pids_free(&s)) < 0)
		goto fail_early;
	if ((r = prepare_specials(&s)) < 0 || (r = prepare_files(&s)) < 0)
		goto fail_early;
	s.img_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s.img_fd >= 0) {
		int n = fcntl(s.img_fd, F_DUPFD_CLOEXEC, s.base);
		close(s.img_fd);
		s.img_fd = n;
	}
	if (s.img_fd < 0 || pipe2(fds, O_CLOEXEC) < 0) {
		r = rfail(diag, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	s.status_rd = fcntl(fds[0], F_DUPFD_CLOEXEC, s.base);
	s.status_wr = fcntl(fds[1], F_DUPFD_CLOEXEC, s.base);
	close(fds[0]);
	close(fds[1]);
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	s.go_rd = fcntl(fds[0], F_DUPFD_CLOEXEC, s.base);
	s.go_wr = fcntl(fds[1], F_DUPFD_CLOEXEC, s.base);
	close(fds[0]);
	close(fds[1]);
	rverbose(&s, "%zu processes, %zu files, %zu pipes, %zu PID namespaces; pool fds from %d", s.img->nprocs,
		s.img->nfiles, s.img->npipes, s.img->npidns, s.base);

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	for (size_t k = 0; k < ARRAY_SIZE(forwarded); k++)
		sigaddset(&block, forwarded[k]);
	sigprocmask(SIG_BLOCK, &block, &old);
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	root = spawn_process(&s, 0, s.img->procs[0].pidns != 0 ? CLONE_NEWPID : 0);
	if (root < 0) {
		/* The report is in the pipe. */
		collect(&s, RMSG_CREATED, 0);
		r = root;
		root = 0;
		goto fail;
	}
	s.pid[0] = root;
	if ((r = collect(&s, RMSG_CREATED, root)) < 0 || (s.userns && (r = translate_pids(&s, root)) < 0))
		goto fail;
	rverbose(&s, "every process exists");
	close(s.go_wr);
	s.go_wr = -1;
	if ((r = collect(&s, RMSG_READY, root)) < 0 || (r = wait_zombies(&s)) < 0)
		goto fail;
	/* SUSPEND3_FAULT=rebuild:N fails the rebuild of process N (tests: the
	 * cleanup once the tree exists). */
	fault = getenv("SUSPEND3_FAULT");
	if (fault && !strncmp(fault, "rebuild:", 8))
		fault_at = strtol(fault + 8, NULL, 10);
	for (size_t i = 0; i < s.img->nprocs; i++) {
		if (s.img->procs[i].state != S3IMG_PROC_ALIVE)
			continue;
		if ((long)i == fault_at) {
			r = rfail(diag, -EIO, "pid %d: fault injected by SUSPEND3_FAULT", s.img->procs[i].pid[0]);
			goto fail;
		}
		if ((r = rebuild_process(&s, i)) < 0)
			goto fail;
		rverbose(&s, "pid %d (%s) rebuilt", s.img->procs[i].pid[0], s.img->procs[i].comm);
	}
	for (size_t i = 0; i < s.img->nprocs; i++)
		if (s.img->procs[i].state == S3IMG_PROC_ALIVE)
			release_process(&s, i);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	res.seconds = now() - s.t0;
	res.nprocs = s.img->nprocs;
	res.nthreads = s.nthreads;
	res.root_pid = root;
	res.memory_bytes = s.mem_bytes;
	if (ret)
		*ret = res;
	r = 0;
	prepare_close(&s);
	close(s.img_fd);
	close(s.status_rd);
	close(s.status_wr);
	close(s.go_rd);
	s.img_fd = s.status_rd = s.status_wr = s.go_rd = -1;
	if (opts->on_running)
		opts->on_running(&res, opts->userdata);
	if (!opts->detach) {
		/* A shell job whose root leads its own group takes the terminal
		 * from us, as the shell gave it, and gives it back at the end. */
		int tty = (s.img->flags & S3IMG_PROC_IMAGE_SHELL_JOB) ? open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
		bool handed = tty >= 0 && s.img->procs[0].pgid[0] == s.img->procs[0].pid[0] &&
			      tcgetpgrp(tty) == getpgrp();
		sigset_t ttou;

		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, NULL);
		if (handed)
			tcsetpgrp(tty, root);
		r = foreground(root, &res.status);
		if (handed)
			tcsetpgrp(tty, getpgrp());
		if (init_ctl >= 0) {
			/* Our namespace's init reaps what is left, then goes. */
			close(init_ctl);
			init_ctl = -1;
		}
		if (tty >= 0)
			close(tty);
		if (ret)
			ret->status = res.status;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	goto out;
fail_early:
	if (s.init <= 0)
		goto out;
fail:
	kill_all(&s, root);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	prepare_close(&s);
	if (s.img_fd >= 0)
		close(s.img_fd);
	if (s.status_rd >= 0)
		close(s.status_rd);
	if (s.status_wr >= 0)
		close(s.status_wr);
	if (s.go_rd >= 0)
		close(s.go_rd);
	if (s.go_wr >= 0)
		close(s.go_wr);
	if (init_ctl >= 0)
		close(init_ctl);
	for (size_t i = 0; s.tid && i < s.img->nprocs; i++)
		free(s.tid[i]);
	free(s.tid);
	free(s.pid);
	free(s.nsfd);
	s3img_proc_free(s.handle);
	return r;
}
