/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* suspend3's notes are records of tagged attributes ({u16 tag, u16 flags,
 * u32 len, value}), described once here by tables that both the encoder
 * and the bounds-checked decoder walk. New fields get new tags; a reader
 * skips tags it does not know unless they are marked critical. */
#include <inttypes.h>
#include <stddef.h>

#include "proc_image.h"

#define FIX(t, S, m, req) { t, FT_FIXED, req, offsetof(S, m), sizeof(((S *)0)->m), 0, 0 }
#define ARR(t, S, m, req) { t, FT_ARRAY, req, offsetof(S, m), sizeof(((S *)0)->m), 0, 0 }
#define STR(t, S, m) { t, FT_STR, 0, offsetof(S, m), sizeof(char *), 0, 0 }
#define VAR(t, S, m, cnt) \
	{ t, FT_VAR, 0, offsetof(S, m), sizeof(void *), offsetof(S, cnt), sizeof(*((S *)0)->m) }
#define RECORD(n, f) { n, f, ARRAY_SIZE(f) }

typedef struct proc_header_rec HDR;
static const struct field header_fields[] = {
	FIX(1, HDR, flags, 0),
	FIX(2, HDR, page_size, 1),
	FIX(3, HDR, e_machine, 1),
	FIX(4, HDR, time, 0),
	ARR(5, HDR, release, 0),
	ARR(6, HDR, machine, 0),
	ARR(7, HDR, nodename, 0),
	ARR(8, HDR, boot_id, 0),
	FIX(9, HDR, nprocs, 1),
	FIX(10, HDR, nfiles, 1),
	FIX(11, HDR, npipes, 1),
	FIX(12, HDR, npidns, 1),
};
const struct record_desc header_rec = RECORD("header", header_fields);

typedef struct s3img_proc_pidns NS;
static const struct field pidns_fields[] = {
	FIX(1, NS, ino, 1),
	FIX(2, NS, level, 1),
	FIX(3, NS, parent, 1),
};
const struct record_desc pidns_rec = RECORD("pid namespace", pidns_fields);

typedef struct s3img_proc_pipe PIPE;
static const struct field pipe_fields[] = {
	FIX(1, PIPE, ino, 1),
	FIX(2, PIPE, size, 0),
	FIX(3, PIPE, data_offset, 0),
	FIX(4, PIPE, data_len, 0),
};
const struct record_desc pipe_rec = RECORD("pipe", pipe_fields);

typedef struct s3img_proc_file FILEREC;
static const struct field file_fields[] = {
	FIX(1, FILEREC, kind, 1),
	FIX(2, FILEREC, flags, 0),
	FIX(3, FILEREC, open_flags, 0),
	FIX(4, FILEREC, mode, 0),
	FIX(5, FILEREC, pos, 0),
	STR(6, FILEREC, path),
	FIX(7, FILEREC, dev, 0),
	FIX(8, FILEREC, ino, 0),
	FIX(9, FILEREC, rdev, 0),
	FIX(10, FILEREC, size, 0),
	FIX(11, FILEREC, mtime_sec, 0),
	FIX(12, FILEREC, mtime_nsec, 0),
	FIX(13, FILEREC, ctime_sec, 0),
	FIX(14, FILEREC, ctime_nsec, 0),
	FIX(15, FILEREC, mnt_id, 0),
	FIX(16, FILEREC, pipe, 1),
};
const struct record_desc file_rec = RECORD("file", file_fields);

typedef struct s3img_proc_process PROC;
static const struct field process_fields[] = {
	FIX(1, PROC, parent, 1),
	FIX(2, PROC, state, 1),
	FIX(3, PROC, exit_status, 0),
	FIX(4, PROC, flags, 0),
	FIX(5, PROC, nlevels, 1),
	ARR(6, PROC, pid, 1),
	ARR(7, PROC, pgid, 0),
	ARR(8, PROC, sid, 0),
	FIX(9, PROC, pidns, 1),
	FIX(10, PROC, pidns_for_children, 1),
	ARR(11, PROC, comm, 0),
	STR(12, PROC, cmdline),
	STR(13, PROC, cwd),
	STR(14, PROC, root),
	FIX(15, PROC, umask, 0),
	FIX(16, PROC, personality, 0),
	FIX(17, PROC, pdeathsig, 0),
	FIX(18, PROC, dumpable, 0),
	FIX(19, PROC, oom_score_adj, 0),
	ARR(20, PROC, creds.uid, 0),
	ARR(21, PROC, creds.gid, 0),
	FIX(22, PROC, creds.cap_inh, 0),
	FIX(23, PROC, creds.cap_prm, 0),
	FIX(24, PROC, creds.cap_eff, 0),
	FIX(25, PROC, creds.cap_bnd, 0),
	FIX(26, PROC, creds.cap_amb, 0),
	FIX(27, PROC, creds.securebits, 0),
	VAR(28, PROC, creds.groups, creds.ngroups),
	ARR(29, PROC, rlimits, 0),
	ARR(30, PROC, sigactions, 0),
	ARR(31, PROC, itimers, 0),
	VAR(32, PROC, pending, npending),
	FIX(33, PROC, mm.start_code, 0),
	FIX(34, PROC, mm.end_code, 0),
	FIX(35, PROC, mm.start_data, 0),
	FIX(36, PROC, mm.end_data, 0),
	FIX(37, PROC, mm.start_brk, 0),
	FIX(38, PROC, mm.brk, 0),
	FIX(39, PROC, mm.start_stack, 0),
	FIX(40, PROC, mm.arg_start, 0),
	FIX(41, PROC, mm.arg_end, 0),
	FIX(42, PROC, mm.env_start, 0),
	FIX(43, PROC, mm.env_end, 0),
	STR(44, PROC, mm.exe),
	FIX(45, PROC, mm.exe_file, 1),
	VAR(46, PROC, fds, nfds),
};
const struct record_desc process_rec = RECORD("process", process_fields);

typedef struct s3img_proc_thread THR;
static const struct field thread_fields[] = {
	ARR(1, THR, tid, 1),
	ARR(2, THR, comm, 0),
	FIX(3, THR, flags, 0),
	FIX(4, THR, sigmask, 0),
	VAR(5, THR, pending, npending),
	FIX(6, THR, altstack_sp, 0),
	FIX(7, THR, altstack_size, 0),
	FIX(8, THR, altstack_flags, 0),
	FIX(9, THR, clear_child_tid, 0),
	FIX(10, THR, robust_list, 0),
	FIX(11, THR, robust_list_len, 0),
	FIX(12, THR, rseq, 0),
	FIX(13, THR, rseq_sig, 0),
	FIX(14, THR, rseq_len, 0),
	FIX(15, THR, rseq_flags, 0),
	FIX(16, THR, timerslack_ns, 0),
	FIX(17, THR, syscall_nr, 0),
};
const struct record_desc thread_rec = RECORD("thread", thread_fields);

typedef struct s3img_proc_vma VMA;
static const struct field vma_fields[] = {
	FIX(1, VMA, start, 1),
	FIX(2, VMA, end, 1),
	FIX(3, VMA, pgoff, 0),
	FIX(4, VMA, prot, 1),
	FIX(5, VMA, kind, 1),
	FIX(6, VMA, flags, 0),
	FIX(7, VMA, file, 1),
	FIX(8, VMA, shmem_id, 0),
	STR(9, VMA, name),
	VAR(10, VMA, runs, nruns),
};
const struct record_desc vma_rec = RECORD("vma", vma_fields);

/* ---- byte buffers and notes ----------------------------------------- */

void nbuf_deinit(struct nbuf *b)
{
	free(b->data);
	*b = (struct nbuf){ 0 };
}

void *nbuf_grow(struct nbuf *b, size_t n)
{
	void *p;

	if (b->err)
		return NULL;
	if (n > SIZE_MAX / 2 - b->len) {
		b->err = -ENOMEM;
		return NULL;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->err = -ENOMEM;
			return NULL;
		}
		b->data = d;
		b->cap = cap;
	}
	p = b->data + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

void nbuf_put(struct nbuf *b, const void *p, size_t n)
{
	void *d = nbuf_grow(b, n);

	if (d && n)
		memcpy(d, p, n);
}

size_t note_begin(struct nbuf *b, const char *name, uint32_t type)
{
	size_t start = b->len, namesz = strlen(name) + 1;
	uint8_t *h = nbuf_grow(b, 12 + ALIGN_UP(namesz, 4));

	if (!h)
		return start;
	put_le32(h, (uint32_t)namesz);
	put_le32(h + 8, type);
	memcpy(h + 12, name, namesz);
	return start;
}

void note_end(struct nbuf *b, size_t start)
{
	size_t namesz, descsz;

	if (b->err)
		return;
	namesz = get_le32(b->data + start);
	descsz = b->len - start - 12 - ALIGN_UP(namesz, 4);
	put_le32(b->data + start + 4, (uint32_t)descsz);
	nbuf_grow(b, ALIGN_UP(descsz, 4) - descsz);
}

void note_put(struct nbuf *b, const char *name, uint32_t type, const void *desc, size_t len)
{
	size_t start = note_begin(b, name, type);
	void *d = nbuf_grow(b, len);

	if (d && desc)
		memcpy(d, desc, len);
	note_end(b, start);
}

/* ---- encoding -------------------------------------------------------- */

static void attr_put(struct nbuf *b, uint16_t tag, const void *value, size_t len)
{
	uint8_t *h;

	if (len > UINT32_MAX) {
		b->err = -E2BIG;
		return;
	}
	h = nbuf_grow(b, S3_ATTR_HDR + ALIGN_UP(len, 4));
	if (!h)
		return;
	memcpy(h, &tag, 2);
	put_le32(h + 4, (uint32_t)len);
	if (len)
		memcpy(h + S3_ATTR_HDR, value, len);
}

void record_encode(struct nbuf *b, const struct record_desc *rd, const void *rec)
{
	const uint8_t *base = rec;

	for (size_t i = 0; i < rd->nfields; i++) {
		const struct field *f = &rd->fields[i];
		const uint8_t *v = base + f->off;
		size_t len;

		switch (f->type) {
		case FT_FIXED:
			attr_put(b, f->tag, v, f->size);
			break;
		case FT_ARRAY:
			/* Trailing zeros are implied. */
			for (len = f->size; len > 0 && v[len - 1] == 0; len--)
				;
			if (len || f->required)
				attr_put(b, f->tag, v, len);
			break;
		case FT_STR: {
			const char *s = *(char *const *)v;
			if (s)
				attr_put(b, f->tag, s, strlen(s));
			break;
		}
		case FT_VAR: {
			const void *p = *(void *const *)v;
			size_t n = *(const size_t *)(base + f->count_off);
			if (p && n) {
				if (n > SIZE_MAX / f->elem) {
					b->err = -E2BIG;
					return;
				}
				attr_put(b, f->tag, p, n * f->elem);
			}
			break;
		}
		}
	}
}

/* ---- decoding -------------------------------------------------------- */

static const struct field *field_find(const struct record_desc *rd, uint16_t tag, size_t *ret_i)
{
	for (size_t i = 0; i < rd->nfields; i++)
		if (rd->fields[i].tag == tag) {
			*ret_i = i;
			return &rd->fields[i];
		}
	return NULL;
}

static int field_decode(const struct record_desc *rd, const struct field *f, const uint8_t *v,
			uint32_t len, uint8_t *base, uint64_t off, struct s3img_diag *diag)
{
	switch (f->type) {
	case FT_FIXED:
		if (len != f->size)
			return diag_bad(diag, off, "%s attribute %u has %u bytes, expected %u", rd->name,
					f->tag, len, f->size);
		memcpy(base + f->off, v, len);
		return 0;
	case FT_ARRAY:
		if (len > f->size)
			return diag_bad(diag, off, "%s attribute %u has %u bytes, at most %u allowed",
					rd->name, f->tag, len, f->size);
		memcpy(base + f->off, v, len);
		return 0;
	case FT_STR: {
		char *s;
		if (len > S3_MAX_STRING || memchr(v, 0, len))
			return diag_bad(diag, off, "%s attribute %u is not a string of at most %u bytes",
					rd->name, f->tag, S3_MAX_STRING);
		s = malloc(len + 1);
		if (!s)
			return -ENOMEM;
		memcpy(s, v, len);
		s[len] = 0;
		*(char **)(base + f->off) = s;
		return 0;
	}
	case FT_VAR: {
		void *p;
		if (len % f->elem != 0)
			return diag_bad(diag, off, "%s attribute %u: %u bytes is not a whole number of %u-byte entries",
					rd->name, f->tag, len, f->elem);
		if (len / f->elem > S3_MAX_COUNT)
			return diag_bad(diag, off, "%s attribute %u has more than %u entries", rd->name,
					f->tag, S3_MAX_COUNT);
		if (len == 0)
			return 0;
		p = malloc(len);
		if (!p)
			return -ENOMEM;
		memcpy(p, v, len);
		*(void **)(base + f->off) = p;
		*(size_t *)(base + f->count_off) = len / f->elem;
		return 0;
	}
	}
	return -EINVAL;
}

/* Decode attributes into rec, which must be zeroed. Strings and arrays
 * are allocated and stay in rec even on failure (the caller frees). */
int record_decode(const struct record_desc *rd, const uint8_t *p, size_t len, void *rec,
		  uint64_t file_off, struct s3img_diag *diag)
{
	uint64_t seen = 0; /* tags are small: one bit per table index */
	size_t pos = 0;
	int r;

	if (rd->nfields > 64)
		return -EINVAL;
	while (pos < len) {
		const struct field *f;
		uint16_t tag, flags;
		uint32_t alen;
		size_t i;

		if (len - pos < S3_ATTR_HDR)
			return diag_bad(diag, file_off + pos, "%s record: truncated attribute header", rd->name);
		memcpy(&tag, p + pos, 2);
		memcpy(&flags, p + pos + 2, 2);
		alen = get_le32(p + pos + 4);
		if (alen > len - pos - S3_ATTR_HDR)
			return diag_bad(diag, file_off + pos, "%s attribute %u: length %u runs past its note",
					rd->name, tag, alen);
		f = field_find(rd, tag, &i);
		if (!f) {
			if (flags & S3_ATTR_CRITICAL)
				return diag_err(diag, -EPROTONOSUPPORT, file_off + pos,
						"%s attribute %u is critical and unknown to this version",
						rd->name, tag);
		} else {
			if (seen & (1ull << i))
				return diag_bad(diag, file_off + pos, "%s attribute %u appears twice", rd->name, tag);
			seen |= 1ull << i;
			r = field_decode(rd, f, p + pos + S3_ATTR_HDR, alen, rec, file_off + pos, diag);
			if (r < 0)
				return r;
		}
		pos += S3_ATTR_HDR;
		/* The last attribute's padding may be cut by the note's own. */
		pos += ALIGN_UP((size_t)alen, 4) <= len - pos ? ALIGN_UP((size_t)alen, 4) : alen;
	}
	for (size_t i = 0; i < rd->nfields; i++)
		if (rd->fields[i].required && !(seen & (1ull << i)))
			return diag_bad(diag, file_off, "%s record lacks required attribute %u", rd->name,
					rd->fields[i].tag);
	return 0;
}
