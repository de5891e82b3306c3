/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <suspend3/image.h>
#include <time.h>
#include <unistd.h>

#include "blockdev.h"
#include "capture.h"
#include "initramfs.h"
#include "modules.h"

#define TARGET_MNT "/mnt"
#define LOG_MAX (256u << 10)

struct capture {
	const struct capture_opts *o;
	const struct capture_ops *ops;
	struct s3conf *conf;
	char *log;           /* everything said on the console, for the log file */
	size_t log_len;
	char dir[4200];      /* the dump directory once created */
	char stamp[32];
	bool mounted;
	unsigned last_pct;
	struct timespec t0;
};

static double elapsed(const struct capture *c)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - c->t0.tv_sec) + (double)(t.tv_nsec - c->t0.tv_nsec) / 1e9;
}

/* Seconds since the capture kernel booted (0 if /proc is not there). */
static double uptime(void)
{
	char buf[64] = "";
	int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		close(fd);
	}
	return atof(buf);
}

static void say(struct capture *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct capture *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "suspend3-capture: [%7.2f] ", elapsed(c));
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
	n = (int)strlen(line);
	if (c->log_len + (size_t)n + 2 <= LOG_MAX) {
		char *l = realloc(c->log, c->log_len + (size_t)n + 2);
		if (l) {
			c->log = l;
			memcpy(l + c->log_len, line, (size_t)n);
			l[c->log_len + (size_t)n] = '\n';
			c->log_len += (size_t)n + 1;
			l[c->log_len] = 0;
		}
	}
}

static int mkdir_p(const char *path, mode_t mode)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), r = 0;
	const char *p = data;

	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static void mount_kernel_fs(struct capture *c)
{
	static const struct {
		const char *src, *dir, *type;
	} fs[] = {
		{ "proc", "/proc", "proc" },
		{ "sysfs", "/sys", "sysfs" },
		{ "devtmpfs", "/dev", "devtmpfs" }, /* CONFIG_DEVTMPFS_MOUNT is often off */
	};
	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
		mkdir(fs[i].dir, 0755);
		if (mount(fs[i].src, fs[i].dir, fs[i].type, MS_NOSUID | MS_NOEXEC, NULL) < 0 && errno != EBUSY)
			say(c, "cannot mount %s on %s: %s", fs[i].type, fs[i].dir, strerror(errno));
	}
}

static int load_config(struct capture *c)
{
	struct kx_diag diag = { 0 };
	uint8_t *text;
	size_t len;
	int r = read_whole_file(c->o->config, &text, &len, 1 << 20);

	if (r < 0) {
		say(c, "cannot read '%s': %s", c->o->config, strerror(-r));
		return r;
	}
	r = s3conf_parse((const char *)text, len, &c->conf, &diag);
	free(text);
	if (r < 0)
		say(c, "'%s' line %u: %s", c->o->config, diag.line, diag.reason);
	return r;
}

static int load_modules(struct capture *c)
{
	struct kx_diag diag = { 0 };
	struct utsname u;
	char moddir[512], *line, *save = NULL;
	char **paths = NULL;
	size_t n = 0;
	uint8_t *list;
	size_t len;
	int r;

	r = read_whole_file("/" INITRD_MODULE_LIST, &list, &len, 1 << 20);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		say(c, "cannot read /%s: %s", INITRD_MODULE_LIST, strerror(-r));
		return r;
	}
	uname(&u);
	snprintf(moddir, sizeof(moddir), "/lib/modules/%s", u.release);
	list = realloc(list, len + 1);
	list[len] = 0;
	for (line = strtok_r((char *)list, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (*line && (r = strv_add_unique(&paths, &n, line)) < 0)
			break;
	free(list);
	if (r >= 0) {
		say(c, "loading %zu modules", n);
		r = modules_insert(moddir, paths, n, &diag);
		if (r < 0)
			say(c, "%s", diag.reason);
	}
	strv_free(paths, n);
	return r;
}

static int mount_target(struct capture *c)
{
	struct kx_diag diag = { 0 };
	struct blockdev dev;
	const char *type;
	unsigned waited = 0;
	int r;

	if (!c->conf->target) {
		say(c, "no target in the configuration (mkinitrd resolves it)");
		return -EINVAL;
	}
	/* Probing is asynchronous: the device appears some time after its module loads. */
	while ((r = blockdev_find("/sys", "/dev", c->conf->target, &dev, &diag)) == -ENODEV &&
	       waited < c->conf->wait_seconds * 10) {
		if (waited % 50 == 0)
			say(c, "waiting for %s", c->conf->target);
		usleep(100000);
		waited++;
	}
	if (r < 0) {
		say(c, "target %s not found after %u s: %s", c->conf->target, c->conf->wait_seconds, diag.reason);
		return r;
	}
	type = c->conf->fstype ? c->conf->fstype : dev.fs.type;
	if (!*type) {
		say(c, "%s holds no file system suspend3 recognises (set fstype)", dev.node);
		return -ENOENT;
	}
	if (strcmp(type, "ext2") == 0 || strcmp(type, "ext3") == 0)
		type = "ext4"; /* the ext4 driver mounts them all */
	mkdir(TARGET_MNT, 0755);
	if (mount(dev.node, TARGET_MNT, type, 0, NULL) < 0) {
		r = -errno;
		say(c, "cannot mount %s (%s) on %s: %s", dev.node, type, TARGET_MNT, strerror(errno));
		return r;
	}
	c->mounted = true;
	say(c, "mounted %s (%s %s) on %s", dev.node, type, c->conf->target, TARGET_MNT);
	return 0;
}

static void make_stamp(struct capture *c)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(c->stamp, sizeof(c->stamp), "%Y%m%d%H%M", &tm);
}

static int make_dump_dir(struct capture *c, const char *root)
{
	char base[4096];
	int r;

	snprintf(base, sizeof(base), "%s%s", root, strcmp(c->conf->path, "/") == 0 ? "" : c->conf->path);
	r = mkdir_p(base, 0700);
	if (r < 0) {
		say(c, "cannot create '%s': %s", base, strerror(-r));
		return r;
	}
	/* Two crashes in one minute: a suffix, never an overwrite. */
	for (int i = 0; i < 100; i++) {
		int n = i ? snprintf(c->dir, sizeof(c->dir), "%s/%s-%d", base, c->stamp, i) :
			    snprintf(c->dir, sizeof(c->dir), "%s/%s", base, c->stamp);
		if (n < 0 || (size_t)n >= sizeof(c->dir))
			return -ENAMETOOLONG;
		if (mkdir(c->dir, 0700) == 0)
			return 0;
		if (errno != EEXIST) {
			r = -errno;
			say(c, "cannot create '%s': %s", c->dir, strerror(errno));
			c->dir[0] = 0;
			return r;
		}
	}
	c->dir[0] = 0;
	say(c, "'%s' holds 100 dumps of this minute already", base);
	return -EEXIST;
}

struct dmesg_out {
	FILE *f;
	size_t lines;
};

static int emit_dmesg(void *ctx, const char *text, size_t len)
{
	struct dmesg_out *d = ctx;
	return fwrite(text, 1, len, d->f) == len ? 0 : -EIO;
}

static int write_dmesg(struct capture *c)
{
	struct s3img *img = NULL;
	struct s3img_diag diag = { 0 };
	struct dmesg_out out = { 0 };
	char path[4400];
	int r, fd;

	snprintf(path, sizeof(path), "%s/dmesg.%s", c->dir, c->stamp);
	r = s3img_open(c->o->vmcore, &img, &diag);
	if (r < 0) {
		say(c, "cannot open '%s': %s", c->o->vmcore, diag.reason[0] ? diag.reason : strerror(-r));
		return r;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	out.f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out.f) {
		r = -errno;
		say(c, "cannot create '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		s3img_free(img);
		return r;
	}
	r = s3img_dmesg(img, emit_dmesg, &out, &diag);
	if (fflush(out.f) != 0 && r == 0)
		r = -EIO;
	if (r == 0 && fsync(fileno(out.f)) < 0)
		r = -errno;
	if (fclose(out.f) != 0 && r == 0)
		r = -EIO;
	s3img_free(img);
	if (r < 0) {
		say(c, "cannot write the kernel log to '%s': %s", path, diag.reason[0] ? diag.reason : strerror(-r));
		unlink(path);
	} else
		say(c, "wrote %s", path);
	return r;
}

static void progress(void *ctx, uint64_t done, uint64_t total)
{
	struct capture *c = ctx;
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100;

	if (pct / 10 > c->last_pct / 10) {
		c->last_pct = pct;
		say(c, "dump %u%%", pct);
	}
}

static int write_dump(struct capture *c)
{
	struct kx_diag diag = { 0 };
	char path[4400];
	int r;

	snprintf(path, sizeof(path), "%s/dump.%s", c->dir, c->stamp);
	say(c, "writing %s (%s, %s, dump level %d)", path, s3conf_format_name(c->conf->format),
	    s3img_compress_name(c->conf->compress), c->conf->dump_level);
	r = c->ops->write_dump(c->ops->ctx, c->o->vmcore, path, c->conf, progress, c, &diag);
	if (r < 0) {
		say(c, "dump failed: %s", diag.reason[0] ? diag.reason : strerror(-r));
		return r;
	}
	if (diag.reason[0]) /* a note, e.g. a dump level lowered to what the kernel supports */
		say(c, "%s", diag.reason);
	say(c, "wrote %s", path);
	return 0;
}

static void save_log(struct capture *c, const char *root)
{
	char path[4500];
	int r;

	if (!c->log)
		return;
	if (c->dir[0])
		snprintf(path, sizeof(path), "%s/suspend3-log.%s", c->dir, c->stamp);
	else if (c->conf && root)
		snprintf(path, sizeof(path), "%s%s/suspend3-log.%s", root,
			 strcmp(c->conf->path, "/") == 0 ? "" : c->conf->path, c->stamp);
	else
		return;
	r = write_file(path, c->log, c->log_len);
	if (r < 0)
		fprintf(stderr, "suspend3-capture: cannot write the log '%s': %s\n", path, strerror(-r));
}

static void __attribute__((noreturn)) final_action(struct capture *c, enum s3conf_action a)
{
	static const int cmd[] = {
		[S3CONF_REBOOT] = RB_AUTOBOOT, [S3CONF_POWEROFF] = RB_POWER_OFF, [S3CONF_HALT] = RB_HALT_SYSTEM,
	};

	say(c, "%s", s3conf_action_name(a));
	sync();
	if (c->mounted && umount(TARGET_MNT) < 0)
		fprintf(stderr, "suspend3-capture: cannot unmount %s: %s\n", TARGET_MNT, strerror(errno));
	reboot(cmd[a]);
	fprintf(stderr, "suspend3-capture: %s failed: %s\n", s3conf_action_name(a), strerror(errno));
	for (;;) /* PID 1 must not exit: that would panic the kernel */
		pause();
}

int capture_run(const struct capture_opts *o, const struct capture_ops *ops)
{
	struct capture c = { .o = o, .ops = ops };
	const char *root = o->into ? o->into : TARGET_MNT;
	struct stat st;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	if (o->as_init)
		mount_kernel_fs(&c);
	make_stamp(&c);
	if (o->as_init)
		say(&c, "started as the capture kernel's /init, %.1f s after boot", uptime());
	else
		say(&c, "test run into '%s'", o->into);
	r = load_config(&c);
	if (r < 0)
		goto fail;
	if (stat(o->vmcore, &st) < 0) {
		r = -errno;
		say(&c, "no %s: %s (not a capture kernel?)", o->vmcore, strerror(errno));
		goto fail;
	}
	if (o->as_init) {
		r = load_modules(&c);
		if (r < 0)
			goto fail;
		r = mount_target(&c);
		if (r < 0)
			goto fail;
	}
	r = make_dump_dir(&c, root);
	if (r < 0)
		goto fail;
	/* The kernel log first: small, and the most useful part if the dump
	 * itself then fails (a full disk). Without it the dump still matters. */
	if (write_dmesg(&c) < 0)
		say(&c, "continuing without the kernel log");
	r = write_dump(&c);
	if (r < 0)
		goto fail;
	if (o->as_init)
		say(&c, "done in %.1f s (%.1f s after the capture kernel booted)", elapsed(&c), uptime());
	else
		say(&c, "done in %.1f s", elapsed(&c));
	save_log(&c, root);
	if (o->as_init)
		final_action(&c, c.conf->final_action);
	free(c.log);
	s3conf_free(c.conf);
	return 0;
fail:
	say(&c, "capture failed");
	if (c.mounted || o->into)
		save_log(&c, root);
	if (o->as_init)
		final_action(&c, c.conf ? c.conf->failure_action : S3CONF_REBOOT);
	free(c.log);
	s3conf_free(c.conf);
	return r;
}
