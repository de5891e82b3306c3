/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the kexec verbs (load, unload, status, mkinitrd). */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "diag.h"

int log_kx_error(const char *verb, const char *config, int err, const struct kx_diag *diag)
{
	if (diag->line)
		return log_error(verb, "'%s' line %u: %s", config, diag->line, diag->reason);
	if (diag->reason[0])
		return log_error(verb, "%s", diag->reason);
	return log_error(verb, "%s", strerror(-err));
}

void kver_running(char *buf, size_t size)
{
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(buf, size, "%s", u.release);
	else
		snprintf(buf, size, "unknown");
}
