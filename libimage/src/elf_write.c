/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writer for ELF vmcores that makedumpfile, crash, drgn and libkdumpfile
 * all read (REFERENCE.md 4): program headers right after the ELF header,
 * PT_NOTE first, original p_vaddr/p_paddr kept, excluded runs of at least
 * ELF_SPLIT_PAGES pages split a segment, e_flags bit 0 while incomplete. */
#include <elf.h>
#include <inttypes.h>

#include "internal.h"
#include "sink.h"
#include "write_common.h"

#define ELF_SPLIT_PAGES 256

struct seg {
	uint64_t paddr, vaddr, memsz, filesz, offset;
};

struct seg_list {
	struct seg *v;
	size_t n, cap;
};

static int seg_add(struct seg_list *l, struct seg s)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct seg *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = s;
	return 0;
}

/* Is the page at pfn kept in the output? (in the input and, at level 1, not zero) */
static int page_kept(struct s3img *img, uint64_t pfn, int level, uint8_t *buf)
{
	if (s3img_page_state(img, pfn) != S3IMG_PAGE_DUMPED || !image_keeps(img, pfn))
		return 0;
	if (!(level & 1))
		return 1;
	int r = s3img_read_pfn(img, pfn, buf, NULL);
	if (r < 0)
		return 1; /* let the write pass report it */
	return !page_is_zero(buf, img->info.page_size);
}

/* Split one input range [paddr, paddr+memsz) at long excluded runs. */
static int plan_range(struct s3img *img, struct seg_list *out, uint64_t paddr, uint64_t vaddr,
		      uint64_t memsz, int level, uint8_t *buf)
{
	uint32_t ps = img->info.page_size;
	uint64_t end = paddr + memsz, cur = paddr, kept_end = paddr;
	uint64_t run_start = paddr, gap = 0;

	while (cur < end) {
		uint64_t next = (cur / ps + 1) * ps;
		if (next > end)
			next = end;
		if (page_kept(img, cur / ps, level, buf)) {
			if (gap >= ELF_SPLIT_PAGES) {
				int r = seg_add(out, (struct seg){ run_start, vaddr + (run_start - paddr),
								   kept_end - run_start, kept_end - run_start, 0 });
				if (r < 0)
					return r;
				run_start = cur;
			}
			gap = 0;
			kept_end = next;
		} else {
			gap++;
		}
		cur = next;
	}
	/* Trailing exclusion becomes p_memsz > p_filesz. */
	return seg_add(out, (struct seg){ run_start, vaddr + (run_start - paddr), end - run_start,
					  kept_end - run_start, 0 });
}

/* Ranges of the input: its own PT_LOADs, or RAM runs of a kdump file. */
static int plan_segments(struct s3img *img, int level, struct seg_list *out)
{
	uint32_t ps = img->info.page_size;
	_cleanup_free_ uint8_t *buf = malloc(ps);
	int r = 0;

	if (!buf)
		return -ENOMEM;
	if (img->loads) {
		for (size_t i = 0; i < img->nloads && r == 0; i++)
			r = plan_range(img, out, img->loads[i].paddr, img->loads[i].vaddr,
				       img->loads[i].memsz, level, buf);
		return r;
	}
	/* kdump input: virtual addresses do not survive in the file, so they
	 * are rebuilt as /proc/vmcore has them: the kernel text mapping first,
	 * then every RAM run at its direct-map address. */
	uint64_t dmap, ts, te;
	if (x86_64_find_direct_map(img, &dmap) < 0)
		return -ENOENT;
	if (x86_64_kernel_text_range(img, &ts, &te) == 0)
		r = plan_range(img, out, ts, X86_64_START_KERNEL_MAP + (ts - img->info.phys_base),
			       te - ts, level, buf);
	for (uint64_t pfn = 0; pfn < img->info.max_pfn && r == 0;) {
		uint64_t start;
		if (s3img_page_state(img, pfn) == S3IMG_PAGE_NOT_RAM) {
			pfn++;
			continue;
		}
		start = pfn;
		while (pfn < img->info.max_pfn && s3img_page_state(img, pfn) != S3IMG_PAGE_NOT_RAM)
			pfn++;
		r = plan_range(img, out, start * ps, dmap + start * ps, (pfn - start) * ps, level, buf);
	}
	return r;
}

static int elf_write_headers(struct sink *o, const struct seg_list *segs, uint64_t notes_off,
			     uint64_t notes_len, uint32_t flags)
{
	uint64_t phnum = segs->n + 1;
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	int r;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_flags = flags;
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = phnum >= PN_XNUM ? PN_XNUM : (uint16_t)phnum;
	if (phnum >= PN_XNUM) {
		/* Section header 0 carries the real count, after the notes. */
		eh.e_shoff = notes_off + notes_len;
		eh.e_shentsize = sizeof(Elf64_Shdr);
		eh.e_shnum = 1;
		Elf64_Shdr sh = { .sh_info = (uint32_t)phnum };
		r = sink_pwrite(o, eh.e_shoff, &sh, sizeof(sh));
		if (r < 0)
			return r;
	}
	r = sink_pwrite(o, 0, &eh, sizeof(eh));
	if (r < 0)
		return r;
	ph.p_type = PT_NOTE;
	ph.p_offset = notes_off;
	ph.p_filesz = ph.p_memsz = notes_len;
	r = sink_pwrite(o, sizeof(eh), &ph, sizeof(ph));
	for (size_t i = 0; i < segs->n && r == 0; i++) {
		const struct seg *s = &segs->v[i];
		ph = (Elf64_Phdr){
			.p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_offset = s->offset,
			.p_vaddr = s->vaddr, .p_paddr = s->paddr, .p_filesz = s->filesz,
			.p_memsz = s->memsz, .p_align = 0,
		};
		r = sink_pwrite(o, sizeof(eh) + (i + 1) * sizeof(ph), &ph, sizeof(ph));
	}
	return r;
}

static int elf_write_data(struct s3img *img, struct sink *o, const struct seg_list *segs,
			  uint64_t data_off, const struct s3img_write_opts *opts,
			  struct s3img_write_stats *st, uint64_t *ret_end, struct s3img_diag *diag)
{
	uint32_t ps = img->info.page_size;
	_cleanup_free_ uint8_t *buf = malloc(ps);
	uint64_t done = 0, total = 0;
	struct stream data;
	int r;

	if (!buf)
		return -ENOMEM;
	/* Segments are laid out back to back from data_off: one stream. */
	stream_init(&data, o, data_off);
	for (size_t i = 0; i < segs->n; i++)
		total += DIV_ROUND_UP(segs->v[i].filesz, ps);
	for (size_t i = 0; i < segs->n; i++) {
		const struct seg *s = &segs->v[i];
		for (uint64_t pos = 0; pos < s->filesz;) {
			uint64_t pa = s->paddr + pos, n = ps - pa % ps;
			if (n > s->filesz - pos)
				n = s->filesz - pos;
			if (write_should_stop(opts))
				return -EINTR;
			r = s3img_read_phys(img, pa, buf, n, diag);
			if (r == -ENODATA || r == -ENXIO) {
				memset(buf, 0, n); /* short excluded run inside a kept range */
				st->pages_zero++;
			} else if (r < 0) {
				return r;
			}
			r = stream_write(&data, buf, n);
			if (r < 0)
				return r;
			pos += n;
			st->pages_written++;
			write_progress(opts, ++done, total);
		}
	}
	return stream_finish(&data, ret_end);
}

int elf_write(struct s3img *img, struct sink *o, const struct s3img_write_opts *opts,
	      struct s3img_write_stats *st, struct s3img_diag *diag)
{
	struct seg_list segs = { 0 };
	uint64_t notes_off, data_off;
	int r;

	if (!img->notes_len)
		return diag_err(diag, -EINVAL, UINT64_MAX, "the input has no notes to carry into an ELF vmcore");
	r = plan_segments(img, opts->dump_level, &segs);
	if (r == -ENOENT)
		diag_err(diag, r, UINT64_MAX,
			 "cannot rebuild kernel virtual addresses: the kernel's direct map was not found in the page tables");
	if (r < 0)
		goto out;
	notes_off = sizeof(Elf64_Ehdr) + (segs.n + 1) * sizeof(Elf64_Phdr);
	data_off = ALIGN_UP(notes_off + img->notes_len + sizeof(Elf64_Shdr), img->info.page_size);
	for (size_t i = 0; i < segs.n; i++) {
		segs.v[i].offset = data_off;
		data_off += segs.v[i].filesz;
	}
	r = elf_write_headers(o, &segs, notes_off, img->notes_len, 1);
	if (r == 0)
		r = sink_pwrite(o, notes_off, img->notes, img->notes_len);
	uint64_t end = data_off;
	if (r == 0 && segs.n)
		r = elf_write_data(img, o, &segs, segs.v[0].offset, opts, st, &end, diag);
	if (r == 0 && !o->flat && ftruncate(o->fd, (off_t)end) < 0)
		r = -errno;
	if (r == 0)
		r = elf_write_headers(o, &segs, notes_off, img->notes_len, 0);
	st->file_size = end;
out:
	free(segs.v);
	return r;
}
