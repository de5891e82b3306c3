/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration file: values, defaults, errors with line numbers, and
 * the writer that mkinitrd puts into the initramfs. */
#include <errno.h>

#include "s3conf.h"
#include "kx_test.h"

static int parse(const char *text, struct s3conf **c, struct kx_diag *d)
{
	memset(d, 0, sizeof(*d));
	return s3conf_parse(text, strlen(text), c, d);
}

/* The error of a one-key file, on its line. */
static void bad(const char *text, unsigned line, const char *reason_part)
{
	struct s3conf *c = NULL;
	struct kx_diag d;

	if (parse(text, &c, &d) >= 0) {
		fprintf(stderr, "accepted: %s\n", text);
		kx_failures++;
		s3conf_free(c);
		return;
	}
	if (d.line != line || !strstr(d.reason, reason_part)) {
		fprintf(stderr, "for '%s': line %u '%s', expected line %u '%s'\n", text, d.line, d.reason, line,
			reason_part);
		kx_failures++;
	}
}

int main(void)
{
	struct s3conf *c, *c2;
	struct kx_diag d;
	char *text;

	CHECK(parse("", &c, &d) == 0);
	CHECK(!c->target && strcmp(c->path, "/var/crash") == 0 && c->dump_level == 31);
	CHECK(c->compress == S3IMG_COMPRESS_ZSTD && c->format == S3IMG_FORMAT_KDUMP);
	CHECK(c->final_action == S3CONF_REBOOT && c->failure_action == S3CONF_REBOOT && c->wait_seconds == 60);
	s3conf_free(c);

	CHECK(parse("# comment\n"
		    "  target = LABEL=my dump  \n"
		    "\n"
		    "path=/srv/crash\r\n"
		    "fstype = xfs\n"
		    "dump_level = 17\n"
		    "compress = zlib\n"
		    "final_action = poweroff\n"
		    "failure_action = halt\n"
		    "modules = nvme  ahci\tsd_mod\n"
		    "cmdline_remove = quiet splash\n"
		    "cmdline_append = loglevel=7 \"a b\"\n"
		    "kernel = /boot/vmlinuz-x\n"
		    "initrd = /boot/s3.img\n"
		    "wait_seconds = 5",
		    &c, &d) == 0);
	CHECK_STR(c->target, "LABEL=my dump");
	CHECK_STR(c->path, "/srv/crash");
	CHECK_STR(c->fstype, "xfs");
	CHECK(c->dump_level == 17 && c->compress == S3IMG_COMPRESS_ZLIB);
	CHECK(c->final_action == S3CONF_POWEROFF && c->failure_action == S3CONF_HALT);
	CHECK(c->n_modules == 3 && strcmp(c->modules[2], "sd_mod") == 0);
	CHECK(c->n_cmdline_remove == 2 && strcmp(c->cmdline_remove[1], "splash") == 0);
	CHECK_STR(c->cmdline_append, "loglevel=7 \"a b\"");
	CHECK_STR(c->kernel, "/boot/vmlinuz-x");
	CHECK_STR(c->initrd, "/boot/s3.img");
	CHECK(c->wait_seconds == 5);

	/* What mkinitrd writes reads back the same. */
	CHECK(s3conf_format(c, &text) == 0);
	CHECK(parse(text, &c2, &d) == 0);
	CHECK_STR(c2->target, c->target);
	CHECK_STR(c2->path, c->path);
	CHECK_STR(c2->fstype, c->fstype);
	CHECK(c2->dump_level == 17 && c2->compress == c->compress && c2->final_action == c->final_action &&
	      c2->failure_action == c->failure_action && c2->n_modules == 3 && c2->wait_seconds == 5);
	CHECK_STR(c2->cmdline_append, c->cmdline_append);
	free(text);
	s3conf_free(c2);
	s3conf_free(c);

	CHECK(parse("format = elf\n", &c, &d) == 0 && c->format == S3IMG_FORMAT_ELF &&
	      c->compress == S3IMG_COMPRESS_NONE);
	s3conf_free(c);
	CHECK(parse("target = UUID=1234-abcd\ntarget2=x\n", &c, &d) == -EINVAL && d.line == 2);

	bad("\n\nfoo = bar\n", 3, "unknown key 'foo'");
	bad("path\n", 1, "expected 'key = value'");
	bad("path = /a\npath = /b\n", 2, "already set on line 1");
	bad("path = relative/dir\n", 1, "not an absolute path");
	bad("path =\n", 1, "has no value");
	bad("target = sda1\n", 1, "not UUID=..., LABEL=... or /dev/NAME");
	bad("target = UUID=\n", 1, "not UUID=");
	bad("dump_level = 32\n", 1, "0..31");
	bad("dump_level = -1\n", 1, "0..31");
	bad("dump_level = 1x\n", 1, "0..31");
	bad("compress = lz4\n", 1, "not zstd, zlib");
	bad("format = raw\n", 1, "not kdump or elf");
	bad("final_action = explode\n", 1, "not reboot, poweroff or halt");
	bad("failure_action = shell\n", 1, "not reboot, poweroff or halt");
	bad("modules = ok bad/name\n", 1, "not a list of module names");
	bad("cmdline_remove = quiet=1\n", 1, "parameter names");
	bad("wait_seconds = 99999\n", 1, "0..3600");
	bad("fstype = Ext4!\n", 1, "not a file system type");
	bad("format = elf\ncompress = zstd\n", 2, "cannot be compressed");
	CHECK(s3conf_parse("#\npath = /a\0b\n", 13, &c, &d) == -EINVAL && d.line == 2 &&
	      strstr(d.reason, "control character"));
	char *longline = malloc(10000);
	memset(longline, 'a', 9999);
	longline[9999] = 0;
	bad(longline, 1, "longer than");
	free(longline);
	return kx_done("test_config");
}
