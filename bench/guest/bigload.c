/* s3big-load: the memory-heavy state captured by bench/mkbigvmcore.sh.
 *
 * Runs as a static binary in the first (crashing) kernel of the bench guest.
 * Usage: s3big-load READY_FILE FS_DIR TMPFS_DIR FS_MIB TMPFS_MIB ANON_MIB STALE_MIB
 *
 * It builds, in this order:
 *   1. page cache on a disk filesystem (ext4 on /dev/vdb, mounted at FS_DIR):
 *      FS_MIB of files (text-like logs and random "archives"), written, synced
 *      and read back, so they are clean cached pages as on a real server;
 *   2. page cache in tmpfs (TMPFS_DIR): TMPFS_MIB of mixed files;
 *   3. anonymous memory: ANON_MIB in process s3big-anon, which stays alive;
 *      each 4 KiB page is zero, text-like, structured or random (weights below);
 *   4. stale free memory: process s3big-stale fills STALE_MIB with mixed
 *      non-zero data and exits, so its pages go back to the buddy allocator
 *      with their contents (init_on_free is off in this kernel; init_on_alloc
 *      is on, which is why the stale filler runs last).
 * The rest of the guest memory stays free and never touched.
 *
 * Page contents and their rough per-page compressibility:
 *   zero        all-zero page
 *   text        log- and prose-like ASCII copied from a generated corpus at a
 *               random offset (zlib level 1 about 2.5-3x)
 *   structured  arrays of small records with counters, pointers and flags
 *               (about 4-8x)
 *   random      xorshift output (incompressible)
 * Per-page compressors (makedumpfile, suspend3) see no redundancy across pages,
 * so copying from one corpus does not make the data unrealistically compressible.
 *
 * Report lines on stdout (the serial console), parsed by mkbigvmcore.sh:
 *   S3BIG-MARKER <16 hex>     also written to /dev/kmsg as "SUSPEND3-BENCH-MARKER <hex>"
 *   S3BIG-REGION name=<n> pages=<n> zero=<n> text=<n> struct=<n> random=<n>
 *   S3BIG-READY
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
#define MIB (1UL << 20)
#define CORPUS_BYTES (4UL << 20)

enum kind { K_ZERO, K_TEXT, K_STRUCT, K_RANDOM, K_NR };
static const char *const kind_name[K_NR] = { "zero", "text", "struct", "random" };

/* Weights out of 16 per region. */
struct mix {
	unsigned w[K_NR];
};
static const struct mix MIX_ANON = { { 3, 6, 3, 4 } };  /* heap-like process memory */
static const struct mix MIX_STALE = { { 0, 8, 4, 4 } }; /* freed memory keeps old data */
static const struct mix MIX_TMPFS = { { 1, 9, 3, 3 } };

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;
	va_start(ap, fmt);
	fprintf(stderr, "s3big-load: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s\n", strerror(e));
	va_end(ap);
	printf("S3BIG-FAIL\n");
	exit(1);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static inline uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static char *corpus;

static const char *const words[] = {
	"the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be",
	"by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but",
	"have", "an", "had", "they", "you", "were", "their", "one", "all", "we", "can", "her",
	"has", "there", "been", "if", "more", "when", "will", "would", "who", "so", "no",
	"memory", "kernel", "page", "request", "server", "client", "connection", "timeout",
	"error", "warning", "info", "debug", "user", "session", "database", "query", "cache",
	"buffer", "thread", "process", "socket", "handler", "config", "value", "result",
	"status", "update", "insert", "select", "where", "from", "table", "index", "commit",
	"transaction", "latency", "bytes", "received", "sent", "completed", "started",
	"failed", "retry", "backend", "frontend", "worker", "queue", "message", "event",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static const char *const levels[] = { "INFO", "DEBUG", "WARN", "ERROR", "INFO", "INFO" };

/* A corpus of log lines and prose with numbers, ids and timestamps. */
static void make_corpus(void)
{
	corpus = malloc(CORPUS_BYTES + PAGE);
	if (!corpus)
		die("malloc corpus");
	size_t n = 0;
	uint64_t ts = 1700000000;
	while (n < CORPUS_BYTES) {
		char line[512];
		int len;
		if (rnd() % 3) {
			ts += rnd() % 3;
			len = snprintf(line, sizeof(line),
				       "2024-11-%02u %02u:%02u:%02u.%03u [%s] worker-%u req=%08llx ",
				       (unsigned)(ts / 86400 % 28 + 1), (unsigned)(ts / 3600 % 24),
				       (unsigned)(ts / 60 % 60), (unsigned)(ts % 60),
				       (unsigned)(rnd() % 1000), levels[rnd() % 6],
				       (unsigned)(rnd() % 16), (unsigned long long)(rnd() & 0xffffffff));
		} else {
			len = 0;
		}
		unsigned nw = 5 + rnd() % 12;
		for (unsigned i = 0; i < nw && len < 400; i++) {
			if (rnd() % 8 == 0)
				len += snprintf(line + len, sizeof(line) - (size_t)len, "%llu ",
						(unsigned long long)(rnd() % 100000));
			else
				len += snprintf(line + len, sizeof(line) - (size_t)len, "%s ",
						words[rnd() % NWORDS]);
		}
		line[len - 1] = '\n';
		size_t take = (size_t)len;
		if (n + take > CORPUS_BYTES)
			take = CORPUS_BYTES - n;
		memcpy(corpus + n, line, take);
		n += take;
	}
	memcpy(corpus + CORPUS_BYTES, corpus, PAGE); /* wrap-around tail */
}

struct rec {
	uint64_t id;
	uint32_t refcount;
	uint32_t flags;
	uint64_t next;  /* pointer-like */
	uint64_t stamp; /* slowly increasing */
	int32_t value;
	uint32_t pad;
	char name[8];
};

static void fill_page(unsigned char *p, enum kind k)
{
	switch (k) {
	case K_ZERO:
		memset(p, 0, PAGE);
		break;
	case K_TEXT:
		memcpy(p, corpus + rnd() % CORPUS_BYTES, PAGE);
		break;
	case K_STRUCT: {
		struct rec *r = (struct rec *)p;
		uint64_t base = 0x7f3a00000000ULL + (rnd() & 0xfffff000ULL);
		uint64_t id = rnd() % 1000000, stamp = 1700000000000ULL + rnd() % 1000000;
		for (size_t i = 0; i < PAGE / sizeof(*r); i++) {
			r[i].id = id + i;
			r[i].refcount = 1 + (unsigned)(rnd() % 4);
			r[i].flags = (rnd() % 4 == 0) ? 0x11 : 0x1;
			r[i].next = base + (i + 1) * sizeof(*r);
			r[i].stamp = stamp + i * 7;
			r[i].value = (int32_t)(rnd() % 2000) - 1000;
			r[i].pad = 0;
			memcpy(r[i].name, "obj", 4);
			r[i].name[3] = (char)('a' + i % 26);
		}
		break;
	}
	case K_RANDOM: {
		uint64_t *w = (uint64_t *)p;
		for (size_t i = 0; i < PAGE / 8; i++)
			w[i] = rnd();
		break;
	}
	default:
		break;
	}
}

static enum kind pick(const struct mix *m)
{
	unsigned r = (unsigned)(rnd() % 16), acc = 0;
	for (int k = 0; k < K_NR; k++) {
		acc += m->w[k];
		if (r < acc)
			return (enum kind)k;
	}
	return K_TEXT;
}

/* Fill pages of buf with the mix; counts[] gets the number of each kind. */
static void fill_mix(unsigned char *buf, size_t bytes, const struct mix *m, size_t counts[K_NR])
{
	for (size_t off = 0; off < bytes; off += PAGE) {
		enum kind k = pick(m);
		fill_page(buf + off, k);
		counts[k]++;
	}
}

static void report_region(const char *name, size_t pages, const size_t c[K_NR])
{
	printf("S3BIG-REGION name=%s pages=%zu", name, pages);
	for (int k = 0; k < K_NR; k++)
		printf(" %s=%zu", kind_name[k], c[k]);
	printf("\n");
}

static void write_all(int fd, const unsigned char *b, size_t n, const char *what)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write %s", what);
		}
		b += w;
		n -= (size_t)w;
	}
}

/* Files of 1 MiB each in dir, content per page from the mix (or the given
 * fixed kinds for the disk filesystem: logs and archives). */
static void make_files(const char *dir, const char *prefix, size_t mib, const struct mix *m,
		       size_t counts[K_NR], int sync_and_reread)
{
	unsigned char *buf = malloc(MIB);
	if (!buf)
		die("malloc");
	for (size_t i = 0; i < mib; i++) {
		char path[256];
		const struct mix *mm = m;
		static const struct mix LOGS = { { 0, 16, 0, 0 } }, ARCH = { { 0, 0, 0, 16 } };
		const char *ext = "dat";
		if (!m) { /* disk: 2/3 logs, 1/3 compressed archives */
			mm = (i % 3 == 2) ? &ARCH : &LOGS;
			ext = (i % 3 == 2) ? "gz" : "log";
		}
		snprintf(path, sizeof(path), "%s/%s-%04zu.%s", dir, prefix, i, ext);
		fill_mix(buf, MIB, mm, counts);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die("open %s", path);
		write_all(fd, buf, MIB, path);
		close(fd);
	}
	if (sync_and_reread) {
		sync();
		/* Read everything back: clean, recently used cached pages. */
		for (size_t i = 0; i < mib; i++) {
			char path[256];
			const char *ext = (i % 3 == 2) ? "gz" : "log";
			snprintf(path, sizeof(path), "%s/%s-%04zu.%s", dir, prefix, i, ext);
			int fd = open(path, O_RDONLY);
			if (fd < 0)
				die("open %s", path);
			while (read(fd, buf, MIB) > 0)
				;
			close(fd);
		}
	}
	free(buf);
}

static void write_marker(void)
{
	unsigned char r[8];
	char hex[17], line[64];
	int fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0 || read(fd, r, sizeof(r)) != (ssize_t)sizeof(r))
		die("/dev/urandom");
	close(fd);
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	memcpy(&rng_state, r, sizeof(rng_state));
	rng_state |= 1;
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd < 0)
		die("open /dev/kmsg");
	int n = snprintf(line, sizeof(line), "SUSPEND3-BENCH-MARKER %s\n", hex);
	if (write(fd, line, (size_t)n) != n)
		die("write /dev/kmsg");
	close(fd);
	printf("S3BIG-MARKER %s\n", hex);
}

static unsigned char *map_anon(size_t bytes)
{
	unsigned char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	if (p == MAP_FAILED)
		die("mmap %zu", bytes);
	return p;
}

int main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr,
			"usage: %s READY FS_DIR TMPFS_DIR FS_MIB TMPFS_MIB ANON_MIB STALE_MIB\n",
			argv[0]);
		return 2;
	}
	const char *ready = argv[1], *fsdir = argv[2], *tmpdir = argv[3];
	size_t fs_mib = strtoul(argv[4], NULL, 0), tmpfs_mib = strtoul(argv[5], NULL, 0);
	size_t anon_mib = strtoul(argv[6], NULL, 0), stale_mib = strtoul(argv[7], NULL, 0);
	size_t c[K_NR];

	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_SET_NAME, "s3big-main", 0, 0, 0);
	write_marker();
	make_corpus();

	memset(c, 0, sizeof(c));
	make_files(fsdir, "log", fs_mib, NULL, c, 1);
	report_region("ext4", fs_mib * MIB / PAGE, c);

	memset(c, 0, sizeof(c));
	make_files(tmpdir, "shm", tmpfs_mib, &MIX_TMPFS, c, 0);
	report_region("tmpfs", tmpfs_mib * MIB / PAGE, c);

	/* Anonymous memory in a process that stays alive until the crash. */
	int pfd[2];
	if (pipe(pfd) != 0)
		die("pipe");
	pid_t anon = fork();
	if (anon < 0)
		die("fork");
	if (anon == 0) {
		prctl(PR_SET_NAME, "s3big-anon", 0, 0, 0);
		size_t bytes = anon_mib * MIB;
		unsigned char *p = map_anon(bytes);
		memset(c, 0, sizeof(c));
		fill_mix(p, bytes, &MIX_ANON, c);
		report_region("anon", bytes / PAGE, c);
		close(pfd[0]);
		if (write(pfd[1], "1", 1) != 1)
			die("pipe write");
		for (;;)
			pause();
	}
	close(pfd[1]);
	char ch;
	if (read(pfd[0], &ch, 1) != 1) {
		errno = EIO;
		die("s3big-anon did not get ready");
	}
	close(pfd[0]);

	/* Stale data left in free memory: fill, then exit. */
	pid_t stale = fork();
	if (stale < 0)
		die("fork");
	if (stale == 0) {
		prctl(PR_SET_NAME, "s3big-stale", 0, 0, 0);
		size_t bytes = stale_mib * MIB;
		unsigned char *p = map_anon(bytes);
		memset(c, 0, sizeof(c));
		fill_mix(p, bytes, &MIX_STALE, c);
		report_region("stale-free", bytes / PAGE, c);
		_exit(0);
	}
	int st;
	if (waitpid(stale, &st, 0) != stale || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		errno = ECHILD;
		die("s3big-stale failed");
	}
	free(corpus);

	printf("S3BIG-READY\n");
	int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open %s", ready);
	close(fd);
	fclose(stdout);
	for (;;)
		pause();
}
