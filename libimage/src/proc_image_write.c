/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing a suspend image: data first (memory and pipe bytes, appended
 * page-aligned from offset 4096 as the dumper reads them, through the
 * asynchronous aligned writes of sink.c), then the notes, the program
 * headers, and last the ELF header, so that a file cut short never looks
 * like an image. Layout in docs/FORMAT.md. */
#include <limits.h>
#include <sys/uio.h>

#include "proc_image.h"
#include "sink.h"

struct s3img_proc_writer {
	int fd;
	struct sink sink;      /* asynchronous aligned writes (sink.c) */
	struct stream data;    /* the data area, from S3_PAGE_SIZE on */
	bool open;
	int err;               /* sticky */
};

_public_ int s3img_proc_writer_new(int out_fd, const struct s3img_proc_write_opts *opts,
				   struct s3img_proc_writer **ret)
{
	struct s3img_proc_writer *w;
	int r;

	if (out_fd < 0)
		return -EBADF;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = out_fd;
	r = sink_open(&w->sink, out_fd, opts ? opts->direct_fd : -1, opts ? opts->io : S3IMG_IO_AUTO,
		      false);
	if (r < 0) {
		free(w);
		return r;
	}
	w->open = true;
	stream_init(&w->data, &w->sink, S3_PAGE_SIZE);
	*ret = w;
	return 0;
}

_public_ void s3img_proc_writer_free(struct s3img_proc_writer *w)
{
	if (!w)
		return;
	if (w->open)
		sink_close(&w->sink);
	free(w);
}

_public_ enum s3img_io s3img_proc_writer_io(const struct s3img_proc_writer *w)
{
	return w->sink.used;
}

_public_ int s3img_proc_writer_data(struct s3img_proc_writer *w, const struct iovec *iov,
				    size_t iovcnt, uint64_t *ret_offset)
{
	static const uint8_t zeros[S3_PAGE_SIZE];
	uint64_t start = w->data.pos, total = 0;
	int r = w->err;

	for (size_t k = 0; r == 0 && k < iovcnt; k++) {
		r = stream_write(&w->data, iov[k].iov_base, iov[k].iov_len);
		total += iov[k].iov_len;
	}
	/* Every piece starts on a page: memory runs stay mappable. */
	if (r == 0 && total % S3_PAGE_SIZE)
		r = stream_write(&w->data, zeros, S3_PAGE_SIZE - total % S3_PAGE_SIZE);
	if (r < 0)
		return w->err = r;
	*ret_offset = start;
	return 0;
}

struct phdr_list {
	Elf64_Phdr *ph;
	size_t n;
	bool first;         /* process 0: standard types */
	uint64_t last_end;  /* file offset after the last stored tile */
};

static int add_load(void *ctx, const struct s3img_proc_vma *vma, const struct tile *t)
{
	struct phdr_list *l = ctx;

	/* Empty segments keep offsets ascending, as kernel cores do:
	 * libdwfl reads a run of segments as contiguous file data. */
	if (t->stored)
		l->last_end = t->offset + t->len;
	l->ph[l->n++] = (Elf64_Phdr){
		.p_type = l->first ? PT_LOAD : PT_SUSPEND3_LOAD,
		.p_flags = vma_phdr_flags(vma),
		.p_offset = t->stored ? t->offset : l->last_end,
		.p_vaddr = t->vaddr,
		.p_filesz = t->stored ? t->len : 0,
		.p_memsz = t->len,
		.p_align = S3_PAGE_SIZE,
	};
	return 0;
}

_public_ int s3img_proc_writer_finish(struct s3img_proc_writer *w, const struct s3img_proc_image *img,
				      struct s3img_diag *diag)
{
	struct nbuf notes = { 0 };
	struct phdr_list l = { 0 };
	size_t *seg_end = NULL, nph = 0;
	uint64_t notes_off, phoff, shoff, end;
	Elf64_Ehdr eh;
	int r;

	if (w->err)
		return diag_err(diag, w->err, UINT64_MAX, "cannot write the image: %s", strerror(-w->err));
	/* The data area is complete once every write has landed. */
	r = stream_finish(&w->data, &notes_off);
	if (r == 0)
		r = sink_finish(&w->sink);
	if (r < 0)
		goto io;
	r = proc_model_check(img, notes_off, diag);
	if (r < 0)
		return r;
	seg_end = calloc(img->nprocs, sizeof(*seg_end));
	if (!seg_end)
		return -ENOMEM;
	/* Segment 0: the header and global notes, then process 0. */
	proc_notes_global(&notes, img);
	for (size_t i = 0; i < img->nprocs; i++) {
		proc_notes_process(&notes, img, i, true);
		seg_end[i] = notes.len;
		nph += 1 + proc_count_tiles(&img->procs[i]);
	}
	if (notes.err) {
		r = notes.err;
		goto out;
	}
	if (nph > S3_MAX_PHNUM) {
		r = diag_err(diag, -E2BIG, UINT64_MAX, "%zu program headers are too many", nph);
		goto out;
	}
	l.ph = calloc(nph, sizeof(*l.ph));
	if (!l.ph) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < img->nprocs; i++) {
		size_t start = i ? seg_end[i - 1] : 0;

		l.first = i == 0;
		l.last_end = S3_PAGE_SIZE;
		l.ph[l.n++] = (Elf64_Phdr){
			.p_type = i ? PT_SUSPEND3_NOTE : PT_NOTE,
			.p_offset = notes_off + start,
			.p_filesz = seg_end[i] - start,
			.p_align = 4,
		};
		proc_for_each_tile(&img->procs[i], add_load, &l);
	}
	r = pwrite_full(w->fd, notes.data, notes.len, notes_off);
	if (r < 0)
		goto io;
	phoff = ALIGN_UP(notes_off + notes.len, 8);
	r = core_write_phdrs(w->fd, l.ph, l.n, phoff, &shoff);
	if (r < 0)
		goto io;
	/* The sink preallocates ahead: cut the file to what was written. */
	end = shoff ? shoff + sizeof(Elf64_Shdr) : phoff + l.n * sizeof(Elf64_Phdr);
	if (ftruncate(w->fd, (off_t)end) < 0) {
		r = -errno;
		goto io;
	}
	/* The header goes last, and only once the rest is on disk. */
	if (fdatasync(w->fd) < 0 && errno != EINVAL) {
		r = -errno;
		goto io;
	}
	core_ehdr(&eh, phoff, l.n, shoff);
	r = pwrite_full(w->fd, &eh, sizeof(eh), 0);
	if (r < 0)
		goto io;
	if (fsync(w->fd) < 0 && errno != EINVAL) {
		r = -errno;
		goto io;
	}
	r = 0;
	goto out;
io:
	diag_err(diag, r, UINT64_MAX, "cannot write the image: %s", strerror(-r));
	w->err = r;
out:
	free(l.ph);
	free(seg_end);
	nbuf_deinit(&notes);
	return r;
}
