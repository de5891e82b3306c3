/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SUSPEND3_IMAGE_OPTS_H
#define SUSPEND3_IMAGE_OPTS_H

#include "dumper.h"

int parse_format(const char *s, enum s3img_format *ret);
int parse_compress(const char *s, unsigned *ret);
int parse_io(const char *s, enum s3img_io *ret);
int parse_levels(const char *s, struct dumper_opts *o);
int parse_threads(const char *s, unsigned *ret);

#endif
