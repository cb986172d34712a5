/*
 * json.c -- see json.h.
 */
#include "util/json.h"
#include "util/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writer ---- */

void
dl_jw_init(struct dl_jw *w, struct dl_buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->first[0] = true;
}

/* Emit the separator that must precede a value at the current depth. */
static void
jw_sep(struct dl_jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		dl_buf_addc(w->out, ',');
	w->first[w->depth] = false;
}

static void
jw_open(struct dl_jw *w, char c)
{
	jw_sep(w);
	dl_buf_addc(w->out, c);
	if (w->depth + 1 < DL_JSON_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void
jw_close(struct dl_jw *w, char c)
{
	dl_buf_addc(w->out, c);
	if (w->depth > 0)
		w->depth--;
}

void dl_jw_obj(struct dl_jw *w) { jw_open(w, '{'); }
void dl_jw_obj_end(struct dl_jw *w) { jw_close(w, '}'); }
void dl_jw_arr(struct dl_jw *w) { jw_open(w, '['); }
void dl_jw_arr_end(struct dl_jw *w) { jw_close(w, ']'); }

void
dl_json_quote(struct dl_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	dl_buf_reserve(b, n + 2);
	dl_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': dl_buf_adds(b, "\\\""); break;
		case '\\': dl_buf_adds(b, "\\\\"); break;
		case '\n': dl_buf_adds(b, "\\n"); break;
		case '\r': dl_buf_adds(b, "\\r"); break;
		case '\t': dl_buf_adds(b, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };
				dl_buf_adds(b, esc);
			} else if (c >= 0x80) {
				/*
				 * UTF-8 text (an internationalised address) passes as
				 * it is; other bytes from the network need not be
				 * UTF-8: keep the JSON valid by escaping each as U+00XX.
				 */
				size_t u = dl_utf8_len((const unsigned char *)s + i, n - i);
				if (u > 0) {
					dl_buf_add(b, s + i, u);
					i += u - 1;
					break;
				}
				char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };
				dl_buf_adds(b, esc);
			} else {
				dl_buf_addc(b, (char)c);
			}
		}
	}
	dl_buf_addc(b, '"');
}

void
dl_jw_key(struct dl_jw *w, const char *key)
{
	jw_sep(w);
	dl_json_quote(w->out, key, strlen(key));
	dl_buf_addc(w->out, ':');
	w->after_key = true;
}

void
dl_jw_strn(struct dl_jw *w, const char *s, size_t n)
{
	jw_sep(w);
	dl_json_quote(w->out, s, n);
}

void
dl_jw_str(struct dl_jw *w, const char *s)
{
	if (s == NULL) {
		dl_jw_null(w);
		return;
	}
	dl_jw_strn(w, s, strlen(s));
}

void
dl_jw_int(struct dl_jw *w, int64_t v)
{
	jw_sep(w);
	dl_buf_printf(w->out, "%lld", (long long)v);
}

void
dl_jw_double(struct dl_jw *w, double v)
{
	jw_sep(w);
	if (!isfinite(v))
		dl_buf_adds(w->out, "null");
	else
		dl_buf_printf(w->out, "%.6g", v);
}

void
dl_jw_bool(struct dl_jw *w, bool v)
{
	jw_sep(w);
	dl_buf_adds(w->out, v ? "true" : "false");
}

void
dl_jw_null(struct dl_jw *w)
{
	jw_sep(w);
	dl_buf_adds(w->out, "null");
}

void
dl_jw_raw(struct dl_jw *w, const char *json)
{
	jw_sep(w);
	dl_buf_adds(w->out, json);
}

void dl_jw_kstr(struct dl_jw *w, const char *k, const char *s) { dl_jw_key(w, k); dl_jw_str(w, s); }
void dl_jw_kint(struct dl_jw *w, const char *k, int64_t v) { dl_jw_key(w, k); dl_jw_int(w, v); }
void dl_jw_kbool(struct dl_jw *w, const char *k, bool v) { dl_jw_key(w, k); dl_jw_bool(w, v); }

void
dl_jw_kint_or_null(struct dl_jw *w, const char *key, bool set, int64_t v)
{
	dl_jw_key(w, key);
	if (set)
		dl_jw_int(w, v);
	else
		dl_jw_null(w);
}

void
dl_jw_kraw(struct dl_jw *w, const char *key, const char *json)
{
	dl_jw_key(w, key);
	if (json)
		dl_jw_raw(w, json);
	else
		dl_jw_null(w);
}

void
dl_jw_kstrv(struct dl_jw *w, const char *key, char *const *v, size_t n)
{
	dl_jw_key(w, key);
	dl_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		dl_jw_str(w, v[i]);
	dl_jw_arr_end(w);
}

/* ---- reader ---- */

struct jr {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	int depth;
};

static struct dl_jv *jr_value(struct jr *r);

static void *
jr_fail(struct jr *r, const char *what)
{
	if (r->err && r->err[0] == '\0')
		snprintf(r->err, r->errlen, "offset %zu: %s", r->pos, what);
	return NULL;
}

static void
jr_ws(struct jr *r)
{
	while (r->pos < r->len && strchr(" \t\r\n", r->s[r->pos]) && r->s[r->pos])
		r->pos++;
}

static bool
jr_lit(struct jr *r, const char *lit)
{
	size_t n = strlen(lit);
	if (r->len - r->pos >= n && memcmp(r->s + r->pos, lit, n) == 0) {
		r->pos += n;
		return true;
	}
	return false;
}

static void
utf8_put(struct dl_buf *b, unsigned long cp)
{
	if (cp < 0x80) {
		dl_buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		dl_buf_addc(b, (char)(0xc0 | (cp >> 6)));
		dl_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		dl_buf_addc(b, (char)(0xe0 | (cp >> 12)));
		dl_buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		dl_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		dl_buf_addc(b, (char)(0xf0 | (cp >> 18)));
		dl_buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		dl_buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		dl_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

static int
jr_hex4(struct jr *r, unsigned long *out)
{
	unsigned long v = 0;

	if (r->len - r->pos < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = r->s[r->pos++];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned long)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

/* Parses a string literal at r->pos into b; returns 0 or -1. */
static int
jr_string(struct jr *r, struct dl_buf *b)
{
	if (r->pos >= r->len || r->s[r->pos] != '"')
		return -1;
	r->pos++;
	dl_buf_reserve(b, 0);
	while (r->pos < r->len) {
		unsigned char c = (unsigned char)r->s[r->pos++];
		if (c == '"')
			return 0;
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			dl_buf_addc(b, (char)c);
			continue;
		}
		if (r->pos >= r->len)
			return -1;
		c = (unsigned char)r->s[r->pos++];
		switch (c) {
		case '"': dl_buf_addc(b, '"'); break;
		case '\\': dl_buf_addc(b, '\\'); break;
		case '/': dl_buf_addc(b, '/'); break;
		case 'b': dl_buf_addc(b, '\b'); break;
		case 'f': dl_buf_addc(b, '\f'); break;
		case 'n': dl_buf_addc(b, '\n'); break;
		case 'r': dl_buf_addc(b, '\r'); break;
		case 't': dl_buf_addc(b, '\t'); break;
		case 'u': {
			unsigned long cp, lo;
			if (jr_hex4(r, &cp) < 0)
				return -1;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (!jr_lit(r, "\\u") || jr_hex4(r, &lo) < 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			/* U+0000..U+00FF written by our own writer stand for raw bytes. */
			if (cp < 0x100 && cp >= 0x80)
				dl_buf_addc(b, (char)cp);
			else
				utf8_put(b, cp);
			break;
		}
		default:
			return -1;
		}
	}
	return -1;
}

static struct dl_jv *
jv_new(enum dl_jv_type t)
{
	struct dl_jv *v = dl_xcalloc(1, sizeof(*v));
	v->type = t;
	return v;
}

static void
jv_push(struct dl_jv *v, char *key, struct dl_jv *item)
{
	v->items = dl_xrealloc(v->items, (v->n + 1) * sizeof(*v->items));
	if (v->type == DL_JV_OBJECT)
		v->keys = dl_xrealloc(v->keys, (v->n + 1) * sizeof(*v->keys));
	if (v->keys)
		v->keys[v->n] = key;
	v->items[v->n++] = item;
}

static struct dl_jv *
jr_container(struct jr *r, bool is_obj)
{
	struct dl_jv *v = jv_new(is_obj ? DL_JV_OBJECT : DL_JV_ARRAY);
	char close = is_obj ? '}' : ']';

	if (++r->depth > DL_JSON_MAX_DEPTH) {
		dl_jv_free(v);
		return jr_fail(r, "nesting too deep");
	}
	r->pos++;
	jr_ws(r);
	if (r->pos < r->len && r->s[r->pos] == close) {
		r->pos++;
		r->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct dl_jv *item;

		jr_ws(r);
		if (is_obj) {
			struct dl_buf kb = DL_BUF_INIT;
			if (jr_string(r, &kb) < 0) {
				dl_buf_free(&kb);
				dl_jv_free(v);
				return jr_fail(r, "expected a member name");
			}
			key = dl_buf_take(&kb);
			jr_ws(r);
			if (r->pos >= r->len || r->s[r->pos] != ':') {
				free(key);
				dl_jv_free(v);
				return jr_fail(r, "expected ':'");
			}
			r->pos++;
		}
		item = jr_value(r);
		if (item == NULL) {
			free(key);
			dl_jv_free(v);
			return NULL;
		}
		jv_push(v, key, item);
		jr_ws(r);
		if (r->pos < r->len && r->s[r->pos] == ',') {
			r->pos++;
			continue;
		}
		if (r->pos < r->len && r->s[r->pos] == close) {
			r->pos++;
			r->depth--;
			return v;
		}
		dl_jv_free(v);
		return jr_fail(r, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static struct dl_jv *
jr_value(struct jr *r)
{
	struct dl_jv *v;

	jr_ws(r);
	if (r->pos >= r->len)
		return jr_fail(r, "unexpected end of input");
	switch (r->s[r->pos]) {
	case '{':
		return jr_container(r, true);
	case '[':
		return jr_container(r, false);
	case '"': {
		struct dl_buf b = DL_BUF_INIT;
		if (jr_string(r, &b) < 0) {
			dl_buf_free(&b);
			return jr_fail(r, "bad string");
		}
		v = jv_new(DL_JV_STRING);
		v->str_len = b.len;
		v->str = dl_buf_take(&b);
		return v;
	}
	case 't':
	case 'f':
		if (jr_lit(r, "true") || jr_lit(r, "false")) {
			v = jv_new(DL_JV_BOOL);
			v->b = r->s[r->pos - 1] == 'e' && r->s[r->pos - 2] == 'u';
			return v;
		}
		return jr_fail(r, "bad literal");
	case 'n':
		if (jr_lit(r, "null"))
			return jv_new(DL_JV_NULL);
		return jr_fail(r, "bad literal");
	default: {
		char tmp[64];
		size_t i = 0;
		while (r->pos + i < r->len && i < sizeof(tmp) - 1 &&
		    strchr("+-0123456789.eE", r->s[r->pos + i]) && r->s[r->pos + i])
			i++;
		if (i == 0)
			return jr_fail(r, "unexpected character");
		memcpy(tmp, r->s + r->pos, i);
		tmp[i] = '\0';
		char *end;
		double d = strtod(tmp, &end);
		if (*end != '\0')
			return jr_fail(r, "bad number");
		r->pos += i;
		v = jv_new(DL_JV_NUMBER);
		v->num = d;
		return v;
	}
	}
}

struct dl_jv *
dl_jv_parse(const char *text, size_t len, char *errbuf, size_t errlen)
{
	struct jr r = { text, len, 0, errbuf, errlen, 0 };
	struct dl_jv *v;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	v = jr_value(&r);
	if (v == NULL)
		return NULL;
	jr_ws(&r);
	if (r.pos != r.len) {
		dl_jv_free(v);
		return jr_fail(&r, "trailing data");
	}
	return v;
}

void
dl_jv_free(struct dl_jv *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		dl_jv_free(v->items[i]);
	}
	free(v->keys);
	free(v->items);
	free(v->str);
	free(v);
}

const struct dl_jv *
dl_jv_get(const struct dl_jv *v, const char *key)
{
	if (v == NULL || v->type != DL_JV_OBJECT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	return NULL;
}

const char *
dl_jv_str(const struct dl_jv *v, const char *key, const char *dflt)
{
	const struct dl_jv *m = dl_jv_get(v, key);
	return m && m->type == DL_JV_STRING ? m->str : dflt;
}

double
dl_jv_num(const struct dl_jv *v, const char *key, double dflt)
{
	const struct dl_jv *m = dl_jv_get(v, key);
	return m && m->type == DL_JV_NUMBER ? m->num : dflt;
}

bool
dl_jv_bool(const struct dl_jv *v, const char *key, bool dflt)
{
	const struct dl_jv *m = dl_jv_get(v, key);
	return m && m->type == DL_JV_BOOL ? m->b : dflt;
}
