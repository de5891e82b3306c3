/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a suspend image: ELF header, program headers, one note segment
 * per process, decoded into the model and checked like the writer checks
 * it. Memory is read back through the VMAs' runs. No I/O but through the
 * source (s3img_proc_open opens and maps the file). */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "proc_image.h"

struct s3img_proc {
	const struct s3img_source *src;
	struct s3img_source own;     /* when opened by path */
	int fd;
	void *map;
	struct s3img_proc_image *img;
};

static bool name_is(const struct s3img_note *n, const char *name)
{
	size_t l = strlen(name);
	return n->namesz == l + 1 && memcmp(n->name, name, l + 1) == 0;
}

static int read_ehdr(const struct s3img_source *src, Elf64_Ehdr *eh, struct s3img_diag *diag)
{
	int r = source_read(src, eh, sizeof(*eh), 0, diag, "ELF header");

	if (r < 0)
		return r;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_CORE)
		return diag_err(diag, -EPROTONOSUPPORT, 0, "not a 64-bit little-endian ELF core");
	if (eh->e_machine != EM_X86_64)
		return diag_err(diag, -EPROTONOSUPPORT, offsetof(Elf64_Ehdr, e_machine),
				"machine %u is not supported (x86_64 only)", eh->e_machine);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return diag_bad(diag, offsetof(Elf64_Ehdr, e_phentsize), "e_phentsize is %u",
				eh->e_phentsize);
	return 0;
}

static int read_phnum(const struct s3img_source *src, const Elf64_Ehdr *eh, uint64_t *ret,
		      struct s3img_diag *diag)
{
	Elf64_Shdr sh;
	uint64_t n = eh->e_phnum;
	int r;

	if (n == PN_XNUM) {
		if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr))
			return diag_bad(diag, offsetof(Elf64_Ehdr, e_phnum),
					"e_phnum is PN_XNUM but there is no section header 0");
		r = source_read(src, &sh, sizeof(sh), eh->e_shoff, diag, "section header 0");
		if (r < 0)
			return r;
		n = sh.sh_info;
	}
	if (n == 0 || n > S3_MAX_PHNUM || !range_ok(eh->e_phoff, n * sizeof(Elf64_Phdr), src->size))
		return diag_bad(diag, offsetof(Elf64_Ehdr, e_phoff),
				"%" PRIu64 " program headers at %#" PRIx64 " do not fit in the file", n,
				(uint64_t)eh->e_phoff);
	*ret = n;
	return 0;
}

_public_ int s3img_proc_probe(const struct s3img_source *src)
{
	uint8_t nh[12 + 12 + S3_MAGIC_LEN];
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (src->size < sizeof(eh) || read_ehdr(src, &eh, NULL) < 0)
		return 0;
	if (eh.e_phnum == 0 || !range_ok(eh.e_phoff, sizeof(ph), src->size) ||
	    source_read(src, &ph, sizeof(ph), eh.e_phoff, NULL, "") < 0)
		return 0;
	if (ph.p_type != PT_NOTE || ph.p_filesz < sizeof(nh) ||
	    !range_ok(ph.p_offset, sizeof(nh), src->size) ||
	    source_read(src, nh, sizeof(nh), ph.p_offset, NULL, "") < 0)
		return 0;
	return get_le32(nh) == sizeof(S3_NOTE_NAME) && get_le32(nh + 8) == S3_NT_HEADER &&
	       memcmp(nh + 12, S3_NOTE_NAME, sizeof(S3_NOTE_NAME)) == 0 &&
	       memcmp(nh + 24, S3_MAGIC, S3_MAGIC_LEN) == 0;
}

/* ---- note segments ------------------------------------------------------ */

struct segment {
	uint64_t off, len;
	const uint8_t *data;
	uint8_t *owned;
};

static int segment_load(const struct s3img_source *src, struct segment *s, struct s3img_diag *diag)
{
	if (s->len > S3_MAX_NOTES_SEGMENT)
		return diag_bad(diag, s->off, "note segment of %" PRIu64 " bytes is larger than %u", s->len,
				S3_MAX_NOTES_SEGMENT);
	if (!range_ok(s->off, s->len, src->size))
		return diag_bad(diag, s->off, "note segment runs past the end of the file");
	if (src->map) {
		s->data = (const uint8_t *)src->map + s->off;
		return 0;
	}
	s->owned = malloc(s->len ? s->len : 1);
	if (!s->owned)
		return -ENOMEM;
	s->data = s->owned;
	return source_read(src, s->owned, s->len, s->off, diag, "note segment");
}

/* Grow an array of elem-sized entries to hold n + 1. */
static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t c;

	if (n < *cap)
		return arr;
	if (n >= S3_MAX_COUNT)
		return NULL;
	c = *cap ? *cap * 2 : 8;
	p = realloc(arr, c * elem);
	if (!p)
		return NULL;
	memset((uint8_t *)p + *cap * elem, 0, (c - *cap) * elem);
	*cap = c;
	return p;
}

struct proc_parse {
	struct s3img_proc_process *p;
	size_t thread_cap, vma_cap;
	bool have_process;
	uint8_t *thread_done;   /* per thread: its S3 thread note was seen */
	size_t done_cap;
	int32_t *prpid;         /* pr_pid of each PRSTATUS */
	size_t prpid_cap;
};

static int parse_std_note(struct proc_parse *pp, const struct s3img_note *n, uint64_t off,
			  struct s3img_diag *diag)
{
	struct s3img_proc_process *p = pp->p;
	struct s3img_proc_thread *t = p->nthreads ? &p->threads[p->nthreads - 1] : NULL;

	if (!pp->have_process)
		return diag_bad(diag, off, "core note before the process note");
	if (name_is(n, "CORE") && n->type == NT_PRSTATUS) {
		void *a;
		if (n->descsz != PRSTATUS_SIZE)
			return diag_bad(diag, off, "NT_PRSTATUS of %u bytes, expected %u", n->descsz, PRSTATUS_SIZE);
		a = grow(p->threads, &pp->thread_cap, p->nthreads, sizeof(*p->threads));
		if (!a)
			return -ENOMEM;
		p->threads = a;
		a = grow(pp->prpid, &pp->prpid_cap, p->nthreads, sizeof(*pp->prpid));
		if (!a)
			return -ENOMEM;
		pp->prpid = a;
		a = grow(pp->thread_done, &pp->done_cap, p->nthreads, 1);
		if (!a)
			return -ENOMEM;
		pp->thread_done = a;
		t = &p->threads[p->nthreads];
		memcpy(t->regs, (const uint8_t *)n->desc + PRSTATUS_REG_OFF, sizeof(t->regs));
		pp->prpid[p->nthreads] = (int32_t)get_le32((const uint8_t *)n->desc + 32);
		p->nthreads++;
		return 0;
	}
	if (name_is(n, "CORE") && n->type == NT_FPREGSET) {
		if (!t || n->descsz != FPREGS_SIZE)
			return diag_bad(diag, off, "NT_FPREGSET before NT_PRSTATUS or of %u bytes", n->descsz);
		memcpy(t->fpregs, n->desc, FPREGS_SIZE);
		return 0;
	}
	if (name_is(n, "LINUX") && n->type == NT_X86_XSTATE) {
		if (!t || t->xstate || n->descsz > XSTATE_MAX || n->descsz < FPREGS_SIZE + 64)
			return diag_bad(diag, off, "NT_X86_XSTATE misplaced, repeated or of %u bytes", n->descsz);
		t->xstate = malloc(n->descsz);
		if (!t->xstate)
			return -ENOMEM;
		memcpy(t->xstate, n->desc, n->descsz);
		t->xstate_len = n->descsz;
		return 0;
	}
	if (name_is(n, "CORE") && n->type == NT_AUXV) {
		if (p->mm.auxv || n->descsz % 16 || n->descsz > 1024 * 8)
			return diag_bad(diag, off, "NT_AUXV repeated or of %u bytes", n->descsz);
		p->mm.auxv = malloc(n->descsz ? n->descsz : 1);
		if (!p->mm.auxv)
			return -ENOMEM;
		memcpy(p->mm.auxv, n->desc, n->descsz);
		p->mm.nauxv = n->descsz / 8;
		return 0;
	}
	/* PRPSINFO, SIGINFO and FILE are derived from the rest. */
	return 0;
}

static int parse_s3_note(struct proc_parse *pp, const struct s3img_note *n, uint64_t off,
			 struct s3img_diag *diag)
{
	struct s3img_proc_process *p = pp->p;
	size_t ti;
	void *a;
	int r;

	switch (n->type) {
	case S3_NT_PROCESS:
		if (pp->have_process)
			return diag_bad(diag, off, "two process notes in one segment");
		pp->have_process = true;
		return record_decode(&process_rec, n->desc, n->descsz, p, off, diag);
	case S3_NT_THREAD:
		if (!p->nthreads || pp->thread_done[p->nthreads - 1])
			return diag_bad(diag, off, "thread note without its NT_PRSTATUS");
		ti = p->nthreads - 1;
		pp->thread_done[ti] = 1;
		r = record_decode(&thread_rec, n->desc, n->descsz, &p->threads[ti], off, diag);
		if (r < 0)
			return r;
		if (p->threads[ti].tid[0] != pp->prpid[ti])
			return diag_bad(diag, off, "thread note TID %d differs from its NT_PRSTATUS pr_pid %d",
					p->threads[ti].tid[0], pp->prpid[ti]);
		return 0;
	case S3_NT_VMA:
		if (!pp->have_process)
			return diag_bad(diag, off, "VMA note before the process note");
		a = grow(p->vmas, &pp->vma_cap, p->nvmas, sizeof(*p->vmas));
		if (!a)
			return -ENOMEM;
		p->vmas = a;
		p->nvmas++;
		return record_decode(&vma_rec, n->desc, n->descsz, &p->vmas[p->nvmas - 1], off, diag);
	case S3_NT_HEADER:
	case S3_NT_PIDNS:
	case S3_NT_PIPE:
	case S3_NT_FILE:
		return diag_bad(diag, off, "global note inside a process's notes");
	default:
		return 0; /* a later version's note: skipped */
	}
}

/* Notes of one process, from pos in its segment. */
static int parse_process(const struct segment *s, size_t pos, struct s3img_proc_process *p,
			 size_t index, struct s3img_diag *diag)
{
	struct proc_parse pp = { .p = p };
	struct s3img_note n;
	int r;

	while ((r = s3img_note_next(s->data, s->len, &pos, &n)) > 0) {
		uint64_t off = s->off + n.offset;

		if (name_is(&n, S3_NOTE_NAME))
			r = parse_s3_note(&pp, &n, off, diag);
		else
			r = parse_std_note(&pp, &n, off, diag);
		if (r < 0)
			goto out;
	}
	if (r < 0) {
		r = diag_bad(diag, s->off + pos, "malformed note");
		goto out;
	}
	r = 0;
	if (!pp.have_process)
		r = diag_bad(diag, s->off, "note segment of process %zu has no process note", index);
	for (size_t i = 0; r == 0 && i < p->nthreads; i++)
		if (!pp.thread_done[i])
			r = diag_bad(diag, s->off, "process %zu: thread %zu has no thread note", index, i);
	if (r == 0 && p->state == S3IMG_PROC_ZOMBIE && (p->nthreads || p->nvmas))
		r = diag_bad(diag, s->off, "process %zu: a zombie with threads or memory", index);
out:
	free(pp.thread_done);
	free(pp.prpid);
	return r;
}

/* The header and global notes at the start of segment 0; *pos is left at
 * the first note of process 0. */
static int parse_global(const struct segment *s, size_t *pos, struct s3img_proc_image *img,
			size_t nsegs, struct s3img_diag *diag)
{
	struct proc_header_rec h = { 0 };
	struct s3img_note n;
	size_t nns = 0, npipes = 0, nfiles = 0, prev;
	const uint8_t *d;
	int r;

	r = s3img_note_next(s->data, s->len, pos, &n);
	if (r <= 0 || !name_is(&n, S3_NOTE_NAME) || n.type != S3_NT_HEADER || n.descsz < S3_HEADER_FIXED)
		return diag_bad(diag, s->off, "the first note is not a suspend3 header");
	d = n.desc;
	if (memcmp(d, S3_MAGIC, S3_MAGIC_LEN) != 0)
		return diag_bad(diag, s->off + n.offset, "bad suspend image magic");
	img->version_major = get_le32(d + 8);
	img->version_minor = get_le32(d + 12);
	if (img->version_major != S3IMG_PROC_VERSION_MAJOR)
		return diag_err(diag, -EPROTONOSUPPORT, s->off + n.offset,
				"suspend image version %u.%u is not supported (this reads %u.x)",
				img->version_major, img->version_minor, S3IMG_PROC_VERSION_MAJOR);
	r = record_decode(&header_rec, d + S3_HEADER_FIXED, n.descsz - S3_HEADER_FIXED, &h,
			  s->off + n.offset, diag);
	if (r < 0)
		return r;
	if (h.e_machine != EM_X86_64)
		return diag_err(diag, -EPROTONOSUPPORT, s->off + n.offset, "machine %u is not supported",
				h.e_machine);
	if (h.nprocs != nsegs || h.nfiles > S3_MAX_COUNT || h.npipes > S3_MAX_COUNT ||
	    h.npidns > S3_MAX_COUNT)
		return diag_bad(diag, s->off + n.offset,
				"header counts (%" PRIu64 " processes) do not match %zu note segments",
				h.nprocs, nsegs);
	img->flags = h.flags;
	img->page_size = h.page_size;
	img->time = h.time;
	memcpy(img->release, h.release, sizeof(h.release) - 1);
	memcpy(img->machine, h.machine, sizeof(h.machine) - 1);
	memcpy(img->nodename, h.nodename, sizeof(h.nodename) - 1);
	memcpy(img->boot_id, h.boot_id, sizeof(h.boot_id) - 1);
	img->procs = calloc(nsegs, sizeof(*img->procs));
	img->files = calloc(h.nfiles + 1, sizeof(*img->files));
	img->pipes = calloc(h.npipes + 1, sizeof(*img->pipes));
	img->pidns = calloc(h.npidns + 1, sizeof(*img->pidns));
	if (!img->procs || !img->files || !img->pipes || !img->pidns)
		return -ENOMEM;
	img->nprocs = nsegs;
	for (prev = *pos; (r = s3img_note_next(s->data, s->len, pos, &n)) > 0; prev = *pos) {
		uint64_t off = s->off + n.offset;

		if (name_is(&n, S3_NOTE_NAME) && n.type == S3_NT_PROCESS) {
			*pos = prev;
			break;
		}
		if (!name_is(&n, S3_NOTE_NAME))
			return diag_bad(diag, off, "core note before the process note");
		if (n.type == S3_NT_PIDNS) {
			if (nns >= h.npidns)
				return diag_bad(diag, off, "more namespace notes than the header says");
			img->npidns = ++nns;
			r = record_decode(&pidns_rec, n.desc, n.descsz, &img->pidns[nns - 1], off, diag);
		} else if (n.type == S3_NT_PIPE) {
			if (npipes >= h.npipes)
				return diag_bad(diag, off, "more pipe notes than the header says");
			img->npipes = ++npipes;
			r = record_decode(&pipe_rec, n.desc, n.descsz, &img->pipes[npipes - 1], off, diag);
		} else if (n.type == S3_NT_FILE) {
			if (nfiles >= h.nfiles)
				return diag_bad(diag, off, "more file notes than the header says");
			img->nfiles = ++nfiles;
			r = record_decode(&file_rec, n.desc, n.descsz, &img->files[nfiles - 1], off, diag);
		} else if (n.type == S3_NT_HEADER) {
			r = diag_bad(diag, off, "a second header note");
		}
		if (r < 0)
			return r;
	}
	if (r < 0)
		return diag_bad(diag, s->off + *pos, "malformed note");
	if (nns != h.npidns || npipes != h.npipes || nfiles != h.nfiles)
		return diag_bad(diag, s->off, "fewer namespace, pipe or file notes than the header says");
	return 0;
}

static int load_segments(const struct s3img_source *src, const Elf64_Ehdr *eh, uint64_t phnum,
			 struct segment **ret, size_t *ret_n, struct s3img_diag *diag)
{
	struct segment *segs = NULL;
	size_t n = 0, cap = 0;
	Elf64_Phdr ph[256];
	int r;

	for (uint64_t i = 0; i < phnum; i += ARRAY_SIZE(ph)) {
		size_t k = phnum - i < ARRAY_SIZE(ph) ? (size_t)(phnum - i) : ARRAY_SIZE(ph);
		uint64_t off = eh->e_phoff + i * sizeof(Elf64_Phdr);

		r = source_read(src, ph, k * sizeof(Elf64_Phdr), off, diag, "program headers");
		if (r < 0)
			goto fail;
		for (size_t j = 0; j < k; j++) {
			bool first = i + j == 0;
			void *a;

			if (first != (ph[j].p_type == PT_NOTE)) {
				r = diag_bad(diag, off + j * sizeof(Elf64_Phdr),
					     "the first program header, and only it, must be PT_NOTE");
				goto fail;
			}
			if (!first && ph[j].p_type != PT_SUSPEND3_NOTE)
				continue;
			a = grow(segs, &cap, n, sizeof(*segs));
			if (!a) {
				r = -ENOMEM;
				goto fail;
			}
			segs = a;
			segs[n++] = (struct segment){ .off = ph[j].p_offset, .len = ph[j].p_filesz };
			r = segment_load(src, &segs[n - 1], diag);
			if (r < 0)
				goto fail;
		}
	}
	*ret = segs;
	*ret_n = n;
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		free(segs[i].owned);
	free(segs);
	return r;
}

static int proc_parse(const struct s3img_source *src, struct s3img_proc_image **ret,
		      struct s3img_diag *diag)
{
	struct s3img_proc_image *img;
	struct segment *segs = NULL;
	size_t nsegs = 0, pos = 0;
	uint64_t phnum = 0;
	Elf64_Ehdr eh;
	int r;

	r = read_ehdr(src, &eh, diag);
	if (r < 0)
		return r;
	r = read_phnum(src, &eh, &phnum, diag);
	if (r < 0)
		return r;
	r = load_segments(src, &eh, phnum, &segs, &nsegs, diag);
	if (r < 0)
		return r;
	img = calloc(1, sizeof(*img));
	if (!img) {
		r = -ENOMEM;
		goto out;
	}
	r = parse_global(&segs[0], &pos, img, nsegs, diag);
	for (size_t i = 0; r == 0 && i < nsegs; i++)
		r = parse_process(&segs[i], i ? 0 : pos, &img->procs[i], i, diag);
	if (r == 0)
		r = proc_model_check(img, src->size, diag);
	if (r < 0) {
		s3img_proc_image_free(img);
		goto out;
	}
	*ret = img;
out:
	for (size_t i = 0; i < nsegs; i++)
		free(segs[i].owned);
	free(segs);
	return r;
}

/* ---- handles -------------------------------------------------------------- */

_public_ int s3img_proc_open_source(const struct s3img_source *src, struct s3img_proc **ret,
				    struct s3img_diag *diag)
{
	struct s3img_proc *p;
	int r;

	if (!s3img_proc_probe(src))
		return diag_err(diag, -EPROTONOSUPPORT, 0, "not a suspend3 suspend image");
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fd = -1;
	p->src = src;
	r = proc_parse(src, &p->img, diag);
	if (r < 0) {
		free(p);
		return r;
	}
	*ret = p;
	return 0;
}

static int fd_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct s3img_proc *p = ctx;
	uint8_t *b = buf;

	while (len > 0) {
		ssize_t n = pread(p->fd, b, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EBADMSG;
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

_public_ int s3img_proc_open(const char *path, struct s3img_proc **ret, struct s3img_diag *diag)
{
	struct s3img_proc *p;
	struct stat st;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0 || fstat(p->fd, &st) < 0) {
		r = -errno;
		diag_err(diag, r, UINT64_MAX, "cannot open '%s': %s", path, strerror(-r));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		r = diag_err(diag, -EINVAL, UINT64_MAX, "'%s' is not a regular file", path);
		goto fail;
	}
	p->own = (struct s3img_source){ .pread = fd_pread, .ctx = p, .size = (uint64_t)st.st_size,
					.name = path };
	if (st.st_size > 0) {
		p->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, p->fd, 0);
		if (p->map == MAP_FAILED)
			p->map = NULL;
		p->own.map = p->map;
	}
	p->src = &p->own;
	if (!s3img_proc_probe(p->src)) {
		r = diag_err(diag, -EPROTONOSUPPORT, 0, "not a suspend3 suspend image");
		goto fail;
	}
	r = proc_parse(p->src, &p->img, diag);
	if (r < 0)
		goto fail;
	*ret = p;
	return 0;
fail:
	s3img_proc_free(p);
	return r;
}

_public_ void s3img_proc_free(struct s3img_proc *p)
{
	if (!p)
		return;
	s3img_proc_image_free(p->img);
	if (p->map)
		munmap(p->map, (size_t)p->own.size);
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

_public_ const struct s3img_proc_image *s3img_proc_get_image(const struct s3img_proc *p)
{
	return p->img;
}

/* ---- memory ------------------------------------------------------------------ */

static const struct s3img_proc_vma *vma_find(const struct s3img_proc_process *p, uint64_t addr)
{
	size_t lo = 0, hi = p->nvmas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (addr < p->vmas[mid].start)
			hi = mid;
		else if (addr >= p->vmas[mid].end)
			lo = mid + 1;
		else
			return &p->vmas[mid];
	}
	return NULL;
}

/* Index of the first run ending after addr. */
static size_t run_find(const struct s3img_proc_vma *v, uint64_t addr)
{
	size_t lo = 0, hi = v->nruns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->runs[mid].vaddr + v->runs[mid].len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

_public_ int s3img_proc_read_memory(struct s3img_proc *p, size_t proc, uint64_t vaddr, void *buf,
				    size_t len, struct s3img_diag *diag)
{
	const struct s3img_proc_process *pr;
	uint8_t *out = buf;
	int r;

	if (proc >= p->img->nprocs)
		return -EINVAL;
	pr = &p->img->procs[proc];
	while (len > 0) {
		const struct s3img_proc_vma *v = vma_find(pr, vaddr);
		size_t i, n;

		if (!v)
			return -ENXIO;
		i = run_find(v, vaddr);
		if (i < v->nruns && vaddr >= v->runs[i].vaddr) {
			const struct s3img_proc_run *run = &v->runs[i];
			n = (size_t)(run->vaddr + run->len - vaddr < len ? run->vaddr + run->len - vaddr : len);
			r = source_read(p->src, out, n, run->offset + (vaddr - run->vaddr), diag, "memory");
			if (r < 0)
				return r;
		} else {
			uint64_t next = i < v->nruns ? v->runs[i].vaddr : v->end;
			if (v->kind != S3IMG_VMA_ANON_PRIVATE && v->kind != S3IMG_VMA_ANON_SHARED)
				return -ENODATA;
			n = (size_t)(next - vaddr < len ? next - vaddr : len);
			memset(out, 0, n);
		}
		out += n;
		vaddr += n;
		len -= n;
	}
	return 0;
}

_public_ int s3img_proc_read_data(struct s3img_proc *p, uint64_t offset, void *buf, size_t len,
				  struct s3img_diag *diag)
{
	return source_read(p->src, buf, len, offset, diag, "data");
}

const struct s3img_source *proc_source(const struct s3img_proc *p)
{
	return p->src;
}
