/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 suspend: a live process tree into one suspend image. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "process/suspend.h"

int verb_suspend(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "leave-running", no_argument, NULL, 'l' },
		{ "shell-job", no_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ 0 },
	};
	struct suspend_opts o = { 0 };
	struct suspend_result res;
	struct s3img_diag diag = { 0 };
	const char *out = NULL;
	bool quiet = false;
	char *end;
	long pid;
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 'l':
			o.leave_running = true;
			break;
		case 's':
			o.shell_job = true;
			break;
		case 'F':
			o.force = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return log_usage("suspend", "unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return log_usage("suspend", "expected one PID");
	if (!out)
		return log_usage("suspend", "missing -o IMAGE");
	pid = strtol(argv[optind], &end, 10);
	if (*end || !*argv[optind] || pid <= 0 || pid > INT32_MAX)
		return log_usage("suspend", "'%s' is not a process ID", argv[optind]);
	r = dumper_suspend((pid_t)pid, out, &o, &res, &diag);
	if (r < 0)
		return log_error("suspend", "%s", diag.reason[0] ? diag.reason : strerror(-r));
	if (!quiet)
		fprintf(stderr, "%s: %zu process%s, %zu thread%s, %" PRIu64 " bytes of memory, %" PRIu64 " bytes (%s); tree %s\n",
			out, res.nprocs, res.nprocs == 1 ? "" : "es", res.nthreads, res.nthreads == 1 ? "" : "s",
			res.memory_bytes, res.file_size, res.io ? res.io : "?",
			o.leave_running ? "left running" : "killed");
	return EXIT_SUCCESS;
}
