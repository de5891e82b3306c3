/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 info: what an image holds, as text or JSON (docs/info-json.md). */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define INFO_SCHEMA "suspend3-info/1"

static const char *compression_of(const struct s3img_info *in)
{
	if (in->format == S3IMG_FORMAT_ELF || in->inner_format == S3IMG_FORMAT_ELF)
		return "none";
	return s3img_compress_name(in->compress_mask);
}

static void format_time(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "unknown");
}

static void print_text(const char *path, const struct s3img_info *in,
		       const struct s3img_page_counts *c)
{
	char when[64];

	format_time(in->crash_time, when, sizeof(when));
	printf("file:          %s\n", path);
	if (in->format == S3IMG_FORMAT_FLAT)
		printf("format:        flat (flattened %s)\n", s3img_format_name(in->inner_format));
	else
		printf("format:        %s\n", s3img_format_name(in->format));
	if (in->inner_format == S3IMG_FORMAT_KDUMP)
		printf("header:        version %d, status %#x\n", in->header_version, in->status);
	printf("complete:      %s\n", in->incomplete ? "no (marked incomplete)" : "yes");
	printf("compression:   %s\n", compression_of(in));
	printf("kernel:        %s %s\n", in->sysname[0] ? in->sysname : "?", in->release[0] ? in->release : "?");
	printf("version:       %s\n", in->version[0] ? in->version : "?");
	printf("machine:       %s\n", in->machine[0] ? in->machine : "?");
	printf("nodename:      %s\n", in->nodename[0] ? in->nodename : "?");
	printf("cpus:          %d\n", in->nr_cpus);
	printf("page size:     %u\n", in->page_size);
	if (in->dump_level >= 0)
		printf("dump level:    %d\n", in->dump_level);
	else
		printf("dump level:    unknown (ELF)\n");
	printf("phys_base:     %#" PRIx64 "\n", in->phys_base);
	printf("crash time:    %s\n", when);
	printf("max pfn:       %#" PRIx64 "\n", in->max_pfn);
	if (in->split)
		printf("split:         pfns %#" PRIx64 "-%#" PRIx64 "\n", in->start_pfn, in->end_pfn);
	printf("pages:         RAM %" PRIu64 ", dumped %" PRIu64 " (zero %" PRIu64 "), excluded %" PRIu64 "\n",
	       c->ram, c->dumped, c->zero, c->excluded);
}

static void print_json(const char *path, const struct s3img_info *in,
		       const struct s3img_page_counts *c, bool pretty)
{
	struct json j = { .f = stdout, .pretty = pretty, .first = true };

	json_begin_object(&j, NULL);
	json_string(&j, "schema", INFO_SCHEMA);
	json_string(&j, "file", path);
	json_string(&j, "format", s3img_format_name(in->format));
	json_string(&j, "inner_format", s3img_format_name(in->inner_format));
	if (in->inner_format == S3IMG_FORMAT_KDUMP) {
		json_i64(&j, "header_version", in->header_version);
		json_u64(&j, "status", in->status);
	} else {
		json_null(&j, "header_version");
		json_null(&j, "status");
	}
	json_bool(&j, "complete", !in->incomplete);
	json_string(&j, "compression", compression_of(in));
	json_begin_object(&j, "kernel");
	json_string(&j, "sysname", in->sysname);
	json_string(&j, "nodename", in->nodename);
	json_string(&j, "release", in->release);
	json_string(&j, "version", in->version);
	json_string(&j, "machine", in->machine);
	json_string(&j, "domainname", in->domainname);
	json_end_object(&j);
	json_i64(&j, "nr_cpus", in->nr_cpus);
	json_u64(&j, "page_size", in->page_size);
	if (in->dump_level >= 0)
		json_i64(&j, "dump_level", in->dump_level);
	else
		json_null(&j, "dump_level");
	json_u64(&j, "phys_base", in->phys_base);
	if (in->crash_time)
		json_u64(&j, "crash_time", in->crash_time);
	else
		json_null(&j, "crash_time");
	json_u64(&j, "max_pfn", in->max_pfn);
	json_u64(&j, "file_size", in->file_size);
	json_begin_object(&j, "pages");
	json_u64(&j, "ram", c->ram);
	json_u64(&j, "dumped", c->dumped);
	json_u64(&j, "zero", c->zero);
	json_u64(&j, "excluded", c->excluded);
	json_end_object(&j);
	json_end_object(&j);
}

int verb_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", optional_argument, NULL, 'j' },
		{ 0 },
	};
	bool json = false, pretty = true;
	struct s3img *img = NULL;
	struct s3img_diag diag = { 0 };
	struct s3img_page_counts c;
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			if (optarg && strcmp(optarg, "short") == 0)
				pretty = false;
			else if (optarg && strcmp(optarg, "pretty") != 0)
				return log_usage("info", "--json takes pretty or short, not '%s'", optarg);
			break;
		default:
			return log_usage("info", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return log_usage("info", "missing IMAGE");
	if (argc - optind == 1 && info_proc_is_image(argv[optind]))
		return info_proc(argv[optind], json, pretty);
	r = s3img_open_split((const char *const *)argv + optind, (size_t)(argc - optind), &img, &diag);
	if (r < 0)
		return log_image_error("info", argv[optind], r, &diag);
	s3img_count_pages(img, &c);
	if (json)
		print_json(argv[optind], s3img_get_info(img), &c, pretty);
	else
		print_text(argv[optind], s3img_get_info(img), &c);
	s3img_free(img);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : log_error("info", "cannot write output");
}
