/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the VMCOREINFO text parser and its typed look-ups. */
#include <stdint.h>
#include <stddef.h>

#include <suspend3/image.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3img_vmcoreinfo *vi;
	struct s3img_diag diag;
	uint64_t u;
	int64_t s;

	if (s3img_vmcoreinfo_parse((const char *)data, size, &vi, &diag) < 0)
		return 0;
	for (size_t i = 0; i < s3img_vmcoreinfo_count(vi); i++) {
		const char *k, *v;
		s3img_vmcoreinfo_entry(vi, i, &k, &v);
	}
	s3img_vmcoreinfo_symbol(vi, "init_top_pgt", &u);
	s3img_vmcoreinfo_number(vi, "phys_base", &s);
	s3img_vmcoreinfo_offset(vi, "page.flags", &s);
	s3img_vmcoreinfo_size(vi, "page", &s);
	s3img_vmcoreinfo_length(vi, "mem_section", &s);
	s3img_vmcoreinfo_get(vi, "OSRELEASE");
	s3img_vmcoreinfo_free(vi);
	return 0;
}
