/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Assemble the capture initramfs. Library layout: one real directory,
 * /usr/lib, with /lib, /lib64, /usr/lib64 and /usr/lib/<multiarch> all
 * pointing at it, so the program interpreter's default search path finds
 * every library whichever of those it names (Debian, Fedora, ...). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockdev.h"
#include "elfdeps.h"
#include "initramfs.h"

#define FILE_MAX (256u << 20)
#define LIBS_MAX 64

static const char *const default_lib_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
};

int read_whole_file(const char *path, uint8_t **ret, size_t *ret_len, size_t max)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0, cap;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = fstat(fd, &st) < 0 ? -errno : -EISDIR;
		close(fd);
		return r;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	/* Read to the end: files in /proc report a size of 0. */
	cap = st.st_size ? (size_t)st.st_size + 1 : 4096;
	for (;;) {
		ssize_t n;
		if (got == cap || !buf) {
			uint8_t *nb;
			if (buf)
				cap *= 2;
			if (cap > max + 1)
				cap = max + 1;
			nb = got < cap ? realloc(buf, cap) : NULL;
			if (!nb) {
				r = got >= cap ? -EFBIG : -ENOMEM;
				break;
			}
			buf = nb;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = got;
	return 0;
}

enum initrd_compress initrd_compress_for_kernel(const char *config_text, size_t len)
{
	const char *p = config_text, *end = config_text ? config_text + len : NULL;

	while (p && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (n == 16 && memcmp(p, "CONFIG_RD_ZSTD=y", 16) == 0)
			return INITRD_ZSTD;
		p += n + 1;
	}
	return INITRD_GZIP;
}

struct libset {
	char *src[LIBS_MAX]; /* host path */
	char *name[LIBS_MAX]; /* file name in /usr/lib */
	size_t n;
	char *interp;        /* PT_INTERP of the program */
};

static void libset_deinit(struct libset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->src[i]);
		free(s->name[i]);
	}
	free(s->interp);
}

static int libset_has(const struct libset *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return 1;
	return 0;
}

/* Find soname along runpath (":"-separated, $ORIGIN = origin) and the
 * default directories. */
static int find_lib(const char *soname, const char *runpath, const char *origin, char *out, size_t outsz)
{
	char dirs[4096];
	const char *d;

	if (runpath) {
		snprintf(dirs, sizeof(dirs), "%s", runpath);
		for (char *save = NULL, *tok = strtok_r(dirs, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
			char dir[PATH_MAX];
			if (strncmp(tok, "$ORIGIN", 7) == 0)
				snprintf(dir, sizeof(dir), "%s%s", origin, tok + 7);
			else if (strncmp(tok, "${ORIGIN}", 9) == 0)
				snprintf(dir, sizeof(dir), "%s%s", origin, tok + 9);
			else
				snprintf(dir, sizeof(dir), "%s", tok);
			if (snprintf(out, outsz, "%s/%s", dir, soname) < (int)outsz && access(out, R_OK) == 0)
				return 0;
		}
	}
	for (size_t i = 0; i < sizeof(default_lib_dirs) / sizeof(default_lib_dirs[0]); i++) {
		d = default_lib_dirs[i];
		if (snprintf(out, outsz, "%s/%s", d, soname) < (int)outsz && access(out, R_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* Add the libraries that the ELF file at path needs, recursively. */
static int collect_libs(const char *path, struct libset *s, int depth, struct kx_diag *diag)
{
	struct elfdeps d;
	uint8_t *buf;
	size_t len;
	char origin[PATH_MAX], real[PATH_MAX];
	int r;

	if (depth > 16)
		return kx_diag_set(diag, -ELOOP, 0, "library dependencies nest too deep at '%s'", path);
	r = read_whole_file(path, &buf, &len, FILE_MAX);
	if (r < 0)
		return kx_diag_set(diag, r, 0, "cannot read '%s': %s", path, strerror(-r));
	r = elfdeps_parse(buf, len, &d, diag);
	free(buf);
	if (r == -ENOEXEC)
		return kx_diag_set(diag, r, 0, "'%s' is not a 64-bit ELF file", path);
	if (r < 0)
		return kx_diag_set(diag, r, 0, "'%s': %s", path, diag ? diag->reason : "bad ELF");
	if (depth == 0 && d.interp) {
		s->interp = strdup(d.interp);
		if (!s->interp)
			r = -ENOMEM;
	}
	snprintf(origin, sizeof(origin), "%s", realpath(path, real) ? dirname(real) : ".");
	for (size_t i = 0; i < d.n_needed && r == 0; i++) {
		char found[PATH_MAX];
		if (libset_has(s, d.needed[i]))
			continue;
		if (s->n == LIBS_MAX) {
			r = kx_diag_set(diag, -E2BIG, 0, "more than %d libraries", LIBS_MAX);
			break;
		}
		if (find_lib(d.needed[i], d.runpath, origin, found, sizeof(found)) < 0) {
			r = kx_diag_set(diag, -ENOENT, 0, "cannot find library '%s' needed by '%s'", d.needed[i],
					path);
			break;
		}
		s->name[s->n] = strdup(d.needed[i]);
		s->src[s->n] = strdup(found);
		if (!s->name[s->n] || !s->src[s->n]) {
			free(s->name[s->n]);
			free(s->src[s->n]);
			r = -ENOMEM;
			break;
		}
		s->n++;
		r = collect_libs(found, s, depth + 1, diag);
	}
	elfdeps_deinit(&d);
	return r;
}

static int add_host_file(struct cpio *c, const char *name, const char *src, mode_t perm,
			 struct initrd_report *rep, struct kx_diag *diag)
{
	uint8_t *buf;
	size_t len;
	int r = read_whole_file(src, &buf, &len, FILE_MAX);

	if (r < 0)
		return kx_diag_set(diag, r, 0, "cannot read '%s': %s", src, strerror(-r));
	cpio_add_file(c, name, perm, buf, len);
	free(buf);
	r = strv_add_unique(&rep->files, &rep->n_files, name);
	return r < 0 ? r : 0;
}

/* Add the directories leading to name (which has no leading '/'). */
static void add_parents(struct cpio *c, const char *name, char ***dirs, size_t *n_dirs)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", name);
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (strv_add_unique(dirs, n_dirs, p) > 0)
			cpio_add_dir(c, p, 0755);
		*s = '/';
	}
}

static int add_modules(struct cpio *c, const struct initrd_opts *o, struct initrd_report *rep,
		       char ***dirs, size_t *n_dirs, struct kx_diag *diag)
{
	char *list = NULL;
	size_t list_len = 0;
	FILE *f = open_memstream(&list, &list_len);
	size_t ml = strlen(o->moddir);
	int r = 0;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < o->mods->n && r == 0; i++) {
		const char *src = o->mods->paths[i];
		char name[PATH_MAX];
		/* Keep the path below lib/modules/KVER as depmod wrote it. */
		const char *rel = strncmp(src, o->moddir, ml) == 0 && src[ml] == '/' ? src + ml + 1 : NULL;
		if (rel)
			snprintf(name, sizeof(name), "usr/lib/modules/%s/%s", o->kver, rel);
		else
			snprintf(name, sizeof(name), "usr/lib/modules/%s/extra/%s", o->kver, strrchr(src, '/') + 1);
		add_parents(c, name, dirs, n_dirs);
		r = add_host_file(c, name, src, 0644, rep, diag);
		fprintf(f, "/%s\n", name + 4); /* /lib/modules/...: through the /lib link */
	}
	if (fclose(f) != 0) {
		free(list);
		return -ENOMEM;
	}
	if (r == 0) {
		cpio_add_file(c, INITRD_MODULE_LIST, 0644, list, list_len);
		r = strv_add_unique(&rep->files, &rep->n_files, INITRD_MODULE_LIST);
	}
	free(list);
	return r < 0 ? r : 0;
}

int initrd_build(const struct initrd_opts *o, uint8_t **ret, size_t *ret_len,
		 struct initrd_report *report, struct kx_diag *diag)
{
	struct cpio c = { 0 };
	struct libset libs = { 0 };
	struct initrd_report rep = { 0 };
	char **dirs = NULL, *conf_text = NULL;
	size_t n_dirs = 0;
	int r;

	r = collect_libs(o->exe, &libs, 0, diag);
	if (r < 0)
		goto out;

	static const char *const base_dirs[] = { "dev", "proc", "sys", "run", "tmp", "mnt", "etc", "usr",
						 "usr/lib" };
	for (size_t i = 0; i < sizeof(base_dirs) / sizeof(base_dirs[0]); i++) {
		cpio_add_dir(&c, base_dirs[i], 0755);
		strv_add_unique(&dirs, &n_dirs, base_dirs[i]);
	}
	/* The console before /init runs: the kernel opens /dev/console for it. */
	cpio_add_chardev(&c, "dev/console", 0600, 5, 1);
	cpio_add_symlink(&c, "lib", "usr/lib");
	cpio_add_symlink(&c, "lib64", "usr/lib");
	cpio_add_symlink(&c, "usr/lib64", "lib");
	cpio_add_symlink(&c, "usr/lib/x86_64-linux-gnu", ".");

	r = add_host_file(&c, "init", o->exe, 0755, &rep, diag);
	if (r < 0)
		goto out;
	if (libs.interp) {
		char name[PATH_MAX];
		const char *base = strrchr(libs.interp, '/') ? strrchr(libs.interp, '/') + 1 : libs.interp;
		snprintf(name, sizeof(name), "usr/lib/%s", base);
		r = add_host_file(&c, name, libs.interp, 0755, &rep, diag);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < libs.n; i++) {
		char name[PATH_MAX];
		snprintf(name, sizeof(name), "usr/lib/%s", libs.name[i]);
		if (libs.interp && strcmp(libs.name[i], strrchr(libs.interp, '/') + 1) == 0)
			continue;
		r = add_host_file(&c, name, libs.src[i], 0755, &rep, diag);
		if (r < 0)
			goto out;
	}
	r = s3conf_format(o->conf, &conf_text);
	if (r < 0)
		goto out;
	cpio_add_file(&c, S3CONF_IN_INITRD + 1, 0644, conf_text, strlen(conf_text));
	strv_add_unique(&rep.files, &rep.n_files, S3CONF_IN_INITRD + 1);
	cpio_add_file(&c, INITRD_KVER_FILE, 0644, o->kver, strlen(o->kver));
	strv_add_unique(&rep.files, &rep.n_files, INITRD_KVER_FILE);
	r = add_modules(&c, o, &rep, &dirs, &n_dirs, diag);
	if (r < 0)
		goto out;
	r = cpio_finish(&c);
	if (r < 0) {
		kx_diag_set(diag, r, 0, "cannot build the archive: %s", strerror(-r));
		goto out;
	}
	rep.cpio_bytes = c.len;
	r = initrd_compress(c.buf, c.len, o->compress, ret, ret_len);
	if (r < 0) {
		kx_diag_set(diag, r, 0, "cannot compress the archive (%s): %s",
			    initrd_compress_name(o->compress), strerror(-r));
		goto out;
	}
	rep.compressed_bytes = *ret_len;
	if (report) {
		*report = rep;
		memset(&rep, 0, sizeof(rep));
	}
out:
	initrd_report_deinit(&rep);
	strv_free(dirs, n_dirs);
	libset_deinit(&libs);
	cpio_deinit(&c);
	free(conf_text);
	return r;
}

void initrd_report_deinit(struct initrd_report *r)
{
	if (!r)
		return;
	strv_free(r->files, r->n_files);
	memset(r, 0, sizeof(*r));
}
