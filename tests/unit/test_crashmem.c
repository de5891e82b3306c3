/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/iomem, crashkernel= and bzImage header parsing. */
#include <errno.h>

#include "crashmem.h"
#include "kx_test.h"

static const char iomem[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009fbff : System RAM\n"
	"000f0000-000fffff : Reserved\n"
	"  000f0000-000fffff : System ROM\n"
	"00100000-0ffdffff : System RAM\n"
	"  01000000-01e00eb6 : Kernel code\n"
	"  09000000-10ffffff : Crash kernel\n"
	"100000000-13fffffff : System RAM\n"
	"fd000000-fdffffff : 0000:00:02.0\n";

static void test_iomem(void)
{
	struct crash_ranges c;
	struct kx_diag d = { 0 };

	CHECK(iomem_parse(iomem, sizeof(iomem) - 1, &c, &d) == 0);
	CHECK(c.n == 1 && c.r[0].start == 0x9000000 && c.r[0].end == 0x10ffffff);
	CHECK(crash_ranges_size(&c) == 128u << 20);
	CHECK(c.system_ram == 0x9ec00ull + 0xfee0000ull + 0x40000000ull);
	CHECK(!c.hidden);

	/* Two ranges (crashkernel=X,high gives a low and a high one). */
	static const char two[] = "  0a000000-0affffff : Crash kernel\n"
				  "100000000-10fffffff : Crash kernel\n";
	CHECK(iomem_parse(two, sizeof(two) - 1, &c, NULL) == 0 && c.n == 2);
	CHECK(crash_ranges_size(&c) == (16u << 20) + (256u << 20));

	/* Without root the addresses read as zero. */
	static const char hidden[] = "00000000-00000000 : System RAM\n  00000000-00000000 : Crash kernel\n";
	CHECK(iomem_parse(hidden, sizeof(hidden) - 1, &c, NULL) == 0 && c.hidden && c.n == 0);

	/* No reservation. */
	CHECK(iomem_parse(iomem, 60, &c, NULL) == 0 && c.n == 0);
	CHECK(iomem_parse("", 0, &c, NULL) == 0 && c.n == 0);

	/* Bad lines name their line. */
	static const char bad1[] = "00001000-0009fbff : System RAM\nnonsense\n";
	CHECK(iomem_parse(bad1, sizeof(bad1) - 1, &c, &d) == -EBADMSG && d.line == 2);
	static const char bad2[] = "0009fbff-00001000 : System RAM\n";
	CHECK(iomem_parse(bad2, sizeof(bad2) - 1, &c, &d) == -EBADMSG && d.line == 1);
	static const char bad3[] = "0000zz00-00001000 : System RAM\n";
	CHECK(iomem_parse(bad3, sizeof(bad3) - 1, &c, &d) == -EBADMSG);
	static const char bad4[] = "00000000000000000-1 : x\n";
	CHECK(iomem_parse(bad4, sizeof(bad4) - 1, &c, &d) == -EBADMSG);
}

static void test_crashkernel(void)
{
	struct crashkernel_spec k;
	struct kx_diag d = { 0 };
	uint64_t ram = 4ull << 30;

	CHECK(crashkernel_parse("256M", ram, &k, &d) == 0 && k.size == 256u << 20 && !k.offset);
	CHECK(crashkernel_parse("64M@16M", ram, &k, &d) == 0 && k.size == 64u << 20 && k.offset == 16u << 20);
	CHECK(crashkernel_parse("512M-2G:64M,2G-:128M", ram, &k, &d) == 0 && k.size == 128u << 20);
	CHECK(crashkernel_parse("512M-2G:64M,2G-:128M", 1ull << 30, &k, &d) == 0 && k.size == 64u << 20);
	/* End exclusive: 2G exactly falls in the second range. */
	CHECK(crashkernel_parse("512M-2G:64M,2G-:128M", 2ull << 30, &k, &d) == 0 && k.size == 128u << 20);
	CHECK(crashkernel_parse("1G-2G:64M", 256u << 20, &k, &d) == 0 && k.size == 0);
	CHECK(crashkernel_parse("256M,high", ram, &k, &d) == 0 && k.high && k.size == 256u << 20);
	CHECK(crashkernel_parse("72M,low", ram, &k, &d) == 0 && k.low && k.size == 72u << 20);
	CHECK(crashkernel_parse("0x10000000", ram, &k, &d) == 0 && k.size == 0x10000000);
	CHECK(crashkernel_parse("512M-2G:64M@16M", 1ull << 30, &k, &d) == 0 && k.offset == 16u << 20);

	CHECK(crashkernel_parse("", ram, &k, &d) == -EINVAL);
	CHECK(crashkernel_parse("lots", ram, &k, &d) == -EINVAL);
	CHECK(crashkernel_parse("256Q", ram, &k, &d) == -EINVAL);
	CHECK(crashkernel_parse("2G-1G:64M", ram, &k, &d) == -EINVAL);
	CHECK(crashkernel_parse("512M:64M", ram, &k, &d) == -EINVAL);
	CHECK(crashkernel_parse("512M-2G:", ram, &k, &d) == -EINVAL);
	CHECK(crashkernel_parse("64M@", ram, &k, &d) == -EINVAL);
	CHECK(crashkernel_parse("99999999999999999999T", ram, &k, &d) == -EINVAL);
}

static void test_bzimage(void)
{
	static unsigned char b[0x1000];
	struct bzimage_info z;

	CHECK(bzimage_parse(b, sizeof(b), &z) == -ENOEXEC);
	b[0x1f1] = 2;    /* setup sectors */
	b[0x1fe] = 0x55;
	b[0x1ff] = 0xaa;
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = 0x0f; /* protocol 2.15 */
	b[0x207] = 0x02;
	b[0x234] = 1;
	b[0x236] = 1;
	b[0x260] = 0x00; /* init_size 0x3390000 */
	b[0x261] = 0x00;
	b[0x262] = 0x39;
	b[0x263] = 0x03;
	b[0x20e] = 0x00; /* version string at 0x200 + 0x100 */
	b[0x20f] = 0x01;
	strcpy((char *)b + 0x300, "6.1.0-test (x@y) #1");
	CHECK(bzimage_parse(b, sizeof(b), &z) == 0);
	CHECK(z.protocol == 0x20f && z.init_size == 0x3390000 && z.relocatable && z.xloadflags_64);
	CHECK_STR(z.version, "6.1.0-test (x@y) #1");
	CHECK(bzimage_parse(b, 0x200, &z) == -ENOEXEC);
	b[0x206] = 0x09; /* 2.09: no init_size */
	CHECK(bzimage_parse(b, sizeof(b), &z) == -ENOEXEC);
}

int main(void)
{
	test_iomem();
	test_crashkernel();
	test_bzimage();
	return kx_done("test_crashmem");
}
