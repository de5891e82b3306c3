/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mkinitrd.h"

void default_initrd_path(const char *kver, char *buf, size_t size)
{
	snprintf(buf, size, "%s/initrd-%s.img", S3_INITRD_DIR, kver);
}

void default_kernel_path(const char *kver, char *buf, size_t size)
{
	snprintf(buf, size, "/boot/vmlinuz-%s", kver);
}

int s3conf_load(const char *path, bool must_exist, struct s3conf **ret, struct kx_diag *diag)
{
	uint8_t *text;
	size_t len;
	int r;

	r = read_whole_file(path, &text, &len, 1 << 20);
	if (r == -ENOENT && !must_exist)
		return s3conf_new_default(ret);
	if (r < 0)
		return kx_diag_set(diag, r, 0, "cannot read '%s': %s", path, strerror(-r));
	r = s3conf_parse((const char *)text, len, ret, diag);
	free(text);
	return r;
}

static int set_str(char **field, const char *v)
{
	char *s = strdup(v);
	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

static const char *mount_type(const char *probed)
{
	if (strcmp(probed, "ext2") == 0 || strcmp(probed, "ext3") == 0)
		return "ext4";
	return probed;
}

int s3conf_resolve_target(struct s3conf *conf, struct blockdev *ret_dev, struct kx_diag *diag)
{
	struct blockdev dev = { 0 };
	char spec[128];
	int r;

	if (conf->target) {
		r = blockdev_find("/sys", "/dev", conf->target, &dev, diag);
		if (r == -ENODEV) {
			/* Not here now (an unplugged disk): the capture kernel may still find it. */
			if (!conf->fstype)
				return kx_diag_set(diag, -ENODEV, 0,
						   "target %s is not present: set 'fstype' to build without it",
						   conf->target);
			memset(ret_dev, 0, sizeof(*ret_dev));
			return 0;
		}
		if (r < 0)
			return r;
	} else {
		char *mnt = NULL, *rel = NULL;
		r = blockdev_of_path(conf->path, &dev, &mnt, &rel, diag);
		if (r < 0)
			return r;
		r = set_str(&conf->path, rel);
		free(mnt);
		free(rel);
		if (r < 0)
			return r;
	}
	if (!dev.fs.type[0] && !conf->fstype)
		return kx_diag_set(diag, -ENOENT, 0, "%s holds no file system suspend3 recognises (set 'fstype')",
				   dev.node);
	if (!conf->fstype && (r = set_str(&conf->fstype, mount_type(dev.fs.type))) < 0)
		return r;
	/* A UUID survives renamed devices; the capture kernel's probe order may differ. */
	if (dev.fs.uuid[0])
		snprintf(spec, sizeof(spec), "UUID=%s", dev.fs.uuid);
	else
		snprintf(spec, sizeof(spec), "%s", dev.node);
	if ((r = set_str(&conf->target, spec)) < 0)
		return r;
	*ret_dev = dev;
	return 0;
}

static int add_wanted(struct mkinitrd_result *res, const char *name, const char *why)
{
	const char **w;
	int r = strv_add_unique(&res->wanted, &res->n_wanted, name);

	if (r <= 0)
		return r;
	w = realloc(res->wanted_why, res->n_wanted * sizeof(*w));
	if (!w)
		return -ENOMEM;
	res->wanted_why = w;
	w[res->n_wanted - 1] = why;
	return 0;
}

static int write_output(const char *path, const uint8_t *data, size_t len, struct kx_diag *diag)
{
	char tmp[4200];
	int fd, r = 0;
	size_t done = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return kx_diag_set(diag, -ENAMETOOLONG, 0, "'%s': name too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return kx_diag_set(diag, -errno, 0, "cannot create '%s': %s", tmp, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return kx_diag_set(diag, r, 0, "cannot write '%s': %s", path, strerror(-r));
	}
	return 0;
}

int mkinitrd_run(const struct mkinitrd_opts *o, struct mkinitrd_result *ret, struct kx_diag *diag)
{
	struct mkinitrd_result res = { 0 };
	struct utsname u;
	char moddir[1024], cfgpath[1200];
	uint8_t *cfg = NULL, *img = NULL;
	size_t cfg_len = 0, img_len = 0;
	char **drivers = NULL;
	size_t n_drivers = 0;
	int r;

	if (o->kver)
		snprintf(res.kver, sizeof(res.kver), "%s", o->kver);
	else if (uname(&u) == 0)
		snprintf(res.kver, sizeof(res.kver), "%s", u.release);
	snprintf(moddir, sizeof(moddir), "%s", o->moddir ? o->moddir : "");
	if (!o->moddir)
		snprintf(moddir, sizeof(moddir), "/lib/modules/%s", res.kver);

	r = s3conf_load(o->config ? o->config : S3CONF_DEFAULT_PATH, o->config != NULL, &res.conf, diag);
	if (r < 0)
		goto out;
	r = s3conf_resolve_target(res.conf, &res.dev, diag);
	if (r < 0)
		goto out;
	res.target_absent = !res.dev.name[0];
	if (!res.target_absent) {
		r = blockdev_driver_modules("/sys", &res.dev, &drivers, &n_drivers, diag);
		if (r < 0)
			goto out;
		for (size_t i = 0; i < n_drivers && r == 0; i++)
			r = add_wanted(&res, drivers[i], "driver of the target device");
	}
	if (r == 0)
		r = add_wanted(&res, res.conf->fstype, "file system of the target");
	for (size_t i = 0; i < res.conf->n_modules && r == 0; i++)
		r = add_wanted(&res, res.conf->modules[i], "configured in 'modules'");
	if (r < 0)
		goto out;
	r = modules_resolve(moddir, (const char *const *)res.wanted, res.n_wanted, &res.mods, diag);
	if (r < 0)
		goto out;

	if (o->compress >= 0) {
		res.compress = (enum initrd_compress)o->compress;
	} else {
		/* The kernel's config next to its modules' root, or in /boot. */
		snprintf(cfgpath, sizeof(cfgpath), "%s/../../../boot/config-%s", moddir, res.kver);
		if (read_whole_file(cfgpath, &cfg, &cfg_len, 4 << 20) < 0) {
			snprintf(cfgpath, sizeof(cfgpath), "/boot/config-%s", res.kver);
			read_whole_file(cfgpath, &cfg, &cfg_len, 4 << 20);
		}
		res.compress = initrd_compress_for_kernel((const char *)cfg, cfg_len);
	}
	struct initrd_opts io = {
		.exe = o->exe ? o->exe : "/proc/self/exe",
		.kver = res.kver,
		.moddir = moddir,
		.conf = res.conf,
		.mods = &res.mods,
		.compress = res.compress,
	};
	r = initrd_build(&io, &img, &img_len, &res.report, diag);
	if (r < 0)
		goto out;
	if (o->output)
		r = write_output(o->output, img, img_len, diag);
out:
	free(cfg);
	free(img);
	strv_free(drivers, n_drivers);
	if (r < 0) {
		mkinitrd_result_deinit(&res);
		return r;
	}
	*ret = res;
	return 0;
}

void mkinitrd_result_deinit(struct mkinitrd_result *r)
{
	if (!r)
		return;
	s3conf_free(r->conf);
	strv_free(r->wanted, r->n_wanted);
	free(r->wanted_why);
	modlist_deinit(&r->mods);
	initrd_report_deinit(&r->report);
	memset(r, 0, sizeof(*r));
}
