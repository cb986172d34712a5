/*
 * tail.h -- read what a daemon appended to its log or evidence file since
 * the last call, one complete line at a time.
 */
#ifndef DL_RUNNER_TAIL_H
#define DL_RUNNER_TAIL_H

#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"

struct dl_tail {
	char *path;
	off_t offset;
	struct dl_buf partial;   /* an incomplete last line, kept for next time */
};

void dl_tail_init(struct dl_tail *t, const char *path);
/* Call fn for every complete new line (without its '\n'); returns lines read. */
int dl_tail_read(struct dl_tail *t, void (*fn)(void *arg, const char *line,
	size_t len), void *arg);
void dl_tail_free(struct dl_tail *t);

#endif
