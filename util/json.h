/*
 * json.h -- a streaming JSON writer and a small JSON reader.
 *
 * Evidence lines, adapter results, reports: everything danelab exchanges
 * between its processes is one JSON object per line.  The writer never
 * produces invalid JSON (strings are escaped, commas placed by the writer);
 * the reader parses one document into a tree owned by the caller
 * (dl_jv_free), with bounded nesting so hostile input cannot exhaust the
 * stack.
 */
#ifndef DL_JSON_H
#define DL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define DL_JSON_MAX_DEPTH 64

/* ---- writer ---- */

struct dl_jw {
	struct dl_buf *out;
	int depth;
	bool first[DL_JSON_MAX_DEPTH]; /* nothing written yet at this depth */
	bool after_key;
};

void dl_jw_init(struct dl_jw *w, struct dl_buf *out);
void dl_jw_obj(struct dl_jw *w);     /* { */
void dl_jw_obj_end(struct dl_jw *w); /* } */
void dl_jw_arr(struct dl_jw *w);     /* [ */
void dl_jw_arr_end(struct dl_jw *w); /* ] */
void dl_jw_key(struct dl_jw *w, const char *key);
void dl_jw_str(struct dl_jw *w, const char *s); /* NULL writes null */
void dl_jw_strn(struct dl_jw *w, const char *s, size_t n);
void dl_jw_int(struct dl_jw *w, int64_t v);
void dl_jw_double(struct dl_jw *w, double v);
void dl_jw_bool(struct dl_jw *w, bool v);
void dl_jw_null(struct dl_jw *w);
/* Insert pre-rendered JSON as a value (the caller vouches for it). */
void dl_jw_raw(struct dl_jw *w, const char *json);
/* Shorthands for "key": value inside an object. */
void dl_jw_kstr(struct dl_jw *w, const char *key, const char *s);
void dl_jw_kint(struct dl_jw *w, const char *key, int64_t v);
void dl_jw_kbool(struct dl_jw *w, const char *key, bool v);
/* "key": v, or "key": null when !set (a number that may be absent). */
void dl_jw_kint_or_null(struct dl_jw *w, const char *key, bool set, int64_t v);
/* "key": json (pre-rendered, as dl_jw_raw), or "key": null for NULL. */
void dl_jw_kraw(struct dl_jw *w, const char *key, const char *json);
/* "key": [v[0], ..., v[n-1]] as strings (a NULL member writes null). */
void dl_jw_kstrv(struct dl_jw *w, const char *key, char *const *v, size_t n);
/* Append s as a JSON string literal (with quotes) to b. */
void dl_json_quote(struct dl_buf *b, const char *s, size_t n);

/* ---- reader ---- */

enum dl_jv_type {
	DL_JV_NULL,
	DL_JV_BOOL,
	DL_JV_NUMBER,
	DL_JV_STRING,
	DL_JV_ARRAY,
	DL_JV_OBJECT,
};

struct dl_jv {
	enum dl_jv_type type;
	bool b;
	double num;
	char *str;       /* STRING: decoded UTF-8, NUL-terminated */
	size_t str_len;
	size_t n;        /* ARRAY/OBJECT: number of members */
	char **keys;     /* OBJECT: member names */
	struct dl_jv **items;
};

/*
 * Parse exactly one JSON document (surrounding white space allowed).
 * Returns NULL on error with a message ("offset N: what") in errbuf.
 * Caller frees the result with dl_jv_free().
 */
struct dl_jv *dl_jv_parse(const char *text, size_t len, char *errbuf,
	size_t errlen);
void dl_jv_free(struct dl_jv *v);

/* Member lookup; NULL if v is not an object or has no such member. */
const struct dl_jv *dl_jv_get(const struct dl_jv *v, const char *key);
/* Typed getters with a default for absent or mistyped members. */
const char *dl_jv_str(const struct dl_jv *v, const char *key, const char *dflt);
double dl_jv_num(const struct dl_jv *v, const char *key, double dflt);
bool dl_jv_bool(const struct dl_jv *v, const char *key, bool dflt);

#endif
