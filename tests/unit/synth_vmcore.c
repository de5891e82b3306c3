/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Write a small synthetic x86_64 ELF vmcore from a fixed spec, for tests
 * that need no QEMU: notes (2 CPUs, VMCOREINFO), a partial first RAM range
 * (0 - 0x9fc00), a hole, 8 MiB of RAM with a per-pfn pattern and some zero
 * pages, a kernel-text alias segment, and init_uts_ns in RAM.
 *
 * usage: synth_vmcore OUT [--big|--tiny|--sparse-gib=N]
 *   --big: 64 MiB of RAM instead of 8; --tiny: 15 KiB + 64 KiB (fuzz seeds);
 *   --sparse-gib=N: N GiB of RAM, all zero but init_uts_ns, as a sparse file */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PS 4096
#define KMAP 0xffffffff80000000ull
#define PAGE_OFFSET 0xffff888000000000ull
static uint64_t UTS_PA = 0x200000ull;

struct note_buf {
	uint8_t b[8192];
	size_t n;
};

static void note_add(struct note_buf *nb, const char *name, uint32_t type, const void *desc, uint32_t dlen)
{
	uint32_t nsz = (uint32_t)strlen(name) + 1;
	memcpy(nb->b + nb->n, &nsz, 4);
	memcpy(nb->b + nb->n + 4, &dlen, 4);
	memcpy(nb->b + nb->n + 8, &type, 4);
	nb->n += 12;
	memcpy(nb->b + nb->n, name, nsz);
	nb->n += (nsz + 3) & ~3u;
	memcpy(nb->b + nb->n, desc, dlen);
	nb->n += (dlen + 3) & ~3u;
}

/* Content of physical page pfn: zero for every 7th page, else a pattern. */
static void fill_page(uint64_t pfn, uint8_t *p)
{
	if (pfn % 7 == 3) {
		memset(p, 0, PS);
		return;
	}
	for (size_t i = 0; i < PS / 8; i++) {
		uint64_t v = (pfn << 20) ^ (i * 0x9e3779b97f4a7c15ull);
		if (pfn % 5 == 0)
			v = pfn; /* very compressible */
		memcpy(p + i * 8, &v, 8);
	}
	if (pfn * PS == UTS_PA) {
		static const char *uts[6] = { "Linux", "synth", "6.1.0-synth", "#1 SMP synthetic",
					      "x86_64", "(none)" };
		memset(p, 0, 4 + 6 * 65);
		for (int i = 0; i < 6; i++)
			strcpy((char *)p + 4 + i * 65, uts[i]);
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";
	uint64_t ram = strcmp(mode, "--big") == 0 ? 64 << 20 : 8 << 20;
	struct { uint64_t pa, sz, va; } segs[] = {
		{ 0, 0x9fc00, PAGE_OFFSET },
		{ 0x100000, ram, PAGE_OFFSET + 0x100000 },
		{ 0x200000, 0x100000, KMAP + 0x200000 },
	};
	uint64_t sparse_gib = 0;
	if (strncmp(mode, "--sparse-gib=", 13) == 0) {
		sparse_gib = strtoull(mode + 13, NULL, 10);
		if (sparse_gib == 0 || sparse_gib > 1024)
			return 2;
		segs[1].sz = sparse_gib << 30;
	}
	if (strcmp(mode, "--tiny") == 0) {
		segs[0].sz = 0x3c00;
		segs[1].sz = 0x10000;
		segs[2].pa = 0x100000;
		segs[2].sz = 0x4000;
		UTS_PA = 0x100000;
	}
	struct note_buf nb = { .n = 0 };
	uint8_t prstatus[336] = { 0 }, page[PS];
	char vmci[2048];
	int fd, n;

	if (argc < 2) {
		fprintf(stderr, "usage: synth_vmcore OUT [--big|--tiny]\n");
		return 2;
	}
	segs[2].va = KMAP + segs[2].pa;
	segs[1].va = PAGE_OFFSET + segs[1].pa;
	for (int cpu = 0; cpu < 2; cpu++) {
		uint32_t pid = 100 + (uint32_t)cpu;
		memcpy(prstatus + 32, &pid, 4);
		note_add(&nb, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	}
	n = snprintf(vmci, sizeof(vmci),
		     "OSRELEASE=6.1.0-synth\nBUILD-ID=0123456789abcdef\nPAGESIZE=4096\n"
		     "SYMBOL(init_uts_ns)=%llx\nOFFSET(uts_namespace.name)=4\n"
		     "SYMBOL(init_top_pgt)=%llx\nNUMBER(pgtable_l5_enabled)=0\n"
		     "SIZE(page)=64\nLENGTH(mem_section)=2048\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
		     "NUMBER(phys_base)=0\nKERNELOFFSET=0\nCRASHTIME=1764500000\n",
		     (unsigned long long)(KMAP + UTS_PA), (unsigned long long)(KMAP + 0x300000));
	note_add(&nb, "VMCOREINFO", 0, vmci, (uint32_t)n);

	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	size_t nseg = sizeof(segs) / sizeof(segs[0]);
	uint64_t off = sizeof(Elf64_Ehdr) + (nseg + 1) * sizeof(Elf64_Phdr);
	Elf64_Ehdr eh = { .e_type = ET_CORE, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			  .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
			  .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = (uint16_t)(nseg + 1) };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	if (pwrite(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		return 1;
	Elf64_Phdr ph = { .p_type = PT_NOTE, .p_offset = off, .p_filesz = nb.n, .p_memsz = nb.n };
	if (pwrite(fd, &ph, sizeof(ph), sizeof(eh)) != sizeof(ph) ||
	    pwrite(fd, nb.b, nb.n, (off_t)off) != (ssize_t)nb.n)
		return 1;
	off = (off + nb.n + PS - 1) / PS * PS;
	for (size_t i = 0; i < nseg; i++) {
		ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_offset = off,
				   .p_vaddr = segs[i].va, .p_paddr = segs[i].pa,
				   .p_filesz = segs[i].sz, .p_memsz = segs[i].sz };
		if (pwrite(fd, &ph, sizeof(ph), (off_t)(sizeof(eh) + (i + 1) * sizeof(ph))) != sizeof(ph))
			return 1;
		for (uint64_t a = 0; a < segs[i].sz; a += PS) {
			uint64_t len = segs[i].sz - a < PS ? segs[i].sz - a : PS;
			if (sparse_gib && segs[i].pa + a != UTS_PA && i == 1)
				continue; /* a hole reads as zeros */
			fill_page((segs[i].pa + a) / PS, page);
			if (pwrite(fd, page, len, (off_t)(off + a)) != (ssize_t)len)
				return 1;
		}
		off += segs[i].sz;
	}
	if (ftruncate(fd, (off_t)off) < 0)
		return 1;
	return close(fd) == 0 ? 0 : 1;
}
