/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kexec.h"

#ifndef KEXEC_FILE_UNLOAD
#define KEXEC_FILE_UNLOAD 0x1
#define KEXEC_FILE_ON_CRASH 0x2
#define KEXEC_FILE_NO_INITRAMFS 0x4
#endif

static int read_file(const char *path, char **ret, size_t *ret_len, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;
		if (len + 1 >= cap) {
			char *nb;
			if (cap >= max) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			cap = cap ? cap * 2 : 16384;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;
			free(buf);
			close(fd);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int64_t read_number(const char *prefix, const char *path)
{
	char p[512], *buf, *end;
	size_t len;
	long long v;

	snprintf(p, sizeof(p), "%s%s", prefix, path);
	if (read_file(p, &buf, &len, 4096) < 0)
		return -1;
	v = strtoll(buf, &end, 10);
	if (end == buf)
		v = -1;
	free(buf);
	return v;
}

static void find_crashkernel(const char *cmdline, char *out, size_t outsz)
{
	const char *p = cmdline;

	out[0] = 0;
	while ((p = strstr(p, "crashkernel="))) {
		if (p == cmdline || p[-1] == ' ') {
			size_t n = strcspn(p + 12, " \n");
			snprintf(out, outsz, "%.*s", (int)n, p + 12); /* the last one wins, as in the kernel */
		}
		p += 12;
	}
}

void crash_state_read(const char *prefix, struct crash_state *ret)
{
	struct crash_state s = { .loaded = -1, .crash_size = -1 };
	struct utsname u;
	char p[512], *buf;
	size_t len;

	s.loaded = (int)read_number(prefix, "/sys/kernel/kexec_crash_loaded");
	s.crash_size = read_number(prefix, "/sys/kernel/kexec_crash_size");
	s.hotplug_cpu = (int)read_number(prefix, "/sys/devices/system/cpu/crash_hotplug");
	s.hotplug_memory = (int)read_number(prefix, "/sys/devices/system/memory/crash_hotplug");
	snprintf(p, sizeof(p), "%s/proc/iomem", prefix);
	if (read_file(p, &buf, &len, 4 << 20) == 0) {
		s.iomem_ok = iomem_parse(buf, len, &s.ranges, NULL) == 0;
		free(buf);
	}
	snprintf(p, sizeof(p), "%s/proc/cmdline", prefix);
	if (read_file(p, &buf, &len, 65536) == 0) {
		find_crashkernel(buf, s.crashkernel, sizeof(s.crashkernel));
		free(buf);
	}
	if (uname(&u) == 0)
		snprintf(s.release, sizeof(s.release), "%s", u.release);
	*ret = s;
}

int64_t crash_state_reserved(const struct crash_state *s)
{
	if (s->iomem_ok && !s->ranges.hidden)
		return (int64_t)crash_ranges_size(&s->ranges);
	if (s->crash_size > 0 || (s->crash_size == 0 && s->loaded == 0))
		return s->crash_size;
	return -1;
}

int kexec_crash_load(const char *kernel, const char *initrd, const char *cmdline)
{
	int kfd, ifd = -1, r = 0;
	unsigned long flags = KEXEC_FILE_ON_CRASH;

	kfd = open(kernel, O_RDONLY | O_CLOEXEC);
	if (kfd < 0)
		return -errno;
	if (initrd) {
		ifd = open(initrd, O_RDONLY | O_CLOEXEC);
		if (ifd < 0) {
			r = -errno;
			close(kfd);
			return r;
		}
	} else {
		flags |= KEXEC_FILE_NO_INITRAMFS;
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1, cmdline, flags) < 0)
		r = -errno;
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	return r;
}

int kexec_crash_unload(void)
{
	if (syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH) < 0)
		return -errno;
	return 0;
}

uint64_t kexec_crash_need(uint32_t kernel_init_size, uint64_t initrd_size)
{
	/* What kexec_file_load places in the reservation: the kernel with
	 * its init_size (aligned to 2 MiB), the initrd, and about 1 MiB for
	 * purgatory, the ELF core header and the boot structures. The capture
	 * kernel then also needs memory to run in: not counted here. */
	uint64_t load = (((uint64_t)kernel_init_size + (2u << 20) - 1) & ~(uint64_t)((2u << 20) - 1)) +
			initrd_size + (1u << 20);
	return load;
}

const char *kexec_error_hint(int err)
{
	switch (-err) {
	case EPERM:
		return "not permitted: run as root (CAP_SYS_BOOT); kexec may also be disabled "
		       "(sysctl kernel.kexec_load_disabled) or refused by lockdown/Secure Boot";
	case EADDRNOTAVAIL:
		return "the crashkernel reservation is missing or too small for this kernel and initrd";
	case EBUSY:
		return "another kexec operation is in progress: retry";
	case ENOEXEC:
		return "the kernel image is not recognised (not a bzImage for this architecture)";
	case EKEYREJECTED:
	case ENOKEY:
	case EBADMSG:
	case ENODATA:
		return "the kernel's signature was rejected (signature checks are enforced: "
		       "use a signed kernel)";
	case ENOSYS:
		return "this kernel has no kexec_file_load (CONFIG_KEXEC_FILE)";
	case ENOMEM:
		return "out of memory while loading (kernel or initrd too large for the reservation?)";
	case EINVAL:
		return "the kernel refused the arguments (command line too long, or a bad image)";
	default:
		return strerror(-err);
	}
}
