/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ELF vmcores (/proc/vmcore, makedumpfile -E): headers, notes, PT_LOADs.
 *
 * The headers are parsed from bytes with <elf.h>'s types rather than with
 * libelf: libelf wants the whole file (or an fd it reads itself), while this
 * parser must run over a read callback and bound every count it reads. */
#include <elf.h>
#include <inttypes.h>

#include "internal.h"

#define ELF_MAX_PHNUM (1u << 20)
#define ELF_MAX_NOTES (64u << 20)

static bool elf_probe(const uint8_t *head, size_t len)
{
	return len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
}

static int load_cmp(const void *a, const void *b)
{
	const struct elf_load *x = a, *y = b;
	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	/* Prefer the bigger segment first (RAM over the kernel text alias). */
	return x->memsz > y->memsz ? -1 : x->memsz < y->memsz;
}

static int elf_read_phnum(struct s3img *img, const Elf64_Ehdr *eh, uint64_t *ret,
			  struct s3img_diag *diag)
{
	Elf64_Shdr sh;
	int r;

	if (eh->e_phnum != PN_XNUM) {
		*ret = eh->e_phnum;
		return 0;
	}
	/* More than 65534 headers: the real count is in section 0's sh_info. */
	if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr))
		return diag_bad(diag, offsetof(Elf64_Ehdr, e_phnum),
				"e_phnum is PN_XNUM but there is no valid section header 0");
	r = source_read(img->src, &sh, sizeof(sh), eh->e_shoff, diag, "section header 0");
	if (r < 0)
		return r;
	*ret = sh.sh_info;
	return 0;
}

static int elf_add_note(struct s3img *img, const Elf64_Phdr *ph, uint64_t phoff,
			struct s3img_diag *diag)
{
	uint8_t *n;
	int r;

	if (ph->p_filesz > ELF_MAX_NOTES || img->notes_len + ph->p_filesz > ELF_MAX_NOTES)
		return diag_bad(diag, phoff, "PT_NOTE of %" PRIu64 " bytes is larger than %u",
				(uint64_t)ph->p_filesz, ELF_MAX_NOTES);
	n = realloc(img->notes, img->notes_len + ph->p_filesz + 1);
	if (!n)
		return -ENOMEM;
	img->notes = n;
	r = source_read(img->src, n + img->notes_len, ph->p_filesz, ph->p_offset, diag, "PT_NOTE data");
	if (r < 0)
		return r;
	img->notes_len += ph->p_filesz;
	return 0;
}

static int elf_add_load(struct s3img *img, const Elf64_Phdr *ph, uint64_t phoff, size_t *cap,
			struct s3img_diag *diag)
{
	struct elf_load *l;
	uint64_t filesz = ph->p_filesz;

	if (ph->p_filesz > ph->p_memsz)
		return diag_bad(diag, phoff, "PT_LOAD with p_filesz %#" PRIx64 " > p_memsz %#" PRIx64,
				(uint64_t)ph->p_filesz, (uint64_t)ph->p_memsz);
	if (!range_ok(ph->p_paddr, ph->p_memsz, UINT64_MAX >> 12 << 12))
		return diag_bad(diag, phoff, "PT_LOAD physical range overflows");
	if (!range_ok(ph->p_offset, filesz, img->src->size)) {
		/* An incomplete dump may end early: keep what is there. */
		if (!(img->e_flags & 1) || ph->p_offset > img->src->size)
			return diag_bad(diag, phoff,
					"PT_LOAD data (%#" PRIx64 " bytes at %#" PRIx64 ") extends beyond the end of the file (%" PRIu64 " bytes)",
					filesz, (uint64_t)ph->p_offset, img->src->size);
		filesz = img->src->size - ph->p_offset;
	}
	if (img->nloads == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		l = realloc(img->loads, nc * sizeof(*l));
		if (!l)
			return -ENOMEM;
		img->loads = l;
		*cap = nc;
	}
	img->loads[img->nloads++] = (struct elf_load){
		.paddr = ph->p_paddr, .vaddr = ph->p_vaddr, .memsz = ph->p_memsz,
		.filesz = filesz, .offset = ph->p_offset,
	};
	return 0;
}

/* The loads in file order, as read; kept for writers (sorted copy below). */
static int elf_open(struct s3img *img, struct s3img_diag *diag)
{
	Elf64_Ehdr eh;
	uint64_t phnum = 0, max_end = 0;
	size_t cap = 0;
	int r;

	if (img->src->size < EI_NIDENT)
		return diag_bad(diag, 0, "ELF file of %" PRIu64 " bytes is truncated", img->src->size);
	r = source_read(img->src, &eh, sizeof(eh), 0, diag, "ELF header");
	if (r < 0)
		return r;
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return diag_err(diag, -EPROTONOSUPPORT, EI_CLASS,
				"ELF class %u is not supported (only 64-bit vmcores)", eh.e_ident[EI_CLASS]);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return diag_err(diag, -EPROTONOSUPPORT, EI_DATA, "big-endian ELF is not supported");
	if (eh.e_type != ET_CORE)
		return diag_bad(diag, offsetof(Elf64_Ehdr, e_type),
				"ELF type %u is not ET_CORE: not a vmcore", eh.e_type);
	if (eh.e_machine != EM_X86_64)
		return diag_err(diag, -EPROTONOSUPPORT, offsetof(Elf64_Ehdr, e_machine),
				"ELF machine %u is not supported (only x86_64)", eh.e_machine);
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		return diag_bad(diag, offsetof(Elf64_Ehdr, e_phentsize),
				"e_phentsize %u is not %zu", eh.e_phentsize, sizeof(Elf64_Phdr));
	img->e_flags = eh.e_flags;
	r = elf_read_phnum(img, &eh, &phnum, diag);
	if (r < 0)
		return r;
	if (phnum == 0 || phnum > ELF_MAX_PHNUM ||
	    !range_ok(eh.e_phoff, phnum * sizeof(Elf64_Phdr), img->src->size))
		return diag_bad(diag, offsetof(Elf64_Ehdr, e_phnum),
				"%" PRIu64 " program headers at offset %#" PRIx64 " do not fit in the file",
				phnum, (uint64_t)eh.e_phoff);
	img->phoff = eh.e_phoff;

	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t off = eh.e_phoff + i * sizeof(Elf64_Phdr);
		Elf64_Phdr ph;

		r = source_read(img->src, &ph, sizeof(ph), off, diag, "program header");
		if (r < 0)
			return r;
		if (ph.p_type == PT_NOTE)
			r = elf_add_note(img, &ph, off, diag);
		else if (ph.p_type == PT_LOAD)
			r = elf_add_load(img, &ph, off, &cap, diag);
		if (r < 0)
			return r;
	}
	if (img->nloads == 0)
		return diag_bad(diag, eh.e_phoff, "no PT_LOAD segments: no memory in this dump");
	qsort(img->loads, img->nloads, sizeof(*img->loads), load_cmp);
	for (size_t i = 0; i < img->nloads; i++)
		if (img->loads[i].paddr + img->loads[i].memsz > max_end)
			max_end = img->loads[i].paddr + img->loads[i].memsz;

	img->info.format = S3IMG_FORMAT_ELF;
	img->info.inner_format = S3IMG_FORMAT_ELF;
	img->info.elf_class = 64;
	img->info.incomplete = img->e_flags & 1;
	img->info.page_size = 0;
	r = image_parse_notes(img, diag);
	if (r < 0)
		return r;
	if (img->info.page_size == 0)
		img->info.page_size = 4096;
	if (img->info.page_size < 4096 || img->info.page_size > 65536 ||
	    (img->info.page_size & (img->info.page_size - 1)))
		return diag_bad(diag, UINT64_MAX, "VMCOREINFO PAGESIZE %u is not a power of two in 4K..64K",
				img->info.page_size);
	img->info.max_pfn = DIV_ROUND_UP(max_end, img->info.page_size);
	if (img->vi) {
		int64_t pb;
		if (s3img_vmcoreinfo_number(img->vi, "phys_base", &pb) == 0)
			img->info.phys_base = (uint64_t)pb;
	}
	char uts[6][65];
	if (image_read_utsname(img, uts) == 0) {
		memcpy(img->info.sysname, uts[0], 65);
		memcpy(img->info.nodename, uts[1], 65);
		memcpy(img->info.release, uts[2], 65);
		memcpy(img->info.version, uts[3], 65);
		memcpy(img->info.machine, uts[4], 65);
		memcpy(img->info.domainname, uts[5], 65);
	}
	return 0;
}

/* Find the first load (by paddr) containing paddr, preferring file data. */
static const struct elf_load *elf_find(const struct s3img *img, uint64_t paddr)
{
	size_t lo = 0, hi = img->nloads;
	const struct elf_load *best = NULL;

	/* Last load with start <= paddr, then look back over overlaps. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (img->loads[mid].paddr <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0;) {
		const struct elf_load *l = &img->loads[i];
		if (paddr - l->paddr < l->memsz) {
			if (paddr - l->paddr < l->filesz)
				return l;
			if (!best)
				best = l;
		}
		/* Segments rarely nest more than twice (kernel text alias). */
		if (lo - i > 8)
			break;
	}
	return best;
}

static enum s3img_page_state elf_page_state(struct s3img *img, uint64_t pfn)
{
	const struct elf_load *l = elf_find(img, pfn * img->info.page_size);

	if (!l)
		return S3IMG_PAGE_NOT_RAM;
	return pfn * img->info.page_size - l->paddr < l->filesz ? S3IMG_PAGE_DUMPED
								   : S3IMG_PAGE_EXCLUDED;
}

static int elf_read_pfn(struct s3img *img, uint64_t pfn, void *buf, struct s3img_diag *diag)
{
	uint32_t ps = img->info.page_size;
	uint64_t pa = pfn * ps;
	uint8_t *out = buf;
	const struct elf_load *l = elf_find(img, pa);

	if (!l)
		return -ENXIO;
	if (pa - l->paddr >= l->filesz)
		return -ENODATA;
	/* Copy byte runs; a page may straddle segment edges (e.g. 0x9fc00). */
	for (uint32_t done = 0; done < ps;) {
		uint64_t a = pa + done;
		const struct elf_load *s = elf_find(img, a);
		uint64_t n = ps - done;
		if (!s || a - s->paddr >= s->filesz) {
			/* Not RAM or excluded tail: the rest of this page reads as zero
			 * up to the next segment. */
			uint64_t z = 1;
			while (z < n && (!(s = elf_find(img, a + z)) || a + z - s->paddr >= s->filesz))
				z++;
			memset(out + done, 0, z);
			done += (uint32_t)z;
			continue;
		}
		if (n > s->filesz - (a - s->paddr))
			n = s->filesz - (a - s->paddr);
		int r = source_read(img->src, out + done, n, s->offset + (a - s->paddr), diag, "page data");
		if (r < 0)
			return r;
		done += (uint32_t)n;
	}
	return 0;
}

static void elf_close(struct s3img *img)
{
	(void)img;
}

const struct fmt_ops elf_ops = {
	.name = "elf",
	.probe = elf_probe,
	.open = elf_open,
	.page_state = elf_page_state,
	.read_pfn = elf_read_pfn,
	.close = elf_close,
};

/* Read n consecutive pages with one read when a single segment holds all
 * of them in the file; -EAGAIN when it does not (read page by page). */
int elf_read_pfns(struct s3img *img, uint64_t pfn, uint32_t n, void *buf, struct s3img_diag *diag)
{
	uint32_t ps = img->info.page_size;
	uint64_t pa = pfn * ps, len = (uint64_t)n * ps;
	const struct elf_load *l;

	if (img->ops != &elf_ops || pfn + n > img->info.max_pfn)
		return -EAGAIN;
	l = elf_find(img, pa);
	if (!l || pa - l->paddr + len > l->filesz)
		return -EAGAIN;
	return source_read(img->src, buf, (size_t)len, l->offset + (pa - l->paddr), diag, "page data");
}
