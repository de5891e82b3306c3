/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture command line derivation. */
#include <errno.h>

#include "cmdline.h"
#include "kx_test.h"

static const char *derive(const char *cur, const char *const *rm, size_t nrm, const char *app)
{
	static struct cmdline_result r;
	static char out[CMDLINE_MAX];
	struct kx_diag d = { 0 };

	if (cmdline_derive(cur, rm, nrm, app, &r, &d) < 0)
		return NULL;
	snprintf(out, sizeof(out), "%s", r.cmdline);
	cmdline_result_free(&r);
	return out;
}

#define ADDED "reset_devices nr_cpus=1 irqpoll usbcore.nousb cgroup_disable=memory panic=10"

int main(void)
{
	struct cmdline_result r;
	struct kx_diag d = { 0 };
	char big[CMDLINE_MAX + 10];

	CHECK_STR(derive("BOOT_IMAGE=/vmlinuz root=UUID=x ro crashkernel=256M quiet", NULL, 0, NULL),
		  "BOOT_IMAGE=/vmlinuz root=UUID=x ro quiet " ADDED);
	/* Debian's and Fedora's removals; '-' and '_' are the same in names. */
	CHECK_STR(derive("hugepages=10 hugepagesz=2M default-hugepagesz=1G cma=64M log_buf_len=16M "
			 "resume=/dev/sda2 nr_cpus=8 maxcpus=4 panic=1 console=ttyS0",
			 NULL, 0, NULL),
		  "console=ttyS0 " ADDED);
	/* A name without '=' is removed too; a longer name sharing a prefix is not. */
	CHECK_STR(derive("crashkernel crashkernelx=1 init=/bin/sh rdinit=/x", NULL, 0, NULL),
		  "crashkernelx=1 " ADDED);
	/* Parameters we add again are not doubled. */
	CHECK_STR(derive("irqpoll reset_devices a", NULL, 0, NULL), "a " ADDED);
	/* Quotes keep spaces inside one parameter. */
	CHECK_STR(derive("dyndbg=\"file x.c +p\" crashkernel=\"1G\" b", NULL, 0, NULL),
		  "dyndbg=\"file x.c +p\" b " ADDED);
	/* Everything after "--" belongs to init. */
	CHECK_STR(derive("a -- --init-arg crashkernel=1", NULL, 0, NULL), "a " ADDED);
	/* The configuration's removals and additions. */
	const char *rm[] = { "quiet", "splash" };
	CHECK_STR(derive("quiet splash=1 splashy a", rm, 2, "loglevel=7  mem=1G"),
		  "splashy a " ADDED " loglevel=7 mem=1G");
	CHECK_STR(derive("", NULL, 0, NULL), ADDED);
	CHECK_STR(derive("  \t\n", NULL, 0, NULL), ADDED);

	/* The reasons, for --dry-run. */
	CHECK(cmdline_derive("crashkernel=1G a", NULL, 0, "b", &r, &d) == 0);
	CHECK(r.n_edits == 8 && !r.edits[0].added && strcmp(r.edits[0].param, "crashkernel=1G") == 0);
	CHECK(r.edits[7].added && strcmp(r.edits[7].param, "b") == 0 && r.edits[7].why);
	cmdline_result_free(&r);

	/* Bad input. */
	CHECK(cmdline_derive("a=\"unbalanced", NULL, 0, NULL, &r, &d) == -EINVAL);
	CHECK(strstr(d.reason, "quote") != NULL);
	CHECK(cmdline_derive("a", NULL, 0, "b=\"x", &r, &d) == -EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	CHECK(cmdline_derive(big, NULL, 0, NULL, &r, &d) == -E2BIG);
	CHECK(strstr(d.reason, "exceed") != NULL);
	return kx_done("test_cmdline");
}
