/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* x86_64 kernel virtual -> physical translation from VMCOREINFO alone:
 * the kernel text mapping by formula, everything else by walking the
 * kernel page tables (4 or 5 levels) from init_top_pgt. */
#include <inttypes.h>

#include "internal.h"

#define START_KERNEL_MAP 0xffffffff80000000ull
#define KERNEL_IMAGE_MAX (1ull << 30) /* text mapping is at most 1 GiB */
#define PTE_PRESENT 0x1ull
#define PTE_PSE 0x80ull
#define PTE_ADDR_MASK 0x000ffffffffff000ull

static int vt_setup(struct s3img *img, struct s3img_diag *diag)
{
	uint64_t pgt;
	int64_t l5 = 0, pb;

	if (img->vt_ready)
		return 0;
	if (img->vt_err)
		return img->vt_err;
	if (!img->vi)
		return img->vt_err = diag_err(diag, -ENOENT, UINT64_MAX,
					      "no VMCOREINFO: cannot translate kernel addresses");
	if (s3img_vmcoreinfo_symbol(img->vi, "init_top_pgt", &pgt) < 0)
		return img->vt_err = diag_err(diag, -ENOENT, UINT64_MAX,
					      "VMCOREINFO lacks SYMBOL(init_top_pgt)");
	if (s3img_vmcoreinfo_number(img->vi, "phys_base", &pb) == 0)
		img->phys_base = (uint64_t)pb;
	else
		img->phys_base = img->info.phys_base;
	s3img_vmcoreinfo_number(img->vi, "pgtable_l5_enabled", &l5);
	img->pt_levels = l5 ? 5 : 4;
	if (pgt < START_KERNEL_MAP)
		return img->vt_err = diag_bad(diag, UINT64_MAX,
					      "SYMBOL(init_top_pgt)=%#" PRIx64 " is not a kernel text address", pgt);
	img->pgd_paddr = pgt - START_KERNEL_MAP + img->phys_base;
	img->vt_ready = true;
	return 0;
}

static bool is_canonical(uint64_t va, int levels)
{
	int bits = levels == 5 ? 57 : 48;
	int64_t s = (int64_t)(va << (64 - bits)) >> (64 - bits);
	return (uint64_t)s == va;
}

int x86_64_vtop(struct s3img *img, uint64_t va, uint64_t *ret_paddr, struct s3img_diag *diag)
{
	uint64_t table, entry = 0;
	int r = vt_setup(img, diag);

	if (r < 0)
		return r;
	if (va >= START_KERNEL_MAP && va - START_KERNEL_MAP < KERNEL_IMAGE_MAX) {
		*ret_paddr = va - START_KERNEL_MAP + img->phys_base;
		return 0;
	}
	if (img->vt_cache_mask && (va & ~img->vt_cache_mask) == img->vt_cache_va) {
		*ret_paddr = img->vt_cache_pa | (va & img->vt_cache_mask);
		return 0;
	}
	if (!is_canonical(va, img->pt_levels))
		return diag_err(diag, -ENXIO, UINT64_MAX, "%#" PRIx64 " is not a canonical address", va);
	table = img->pgd_paddr;
	for (int level = img->pt_levels; level >= 1; level--) {
		int shift = 12 + 9 * (level - 1);
		uint64_t idx = (va >> shift) & 511;

		r = s3img_read_phys(img, table + idx * 8, &entry, sizeof(entry), diag);
		if (r < 0)
			return r;
		if (!(entry & PTE_PRESENT))
			return diag_err(diag, -ENXIO, UINT64_MAX,
					"%#" PRIx64 " is not mapped (level %d entry %#" PRIx64 ")", va, level, entry);
		/* 1 GiB pages at level 3, 2 MiB at level 2. */
		if ((level == 3 || level == 2) && (entry & PTE_PSE)) {
			uint64_t mask = (1ull << shift) - 1;
			*ret_paddr = (entry & PTE_ADDR_MASK & ~mask) | (va & mask);
			img->vt_cache_va = va & ~mask;
			img->vt_cache_pa = entry & PTE_ADDR_MASK & ~mask;
			img->vt_cache_mask = mask;
			return 0;
		}
		table = entry & PTE_ADDR_MASK;
	}
	*ret_paddr = table | (va & 0xfff);
	return 0;
}

/* Read one page-table entry. */
static int pte_read(struct s3img *img, uint64_t table, unsigned idx, uint64_t *ret)
{
	return s3img_read_phys(img, table + idx * 8ull, ret, 8, NULL);
}

/* The direct map's base (PAGE_OFFSET; randomized by KASLR in 1 GiB steps):
 * the lowest kernel-half address, at 1 GiB granularity, that maps physical
 * address 0. Found by walking the page tables down to the PUD level. */
int x86_64_find_direct_map(struct s3img *img, uint64_t *ret_base)
{
	int levels, r = vt_setup(img, NULL);
	uint64_t top_shift;

	if (r < 0)
		return r;
	levels = img->pt_levels;
	top_shift = 12 + 9 * (uint64_t)(levels - 1);
	for (unsigned i = 256; i < 512; i++) {
		uint64_t e, base = (uint64_t)i << top_shift;
		/* Sign-extend from the top bit of the address space. */
		int bits = levels == 5 ? 57 : 48;
		base = (uint64_t)((int64_t)(base << (64 - bits)) >> (64 - bits));
		if (pte_read(img, img->pgd_paddr, i, &e) < 0 || !(e & PTE_PRESENT))
			continue;
		/* With 5 levels, one more table (P4D) sits above the PUD. */
		uint64_t p4d_tables[512];
		unsigned np4d = 0;
		if (levels == 5) {
			uint64_t t = e & PTE_ADDR_MASK;
			for (unsigned j = 0; j < 512; j++) {
				uint64_t e4;
				if (pte_read(img, t, j, &e4) == 0 && (e4 & PTE_PRESENT) && !(e4 & PTE_PSE))
					p4d_tables[np4d++] = (base + ((uint64_t)j << 39)) | 1; /* tag */
			}
		} else {
			p4d_tables[np4d++] = base | 1;
		}
		for (unsigned k = 0; k < np4d; k++) {
			uint64_t va0 = p4d_tables[k] & ~1ull;
			for (unsigned j = 0; j < 512; j++) {
				uint64_t va = va0 + ((uint64_t)j << 30), pa;
				if (x86_64_vtop(img, va, &pa, NULL) == 0 && pa == 0) {
					*ret_base = va;
					return 0;
				}
			}
		}
	}
	return -ENOENT;
}

/* The kernel image's mapping: from _stext down to its 2 MiB boundary, and
 * on while the text mapping's 2 MiB entries are present. Returns the
 * physical range [start, end). */
int x86_64_kernel_text_range(struct s3img *img, uint64_t *ret_start, uint64_t *ret_end)
{
	uint64_t stext, va, pa;
	int r = vt_setup(img, NULL);

	if (r < 0)
		return r;
	if (s3img_vmcoreinfo_symbol(img->vi, "_stext", &stext) < 0 || stext < START_KERNEL_MAP)
		return -ENOENT;
	va = stext & ~((1ull << 21) - 1);
	/* Walk the page tables (not the formula) to find where the mapping ends. */
	for (uint64_t v = va; v - START_KERNEL_MAP < KERNEL_IMAGE_MAX; v += 1ull << 21) {
		uint64_t table = img->pgd_paddr, e = 0;
		bool mapped = true;
		for (int level = img->pt_levels; level >= 2; level--) {
			int shift = 12 + 9 * (level - 1);
			if (pte_read(img, table, (v >> shift) & 511, &e) < 0 || !(e & PTE_PRESENT)) {
				mapped = false;
				break;
			}
			if (level == 2 || (e & PTE_PSE))
				break;
			table = e & PTE_ADDR_MASK;
		}
		if (!mapped) {
			if (v == va)
				return -ENXIO;
			*ret_end = v - START_KERNEL_MAP + img->phys_base;
			break;
		}
		*ret_end = v + (1ull << 21) - START_KERNEL_MAP + img->phys_base;
	}
	pa = va - START_KERNEL_MAP + img->phys_base;
	*ret_start = pa;
	return 0;
}
