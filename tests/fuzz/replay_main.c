/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replay fuzz inputs without libFuzzer: each argument is a file, or a
 * directory whose files are all run, through LLVMFuzzerTestOneInput.
 * Built into every fuzz target with -DS3_FUZZ_REPLAY so the corpora run
 * in the normal test suite. Exit 0 when all ran, 1 if an input could not
 * be read (a crash is the fuzz target's own failure).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not corpus files. */
#define REPLAY_MAX_INPUT (64u << 20)

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;
	size_t len;

	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "cannot open '%s': %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "'%s' is larger than %u bytes\n", path, REPLAY_MAX_INPUT);
		fclose(f);
		return -1;
	}
	len = (size_t)st.st_size;
	/* Exactly len bytes, so ASan sees any read past the input. */
	buf = malloc(len ? len : 1);
	if (!buf || fread(buf, 1, len, f) != len) {
		fprintf(stderr, "cannot read '%s'\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int replay_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int r = 0;

	if (!d) {
		fprintf(stderr, "cannot open directory '%s': %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char child[4096];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(child, sizeof(child), "%s/%s", path, de->d_name) >= (int)sizeof(child))
			continue;
		if (stat(child, &st) == 0 && S_ISREG(st.st_mode) && replay_file(child) < 0)
			r = -1;
	}
	closedir(d);
	return r;
}

int main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "cannot stat '%s': %s\n", argv[i], strerror(errno));
			failed = 1;
		} else if (S_ISDIR(st.st_mode) ? replay_dir(argv[i]) < 0 : replay_file(argv[i]) < 0) {
			failed = 1;
		}
	}
	return failed;
}
