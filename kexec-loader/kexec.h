/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kexec_file_load for the crash kernel, and the state of the running
 * kernel's crash machinery (sysfs, /proc/iomem, /proc/cmdline). */
#ifndef SUSPEND3_KX_KEXEC_H
#define SUSPEND3_KX_KEXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "crashmem.h"
#include "diag.h"

struct crash_state {
	int loaded;            /* /sys/kernel/kexec_crash_loaded: 1, 0, -1 unknown */
	int64_t crash_size;    /* /sys/kernel/kexec_crash_size, -1 unknown */
	struct crash_ranges ranges; /* from /proc/iomem */
	bool iomem_ok;
	int hotplug_cpu, hotplug_memory; /* crash_hotplug (6.6+): 1, 0, -1 absent */
	char crashkernel[256]; /* crashkernel= of /proc/cmdline, "" if none */
	char release[65];      /* uname -r */
};

/* Best effort: fields that cannot be read stay "unknown". The prefix (""
 * normally) lets tests point at a fake /sys and /proc tree. */
void crash_state_read(const char *prefix, struct crash_state *ret);

/* The reservation in bytes: /proc/iomem when readable, else
 * kexec_crash_size (which reads 0 while an image is loaded on some
 * kernels), else -1. */
int64_t crash_state_reserved(const struct crash_state *s);

/* kexec_file_load(KEXEC_FILE_ON_CRASH). Returns 0 or -errno. */
int kexec_crash_load(const char *kernel, const char *initrd, const char *cmdline);
int kexec_crash_unload(void);

/* What the kernel needs from the reservation for this kernel + initrd:
 * init_size of the bzImage + the initrd + room for purgatory, the ELF
 * core header and the boot structures (a conservative estimate). */
uint64_t kexec_crash_need(uint32_t kernel_init_size, uint64_t initrd_size);

/* One actionable line for a failed kexec_file_load. */
const char *kexec_error_hint(int err);

#endif
