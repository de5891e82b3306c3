/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private helpers shared by libimage's source files. */
#ifndef S3IMG_INTERNAL_H
#define S3IMG_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suspend3/image.h"

#define _public_ __attribute__((visibility("default")))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
#define ALIGN_UP(n, a) (((n) + (a)-1) / (a) * (a))

static inline void freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ _cleanup_(freep)

/* Record why input is corrupt; returns -EBADMSG so callers can
 * `return diag_bad(diag, off, "...")`. */
int diag_bad(struct s3img_diag *diag, uint64_t offset, const char *fmt, ...) _printf_(3, 4);
/* Same, with another error code. */
int diag_err(struct s3img_diag *diag, int err, uint64_t offset, const char *fmt, ...)
	_printf_(4, 5);

/* Read from a source with bounds checking against src->size. */
int source_read(const struct s3img_source *src, void *buf, size_t len, uint64_t off,
		struct s3img_diag *diag, const char *what);

/* Little-endian loads from unaligned buffers (x86_64 dumps only for now). */
static inline uint16_t get_le16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t get_le32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t get_le64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void put_le32(void *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put_le64(void *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint64_t get_be64(const void *p)
{
	return __builtin_bswap64(get_le64(p));
}
static inline void put_be64(void *p, uint64_t v) { put_le64(p, __builtin_bswap64(v)); }

/* Overflow-checked a + b <= limit. */
static inline bool range_ok(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

/* A large work buffer, huge-page backed where possible (bigbuf.c); free(). */
void *bigbuf_alloc(size_t len);

/* Compression (compress.c). Each page is compressed on its own, as
 * makedumpfile does (zlib level 1, lzo1x_1, snappy; zstd tuned for one page,
 * see zstd_page_params()). */
int page_decompress(unsigned method, const void *src, size_t srclen, void *dst,
		    size_t page_size);
struct compressor;
int compressor_new(unsigned method, size_t page_size, struct compressor **ret);
void compressor_free(struct compressor *c);
/* Compress one page into the compressor's buffer. Returns the compressed
 * size and sets *ret_out, or 0 if the result is not smaller than a page
 * (store the page raw), or <0 on error. */
ssize_t compressor_page(struct compressor *c, const void *page, const void **ret_out);

/* ---- Image object and format ops -------------------------------- */

struct s3img;

struct fmt_ops {
	const char *name;
	/* Is this our format? Reads at most the first 4096 bytes. */
	bool (*probe)(const uint8_t *head, size_t len);
	int (*open)(struct s3img *img, struct s3img_diag *diag);
	enum s3img_page_state (*page_state)(struct s3img *img, uint64_t pfn);
	int (*read_pfn)(struct s3img *img, uint64_t pfn, void *buf, struct s3img_diag *diag);
	int (*is_shared_zero)(struct s3img *img, uint64_t pfn);
	void (*close)(struct s3img *img);
};

extern const struct fmt_ops elf_ops, kdump_ops, flat_ops;

/* A kdump-compressed file (one part of a split set). */
struct kdump_part {
	const struct s3img_source *src;
	int header_version;
	uint32_t block_size;
	uint64_t max_mapnr;
	uint64_t start_pfn, end_pfn;
	uint8_t *bitmap1, *bitmap2; /* bitmap_bytes each */
	uint64_t bitmap_bytes;
	uint64_t desc_off;          /* file offset of page_desc[0] */
	uint64_t *rank;             /* prefix popcount of bitmap2 per 64-bit word */
	uint64_t ndesc;
	uint64_t zero_desc_off;     /* offset of the shared zero page data, or 0 */
};

struct elf_load {
	uint64_t paddr, vaddr, memsz, filesz, offset;
};

struct s3img {
	const struct fmt_ops *ops;
	struct s3img_info info;
	const struct s3img_source *src;   /* primary source */

	/* Owned file state when opened by path. */
	struct owned_source *owned;
	size_t nowned;

	uint8_t *notes;
	size_t notes_len;
	const char *vmcoreinfo_text;   /* points into notes */
	size_t vmcoreinfo_len;
	struct s3img_vmcoreinfo *vi;

	/* ELF */
	struct elf_load *loads;
	size_t nloads;
	uint32_t e_flags;
	uint64_t phoff;

	/* kdump (one or several parts) */
	struct kdump_part *parts;
	size_t nparts;

	/* flattened: index of records, and the inner image */
	struct flat_index *flat;
	struct s3img_source flat_src;   /* virtual source over the index */
	const struct fmt_ops *inner;

	/* Virtual translation state (x86_64.c) */
	bool vt_ready;
	int vt_err;
	uint64_t pgd_paddr;
	int pt_levels;
	uint64_t phys_base;
	uint64_t kernel_offset;
	/* The last large-page translation (the vmemmap is walked in order). */
	uint64_t vt_cache_va, vt_cache_pa, vt_cache_mask;

	uint8_t *pagebuf;              /* scratch page for kvaddr reads */

	/* While writing: pages the dump level keeps (NULL = all). */
	const uint8_t *keep;
};

/* Split kdump sets (kdump_read.c) and the files behind them (image.c). */
int kdump_join_parts(struct s3img *img, size_t n, struct s3img_diag *diag);
const struct s3img_source *image_owned_source(struct s3img *img, size_t i);

static inline bool image_keeps(const struct s3img *img, uint64_t pfn)
{
	return !img->keep || (img->keep[pfn >> 3] & (1u << (pfn & 7)));
}

/* Parse the notes blob: sets nr_cpus, vmcoreinfo. */
int image_parse_notes(struct s3img *img, struct s3img_diag *diag);
/* Fill utsname from init_uts_ns when the format has none. */
int image_read_utsname(struct s3img *img, char uts[6][65]);

/* vmcoreinfo.c: untyped keys (CRASHTIME, KERNELOFFSET, PAGESIZE). */
int vmcoreinfo_hex(const struct s3img_vmcoreinfo *vi, const char *key, uint64_t *ret);
int vmcoreinfo_dec(const struct s3img_vmcoreinfo *vi, const char *key, uint64_t *ret);

/* elf_read.c: a run of pages in one read, or -EAGAIN. */
int elf_read_pfns(struct s3img *img, uint64_t pfn, uint32_t n, void *buf, struct s3img_diag *diag);

/* x86_64.c */
int x86_64_vtop(struct s3img *img, uint64_t vaddr, uint64_t *ret_paddr, struct s3img_diag *diag);
int x86_64_find_direct_map(struct s3img *img, uint64_t *ret_base);
int x86_64_kernel_text_range(struct s3img *img, uint64_t *ret_start, uint64_t *ret_end);
#define X86_64_START_KERNEL_MAP 0xffffffff80000000ull

/* Flattened index: maps a virtual "rebuilt file" offset to stream offsets. */
int flat_index_build(const struct s3img_source *src, struct flat_index **ret,
		     uint64_t *ret_size, struct s3img_diag *diag);
void flat_index_free(struct flat_index *fi);
int flat_index_pread(void *ctx, void *buf, size_t len, uint64_t off);

#endif
