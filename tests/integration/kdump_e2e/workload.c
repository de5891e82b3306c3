/* s3e2e-workload: a known process tree for the end-to-end kdump test.
 * The parent (comm "s3e2e-parent") forks three children ("s3e2e-child0".."2"),
 * writes "SUSPEND3-E2E-MARKER <hex>" to the kernel log, prints
 * "S3E2E-READY marker=<hex>" on stdout and everything waits for the crash. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	char line[128];
	unsigned long long marker;
	int fd, n;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	marker = (unsigned long long)rand() << 32 | (unsigned)rand();
	prctl(PR_SET_NAME, "s3e2e-parent");
	for (int i = 0; i < 3; i++) {
		pid_t p = fork();
		if (p < 0) {
			perror("fork");
			return 1;
		}
		if (p == 0) {
			char name[16];
			snprintf(name, sizeof(name), "s3e2e-child%d", i);
			prctl(PR_SET_NAME, name);
			for (;;)
				pause();
		}
	}
	n = snprintf(line, sizeof(line), "SUSPEND3-E2E-MARKER %016llx\n", marker);
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd < 0 || write(fd, line, (size_t)n) != n) {
		perror("/dev/kmsg");
		return 1;
	}
	close(fd);
	printf("S3E2E-READY marker=%016llx\n", marker);
	fflush(stdout);
	for (;;)
		pause();
}
