/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One process of a suspend image as a standard ELF core: program headers
 * right after the ELF header, one PT_NOTE with the kernel's notes in the
 * kernel's order, then a PT_LOAD per stored run (its bytes copied) and per
 * gap (p_filesz 0: zero for anonymous memory, the file's bytes through
 * NT_FILE for file mappings), as gdb and libdwfl read kernel cores. */
#include <inttypes.h>

#include "proc_image.h"

#define COPY_CHUNK (1u << 20)

struct core_layout {
	Elf64_Phdr *ph;
	size_t n;
	uint64_t data_end;
};

static int core_add_load(void *ctx, const struct s3img_proc_vma *vma, const struct tile *t)
{
	struct core_layout *l = ctx;

	/* Empty segments too get the running offset (libdwfl needs them
	 * ascending). */
	l->ph[l->n++] = (Elf64_Phdr){
		.p_type = PT_LOAD,
		.p_flags = vma_phdr_flags(vma),
		.p_offset = l->data_end,
		.p_vaddr = t->vaddr,
		.p_filesz = t->stored ? t->len : 0,
		.p_memsz = t->len,
		.p_align = S3_PAGE_SIZE,
	};
	if (t->stored)
		l->data_end += t->len;
	return 0;
}

struct core_copy {
	const struct s3img_source *src;
	int fd;
	uint64_t out;
	uint8_t *buf;
	struct s3img_diag *diag;
};

static int core_copy_tile(void *ctx, const struct s3img_proc_vma *vma, const struct tile *t)
{
	struct core_copy *c = ctx;
	int r;

	(void)vma;
	if (!t->stored)
		return 0;
	for (uint64_t done = 0; done < t->len;) {
		size_t n = t->len - done < COPY_CHUNK ? (size_t)(t->len - done) : COPY_CHUNK;
		const void *from;

		if (c->src->map) {
			from = (const uint8_t *)c->src->map + t->offset + done;
		} else {
			r = source_read(c->src, c->buf, n, t->offset + done, c->diag, "memory");
			if (r < 0)
				return r;
			from = c->buf;
		}
		r = pwrite_full(c->fd, from, n, c->out);
		if (r < 0)
			return diag_err(c->diag, r, UINT64_MAX, "cannot write the core: %s", strerror(-r));
		c->out += n;
		done += n;
	}
	return 0;
}

_public_ int s3img_proc_write_core(struct s3img_proc *p, size_t proc, int out_fd,
				   struct s3img_diag *diag)
{
	const struct s3img_proc_image *img = s3img_proc_get_image(p);
	const struct s3img_proc_process *pr;
	struct core_layout l = { 0 };
	struct core_copy c = { .src = proc_source(p), .fd = out_fd, .diag = diag };
	struct nbuf notes = { 0 };
	uint64_t phnum, phoff = sizeof(Elf64_Ehdr), notes_off, data_off, shoff;
	Elf64_Ehdr eh;
	int r;

	if (proc >= img->nprocs)
		return -EINVAL;
	pr = &img->procs[proc];
	if (pr->state != S3IMG_PROC_ALIVE)
		return diag_err(diag, -EINVAL, UINT64_MAX, "process %d is a zombie: it has no core",
				pr->pid[0]);
	proc_notes_process(&notes, img, proc, false);
	if (notes.err)
		return notes.err;
	phnum = 1 + proc_count_tiles(pr);
	notes_off = phoff + phnum * sizeof(Elf64_Phdr) + (phnum >= PN_XNUM ? sizeof(Elf64_Shdr) : 0);
	data_off = ALIGN_UP(notes_off + notes.len, S3_PAGE_SIZE);
	l.ph = calloc(phnum, sizeof(*l.ph));
	c.buf = c.src->map ? NULL : malloc(COPY_CHUNK);
	if (!l.ph || (!c.src->map && !c.buf)) {
		r = -ENOMEM;
		goto out;
	}
	l.ph[l.n++] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = notes_off,
				    .p_filesz = notes.len, .p_align = 4 };
	l.data_end = data_off;
	proc_for_each_tile(pr, core_add_load, &l);
	r = core_write_phdrs(out_fd, l.ph, l.n, phoff, &shoff);
	if (r == 0) {
		core_ehdr(&eh, phoff, l.n, shoff);
		r = pwrite_full(out_fd, &eh, sizeof(eh), 0);
	}
	if (r == 0)
		r = pwrite_full(out_fd, notes.data, notes.len, notes_off);
	if (r < 0) {
		diag_err(diag, r, UINT64_MAX, "cannot write the core: %s", strerror(-r));
		goto out;
	}
	c.out = data_off;
	r = proc_for_each_tile(pr, core_copy_tile, &c);
	if (r == 0 && ftruncate(out_fd, (off_t)(c.out > notes_off + notes.len ? c.out : notes_off + notes.len)) < 0)
		r = diag_err(diag, -errno, UINT64_MAX, "cannot write the core: %m");
out:
	free(l.ph);
	free(c.buf);
	nbuf_deinit(&notes);
	return r;
}
