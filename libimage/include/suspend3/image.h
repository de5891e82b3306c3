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

/* ------------------------------------------------------------------ */
/* Process suspend images (docs/FORMAT.md)                             */
/*                                                                    */
/* An ELF ET_CORE file holding a whole process tree: its first PT_NOTE */
/* and its PT_LOADs are process 0 (the root) as gdb and eu-stack read  */
/* any core; every other process has its own PT_SUSPEND3_NOTE and      */
/* PT_SUSPEND3_LOAD segments; notes with the owner "SUSPEND3" carry    */
/* what a standard core has no note for. The model below is what the  */
/* reader returns and what the writer serializes. x86_64 only.         */

struct iovec;

#define S3IMG_PROC_VERSION_MAJOR 1
#define S3IMG_PROC_VERSION_MINOR 0
#define S3IMG_PROC_MAX_LEVELS 32        /* PID namespace levels (MAX_PID_NS_LEVEL) */
#define S3IMG_PROC_NSIG 64
#define S3IMG_PROC_NRLIMITS 16
#define S3IMG_PROC_NO_INDEX UINT32_MAX

enum s3img_proc_vma_kind {
	S3IMG_VMA_ANON_PRIVATE = 1,
	S3IMG_VMA_ANON_SHARED = 2,      /* MAP_SHARED|MAP_ANONYMOUS (shmem "/dev/zero") */
	S3IMG_VMA_FILE_PRIVATE = 3,
	S3IMG_VMA_FILE_SHARED = 4,
	S3IMG_VMA_VDSO = 5,
	S3IMG_VMA_VVAR = 6,
	S3IMG_VMA_VVAR_VCLOCK = 7,
	S3IMG_VMA_VSYSCALL = 8,
};

/* VMA flags: the name in /proc/PID/maps and VmFlags in smaps. */
#define S3IMG_VMA_HEAP       (1u << 0)  /* [heap] */
#define S3IMG_VMA_STACK      (1u << 1)  /* [stack] */
#define S3IMG_VMA_GROWSDOWN  (1u << 2)  /* gd */
#define S3IMG_VMA_LOCKED     (1u << 3)  /* lo */
#define S3IMG_VMA_DONTFORK   (1u << 4)  /* dc: MADV_DONTFORK */
#define S3IMG_VMA_DONTEXPAND (1u << 5)  /* de */
#define S3IMG_VMA_DONTDUMP   (1u << 6)  /* dd: MADV_DONTDUMP */
#define S3IMG_VMA_WIPEONFORK (1u << 7)  /* wf: MADV_WIPEONFORK */
#define S3IMG_VMA_HUGEPAGE   (1u << 8)  /* hg: MADV_HUGEPAGE */
#define S3IMG_VMA_NOHUGEPAGE (1u << 9)  /* nh: MADV_NOHUGEPAGE */
#define S3IMG_VMA_MERGEABLE  (1u << 10) /* mg: MADV_MERGEABLE */
#define S3IMG_VMA_MAYREAD    (1u << 11) /* mr */
#define S3IMG_VMA_MAYWRITE   (1u << 12) /* mw */
#define S3IMG_VMA_MAYEXEC    (1u << 13) /* me */
#define S3IMG_VMA_MAYSHARE   (1u << 14) /* ms */
#define S3IMG_VMA_SEQ_READ   (1u << 15) /* sr: MADV_SEQUENTIAL */
#define S3IMG_VMA_RAND_READ  (1u << 16) /* rr: MADV_RANDOM */
#define S3IMG_VMA_NORESERVE  (1u << 17) /* nr: MAP_NORESERVE */
#define S3IMG_VMA_SEALED     (1u << 18) /* sl: mseal */
#define S3IMG_VMA_LOCKONFAULT (1u << 19) /* lf: MLOCK_ONFAULT */

/* Pages of a VMA stored in the image. Pages no run covers read as a fresh
 * mapping gives them: zero for anonymous memory, the file's bytes for
 * file mappings (shared file mappings are never stored: the file is the
 * truth). */
struct s3img_proc_run {
	uint64_t vaddr, len;            /* page aligned, inside the VMA */
	uint64_t offset;                /* file offset of the bytes, page aligned */
};

struct s3img_proc_vma {
	uint64_t start, end;
	uint64_t pgoff;                 /* file offset in bytes (file mappings) */
	uint32_t prot;                  /* PROT_READ | PROT_WRITE | PROT_EXEC */
	uint32_t kind;                  /* enum s3img_proc_vma_kind */
	uint32_t flags;                 /* S3IMG_VMA_* */
	uint32_t file;                  /* index into files[] (file mappings), else NO_INDEX */
	uint64_t shmem_id;              /* ANON_SHARED: the same in every process sharing it */
	char *name;                     /* "[anon:NAME]"-style names; NULL if none */
	size_t nruns;
	struct s3img_proc_run *runs;    /* sorted, not overlapping */
};

enum s3img_proc_file_kind {
	S3IMG_FILE_REG = 1,
	S3IMG_FILE_DIR = 2,
	S3IMG_FILE_PIPE = 3,
	S3IMG_FILE_CHR = 4,             /* /dev/null, zero, full, random, urandom */
	S3IMG_FILE_TTY = 5,             /* the job's terminal (--shell-job) */
};

#define S3IMG_FILE_MAPPED (1u << 0)     /* a mapped file, not an open file description */

/* An open file description (shared by every fd that refers to it) or a
 * mapped file. The identity (dev, ino, size, times) lets a reader check
 * that the file it reopens is the one that was open. */
struct s3img_proc_file {
	uint32_t kind;                  /* enum s3img_proc_file_kind */
	uint32_t flags;                 /* S3IMG_FILE_* */
	uint32_t open_flags;            /* open(2) flags (fdinfo "flags", without O_CLOEXEC) */
	uint32_t mode;                  /* st_mode */
	uint64_t pos;
	char *path;
	uint64_t dev, ino, rdev, size;
	int64_t mtime_sec, ctime_sec;
	uint32_t mtime_nsec, ctime_nsec;
	uint64_t mnt_id;
	uint32_t pipe;                  /* PIPE: index into pipes[] */
};

struct s3img_proc_pipe {
	uint64_t ino;                   /* identity at suspend time */
	uint32_t size;                  /* F_GETPIPE_SZ */
	uint64_t data_offset, data_len; /* buffered bytes, stored in the image */
};

struct s3img_proc_fd {
	int32_t fd;
	uint32_t fd_flags;              /* FD_CLOEXEC */
	uint32_t file;                  /* index into files[] */
	uint32_t reserved;
};

struct s3img_proc_pidns {
	uint64_t ino;                   /* nsfs inode at suspend time */
	uint32_t level;                 /* 0: the suspender's namespace */
	uint32_t parent;                /* index into pidns[]; NO_INDEX for level 0 */
};

struct s3img_proc_sigaction {
	uint64_t handler, flags, restorer, mask;  /* struct kernel_sigaction */
};

struct s3img_proc_siginfo {
	uint8_t data[128];              /* siginfo_t, as PTRACE_PEEKSIGINFO returns it */
};

struct s3img_proc_itimer {
	int64_t interval_sec, interval_usec, value_sec, value_usec;
};

struct s3img_proc_creds {
	uint32_t uid[4], gid[4];        /* real, effective, saved, filesystem */
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	uint32_t securebits;
	size_t ngroups;
	uint32_t *groups;
};

struct s3img_proc_mm {
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk;
	uint64_t start_stack, arg_start, arg_end, env_start, env_end;
	size_t nauxv;                   /* 64-bit words, pairs ending with AT_NULL */
	uint64_t *auxv;
	char *exe;                      /* /proc/PID/exe */
	uint32_t exe_file;              /* index into files[] or NO_INDEX */
};

#define S3IMG_THREAD_IN_SYSCALL (1u << 0) /* stopped in a syscall: regs restart it */

struct s3img_proc_thread {
	int32_t tid[S3IMG_PROC_MAX_LEVELS]; /* the process's levels */
	char comm[16];
	uint32_t flags;                 /* S3IMG_THREAD_* */
	uint64_t regs[27];              /* struct user_regs_struct, restart applied */
	uint8_t fpregs[512];            /* struct user_fpregs_struct (FXSAVE) */
	uint8_t *xstate;                /* XSAVE area (NT_X86_XSTATE), may be NULL */
	uint32_t xstate_len;
	uint64_t sigmask;               /* blocked signals, bit n-1 = signal n */
	size_t npending;
	struct s3img_proc_siginfo *pending; /* the thread's own queue */
	uint64_t altstack_sp, altstack_size;
	uint32_t altstack_flags;
	uint64_t clear_child_tid;       /* set_tid_address */
	uint64_t robust_list, robust_list_len;
	uint64_t rseq, rseq_sig;
	uint32_t rseq_len, rseq_flags;
	uint64_t timerslack_ns;
	int64_t syscall_nr;             /* IN_SYSCALL: the interrupted call */
};

enum s3img_proc_state {
	S3IMG_PROC_ALIVE = 1,
	S3IMG_PROC_ZOMBIE = 2,
};

#define S3IMG_PROC_SUBREAPER      (1u << 0)
#define S3IMG_PROC_NO_NEW_PRIVS   (1u << 1)
#define S3IMG_PROC_KEEPCAPS       (1u << 2)
#define S3IMG_PROC_THP_DISABLE    (1u << 3)
#define S3IMG_PROC_SID_OUTSIDE    (1u << 4) /* session leader not in the tree (shell job) */
#define S3IMG_PROC_PGID_OUTSIDE   (1u << 5) /* group leader not in the tree (shell job) */

struct s3img_proc_process {
	uint32_t parent;                /* index into procs[], NO_INDEX for the root */
	uint32_t state;                 /* enum s3img_proc_state */
	int32_t exit_status;            /* ZOMBIE: as wait(2) would report it */
	uint32_t flags;                 /* S3IMG_PROC_* */
	uint32_t nlevels;               /* levels: [0] the suspender's namespace .. own */
	int32_t pid[S3IMG_PROC_MAX_LEVELS];
	int32_t pgid[S3IMG_PROC_MAX_LEVELS]; /* 0 where the leader is not visible */
	int32_t sid[S3IMG_PROC_MAX_LEVELS];
	uint32_t pidns;                 /* index into pidns[] */
	uint32_t pidns_for_children;    /* index into pidns[] */
	char comm[16];
	char *cmdline;                  /* informational: arguments joined by spaces */
	char *cwd, *root;
	uint32_t umask, personality;
	int32_t pdeathsig, dumpable, oom_score_adj;
	struct s3img_proc_creds creds;
	uint64_t rlimits[S3IMG_PROC_NRLIMITS][2];  /* cur, max */
	struct s3img_proc_sigaction sigactions[S3IMG_PROC_NSIG]; /* [n-1]: signal n */
	struct s3img_proc_itimer itimers[3];       /* ITIMER_REAL, VIRTUAL, PROF */
	size_t npending;
	struct s3img_proc_siginfo *pending;         /* the shared queue */
	struct s3img_proc_mm mm;
	size_t nthreads;
	struct s3img_proc_thread *threads;  /* [0] is the thread group leader */
	size_t nvmas;
	struct s3img_proc_vma *vmas;        /* sorted by address */
	size_t nfds;
	struct s3img_proc_fd *fds;          /* sorted by fd */
};

#define S3IMG_PROC_IMAGE_SHELL_JOB    (1u << 0)
#define S3IMG_PROC_IMAGE_LEFT_RUNNING (1u << 1)

struct s3img_proc_image {
	uint32_t version_major, version_minor;  /* of the file (reader: as found) */
	uint32_t flags;                 /* S3IMG_PROC_IMAGE_* */
	uint32_t page_size;
	uint64_t time;                  /* seconds since the epoch */
	char release[65], machine[65], nodename[65];
	char boot_id[37];
	size_t nprocs;
	struct s3img_proc_process *procs;   /* parents before children; [0] is the root */
	size_t nfiles;
	struct s3img_proc_file *files;
	size_t npipes;
	struct s3img_proc_pipe *pipes;
	size_t npidns;
	struct s3img_proc_pidns *pidns;     /* [0] is the suspender's namespace */
};

/* Free every array and string of a model (malloc'ed), and the model. */
void s3img_proc_image_free(struct s3img_proc_image *img);

/* Is this a suspend image? Reads the ELF header, the first program header
 * and the first note. 1 yes, 0 no, <0 on a read error. */
int s3img_proc_probe(const struct s3img_source *src);

/* An opened suspend image: the model, validated, and its memory. */
struct s3img_proc;

int s3img_proc_open(const char *path, struct s3img_proc **ret, struct s3img_diag *diag);
/* src is not owned and must outlive the handle. */
int s3img_proc_open_source(const struct s3img_source *src, struct s3img_proc **ret,
			   struct s3img_diag *diag);
void s3img_proc_free(struct s3img_proc *p);
const struct s3img_proc_image *s3img_proc_get_image(const struct s3img_proc *p);

/* Read process memory as the process saw it, where the image holds it:
 * 0; -ENODATA for bytes the image does not store (file-backed pages read
 * from the file, vvar); -ENXIO for unmapped addresses. Zero for untouched
 * anonymous pages. */
int s3img_proc_read_memory(struct s3img_proc *p, size_t proc, uint64_t vaddr, void *buf,
			   size_t len, struct s3img_diag *diag);
/* Read bytes of the data area (e.g. a pipe's buffered bytes). */
int s3img_proc_read_data(struct s3img_proc *p, uint64_t offset, void *buf, size_t len,
			 struct s3img_diag *diag);

/* Write a standard ELF core of process proc (as the kernel would dump it,
 * with every anonymous page) to out_fd, a regular file. */
int s3img_proc_write_core(struct s3img_proc *p, size_t proc, int out_fd,
			  struct s3img_diag *diag);

/* Writing: memory and pipe bytes are appended as they are read
 * (s3img_proc_writer_data), then the model, whose runs and pipes refer
 * to the offsets returned, is serialized with the headers. */
struct s3img_proc_writer;

struct s3img_proc_write_opts {
	enum s3img_io io;               /* S3IMG_IO_AUTO: io_uring, else AIO, else pwrite */
	int direct_fd;                  /* the same file opened O_DIRECT, or -1 */
};

/* out_fd: an empty regular file opened for writing; opts may be NULL. */
int s3img_proc_writer_new(int out_fd, const struct s3img_proc_write_opts *opts,
			  struct s3img_proc_writer **ret);
/* The write method in use. */
enum s3img_io s3img_proc_writer_io(const struct s3img_proc_writer *w);
/* Append bytes (padded to a page); *ret_offset is their file offset. */
int s3img_proc_writer_data(struct s3img_proc_writer *w, const struct iovec *iov, size_t iovcnt,
			   uint64_t *ret_offset);
/* Validate the model, write notes, program headers and the ELF header
 * (last), and fsync. Until it returns 0 the file is not a valid image. */
int s3img_proc_writer_finish(struct s3img_proc_writer *w, const struct s3img_proc_image *img,
			     struct s3img_diag *diag);
void s3img_proc_writer_free(struct s3img_proc_writer *w);

#ifdef __cplusplus
}
#endif
#endif
