/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The suspend image round trip on a synthetic tree: write a model with
 * the writer, read it back, compare every field, read memory through the
 * runs, export a core, and check that damaged copies are refused cleanly.
 * With an argument, also leaves the image there (fuzz seed). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <suspend3/image.h>

#define CHECK(c)                                                                    \
	do {                                                                        \
		if (!(c)) {                                                         \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
			exit(1);                                                    \
		}                                                                   \
	} while (0)

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	CHECK(d);
	return d;
}

static void *xcalloc(size_t n, size_t s)
{
	void *p = calloc(n, s);
	CHECK(p);
	return p;
}

/* Page i of process p holds bytes (p*16 + i) everywhere. */
static void fill_page(uint8_t *page, int p, int i)
{
	memset(page, p * 16 + i + 1, 4096);
}

static void add_thread(struct s3img_proc_process *pr, size_t i, int32_t tid0, int32_t tid1)
{
	struct s3img_proc_thread *t = &pr->threads[i];

	t->tid[0] = tid0;
	if (pr->nlevels > 1)
		t->tid[1] = tid1;
	snprintf(t->comm, sizeof(t->comm), "thr%u", (unsigned)(i % 100));
	for (int r = 0; r < 27; r++)
		t->regs[r] = (uint64_t)tid0 * 1000 + (uint64_t)r;
	memset(t->fpregs, 0x5a, sizeof(t->fpregs));
	t->xstate_len = 2432;
	t->xstate = xcalloc(1, t->xstate_len);
	memset(t->xstate, 0x33, t->xstate_len);
	t->sigmask = 0x1234;
	t->rseq = 0x7f0000001000;
	t->rseq_len = 32;
	t->rseq_sig = 0x53053053;
	t->clear_child_tid = 0x7f0000002000 + i;
	t->npending = 1;
	t->pending = xcalloc(1, sizeof(*t->pending));
	t->pending[0].data[0] = 10; /* SIGUSR1 */
}

static struct s3img_proc_image *build(struct s3img_proc_writer *w)
{
	struct s3img_proc_image *img = xcalloc(1, sizeof(*img));
	uint8_t page[4096];

	img->page_size = 4096;
	img->time = 1700000000;
	strcpy(img->release, "6.18.0-test");
	strcpy(img->machine, "x86_64");
	img->npidns = 2;
	img->pidns = xcalloc(2, sizeof(*img->pidns));
	img->pidns[0] = (struct s3img_proc_pidns){ .ino = 4026531836, .level = 0, .parent = S3IMG_PROC_NO_INDEX };
	img->pidns[1] = (struct s3img_proc_pidns){ .ino = 4026532000, .level = 1, .parent = 0 };
	img->nfiles = 3;
	img->files = xcalloc(3, sizeof(*img->files));
	img->files[0] = (struct s3img_proc_file){ .kind = S3IMG_FILE_REG, .path = xstrdup("/usr/bin/true"),
						  .flags = S3IMG_FILE_MAPPED, .pipe = S3IMG_PROC_NO_INDEX,
						  .ino = 42, .size = 8192 };
	img->files[1] = (struct s3img_proc_file){ .kind = S3IMG_FILE_PIPE, .open_flags = O_WRONLY, .pipe = 0 };
	img->files[2] = (struct s3img_proc_file){ .kind = S3IMG_FILE_CHR, .path = xstrdup("/dev/null"),
						  .open_flags = O_RDWR, .pipe = S3IMG_PROC_NO_INDEX };
	img->npipes = 1;
	img->pipes = xcalloc(1, sizeof(*img->pipes));
	img->pipes[0] = (struct s3img_proc_pipe){ .ino = 777, .size = 65536 };
	{
		struct iovec iov = { (void *)"buffered bytes", 14 };
		CHECK(s3img_proc_writer_data(w, &iov, 1, &img->pipes[0].data_offset) == 0);
		img->pipes[0].data_len = 14;
	}

	img->nprocs = 3;
	img->procs = xcalloc(3, sizeof(*img->procs));
	for (int p = 0; p < 3; p++) {
		struct s3img_proc_process *pr = &img->procs[p];
		struct s3img_proc_vma *v;

		pr->parent = p == 0 ? S3IMG_PROC_NO_INDEX : 0;
		pr->state = p == 2 ? S3IMG_PROC_ZOMBIE : S3IMG_PROC_ALIVE;
		pr->nlevels = p == 0 ? 1 : 2;
		pr->pidns = p == 0 ? 0 : 1;
		pr->pidns_for_children = 1;
		pr->pid[0] = 5000 + p;
		pr->pgid[0] = pr->sid[0] = 5000;
		if (p)
			pr->pid[1] = p;
		pr->mm.exe_file = S3IMG_PROC_NO_INDEX;
		snprintf(pr->comm, sizeof(pr->comm), "proc%d", p);
		if (p == 2) {
			pr->exit_status = 3 << 8;
			continue;
		}
		pr->cmdline = xstrdup("proc --flag");
		pr->cwd = xstrdup("/tmp");
		pr->root = xstrdup("/");
		pr->umask = 022;
		pr->creds.uid[0] = 1000;
		pr->creds.ngroups = 2;
		pr->creds.groups = xcalloc(2, 4);
		pr->creds.groups[0] = 10;
		pr->creds.groups[1] = 20;
		pr->rlimits[7][0] = 1024;
		pr->rlimits[7][1] = 4096;
		pr->sigactions[1].handler = 0x401000;
		pr->sigactions[1].flags = 0x04000000;
		pr->itimers[0].value_sec = 5;
		pr->mm.start_brk = 0x600000;
		pr->mm.brk = 0x621000;
		pr->mm.nauxv = 4;
		pr->mm.auxv = xcalloc(4, 8);
		pr->mm.auxv[0] = 6;
		pr->mm.auxv[1] = 4096;
		pr->mm.exe = xstrdup("/usr/bin/true");
		pr->mm.exe_file = 0;
		pr->nthreads = p == 0 ? 2 : 1;
		pr->threads = xcalloc(pr->nthreads, sizeof(*pr->threads));
		for (size_t i = 0; i < pr->nthreads; i++)
			add_thread(pr, i, pr->pid[0] + (int32_t)i * 100, pr->pid[1] + (int32_t)i);
		pr->nfds = 2;
		pr->fds = xcalloc(2, sizeof(*pr->fds));
		pr->fds[0] = (struct s3img_proc_fd){ .fd = 1, .file = 1 };
		pr->fds[1] = (struct s3img_proc_fd){ .fd = 7, .file = 2, .fd_flags = 1 };

		pr->nvmas = 2;
		pr->vmas = xcalloc(2, sizeof(*pr->vmas));
		v = &pr->vmas[0];
		*v = (struct s3img_proc_vma){ .start = 0x400000, .end = 0x402000, .prot = PROT_READ | PROT_EXEC,
					      .kind = S3IMG_VMA_FILE_PRIVATE, .file = 0 };
		v = &pr->vmas[1];
		*v = (struct s3img_proc_vma){ .start = 0x600000, .end = 0x608000,
					      .prot = PROT_READ | PROT_WRITE, .kind = S3IMG_VMA_ANON_PRIVATE,
					      .flags = S3IMG_VMA_HEAP, .file = S3IMG_PROC_NO_INDEX,
					      .name = xstrdup("[heap]") };
		/* Stored: pages 1-2 and 5 of the heap. */
		v->nruns = 2;
		v->runs = xcalloc(2, sizeof(*v->runs));
		for (int r = 0; r < 2; r++) {
			int first = r == 0 ? 1 : 5, n = r == 0 ? 2 : 1;
			struct iovec iov[2];
			uint8_t *pages = xcalloc((size_t)n, 4096);
			for (int k = 0; k < n; k++) {
				fill_page(page, p, first + k);
				memcpy(pages + k * 4096, page, 4096);
				iov[k] = (struct iovec){ pages + k * 4096, 4096 };
			}
			v->runs[r].vaddr = v->start + (uint64_t)first * 4096;
			v->runs[r].len = (uint64_t)n * 4096;
			CHECK(s3img_proc_writer_data(w, iov, (size_t)n, &v->runs[r].offset) == 0);
			free(pages);
		}
	}
	return img;
}

static void compare(const struct s3img_proc_image *a, const struct s3img_proc_image *b)
{
	CHECK(b->version_major == S3IMG_PROC_VERSION_MAJOR);
	CHECK(a->nprocs == b->nprocs && a->nfiles == b->nfiles && a->npipes == b->npipes &&
	      a->npidns == b->npidns);
	CHECK(strcmp(a->release, b->release) == 0 && a->time == b->time);
	CHECK(memcmp(a->pidns, b->pidns, a->npidns * sizeof(*a->pidns)) == 0);
	CHECK(memcmp(a->pipes, b->pipes, a->npipes * sizeof(*a->pipes)) == 0);
	for (size_t i = 0; i < a->nfiles; i++) {
		CHECK(a->files[i].kind == b->files[i].kind && a->files[i].pipe == b->files[i].pipe);
		CHECK(!a->files[i].path == !b->files[i].path);
		CHECK(!a->files[i].path || strcmp(a->files[i].path, b->files[i].path) == 0);
	}
	for (size_t p = 0; p < a->nprocs; p++) {
		const struct s3img_proc_process *x = &a->procs[p], *y = &b->procs[p];

		CHECK(x->parent == y->parent && x->state == y->state && x->nlevels == y->nlevels);
		CHECK(memcmp(x->pid, y->pid, sizeof(x->pid)) == 0);
		CHECK(x->exit_status == y->exit_status && strcmp(x->comm, y->comm) == 0);
		CHECK(memcmp(x->sigactions, y->sigactions, sizeof(x->sigactions)) == 0);
		CHECK(memcmp(x->rlimits, y->rlimits, sizeof(x->rlimits)) == 0);
		CHECK(x->creds.ngroups == y->creds.ngroups && x->mm.brk == y->mm.brk);
		CHECK(x->mm.nauxv == y->mm.nauxv && x->nthreads == y->nthreads && x->nvmas == y->nvmas);
		CHECK(x->nfds == y->nfds && (!x->nfds || memcmp(x->fds, y->fds, x->nfds * sizeof(*x->fds)) == 0));
		for (size_t t = 0; t < x->nthreads; t++) {
			const struct s3img_proc_thread *s = &x->threads[t], *u = &y->threads[t];
			CHECK(memcmp(s->tid, u->tid, sizeof(s->tid)) == 0);
			CHECK(memcmp(s->regs, u->regs, sizeof(s->regs)) == 0);
			CHECK(memcmp(s->fpregs, u->fpregs, sizeof(s->fpregs)) == 0);
			CHECK(s->xstate_len == u->xstate_len && memcmp(s->xstate, u->xstate, s->xstate_len) == 0);
			CHECK(s->rseq == u->rseq && s->clear_child_tid == u->clear_child_tid);
			CHECK(s->npending == u->npending && strcmp(s->comm, u->comm) == 0);
		}
		for (size_t v = 0; v < x->nvmas; v++) {
			CHECK(x->vmas[v].start == y->vmas[v].start && x->vmas[v].nruns == y->vmas[v].nruns);
			CHECK(!x->vmas[v].nruns || memcmp(x->vmas[v].runs, y->vmas[v].runs,
							  x->vmas[v].nruns * sizeof(*x->vmas[v].runs)) == 0);
		}
	}
}

static void check_memory(struct s3img_proc *h)
{
	uint8_t buf[3 * 4096], want[4096];

	/* Heap pages 0..2 of process 1: zero, stored 1, stored 2. */
	CHECK(s3img_proc_read_memory(h, 1, 0x600000, buf, sizeof(buf), NULL) == 0);
	memset(want, 0, sizeof(want));
	CHECK(memcmp(buf, want, 4096) == 0);
	fill_page(want, 1, 1);
	CHECK(memcmp(buf + 4096, want, 4096) == 0);
	fill_page(want, 1, 2);
	CHECK(memcmp(buf + 8192, want, 4096) == 0);
	CHECK(s3img_proc_read_memory(h, 0, 0x605000, buf, 4096, NULL) == 0);
	fill_page(want, 0, 5);
	CHECK(memcmp(buf, want, 4096) == 0);
	CHECK(s3img_proc_read_memory(h, 0, 0x400000, buf, 16, NULL) == -ENODATA);
	CHECK(s3img_proc_read_memory(h, 0, 0x100000, buf, 16, NULL) == -ENXIO);
	CHECK(s3img_proc_read_data(h, s3img_proc_get_image(h)->pipes[0].data_offset, buf, 14, NULL) == 0);
	CHECK(memcmp(buf, "buffered bytes", 14) == 0);
}

/* Every single-byte corruption of the first 4 KiB of notes and headers
 * must give 0 or a clean error, never a crash (ASan checks the rest). */
static void check_damaged(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size);
	CHECK(copy);
	for (size_t off = 0; off < size; off += off < 64 ? 1 : 61) {
		struct s3img_source src = { .map = copy, .size = size };
		struct s3img_proc *h = NULL;
		struct s3img_diag d = { 0 };
		memcpy(copy, data, size);
		copy[off] ^= 0xa5;
		if (s3img_proc_open_source(&src, &h, &d) == 0)
			s3img_proc_free(h);
	}
	for (size_t cut = 0; cut < size; cut += 509) {
		struct s3img_source src = { .map = data, .size = cut };
		struct s3img_proc *h = NULL;
		CHECK(s3img_proc_open_source(&src, &h, NULL) < 0);
	}
	free(copy);
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/s3procimg.XXXXXX", core[] = "/tmp/s3core.XXXXXX";
	struct s3img_proc_writer *w;
	struct s3img_proc_image *img;
	struct s3img_proc *h;
	struct s3img_diag d = { 0 };
	struct stat st;
	uint8_t *map;
	int fd, cfd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(s3img_proc_writer_new(fd, NULL, &w) == 0);
	img = build(w);
	if (s3img_proc_writer_finish(w, img, &d) < 0) {
		fprintf(stderr, "finish: %s\n", d.reason);
		return 1;
	}
	s3img_proc_writer_free(w);

	if (s3img_proc_open(path, &h, &d) < 0) {
		fprintf(stderr, "open: %s\n", d.reason);
		return 1;
	}
	compare(img, s3img_proc_get_image(h));
	check_memory(h);

	cfd = mkstemp(core);
	CHECK(cfd >= 0);
	CHECK(s3img_proc_write_core(h, 0, cfd, &d) == 0);
	CHECK(s3img_proc_write_core(h, 2, cfd, &d) == -EINVAL); /* the zombie */
	CHECK(fstat(cfd, &st) == 0 && st.st_size > 4096);
	{
		unsigned char eh[64];
		CHECK(pread(cfd, eh, sizeof(eh), 0) == 64 && memcmp(eh, "\177ELF", 4) == 0 && eh[16] == 4);
	}
	close(cfd);
	unlink(core);
	s3img_proc_free(h);

	/* A model the writer must refuse: overlapping VMAs. */
	{
		struct s3img_proc_writer *w2;
		int fd2 = open("/dev/null", O_WRONLY);
		img->procs[0].vmas[1].start = 0x401000;
		CHECK(s3img_proc_writer_new(fd2, NULL, &w2) == 0);
		CHECK(s3img_proc_writer_finish(w2, img, &d) == -EBADMSG);
		s3img_proc_writer_free(w2);
		close(fd2);
	}
	s3img_proc_image_free(img);

	CHECK(fstat(fd, &st) == 0);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(map != MAP_FAILED);
	check_damaged(map, (size_t)st.st_size);
	if (argc > 1) {
		FILE *f = fopen(argv[1], "wb");
		CHECK(f && fwrite(map, 1, (size_t)st.st_size, f) == (size_t)st.st_size && fclose(f) == 0);
	}
	munmap(map, (size_t)st.st_size);
	close(fd);
	unlink(path);
	printf("test_procimage: ok\n");
	return 0;
}
