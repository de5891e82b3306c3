/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsuspend3-image: read and write crash-dump images (ELF vmcores,
 * makedumpfile's kdump-compressed format and its flattened stream).
 *
 * Conventions:
 *  - Every fallible call returns 0 or a negative errno with a fixed meaning:
 *      -EBADMSG          corrupt or inconsistent input (see struct s3img_diag)
 *      -EPROTONOSUPPORT  unknown format version or architecture
 *      -EOPNOTSUPP       feature not built in (e.g. a compression library)
 *      -ENODATA          the page is RAM but was excluded from the dump
 *      -ENXIO            the address is not RAM in this dump
 *      -ENOENT           a key/symbol/note is not present
 *      -ENOMEM, -EIO...  as usual
 *  - Out-parameters are named ret_*, come last and are untouched on failure.
 *  - The library never logs and never exits. Where input is corrupt, the
 *    optional struct s3img_diag receives the file offset and a reason.
 *  - Destructors accept NULL.
 */
#ifndef SUSPEND3_IMAGE_H
#define SUSPEND3_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define S3IMG_VERSION_MAJOR 0
#define S3IMG_VERSION_MINOR 1

/* Where and why input was found corrupt. offset is UINT64_MAX if unknown. */
struct s3img_diag {
	uint64_t offset;
	char reason[200];
};

/* ------------------------------------------------------------------ */
/* Sources: how bytes reach the parsers. The parsers do no I/O.        */

struct s3img_source {
	/* Read exactly len bytes at off; return 0, -EIO, or -EBADMSG when
	 * [off, off+len) is beyond the end. May be NULL if map covers all. */
	int (*pread)(void *ctx, void *buf, size_t len, uint64_t off);
	void *ctx;
	/* Optional: the whole file mapped in memory (size bytes). */
	const void *map;
	uint64_t size;
	/* Optional, for diagnostics. */
	const char *name;
};

/* ------------------------------------------------------------------ */
/* VMCOREINFO                                                          */

struct s3img_vmcoreinfo;

int s3img_vmcoreinfo_parse(const char *text, size_t len,
			   struct s3img_vmcoreinfo **ret, struct s3img_diag *diag);
void s3img_vmcoreinfo_free(struct s3img_vmcoreinfo *vi);
/* Raw value of KEY (e.g. "OSRELEASE", "SYMBOL(prb)"), NUL-terminated. */
const char *s3img_vmcoreinfo_get(const struct s3img_vmcoreinfo *vi, const char *key);
/* Typed look-ups: SYMBOL() and KERNELOFFSET are hex, the rest decimal. */
int s3img_vmcoreinfo_symbol(const struct s3img_vmcoreinfo *vi, const char *name, uint64_t *ret);
int s3img_vmcoreinfo_size(const struct s3img_vmcoreinfo *vi, const char *name, int64_t *ret);
int s3img_vmcoreinfo_offset(const struct s3img_vmcoreinfo *vi, const char *name, int64_t *ret);
int s3img_vmcoreinfo_length(const struct s3img_vmcoreinfo *vi, const char *name, int64_t *ret);
int s3img_vmcoreinfo_number(const struct s3img_vmcoreinfo *vi, const char *name, int64_t *ret);
/* Iterate: returns the number of entries; key/value of entry i. */
size_t s3img_vmcoreinfo_count(const struct s3img_vmcoreinfo *vi);
int s3img_vmcoreinfo_entry(const struct s3img_vmcoreinfo *vi, size_t i,
			   const char **ret_key, const char **ret_value);

/* ------------------------------------------------------------------ */
/* Kernel log (printk). Memory is read through a callback (kernel      */
/* virtual addresses); the text is emitted in the exact form of        */
/* `makedumpfile --dump-dmesg`.                                        */

struct s3img_kread {
	/* Read len bytes at kernel virtual address addr: 0 or -errno. */
	int (*read)(void *ctx, uint64_t kvaddr, void *buf, size_t len);
	void *ctx;
};

typedef int (*s3img_emit_fn)(void *ctx, const char *text, size_t len);

int s3img_printk_dump(const struct s3img_vmcoreinfo *vi, const struct s3img_kread *rd,
		      s3img_emit_fn emit, void *emit_ctx, struct s3img_diag *diag);

/* ------------------------------------------------------------------ */
/* Opened images                                                       */

struct s3img;

enum s3img_format {
	S3IMG_FORMAT_ELF = 1,
	S3IMG_FORMAT_KDUMP = 2,
	S3IMG_FORMAT_FLAT = 3, /* flattened stream of a kdump or ELF file */
};

enum s3img_compress {
	S3IMG_COMPRESS_NONE = 0,
	S3IMG_COMPRESS_ZLIB = 0x1,
	S3IMG_COMPRESS_LZO = 0x2,
	S3IMG_COMPRESS_SNAPPY = 0x4,
	S3IMG_COMPRESS_ZSTD = 0x20,
};

enum s3img_page_state {
	S3IMG_PAGE_NOT_RAM = 0,
	S3IMG_PAGE_EXCLUDED = 1, /* RAM, but not in the dump */
	S3IMG_PAGE_DUMPED = 2,
};

struct s3img_info {
	enum s3img_format format;
	enum s3img_format inner_format; /* for FLAT: what the stream rebuilds */
	int header_version;             /* kdump: 1..6; ELF: 0 */
	int elf_class;                  /* ELF: 64 or 32 */
	uint32_t status;                /* kdump status word (compression | 0x8 incomplete) */
	int incomplete;                 /* kdump status 0x8 / ELF e_flags & 1 */
	unsigned compress_mask;         /* compressions seen in status/descriptors */
	uint32_t page_size;
	uint64_t max_pfn;               /* one past the last pfn described */
	int nr_cpus;                    /* CORE NT_PRSTATUS notes */
	int dump_level;                 /* kdump sub header; -1 if unknown (ELF) */
	uint64_t phys_base;
	uint64_t crash_time;            /* CRASHTIME or header timestamp; 0 if none */
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
	int split;                      /* kdump split set */
	uint64_t start_pfn, end_pfn;    /* kdump split range */
	uint64_t file_size;
};

struct s3img_open_opts {
	int flags; /* reserved, 0 */
};

/* Open a file (or /proc/vmcore) read-only; mmap is used where possible. */
int s3img_open(const char *path, struct s3img **ret, struct s3img_diag *diag);
/* s3img_open_flags() flags. */
#define S3IMG_OPEN_NO_MMAP 0x1 /* read with pread: I/O errors come back as -EIO
				  instead of SIGBUS (e.g. /proc/vmcore) */
int s3img_open_flags(const char *const *paths, size_t n, unsigned flags, struct s3img **ret,
		     struct s3img_diag *diag);
/* Open the parts of a split kdump set as one image. */
int s3img_open_split(const char *const *paths, size_t n, struct s3img **ret,
		     struct s3img_diag *diag);
/* Open from a caller-supplied source (not owned; must outlive the image). */
int s3img_open_source(const struct s3img_source *src, struct s3img **ret,
		      struct s3img_diag *diag);
void s3img_free(struct s3img *img);

const struct s3img_info *s3img_get_info(const struct s3img *img);
const char *s3img_format_name(enum s3img_format f);
const char *s3img_compress_name(unsigned c);

/* Page map. */
enum s3img_page_state s3img_page_state(struct s3img *img, uint64_t pfn);
/* Read one page into buf (page_size bytes): 0, -ENODATA, -ENXIO, -EBADMSG. */
int s3img_read_pfn(struct s3img *img, uint64_t pfn, void *buf, struct s3img_diag *diag);
/* Physical memory; may span pages. Same errors as s3img_read_pfn. */
int s3img_read_phys(struct s3img *img, uint64_t paddr, void *buf, size_t len,
		    struct s3img_diag *diag);
/* Kernel virtual memory, translated from VMCOREINFO (x86_64). */
int s3img_read_kvaddr(struct s3img *img, uint64_t kvaddr, void *buf, size_t len,
		      struct s3img_diag *diag);
int s3img_kvtop(struct s3img *img, uint64_t kvaddr, uint64_t *ret_paddr);
/* Is this pfn an all-zero page stored by reference (kdump zero sharing)? */
int s3img_pfn_is_shared_zero(struct s3img *img, uint64_t pfn);

/* Page counts: RAM pages, dumped pages, of which zero, excluded. Walks
 * the whole map (for kdump: bitmaps only; zero = shares the zero page). */
struct s3img_page_counts {
	uint64_t ram, dumped, zero, excluded;
};
int s3img_count_pages(struct s3img *img, struct s3img_page_counts *ret);

/* Notes. */
/* The raw PT_NOTE blob as found in the dump (ELF notes, 4-byte padded). */
const void *s3img_notes(const struct s3img *img, size_t *ret_len);
const struct s3img_vmcoreinfo *s3img_get_vmcoreinfo(const struct s3img *img);
const char *s3img_vmcoreinfo_text(const struct s3img *img, size_t *ret_len);

/* Walk ELF notes in a blob. Returns 0 at end, 1 with a note, <0 corrupt. */
struct s3img_note {
	const char *name;  /* not necessarily NUL-terminated within namesz */
	uint32_t namesz, type, descsz;
	const void *desc;
	size_t offset;     /* offset of the note header within the blob */
};
int s3img_note_next(const void *blob, size_t len, size_t *pos, struct s3img_note *ret);

/* x86_64 NT_PRSTATUS of CPU i (pr_pid, rip, rsp). */
struct s3img_prstatus {
	int32_t pid;
	uint64_t rip, rsp, rbp, cr3_unused;
};
int s3img_prstatus(const struct s3img *img, int cpu, struct s3img_prstatus *ret);

/* Kernel log of this image, makedumpfile --dump-dmesg format. */
int s3img_dmesg(struct s3img *img, s3img_emit_fn emit, void *ctx, struct s3img_diag *diag);

/* ------------------------------------------------------------------ */
/* Page filtering by makedumpfile dump level                           */

/* Pages left out, by class (makedumpfile's counters). */
struct s3img_filter_stats {
	int level;                        /* the level applied (bits dropped when keys are missing) */
	char missing_key[96];             /* first VMCOREINFO key whose absence lowered the level */
	uint64_t cache, cache_private, user, free, hwpoison, offline;
	uint64_t unreadable_struct_pages; /* kept because their struct page could not be read */
};

/* Decide which pages a dump at `level` keeps, from the struct pages in the
 * dump (bits 2, 4, 8, 16, plus hwpoison and offline pages always). Bit 1
 * (zero pages) needs the page data and is applied while writing. Returns a
 * bitmap of info.max_pfn bits, 1 = keep (free() it). */
int s3img_filter(struct s3img *img, int level, uint8_t **ret_keep,
		 struct s3img_filter_stats *ret_stats, struct s3img_diag *diag);
/* The part of `level` the dump's VMCOREINFO supports, without reading
 * any struct page; the first missing key goes to why (may be NULL). */
int s3img_filter_level(struct s3img *img, int level, char *why, size_t whylen);

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/* How the writer submits its writes. */
enum s3img_io {
	S3IMG_IO_AUTO = 0,   /* io_uring, else Linux AIO, else pwrite */
	S3IMG_IO_URING,
	S3IMG_IO_AIO,
	S3IMG_IO_SYNC,
};
const char *s3img_io_name(enum s3img_io io);

struct s3img_write_opts {
	enum s3img_format format;      /* ELF, KDUMP, or FLAT (flattened kdump) */
	unsigned threads;              /* compression workers; 0 = online CPUs */
	enum s3img_io io;
	/* Optional second descriptor of the output opened with O_DIRECT
	 * (<= 0: none): aligned writes go through it. */
	int direct_fd;
	unsigned compress;             /* kdump only: S3IMG_COMPRESS_* */
	int dump_level;                /* makedumpfile dump level 0..31 */
	/* Optional progress: called with pages done / total. */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	/* Optional: polled between pages; non-zero stops the write with
	 * -EINTR, leaving the output marked incomplete. */
	int (*should_stop)(void *ctx);
	void *stop_ctx;
};

struct s3img_write_stats {
	uint64_t pages_written, pages_zero, pages_excluded, bytes_written;
	uint64_t file_size;               /* of the output file (not for streams) */
	unsigned threads;                 /* compression workers used */
	enum s3img_io io;                 /* backend used */
	int direct;                       /* O_DIRECT used */
	struct s3img_filter_stats filter; /* when dump_level asked for filtering */
};

/* Write img to out_fd (a regular file, or a pipe for FLAT). On failure
 * after the header was written, the output is marked incomplete. */
int s3img_write(struct s3img *img, int out_fd, const struct s3img_write_opts *opts,
		struct s3img_write_stats *ret_stats, struct s3img_diag *diag);

/* Which compressions this build supports (mask of S3IMG_COMPRESS_*). */
unsigned s3img_compress_supported(void);

#ifdef __cplusplus
}
#endif
#endif
