/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A stopped copy of the resumer becomes the process it was: through calls
 * it makes under ptrace (inject.c), its own mappings go, the vdso moves to
 * the recorded address, every mapping is made again and its stored pages
 * are copied in from the image (fill.c), then the mm fields, the threads
 * with their TIDs, per-thread state and credentials, and last the
 * registers. Each thread stays stopped until release_process(). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "restorer.h"

#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

struct rseq_conf {
	uint64_t rseq_abi_pointer;
	uint32_t rseq_abi_size, signature, flags, pad;
};

/* The scratch area: arguments of the calls, in the process. */
enum {
	SC_CLONE = 0, SC_SET_TID = 128, SC_ALTSTACK = 256, SC_MM = 320, SC_COMM = 448,
	SC_SIGINFO = 512, SC_ITIMER = 640, SC_CAPS = 704, SC_NAME = 768, SC_AUXV = 4096,
	SC_GROUPS = 4096 + 8192,
};

struct range { uint64_t start, end; };

struct job {
	struct rs *s;
	size_t i;
	const struct s3img_proc_process *p;
	struct tracee *th;       /* per thread */
	uint64_t scratch, scratch_len;
	struct range *cur;       /* the copy's mappings before they go */
	size_t ncur;
};

#define CALL(j, t, nr, ...) call_(j, t, nr, #nr, __VA_ARGS__)

static int call6(struct job *j, struct tracee *t, long nr, const char *what, const uint64_t a[6],
		 int64_t *ret)
{
	int r = tracee_call(t, nr, a[0], a[1], a[2], a[3], a[4], a[5], ret);
	if (r < 0)
		return rfail(j->s->diag, r, "pid %d: ptrace of thread %d during %s: %s", j->p->pid[0], t->tid, what,
			     strerror(-r));
	return 0;
}

/* A call that must succeed (return >= 0). */
static int call_(struct job *j, struct tracee *t, long nr, const char *what, uint64_t a0, uint64_t a1,
		 uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, int64_t *ret)
{
	const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	int64_t v;
	int r = call6(j, t, nr, what, a, &v);

	if (r < 0)
		return r;
	if (v < 0 && v > -4096)
		return rfail(j->s->diag, (int)v, "pid %d (%s): %s failed in the resumed process: %s", j->p->pid[0],
			     j->p->comm, what + 4, strerror((int)-v));
	if (ret)
		*ret = v;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int read_maps(struct job *j)
{
	char path[64], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", j->s->pid[j->i]);
	f = fopen(path, "re");
	if (!f)
		return rfail(j->s->diag, -errno, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		if (sscanf(line, "%lx-%lx", &s, &e) != 2 || s >= 0x800000000000ul)
			continue;
		void *n = realloc(j->cur, (j->ncur + 1) * sizeof(*j->cur));
		if (!n) {
			fclose(f);
			return -ENOMEM;
		}
		j->cur = n;
		j->cur[j->ncur++] = (struct range){ s, e };
	}
	fclose(f);
	return 0;
}

/* The lowest address from 1 MiB up where len bytes overlap neither the
 * image's mappings nor the given ranges. */
static uint64_t find_hole(const struct s3img_proc_process *p, const struct range *extra, size_t nextra,
			  uint64_t len)
{
	size_t n = p->nvmas + nextra, k = 0;
	struct range *all = malloc((n + 1) * sizeof(*all));
	uint64_t at = 1u << 20;

	if (!all)
		return 0;
	for (size_t v = 0; v < p->nvmas; v++)
		all[k++] = (struct range){ p->vmas[v].start, p->vmas[v].end };
	for (size_t v = 0; v < nextra; v++)
		all[k++] = extra[v];
	qsort(all, k, sizeof(*all), cmp_range);
	for (size_t v = 0; v < k; v++) {
		if (all[v].start >= at + len)
			break;
		if (all[v].end > at)
			at = all[v].end;
	}
	free(all);
	return at + len <= 0x7fff00000000ull ? at : 0;
}

static bool is_special(uint32_t kind)
{
	return kind == S3IMG_VMA_VDSO || kind == S3IMG_VMA_VVAR || kind == S3IMG_VMA_VVAR_VCLOCK ||
	       kind == S3IMG_VMA_VSYSCALL;
}

/* Everything of the copy goes but the vdso, vvar and scratch: one munmap
 * per gap between those (a copy of the resumer has some 90 mappings, and
 * each injected call is two ptrace stops). */
static int unmap_copy(struct job *j)
{
	const struct specials *sp = &j->s->sp;
	struct range keep[4];
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t n = 0;
	int r;

	for (size_t k = 0; k < j->ncur; k++) {
		lo = j->cur[k].start < lo ? j->cur[k].start : lo;
		hi = j->cur[k].end > hi ? j->cur[k].end : hi;
	}
	for (int k = 0; k < 3; k++)
		if (sp->len[k])
			keep[n++] = (struct range){ sp->start[k], sp->start[k] + sp->len[k] };
	keep[n++] = (struct range){ j->scratch, j->scratch + j->scratch_len };
	qsort(keep, n, sizeof(keep[0]), cmp_range);
	for (size_t k = 0; k <= n && lo < hi; k++) {
		uint64_t end = k < n ? keep[k].start : hi;

		if (end > lo && (r = CALL(j, &j->th[0], SYS_munmap, lo, end - lo, 0, 0, 0, 0, NULL)) < 0)
			return r;
		if (k < n && keep[k].end > lo)
			lo = keep[k].end;
	}
	return 0;
}

/* Move this kernel's vdso and vvar areas (at the resumer's addresses in
 * the copy) onto the image's, through a hole if the two overlap. */
static int move_specials(struct job *j)
{
	struct specials *sp = &j->s->sp;
	struct tracee *t = &j->th[0];
	uint64_t lo = UINT64_MAX, hi = 0, target = 0, tmp;
	struct range keep[4];
	size_t nkeep = 0;

	for (size_t v = 0; v < j->p->nvmas; v++)
		if (j->p->vmas[v].kind == S3IMG_VMA_VDSO)
			target = j->p->vmas[v].start;
	if (target == sp->start[0])
		return 0;
	for (int k = 0; k < 3; k++)
		if (sp->len[k]) {
			lo = sp->start[k] < lo ? sp->start[k] : lo;
			hi = sp->start[k] + sp->len[k] > hi ? sp->start[k] + sp->len[k] : hi;
			keep[nkeep++] = (struct range){ sp->start[k], sp->start[k] + sp->len[k] };
		}
	keep[nkeep++] = (struct range){ j->scratch, j->scratch + j->scratch_len };
	tmp = find_hole(j->p, keep, nkeep, hi - lo);
	if (!tmp)
		return rfail(j->s->diag, -ENOMEM, "pid %d: no room to move the vdso", j->p->pid[0]);
	for (int step = 0; step < 2; step++) {
		for (int k = 0; k < 3; k++) {
			uint64_t from = step == 0 ? sp->start[k] : tmp + (sp->start[k] - lo);
			uint64_t to = step == 0 ? tmp + (sp->start[k] - lo) : target + (sp->start[k] - sp->start[0]);
			int64_t got;
			int r;

			if (!sp->len[k])
				continue;
			r = CALL(j, t, SYS_mremap, from, sp->len[k], sp->len[k], MREMAP_MAYMOVE | MREMAP_FIXED, to, 0, &got);
			if (r < 0)
				return r;
			if (k == 0)
				for (size_t n = 0; n < j->p->nthreads; n++)
					j->th[n].ip = to + sp->syscall_off;
		}
	}
	return 0;
}

static const char *anon_name(const char *name, char *buf, size_t size)
{
	size_t n;

	if (!name || strncmp(name, "[anon:", 6))
		return NULL;
	n = strlen(name + 6);
	if (n < 2 || n - 1 >= size)
		return NULL;
	memcpy(buf, name + 6, n - 1);
	buf[n - 1] = 0;
	return buf;
}

/* Map v, writable for now if it is to be filled. */
static int map_vma(struct job *j, const struct s3img_proc_vma *v)
{
	struct rs *s = j->s;
	struct tracee *t = &j->th[0];
	uint64_t len = v->end - v->start, prot = v->prot | (vma_filled(v) ? PROT_WRITE : 0);
	uint64_t flags = MAP_FIXED, fd = (uint64_t)-1, off = 0;
	static const struct { uint32_t bit; int advice; } adv[] = {
		{ S3IMG_VMA_DONTFORK, MADV_DONTFORK }, { S3IMG_VMA_DONTDUMP, MADV_DONTDUMP },
		{ S3IMG_VMA_WIPEONFORK, MADV_WIPEONFORK }, { S3IMG_VMA_HUGEPAGE, MADV_HUGEPAGE },
		{ S3IMG_VMA_NOHUGEPAGE, MADV_NOHUGEPAGE }, { S3IMG_VMA_SEQ_READ, MADV_SEQUENTIAL },
		{ S3IMG_VMA_RAND_READ, MADV_RANDOM },
	};
	int64_t got;
	int r;

	switch (v->kind) {
	case S3IMG_VMA_ANON_PRIVATE:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case S3IMG_VMA_ANON_SHARED:
		flags |= MAP_SHARED;
		fd = (uint64_t)shm_fd(s, v->shmem_id);
		off = v->pgoff;
		break;
	case S3IMG_VMA_FILE_PRIVATE:
	case S3IMG_VMA_FILE_SHARED:
		flags |= v->kind == S3IMG_VMA_FILE_SHARED ? MAP_SHARED : MAP_PRIVATE;
		fd = (uint64_t)s->file_fd[v->file];
		off = v->pgoff;
		break;
	default:
		return 0;
	}
	if (v->flags & S3IMG_VMA_GROWSDOWN)
		flags |= MAP_GROWSDOWN;
	if (v->flags & S3IMG_VMA_NORESERVE)
		flags |= MAP_NORESERVE;
	r = CALL(j, t, SYS_mmap, v->start, len, prot, flags, fd, off, &got);
	if (r < 0)
		return r;
	if ((uint64_t)got != v->start)
		return rfail(s->diag, -EFAULT, "pid %d: mapping %#llx got %#llx", j->p->pid[0],
			     (unsigned long long)v->start, (unsigned long long)got);
	/* Advice before the fill: MADV_NOHUGEPAGE must hold while it faults pages in. */
	for (size_t k = 0; k < ARRAY_SIZE(adv); k++)
		if (v->flags & adv[k].bit) {
			r = CALL(j, t, SYS_madvise, v->start, len, (uint64_t)adv[k].advice, 0, 0, 0, NULL);
			if (r < 0)
				return r;
		}
	return 0;
}

/* Once v is filled: its protection and name. */
static int finish_vma(struct job *j, const struct s3img_proc_vma *v)
{
	struct tracee *t = &j->th[0];
	uint64_t len = v->end - v->start;
	char name[96];
	int64_t got;
	int r;

	if (vma_filled(v) && !(v->prot & PROT_WRITE)) {
		r = CALL(j, t, SYS_mprotect, v->start, len, v->prot, 0, 0, 0, NULL);
		if (r < 0)
			return r;
	}
	if (anon_name(v->name, name, sizeof(name))) {
		r = tracee_write(t->tid, j->scratch + SC_NAME, name, strlen(name) + 1);
		if (r == 0)
			/* Best effort: a name is cosmetic. */
			tracee_call(t, SYS_prctl, PR_SET_VMA, PR_SET_VMA_ANON_NAME, v->start, len,
				    j->scratch + SC_NAME, 0, &got);
	}
	return 0;
}

static int set_mm(struct job *j)
{
	const struct s3img_proc_mm *mm = &j->p->mm;
	struct tracee *t = &j->th[0];
	struct prctl_mm_map m = {
		.start_code = mm->start_code, .end_code = mm->end_code, .start_data = mm->start_data,
		.end_data = mm->end_data, .start_brk = mm->start_brk, .brk = mm->brk,
		.start_stack = mm->start_stack, .arg_start = mm->arg_start, .arg_end = mm->arg_end,
		.env_start = mm->env_start, .env_end = mm->env_end,
		.auxv = (__u64 *)(uintptr_t)(j->scratch + SC_AUXV), .auxv_size = (uint32_t)(mm->nauxv * 8),
		.exe_fd = mm->exe_file != S3IMG_PROC_NO_INDEX ? (uint32_t)j->s->file_fd[mm->exe_file] : (uint32_t)-1,
	};
	int r;

	if (mm->nauxv * 8 > SC_GROUPS - SC_AUXV)
		return rfail(j->s->diag, -E2BIG, "pid %d: auxv of %zu words", j->p->pid[0], mm->nauxv);
	r = tracee_write(t->tid, j->scratch + SC_MM, &m, sizeof(m));
	if (r == 0 && mm->nauxv)
		r = tracee_write(t->tid, j->scratch + SC_AUXV, mm->auxv, mm->nauxv * 8);
	if (r < 0)
		return rfail(j->s->diag, r, "pid %d: writing its mm fields: %s", j->p->pid[0], strerror(-r));
	return CALL(j, t, SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, j->scratch + SC_MM, sizeof(m), 0, 0, NULL);
}

static int make_threads(struct job *j)
{
	const struct s3img_proc_process *p = j->p;
	struct tracee *lead = &j->th[0];

	for (size_t n = 1; n < p->nthreads; n++) {
		struct clone_args ca = {
			.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM,
			.set_tid = j->scratch + SC_SET_TID, .set_tid_size = p->nlevels,
		};
		int32_t tids[S3IMG_PROC_MAX_LEVELS];
		int64_t got;
		pid_t tid;
		int r;

		for (uint32_t k = 0; k < p->nlevels; k++)
			tids[k] = p->threads[n].tid[p->nlevels - 1 - k];
		r = tracee_write(lead->tid, j->scratch + SC_CLONE, &ca, sizeof(ca));
		if (r == 0)
			r = tracee_write(lead->tid, j->scratch + SC_SET_TID, tids, p->nlevels * 4);
		if (r == 0)
			r = tracee_clone(lead, j->scratch + SC_CLONE, sizeof(ca), &got, &tid);
		if (r < 0)
			return rfail(j->s->diag, r, "pid %d: creating thread %d: %s", p->pid[0], p->threads[n].tid[0],
				     strerror(-r));
		if (got < 0)
			return rfail(j->s->diag, (int)got, "pid %d: cannot recreate thread %d: %s", p->pid[0],
				     p->threads[n].tid[0],
				     got == -EEXIST ? "its TID is taken by another process" : strerror((int)-got));
		j->s->tid[j->i][n] = tid;
		r = tracee_adopt(&j->th[n], tid);
		if (r < 0)
			return rfail(j->s->diag, r, "pid %d: new thread %d: %s", p->pid[0], tid, strerror(-r));
		j->th[n].ip = lead->ip;
		j->s->nthreads++;
	}
	return 0;
}

static int set_creds(struct job *j, struct tracee *t)
{
	const struct s3img_proc_creds *c = &j->p->creds;
	/* Kept until the end: CAP_SETUID, CAP_SETGID (fs ids), CAP_SETPCAP
	 * (bounding set, securebits). */
	const uint64_t extra = (1ull << CAP_SETUID) | (1ull << CAP_SETGID) | (1ull << CAP_SETPCAP);
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2][2];
	int64_t got;
	int r;

	for (int k = 0; k < 2; k++) {
		uint64_t prm = c->cap_prm | (k ? 0 : extra), eff = c->cap_eff | (k ? 0 : extra);
		data[k][0] = (struct __user_cap_data_struct){ (uint32_t)eff, (uint32_t)prm, (uint32_t)c->cap_inh };
		data[k][1] = (struct __user_cap_data_struct){ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32),
							      (uint32_t)(c->cap_inh >> 32) };
	}
	if (c->ngroups > (8192u * 8) || (c->ngroups &&
	    tracee_write(t->tid, j->scratch + SC_GROUPS, c->groups, c->ngroups * 4) < 0))
		return rfail(j->s->diag, -E2BIG, "pid %d: %zu supplementary groups", j->p->pid[0], c->ngroups);
	r = tracee_write(t->tid, j->scratch + SC_CAPS, &hdr, sizeof(hdr));
	if (r == 0)
		r = tracee_write(t->tid, j->scratch + SC_CAPS + 8, data, sizeof(data));
	if (r < 0)
		return rfail(j->s->diag, r, "pid %d: capabilities: %s", j->p->pid[0], strerror(-r));
	/* The permitted set survives the uid change; the target sets plus
	 * what the steps after it need; the ids the fs calls want; the
	 * bounding set; ambient; securebits; then exactly the target sets. */
	if ((r = CALL(j, t, SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0, 0, NULL)) < 0 ||
	    (!j->s->userns &&
	     (r = CALL(j, t, SYS_setgroups, c->ngroups, j->scratch + SC_GROUPS, 0, 0, 0, 0, NULL)) < 0) ||
	    (r = CALL(j, t, SYS_setresgid, c->gid[0], c->gid[1], c->gid[2], 0, 0, 0, NULL)) < 0 ||
	    (r = CALL(j, t, SYS_setresuid, c->uid[0], c->uid[1], c->uid[2], 0, 0, 0, NULL)) < 0 ||
	    (r = CALL(j, t, SYS_capset, j->scratch + SC_CAPS, j->scratch + SC_CAPS + 8, 0, 0, 0, 0, NULL)) < 0)
		return r;
	/* setfs[ug]id return the previous value, never an error. */
	tracee_call(t, SYS_setfsgid, c->gid[3], 0, 0, 0, 0, 0, &got);
	tracee_call(t, SYS_setfsuid, c->uid[3], 0, 0, 0, 0, 0, &got);
	for (int cap = 0; cap <= j->s->cap_last; cap++)
		if (!(c->cap_bnd & (1ull << cap)) &&
		    (r = CALL(j, t, SYS_prctl, PR_CAPBSET_DROP, (uint64_t)cap, 0, 0, 0, 0, NULL)) < 0)
			return r;
	for (int cap = 0; cap <= j->s->cap_last; cap++)
		if ((c->cap_amb & (1ull << cap)) &&
		    (r = CALL(j, t, SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (uint64_t)cap, 0, 0, 0, NULL)) < 0)
			return r;
	if ((r = CALL(j, t, SYS_prctl, PR_SET_SECUREBITS, c->securebits, 0, 0, 0, 0, NULL)) < 0 ||
	    (r = CALL(j, t, SYS_capset, j->scratch + SC_CAPS, j->scratch + SC_CAPS + 8 + sizeof(data[0]), 0, 0, 0, 0,
		      NULL)) < 0)
		return r;
	if (j->p->flags & S3IMG_PROC_NO_NEW_PRIVS)
		return CALL(j, t, SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0, NULL);
	return 0;
}

/* Queued by the thread it is for (rt_tgsigqueueinfo and rt_sigqueueinfo
 * accept any si_code only from the receiver itself), or by the leader
 * for the process's shared queue. */
static int queue_signal(struct job *j, const struct s3img_proc_siginfo *si, size_t thread)
{
	struct tracee *t = &j->th[thread == SIZE_MAX ? 0 : thread];
	uint32_t L = j->p->nlevels - 1;
	uint64_t tgid = (uint64_t)j->p->pid[L];
	int32_t signo;
	int r;

	memcpy(&signo, si->data, 4);
	r = tracee_write(t->tid, j->scratch + SC_SIGINFO, si->data, sizeof(si->data));
	if (r < 0)
		return rfail(j->s->diag, r, "pid %d: pending signal: %s", j->p->pid[0], strerror(-r));
	if (thread != SIZE_MAX)
		return CALL(j, t, SYS_rt_tgsigqueueinfo, tgid, (uint64_t)j->p->threads[thread].tid[L], (uint64_t)signo,
			    j->scratch + SC_SIGINFO, 0, 0, NULL);
	return CALL(j, t, SYS_rt_sigqueueinfo, tgid, (uint64_t)signo, j->scratch + SC_SIGINFO, 0, 0, 0, NULL);
}

/* Signals that reached the copy while it waited (all blocked), such as a
 * zombie child's SIGCHLD, were not the process's: dequeue them all. */
static int flush_signals(struct job *j)
{
	static const uint64_t all = ~0ull, zero[2] = { 0, 0 };
	struct tracee *t = &j->th[0];
	int64_t got;
	int r;

	if ((r = tracee_write(t->tid, j->scratch + SC_SIGINFO, &all, sizeof(all))) < 0 ||
	    (r = tracee_write(t->tid, j->scratch + SC_ITIMER, zero, sizeof(zero))) < 0)
		return rfail(j->s->diag, r, "pid %d: %s", j->p->pid[0], strerror(-r));
	for (int k = 0; k < 256; k++) {
		const uint64_t a[6] = { j->scratch + SC_SIGINFO, 0, j->scratch + SC_ITIMER, 8 };
		r = call6(j, t, SYS_rt_sigtimedwait, "rt_sigtimedwait", a, &got);
		if (r < 0 || got < 0)
			return r;
	}
	return 0;
}

static int thread_state(struct job *j, size_t n)
{
	const struct s3img_proc_thread *th = &j->p->threads[n];
	struct tracee *t = &j->th[n];
	int r;

	if ((r = CALL(j, t, SYS_set_tid_address, th->clear_child_tid, 0, 0, 0, 0, 0, NULL)) < 0)
		return r;
	if (th->robust_list &&
	    (r = CALL(j, t, SYS_set_robust_list, th->robust_list, th->robust_list_len, 0, 0, 0, 0, NULL)) < 0)
		return r;
	/* Always: a copy inherits the resumer's alternate stack, if any. */
	{
		bool off = (th->altstack_flags & SS_DISABLE) || !th->altstack_size;
		stack_t ss = { .ss_sp = off ? NULL : (void *)(uintptr_t)th->altstack_sp,
			       .ss_flags = off ? SS_DISABLE : (int)(th->altstack_flags & ~(uint32_t)SS_ONSTACK),
			       .ss_size = off ? 0 : th->altstack_size };
		if ((r = tracee_write(t->tid, j->scratch + SC_ALTSTACK, &ss, sizeof(ss))) < 0 ||
		    (r = CALL(j, t, SYS_sigaltstack, j->scratch + SC_ALTSTACK, 0, 0, 0, 0, 0, NULL)) < 0)
			return r;
	}
	if (th->rseq && (r = CALL(j, t, SYS_rseq, th->rseq, th->rseq_len, 0, th->rseq_sig, 0, 0, NULL)) < 0)
		return r;
	if ((r = tracee_write(t->tid, j->scratch + SC_COMM, th->comm, sizeof(th->comm))) < 0 ||
	    (r = CALL(j, t, SYS_prctl, PR_SET_NAME, j->scratch + SC_COMM, 0, 0, 0, 0, NULL)) < 0)
		return r;
	if (th->timerslack_ns &&
	    (r = CALL(j, t, SYS_prctl, PR_SET_TIMERSLACK, th->timerslack_ns, 0, 0, 0, 0, NULL)) < 0)
		return r;
	return set_creds(j, t);
}

/* Registers last: after them the thread must make no more calls. */
static int thread_regs(struct job *j, size_t n)
{
	const struct s3img_proc_thread *th = &j->p->threads[n];
	pid_t tid = j->th[n].tid;
	uint64_t regs[27], mask = th->sigmask;
	struct iovec iov;

	memcpy(regs, th->regs, sizeof(regs));
	regs[15] = (uint64_t)-1; /* orig_rax: the image already rewound restarts */
	iov = (struct iovec){ th->xstate, th->xstate_len };
	/* An XSAVE area of another size than this CPU's: the FXSAVE part. */
	if (!th->xstate_len || ptrace(PTRACE_SETREGSET, tid, NT_X86_XSTATE, &iov) < 0) {
		iov = (struct iovec){ (void *)th->fpregs, sizeof(th->fpregs) };
		if (ptrace(PTRACE_SETREGSET, tid, NT_PRFPREG, &iov) < 0)
			goto fail;
	}
	iov = (struct iovec){ regs, sizeof(regs) };
	if (ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, &iov) < 0 ||
	    ptrace(PTRACE_SETSIGMASK, tid, sizeof(mask), &mask) < 0)
		goto fail;
	return 0;
fail:
	return rfail(j->s->diag, -errno, "pid %d: registers of thread %d: %s", j->p->pid[0], th->tid[0],
		     strerror(errno));
}

static int process_finish(struct job *j)
{
	const struct s3img_proc_process *p = j->p;
	struct tracee *lead = &j->th[0];
	char path[64], val[16];
	int r, fd;

	if ((r = flush_signals(j)) < 0)
		return r;
	for (size_t n = 0; n < p->nthreads; n++)
		for (size_t k = 0; k < p->threads[n].npending; k++)
			if ((r = queue_signal(j, &p->threads[n].pending[k], n)) < 0)
				return r;
	for (size_t k = 0; k < p->npending; k++)
		if ((r = queue_signal(j, &p->pending[k], SIZE_MAX)) < 0)
			return r;
	for (int w = 0; w < 3; w++) {
		const struct s3img_proc_itimer *it = &p->itimers[w];
		if (!it->value_sec && !it->value_usec)
			continue;
		if ((r = tracee_write(lead->tid, j->scratch + SC_ITIMER, it, sizeof(*it))) < 0 ||
		    (r = CALL(j, lead, SYS_setitimer, (uint64_t)w, j->scratch + SC_ITIMER, 0, 0, 0, 0, NULL)) < 0)
			return r;
	}
	if ((r = CALL(j, lead, SYS_prctl, PR_SET_PDEATHSIG, (uint64_t)p->pdeathsig, 0, 0, 0, 0, NULL)) < 0)
		return r;
	if ((p->dumpable == 0 || p->dumpable == 1) &&
	    (r = CALL(j, lead, SYS_prctl, PR_SET_DUMPABLE, (uint64_t)p->dumpable, 0, 0, 0, 0, NULL)) < 0)
		return r;
	if ((r = CALL(j, lead, SYS_close_range, (uint64_t)j->s->base, ~0u, 0, 0, 0, 0, NULL)) < 0 ||
	    (r = CALL(j, lead, SYS_munmap, j->scratch, j->scratch_len, 0, 0, 0, 0, NULL)) < 0)
		return r;
	/* The OOM score, where it differs (lowering it needs privilege). */
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", j->s->pid[j->i]);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, val, sizeof(val) - 1);
		val[n > 0 ? n : 0] = 0;
		if (strtol(val, NULL, 10) != p->oom_score_adj) {
			snprintf(val, sizeof(val), "%d", p->oom_score_adj);
			if (pwrite(fd, val, strlen(val), 0) < 0)
				r = rfail(j->s->diag, -errno, "%s: %s", path, strerror(errno));
		}
		close(fd);
	}
	return r;
}

int rebuild_process(struct rs *s, size_t i)
{
	const struct s3img_proc_process *p = &s->img->procs[i];
	struct job j = { .s = s, .i = i, .p = p };
	struct rseq_conf rc = { 0 };
	int64_t got;
	int r;

	j.th = calloc(p->nthreads, sizeof(*j.th));
	s->tid[i] = calloc(p->nthreads, sizeof(pid_t));
	if (!j.th || !s->tid[i]) {
		free(j.th);
		return -ENOMEM;
	}
	s->tid[i][0] = s->pid[i];
	r = tracee_seize(&j.th[0], s->pid[i]);
	if (r < 0) {
		r = rfail(s->diag, r, "pid %d: cannot take hold of it: %s", p->pid[0], strerror(-r));
		goto out;
	}
	j.th[0].ip = s->sp.start[0] + s->sp.syscall_off;
	/* glibc registered rseq in the copy; its area is about to go. */
	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, s->pid[i], sizeof(rc), &rc) > 0 && rc.rseq_abi_pointer &&
	    (r = CALL(&j, &j.th[0], SYS_rseq, rc.rseq_abi_pointer, rc.rseq_abi_size, 1 /* RSEQ_FLAG_UNREGISTER */,
		      rc.signature, 0, 0, NULL)) < 0)
		goto out;
	if ((r = read_maps(&j)) < 0)
		goto out;
	j.scratch_len = SC_GROUPS + ((p->creds.ngroups * 4 + R_PAGE - 1) & ~(uint64_t)(R_PAGE - 1));
	j.scratch = find_hole(p, j.cur, j.ncur, j.scratch_len);
	if (!j.scratch) {
		r = rfail(s->diag, -ENOMEM, "pid %d: no room for the restore's scratch page", p->pid[0]);
		goto out;
	}
	r = CALL(&j, &j.th[0], SYS_mmap, j.scratch, j.scratch_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uint64_t)-1, 0, &got);
	if (r < 0)
		goto out;
	if ((r = unmap_copy(&j)) < 0)
		goto out;
	if ((r = move_specials(&j)) < 0)
		goto out;
	/* No huge pages while the memory goes in, if the process had none. */
	if ((p->flags & S3IMG_PROC_THP_DISABLE) &&
	    (r = CALL(&j, &j.th[0], SYS_prctl, PR_SET_THP_DISABLE, 1, 0, 0, 0, 0, NULL)) < 0)
		goto out;
	/* Every mapping, then the memory in (fill.c), then protections. */
	for (size_t v = 0; v < p->nvmas; v++)
		if (!is_special(p->vmas[v].kind) && (r = map_vma(&j, &p->vmas[v])) < 0)
			goto out;
	rverbose(s, "pid %d: %zu mappings made", p->pid[0], p->nvmas);
	if ((r = fill_process(s, i, s->pid[i])) < 0)
		goto out;
	for (size_t v = 0; v < p->nvmas; v++)
		if (!is_special(p->vmas[v].kind) && (r = finish_vma(&j, &p->vmas[v])) < 0)
			goto out;
	if ((r = set_mm(&j)) < 0 || (r = make_threads(&j)) < 0)
		goto out;
	if (s->nsfd[i] > 0 &&
	    (r = CALL(&j, &j.th[0], SYS_setns, (uint64_t)s->nsfd[i], CLONE_NEWPID, 0, 0, 0, 0, NULL)) < 0)
		goto out;
	/* Limits from outside, while the copy still has our credentials. */
	for (int k = 0; k < S3IMG_PROC_NRLIMITS; k++) {
		struct rlimit rl = { p->rlimits[k][0], p->rlimits[k][1] };
		if (prlimit(s->pid[i], k, &rl, NULL) < 0) {
			r = rfail(s->diag, -errno, "pid %d: cannot set resource limit %d to %llu/%llu: %s", p->pid[0], k,
				  (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max, strerror(errno));
			goto out;
		}
	}
	/* The leader last: the others' calls need its privileges no more. */
	for (size_t n = p->nthreads; n-- > 0;)
		if ((r = thread_state(&j, n)) < 0)
			goto out;
	if ((r = process_finish(&j)) < 0)
		goto out;
	for (size_t n = 0; n < p->nthreads; n++)
		if ((r = thread_regs(&j, n)) < 0)
			goto out;
	s->nthreads++;
out:
	free(j.cur);
	free(j.th);
	return r;
}

void release_process(struct rs *s, size_t i)
{
	const struct s3img_proc_process *p = &s->img->procs[i];

	/* Every thread of the process: PTRACE_DETACH starts each. */
	for (size_t n = 0; n < p->nthreads; n++)
		if (s->tid[i] && s->tid[i][n] > 0)
			ptrace(PTRACE_DETACH, s->tid[i][n], 0, 0);
}
