/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SUSPEND3_CLI_H
#define SUSPEND3_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <suspend3/image.h>

#define EXIT_USAGE 2

struct verb {
	const char *name;
	const char *summary;
	const char *usage; /* options and arguments, printed by --help */
	int (*run)(int argc, char **argv);
};

extern const char *program_name;

/* Print "suspend3 VERB: message" to stderr; returns EXIT_FAILURE. */
int log_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One line for a failed library call: subject, reason, offset. */
int log_image_error(const char *verb, const char *path, int err, const struct s3img_diag *diag);
/* Usage error: message, then a hint to --help; returns EXIT_USAGE. */
int log_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void print_verb_help(const struct verb *v, FILE *f);
const struct verb *verb_find(const char *name);

/* Is argv[i] --help or -h? */
bool arg_is_help(const char *a);

/* JSON output (json.c). */
struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool first;
};
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
/* Arrays: elements are written with a NULL key. */
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_string(struct json *j, const char *key, const char *value);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

/* Progress on a terminal (progress.c). */
struct progress {
	bool enabled;   /* a bar on a terminal */
	bool plain;     /* periodic lines (not a terminal) */
	const char *what;
	uint64_t start_ns, last_ns;
};
void progress_init(struct progress *p, const char *what, bool quiet);
void progress_update(void *ctx, uint64_t done, uint64_t total);
void progress_end(struct progress *p);

int verb_info(int argc, char **argv);
int verb_dmesg(int argc, char **argv);
int verb_convert(int argc, char **argv);
int verb_verify(int argc, char **argv);
int verb_dump(int argc, char **argv);
int verb_suspend(int argc, char **argv);
int verb_core(int argc, char **argv);
int verb_resume(int argc, char **argv);
/* info on a suspend image (info_proc.c). */
bool info_proc_is_image(const char *path);
int info_proc(const char *path, bool json, bool pretty);

/* Arm the capture kernel, and the capture side (kx_common.c, verb_load.c,
 * verb_status.c, verb_mkinitrd.c, verb_capture.c). */
struct kx_diag;
int verb_load(int argc, char **argv);
int verb_unload(int argc, char **argv);
int verb_status(int argc, char **argv);
int verb_mkinitrd(int argc, char **argv);
int verb_capture(int argc, char **argv);
/* suspend3 as /init of the capture kernel: does not return. */
int capture_init_main(void);
int log_kx_error(const char *verb, const char *config, int err, const struct kx_diag *diag);
void kver_running(char *buf, size_t size);

#endif
