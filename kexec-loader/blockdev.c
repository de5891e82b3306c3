/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "blockdev.h"

void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int strv_add_unique(char ***v, size_t *n, const char *s)
{
	char **nv;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 1;
}

int blockdev_probe(const char *node, struct fs_id *ret)
{
	static unsigned char buf[FSPROBE_BYTES];
	ssize_t n;
	size_t got = 0;
	int fd = open(node, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	while (got < sizeof(buf)) {
		n = pread(fd, buf + got, sizeof(buf) - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return fsprobe(buf, got, ret);
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

static int fill_dev(const char *sysfs_root, const char *dev_root, const char *name, struct blockdev *d)
{
	char p[PATH_MAX], v[32];

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->node, sizeof(d->node), "%s/%s", dev_root, name);
	snprintf(p, sizeof(p), "%s/class/block/%s/dev", sysfs_root, name);
	if (read_small(p, v, sizeof(v)) < 0 || sscanf(v, "%u:%u", &d->major, &d->minor) != 2)
		return -ENOENT;
	return 0;
}

int blockdev_find(const char *sysfs_root, const char *dev_root, const char *spec,
		  struct blockdev *ret, struct kx_diag *diag)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	if (strncmp(spec, "/dev/", 5) == 0) {
		struct blockdev d;
		const char *name = spec + 5;
		if (strchr(name, '/'))
			return kx_diag_set(diag, -EINVAL, 0, "'%s': give the kernel name (/dev/NAME)", spec);
		if (fill_dev(sysfs_root, dev_root, name, &d) < 0)
			return kx_diag_set(diag, -ENODEV, 0, "no block device '%s'", spec);
		blockdev_probe(d.node, &d.fs);
		*ret = d;
		return 0;
	}
	snprintf(p, sizeof(p), "%s/class/block", sysfs_root);
	dir = opendir(p);
	if (!dir)
		return kx_diag_set(diag, -errno, 0, "cannot list '%s': %s", p, strerror(errno));
	while ((de = readdir(dir))) {
		struct blockdev d;
		if (de->d_name[0] == '.' || strncmp(de->d_name, "ram", 3) == 0)
			continue;
		if (fill_dev(sysfs_root, dev_root, de->d_name, &d) < 0)
			continue;
		if (blockdev_probe(d.node, &d.fs) == 0 && fs_id_matches(&d.fs, spec)) {
			closedir(dir);
			*ret = d;
			return 0;
		}
	}
	closedir(dir);
	return kx_diag_set(diag, -ENODEV, 0, "no block device has a file system with %s", spec);
}

/* Unescape mountinfo's octal escapes (\040 for space) in place. */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

/* Calls fn(major, minor, root, mountpoint, fstype, ctx) per mountinfo line. */
static int mountinfo_each(int (*fn)(unsigned, unsigned, const char *, const char *, const char *, void *),
			  void *ctx)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (!f)
		return -errno;
	while (r == 0 && getline(&line, &cap, f) > 0) {
		unsigned maj, min;
		char root[PATH_MAX], mnt[PATH_MAX], fstype[64];
		const char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*u %*u %u:%u %4095s %4095s", &maj, &min, root, mnt) != 4 ||
		    sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		unescape(root);
		unescape(mnt);
		r = fn(maj, min, root, mnt, fstype, ctx);
	}
	free(line);
	fclose(f);
	return r < 0 ? r : 0;
}

struct mp_search {
	unsigned major, minor;
	const char *path; /* NULL: any mount of the device */
	char best[PATH_MAX];
	char root[PATH_MAX];
	int found;
};

static int mp_match(unsigned maj, unsigned min, const char *root, const char *mnt,
		    const char *fstype, void *ctx)
{
	struct mp_search *s = ctx;
	size_t l = strlen(mnt);

	(void)fstype;
	if (maj != s->major || min != s->minor)
		return 0;
	if (s->path && !(strcmp(mnt, "/") == 0 ||
			 (strncmp(s->path, mnt, l) == 0 && (s->path[l] == '/' || s->path[l] == 0))))
		return 0;
	if (s->found && strlen(s->best) >= l)
		return 0;
	snprintf(s->best, sizeof(s->best), "%s", mnt);
	snprintf(s->root, sizeof(s->root), "%s", root);
	s->found = 1;
	return 0;
}

int blockdev_mountpoint(unsigned major, unsigned minor, char **ret)
{
	struct mp_search s = { .major = major, .minor = minor };
	int r = mountinfo_each(mp_match, &s);

	if (r < 0)
		return r;
	if (!s.found)
		return -ENOENT;
	*ret = strdup(s.best);
	return *ret ? 0 : -ENOMEM;
}

int blockdev_of_path(const char *path, struct blockdev *ret_dev, char **ret_mountpoint,
		     char **ret_relpath, struct kx_diag *diag)
{
	char real[PATH_MAX], p[PATH_MAX], link[PATH_MAX];
	struct mp_search s = { 0 };
	struct stat st;
	struct blockdev d;
	const char *rel, *name;
	size_t existing_len;
	ssize_t n;
	int r;

	/* The dump directory may not exist yet: use its nearest existing parent. */
	snprintf(p, sizeof(p), "%s", path);
	while (stat(p, &st) < 0) {
		char *slash = strrchr(p, '/');
		if (!slash || slash == p) {
			snprintf(p, sizeof(p), "/");
			if (stat(p, &st) < 0)
				return kx_diag_set(diag, -errno, 0, "cannot stat '/': %s", strerror(errno));
			break;
		}
		*slash = 0;
	}
	existing_len = strcmp(p, "/") == 0 ? 0 : strlen(p);
	if (!realpath(p, real))
		return kx_diag_set(diag, -errno, 0, "cannot resolve '%s': %s", p, strerror(errno));
	s.major = major(st.st_dev);
	s.minor = minor(st.st_dev);
	s.path = real;
	r = mountinfo_each(mp_match, &s);
	if (r < 0)
		return kx_diag_set(diag, r, 0, "cannot read /proc/self/mountinfo: %s", strerror(-r));
	if (!s.found)
		return kx_diag_set(diag, -ENODEV, 0, "'%s' is on no mounted file system", path);
	if (strcmp(s.root, "/") != 0)
		return kx_diag_set(diag, -EOPNOTSUPP, 0,
				   "'%s' is on a bind mount of '%s': set 'target' in the configuration", path,
				   s.root);
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u", s.major, s.minor);
	n = readlink(p, link, sizeof(link) - 1);
	if (n < 0)
		return kx_diag_set(diag, -ENODEV, 0,
				   "'%s' is not on a block device (%u:%u): set 'target' in the configuration",
				   path, s.major, s.minor);
	link[n] = 0;
	name = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (fill_dev("/sys", "/dev", name, &d) < 0)
		return kx_diag_set(diag, -ENODEV, 0, "no block device %s", name);
	blockdev_probe(d.node, &d.fs);
	/* path relative to the mount point: the resolved existing part, then
	 * the part of path that does not exist yet. */
	rel = real + (strcmp(s.best, "/") == 0 ? 0 : strlen(s.best));
	if (strcmp(rel, "/") == 0)
		rel = "";
	snprintf(p, sizeof(p), "%s%s", rel, path + existing_len);
	if (!p[0])
		snprintf(p, sizeof(p), "/");
	*ret_mountpoint = strdup(s.best);
	*ret_relpath = strdup(p);
	if (!*ret_mountpoint || !*ret_relpath) {
		free(*ret_mountpoint);
		free(*ret_relpath);
		return -ENOMEM;
	}
	*ret_dev = d;
	return 0;
}

static int has_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int blockdev_driver_modules(const char *sysfs_root, const struct blockdev *dev, char ***ret,
			    size_t *ret_n, struct kx_diag *diag)
{
	char p[PATH_MAX], real[PATH_MAX], link[PATH_MAX];
	char **mods = NULL;
	size_t n = 0, root_len;
	char sys_real[PATH_MAX];
	int r;

	snprintf(p, sizeof(p), "%s/class/block/%s", sysfs_root, dev->name);
	if (!realpath(p, real))
		return kx_diag_set(diag, -errno, 0, "cannot resolve '%s': %s", p, strerror(errno));
	if (snprintf(p, sizeof(p), "%s/slaves", real) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	if (has_entries(p))
		return kx_diag_set(diag, -EOPNOTSUPP, 0,
				   "%s is a stacked device (device-mapper, md, ...): not supported yet",
				   dev->node);
	if (!realpath(sysfs_root, sys_real))
		return -errno;
	root_len = strlen(sys_real);
	/* Walk up from the block device to /sys/devices. */
	while (strlen(real) > root_len + 1) {
		char *slash;
		ssize_t l;

		if (snprintf(p, sizeof(p), "%s/driver/module", real) >= (int)sizeof(p)) {
			strv_free(mods, n);
			return -ENAMETOOLONG;
		}
		l = readlink(p, link, sizeof(link) - 1);
		if (l > 0) {
			link[l] = 0;
			r = strv_add_unique(&mods, &n, strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
			if (r < 0) {
				strv_free(mods, n);
				return r;
			}
		}
		slash = strrchr(real, '/');
		if (!slash)
			break;
		*slash = 0;
	}
	*ret = mods;
	*ret_n = n;
	return 0;
}
