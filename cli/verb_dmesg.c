/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 dmesg: the kernel log from a dump. */
#include <getopt.h>
#include <errno.h>
#include <stdlib.h>

#include "cli.h"

static int emit_stdout(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	return fwrite(text, 1, len, stdout) == len ? 0 : -EIO;
}

int verb_dmesg(int argc, char **argv)
{
	struct s3img *img = NULL;
	struct s3img_diag diag = { 0 };
	int r;

	optind = 1;
	opterr = 0;
	if (getopt_long(argc, argv, "", (struct option[]){ { 0 } }, NULL) != -1)
		return log_usage("dmesg", "unknown option '%s'", argv[optind - 1]);
	if (optind >= argc)
		return log_usage("dmesg", "missing IMAGE");
	r = s3img_open_split((const char *const *)argv + optind, (size_t)(argc - optind), &img, &diag);
	if (r < 0)
		return log_image_error("dmesg", argv[optind], r, &diag);
	r = s3img_dmesg(img, emit_stdout, NULL, &diag);
	s3img_free(img);
	if (r < 0)
		return log_image_error("dmesg", argv[optind], r, &diag);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : log_error("dmesg", "cannot write output");
}
