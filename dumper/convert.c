/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image conversion: open, create the output safely, write, clean up. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dumper.h"

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static int should_stop(void *ctx)
{
	(void)ctx;
	return stop_signal != 0;
}

static int set_diag(struct s3img_diag *diag, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int set_diag(struct s3img_diag *diag, int err, const char *fmt, ...)
{
	va_list ap;

	diag->offset = UINT64_MAX;
	va_start(ap, fmt);
	vsnprintf(diag->reason, sizeof(diag->reason), fmt, ap);
	va_end(ap);
	return err;
}

/* Pick the first level the dump fully supports (see dumper_opts). */
static int pick_level(struct s3img *img, const struct dumper_opts *opts, struct dumper_result *res)
{
	char why[96];
	int want = 1, got = 1;

	res->level_note[0] = '\0';
	for (unsigned i = 0; i < (opts->nlevels ? opts->nlevels : 1); i++) {
		want = opts->nlevels ? opts->levels[i] : 1;
		got = s3img_filter_level(img, want, why, sizeof(why));
		if (got == want)
			return want;
	}
	snprintf(res->level_note, sizeof(res->level_note),
		 "the dump lacks %s: using dump level %d instead of %d", why, got, want);
	return got;
}

/* A second descriptor with O_DIRECT for the aligned bulk writes; -1 where
 * the file system refuses it (tmpfs) or for streams. */
static int open_direct(const char *out)
{
	int fd;

	if (strcmp(out, "-") == 0)
		return -1;
	fd = open(out, O_WRONLY | O_DIRECT | O_CLOEXEC);
	return fd < 0 ? -1 : fd;
}

/* Create OUT 0600; never clobber without --force, never the input itself. */
static int open_output(const char *out, const char *in, bool force, bool *created,
		       struct s3img_diag *diag)
{
	struct stat si, so;
	int fd;

	if (strcmp(out, "-") == 0)
		return STDOUT_FILENO;
	if (stat(in, &si) == 0 && stat(out, &so) == 0 && si.st_dev == so.st_dev &&
	    si.st_ino == so.st_ino)
		return set_diag(diag, -EINVAL, "'%s' is the input file", out);
	fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return set_diag(diag, -EEXIST, "'%s' exists (use --force to overwrite)", out);
		return set_diag(diag, -errno, "cannot create '%s': %s", out, strerror(errno));
	}
	*created = true;
	return fd;
}

int dumper_convert(const char *in, const char *out, const struct dumper_opts *opts,
		   struct dumper_result *ret, struct s3img_diag *diag)
{
	struct s3img *img = NULL;
	struct sigaction sa = { .sa_handler = on_stop_signal }, old_int, old_term;
	struct s3img_write_opts wo = {
		.format = opts->format, .compress = opts->compress, .threads = opts->threads,
		.io = opts->io, .progress = opts->progress, .progress_ctx = opts->progress_ctx,
		.should_stop = should_stop,
	};
	bool created = false;
	int fd, dfd, r;

	memset(ret, 0, sizeof(*ret));
	/* pread, not mmap: a bad page of /proc/vmcore must be an error, not SIGBUS. */
	r = s3img_open_flags(&in, 1, S3IMG_OPEN_NO_MMAP, &img, diag);
	if (r < 0)
		return r;
	if (strcmp(out, "-") == 0 && opts->format != S3IMG_FORMAT_FLAT) {
		s3img_free(img);
		return set_diag(diag, -EINVAL, "only --format flat can be written to standard output");
	}
	if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO)) {
		s3img_free(img);
		return set_diag(diag, -EINVAL, "refusing to write a dump to a terminal");
	}
	wo.dump_level = ret->level = pick_level(img, opts, ret);
	fd = open_output(out, in, opts->force, &created, diag);
	if (fd < 0) {
		s3img_free(img);
		return fd;
	}
	dfd = open_direct(out);
	wo.direct_fd = dfd;
	stop_signal = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	r = s3img_write(img, fd, &wo, &ret->stats, diag);
	if (dfd >= 0)
		close(dfd);
	if (r == -EINTR) {
		ret->signal = (int)stop_signal;
		snprintf(diag->reason, sizeof(diag->reason), "interrupted by %s",
			 strsignal((int)stop_signal));
	}
	if (r == 0 && fd != STDOUT_FILENO && fsync(fd) < 0 && errno != EINVAL)
		r = set_diag(diag, -errno, "cannot sync '%s': %s", out, strerror(errno));

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (fd != STDOUT_FILENO && close(fd) < 0 && r == 0)
		r = set_diag(diag, -errno, "cannot close '%s': %s", out, strerror(errno));
	if (r < 0 && created) {
		/* Keep a partial output only if its header marks it incomplete. */
		if (ret->stats.bytes_written == 0)
			unlink(out);
		else
			ret->output_left = true;
	}
	s3img_free(img);
	return r;
}
