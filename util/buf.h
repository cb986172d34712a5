/*
 * buf.h -- a growable, always NUL-terminated byte buffer.
 *
 * The owner of a `struct dl_buf` calls dl_buf_free(); dl_buf_take() hands
 * the bytes over (caller frees with free()).  Allocation failure aborts:
 * the lab cannot do anything useful out of memory, and every caller would
 * otherwise carry an error path that is never exercised.
 */
#ifndef DL_BUF_H
#define DL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct dl_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define DL_BUF_INIT { NULL, 0, 0 }

void dl_buf_reserve(struct dl_buf *b, size_t extra);
void dl_buf_add(struct dl_buf *b, const void *data, size_t len);
void dl_buf_adds(struct dl_buf *b, const char *s);
void dl_buf_addc(struct dl_buf *b, char c);
void dl_buf_printf(struct dl_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dl_buf_vprintf(struct dl_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void dl_buf_reset(struct dl_buf *b);
void dl_buf_free(struct dl_buf *b);
/* Returns the bytes (never NULL) and leaves the buffer empty; caller frees. */
char *dl_buf_take(struct dl_buf *b);
/* Checked allocation helpers (abort on failure, see above). */
void *dl_xmalloc(size_t n);
void *dl_xcalloc(size_t n, size_t size);
void *dl_xrealloc(void *p, size_t n);
char *dl_xstrdup(const char *s);
char *dl_xstrndup(const char *s, size_t n);
char *dl_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file into *out (NUL-terminated); returns -1 with errno set. */
int dl_read_file(const char *path, struct dl_buf *out);
/* Write (create/truncate) a file; returns -1 with errno set. */
int dl_write_file(const char *path, const void *data, size_t len);

#endif
