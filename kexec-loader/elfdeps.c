/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ELF64 program headers and the dynamic section, bounds-checked. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elfdeps.h"

#define PHNUM_MAX 256
#define DYN_MAX 4096

/* File offset of virtual address va, through the PT_LOADs. */
static int va_to_off(const Elf64_Phdr *ph, size_t n, uint64_t va, uint64_t *ret)
{
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (va >= ph[i].p_vaddr && va - ph[i].p_vaddr < ph[i].p_filesz) {
			*ret = ph[i].p_offset + (va - ph[i].p_vaddr);
			return 0;
		}
	}
	return -EBADMSG;
}

static char *str_at(const char *b, size_t len, uint64_t strtab, uint64_t strsz, uint64_t idx)
{
	size_t n;

	if (idx >= strsz || strtab > len || strsz > len - strtab)
		return NULL;
	n = strnlen(b + strtab + idx, (size_t)(strsz - idx));
	if (n == strsz - idx)
		return NULL; /* not terminated inside the table */
	return strndup(b + strtab + idx, n);
}

static int parse_dynamic(const char *b, size_t len, const Elf64_Phdr *ph, size_t phnum,
			 const Elf64_Phdr *dyn, struct elfdeps *d, struct kx_diag *diag)
{
	Elf64_Dyn e[DYN_MAX];
	uint64_t strtab_va = 0, strsz = 0, strtab, rpath = UINT64_MAX, runpath = UINT64_MAX;
	uint64_t needed[ELFDEPS_NEEDED_MAX];
	size_t n, nn = 0;

	if (dyn->p_offset > len || dyn->p_filesz > len - dyn->p_offset)
		return kx_diag_set(diag, -EBADMSG, 0, "PT_DYNAMIC is past the end of the file");
	n = dyn->p_filesz / sizeof(Elf64_Dyn);
	if (n > DYN_MAX)
		return kx_diag_set(diag, -EBADMSG, 0, "PT_DYNAMIC has %zu entries", n);
	memcpy(e, b + dyn->p_offset, n * sizeof(Elf64_Dyn));
	for (size_t i = 0; i < n && e[i].d_tag != DT_NULL; i++) {
		switch (e[i].d_tag) {
		case DT_STRTAB: strtab_va = e[i].d_un.d_ptr; break;
		case DT_STRSZ: strsz = e[i].d_un.d_val; break;
		case DT_RPATH: rpath = e[i].d_un.d_val; break;
		case DT_RUNPATH: runpath = e[i].d_un.d_val; break;
		case DT_NEEDED:
			if (nn == ELFDEPS_NEEDED_MAX)
				return kx_diag_set(diag, -EBADMSG, 0, "more than %d DT_NEEDED entries",
						   ELFDEPS_NEEDED_MAX);
			needed[nn++] = e[i].d_un.d_val;
			break;
		}
	}
	if (!nn && rpath == UINT64_MAX && runpath == UINT64_MAX)
		return 0;
	if (!strtab_va || va_to_off(ph, phnum, strtab_va, &strtab) < 0)
		return kx_diag_set(diag, -EBADMSG, 0, "DT_STRTAB is not in a PT_LOAD");
	for (size_t i = 0; i < nn; i++) {
		d->needed[i] = str_at(b, len, strtab, strsz, needed[i]);
		if (!d->needed[i])
			return kx_diag_set(diag, -EBADMSG, 0, "DT_NEEDED string %zu is out of bounds", i);
		d->n_needed = i + 1;
	}
	if (runpath != UINT64_MAX || rpath != UINT64_MAX) {
		d->runpath = str_at(b, len, strtab, strsz, runpath != UINT64_MAX ? runpath : rpath);
		if (!d->runpath)
			return kx_diag_set(diag, -EBADMSG, 0, "DT_RUNPATH string is out of bounds");
	}
	return 0;
}

int elfdeps_parse(const void *buf, size_t len, struct elfdeps *ret, struct kx_diag *diag)
{
	const char *b = buf;
	struct elfdeps d = { 0 };
	Elf64_Ehdr eh;
	Elf64_Phdr ph[PHNUM_MAX];
	int r = 0;

	if (len < sizeof(eh) || memcmp(b, ELFMAG, SELFMAG) != 0 || b[EI_CLASS] != ELFCLASS64 ||
	    b[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	memcpy(&eh, b, sizeof(eh));
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > PHNUM_MAX ||
	    eh.e_phoff > len || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
		return kx_diag_set(diag, -EBADMSG, 0, "program headers are out of bounds");
	memcpy(ph, b + eh.e_phoff, eh.e_phnum * sizeof(Elf64_Phdr));
	for (size_t i = 0; i < eh.e_phnum && r == 0; i++) {
		if (ph[i].p_type == PT_INTERP) {
			if (d.interp || ph[i].p_offset > len || ph[i].p_filesz > len - ph[i].p_offset ||
			    ph[i].p_filesz < 2 || ph[i].p_filesz > 4096 ||
			    b[ph[i].p_offset + ph[i].p_filesz - 1] != 0) {
				r = kx_diag_set(diag, -EBADMSG, 0, "bad PT_INTERP");
				break;
			}
			d.interp = strdup(b + ph[i].p_offset);
			if (!d.interp)
				r = -ENOMEM;
		} else if (ph[i].p_type == PT_DYNAMIC && !d.dynamic) {
			d.dynamic = true;
			r = parse_dynamic(b, len, ph, eh.e_phnum, &ph[i], &d, diag);
		}
	}
	if (r < 0) {
		elfdeps_deinit(&d);
		return r;
	}
	*ret = d;
	return 0;
}

void elfdeps_deinit(struct elfdeps *d)
{
	if (!d)
		return;
	free(d->interp);
	for (size_t i = 0; i < d->n_needed; i++)
		free(d->needed[i]);
	free(d->runpath);
	memset(d, 0, sizeof(*d));
}
