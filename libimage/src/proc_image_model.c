/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The suspend image model: freeing, checking, and what both writers (the
 * suspend image and the standard core) derive from it: notes and the
 * segments that tile each VMA. */
#include <inttypes.h>
#include <signal.h>
#include <sys/mman.h>

#include "proc_image.h"

static void thread_free_contents(struct s3img_proc_thread *t)
{
	free(t->xstate);
	free(t->pending);
}

static void process_free_contents(struct s3img_proc_process *p)
{
	free(p->cmdline);
	free(p->cwd);
	free(p->root);
	free(p->creds.groups);
	free(p->pending);
	free(p->mm.auxv);
	free(p->mm.exe);
	for (size_t i = 0; i < p->nthreads && p->threads; i++)
		thread_free_contents(&p->threads[i]);
	free(p->threads);
	for (size_t i = 0; i < p->nvmas && p->vmas; i++) {
		free(p->vmas[i].name);
		free(p->vmas[i].runs);
	}
	free(p->vmas);
	free(p->fds);
}

_public_ void s3img_proc_image_free(struct s3img_proc_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->nprocs && img->procs; i++)
		process_free_contents(&img->procs[i]);
	free(img->procs);
	for (size_t i = 0; i < img->nfiles && img->files; i++)
		free(img->files[i].path);
	free(img->files);
	free(img->pipes);
	free(img->pidns);
	free(img);
}

/* ---- checks ----------------------------------------------------------- */

static bool page_aligned(uint64_t v)
{
	return (v & (S3_PAGE_SIZE - 1)) == 0;
}

static bool vma_is_anon(const struct s3img_proc_vma *v)
{
	return v->kind == S3IMG_VMA_ANON_PRIVATE || v->kind == S3IMG_VMA_ANON_SHARED;
}

static bool vma_is_file(const struct s3img_proc_vma *v)
{
	return v->kind == S3IMG_VMA_FILE_PRIVATE || v->kind == S3IMG_VMA_FILE_SHARED;
}

static int check_vma(const struct s3img_proc_image *img, size_t pi, size_t vi,
		     uint64_t file_size, struct s3img_diag *diag)
{
	const struct s3img_proc_vma *v = &img->procs[pi].vmas[vi];
	uint64_t prev_end = v->start;

	if (v->start >= v->end || !page_aligned(v->start) || !page_aligned(v->end) ||
	    !page_aligned(v->pgoff))
		return diag_bad(diag, UINT64_MAX, "process %zu: VMA %zu (%#" PRIx64 "-%#" PRIx64 ") is empty or not page aligned",
				pi, vi, v->start, v->end);
	if (v->kind < S3IMG_VMA_ANON_PRIVATE || v->kind > S3IMG_VMA_VSYSCALL)
		return diag_bad(diag, UINT64_MAX, "process %zu: VMA %zu has unknown kind %u", pi, vi, v->kind);
	if (v->kind == S3IMG_VMA_VSYSCALL ? v->start != S3_VSYSCALL_ADDR : v->end > S3_USER_TOP)
		return diag_bad(diag, UINT64_MAX, "process %zu: VMA %zu (%#" PRIx64 ") is outside user space",
				pi, vi, v->start);
	if (vi > 0 && v->start < img->procs[pi].vmas[vi - 1].end)
		return diag_bad(diag, UINT64_MAX, "process %zu: VMA %zu overlaps the one before or is out of order",
				pi, vi);
	if (v->prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return diag_bad(diag, UINT64_MAX, "process %zu: VMA %zu has unknown protection bits", pi, vi);
	if (vma_is_file(v) ? v->file >= img->nfiles || img->files[v->file].kind != S3IMG_FILE_REG
			   : v->file != S3IMG_PROC_NO_INDEX)
		return diag_bad(diag, UINT64_MAX, "process %zu: VMA %zu refers to a bad file index %u",
				pi, vi, v->file);
	if (v->nruns && !vma_is_anon(v) && v->kind != S3IMG_VMA_FILE_PRIVATE && v->kind != S3IMG_VMA_VDSO)
		return diag_bad(diag, UINT64_MAX, "process %zu: VMA %zu of this kind cannot have stored pages",
				pi, vi);
	for (size_t i = 0; i < v->nruns; i++) {
		const struct s3img_proc_run *run = &v->runs[i];

		if (!run->len || !page_aligned(run->vaddr) || !page_aligned(run->len) ||
		    !page_aligned(run->offset) || run->offset < S3_PAGE_SIZE ||
		    run->vaddr < prev_end || run->len > v->end - run->vaddr ||
		    !range_ok(run->offset, run->len, file_size))
			return diag_bad(diag, UINT64_MAX, "process %zu: VMA %zu: stored run %zu (%#" PRIx64 ", %#" PRIx64 " bytes at offset %#" PRIx64 ") is out of range",
					pi, vi, i, run->vaddr, run->len, run->offset);
		prev_end = run->vaddr + run->len;
	}
	return 0;
}

static int check_thread(const struct s3img_proc_process *p, size_t pi, size_t ti,
			struct s3img_diag *diag)
{
	const struct s3img_proc_thread *t = &p->threads[ti];

	for (uint32_t l = 0; l < S3IMG_PROC_MAX_LEVELS; l++)
		if ((l < p->nlevels) != (t->tid[l] > 0))
			return diag_bad(diag, UINT64_MAX, "process %zu: thread %zu has a bad TID at level %u",
					pi, ti, l);
	if (t->xstate_len > XSTATE_MAX || (t->xstate_len && t->xstate_len < FPREGS_SIZE + 64) ||
	    !t->xstate != !t->xstate_len)
		return diag_bad(diag, UINT64_MAX, "process %zu: thread %zu has an XSAVE area of %u bytes",
				pi, ti, t->xstate_len);
	return 0;
}

static int check_process(const struct s3img_proc_image *img, size_t pi, uint64_t file_size,
			 struct s3img_diag *diag)
{
	const struct s3img_proc_process *p = &img->procs[pi];
	const struct s3img_proc_pidns *ns;
	int r;

	if (pi == 0 ? p->parent != S3IMG_PROC_NO_INDEX : p->parent >= pi)
		return diag_bad(diag, UINT64_MAX, "process %zu: parent index %u does not come before it",
				pi, p->parent);
	if (pi > 0 && img->procs[p->parent].state != S3IMG_PROC_ALIVE)
		return diag_bad(diag, UINT64_MAX, "process %zu: its parent is not alive", pi);
	if (p->state != S3IMG_PROC_ALIVE && (p->state != S3IMG_PROC_ZOMBIE || pi == 0))
		return diag_bad(diag, UINT64_MAX, "process %zu: bad state %u", pi, p->state);
	if (p->nlevels < 1 || p->nlevels > S3IMG_PROC_MAX_LEVELS)
		return diag_bad(diag, UINT64_MAX, "process %zu: %u PID namespace levels", pi, p->nlevels);
	for (uint32_t l = 0; l < S3IMG_PROC_MAX_LEVELS; l++)
		if ((l < p->nlevels) != (p->pid[l] > 0) || p->pgid[l] < 0 || p->sid[l] < 0)
			return diag_bad(diag, UINT64_MAX, "process %zu: bad PID, group or session at level %u",
					pi, l);
	if (p->pidns >= img->npidns || img->pidns[p->pidns].level != p->nlevels - 1)
		return diag_bad(diag, UINT64_MAX, "process %zu: PID namespace index %u does not match its %u levels",
				pi, p->pidns, p->nlevels);
	if (p->pidns_for_children >= img->npidns)
		return diag_bad(diag, UINT64_MAX, "process %zu: bad pid_for_children namespace", pi);
	ns = &img->pidns[p->pidns_for_children];
	if (p->pidns_for_children != p->pidns && ns->parent != p->pidns)
		return diag_bad(diag, UINT64_MAX, "process %zu: pid_for_children is neither its namespace nor a child of it",
				pi);
	if (p->state == S3IMG_PROC_ZOMBIE) {
		if (p->nthreads || p->nvmas || p->nfds)
			return diag_bad(diag, UINT64_MAX, "process %zu: a zombie with threads, memory or files", pi);
		return 0;
	}
	if (p->nthreads < 1 || !p->threads)
		return diag_bad(diag, UINT64_MAX, "process %zu: no threads", pi);
	if (p->mm.exe_file != S3IMG_PROC_NO_INDEX && p->mm.exe_file >= img->nfiles)
		return diag_bad(diag, UINT64_MAX, "process %zu: bad exe file index", pi);
	if (p->mm.nauxv % 2 || p->mm.nauxv > 1024 || p->creds.ngroups > 65536)
		return diag_bad(diag, UINT64_MAX, "process %zu: bad auxv or group count", pi);
	for (size_t i = 0; i < p->nthreads; i++) {
		r = check_thread(p, pi, i, diag);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < p->nvmas; i++) {
		r = check_vma(img, pi, i, file_size, diag);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < p->nfds; i++) {
		const struct s3img_proc_fd *fd = &p->fds[i];
		if (fd->fd < 0 || (i > 0 && fd->fd <= p->fds[i - 1].fd) || fd->file >= img->nfiles ||
		    (img->files[fd->file].flags & S3IMG_FILE_MAPPED) || fd->fd_flags & ~1u)
			return diag_bad(diag, UINT64_MAX, "process %zu: fd entry %zu (fd %d) is invalid or out of order",
					pi, i, fd->fd);
	}
	return 0;
}

int proc_model_check(const struct s3img_proc_image *img, uint64_t file_size,
		     struct s3img_diag *diag)
{
	int r;

	if (img->page_size != S3_PAGE_SIZE)
		return diag_err(diag, -EPROTONOSUPPORT, UINT64_MAX, "page size %u is not supported",
				img->page_size);
	if (img->nprocs < 1 || img->nprocs > S3_MAX_COUNT || img->npidns < 1 ||
	    img->npidns > S3_MAX_COUNT || img->nfiles > S3_MAX_COUNT || img->npipes > S3_MAX_COUNT)
		return diag_bad(diag, UINT64_MAX, "bad counts: %zu processes, %zu namespaces, %zu files, %zu pipes",
				img->nprocs, img->npidns, img->nfiles, img->npipes);
	for (size_t i = 0; i < img->npidns; i++) {
		const struct s3img_proc_pidns *ns = &img->pidns[i];
		if (i == 0 ? ns->level != 0 || ns->parent != S3IMG_PROC_NO_INDEX
			   : ns->parent >= i || ns->level != img->pidns[ns->parent].level + 1 ||
				     ns->level >= S3IMG_PROC_MAX_LEVELS)
			return diag_bad(diag, UINT64_MAX, "PID namespace %zu: bad parent or level", i);
	}
	for (size_t i = 0; i < img->npipes; i++) {
		const struct s3img_proc_pipe *pp = &img->pipes[i];
		if (pp->data_len && (!range_ok(pp->data_offset, pp->data_len, file_size) ||
				     pp->data_offset < S3_PAGE_SIZE || pp->data_len > (1u << 30)))
			return diag_bad(diag, UINT64_MAX, "pipe %zu: buffered bytes out of range", i);
	}
	for (size_t i = 0; i < img->nfiles; i++) {
		const struct s3img_proc_file *f = &img->files[i];
		if (f->kind < S3IMG_FILE_REG || f->kind > S3IMG_FILE_TTY)
			return diag_bad(diag, UINT64_MAX, "file %zu: unknown kind %u", i, f->kind);
		if (f->kind == S3IMG_FILE_PIPE ? f->pipe >= img->npipes : f->pipe != S3IMG_PROC_NO_INDEX)
			return diag_bad(diag, UINT64_MAX, "file %zu: bad pipe index", i);
		if (f->kind != S3IMG_FILE_PIPE && !f->path)
			return diag_bad(diag, UINT64_MAX, "file %zu: no path", i);
	}
	for (size_t i = 0; i < img->nprocs; i++) {
		r = check_process(img, i, file_size, diag);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- tiles: the segments that cover a VMA ----------------------------- */

int proc_for_each_tile(const struct s3img_proc_process *proc,
		       int (*fn)(void *ctx, const struct s3img_proc_vma *vma, const struct tile *t),
		       void *ctx)
{
	int r;

	for (size_t i = 0; i < proc->nvmas; i++) {
		const struct s3img_proc_vma *v = &proc->vmas[i];
		uint64_t cur = v->start;

		for (size_t j = 0; j <= v->nruns; j++) {
			uint64_t next = j < v->nruns ? v->runs[j].vaddr : v->end;
			struct tile t;

			if (next > cur) {
				t = (struct tile){ .vaddr = cur, .len = next - cur };
				r = fn(ctx, v, &t);
				if (r < 0)
					return r;
			}
			if (j == v->nruns)
				break;
			t = (struct tile){ .vaddr = v->runs[j].vaddr, .len = v->runs[j].len,
					   .offset = v->runs[j].offset, .stored = true };
			r = fn(ctx, v, &t);
			if (r < 0)
				return r;
			cur = v->runs[j].vaddr + v->runs[j].len;
		}
	}
	return 0;
}

static int count_tile(void *ctx, const struct s3img_proc_vma *vma, const struct tile *t)
{
	(void)vma;
	(void)t;
	(*(size_t *)ctx)++;
	return 0;
}

size_t proc_count_tiles(const struct s3img_proc_process *proc)
{
	size_t n = 0;

	proc_for_each_tile(proc, count_tile, &n);
	return n;
}

uint32_t vma_phdr_flags(const struct s3img_proc_vma *vma)
{
	return (vma->prot & PROT_READ ? PF_R : 0) | (vma->prot & PROT_WRITE ? PF_W : 0) |
	       (vma->prot & PROT_EXEC ? PF_X : 0);
}

/* ---- notes -------------------------------------------------------------- */

static int32_t parent_pid(const struct s3img_proc_image *img, const struct s3img_proc_process *p)
{
	return p->parent == S3IMG_PROC_NO_INDEX ? 0 : img->procs[p->parent].pid[0];
}

static void note_prstatus(struct nbuf *b, const struct s3img_proc_image *img,
			  const struct s3img_proc_process *p, const struct s3img_proc_thread *t)
{
	uint8_t d[PRSTATUS_SIZE] = { 0 };
	uint16_t cursig = SIGSTOP;
	uint32_t signo = SIGSTOP;

	memcpy(d, &signo, 4);                      /* pr_info.si_signo */
	memcpy(d + 12, &cursig, 2);                /* pr_cursig */
	put_le64(d + 24, t->sigmask);              /* pr_sighold */
	put_le32(d + 32, (uint32_t)t->tid[0]);     /* pr_pid */
	put_le32(d + 36, (uint32_t)parent_pid(img, p));
	put_le32(d + 40, (uint32_t)p->pgid[0]);
	put_le32(d + 44, (uint32_t)p->sid[0]);
	memcpy(d + PRSTATUS_REG_OFF, t->regs, NREGS * 8);
	put_le32(d + 328, 1);                      /* pr_fpvalid */
	note_put(b, "CORE", NT_PRSTATUS, d, sizeof(d));
}

static void note_prpsinfo(struct nbuf *b, const struct s3img_proc_image *img,
			  const struct s3img_proc_process *p)
{
	uint8_t d[PRPSINFO_SIZE] = { 0 };

	d[0] = 3;                                   /* pr_state: stopped */
	d[1] = 'T';                                 /* pr_sname */
	put_le32(d + 16, p->creds.uid[0]);
	put_le32(d + 20, p->creds.gid[0]);
	put_le32(d + 24, (uint32_t)p->pid[0]);
	put_le32(d + 28, (uint32_t)parent_pid(img, p));
	put_le32(d + 32, (uint32_t)p->pgid[0]);
	put_le32(d + 36, (uint32_t)p->sid[0]);
	memcpy(d + 40, p->comm, 15);
	if (p->cmdline)
		strncpy((char *)d + 56, p->cmdline, 79);
	note_put(b, "CORE", NT_PRPSINFO, d, sizeof(d));
}

static void note_file(struct nbuf *b, const struct s3img_proc_image *img,
		      const struct s3img_proc_process *p)
{
	uint64_t count = 0;
	size_t start;
	uint8_t *d;

	for (size_t i = 0; i < p->nvmas; i++)
		count += vma_is_file(&p->vmas[i]);
	if (!count)
		return;
	start = note_begin(b, "CORE", NT_FILE);
	d = nbuf_grow(b, 16 + count * 24);
	if (!d)
		return;
	put_le64(d, count);
	put_le64(d + 8, S3_PAGE_SIZE);
	d += 16;
	for (size_t i = 0; i < p->nvmas; i++) {
		const struct s3img_proc_vma *v = &p->vmas[i];
		if (!vma_is_file(v))
			continue;
		put_le64(d, v->start);
		put_le64(d + 8, v->end);
		put_le64(d + 16, v->pgoff / S3_PAGE_SIZE);
		d += 24;
	}
	for (size_t i = 0; i < p->nvmas; i++) {
		const struct s3img_proc_vma *v = &p->vmas[i];
		const char *path;
		if (!vma_is_file(v))
			continue;
		path = img->files[v->file].path ? img->files[v->file].path : "";
		nbuf_put(b, path, strlen(path) + 1);
	}
	note_end(b, start);
}

static void note_record(struct nbuf *b, uint32_t type, const struct record_desc *rd, const void *rec)
{
	size_t start = note_begin(b, S3_NOTE_NAME, type);

	record_encode(b, rd, rec);
	note_end(b, start);
}

void proc_notes_process(struct nbuf *b, const struct s3img_proc_image *img, size_t pi, bool s3)
{
	const struct s3img_proc_process *p = &img->procs[pi];

	if (s3)
		note_record(b, S3_NT_PROCESS, &process_rec, p);
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct s3img_proc_thread *t = &p->threads[i];
		uint8_t si[SIGINFO_SIZE] = { 0 };
		uint32_t signo = SIGSTOP;

		note_prstatus(b, img, p, t);
		if (i == 0) {
			note_prpsinfo(b, img, p);
			memcpy(si, &signo, 4);
			note_put(b, "CORE", NT_SIGINFO, si, sizeof(si));
			if (p->mm.nauxv)
				note_put(b, "CORE", NT_AUXV, p->mm.auxv, p->mm.nauxv * 8);
			note_file(b, img, p);
		}
		note_put(b, "CORE", NT_FPREGSET, t->fpregs, FPREGS_SIZE);
		if (t->xstate_len)
			note_put(b, "LINUX", NT_X86_XSTATE, t->xstate, t->xstate_len);
		if (s3)
			note_record(b, S3_NT_THREAD, &thread_rec, t);
	}
	if (s3)
		for (size_t i = 0; i < p->nvmas; i++)
			note_record(b, S3_NT_VMA, &vma_rec, &p->vmas[i]);
}

void proc_notes_global(struct nbuf *b, const struct s3img_proc_image *img)
{
	struct proc_header_rec h = {
		.flags = img->flags, .page_size = img->page_size, .e_machine = EM_X86_64,
		.time = img->time, .nprocs = img->nprocs, .nfiles = img->nfiles,
		.npipes = img->npipes, .npidns = img->npidns,
	};
	size_t start;
	uint8_t *fixed;

	memcpy(h.release, img->release, sizeof(h.release) - 1);
	memcpy(h.machine, img->machine, sizeof(h.machine) - 1);
	memcpy(h.nodename, img->nodename, sizeof(h.nodename) - 1);
	memcpy(h.boot_id, img->boot_id, sizeof(h.boot_id) - 1);
	start = note_begin(b, S3_NOTE_NAME, S3_NT_HEADER);
	fixed = nbuf_grow(b, S3_HEADER_FIXED);
	if (fixed) {
		memcpy(fixed, S3_MAGIC, S3_MAGIC_LEN);
		put_le32(fixed + 8, S3IMG_PROC_VERSION_MAJOR);
		put_le32(fixed + 12, S3IMG_PROC_VERSION_MINOR);
	}
	record_encode(b, &header_rec, &h);
	note_end(b, start);
	for (size_t i = 0; i < img->npidns; i++)
		note_record(b, S3_NT_PIDNS, &pidns_rec, &img->pidns[i]);
	for (size_t i = 0; i < img->npipes; i++)
		note_record(b, S3_NT_PIPE, &pipe_rec, &img->pipes[i]);
	for (size_t i = 0; i < img->nfiles; i++)
		note_record(b, S3_NT_FILE, &file_rec, &img->files[i]);
}

/* ---- ELF headers -------------------------------------------------------- */

int pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

void core_ehdr(Elf64_Ehdr *eh, uint64_t phoff, uint64_t phnum, uint64_t shoff)
{
	*eh = (Elf64_Ehdr){ 0 };
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = phoff;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = phnum >= PN_XNUM ? PN_XNUM : (uint16_t)phnum;
	if (phnum >= PN_XNUM) {
		/* The kernel's layout for many segments: section 0 holds the count. */
		eh->e_shoff = shoff;
		eh->e_shentsize = sizeof(Elf64_Shdr);
		eh->e_shnum = 1;
		eh->e_shstrndx = SHN_UNDEF;
	}
}

int core_write_phdrs(int fd, const Elf64_Phdr *ph, uint64_t phnum, uint64_t phoff,
		     uint64_t *ret_shoff)
{
	uint64_t shoff = phoff + phnum * sizeof(Elf64_Phdr);
	int r;

	r = pwrite_full(fd, ph, phnum * sizeof(Elf64_Phdr), phoff);
	if (r < 0)
		return r;
	if (phnum >= PN_XNUM) {
		Elf64_Shdr sh = { .sh_type = SHT_NULL, .sh_size = 1, .sh_info = (uint32_t)phnum };
		r = pwrite_full(fd, &sh, sizeof(sh), shoff);
		if (r < 0)
			return r;
	}
	*ret_shoff = phnum >= PN_XNUM ? shoff : 0;
	return 0;
}
