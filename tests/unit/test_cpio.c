/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The newc writer and reader, initrd compression, ELF dependencies and
 * file system probing. */
#include <errno.h>
#include <stdint.h>

#include "cpio.h"
#include "elfdeps.h"
#include "fsprobe.h"
#include "initramfs.h"
#include "kx_test.h"

struct seen {
	char names[16][64];
	uint32_t modes[16];
	size_t sizes[16];
	int n;
};

static int collect(void *ctx, const struct cpio_entry *e)
{
	struct seen *s = ctx;
	if (s->n < 16) {
		snprintf(s->names[s->n], 64, "%s", e->name);
		s->modes[s->n] = e->mode;
		s->sizes[s->n] = e->size;
		s->n++;
	}
	return 0;
}

static void test_cpio(void)
{
	struct cpio c = { 0 };
	struct seen s = { 0 };
	struct kx_diag d = { 0 };
	uint8_t *z, *back;
	size_t zlen, blen;
	char data[5000];

	memset(data, 'x', sizeof(data));
	cpio_add_dir(&c, "etc", 0755);
	cpio_add_file(&c, "etc/a", 0644, data, sizeof(data));
	cpio_add_file(&c, "empty", 0600, NULL, 0);
	cpio_add_symlink(&c, "lib", "usr/lib");
	cpio_add_chardev(&c, "dev/console", 0600, 5, 1);
	CHECK(cpio_finish(&c) == 0);
	CHECK(c.len % 512 == 0);
	CHECK(memcmp(c.buf, "070701", 6) == 0);
	CHECK(cpio_walk(c.buf, c.len, collect, &s, &d) == 0);
	CHECK(s.n == 5);
	CHECK_STR(s.names[1], "etc/a");
	CHECK(s.sizes[1] == sizeof(data) && s.modes[1] == 0100644);
	CHECK(s.modes[0] == 040755 && s.modes[3] == 0120777 && s.modes[4] == 020600);

	for (int how = INITRD_NONE; how <= INITRD_ZSTD; how++) {
		CHECK(initrd_compress(c.buf, c.len, (enum initrd_compress)how, &z, &zlen) == 0);
		if (how == INITRD_GZIP)
			CHECK(z[0] == 0x1f && z[1] == 0x8b);
		if (how == INITRD_ZSTD)
			CHECK(z[0] == 0x28 && z[1] == 0xb5);
		CHECK(initrd_decompress(z, zlen, &back, &blen, 1 << 20) == 0);
		CHECK(blen == c.len && memcmp(back, c.buf, blen) == 0);
		free(back);
		/* A cap smaller than the content. */
		if (how != INITRD_NONE)
			CHECK(initrd_decompress(z, zlen, &back, &blen, 1000) == -EFBIG);
		free(z);
	}

	/* Damaged archives. */
	struct seen s2 = { 0 };
	CHECK(cpio_walk(c.buf, 100, collect, &s2, &d) == -EBADMSG);
	c.buf[0] = 'X';
	CHECK(cpio_walk(c.buf, c.len, collect, &s2, &d) == -EBADMSG);
	c.buf[0] = '0';
	memcpy(c.buf + 6 + 8 * 6, "FFFFFFFF", 8); /* first entry's size */
	CHECK(cpio_walk(c.buf, c.len, collect, &s2, &d) == -EBADMSG);
	cpio_deinit(&c);
}

static void test_elfdeps(void)
{
	struct elfdeps e;
	struct kx_diag d = { 0 };
	uint8_t *buf;
	size_t len;

	/* This test program is dynamically linked against libc at least. */
	CHECK(read_whole_file("/proc/self/exe", &buf, &len, 64 << 20) == 0);
	CHECK(elfdeps_parse(buf, len, &e, &d) == 0);
	CHECK(e.dynamic && e.interp && strstr(e.interp, "ld-linux"));
	int libc = 0;
	for (size_t i = 0; i < e.n_needed; i++)
		libc |= strcmp(e.needed[i], "libc.so.6") == 0;
	CHECK(libc);
	elfdeps_deinit(&e);
	/* Truncations never read out of bounds. */
	for (size_t cut = 0; cut < len && cut < 20000; cut += 7) {
		if (elfdeps_parse(buf, cut, &e, &d) == 0)
			elfdeps_deinit(&e);
	}
	CHECK(elfdeps_parse("hello", 5, &e, &d) == -ENOEXEC);
	buf[4] = 1; /* ELFCLASS32 */
	CHECK(elfdeps_parse(buf, len, &e, &d) == -ENOEXEC);
	free(buf);
}

static void test_fsprobe(void)
{
	static uint8_t b[FSPROBE_BYTES];
	struct fs_id id;

	CHECK(fsprobe(b, sizeof(b), &id) == -ENOENT);
	b[1024 + 56] = 0x53;
	b[1024 + 57] = 0xef;
	b[1024 + 96] = 0x40; /* extents */
	for (int i = 0; i < 16; i++)
		b[1024 + 104 + i] = (uint8_t)(0xa0 + i);
	memcpy(b + 1024 + 120, "S3DUMP", 6);
	CHECK(fsprobe(b, sizeof(b), &id) == 0);
	CHECK_STR(id.type, "ext4");
	CHECK_STR(id.uuid, "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
	CHECK_STR(id.label, "S3DUMP");
	CHECK(fs_id_matches(&id, "LABEL=S3DUMP"));
	CHECK(fs_id_matches(&id, "UUID=A0A1A2A3-A4A5-A6A7-A8A9-AAABACADAEAF"));
	CHECK(!fs_id_matches(&id, "LABEL=S3DUM"));
	CHECK(!fs_id_matches(&id, "/dev/vda"));
	b[1024 + 96] = 0;
	CHECK(fsprobe(b, sizeof(b), &id) == 0);
	CHECK_STR(id.type, "ext2");
	CHECK(fsprobe(b, 1100, &id) == -ENOENT); /* too short for the superblock */
	memset(b, 0, sizeof(b));
	memcpy(b, "XFSB", 4);
	memcpy(b + 108, "xfslabel", 8);
	CHECK(fsprobe(b, sizeof(b), &id) == 0);
	CHECK_STR(id.type, "xfs");
	CHECK_STR(id.label, "xfslabel");
	memset(b, 0, sizeof(b));
	memcpy(b + 65536 + 64, "_BHRfS_M", 8);
	memcpy(b + 65536 + 299, "btr", 3);
	CHECK(fsprobe(b, sizeof(b), &id) == 0);
	CHECK_STR(id.type, "btrfs");
	CHECK_STR(id.label, "btr");
}

static void test_compress_choice(void)
{
	static const char zstd[] = "CONFIG_RD_GZIP=y\nCONFIG_RD_ZSTD=y\n";
	static const char gz[] = "CONFIG_RD_GZIP=y\n# CONFIG_RD_ZSTD is not set\n";

	CHECK(initrd_compress_for_kernel(zstd, sizeof(zstd) - 1) == INITRD_ZSTD);
	CHECK(initrd_compress_for_kernel(gz, sizeof(gz) - 1) == INITRD_GZIP);
	CHECK(initrd_compress_for_kernel(NULL, 0) == INITRD_GZIP);
}

int main(void)
{
	test_cpio();
	test_elfdeps();
	test_fsprobe();
	test_compress_choice();
	return kx_done("test_cpio");
}
