/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 verify: structure, then every dumped page read back. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"

int verb_verify(int argc, char **argv)
{
	struct s3img *img = NULL;
	struct s3img_diag diag = { 0 };
	const struct s3img_info *in;
	uint64_t pages = 0;
	void *buf;
	int r;

	optind = 1;
	opterr = 0;
	if (getopt_long(argc, argv, "", (struct option[]){ { 0 } }, NULL) != -1)
		return log_usage("verify", "unknown option '%s'", argv[optind - 1]);
	if (optind >= argc)
		return log_usage("verify", "missing IMAGE");
	const char *path = argv[optind];
	r = s3img_open_split((const char *const *)argv + optind, (size_t)(argc - optind), &img, &diag);
	if (r < 0)
		return log_image_error("verify", path, r, &diag);
	in = s3img_get_info(img);
	if (!s3img_get_vmcoreinfo(img)) {
		s3img_free(img);
		return log_error("verify", "'%s': no VMCOREINFO note: not a kernel dump", path);
	}
	buf = malloc(in->page_size);
	if (!buf) {
		s3img_free(img);
		return log_error("verify", "out of memory");
	}
	for (uint64_t pfn = 0; pfn < in->max_pfn; pfn++) {
		if (s3img_page_state(img, pfn) != S3IMG_PAGE_DUMPED)
			continue;
		r = s3img_read_pfn(img, pfn, buf, &diag);
		if (r < 0) {
			free(buf);
			s3img_free(img);
			return log_image_error("verify", path, r, &diag);
		}
		pages++;
	}
	free(buf);
	if (in->incomplete) {
		s3img_free(img);
		return log_error("verify", "'%s': the dump is marked incomplete (%" PRIu64 " pages readable)",
				 path, pages);
	}
	printf("%s: ok, %s, %" PRIu64 " pages read\n", path, s3img_format_name(in->format), pages);
	s3img_free(img);
	return EXIT_SUCCESS;
}
