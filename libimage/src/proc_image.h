/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process suspend image (docs/FORMAT.md): constants shared by the
 * writer, the reader and the core exporter. */
#ifndef S3IMG_PROC_IMAGE_H
#define S3IMG_PROC_IMAGE_H

#include <elf.h>

#include "internal.h"

/* Segment types of processes other than the first (in PT_LOOS..PT_HIOS,
 * so ELF tools see them as opaque and never as memory or notes). */
#define PT_SUSPEND3_NOTE 0x65330001u
#define PT_SUSPEND3_LOAD 0x65330002u

/* Owner name and note types of suspend3's own notes. The types keep clear
 * of every n_type gdb, libdwfl and the kernel give a meaning. */
#define S3_NOTE_NAME "SUSPEND3"
#define S3_NT_HEADER  0x53330001u
#define S3_NT_PIDNS   0x53330002u
#define S3_NT_PIPE    0x53330003u
#define S3_NT_FILE    0x53330004u
#define S3_NT_PROCESS 0x53330010u
#define S3_NT_THREAD  0x53330011u
#define S3_NT_VMA     0x53330012u

/* The header note's desc starts with this magic and two u32 versions. */
#define S3_MAGIC "S3PROCIM"
#define S3_MAGIC_LEN 8
#define S3_HEADER_FIXED 16

/* Attributes: { u16 tag, u16 flags, u32 len, value, pad to 4 }. */
#define S3_ATTR_HDR 8
#define S3_ATTR_CRITICAL 0x1   /* a reader that does not know the tag must refuse */

/* Standard core note sizes (x86_64). */
#define PRSTATUS_SIZE 336
#define PRSTATUS_REG_OFF 112
#define PRPSINFO_SIZE 136
#define SIGINFO_SIZE 128
#define FPREGS_SIZE 512
#define XSTATE_MAX (64u << 10)
#define NREGS 27

/* Sanity caps on what a file may claim. */
#define S3_MAX_NOTES_SEGMENT (256u << 20)
#define S3_MAX_COUNT (1u << 20)
#define S3_MAX_STRING 4096
#define S3_MAX_PHNUM (1u << 24)
#define S3_PAGE_SIZE 4096u
#define S3_USER_TOP 0x800000000000ull
#define S3_VSYSCALL_ADDR 0xffffffffff600000ull

/* ---- attribute tables: one per record ------------------------------ */

enum field_type {
	FT_FIXED,   /* exactly size bytes (scalars) */
	FT_ARRAY,   /* at most size bytes, the rest zero (char[], arrays) */
	FT_STR,     /* char *, NUL-terminated in memory, no NUL in the file */
	FT_VAR,     /* pointer + size_t count, elements of elem bytes */
};

struct field {
	uint16_t tag;
	uint8_t type;
	uint8_t required;
	uint32_t off;       /* of the field in the record struct */
	uint32_t size;      /* FIXED/ARRAY: bytes */
	uint32_t count_off; /* VAR: of the size_t count */
	uint32_t elem;      /* VAR: element size */
};

struct record_desc {
	const char *name;
	const struct field *fields;
	size_t nfields;
};

/* The header's attributes are decoded into this. */
struct proc_header_rec {
	uint32_t flags, page_size, e_machine, reserved;
	uint64_t time;
	char release[65], machine[65], nodename[65], boot_id[37];
	uint64_t nprocs, nfiles, npipes, npidns;
};

extern const struct record_desc header_rec, pidns_rec, pipe_rec, file_rec, process_rec,
	thread_rec, vma_rec;

/* ---- a growable byte buffer for note blobs -------------------------- */

struct nbuf {
	uint8_t *data;
	size_t len, cap;
	int err;    /* sticky -ENOMEM */
};

void nbuf_deinit(struct nbuf *b);
void *nbuf_grow(struct nbuf *b, size_t n);   /* n zeroed bytes, or NULL */
void nbuf_put(struct nbuf *b, const void *p, size_t n);

/* Append a whole note; desc may be NULL (zeros). */
void note_put(struct nbuf *b, const char *name, uint32_t type, const void *desc, size_t len);
/* Begin a note whose desc is appended afterwards; note_end fixes n_descsz. */
size_t note_begin(struct nbuf *b, const char *name, uint32_t type);
void note_end(struct nbuf *b, size_t start);

/* Attributes of one record (proc_image_attr.c). */
void record_encode(struct nbuf *b, const struct record_desc *rd, const void *rec);
/* rec must be zeroed; allocations stay in rec on failure (caller frees). */
int record_decode(const struct record_desc *rd, const uint8_t *p, size_t len, void *rec,
		  uint64_t file_off, struct s3img_diag *diag);

/* ---- shared by the writers ------------------------------------------ */

/* Check a model as the reader does: every index, range and count. */
int proc_model_check(const struct s3img_proc_image *img, uint64_t file_size,
		     struct s3img_diag *diag);

/* The standard notes of process p, in the kernel's order per thread; with
 * s3 set, suspend3's per-process notes are interleaved. */
void proc_notes_process(struct nbuf *b, const struct s3img_proc_image *img, size_t p, bool s3);
/* suspend3's global notes (header, namespaces, pipes, files). */
void proc_notes_global(struct nbuf *b, const struct s3img_proc_image *img);

/* Segments that tile a VMA: stored runs, and the gaps between them. */
struct tile {
	uint64_t vaddr, len, offset; /* offset: in the suspend image; 0 for a gap */
	bool stored;
};
/* Call fn for each tile of each VMA of proc; stops at the first error. */
int proc_for_each_tile(const struct s3img_proc_process *proc,
		       int (*fn)(void *ctx, const struct s3img_proc_vma *vma, const struct tile *t),
		       void *ctx);
size_t proc_count_tiles(const struct s3img_proc_process *proc);
uint32_t vma_phdr_flags(const struct s3img_proc_vma *vma);

/* The source an opened image reads from (proc_image_read.c). */
const struct s3img_source *proc_source(const struct s3img_proc *p);

/* Write all of a buffer at an offset. */
int pwrite_full(int fd, const void *buf, size_t len, uint64_t off);
/* The ELF header of an x86_64 core; PN_XNUM when phnum is too large. */
void core_ehdr(Elf64_Ehdr *eh, uint64_t phoff, uint64_t phnum, uint64_t shoff);
/* Write phnum program headers at phoff (and section 0 for PN_XNUM). */
int core_write_phdrs(int fd, const Elf64_Phdr *ph, uint64_t phnum, uint64_t phoff,
		     uint64_t *ret_shoff);

#endif
