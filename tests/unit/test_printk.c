/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * s3img_printk_dump on small synthetic kernel logs: a lockless ring buffer,
 * a variable-length-record log_buf and a plain-text log_buf, each laid out
 * in a fake kernel memory with a matching VMCOREINFO. The expected texts
 * follow makedumpfile 1.7.2 --dump-dmesg, which was run on ELF vmcores
 * holding the same structures. Corrupt variants must give -EBADMSG.
 * Exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suspend3/image.h"

static int failures;

#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                  \
			failures++;                                                      \
		}                                                                        \
	} while (0)

/* ------------------------------------------------------------------ */
/* Fake kernel memory and VMCOREINFO                                   */

#define MEM_BASE UINT64_C(0xffff888000100000)
#define MEM_SIZE (1u << 16)

struct fake {
	uint8_t mem[MEM_SIZE];
	size_t brk;
	char vmcoreinfo[8192];
	size_t vlen;
	/* output */
	char out[8192];
	size_t outlen;
	int emit_error; /* returned by emit when non-zero */
};

static uint64_t fake_alloc(struct fake *f, size_t size)
{
	uint64_t addr;

	f->brk = (f->brk + 63) & ~(size_t)63;
	if (f->brk + size > MEM_SIZE)
		abort();
	addr = MEM_BASE + f->brk;
	f->brk += size;
	return addr;
}

static uint8_t *at(struct fake *f, uint64_t addr)
{
	return f->mem + (addr - MEM_BASE);
}

static void put64(struct fake *f, uint64_t addr, uint64_t v) { memcpy(at(f, addr), &v, 8); }
static void put32(struct fake *f, uint64_t addr, uint32_t v) { memcpy(at(f, addr), &v, 4); }
static void put16(struct fake *f, uint64_t addr, uint16_t v) { memcpy(at(f, addr), &v, 2); }

static void vline(struct fake *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	f->vlen += vsnprintf(f->vmcoreinfo + f->vlen, sizeof(f->vmcoreinfo) - f->vlen, fmt, ap);
	va_end(ap);
	f->vlen += snprintf(f->vmcoreinfo + f->vlen, sizeof(f->vmcoreinfo) - f->vlen, "\n");
}

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = ctx;

	if (addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (addr - MEM_BASE))
		return -ENXIO;
	memcpy(buf, at(f, addr), len);
	return 0;
}

static int fake_emit(void *ctx, const char *text, size_t len)
{
	struct fake *f = ctx;

	if (f->emit_error)
		return f->emit_error;
	if (len > sizeof(f->out) - f->outlen)
		return -ENOSPC;
	memcpy(f->out + f->outlen, text, len);
	f->outlen += len;
	return 0;
}

/* Parse f's VMCOREINFO and dump its log; the output lands in f->out. */
static int run(struct fake *f, struct s3img_diag *diag)
{
	struct s3img_vmcoreinfo *vi;
	struct s3img_kread rd = { fake_read, f };
	int r;

	f->outlen = 0;
	memset(diag, 0, sizeof(*diag));
	r = s3img_vmcoreinfo_parse(f->vmcoreinfo, f->vlen, &vi, diag);
	if (r < 0) {
		fprintf(stderr, "VMCOREINFO does not parse: %s\n", diag->reason);
		return -999;
	}
	r = s3img_printk_dump(vi, &rd, fake_emit, f, diag);
	s3img_vmcoreinfo_free(vi);
	return r;
}

static void check_output(struct fake *f, const char *expected)
{
	size_t n = strlen(expected);
	bool same = f->outlen == n && memcmp(f->out, expected, n) == 0;

	CHECK(same);
	if (!same)
		fprintf(stderr, "expected:\n%s--- got:\n%.*s---\n", expected, (int)f->outlen, f->out);
}

static void check_bad(struct fake *f, const char *what)
{
	struct s3img_diag diag;
	int r = run(f, &diag);

	if (r != -EBADMSG)
		fprintf(stderr, "%s: expected -EBADMSG, got %d\n", what, r);
	CHECK(r == -EBADMSG);
	CHECK(diag.reason[0] != '\0');
}

/* ------------------------------------------------------------------ */
/* Lockless ring buffer, 6.1 x86_64 layout                             */

#define DESC_SIZE 24
#define INFO_SIZE 88
#define STATE(s) ((uint64_t)(s) << 62)
enum { RESERVED = 0, COMMITTED = 1, FINALIZED = 2, REUSABLE = 3 };

struct prb_fake {
	uint64_t rb, descs, infos, data;
	unsigned count_bits, size_bits;
};

static void prb_vmcoreinfo(struct fake *f, uint64_t prb_sym)
{
	vline(f, "OSRELEASE=6.1.0-13-cloud-amd64");
	vline(f, "SYMBOL(prb)=%" PRIx64, prb_sym);
	vline(f, "SIZE(printk_ringbuffer)=88");
	vline(f, "OFFSET(printk_ringbuffer.desc_ring)=0");
	vline(f, "OFFSET(printk_ringbuffer.text_data_ring)=48");
	vline(f, "OFFSET(prb_desc_ring.count_bits)=0");
	vline(f, "OFFSET(prb_desc_ring.descs)=8");
	vline(f, "OFFSET(prb_desc_ring.infos)=16");
	vline(f, "OFFSET(prb_desc_ring.head_id)=24");
	vline(f, "OFFSET(prb_desc_ring.tail_id)=32");
	vline(f, "SIZE(prb_desc)=24");
	vline(f, "OFFSET(prb_desc.state_var)=0");
	vline(f, "OFFSET(prb_desc.text_blk_lpos)=8");
	vline(f, "OFFSET(prb_data_blk_lpos.begin)=0");
	vline(f, "OFFSET(prb_data_blk_lpos.next)=8");
	vline(f, "SIZE(printk_info)=88");
	vline(f, "OFFSET(printk_info.ts_nsec)=8");
	vline(f, "OFFSET(printk_info.text_len)=16");
	vline(f, "OFFSET(printk_info.caller_id)=20");
	vline(f, "OFFSET(prb_data_ring.size_bits)=0");
	vline(f, "OFFSET(prb_data_ring.data)=8");
	vline(f, "OFFSET(atomic_long_t.counter)=0");
}

static void prb_init(struct fake *f, struct prb_fake *p, unsigned count_bits, unsigned size_bits)
{
	uint64_t prb_sym;

	memset(f, 0, sizeof(*f));
	p->count_bits = count_bits;
	p->size_bits = size_bits;
	p->descs = fake_alloc(f, DESC_SIZE << count_bits);
	p->infos = fake_alloc(f, INFO_SIZE << count_bits);
	p->data = fake_alloc(f, 1u << size_bits);
	p->rb = fake_alloc(f, 88);
	prb_sym = fake_alloc(f, 8);
	put64(f, prb_sym, p->rb);
	put32(f, p->rb + 0, count_bits);
	put64(f, p->rb + 8, p->descs);
	put64(f, p->rb + 16, p->infos);
	put32(f, p->rb + 48, size_bits);
	put64(f, p->rb + 56, p->data);
	prb_vmcoreinfo(f, prb_sym);
}

static void prb_ids(struct fake *f, struct prb_fake *p, uint64_t tail, uint64_t head)
{
	put64(f, p->rb + 24, head);
	put64(f, p->rb + 32, tail);
}

/* Descriptor id in state, text block at [begin, next) (lpos). */
static void prb_desc(struct fake *f, struct prb_fake *p, uint64_t id, unsigned state,
		     uint64_t begin, uint64_t next)
{
	uint64_t d = p->descs + (id & ((1u << p->count_bits) - 1)) * DESC_SIZE;

	put64(f, d, id | STATE(state));
	put64(f, d + 8, begin);
	put64(f, d + 16, next);
}

static void prb_info(struct fake *f, struct prb_fake *p, uint64_t id, uint64_t ts,
		     uint16_t text_len)
{
	uint64_t i = p->infos + (id & ((1u << p->count_bits) - 1)) * INFO_SIZE;

	put64(f, i + 8, ts);
	put16(f, i + 16, text_len);
	put32(f, i + 20, 0x80000000u | 7); /* caller_id: not printed by makedumpfile */
}

/* A data block at ring offset off: the id, then the text. */
static void prb_block(struct fake *f, struct prb_fake *p, uint64_t off, uint64_t id,
		      const char *text, size_t len)
{
	put64(f, p->data + off, id);
	memcpy(at(f, p->data + off + 8), text, len);
}

#define TEXT7 "line1\nline2\ttab\x01\x7f\xc3\xa9"

/* Ids 6..13 in a ring of 8 descriptors and 256 bytes of text. */
static void prb_build_sample(struct fake *f, struct prb_fake *p)
{
	prb_init(f, p, 3, 8);
	prb_ids(f, p, 6, 13);
	/* finalized */
	prb_desc(f, p, 6, FINALIZED, 16, 48);
	prb_info(f, p, 6, UINT64_C(1234567890), 11);
	prb_block(f, p, 16, 6, "hello world", 11);
	/* committed, with a newline, control and non-ASCII bytes */
	prb_desc(f, p, 7, COMMITTED, 48, 80);
	prb_info(f, p, 7, UINT64_C(5000001000), sizeof(TEXT7) - 1);
	prb_block(f, p, 48, 7, TEXT7, sizeof(TEXT7) - 1);
	/* slot 0 still holds id 0: skipped */
	prb_desc(f, p, 0, FINALIZED, 136, 160);
	prb_info(f, p, 0, 1, 3);
	prb_block(f, p, 136, 0, "old", 3);
	/* data-less */
	prb_desc(f, p, 9, FINALIZED, 1, 1);
	prb_info(f, p, 9, 2, 0);
	/* wrapped: the block starts at lpos 240, its data at the ring start */
	prb_desc(f, p, 10, FINALIZED, 240, 256 + 16);
	prb_info(f, p, 10, 0, 8);
	prb_block(f, p, 0, 10, "wrapped!", 8);
	/* reserved and reusable: skipped */
	prb_desc(f, p, 11, RESERVED, 96, 112);
	prb_info(f, p, 11, 3, 4);
	prb_block(f, p, 96, 11, "resv", 4);
	prb_desc(f, p, 12, REUSABLE, 112, 128);
	prb_info(f, p, 12, 4, 4);
	prb_block(f, p, 112, 12, "free", 4);
	/* head: text_len beyond the block, cut to the block (with padding) */
	prb_desc(f, p, 13, FINALIZED, 80, 96);
	prb_info(f, p, 13, UINT64_C(42000000000123), 20);
	prb_block(f, p, 80, 13, "trunc", 5);
}

static const char prb_sample_expected[] =
	"[    1.234567] hello world\n"
	"[    5.000001] line1\n"
	"               line2\ttab\\x01\\x7f\\xffffffc3\\xffffffa9\n"
	"[    0.000000] wrapped!\n"
	"[42000.000000] trunc\\x00\\x00\\x00\n";

static void test_prb(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct prb_fake p;
	struct s3img_diag diag;

	prb_build_sample(f, &p);
	CHECK(run(f, &diag) == 0);
	check_output(f, prb_sample_expected);

	/* The emit callback's error stops the dump and is returned. */
	f->emit_error = -EPIPE;
	CHECK(run(f, &diag) == -EPIPE);
	f->emit_error = 0;

	/* Ids wrap around the 62-bit id space. */
	prb_init(f, &p, 2, 7);
	prb_ids(f, &p, (UINT64_C(1) << 62) - 1, 0);
	prb_desc(f, &p, (UINT64_C(1) << 62) - 1, FINALIZED, 0, 16);
	prb_info(f, &p, (UINT64_C(1) << 62) - 1, 1000, 3);
	prb_block(f, &p, 0, (UINT64_C(1) << 62) - 1, "one", 3);
	prb_desc(f, &p, 0, FINALIZED, 16, 32);
	prb_info(f, &p, 0, 2000, 3);
	prb_block(f, &p, 16, 0, "two", 3);
	CHECK(run(f, &diag) == 0);
	check_output(f, "[    0.000001] one\n[    0.000002] two\n");
	free(f);
}

static void test_prb_corrupt(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct prb_fake p;
	struct s3img_diag diag;

	prb_build_sample(f, &p);
	put32(f, p.rb + 0, 31);
	check_bad(f, "count_bits 31");

	prb_build_sample(f, &p);
	put32(f, p.rb + 48, 64);
	check_bad(f, "size_bits 64");

	prb_build_sample(f, &p);
	prb_ids(f, &p, 6, 14);
	check_bad(f, "head 8 records past tail in a ring of 8");

	prb_build_sample(f, &p);
	prb_ids(f, &p, 6, 13 | STATE(FINALIZED));
	check_bad(f, "head_id with state bits");

	/* A wrapped block ending before its id: the text runs off the ring. */
	prb_build_sample(f, &p);
	prb_desc(f, &p, 6, FINALIZED, 250, 256 + 4);
	prb_info(f, &p, 6, 1, 65535);
	check_bad(f, "text outside the data ring");

	/* A field outside the struct VMCOREINFO gives for it. */
	prb_build_sample(f, &p);
	vline(f, "OFFSET(printk_info.text_len)=87");
	check_bad(f, "text_len outside printk_info");

	prb_build_sample(f, &p);
	vline(f, "SIZE(prb_desc)=-24");
	check_bad(f, "negative SIZE(prb_desc)");

	/* Memory that cannot be read: the reader's error comes back. */
	prb_build_sample(f, &p);
	put64(f, p.rb + 8, 0xffffffffff000000);
	CHECK(run(f, &diag) == -ENXIO);
	CHECK(diag.reason[0] != '\0');

	/* A key missing: -ENOENT, naming it. */
	prb_build_sample(f, &p);
	f->vlen = 0;
	vline(f, "SYMBOL(prb)=%" PRIx64, p.rb);
	CHECK(run(f, &diag) == -ENOENT);
	CHECK(strstr(diag.reason, "SIZE(printk_ringbuffer)") != NULL);

	memset(f, 0, sizeof(*f));
	vline(f, "OSRELEASE=6.1.0");
	CHECK(run(f, &diag) == -ENOENT);
	CHECK(diag.reason[0] != '\0');
	free(f);
}

/* ------------------------------------------------------------------ */
/* log_buf with struct printk_log records (3.5 .. 5.9)                 */

#define LOGBUF_LEN 256
#define HDR 16

struct logbuf_fake {
	uint64_t buf, first_sym, next_sym, len_sym;
};

static void logbuf_init(struct fake *f, struct logbuf_fake *l)
{
	uint64_t buf_sym;

	memset(f, 0, sizeof(*f));
	l->buf = fake_alloc(f, LOGBUF_LEN);
	buf_sym = fake_alloc(f, 8);
	l->len_sym = fake_alloc(f, 4);
	l->first_sym = fake_alloc(f, 4);
	l->next_sym = fake_alloc(f, 4);
	put64(f, buf_sym, l->buf);
	put32(f, l->len_sym, LOGBUF_LEN);
	vline(f, "OSRELEASE=4.19.0-25-amd64");
	vline(f, "SYMBOL(log_buf)=%" PRIx64, buf_sym);
	vline(f, "SYMBOL(log_buf_len)=%" PRIx64, l->len_sym);
	vline(f, "SYMBOL(log_first_idx)=%" PRIx64, l->first_sym);
	vline(f, "SYMBOL(log_next_idx)=%" PRIx64, l->next_sym);
	vline(f, "SIZE(printk_log)=16");
	vline(f, "OFFSET(printk_log.ts_nsec)=0");
	vline(f, "OFFSET(printk_log.len)=8");
	vline(f, "OFFSET(printk_log.text_len)=10");
	vline(f, "OFFSET(printk_log.dict_len)=12");
}

/* A record at idx; len 0 writes an end-of-buffer marker. */
static void logbuf_rec(struct fake *f, struct logbuf_fake *l, uint32_t idx, uint64_t ts,
		       uint16_t len, const char *text, uint16_t text_len)
{
	put64(f, l->buf + idx, ts);
	put16(f, l->buf + idx + 8, len);
	put16(f, l->buf + idx + 10, text_len);
	put16(f, l->buf + idx + 12, 4);
	memcpy(at(f, l->buf + idx + HDR), text, text_len);
	memcpy(at(f, l->buf + idx + HDR + text_len), "DICT", 4); /* dictionaries are not printed */
}

static void logbuf_build_sample(struct fake *f, struct logbuf_fake *l)
{
	logbuf_init(f, l);
	put32(f, l->first_sym, 160);
	put32(f, l->next_sym, 32);
	logbuf_rec(f, l, 160, UINT64_C(2716049380), 24, "msg", 3);
	logbuf_rec(f, l, 184, UINT64_C(2839506170), 40, "two\nlines\x1b", 10);
	logbuf_rec(f, l, 224, 0, 0, "", 0); /* end marker: continue at 0 */
	logbuf_rec(f, l, 0, UINT64_C(3000000000), 32, "after wrap", 10);
}

static void test_logbuf(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct logbuf_fake l;
	struct s3img_diag diag;

	logbuf_build_sample(f, &l);
	CHECK(run(f, &diag) == 0);
	check_output(f, "[    2.716049] msg\n"
			"[    2.839506] two\n"
			"               lines\\x1b\n"
			"[    3.000000] after wrap\n");

	/* Empty: first == next. */
	put32(f, l.first_sym, 32);
	CHECK(run(f, &diag) == 0);
	CHECK(f->outlen == 0);

	logbuf_build_sample(f, &l);
	logbuf_rec(f, &l, 0, 1, 0, "", 0);
	check_bad(f, "zero-length record at index 0");

	logbuf_build_sample(f, &l);
	put32(f, l.next_sym, 40);
	logbuf_rec(f, &l, 32, 0, 0, "", 0);
	check_bad(f, "second wrap");
	CHECK(run(f, &diag) == -EBADMSG && strstr(diag.reason, "second") != NULL);

	logbuf_build_sample(f, &l);
	put16(f, l.buf + 184 + 10, 200);
	check_bad(f, "text past the buffer");

	logbuf_build_sample(f, &l);
	put32(f, l.first_sym, 250);
	check_bad(f, "first index past the buffer");

	logbuf_build_sample(f, &l);
	put32(f, l.len_sym, 0);
	check_bad(f, "log_buf_len 0");
	free(f);
}

/* ------------------------------------------------------------------ */
/* Plain-text log_buf (before 3.5)                                     */

static void plain_build(struct fake *f, const char *release, uint64_t log_end)
{
	uint64_t buf, buf_sym, len_sym, end_sym;

	memset(f, 0, sizeof(*f));
	buf = fake_alloc(f, 16);
	buf_sym = fake_alloc(f, 8);
	len_sym = fake_alloc(f, 4);
	end_sym = fake_alloc(f, 8);
	memcpy(at(f, buf), "ABCDEFGHIJKLMNOP", 16);
	put64(f, buf_sym, buf);
	put32(f, len_sym, 16);
	put64(f, end_sym, log_end);
	vline(f, "OSRELEASE=%s", release);
	vline(f, "SYMBOL(log_buf)=%" PRIx64, buf_sym);
	vline(f, "SYMBOL(log_buf_len)=%" PRIx64, len_sym);
	vline(f, "SYMBOL(log_end)=%" PRIx64, end_sym);
}

static void test_plain(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct s3img_diag diag;

	plain_build(f, "2.6.32-754.el6.x86_64", 5);
	CHECK(run(f, &diag) == 0);
	check_output(f, "ABCDE");

	/* Wrapped: oldest byte first. */
	plain_build(f, "3.2.0-4-amd64", 20);
	CHECK(run(f, &diag) == 0);
	check_output(f, "EFGHIJKLMNOPABCD");

	/* Before 2.6.25 log_end is an unsigned long. */
	plain_build(f, "2.6.18", (UINT64_C(1) << 32) | 3);
	CHECK(run(f, &diag) == 0);
	check_output(f, "DEFGHIJKLMNOPABC");
	free(f);
}

int main(void)
{
	test_prb();
	test_prb_corrupt();
	test_logbuf();
	test_plain();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	return 0;
}
