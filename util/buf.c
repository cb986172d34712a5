/*
 * buf.c -- see buf.h.
 */
#include "util/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
oom(void)
{
	static const char msg[] = "danelab: out of memory\n";
	ssize_t r = write(2, msg, sizeof(msg) - 1);
	(void)r;
	abort();
}

void *
dl_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
dl_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
dl_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
dl_xstrdup(const char *s)
{
	return dl_xstrndup(s, strlen(s));
}

char *
dl_xstrndup(const char *s, size_t n)
{
	char *p = dl_xmalloc(n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
dl_xasprintf(const char *fmt, ...)
{
	struct dl_buf b = DL_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	dl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return dl_buf_take(&b);
}

void
dl_buf_reserve(struct dl_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = dl_xrealloc(b->data, cap);
	b->cap = cap;
	/* Always a valid string, even if nothing is ever added. */
	b->data[b->len] = '\0';
}

void
dl_buf_add(struct dl_buf *b, const void *data, size_t len)
{
	dl_buf_reserve(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
dl_buf_adds(struct dl_buf *b, const char *s)
{
	dl_buf_add(b, s, strlen(s));
}

void
dl_buf_addc(struct dl_buf *b, char c)
{
	dl_buf_add(b, &c, 1);
}

void
dl_buf_vprintf(struct dl_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	dl_buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
dl_buf_printf(struct dl_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dl_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
dl_buf_reset(struct dl_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
dl_buf_free(struct dl_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
dl_buf_take(struct dl_buf *b)
{
	char *p;

	if (b->data == NULL)
		return dl_xstrdup("");
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

int
dl_read_file(const char *path, struct dl_buf *out)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		dl_buf_add(out, chunk, (size_t)n);
	}
	dl_buf_reserve(out, 0);
	close(fd);
	return 0;
}

int
dl_write_file(const char *path, const void *data, size_t len)
{
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return close(fd);
}
