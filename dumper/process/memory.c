/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory: the VMAs from /proc/PID/smaps (classified, or refused: deleted
 * files, SysV shm, hugetlb, device memory...), then the pages worth
 * storing, found with /proc/PID/pagemap: anonymous pages that are present
 * or swapped (all-zero ones dropped), the private copies in file mappings,
 * the vdso, and the data of shared anonymous memory (through its shmem
 * file, with SEEK_DATA, so that holes are not filled in). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "process.h"

#define PM_PRESENT (1ull << 63)
#define PM_SWAP (1ull << 62)
#define PM_FILE (1ull << 61)
#define CHUNK (4u << 20)          /* bytes read from the process at a time */
#define PM_BATCH 16384            /* pagemap entries read at a time */

struct vma_line {
	uint64_t start, end, pgoff, inode;
	char perms[5];
	unsigned dev_major, dev_minor;
	const char *path;            /* into the smaps text, up to the newline */
	size_t path_len;
	uint32_t vmflags;            /* S3IMG_VMA_* from VmFlags */
	bool refuse_hugetlb, refuse_io, refuse_shstk, refuse_uffd;
	uint64_t kernel_page_kb;
	uint64_t rss_kb, anon_kb, swap_kb;
	uint64_t pkey;
};

static void parse_vmflags(const char *v, size_t len, struct vma_line *l)
{
	static const struct {
		char name[3];
		uint32_t flag;
	} map[] = {
		{ "gd", S3IMG_VMA_GROWSDOWN }, { "lo", S3IMG_VMA_LOCKED },    { "dc", S3IMG_VMA_DONTFORK },
		{ "de", S3IMG_VMA_DONTEXPAND }, { "dd", S3IMG_VMA_DONTDUMP }, { "wf", S3IMG_VMA_WIPEONFORK },
		{ "hg", S3IMG_VMA_HUGEPAGE },  { "nh", S3IMG_VMA_NOHUGEPAGE }, { "mg", S3IMG_VMA_MERGEABLE },
		{ "mr", S3IMG_VMA_MAYREAD },   { "mw", S3IMG_VMA_MAYWRITE },  { "me", S3IMG_VMA_MAYEXEC },
		{ "ms", S3IMG_VMA_MAYSHARE },  { "sr", S3IMG_VMA_SEQ_READ },  { "rr", S3IMG_VMA_RAND_READ },
		{ "nr", S3IMG_VMA_NORESERVE }, { "sl", S3IMG_VMA_SEALED },    { "lf", S3IMG_VMA_LOCKONFAULT },
	};

	for (size_t i = 0; i + 2 <= len; i += 3) {
		const char *f = v + i;
		for (size_t k = 0; k < ARRAY_SIZE(map); k++)
			if (f[0] == map[k].name[0] && f[1] == map[k].name[1])
				l->vmflags |= map[k].flag;
		if (f[0] == 'h' && f[1] == 't')
			l->refuse_hugetlb = true;
		if ((f[0] == 'i' && f[1] == 'o') || (f[0] == 'p' && f[1] == 'f'))
			l->refuse_io = true;
		if (f[0] == 's' && f[1] == 's')
			l->refuse_shstk = true;
		if (f[0] == 'u' && (f[1] == 'm' || f[1] == 'w'))
			l->refuse_uffd = true;
	}
}

/* Next VMA of an smaps text at *pos: 1, or 0 at the end. */
static int next_vma(const char *text, size_t *pos, struct vma_line *l)
{
	const char *s = text + *pos;
	unsigned long long start, end, off, ino;
	int n = 0;

	if (!*s)
		return 0;
	*l = (struct vma_line){ 0 };
	if (sscanf(s, "%llx-%llx %4s %llx %x:%x %llu%n", &start, &end, l->perms, &off, &l->dev_major,
		   &l->dev_minor, &ino, &n) < 7 || n == 0)
		return -EBADMSG;
	/* The path after spaces (not newlines: an anonymous VMA has none). */
	while (s[n] == ' ' || s[n] == '\t')
		n++;
	l->start = start;
	l->end = end;
	l->pgoff = off;
	l->inode = ino;
	l->path = s + n;
	l->path_len = strcspn(l->path, "\n");
	s = l->path + l->path_len;
	/* Key lines until the next VMA's header. */
	while (*s == '\n') {
		const char *line = s + 1, *colon;
		unsigned long long a, b;

		if (!*line || (sscanf(line, "%llx-%llx", &a, &b) == 2 && strchr(line, ' ') &&
			       strchr(line, '-') < strchr(line, ' ')))
			break;
		colon = strchr(line, ':');
		s = line + strcspn(line, "\n");
		if (!colon || colon > s)
			continue;
		if (strncmp(line, "VmFlags:", 8) == 0)
			parse_vmflags(colon + 2, (size_t)(s - colon - 2), l);
		else if (strncmp(line, "KernelPageSize:", 15) == 0)
			l->kernel_page_kb = strtoull(colon + 1, NULL, 10);
		else if (strncmp(line, "Rss:", 4) == 0)
			l->rss_kb = strtoull(colon + 1, NULL, 10);
		else if (strncmp(line, "Anonymous:", 10) == 0)
			l->anon_kb = strtoull(colon + 1, NULL, 10);
		else if (strncmp(line, "Swap:", 5) == 0)
			l->swap_kb = strtoull(colon + 1, NULL, 10);
		else if (strncmp(line, "ProtectionKey:", 14) == 0)
			l->pkey = strtoull(colon + 1, NULL, 10);
	}
	*pos = (size_t)(s - text) + (*s == '\n');
	return 1;
}

static bool path_is(const struct vma_line *l, const char *s)
{
	return l->path_len == strlen(s) && memcmp(l->path, s, l->path_len) == 0;
}

static bool path_ends(const struct vma_line *l, const char *s)
{
	size_t n = strlen(s);
	return l->path_len >= n && memcmp(l->path + l->path_len - n, s, n) == 0;
}

/* The files[] index of a mapped file, added if new. */
static int mapped_file(struct tree *t, const char *path, const struct stat *st, bool write,
		       uint32_t *ret)
{
	struct s3img_proc_image *img = t->img;
	struct s3img_proc_file *f;
	struct file_rep *rp;

	for (size_t i = 0; i < img->nfiles; i++) {
		f = &img->files[i];
		if ((f->flags & S3IMG_FILE_MAPPED) && f->dev == st->st_dev && f->ino == st->st_ino) {
			if (write)
				f->open_flags = O_RDWR;
			*ret = (uint32_t)i;
			return 0;
		}
	}
	f = realloc(img->files, (img->nfiles + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	img->files = f;
	rp = realloc(t->reps, (img->nfiles + 1) * sizeof(*rp));
	if (!rp)
		return -ENOMEM;
	t->reps = rp;
	t->reps[img->nfiles] = (struct file_rep){ 0 };
	f = &img->files[img->nfiles];
	*f = (struct s3img_proc_file){
		.kind = S3IMG_FILE_REG, .flags = S3IMG_FILE_MAPPED, .open_flags = write ? O_RDWR : O_RDONLY,
		.mode = st->st_mode, .dev = st->st_dev, .ino = st->st_ino, .size = (uint64_t)st->st_size,
		.mtime_sec = st->st_mtim.tv_sec, .mtime_nsec = (uint32_t)st->st_mtim.tv_nsec,
		.ctime_sec = st->st_ctim.tv_sec, .ctime_nsec = (uint32_t)st->st_ctim.tv_nsec,
		.pipe = S3IMG_PROC_NO_INDEX, .path = strdup(path),
	};
	if (!f->path)
		return -ENOMEM;
	*ret = (uint32_t)img->nfiles++;
	t->nreps = img->nfiles;
	return 0;
}

static int classify_file_vma(struct tree *t, pid_t pid, const struct vma_line *l, bool record,
			     struct s3img_proc_vma *v, struct s3img_diag *diag)
{
	_cleanup_free_ char *path = NULL;
	struct stat st, now;
	char mf[96];
	int r;

	if (path_ends(l, " (deleted)")) {
		if (strncmp(l->path, "/SYSV", 5) == 0)
			return unsupported(diag, pid, "mapping %" PRIx64 "-%" PRIx64 " is SysV shared memory: not supported",
					   l->start, l->end);
		if (strncmp(l->path, "/dev/zero ", 10) == 0 && l->perms[3] == 's') {
			v->kind = S3IMG_VMA_ANON_SHARED;
			v->shmem_id = l->inode;
			return 0;
		}
		return unsupported(diag, pid, "mapping %" PRIx64 "-%" PRIx64 " is of the deleted file '%.*s': not supported",
				   l->start, l->end, (int)(l->path_len - 10), l->path);
	}
	snprintf(mf, sizeof(mf), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, pid, l->start, l->end);
	r = readlinkf(&path, "%s", mf);
	if (r == 0 && stat(mf, &st) < 0)
		r = -errno;
	if (r == -ENOENT && !record)
		return 0; /* unmapped meanwhile */
	if (r < 0)
		return fail(diag, r, "pid %d: cannot read mapping %" PRIx64 "-%" PRIx64 ": %s", pid, l->start,
			    l->end, strerror(-r));
	if (!S_ISREG(st.st_mode))
		return unsupported(diag, pid, "mapping %" PRIx64 "-%" PRIx64 " is of the device '%s': not supported",
				   l->start, l->end, path);
	if (st.st_nlink == 0 || stat(path, &now) < 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino)
		return unsupported(diag, pid, "mapping %" PRIx64 "-%" PRIx64 ": '%s' was deleted or replaced: not supported",
				   l->start, l->end, path);
	v->kind = l->perms[3] == 's' ? S3IMG_VMA_FILE_SHARED : S3IMG_VMA_FILE_PRIVATE;
	if (!record)
		return 0;
	return mapped_file(t, path, &st, v->kind == S3IMG_VMA_FILE_SHARED && (l->vmflags & S3IMG_VMA_MAYWRITE),
			   &v->file);
}

static int classify_vma(struct tree *t, pid_t pid, const struct vma_line *l, bool record,
			struct s3img_proc_vma *v, struct s3img_diag *diag)
{
	static const struct {
		const char *name;
		uint32_t kind, flags;
	} special[] = {
		{ "[heap]", S3IMG_VMA_ANON_PRIVATE, S3IMG_VMA_HEAP },
		{ "[stack]", S3IMG_VMA_ANON_PRIVATE, S3IMG_VMA_STACK },
		{ "[vdso]", S3IMG_VMA_VDSO, 0 },
		{ "[vvar]", S3IMG_VMA_VVAR, 0 },
		{ "[vvar_vclock]", S3IMG_VMA_VVAR_VCLOCK, 0 },
		{ "[vsyscall]", S3IMG_VMA_VSYSCALL, 0 },
	};

	*v = (struct s3img_proc_vma){
		.start = l->start, .end = l->end, .pgoff = l->pgoff, .flags = l->vmflags,
		.file = S3IMG_PROC_NO_INDEX,
		.prot = (l->perms[0] == 'r' ? PROT_READ : 0) | (l->perms[1] == 'w' ? PROT_WRITE : 0) |
			(l->perms[2] == 'x' ? PROT_EXEC : 0),
	};
	for (size_t i = 0; i < ARRAY_SIZE(special); i++)
		if (path_is(l, special[i].name)) {
			v->kind = special[i].kind;
			v->flags |= special[i].flags;
			return 0;
		}
	if (l->refuse_hugetlb || l->kernel_page_kb > 4)
		return unsupported(diag, pid, "mapping %" PRIx64 "-%" PRIx64 " uses huge pages (hugetlbfs): not supported",
				   l->start, l->end);
	if (l->refuse_io)
		return unsupported(diag, pid, "mapping %" PRIx64 "-%" PRIx64 " maps device memory: not supported",
				   l->start, l->end);
	if (l->refuse_shstk)
		return unsupported(diag, pid, "mapping %" PRIx64 "-%" PRIx64 " is a shadow stack: not supported",
				   l->start, l->end);
	if (l->pkey)
		return unsupported(diag, pid, "mapping %" PRIx64 "-%" PRIx64 " uses memory protection key %" PRIu64 ": not supported",
				   l->start, l->end, l->pkey);
	if (l->refuse_uffd)
		return unsupported(diag, pid, "mapping %" PRIx64 "-%" PRIx64 " is registered with userfaultfd: not supported",
				   l->start, l->end);
	if (l->path_len == 0 || (l->path[0] == '[' && strncmp(l->path, "[anon", 5) == 0)) {
		bool shared = l->perms[3] == 's';
		if (shared && strncmp(l->path, "[anon_shmem:", 12) != 0)
			return unsupported(diag, pid, "mapping %" PRIx64 "-%" PRIx64 " is a shared mapping of unknown kind",
					   l->start, l->end);
		v->kind = shared ? S3IMG_VMA_ANON_SHARED : S3IMG_VMA_ANON_PRIVATE;
		v->shmem_id = shared ? l->inode : 0;
		if (l->path_len && record) {
			v->name = strndup(l->path, l->path_len);
			if (!v->name)
				return -ENOMEM;
		}
		return 0;
	}
	if (l->path[0] != '/')
		return unsupported(diag, pid, "mapping %" PRIx64 "-%" PRIx64 " '%.*s': not supported", l->start,
				   l->end, (int)l->path_len, l->path);
	return classify_file_vma(t, pid, l, record, v, diag);
}

static int scan_vmas(struct tree *t, size_t pi, struct proc *p, bool record, struct s3img_diag *diag)
{
	struct s3img_proc_process *m = record ? &t->img->procs[pi] : NULL;
	_cleanup_free_ char *smaps = NULL;
	struct vma_line l;
	size_t pos = 0, cap = 0;
	int r;

	if (p->zombie)
		return 0;
	r = read_textf(&smaps, NULL, "/proc/%d/smaps", p->pid);
	if (r < 0)
		return fail(diag, r, "pid %d: cannot read its memory map: %s", p->pid, strerror(-r));
	while ((r = next_vma(smaps, &pos, &l)) > 0) {
		struct s3img_proc_vma v;

		r = classify_vma(t, p->pid, &l, record, &v, diag);
		if (r < 0) {
			free(v.name);
			return r;
		}
		if (!record)
			continue;
		if (m->nvmas == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct s3img_proc_vma *a = realloc(m->vmas, ncap * sizeof(*a));
			uint8_t *sk;

			if (a)
				m->vmas = a;
			sk = a ? realloc(p->vma_scan, ncap) : NULL;
			if (!sk) {
				free(v.name);
				return -ENOMEM;
			}
			p->vma_scan = sk;
			cap = ncap;
		}
		/* Nothing resident or swapped (anonymous copies, for a file
		 * mapping): no need to walk its pagemap. */
		p->vma_scan[m->nvmas] = (v.kind == S3IMG_VMA_FILE_PRIVATE ? l.anon_kb : l.rss_kb) + l.swap_kb > 0;
		m->vmas[m->nvmas++] = v;
	}
	if (r < 0)
		return fail(diag, r, "pid %d: cannot parse its memory map", p->pid);
	if (record && m->mm.exe) {
		/* The executable is one of the mapped files. */
		struct stat st;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/exe", p->pid);
		if (stat(path, &st) == 0)
			for (size_t i = 0; i < t->img->nfiles; i++)
				if ((t->img->files[i].flags & S3IMG_FILE_MAPPED) &&
				    t->img->files[i].dev == st.st_dev && t->img->files[i].ino == st.st_ino)
					m->mm.exe_file = (uint32_t)i;
	}
	return 0;
}

int check_vmas(struct tree *t, struct proc *p, struct s3img_diag *diag)
{
	return scan_vmas(t, 0, p, false, diag);
}

int collect_vmas(struct tree *t, size_t i, struct s3img_diag *diag)
{
	return scan_vmas(t, i, &t->procs[i], true, diag);
}

/* ---- the pages ------------------------------------------------------------ */

struct dumper {
	struct s3img_proc_writer *w;
	struct proc *p;
	uint8_t *buf;
	uint64_t bytes;
	size_t run_cap;
	struct s3img_diag *diag;
};

static bool page_zero(const uint8_t *page)
{
	const uint64_t *q = (const uint64_t *)page;
	for (size_t i = 0; i < PAGE_SZ / 8; i++)
		if (q[i])
			return false;
	return true;
}

static int add_run(struct dumper *d, struct s3img_proc_vma *v, uint64_t vaddr, uint64_t len,
		   uint64_t offset)
{
	struct s3img_proc_run *last = v->nruns ? &v->runs[v->nruns - 1] : NULL;

	if (last && last->vaddr + last->len == vaddr && last->offset + last->len == offset) {
		last->len += len;
		return 0;
	}
	if (v->nruns == d->run_cap) {
		size_t cap = d->run_cap ? d->run_cap * 2 : 16;
		struct s3img_proc_run *a = realloc(v->runs, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		v->runs = a;
		d->run_cap = cap;
	}
	v->runs[v->nruns++] = (struct s3img_proc_run){ vaddr, len, offset };
	return 0;
}

/* Write the n pieces of iov (at run_vaddr) to the image, as runs of v. */
static int flush_runs(struct dumper *d, struct s3img_proc_vma *v, const struct iovec *iov,
		      const uint64_t *run_vaddr, size_t n)
{
	uint64_t base;
	int r = s3img_proc_writer_data(d->w, iov, n, &base);

	if (r < 0)
		return fail(d->diag, r, "cannot write the image: %s", strerror(-r));
	for (size_t k = 0; k < n; k++) {
		r = add_run(d, v, run_vaddr[k], iov[k].iov_len, base);
		if (r < 0)
			return r;
		base += iov[k].iov_len;
		d->bytes += iov[k].iov_len;
	}
	return 0;
}

/* Store the pages of buf (read from vaddr): all of them, or the non-zero. */
static int store_pages(struct dumper *d, struct s3img_proc_vma *v, uint64_t vaddr, size_t len,
		       bool skip_zero)
{
	struct iovec iov[256];
	uint64_t run_vaddr[256];
	size_t n = 0;
	int r;

	for (size_t off = 0; off < len;) {
		size_t end;

		if (skip_zero && page_zero(d->buf + off)) {
			off += PAGE_SZ;
			continue;
		}
		for (end = off + PAGE_SZ; end < len && !(skip_zero && page_zero(d->buf + end)); end += PAGE_SZ)
			;
		iov[n] = (struct iovec){ d->buf + off, end - off };
		run_vaddr[n++] = vaddr + off;
		off = end;
		if (n == ARRAY_SIZE(iov)) {
			if ((r = flush_runs(d, v, iov, run_vaddr, n)) < 0)
				return r;
			n = 0;
		}
	}
	/* What is left, also when the buffer ends in zero pages. */
	return n ? flush_runs(d, v, iov, run_vaddr, n) : 0;
}

static int read_process(struct proc *p, uint8_t *buf, uint64_t vaddr, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct iovec local = { buf + done, len - done };
		struct iovec remote = { (void *)(uintptr_t)(vaddr + done), len - done };
		ssize_t n = process_vm_readv(p->pid, &local, 1, &remote, 1, 0);

		if (n <= 0) {
			/* PROT_NONE or otherwise unreadable by GUP: /proc/PID/mem forces. */
			n = pread(p->mem_fd, buf + done, len - done, (off_t)(vaddr + done));
			if (n <= 0)
				return n < 0 ? -errno : -EIO;
		}
		done += (size_t)n;
	}
	return 0;
}

static int dump_range(struct dumper *d, struct s3img_proc_vma *v, uint64_t vaddr, uint64_t len,
		      bool skip_zero)
{
	while (len > 0) {
		size_t n = len < CHUNK ? (size_t)len : CHUNK;
		int r = read_process(d->p, d->buf, vaddr, n);

		if (r < 0)
			return fail(d->diag, r, "pid %d: cannot read its memory at %#" PRIx64 ": %s", d->p->pid,
				    vaddr, strerror(-r));
		r = store_pages(d, v, vaddr, n, skip_zero);
		if (r < 0)
			return r;
		vaddr += n;
		len -= n;
	}
	return 0;
}

static bool wanted(const struct s3img_proc_vma *v, uint64_t pm)
{
	if (v->kind == S3IMG_VMA_ANON_PRIVATE)
		return pm & (PM_PRESENT | PM_SWAP);
	/* In a private file mapping, an anonymous page is a private copy. */
	return ((pm & PM_PRESENT) && !(pm & PM_FILE)) || (pm & PM_SWAP);
}

/* The first page of a mapped ELF file, kept as debuggers find modules by
 * it in a core (the kernel dumps it too, coredump_filter bit 4). */
static bool elf_header_page(struct dumper *d, const struct s3img_proc_vma *v)
{
	uint8_t magic[4];
	struct iovec local = { magic, sizeof(magic) };
	struct iovec remote = { (void *)(uintptr_t)v->start, sizeof(magic) };

	if (v->kind != S3IMG_VMA_FILE_PRIVATE || v->pgoff != 0 || !(v->prot & PROT_READ))
		return false;
	return process_vm_readv(d->p->pid, &local, 1, &remote, 1, 0) == sizeof(magic) &&
	       memcmp(magic, "\177ELF", 4) == 0;
}

static int dump_by_pagemap(struct dumper *d, int pm_fd, struct s3img_proc_vma *v, bool scan)
{
	uint64_t pm[PM_BATCH];
	uint64_t run_start = 0, run_len = 0;
	bool skip_zero = v->kind == S3IMG_VMA_ANON_PRIVATE, header = elf_header_page(d, v);
	int r;

	if (!scan)
		return header ? dump_range(d, v, v->start, PAGE_SZ, false) : 0;

	for (uint64_t a = v->start; a < v->end; a += PM_BATCH * (uint64_t)PAGE_SZ) {
		uint64_t npages = (v->end - a) / PAGE_SZ < PM_BATCH ? (v->end - a) / PAGE_SZ : PM_BATCH;
		ssize_t k = pread(pm_fd, pm, npages * 8, (off_t)(a / PAGE_SZ * 8));

		if (k != (ssize_t)(npages * 8))
			return fail(d->diag, k < 0 ? -errno : -EIO, "pid %d: cannot read its pagemap", d->p->pid);
		for (uint64_t i = 0; i < npages; i++) {
			if (wanted(v, pm[i]) || (header && a == v->start && i == 0)) {
				if (!run_len)
					run_start = a + i * PAGE_SZ;
				run_len += PAGE_SZ;
				if (run_len < CHUNK)
					continue;
			} else if (!run_len) {
				continue;
			}
			r = dump_range(d, v, run_start, run_len, skip_zero);
			if (r < 0)
				return r;
			run_len = 0;
		}
	}
	return run_len ? dump_range(d, v, run_start, run_len, skip_zero) : 0;
}

/* Shared anonymous memory: its shmem file's data, holes skipped. */
static int dump_shmem(struct dumper *d, struct s3img_proc_vma *v)
{
	_cleanup_close_ int fd = -1;
	char path[96];
	uint64_t base = v->pgoff, end = v->pgoff + (v->end - v->start);
	off_t pos;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, d->p->pid, v->start, v->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dump_range(d, v, v->start, v->end - v->start, true);
	for (pos = (off_t)base; (uint64_t)pos < end;) {
		off_t data = lseek(fd, pos, SEEK_DATA), hole;
		if (data < 0 || (uint64_t)data >= end)
			break;
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole > end)
			hole = (off_t)end;
		data &= ~(off_t)(PAGE_SZ - 1);
		while (data < hole) {
			size_t n = (uint64_t)(hole - data) < CHUNK ? (size_t)(hole - data) : CHUNK;
			ssize_t k;
			int r;

			n = (n + PAGE_SZ - 1) & ~(size_t)(PAGE_SZ - 1);
			if ((uint64_t)data + n > end)
				n = (size_t)(end - (uint64_t)data);
			k = pread(fd, d->buf, n, data);
			if (k < 0)
				return fail(d->diag, -errno, "pid %d: cannot read its shared memory: %m", d->p->pid);
			memset(d->buf + k, 0, n - (size_t)k);
			r = store_pages(d, v, v->start + ((uint64_t)data - base), n, true);
			if (r < 0)
				return r;
			data += (off_t)n;
		}
		pos = hole;
	}
	return 0;
}

int dump_memory(struct tree *t, size_t i, struct s3img_proc_writer *w, uint64_t *ret_bytes,
		struct s3img_diag *diag)
{
	struct s3img_proc_process *m = &t->img->procs[i];
	struct dumper d = { .w = w, .p = &t->procs[i], .diag = diag };
	_cleanup_close_ int pm_fd = -1;
	char path[64];
	int r = 0;

	if (d.p->zombie)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", d.p->pid);
	pm_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pm_fd < 0)
		return fail(diag, -errno, "pid %d: cannot open its pagemap: %m", d.p->pid);
	d.buf = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d.buf == MAP_FAILED)
		return -ENOMEM;
	for (size_t k = 0; r == 0 && k < m->nvmas; k++) {
		struct s3img_proc_vma *v = &m->vmas[k];

		d.run_cap = 0;
		switch (v->kind) {
		case S3IMG_VMA_ANON_PRIVATE:
		case S3IMG_VMA_FILE_PRIVATE:
			r = dump_by_pagemap(&d, pm_fd, v, d.p->vma_scan && d.p->vma_scan[k]);
			break;
		case S3IMG_VMA_ANON_SHARED:
			r = dump_shmem(&d, v);
			break;
		case S3IMG_VMA_VDSO:
			r = dump_range(&d, v, v->start, v->end - v->start, false);
			break;
		default:
			break; /* the file, or the kernel, holds it */
		}
		if (r == 0 && suspend_interrupted())
			r = fail(diag, -EINTR, "interrupted");
	}
	munmap(d.buf, CHUNK);
	*ret_bytes += d.bytes;
	return r;
}
