/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VMCOREINFO: every key type, typed look-ups, and rejected input. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <suspend3/image.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); return 1; } } while (0)

static const char text[] =
	"OSRELEASE=6.1.0-57-cloud-amd64\n"
	"BUILD-ID=3b5c0b3a1d2e\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff9c613a00\n"
	"SYMBOL(mem_section)=ffff9b2a3ffd1000\n"
	"LENGTH(mem_section)=2048\n"
	"SIZE(page)=64\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page.compound_head)=8\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(phys_base)=-2146435072\n"
	"KERNELOFFSET=1b000000\n"
	"CRASHTIME=1764500000\n"
	"\0\0\0";

static int bad(const char *t)
{
	struct s3img_vmcoreinfo *vi = NULL;
	struct s3img_diag d = { 0 };
	int r = s3img_vmcoreinfo_parse(t, strlen(t), &vi, &d);
	s3img_vmcoreinfo_free(vi);
	return r == -EBADMSG && d.reason[0];
}

int main(void)
{
	struct s3img_vmcoreinfo *vi;
	struct s3img_diag d;
	uint64_t u;
	int64_t s;

	CHECK(s3img_vmcoreinfo_parse(text, sizeof(text) - 1, &vi, &d) == 0);
	CHECK(s3img_vmcoreinfo_count(vi) == 13);
	CHECK(strcmp(s3img_vmcoreinfo_get(vi, "OSRELEASE"), "6.1.0-57-cloud-amd64") == 0);
	CHECK(s3img_vmcoreinfo_symbol(vi, "init_uts_ns", &u) == 0 && u == 0xffffffff9c613a00ull);
	CHECK(s3img_vmcoreinfo_length(vi, "mem_section", &s) == 0 && s == 2048);
	CHECK(s3img_vmcoreinfo_size(vi, "page", &s) == 0 && s == 64);
	CHECK(s3img_vmcoreinfo_offset(vi, "page.compound_head", &s) == 0 && s == 8);
	CHECK(s3img_vmcoreinfo_number(vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &s) == 0 && s == -129);
	CHECK(s3img_vmcoreinfo_number(vi, "phys_base", &s) == 0 && s == -2146435072);
	CHECK(s3img_vmcoreinfo_symbol(vi, "nosuch", &u) == -ENOENT);
	CHECK(s3img_vmcoreinfo_get(vi, "KERNELOFFSET") && !strcmp(s3img_vmcoreinfo_get(vi, "KERNELOFFSET"), "1b000000"));
	s3img_vmcoreinfo_free(vi);

	/* A malformed value is an error for the typed look-up only. */
	CHECK(s3img_vmcoreinfo_parse("SIZE(page)=6x4\n", 15, &vi, &d) == 0);
	CHECK(s3img_vmcoreinfo_size(vi, "page", &s) == -EBADMSG);
	s3img_vmcoreinfo_free(vi);

	CHECK(bad("NOEQUALSIGN\n"));
	CHECK(bad("=value\n"));
	char nul[] = "A=1\nB=\0002\n";
	CHECK(s3img_vmcoreinfo_parse(nul, sizeof(nul) - 1, &vi, &d) == -EBADMSG);
	s3img_vmcoreinfo_free(NULL);
	puts("test_vmcoreinfo: ok");
	return 0;
}
