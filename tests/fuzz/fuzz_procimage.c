/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the process suspend image (headers, note segments, every
 * record), then memory reads through the runs and the core export. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <suspend3/image.h>

static void exercise(struct s3img_proc *h)
{
	const struct s3img_proc_image *img = s3img_proc_get_image(h);
	uint8_t buf[8192];
	int null_fd;

	for (size_t p = 0; p < img->nprocs; p++) {
		const struct s3img_proc_process *pr = &img->procs[p];
		for (size_t v = 0; v < pr->nvmas && v < 64; v++) {
			const struct s3img_proc_vma *vma = &pr->vmas[v];
			s3img_proc_read_memory(h, p, vma->start, buf, sizeof(buf), NULL);
			s3img_proc_read_memory(h, p, vma->end - 16, buf, 32, NULL);
			for (size_t r = 0; r < vma->nruns && r < 16; r++)
				s3img_proc_read_memory(h, p, vma->runs[r].vaddr, buf, 64, NULL);
		}
	}
	for (size_t i = 0; i < img->npipes; i++)
		if (img->pipes[i].data_len)
			s3img_proc_read_data(h, img->pipes[i].data_offset, buf,
					     img->pipes[i].data_len < sizeof(buf) ? img->pipes[i].data_len : sizeof(buf),
					     NULL);
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd >= 0) {
		s3img_proc_write_core(h, 0, null_fd, NULL);
		close(null_fd);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3img_source src = { .map = data, .size = size, .name = "fuzz" };
	struct s3img_proc *h = NULL;
	struct s3img_diag diag;

	if (size > (64u << 20))
		return 0;
	if (s3img_proc_open_source(&src, &h, &diag) == 0) {
		exercise(h);
		s3img_proc_free(h);
	}
	return 0;
}
