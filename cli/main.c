/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suspend3: the verb table, common logging and help. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char *program_name = "suspend3";

static const struct verb verbs[] = {
	{ "info", "show what an image holds",
	  "info IMAGE [--json[=pretty|short]]\n"
	  "  Format, header fields, kernel, CPUs, page size, dump level, compression,\n"
	  "  page counts (RAM, dumped, zero, excluded), crash time, completeness.\n"
	  "  IMAGE may be an ELF vmcore, a kdump-compressed file or a flattened dump;\n"
	  "  give every part of a split kdump set as further arguments.\n",
	  verb_info },
	{ "dmesg", "print the kernel log from a dump",
	  "dmesg IMAGE\n"
	  "  The kernel log (lockless ring buffer or log_buf), exactly as\n"
	  "  `makedumpfile --dump-dmesg` writes it.\n",
	  verb_dmesg },
	{ "convert", "write an image in another format",
	  "convert IN OUT [--format kdump|elf|flat] [--compress zstd|zlib|lzo|snappy|none]\n"
	  "        [-d LEVEL[,LEVEL...]] [--threads N] [--io auto|uring|aio|sync]\n"
	  "        [--force] [--quiet] [--verbose]\n"
	  "  The dump engine with other defaults: any image in, default dump level 1\n"
	  "  (zero pages shared, nothing else left out). See 'dump --help' for the\n"
	  "  options; flat may go to OUT '-' (stdout).\n",
	  verb_convert },
	{ "dump", "write a filtered, compressed dump of /proc/vmcore or another dump",
	  "dump [SRC] DEST [-d LEVEL[,LEVEL...]] [--format kdump|elf|flat]\n"
	  "        [--compress zstd|zlib|lzo|snappy|none] [--threads N] [--io auto|uring|aio|sync]\n"
	  "        [--force] [--quiet] [--verbose]\n"
	  "  SRC defaults to /proc/vmcore; it may be any ELF or kdump-compressed dump\n"
	  "  (re-filtering). DEST '-' with --format flat streams to stdout.\n"
	  "  -d LEVEL    makedumpfile dump level (default 31): 1 zero pages, 2 page cache\n"
	  "              without private, 4 all page cache, 8 user data, 16 free pages;\n"
	  "              hwpoison and offline pages are always left out. A list (31,1)\n"
	  "              is tried in order: the first level the dump supports is used\n"
	  "  --threads   compression workers (default: online CPUs); output is the same\n"
	  "  --io        how writes are submitted (default auto: io_uring, else AIO, else\n"
	  "              pwrite); O_DIRECT is used where the file system allows it\n"
	  "  --force     overwrite DEST; --quiet no progress or summary; --verbose more\n"
	  "  SIGINT/SIGTERM or a write error leave DEST marked incomplete, exit 1.\n",
	  verb_dump },
	{ "verify", "check an image and read every page",
	  "verify IMAGE\n"
	  "  Structural checks, then reads (and decompresses) every dumped page.\n"
	  "  Exit 1 with the first problem (offset and reason).\n",
	  verb_verify },
	{ "suspend", "write a live process tree into a suspend image",
	  "suspend PID -o IMAGE [--leave-running] [--shell-job] [--force] [--quiet]\n"
	  "  Freezes the tree under PID (every descendant and thread), writes its\n"
	  "  state into IMAGE (an ELF core, created 0600), then kills the tree.\n"
	  "  Refuses, leaving the tree running, what it cannot restore (sockets,\n"
	  "  io_uring, inotify, deleted files, traced processes...).\n"
	  "  --leave-running  let the tree run on afterwards (a checkpoint)\n"
	  "  --shell-job      the tree is a job of a shell: its terminal and a session\n"
	  "                   or group leader outside the tree are allowed\n"
	  "  --force          replace IMAGE if it exists\n"
	  "  --quiet          no summary line\n",
	  verb_suspend },
	{ "resume", "bring a suspended process tree back and let it run",
	  "resume IMAGE [--detach] [--quiet] [--verbose]\n"
	  "  Recreates the PID namespaces and every process of IMAGE with its PIDs at\n"
	  "  every level, its memory, registers, files, signals and credentials, then\n"
	  "  lets the whole tree run. Stays in the foreground like the job it restores:\n"
	  "  signals sent to suspend3 are passed to the root process, and the exit\n"
	  "  status is the root's (128+N if signal N ended it). On failure nothing is\n"
	  "  left behind. As a user: only one's own processes, in a new user and PID\n"
	  "  namespace whose first level is the image's.\n"
	  "  --detach   print the root's PID and return, leaving the tree running\n"
	  "  --quiet    no summary line\n"
	  "  --verbose  say each step on stderr\n",
	  verb_resume },
	{ "core", "write one process of a suspend image as a standard core",
	  "core IMAGE --pid PID -o FILE [--force]\n"
	  "  An ELF core of process PID (its PID in the suspender's namespace), as\n"
	  "  the kernel would dump it, for gdb and eu-stack. FILE is created 0600.\n"
	  "  --force  replace FILE if it exists\n",
	  verb_core },
	{ "load", "arm the capture kernel (kexec_file_load)",
	  "load [--kernel K] [--initrd I] [--append ARGS] [--remove NAMES] [--config FILE] [--dry-run]\n"
	  "  Load the capture kernel into the crashkernel reservation. Defaults: the\n"
	  "  running kernel, suspend3's capture initramfs (built by mkinitrd when it is\n"
	  "  missing or older than the configuration), and a command line derived from\n"
	  "  /proc/cmdline.\n"
	  "  --append ARGS   add kernel parameters to the capture command line\n"
	  "  --remove NAMES  drop these parameters (names, comma or space separated)\n"
	  "  --config FILE   configuration (default /etc/suspend3.conf)\n"
	  "  --dry-run       print what would be loaded and why; change nothing\n",
	  verb_load },
	{ "unload", "disarm the capture kernel",
	  "unload\n"
	  "  Unload the capture kernel (kexec_file_load with KEXEC_FILE_UNLOAD).\n",
	  verb_unload },
	{ "status", "show the crashkernel reservation and what is loaded",
	  "status [--json[=pretty|short]] [--config FILE]\n"
	  "  Reservation (size and ranges), whether a capture kernel is loaded, crash\n"
	  "  hotplug support, the configured target and the last dump found there.\n",
	  verb_status },
	{ "mkinitrd", "build the capture initramfs",
	  "mkinitrd [-o FILE] [--kver V] [--config FILE] [--moddir DIR] [--compress zstd|gzip|none] [-v]\n"
	  "  suspend3 itself as /init with its libraries, the configuration, and the\n"
	  "  kernel modules the dump target needs (resolved with libkmod).\n"
	  "  -o FILE     output (default /var/lib/suspend3/initrd-KVER.img)\n"
	  "  --kver V    kernel release (default: the running kernel)\n"
	  "  --moddir D  modules directory (default /lib/modules/KVER)\n"
	  "  --compress  default: what the kernel's /boot/config-KVER can unpack\n"
	  "  -v          list the files and why each module was asked for\n",
	  verb_mkinitrd },
	{ "capture", "write a dump as the capture kernel's /init does",
	  "capture --into DIR [--config FILE] [--vmcore FILE]\n"
	  "  In the capture kernel suspend3 runs as /init and does this by itself. This\n"
	  "  verb runs the same steps with DIR standing for the mounted target: writes\n"
	  "  DIR/PATH/YYYYMMDDHHMM/{dmesg,dump,suspend3-log}.STAMP.\n",
	  verb_capture },
};

const struct verb *verb_find(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

bool arg_is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

void print_verb_help(const struct verb *v, FILE *f)
{
	fprintf(f, "usage: %s %s", program_name, v->usage);
}

static void print_help(FILE *f)
{
	fprintf(f, "usage: %s VERB [options] [args]\n\n"
		   "Crash and suspend images on Linux.\n\nverbs:\n", program_name);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\n'%s VERB --help' describes a verb. Exit status: 0 success, "
		   "1 failure, 2 usage error.\n", program_name);
}

int log_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", program_name, verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

int log_usage(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", program_name, verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see '%s %s --help')\n", program_name, verb);
	return EXIT_USAGE;
}

int log_image_error(const char *verb, const char *path, int err, const struct s3img_diag *diag)
{
	if (diag && diag->reason[0]) {
		if (diag->offset != UINT64_MAX)
			return log_error(verb, "'%s': offset %#llx: %s", path,
					 (unsigned long long)diag->offset, diag->reason);
		return log_error(verb, "'%s': %s", path, diag->reason);
	}
	return log_error(verb, "'%s': %s", path, strerror(-err));
}

int main(int argc, char **argv)
{
	const struct verb *v;
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;

	/* PID 1 named init: the capture kernel started suspend3 as its /init. */
	if (getpid() == 1 && argc > 0 && strcmp(base ? base + 1 : argv[0], "init") == 0)
		return capture_init_main();

	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (arg_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (v = verb_find(argv[2]))) {
			print_verb_help(v, stdout);
			return 0;
		}
		print_help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %d.%d\n", program_name, S3IMG_VERSION_MAJOR, S3IMG_VERSION_MINOR);
		return 0;
	}
	v = verb_find(argv[1]);
	if (!v) {
		fprintf(stderr, "%s: '%s' is not a verb (see '%s --help')\n", program_name, argv[1],
			program_name);
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (arg_is_help(argv[i])) {
			print_verb_help(v, stdout);
			return 0;
		}
	}
	return v->run(argc - 1, argv + 1);
}
