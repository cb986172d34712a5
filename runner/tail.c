/*
 * tail.c -- see tail.h.
 */
#include "runner/tail.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
dl_tail_init(struct dl_tail *t, const char *path)
{
	memset(t, 0, sizeof(*t));
	t->path = dl_xstrdup(path);
}

int
dl_tail_read(struct dl_tail *t, void (*fn)(void *, const char *, size_t), void *arg)
{
	char chunk[65536];
	int fd = open(t->path, O_RDONLY | O_CLOEXEC);
	int lines = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	while ((n = pread(fd, chunk, sizeof(chunk), t->offset)) > 0) {
		t->offset += n;
		dl_buf_add(&t->partial, chunk, (size_t)n);
	}
	close(fd);
	char *start = t->partial.data;
	char *nl;
	while (start && (nl = memchr(start, '\n', t->partial.len -
	    (size_t)(start - t->partial.data))) != NULL) {
		fn(arg, start, (size_t)(nl - start));
		lines++;
		start = nl + 1;
	}
	if (start && start != t->partial.data) {
		size_t rest = t->partial.len - (size_t)(start - t->partial.data);
		memmove(t->partial.data, start, rest);
		t->partial.len = rest;
		t->partial.data[rest] = '\0';
	}
	return lines;
}

void
dl_tail_free(struct dl_tail *t)
{
	free(t->path);
	dl_buf_free(&t->partial);
	memset(t, 0, sizeof(*t));
}
