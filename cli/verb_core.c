/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 core: one process of a suspend image as a standard ELF core. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int verb_core(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ 0 },
	};
	const struct s3img_proc_image *img;
	struct s3img_proc *h = NULL;
	struct s3img_diag diag = { 0 };
	const char *out = NULL, *path;
	bool force = false;
	long pid = 0;
	size_t proc;
	char *end;
	int opt, fd, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:p:", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pid = strtol(optarg, &end, 10);
			if (*end || !*optarg || pid <= 0 || pid > INT32_MAX)
				return log_usage("core", "'%s' is not a process ID", optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 'F':
			force = true;
			break;
		default:
			return log_usage("core", "unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return log_usage("core", "expected one IMAGE");
	if (!pid)
		return log_usage("core", "missing --pid PID");
	if (!out)
		return log_usage("core", "missing -o FILE");
	path = argv[optind];
	r = s3img_proc_open(path, &h, &diag);
	if (r < 0)
		return log_image_error("core", path, r, &diag);
	img = s3img_proc_get_image(h);
	for (proc = 0; proc < img->nprocs; proc++)
		if (img->procs[proc].pid[0] == pid)
			break;
	if (proc == img->nprocs) {
		s3img_proc_free(h);
		return log_error("core", "'%s': no process %ld in the image", path, pid);
	}
	fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0600);
	if (fd < 0) {
		r = errno;
		s3img_proc_free(h);
		if (r == EEXIST)
			return log_error("core", "'%s' exists (use --force to replace it)", out);
		return log_error("core", "cannot create '%s': %s", out, strerror(r));
	}
	r = s3img_proc_write_core(h, proc, fd, &diag);
	s3img_proc_free(h);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		unlink(out);
		return log_image_error("core", out, r, &diag);
	}
	return EXIT_SUCCESS;
}
