/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel log (printk buffer) of a dump, emitted byte for byte the way
 * `makedumpfile --dump-dmesg` (1.7.2) writes its LOGFILE.
 *
 * Three layouts exist, chosen from what VMCOREINFO exports:
 *  - the lockless ring buffer (Linux 5.10+): SYMBOL(prb);
 *  - variable-length records in log_buf (3.5 .. 5.9): SYMBOL(log_buf),
 *    SYMBOL(log_first_idx), SYMBOL(log_next_idx), SIZE(printk_log);
 *  - plain text in log_buf up to log_end (before 3.5): SYMBOL(log_end).
 *
 * Record format: "[%5llu.%06lu] " (seconds, microseconds of ts_nsec), then
 * the text with each '\n' followed by spaces as wide as that prefix, bytes
 * that are neither printable nor white space written as "\xNN", and a
 * final '\n'. Dictionaries, caller ids and device info are not printed.
 * makedumpfile classifies bytes through a signed char in the C locale, so a
 * byte >= 0x80 comes out sign-extended: "\xffffffNN". We classify by range,
 * not with <ctype.h>, so the caller's locale cannot change the output.
 *
 * Everything read from the dump is untrusted: each layout value is checked
 * against the structure it lives in, each position against its buffer,
 * and every walk is bounded by the size of its ring.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "internal.h"

/* Caps on values read from VMCOREINFO and the dump. */
#define STRUCT_SIZE_MAX 4096u     /* any SIZE() we read a whole struct of */
#define RING_BITS_MAX 30u         /* count_bits / size_bits; kernels use <= 26 / 31 */
#define LOG_BUF_LEN_MAX INT32_MAX  /* makedumpfile reads log_buf_len as an int */
#define OUT_CHUNK 4096

/* ------------------------------------------------------------------ */
/* Buffered output to the caller's emit callback                       */

struct log_out {
	s3img_emit_fn emit;
	void *ctx;
	int err; /* the first error emit returned; nothing is emitted after it */
	size_t len;
	char buf[OUT_CHUNK];
};

static int out_flush(struct log_out *o)
{
	if (o->err < 0 || o->len == 0)
		return o->err;
	o->err = o->emit(o->ctx, o->buf, o->len);
	if (o->err > 0)
		o->err = 0;
	o->len = 0;
	return o->err;
}

static int out_write(struct log_out *o, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		size_t n = sizeof(o->buf) - o->len;
		int r;

		if (n > len)
			n = len;
		memcpy(o->buf + o->len, p, n);
		o->len += n;
		p += n;
		len -= n;
		if (o->len == sizeof(o->buf)) {
			r = out_flush(o);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Finish a dump: flush what is buffered, keep the first error. */
static int out_finish(struct log_out *o, int r)
{
	int f = out_flush(o);

	return r < 0 ? r : f;
}

/* ------------------------------------------------------------------ */
/* One record, formatted like makedumpfile                             */

/* isprint() || isspace() in the C locale; '\n' is handled before. */
static bool byte_is_plain(uint8_t c)
{
	return (c >= 0x20 && c <= 0x7e) || (c >= '\t' && c <= '\r');
}

static int out_escaped_byte(struct log_out *o, uint8_t c)
{
	char esc[16];
	int n;

	if (c < 0x80)
		n = snprintf(esc, sizeof(esc), "\\x%02x", c);
	else /* a negative char promoted to int, printed with %02x */
		n = snprintf(esc, sizeof(esc), "\\xffffff%02x", c);
	return out_write(o, esc, (size_t)n);
}

static int out_log_record(struct log_out *o, uint64_t ts_nsec, const uint8_t *text,
			  size_t len)
{
	char prefix[48], newline[49];
	int plen, r;

	plen = snprintf(prefix, sizeof(prefix), "[%5" PRIu64 ".%06" PRIu64 "] ",
			ts_nsec / 1000000000, ts_nsec % 1000000000 / 1000);
	/* A newline in the text starts a line indented under the text. */
	newline[0] = '\n';
	memset(newline + 1, ' ', (size_t)plen);

	r = out_write(o, prefix, (size_t)plen);
	for (size_t i = 0; i < len && r >= 0; i++) {
		if (text[i] == '\n')
			r = out_write(o, newline, (size_t)plen + 1);
		else if (byte_is_plain(text[i]))
			r = out_write(o, &text[i], 1);
		else
			r = out_escaped_byte(o, text[i]);
	}
	if (r >= 0)
		r = out_write(o, "\n", 1);
	return r;
}

/* ------------------------------------------------------------------ */
/* Reading VMCOREINFO keys and kernel memory                           */

enum key_kind { KEY_SIZE, KEY_OFFSET };

/* A SIZE() or OFFSET() that must be present, >= 0 and <= max. */
static int vi_require(const struct s3img_vmcoreinfo *vi, enum key_kind kind, const char *name,
		      uint64_t max, uint64_t *ret, struct s3img_diag *diag)
{
	const char *k = kind == KEY_SIZE ? "SIZE" : "OFFSET";
	int64_t v;
	int r;

	r = kind == KEY_SIZE ? s3img_vmcoreinfo_size(vi, name, &v)
			     : s3img_vmcoreinfo_offset(vi, name, &v);
	if (r == -ENOENT)
		return diag_err(diag, -ENOENT, UINT64_MAX, "VMCOREINFO lacks %s(%s)", k, name);
	if (r < 0 || v < 0 || (uint64_t)v > max)
		return diag_bad(diag, UINT64_MAX, "VMCOREINFO %s(%s) is not a number in 0..%" PRIu64,
				k, name, max);
	*ret = (uint64_t)v;
	return 0;
}

static int vi_require_symbol(const struct s3img_vmcoreinfo *vi, const char *name,
			     uint64_t *ret, struct s3img_diag *diag)
{
	int r = s3img_vmcoreinfo_symbol(vi, name, ret);

	if (r == -ENOENT)
		return diag_err(diag, -ENOENT, UINT64_MAX, "VMCOREINFO lacks SYMBOL(%s)", name);
	if (r < 0)
		return diag_bad(diag, UINT64_MAX, "VMCOREINFO SYMBOL(%s) is not a hex address", name);
	return 0;
}

static bool vi_has_symbol(const struct s3img_vmcoreinfo *vi, const char *name)
{
	uint64_t unused;

	return s3img_vmcoreinfo_symbol(vi, name, &unused) == 0;
}

static int kread(const struct s3img_kread *rd, uint64_t addr, void *buf, size_t len,
		 struct s3img_diag *diag, const char *what)
{
	int r = rd->read(rd->ctx, addr, buf, len);

	if (r < 0)
		return diag_err(diag, r, UINT64_MAX, "cannot read %s (%zu bytes at %#" PRIx64 "): %s",
				what, len, addr, strerror(-r));
	return 0;
}

static int kread_u64(const struct s3img_kread *rd, uint64_t addr, uint64_t *ret,
		     struct s3img_diag *diag, const char *what)
{
	uint8_t b[8];
	int r = kread(rd, addr, b, sizeof(b), diag, what);

	if (r >= 0)
		*ret = get_le64(b);
	return r;
}

static int kread_u32(const struct s3img_kread *rd, uint64_t addr, uint32_t *ret,
		     struct s3img_diag *diag, const char *what)
{
	uint8_t b[4];
	int r = kread(rd, addr, b, sizeof(b), diag, what);

	if (r >= 0)
		*ret = get_le32(b);
	return r;
}

/* Does a field of width w at offset off lie inside a struct of size sz? */
static bool field_fits(uint64_t off, uint64_t w, uint64_t sz)
{
	return range_ok(off, w, sz);
}

/* ------------------------------------------------------------------ */
/* The lockless ring buffer (kernel/printk/printk_ringbuffer.h)        */

#define DESC_FLAGS_SHIFT 62
#define DESC_ID_MASK (~(UINT64_C(3) << DESC_FLAGS_SHIFT))
#define DESC_COMMITTED 1u
#define DESC_FINALIZED 2u

/* Sizes and member offsets from VMCOREINFO; offsets are relative to the
 * struct named in the comment or, for counter, to an atomic_long_t. */
struct prb_layout {
	uint64_t rb_size, desc_ring, text_ring, counter;     /* in printk_ringbuffer */
	uint64_t count_bits, descs, infos, head_id, tail_id; /* in prb_desc_ring */
	uint64_t size_bits, data;                            /* in prb_data_ring */
	uint64_t desc_size, state_var, text_blk_lpos;       /* prb_desc */
	uint64_t lpos_begin, lpos_next;                      /* in prb_data_blk_lpos */
	uint64_t info_size, ts_nsec, text_len;               /* printk_info */
};

struct layout_key {
	enum key_kind kind;
	const char *name;
	size_t field;
};

#define PRB_KEY(kind, name, f) { kind, name, offsetof(struct prb_layout, f) }
static const struct layout_key prb_keys[] = {
	PRB_KEY(KEY_SIZE, "printk_ringbuffer", rb_size),
	PRB_KEY(KEY_OFFSET, "printk_ringbuffer.desc_ring", desc_ring),
	PRB_KEY(KEY_OFFSET, "printk_ringbuffer.text_data_ring", text_ring),
	PRB_KEY(KEY_OFFSET, "prb_desc_ring.count_bits", count_bits),
	PRB_KEY(KEY_OFFSET, "prb_desc_ring.descs", descs),
	PRB_KEY(KEY_OFFSET, "prb_desc_ring.infos", infos),
	PRB_KEY(KEY_OFFSET, "prb_desc_ring.head_id", head_id),
	PRB_KEY(KEY_OFFSET, "prb_desc_ring.tail_id", tail_id),
	PRB_KEY(KEY_OFFSET, "prb_data_ring.size_bits", size_bits),
	PRB_KEY(KEY_OFFSET, "prb_data_ring.data", data),
	PRB_KEY(KEY_SIZE, "prb_desc", desc_size),
	PRB_KEY(KEY_OFFSET, "prb_desc.state_var", state_var),
	PRB_KEY(KEY_OFFSET, "prb_desc.text_blk_lpos", text_blk_lpos),
	PRB_KEY(KEY_OFFSET, "prb_data_blk_lpos.begin", lpos_begin),
	PRB_KEY(KEY_OFFSET, "prb_data_blk_lpos.next", lpos_next),
	PRB_KEY(KEY_SIZE, "printk_info", info_size),
	PRB_KEY(KEY_OFFSET, "printk_info.ts_nsec", ts_nsec),
	PRB_KEY(KEY_OFFSET, "printk_info.text_len", text_len),
	PRB_KEY(KEY_OFFSET, "atomic_long_t.counter", counter),
};

/* Every field we read must lie inside the struct it belongs to. */
static int prb_layout_check(const struct prb_layout *l, struct s3img_diag *diag)
{
	const struct {
		uint64_t off, width, size;
		const char *what;
	} f[] = {
		{ l->desc_ring + l->count_bits, 4, l->rb_size, "prb_desc_ring.count_bits" },
		{ l->desc_ring + l->descs, 8, l->rb_size, "prb_desc_ring.descs" },
		{ l->desc_ring + l->infos, 8, l->rb_size, "prb_desc_ring.infos" },
		{ l->desc_ring + l->head_id + l->counter, 8, l->rb_size, "prb_desc_ring.head_id" },
		{ l->desc_ring + l->tail_id + l->counter, 8, l->rb_size, "prb_desc_ring.tail_id" },
		{ l->text_ring + l->size_bits, 4, l->rb_size, "prb_data_ring.size_bits" },
		{ l->text_ring + l->data, 8, l->rb_size, "prb_data_ring.data" },
		{ l->state_var + l->counter, 8, l->desc_size, "prb_desc.state_var" },
		{ l->text_blk_lpos + l->lpos_begin, 8, l->desc_size, "prb_data_blk_lpos.begin" },
		{ l->text_blk_lpos + l->lpos_next, 8, l->desc_size, "prb_data_blk_lpos.next" },
		{ l->ts_nsec, 8, l->info_size, "printk_info.ts_nsec" },
		{ l->text_len, 2, l->info_size, "printk_info.text_len" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (!field_fits(f[i].off, f[i].width, f[i].size))
			return diag_bad(diag, UINT64_MAX,
					"VMCOREINFO puts %s at %" PRIu64 ", outside its %" PRIu64 "-byte struct",
					f[i].what, f[i].off, f[i].size);
	return 0;
}

static int prb_layout_load(const struct s3img_vmcoreinfo *vi, struct prb_layout *l,
			   struct s3img_diag *diag)
{
	for (size_t i = 0; i < ARRAY_SIZE(prb_keys); i++) {
		const struct layout_key *k = &prb_keys[i];
		int r = vi_require(vi, k->kind, k->name, STRUCT_SIZE_MAX,
				   (uint64_t *)((char *)l + k->field), diag);
		if (r < 0)
			return r;
	}
	return prb_layout_check(l, diag);
}

/* The rings as found in memory. */
struct prb_rings {
	uint64_t descs, infos, data;    /* kernel addresses of the arrays */
	uint64_t desc_count, data_size; /* both powers of two */
	uint64_t head_id, tail_id;
	uint8_t *text;                  /* scratch for one record's text */
};

static int prb_rings_read(const struct prb_layout *l, const struct s3img_kread *rd,
			  uint64_t prb_sym, struct prb_rings *ret, struct s3img_diag *diag)
{
	uint8_t rb[STRUCT_SIZE_MAX];
	const uint8_t *dr, *tr;
	uint32_t count_bits, size_bits;
	uint64_t prb;
	int r;

	r = kread_u64(rd, prb_sym, &prb, diag, "the prb pointer");
	if (r < 0)
		return r;
	r = kread(rd, prb, rb, l->rb_size, diag, "struct printk_ringbuffer");
	if (r < 0)
		return r;
	dr = rb + l->desc_ring;
	tr = rb + l->text_ring;
	count_bits = get_le32(dr + l->count_bits);
	size_bits = get_le32(tr + l->size_bits);
	if (count_bits > RING_BITS_MAX || size_bits > RING_BITS_MAX)
		return diag_bad(diag, UINT64_MAX,
				"printk ring sizes are implausible: count_bits %" PRIu32 ", size_bits %" PRIu32,
				count_bits, size_bits);
	ret->desc_count = UINT64_C(1) << count_bits;
	ret->data_size = UINT64_C(1) << size_bits;
	ret->descs = get_le64(dr + l->descs);
	ret->infos = get_le64(dr + l->infos);
	ret->data = get_le64(tr + l->data);
	ret->head_id = get_le64(dr + l->head_id + l->counter);
	ret->tail_id = get_le64(dr + l->tail_id + l->counter);
	if ((ret->head_id | ret->tail_id) & ~DESC_ID_MASK)
		return diag_bad(diag, UINT64_MAX, "printk head_id %#" PRIx64 " or tail_id %#" PRIx64
				" has state bits set", ret->head_id, ret->tail_id);
	return 0;
}

/* Where the text of a record with data lies in the data ring:
 * [*ret_begin, *ret_begin + *ret_len). */
static int prb_text_span(const struct prb_rings *g, uint64_t lpos_begin, uint64_t lpos_next,
			 uint16_t text_len, uint64_t id, uint64_t *ret_begin, size_t *ret_len,
			 struct s3img_diag *diag)
{
	uint64_t begin = lpos_begin % g->data_size, next = lpos_next % g->data_size;
	uint64_t len = text_len;

	if (begin > next) /* the block wrapped: its data starts the ring */
		begin = 0;
	begin += sizeof(uint64_t); /* skip the block's descriptor id */
	/* A text_len beyond the block is a truncated message. The unsigned
	 * difference is what makedumpfile compares; where it wraps, the
	 * range check below catches the block as corrupt. */
	if (next - begin < len)
		len = next - begin;
	if (!range_ok(begin, len, g->data_size))
		return diag_bad(diag, UINT64_MAX,
				"printk record %#" PRIx64 ": text of %" PRIu64 " bytes at %" PRIu64
				" is outside the %" PRIu64 "-byte data ring", id, len, begin, g->data_size);
	*ret_begin = begin;
	*ret_len = (size_t)len;
	return 0;
}

static int prb_dump_record(const struct prb_layout *l, const struct prb_rings *g,
			   const struct s3img_kread *rd, uint64_t id, struct log_out *o,
			   struct s3img_diag *diag)
{
	uint8_t desc[STRUCT_SIZE_MAX], info[STRUCT_SIZE_MAX];
	uint64_t slot = id & (g->desc_count - 1), sv, lb, ln, begin = 0;
	unsigned state;
	size_t len = 0;
	int r;

	r = kread(rd, g->descs + slot * l->desc_size, desc, l->desc_size, diag,
		  "a printk descriptor");
	if (r < 0)
		return r;
	sv = get_le64(desc + l->state_var + l->counter);
	state = (unsigned)(sv >> DESC_FLAGS_SHIFT);
	/* Skip slots reused for another id and records not yet committed. */
	if ((sv & DESC_ID_MASK) != id || (state != DESC_COMMITTED && state != DESC_FINALIZED))
		return 0;
	lb = get_le64(desc + l->text_blk_lpos + l->lpos_begin);
	ln = get_le64(desc + l->text_blk_lpos + l->lpos_next);
	if (lb % g->data_size == ln % g->data_size) /* data-less record */
		return 0;

	r = kread(rd, g->infos + slot * l->info_size, info, l->info_size, diag,
		  "a printk_info");
	if (r < 0)
		return r;
	r = prb_text_span(g, lb, ln, get_le16(info + l->text_len), id, &begin, &len, diag);
	if (r < 0)
		return r;
	if (len > 0) {
		r = kread(rd, g->data + begin, g->text, len, diag, "printk text");
		if (r < 0)
			return r;
	}
	return out_log_record(o, get_le64(info + l->ts_nsec), g->text, len);
}

static int printk_dump_lockless(const struct s3img_vmcoreinfo *vi, const struct s3img_kread *rd,
				struct log_out *o, struct s3img_diag *diag)
{
	struct prb_layout l;
	struct prb_rings g = { 0 };
	uint64_t prb_sym, n;
	int r;

	r = vi_require_symbol(vi, "prb", &prb_sym, diag);
	if (r < 0)
		return r;
	r = prb_layout_load(vi, &l, diag);
	if (r < 0)
		return r;
	r = prb_rings_read(&l, rd, prb_sym, &g, diag);
	if (r < 0)
		return r;
	/* tail_id .. head_id inclusive; the ring never holds more. */
	n = (g.head_id - g.tail_id) & DESC_ID_MASK;
	if (n >= g.desc_count)
		return diag_bad(diag, UINT64_MAX,
				"printk tail_id %#" PRIx64 " .. head_id %#" PRIx64 " spans more records than"
				" the ring's %" PRIu64 " descriptors", g.tail_id, g.head_id, g.desc_count);
	g.text = malloc(UINT16_MAX);
	if (!g.text)
		return -ENOMEM;
	for (uint64_t i = 0; i <= n && r >= 0; i++)
		r = prb_dump_record(&l, &g, rd, (g.tail_id + i) & DESC_ID_MASK, o, diag);
	free(g.text);
	return r;
}

/* ------------------------------------------------------------------ */
/* log_buf with variable-length records (struct printk_log)           */

struct logbuf {
	uint64_t buf;      /* kernel address of the buffer */
	uint32_t len;      /* log_buf_len */
	uint64_t hdr_size; /* SIZE(printk_log) */
	uint64_t ts_nsec, rec_len, text_len; /* offsets in printk_log */
};

/* log_buf and log_buf_len, common to both log_buf layouts. */
static int logbuf_read_base(const struct s3img_vmcoreinfo *vi, const struct s3img_kread *rd,
			    struct logbuf *ret, struct s3img_diag *diag)
{
	uint64_t sym_buf, sym_len;
	uint32_t len;
	int r;

	r = vi_require_symbol(vi, "log_buf", &sym_buf, diag);
	if (r >= 0)
		r = vi_require_symbol(vi, "log_buf_len", &sym_len, diag);
	if (r >= 0)
		r = kread_u64(rd, sym_buf, &ret->buf, diag, "the log_buf pointer");
	if (r >= 0)
		r = kread_u32(rd, sym_len, &len, diag, "log_buf_len");
	if (r < 0)
		return r;
	if (len == 0 || len > LOG_BUF_LEN_MAX)
		return diag_bad(diag, UINT64_MAX, "log_buf_len %" PRIu32 " is implausible", len);
	ret->len = len;
	return 0;
}

static int logbuf_layout_load(const struct s3img_vmcoreinfo *vi, struct logbuf *lb,
			      struct s3img_diag *diag)
{
	int r;

	r = vi_require(vi, KEY_SIZE, "printk_log", STRUCT_SIZE_MAX, &lb->hdr_size, diag);
	if (r >= 0)
		r = vi_require(vi, KEY_OFFSET, "printk_log.ts_nsec", STRUCT_SIZE_MAX, &lb->ts_nsec, diag);
	if (r >= 0)
		r = vi_require(vi, KEY_OFFSET, "printk_log.len", STRUCT_SIZE_MAX, &lb->rec_len, diag);
	if (r >= 0)
		r = vi_require(vi, KEY_OFFSET, "printk_log.text_len", STRUCT_SIZE_MAX, &lb->text_len,
			       diag);
	if (r < 0)
		return r;
	if (!field_fits(lb->ts_nsec, 8, lb->hdr_size) || !field_fits(lb->rec_len, 2, lb->hdr_size) ||
	    !field_fits(lb->text_len, 2, lb->hdr_size))
		return diag_bad(diag, UINT64_MAX,
				"VMCOREINFO puts a printk_log field outside its %" PRIu64 "-byte struct",
				lb->hdr_size);
	return 0;
}

/* Read the header of the record at *idx. A zero length marks the end of
 * the buffer: the record is then the one at index 0. A walk wraps once at
 * most, or it would be reading records it has printed already. */
static int logbuf_read_header(const struct logbuf *lb, const struct s3img_kread *rd,
			      uint32_t *idx, bool *wrapped, uint8_t *hdr, struct s3img_diag *diag)
{
	for (;;) {
		int r;

		if (!range_ok(*idx, lb->hdr_size, lb->len))
			return diag_bad(diag, UINT64_MAX,
					"printk_log record at index %" PRIu32 " runs past log_buf_len %" PRIu32,
					*idx, lb->len);
		r = kread(rd, lb->buf + *idx, hdr, lb->hdr_size, diag, "a printk_log header");
		if (r < 0)
			return r;
		if (get_le16(hdr + lb->rec_len) != 0 || *idx == 0)
			return 0;
		if (*wrapped)
			return diag_bad(diag, UINT64_MAX,
					"printk_log walk wraps a second time at index %" PRIu32
					" without reaching log_next_idx", *idx);
		*wrapped = true;
		*idx = 0;
	}
}

/* Emit the record whose header is hdr, at idx; return its length. */
static int logbuf_dump_one(const struct logbuf *lb, const struct s3img_kread *rd,
			   uint32_t idx, const uint8_t *hdr, uint8_t *text, struct log_out *o,
			   uint16_t *ret_len, struct s3img_diag *diag)
{
	uint16_t rlen = get_le16(hdr + lb->rec_len), tlen = get_le16(hdr + lb->text_len);
	int r;

	/* Shorter than its header, it would overlap the next record. */
	if (rlen < lb->hdr_size)
		return diag_bad(diag, UINT64_MAX,
				"printk_log record at index %" PRIu32 " is %u bytes, less than its header",
				idx, rlen);
	if (!range_ok((uint64_t)idx + lb->hdr_size, tlen, lb->len))
		return diag_bad(diag, UINT64_MAX,
				"printk_log record at index %" PRIu32 ": text of %u bytes runs past log_buf",
				idx, tlen);
	if (tlen > 0) {
		r = kread(rd, lb->buf + idx + lb->hdr_size, text, tlen, diag, "printk_log text");
		if (r < 0)
			return r;
	}
	*ret_len = rlen;
	return out_log_record(o, get_le64(hdr + lb->ts_nsec), text, tlen);
}

static int logbuf_dump_records(const struct s3img_vmcoreinfo *vi, const struct s3img_kread *rd,
			       struct log_out *o, struct s3img_diag *diag)
{
	_cleanup_free_ uint8_t *text = NULL;
	struct logbuf lb;
	uint8_t hdr[STRUCT_SIZE_MAX];
	uint64_t sym_first, sym_next, max_records;
	uint32_t idx, next;
	bool wrapped = false;
	int r;

	r = logbuf_layout_load(vi, &lb, diag);
	if (r >= 0)
		r = vi_require_symbol(vi, "log_first_idx", &sym_first, diag);
	if (r >= 0)
		r = vi_require_symbol(vi, "log_next_idx", &sym_next, diag);
	if (r >= 0)
		r = logbuf_read_base(vi, rd, &lb, diag);
	if (r >= 0)
		r = kread_u32(rd, sym_first, &idx, diag, "log_first_idx");
	if (r >= 0)
		r = kread_u32(rd, sym_next, &next, diag, "log_next_idx");
	if (r < 0)
		return r;
	text = malloc(UINT16_MAX);
	if (!text)
		return -ENOMEM;

	/* Records do not overlap, so a longer walk is a loop. */
	max_records = lb.len / lb.hdr_size + 1;
	for (uint64_t n = 0; idx != next; n++) {
		uint16_t rlen = 0;

		if (n == max_records)
			return diag_bad(diag, UINT64_MAX,
					"printk_log walk from log_first_idx never reaches log_next_idx %" PRIu32,
					next);
		r = logbuf_read_header(&lb, rd, &idx, &wrapped, hdr, diag);
		if (r >= 0)
			r = logbuf_dump_one(&lb, rd, idx, hdr, text, o, &rlen, diag);
		if (r < 0)
			return r;
		idx += rlen;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Plain-text log_buf (before Linux 3.5)                               */

/* KERNEL_VERSION(a, b, c) of OSRELEASE, or -1 if unknown. */
static long kernel_version_code(const struct s3img_vmcoreinfo *vi)
{
	const char *s = s3img_vmcoreinfo_get(vi, "OSRELEASE");
	unsigned a = 0, b = 0, c = 0;

	if (!s || sscanf(s, "%u.%u.%u", &a, &b, &c) < 2 || a > 255 || b > 255)
		return -1;
	return (long)((a << 16) | (b << 8) | (c > 255 ? 255 : c));
}

#define KVER(a, b, c) (((long)(a) << 16) | ((b) << 8) | (c))

static int logbuf_emit_range(const struct s3img_kread *rd, uint64_t addr, uint64_t len,
			     struct log_out *o, struct s3img_diag *diag)
{
	char chunk[OUT_CHUNK];

	while (len > 0) {
		size_t n = len < sizeof(chunk) ? (size_t)len : sizeof(chunk);
		int r = kread(rd, addr, chunk, n, diag, "log_buf text");

		if (r >= 0)
			r = out_write(o, chunk, n);
		if (r < 0)
			return r;
		addr += n;
		len -= n;
	}
	return 0;
}

/* The text as is: the whole buffer if it wrapped, oldest byte first. */
static int logbuf_dump_plain(const struct s3img_vmcoreinfo *vi, const struct s3img_kread *rd,
			     long version, struct log_out *o, struct s3img_diag *diag)
{
	struct logbuf lb;
	uint64_t sym_end, end, start;
	uint32_t end32;
	int r;

	r = vi_require_symbol(vi, "log_end", &sym_end, diag);
	if (r >= 0)
		r = logbuf_read_base(vi, rd, &lb, diag);
	if (r < 0)
		return r;
	/* log_end is unsigned long before 2.6.25 and unsigned since. */
	if (version >= 0 && version < KVER(2, 6, 25))
		r = kread_u64(rd, sym_end, &end, diag, "log_end");
	else if ((r = kread_u32(rd, sym_end, &end32, diag, "log_end")) >= 0)
		end = end32;
	if (r < 0)
		return r;
	if (end < lb.len)
		return logbuf_emit_range(rd, lb.buf, end, o, diag);
	start = end & (lb.len - 1); /* as makedumpfile does: len is a power of two */
	r = logbuf_emit_range(rd, lb.buf + start, lb.len - start, o, diag);
	if (r >= 0)
		r = logbuf_emit_range(rd, lb.buf, start, o, diag);
	return r;
}

/* ------------------------------------------------------------------ */

_public_ int s3img_printk_dump(const struct s3img_vmcoreinfo *vi, const struct s3img_kread *rd,
			       s3img_emit_fn emit, void *emit_ctx, struct s3img_diag *diag)
{
	_cleanup_free_ struct log_out *o = NULL;
	long version;
	int r;

	if (!vi || !rd || !rd->read || !emit)
		return -EINVAL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->emit = emit;
	o->ctx = emit_ctx;

	version = kernel_version_code(vi);
	if (vi_has_symbol(vi, "prb"))
		r = printk_dump_lockless(vi, rd, o, diag);
	else if (!vi_has_symbol(vi, "log_buf"))
		return diag_err(diag, -ENOENT, UINT64_MAX,
				"VMCOREINFO has neither SYMBOL(prb) nor SYMBOL(log_buf)");
	/* makedumpfile picks the log_buf layout by kernel version; without
	 * OSRELEASE, an exported log_end tells the plain-text one. */
	else if (version >= 0 ? version < KVER(3, 5, 0) : vi_has_symbol(vi, "log_end"))
		r = logbuf_dump_plain(vi, rd, version, o, diag);
	else
		r = logbuf_dump_records(vi, rd, o, diag);
	return out_finish(o, r);
}
