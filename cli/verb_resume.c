/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 resume: a suspend image -> the process tree running again. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "resume.h"

struct shown {
	const char *image;
	bool quiet, detach;
};

static void say_running(const struct resume_result *res, void *userdata)
{
	const struct shown *sh = userdata;

	if (sh->detach)
		printf("%d\n", res->root_pid);
	if (!sh->quiet)
		fprintf(stderr, "%s: %zu process%s, %zu thread%s, %" PRIu64 " bytes of memory, running in %.3f s; root pid %d\n",
			sh->image, res->nprocs, res->nprocs == 1 ? "" : "es", res->nthreads,
			res->nthreads == 1 ? "" : "s", res->memory_bytes, res->seconds, res->root_pid);
	fflush(stdout);
	fflush(stderr);
}

int verb_resume(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "detach", no_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	struct resume_opts o = { 0 };
	struct resume_result res = { 0 };
	struct s3img_diag diag = { 0 };
	struct shown sh = { 0 };
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "dqv", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			o.detach = sh.detach = true;
			break;
		case 'q':
			sh.quiet = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		default:
			return log_usage("resume", "unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return log_usage("resume", "expected one IMAGE");
	sh.image = argv[optind];
	o.on_running = say_running;
	o.userdata = &sh;
	r = restorer_resume(argv[optind], &o, &res, &diag);
	if (r < 0)
		return log_error("resume", "%s: %s", argv[optind], diag.reason[0] ? diag.reason : strerror(-r));
	if (o.detach)
		return EXIT_SUCCESS;
	/* The job's status, as a shell reports it. */
	if (WIFSIGNALED(res.status))
		return 128 + WTERMSIG(res.status);
	return WEXITSTATUS(res.status);
}
