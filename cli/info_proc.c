/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3 info on a suspend image: the tree with every process's PID at
 * every namespace level, and every thread's backtrace, unwound with libdwfl
 * from the image's registers and memory (and the mapped files on disk for
 * code and symbols), the way systemd-coredump prints them. */
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define INFO_PROC_SCHEMA "suspend3-info-proc/1"
#define MAX_FRAMES 64

struct frame {
	uint64_t pc;
	char *function;       /* NULL if unknown */
	uint64_t fn_offset;
	const char *module;   /* basename, owned by dwfl */
	uint64_t mod_offset;
};

struct unwind {
	struct s3img_proc *h;
	const struct s3img_proc_image *img;
	size_t proc;
	size_t next_thread;
	Dwfl *dwfl;
	uint8_t *vdso;
	size_t vdso_len;
	struct frame frames[MAX_FRAMES];
	size_t nframes;
};

static int fd_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(*(int *)ctx, buf, len, (off_t)off);
	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EBADMSG;
}

bool info_proc_is_image(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct s3img_source src = { .pread = fd_pread, .ctx = &fd };
	off_t size;
	bool yes;

	if (fd < 0)
		return false;
	size = lseek(fd, 0, SEEK_END);
	src.size = size > 0 ? (uint64_t)size : 0;
	yes = size > 0 && s3img_proc_probe(&src) == 1;
	close(fd);
	return yes;
}

/* ---- unwinding ---------------------------------------------------------- */

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct unwind *u = arg;

	(void)dwfl;
	return s3img_proc_read_memory(u->h, u->proc, addr, result, sizeof(*result), NULL) == 0;
}

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct unwind *u = arg;
	const struct s3img_proc_process *p = &u->img->procs[u->proc];

	(void)dwfl;
	if (u->next_thread >= p->nthreads)
		return 0;
	*thread_argp = (void *)&p->threads[u->next_thread++];
	return ((const struct s3img_proc_thread *)*thread_argp)->tid[0];
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct unwind *u = arg;
	const struct s3img_proc_process *p = &u->img->procs[u->proc];

	(void)dwfl;
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].tid[0] == tid) {
			*thread_argp = (void *)&p->threads[i];
			return true;
		}
	return false;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	const struct s3img_proc_thread *t = thread_arg;
	/* struct user_regs_struct -> DWARF x86_64 numbering (rax rdx rcx rbx
	 * rsi rdi rbp rsp r8..r15 rip). */
	static const int from_user[17] = { 10, 12, 11, 5, 13, 14, 4, 19, 9, 8, 7, 6, 3, 2, 1, 0, 16 };
	Dwarf_Word regs[17];

	for (int i = 0; i < 17; i++)
		regs[i] = t->regs[from_user[i]];
	return dwfl_thread_state_registers(thread, 0, 17, regs);
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

/* The vdso has no file: its ELF is read from the image. */
static int vdso_find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
			 char **file_name, Elf **elfp)
{
	struct unwind *u = *userdata;

	(void)mod;
	(void)base;
	*file_name = NULL;
	*elfp = NULL;
	if (strcmp(name, "[vdso]") == 0 && u && u->vdso)
		*elfp = elf_memory((char *)u->vdso, u->vdso_len);
	return -1;
}

static char *debuginfo_path;
static const Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = vdso_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

static void report_modules(struct unwind *u)
{
	const struct s3img_proc_process *p = &u->img->procs[u->proc];

	dwfl_report_begin(u->dwfl);
	for (size_t i = 0; i < p->nvmas; i++) {
		const struct s3img_proc_vma *v = &p->vmas[i];
		const char *path, *base;

		if (v->kind == S3IMG_VMA_VDSO && !u->vdso) {
			u->vdso_len = (size_t)(v->end - v->start);
			u->vdso = malloc(u->vdso_len);
			if (u->vdso && s3img_proc_read_memory(u->h, u->proc, v->start, u->vdso, u->vdso_len, NULL) == 0) {
				Dwfl_Module *m = dwfl_report_module(u->dwfl, "[vdso]", v->start, v->end);
				void **ud;
				if (m && dwfl_module_info(m, &ud, NULL, NULL, NULL, NULL, NULL, NULL))
					*ud = u;
			}
			continue;
		}
		if ((v->kind != S3IMG_VMA_FILE_PRIVATE && v->kind != S3IMG_VMA_FILE_SHARED) || v->pgoff != 0)
			continue;
		/* The first mapping of a file: its ELF's load address. */
		path = u->img->files[v->file].path;
		base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		dwfl_report_elf(u->dwfl, base, path, -1, v->start, false);
	}
	dwfl_report_end(u->dwfl, NULL, NULL);
}

static void frames_clear(struct unwind *u)
{
	for (size_t i = 0; i < u->nframes; i++)
		free(u->frames[i].function);
	u->nframes = 0;
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct unwind *u = arg;
	struct frame *f = &u->frames[u->nframes];
	Dwarf_Addr pc, adj, start = 0;
	bool activation;
	Dwfl_Module *mod;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	adj = activation ? pc : pc - 1;
	*f = (struct frame){ .pc = pc };
	mod = dwfl_addrmodule(u->dwfl, adj);
	if (mod) {
		GElf_Off off = 0;
		GElf_Sym sym;
		const char *name = dwfl_module_addrinfo(mod, adj, &off, &sym, NULL, NULL, NULL);

		f->module = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
		f->mod_offset = pc - start;
		if (name) {
			f->function = strdup(name);
			f->fn_offset = off + (pc - adj);
		}
	}
	return ++u->nframes < MAX_FRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

static int unwind_begin(struct unwind *u)
{
	u->dwfl = dwfl_begin(&dwfl_callbacks);
	if (!u->dwfl)
		return -ENOMEM;
	report_modules(u);
	if (!dwfl_attach_state(u->dwfl, NULL, u->img->procs[u->proc].pid[0], &thread_callbacks, u)) {
		dwfl_end(u->dwfl);
		u->dwfl = NULL;
		return -EINVAL;
	}
	return 0;
}

static void unwind_end(struct unwind *u)
{
	frames_clear(u);
	if (u->dwfl)
		dwfl_end(u->dwfl);
	u->dwfl = NULL;
	free(u->vdso);
	u->vdso = NULL;
}

static void unwind_thread(struct unwind *u, const struct s3img_proc_thread *t)
{
	frames_clear(u);
	if (u->dwfl)
		dwfl_getthread_frames(u->dwfl, t->tid[0], frame_cb, u);
	if (u->nframes == 0) {
		/* At least where it is. */
		u->frames[0] = (struct frame){ .pc = t->regs[16] };
		u->nframes = 1;
	}
}

/* ---- output ---------------------------------------------------------------- */

static const char *vma_kind_name(uint32_t k)
{
	static const char *const names[] = { "?", "anon", "shared-anon", "file", "shared-file",
					     "vdso", "vvar", "vvar_vclock", "vsyscall" };
	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static const char *file_kind_name(uint32_t k)
{
	static const char *const names[] = { "?", "file", "directory", "pipe", "device", "terminal" };
	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static void print_levels(const int32_t *v, uint32_t n)
{
	for (uint32_t l = 0; l < n; l++)
		printf("%s%d", l ? " " : "", v[l]);
}

static void print_frames(const struct unwind *u, const char *indent)
{
	for (size_t i = 0; i < u->nframes; i++) {
		const struct frame *f = &u->frames[i];
		printf("%s#%-2zu 0x%016" PRIx64, indent, i, f->pc);
		if (f->function)
			printf(" %s", f->function);
		else
			printf(" n/a");
		if (f->module)
			printf(" (%s + 0x%" PRIx64 ")", f->module, f->mod_offset);
		putchar('\n');
	}
}

static void print_text(const char *path, struct unwind *u)
{
	const struct s3img_proc_image *img = u->img;
	size_t nthreads = 0, stored = 0;
	char when[64];
	time_t tt = (time_t)img->time;
	struct tm tm;

	for (size_t i = 0; i < img->nprocs; i++) {
		nthreads += img->procs[i].nthreads;
		for (size_t v = 0; v < img->procs[i].nvmas; v++)
			for (size_t r = 0; r < img->procs[i].vmas[v].nruns; r++)
				stored += img->procs[i].vmas[v].runs[r].len;
	}
	if (!gmtime_r(&tt, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "unknown");
	printf("file:          %s\n", path);
	printf("format:        suspend image, version %u.%u\n", img->version_major, img->version_minor);
	printf("created:       %s on %s (Linux %s %s)\n", when, img->nodename[0] ? img->nodename : "?",
	       img->release[0] ? img->release : "?", img->machine);
	printf("tree:          %s%s\n", img->flags & S3IMG_PROC_IMAGE_LEFT_RUNNING ? "left running" : "killed",
	       img->flags & S3IMG_PROC_IMAGE_SHELL_JOB ? ", shell job" : "");
	printf("processes:     %zu (%zu threads), %zu bytes of memory stored\n", img->nprocs, nthreads, stored);
	printf("namespaces:    %zu PID namespaces, %zu files, %zu pipes\n", img->npidns, img->nfiles, img->npipes);
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct s3img_proc_process *p = &img->procs[i];

		printf("\nprocess %d (%s)", p->pid[0], p->comm);
		printf("  NSpid ");
		print_levels(p->pid, p->nlevels);
		printf("  ppid %d  pgid %d  sid %d%s\n",
		       p->parent == S3IMG_PROC_NO_INDEX ? 0 : img->procs[p->parent].pid[0], p->pgid[0],
		       p->sid[0], p->state == S3IMG_PROC_ZOMBIE ? "  zombie" : "");
		if (p->state == S3IMG_PROC_ZOMBIE)
			continue;
		if (p->cmdline)
			printf("  cmdline: %s\n", p->cmdline);
		printf("  exe: %s  cwd: %s  uid %u  gid %u\n", p->mm.exe ? p->mm.exe : "?",
		       p->cwd ? p->cwd : "?", p->creds.uid[0], p->creds.gid[0]);
		for (size_t f = 0; f < p->nfds; f++) {
			const struct s3img_proc_file *file = &img->files[p->fds[f].file];
			printf("  fd %d: %s", p->fds[f].fd, file_kind_name(file->kind));
			if (file->kind == S3IMG_FILE_PIPE)
				printf(" %" PRIu64 " (%" PRIu64 " bytes buffered)", img->pipes[file->pipe].ino,
				       img->pipes[file->pipe].data_len);
			else
				printf(" %s", file->path);
			printf("\n");
		}
		u->proc = i;
		u->next_thread = 0;
		unwind_begin(u);
		for (size_t t = 0; t < p->nthreads; t++) {
			const struct s3img_proc_thread *th = &p->threads[t];
			printf("  thread %d (%s)  NStid ", th->tid[0], th->comm);
			print_levels(th->tid, p->nlevels);
			printf("%s\n", th->flags & S3IMG_THREAD_IN_SYSCALL ? "  in a syscall" : "");
			unwind_thread(u, th);
			print_frames(u, "    ");
		}
		unwind_end(u);
	}
}

static void json_levels(struct json *j, const char *key, const int32_t *v, uint32_t n)
{
	json_begin_array(j, key);
	for (uint32_t l = 0; l < n; l++)
		json_i64(j, NULL, v[l]);
	json_end_array(j);
}

static void json_process(struct json *j, struct unwind *u, size_t i)
{
	const struct s3img_proc_image *img = u->img;
	const struct s3img_proc_process *p = &img->procs[i];
	uint64_t stored = 0;

	json_begin_object(j, NULL);
	json_levels(j, "pid", p->pid, p->nlevels);
	json_levels(j, "pgid", p->pgid, p->nlevels);
	json_levels(j, "sid", p->sid, p->nlevels);
	json_i64(j, "ppid", p->parent == S3IMG_PROC_NO_INDEX ? 0 : img->procs[p->parent].pid[0]);
	json_string(j, "state", p->state == S3IMG_PROC_ZOMBIE ? "zombie" : "alive");
	json_string(j, "comm", p->comm);
	json_string(j, "cmdline", p->cmdline ? p->cmdline : "");
	json_string(j, "exe", p->mm.exe ? p->mm.exe : "");
	json_string(j, "cwd", p->cwd ? p->cwd : "");
	json_u64(j, "pid_namespace", p->pidns);
	json_u64(j, "uid", p->creds.uid[0]);
	json_u64(j, "gid", p->creds.gid[0]);
	for (size_t v = 0; v < p->nvmas; v++)
		for (size_t r = 0; r < p->vmas[v].nruns; r++)
			stored += p->vmas[v].runs[r].len;
	json_u64(j, "vmas", p->nvmas);
	json_u64(j, "memory_stored", stored);
	json_begin_array(j, "fds");
	for (size_t f = 0; f < p->nfds; f++) {
		const struct s3img_proc_file *file = &img->files[p->fds[f].file];
		json_begin_object(j, NULL);
		json_i64(j, "fd", p->fds[f].fd);
		json_string(j, "kind", file_kind_name(file->kind));
		if (file->kind == S3IMG_FILE_PIPE) {
			json_u64(j, "pipe", img->pipes[file->pipe].ino);
			json_u64(j, "buffered", img->pipes[file->pipe].data_len);
		} else {
			json_string(j, "path", file->path);
		}
		json_u64(j, "pos", file->pos);
		json_end_object(j);
	}
	json_end_array(j);
	json_begin_array(j, "mappings");
	for (size_t v = 0; v < p->nvmas; v++) {
		const struct s3img_proc_vma *vma = &p->vmas[v];
		json_begin_object(j, NULL);
		json_u64(j, "start", vma->start);
		json_u64(j, "end", vma->end);
		json_string(j, "kind", vma_kind_name(vma->kind));
		if (vma->file != S3IMG_PROC_NO_INDEX)
			json_string(j, "path", img->files[vma->file].path);
		json_end_object(j);
	}
	json_end_array(j);
	json_begin_array(j, "threads");
	u->proc = i;
	u->next_thread = 0;
	if (p->state == S3IMG_PROC_ALIVE)
		unwind_begin(u);
	for (size_t t = 0; t < p->nthreads; t++) {
		const struct s3img_proc_thread *th = &p->threads[t];
		json_begin_object(j, NULL);
		json_levels(j, "tid", th->tid, p->nlevels);
		json_string(j, "comm", th->comm);
		json_bool(j, "in_syscall", th->flags & S3IMG_THREAD_IN_SYSCALL);
		unwind_thread(u, th);
		json_begin_array(j, "backtrace");
		for (size_t k = 0; k < u->nframes; k++) {
			const struct frame *f = &u->frames[k];
			json_begin_object(j, NULL);
			json_u64(j, "pc", f->pc);
			if (f->function)
				json_string(j, "function", f->function);
			else
				json_null(j, "function");
			if (f->module)
				json_string(j, "module", f->module);
			else
				json_null(j, "module");
			json_end_object(j);
		}
		json_end_array(j);
		json_end_object(j);
	}
	unwind_end(u);
	json_end_array(j);
	json_end_object(j);
}

static void print_json(const char *path, struct unwind *u, bool pretty)
{
	const struct s3img_proc_image *img = u->img;
	struct json j = { .f = stdout, .pretty = pretty, .first = true };
	char version[32];

	snprintf(version, sizeof(version), "%u.%u", img->version_major, img->version_minor);
	json_begin_object(&j, NULL);
	json_string(&j, "schema", INFO_PROC_SCHEMA);
	json_string(&j, "file", path);
	json_string(&j, "format", "suspend");
	json_string(&j, "version", version);
	json_u64(&j, "time", img->time);
	json_begin_object(&j, "kernel");
	json_string(&j, "release", img->release);
	json_string(&j, "machine", img->machine);
	json_string(&j, "nodename", img->nodename);
	json_string(&j, "boot_id", img->boot_id);
	json_end_object(&j);
	json_bool(&j, "left_running", img->flags & S3IMG_PROC_IMAGE_LEFT_RUNNING);
	json_bool(&j, "shell_job", img->flags & S3IMG_PROC_IMAGE_SHELL_JOB);
	json_begin_array(&j, "pid_namespaces");
	for (size_t i = 0; i < img->npidns; i++) {
		json_begin_object(&j, NULL);
		json_u64(&j, "inode", img->pidns[i].ino);
		json_u64(&j, "level", img->pidns[i].level);
		if (img->pidns[i].parent == S3IMG_PROC_NO_INDEX)
			json_null(&j, "parent");
		else
			json_u64(&j, "parent", img->pidns[i].parent);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_begin_array(&j, "processes");
	for (size_t i = 0; i < img->nprocs; i++)
		json_process(&j, u, i);
	json_end_array(&j);
	json_end_object(&j);
}

int info_proc(const char *path, bool json, bool pretty)
{
	struct s3img_diag diag = { 0 };
	struct unwind u = { 0 };
	int r;

	r = s3img_proc_open(path, &u.h, &diag);
	if (r < 0)
		return log_image_error("info", path, r, &diag);
	u.img = s3img_proc_get_image(u.h);
	if (json)
		print_json(path, &u, pretty);
	else
		print_text(path, &u);
	s3img_proc_free(u.h);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : log_error("info", "cannot write output");
}
