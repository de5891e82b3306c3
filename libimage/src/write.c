/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* s3img_write(): pick the writer, handle streams and incompleteness. */
#include <stdio.h>

#include "internal.h"
#include "write_common.h"

int write_utsname(struct s3img *img, char uts[6][65], struct s3img_diag *diag)
{
	const struct s3img_info *in = &img->info;

	memset(uts, 0, 6 * 65);
	if (in->sysname[0] && in->release[0] && in->machine[0]) {
		memcpy(uts[0], in->sysname, 64);
		memcpy(uts[1], in->nodename, 64);
		memcpy(uts[2], in->release, 64);
		memcpy(uts[3], in->version, 64);
		memcpy(uts[4], in->machine, 64);
		memcpy(uts[5], in->domainname, 64);
		return 0;
	}
	if (image_read_utsname(img, uts) == 0 && uts[0][0] && uts[2][0])
		return 0;
	/* Readers need a real utsname (REFERENCE 3, rule 5): refuse rather
	 * than invent one. */
	return diag_err(diag, -ENOENT, UINT64_MAX,
			"cannot read the kernel's utsname (init_uts_ns) from the input");
}

_public_ int s3img_write(struct s3img *img, int out_fd, const struct s3img_write_opts *opts,
			 struct s3img_write_stats *ret_stats, struct s3img_diag *diag)
{
	struct s3img_write_stats st = { 0 };
	struct sink o;
	enum s3img_format fmt = opts->format;
	bool flat = fmt == S3IMG_FORMAT_FLAT;
	int r;

	if (opts->dump_level < 0 || opts->dump_level > 31)
		return diag_err(diag, -EINVAL, UINT64_MAX, "dump level %d is not in 0..31", opts->dump_level);
	if (opts->compress & ~s3img_compress_supported() ||
	    (opts->compress & (opts->compress - 1)))
		return diag_err(diag, -EOPNOTSUPP, UINT64_MAX, "compression %#x is not supported", opts->compress);
	if (fmt != S3IMG_FORMAT_ELF && fmt != S3IMG_FORMAT_KDUMP && fmt != S3IMG_FORMAT_FLAT)
		return -EINVAL;
	_cleanup_free_ uint8_t *keep = NULL;
	if (opts->dump_level & 0x1e) {
		struct s3img_filter_stats fs;
		r = s3img_filter(img, opts->dump_level, &keep, &fs, diag);
		if (r < 0)
			return r;
		st.filter = fs;
		img->keep = keep;
	}
	r = sink_open(&o, out_fd, opts->direct_fd, opts->io, flat);
	if (r < 0) {
		sink_close(&o);
		img->keep = NULL;
		return diag_err(diag, r, UINT64_MAX, "cannot set up %s writes: %s",
				s3img_io_name(opts->io), strerror(-r));
	}
	st.io = o.used;
	st.direct = o.dfd >= 0;
	if (fmt == S3IMG_FORMAT_ELF)
		r = elf_write(img, &o, opts, &st, diag);
	else
		r = kdump_write(img, &o, opts, &st, diag);
	if (r == 0)
		r = sink_finish(&o);
	if (r < 0 && o.err == r && diag && !diag->reason[0])
		diag_err(diag, r, UINT64_MAX, "cannot write the output: %s", strerror(-r));
	st.bytes_written = o.bytes;
	sink_close(&o);
	img->keep = NULL;
	if (ret_stats)
		*ret_stats = st;
	return r;
}
