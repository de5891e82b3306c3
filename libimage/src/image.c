/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening images: sources, format probing, notes, the common read API. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "internal.h"

/* A file opened by path: mapped when the kernel lets us, else pread. */
struct owned_source {
	int fd;
	void *map;
	struct s3img_source src;
};

static int fd_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct owned_source *os = ctx;
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pread(os->fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EBADMSG; /* file shorter than it said */
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int owned_source_open(const char *path, unsigned flags, struct owned_source *os)
{
	struct stat st;

	os->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (os->fd < 0)
		return -errno;
	if (fstat(os->fd, &st) < 0) {
		int r = -errno;
		close(os->fd);
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		close(os->fd);
		return -EISDIR;
	}
	os->src.size = (uint64_t)st.st_size;
	os->src.pread = fd_pread;
	os->src.ctx = os;
	os->src.name = path;
	os->map = NULL;
	if (S_ISREG(st.st_mode) && st.st_size > 0 && !(flags & S3IMG_OPEN_NO_MMAP)) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, os->fd, 0);
		if (m != MAP_FAILED) {
			os->map = m;
			os->src.map = m;
		}
	}
	if (!S_ISREG(st.st_mode))
		return -EINVAL; /* pipes: use the flattened reader on a file instead */
	return 0;
}

static void owned_source_close(struct owned_source *os)
{
	if (os->map)
		munmap(os->map, (size_t)os->src.size);
	if (os->fd >= 0)
		close(os->fd);
}

_public_ void s3img_free(struct s3img *img)
{
	if (!img)
		return;
	if (img->ops && img->ops->close)
		img->ops->close(img);
	s3img_vmcoreinfo_free(img->vi);
	free(img->notes);
	free(img->loads);
	free(img->pagebuf);
	for (size_t i = 0; i < img->nowned; i++)
		owned_source_close(&img->owned[i]);
	free(img->owned);
	free(img);
}

static const struct fmt_ops *const formats[] = { &kdump_ops, &elf_ops, &flat_ops };

static int image_probe_open(struct s3img *img, struct s3img_diag *diag)
{
	uint8_t head[64];
	size_t n = img->src->size < sizeof(head) ? (size_t)img->src->size : sizeof(head);
	int r;

	if (n == 0)
		return diag_bad(diag, 0, "file is empty");
	r = source_read(img->src, head, n, 0, diag, "file header");
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		if (!formats[i]->probe(head, n))
			continue;
		img->ops = formats[i];
		r = img->ops->open(img, diag);
		if (r < 0)
			return r;
		img->info.file_size = img->src->size;
		return 0;
	}
	return diag_err(diag, -EPROTONOSUPPORT, 0,
			"not an ELF vmcore, a kdump-compressed file or a flattened dump (unknown magic)");
}

_public_ int s3img_open_source(const struct s3img_source *src, struct s3img **ret,
			       struct s3img_diag *diag)
{
	struct s3img *img = calloc(1, sizeof(*img));
	int r;

	if (!img)
		return -ENOMEM;
	img->src = src;
	img->info.dump_level = -1;
	r = image_probe_open(img, diag);
	if (r < 0) {
		s3img_free(img);
		return r;
	}
	*ret = img;
	return 0;
}

_public_ int s3img_open(const char *path, struct s3img **ret, struct s3img_diag *diag)
{
	return s3img_open_flags(&path, 1, 0, ret, diag);
}

_public_ int s3img_open_split(const char *const *paths, size_t n, struct s3img **ret,
			      struct s3img_diag *diag)
{
	return s3img_open_flags(paths, n, 0, ret, diag);
}


_public_ int s3img_open_flags(const char *const *paths, size_t n, unsigned flags,
			      struct s3img **ret, struct s3img_diag *diag)
{
	struct s3img *img;
	int r;

	if (n == 0 || n > 1024)
		return -EINVAL;
	img = calloc(1, sizeof(*img));
	if (!img)
		return -ENOMEM;
	img->info.dump_level = -1;
	img->owned = calloc(n, sizeof(*img->owned));
	if (!img->owned) {
		free(img);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		img->owned[i].fd = -1;
		r = owned_source_open(paths[i], flags, &img->owned[i]);
		img->nowned = i + 1;
		if (r < 0) {
			diag_err(diag, r, UINT64_MAX, "cannot open '%s': %s", paths[i], strerror(-r));
			goto fail;
		}
	}
	img->src = &img->owned[0].src;
	r = image_probe_open(img, diag);
	if (r < 0)
		goto fail;
	if (n > 1) {
		if (img->ops != &kdump_ops) {
			r = diag_err(diag, -EINVAL, UINT64_MAX,
				     "several files given but '%s' is not a kdump-compressed split file", paths[0]);
			goto fail;
		}
		r = kdump_join_parts(img, n, diag);
		if (r < 0)
			goto fail;
	}
	*ret = img;
	return 0;
fail:
	s3img_free(img);
	return r;
}

const struct s3img_source *image_owned_source(struct s3img *img, size_t i)
{
	return i < img->nowned ? &img->owned[i].src : NULL;
}

_public_ const struct s3img_info *s3img_get_info(const struct s3img *img)
{
	return &img->info;
}

_public_ const char *s3img_format_name(enum s3img_format f)
{
	switch (f) {
	case S3IMG_FORMAT_ELF: return "elf";
	case S3IMG_FORMAT_KDUMP: return "kdump";
	case S3IMG_FORMAT_FLAT: return "flat";
	default: return "unknown";
	}
}

/* ---- Notes ------------------------------------------------------ */

#define NOTE_MAX_FIELD (64u << 20)

_public_ int s3img_note_next(const void *blob, size_t len, size_t *pos, struct s3img_note *ret)
{
	const uint8_t *p = blob;
	size_t off = *pos, name_off, desc_off, end;
	uint32_t namesz, descsz;

	/* Trailing zero padding (as /proc/vmcore leaves) ends the walk. */
	if (off >= len || len - off < 12)
		return 0;
	namesz = get_le32(p + off);
	descsz = get_le32(p + off + 4);
	if (namesz == 0 && descsz == 0 && get_le32(p + off + 8) == 0)
		return 0;
	if (namesz > NOTE_MAX_FIELD || descsz > NOTE_MAX_FIELD)
		return -EBADMSG;
	name_off = off + 12;
	desc_off = name_off + ALIGN_UP((size_t)namesz, 4);
	end = desc_off + ALIGN_UP((size_t)descsz, 4);
	if (desc_off > len || end > len) {
		/* The last note may lack its final padding. */
		if (desc_off + descsz > len || desc_off > len)
			return -EBADMSG;
		end = len;
	}
	ret->namesz = namesz;
	ret->descsz = descsz;
	ret->type = get_le32(p + off + 8);
	ret->name = (const char *)p + name_off;
	ret->desc = p + desc_off;
	ret->offset = off;
	*pos = end;
	return 1;
}

static bool note_name_is(const struct s3img_note *n, const char *name)
{
	size_t l = strlen(name);
	/* namesz counts the NUL; tolerate its absence. */
	return (n->namesz == l + 1 || n->namesz == l) && memcmp(n->name, name, l) == 0;
}

#define NT_PRSTATUS_TYPE 1
#define PRSTATUS_X86_64_SIZE 336

int image_parse_notes(struct s3img *img, struct s3img_diag *diag)
{
	struct s3img_note n;
	size_t pos = 0;
	int r, cpus = 0;
	uint64_t v;

	while ((r = s3img_note_next(img->notes, img->notes_len, &pos, &n)) > 0) {
		if (note_name_is(&n, "CORE") && n.type == NT_PRSTATUS_TYPE)
			cpus++;
		else if (note_name_is(&n, "VMCOREINFO")) {
			img->vmcoreinfo_text = n.desc;
			img->vmcoreinfo_len = n.descsz;
		}
	}
	if (r < 0)
		return diag_bad(diag, UINT64_MAX, "corrupt ELF note at offset %zu of the note data", pos);
	img->info.nr_cpus = cpus;
	if (img->vmcoreinfo_text) {
		s3img_vmcoreinfo_free(img->vi);
		img->vi = NULL;
		r = s3img_vmcoreinfo_parse(img->vmcoreinfo_text, img->vmcoreinfo_len, &img->vi, diag);
		if (r < 0)
			return r;
		if (vmcoreinfo_dec(img->vi, "CRASHTIME", &v) == 0)
			img->info.crash_time = v;
		if (vmcoreinfo_dec(img->vi, "PAGESIZE", &v) == 0 && !img->info.page_size)
			img->info.page_size = (uint32_t)v;
		const char *rel = s3img_vmcoreinfo_get(img->vi, "OSRELEASE");
		if (rel && !img->info.release[0])
			snprintf(img->info.release, sizeof(img->info.release), "%s", rel);
	}
	return 0;
}

_public_ const void *s3img_notes(const struct s3img *img, size_t *ret_len)
{
	*ret_len = img->notes_len;
	return img->notes;
}

_public_ const struct s3img_vmcoreinfo *s3img_get_vmcoreinfo(const struct s3img *img)
{
	return img->vi;
}

_public_ const char *s3img_vmcoreinfo_text(const struct s3img *img, size_t *ret_len)
{
	*ret_len = img->vmcoreinfo_len;
	return img->vmcoreinfo_text;
}

_public_ int s3img_prstatus(const struct s3img *img, int cpu, struct s3img_prstatus *ret)
{
	struct s3img_note n;
	size_t pos = 0;
	int r, i = 0;

	while ((r = s3img_note_next(img->notes, img->notes_len, &pos, &n)) > 0) {
		if (!note_name_is(&n, "CORE") || n.type != NT_PRSTATUS_TYPE)
			continue;
		if (i++ != cpu)
			continue;
		if (n.descsz < PRSTATUS_X86_64_SIZE)
			return -EBADMSG;
		const uint8_t *d = n.desc;
		/* elf_prstatus: pr_pid @32; pr_reg (27 x u64) @112. */
		ret->pid = (int32_t)get_le32(d + 32);
		ret->rbp = get_le64(d + 112 + 4 * 8);
		ret->rip = get_le64(d + 112 + 16 * 8);
		ret->rsp = get_le64(d + 112 + 19 * 8);
		ret->cr3_unused = 0;
		return 0;
	}
	return r < 0 ? -EBADMSG : -ENOENT;
}

/* ---- Memory ----------------------------------------------------- */

_public_ enum s3img_page_state s3img_page_state(struct s3img *img, uint64_t pfn)
{
	if (pfn >= img->info.max_pfn)
		return S3IMG_PAGE_NOT_RAM;
	return img->ops->page_state(img, pfn);
}

_public_ int s3img_read_pfn(struct s3img *img, uint64_t pfn, void *buf, struct s3img_diag *diag)
{
	if (pfn >= img->info.max_pfn)
		return -ENXIO;
	return img->ops->read_pfn(img, pfn, buf, diag);
}

_public_ int s3img_pfn_is_shared_zero(struct s3img *img, uint64_t pfn)
{
	if (!img->ops->is_shared_zero || pfn >= img->info.max_pfn)
		return 0;
	return img->ops->is_shared_zero(img, pfn);
}

static int ensure_pagebuf(struct s3img *img)
{
	if (!img->pagebuf) {
		img->pagebuf = malloc(img->info.page_size);
		if (!img->pagebuf)
			return -ENOMEM;
	}
	return 0;
}

_public_ int s3img_read_phys(struct s3img *img, uint64_t paddr, void *buf, size_t len,
			     struct s3img_diag *diag)
{
	uint32_t ps = img->info.page_size;
	uint8_t *out = buf;
	int r = ensure_pagebuf(img);

	if (r < 0)
		return r;
	while (len > 0) {
		uint64_t pfn = paddr / ps;
		size_t in = paddr % ps, n = ps - in;
		/* Whole pages straight into buf, one read where the input
		 * allows (the filter reads the mem_map 32 KiB at a time). */
		if (in == 0 && len >= ps) {
			n = len / ps > UINT32_MAX ? (size_t)UINT32_MAX * ps : len / ps * ps;
			r = elf_read_pfns(img, pfn, (uint32_t)(n / ps), out, diag);
			if (r == 0) {
				out += n;
				paddr += n;
				len -= n;
				continue;
			}
			if (r != -EAGAIN)
				return r;
			n = ps;
		}
		if (n > len)
			n = len;
		r = s3img_read_pfn(img, pfn, img->pagebuf, diag);
		if (r < 0)
			return r;
		memcpy(out, img->pagebuf + in, n);
		out += n;
		paddr += n;
		len -= n;
	}
	return 0;
}

_public_ int s3img_kvtop(struct s3img *img, uint64_t kvaddr, uint64_t *ret_paddr)
{
	return x86_64_vtop(img, kvaddr, ret_paddr, NULL);
}

_public_ int s3img_read_kvaddr(struct s3img *img, uint64_t kvaddr, void *buf, size_t len,
			       struct s3img_diag *diag)
{
	uint32_t ps = img->info.page_size;
	uint8_t *out = buf;

	while (len > 0) {
		uint64_t pa, next_pa;
		size_t n = ps - (kvaddr % ps);
		int r;
		if (n > len)
			n = len;
		r = x86_64_vtop(img, kvaddr, &pa, diag);
		if (r < 0)
			return r;
		/* Extend over pages that follow on physically (large pages). */
		while (n < len && x86_64_vtop(img, kvaddr + n, &next_pa, NULL) == 0 && next_pa == pa + n)
			n += len - n < ps ? len - n : ps;
		r = s3img_read_phys(img, pa, out, n, diag);
		if (r < 0)
			return r;
		out += n;
		kvaddr += n;
		len -= n;
	}
	return 0;
}

_public_ int s3img_count_pages(struct s3img *img, struct s3img_page_counts *ret)
{
	struct s3img_page_counts c = { 0 };

	for (uint64_t pfn = 0; pfn < img->info.max_pfn; pfn++) {
		switch (img->ops->page_state(img, pfn)) {
		case S3IMG_PAGE_DUMPED:
			c.ram++;
			c.dumped++;
			if (img->ops->is_shared_zero && img->ops->is_shared_zero(img, pfn) > 0)
				c.zero++;
			break;
		case S3IMG_PAGE_EXCLUDED:
			c.ram++;
			c.excluded++;
			break;
		default:
			break;
		}
	}
	*ret = c;
	return 0;
}

/* ---- utsname and dmesg ------------------------------------------ */

static int kread_cb(void *ctx, uint64_t kvaddr, void *buf, size_t len)
{
	return s3img_read_kvaddr(ctx, kvaddr, buf, len, NULL);
}

int image_read_utsname(struct s3img *img, char uts[6][65])
{
	uint64_t sym;
	int64_t off;
	int r;

	if (!img->vi)
		return -ENOENT;
	r = s3img_vmcoreinfo_symbol(img->vi, "init_uts_ns", &sym);
	if (r < 0)
		return r;
	r = s3img_vmcoreinfo_offset(img->vi, "uts_namespace.name", &off);
	if (r < 0)
		return r;
	if (off < 0 || off > 4096)
		return -EBADMSG;
	r = s3img_read_kvaddr(img, sym + (uint64_t)off, uts, 6 * 65, NULL);
	if (r < 0)
		return r;
	for (int i = 0; i < 6; i++)
		uts[i][64] = '\0';
	return 0;
}

_public_ int s3img_dmesg(struct s3img *img, s3img_emit_fn emit, void *ctx, struct s3img_diag *diag)
{
	struct s3img_kread rd = { .read = kread_cb, .ctx = img };

	if (!img->vi)
		return diag_err(diag, -ENOENT, UINT64_MAX, "the dump has no VMCOREINFO note");
	return s3img_printk_dump(img->vi, &rd, emit, ctx, diag);
}
