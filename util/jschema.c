/*
 * jschema.c -- see jschema.h.
 */
#include "util/jschema.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool
type_is(const struct dl_jv *v, const char *t)
{
	if (!strcmp(t, "object")) return v->type == DL_JV_OBJECT;
	if (!strcmp(t, "array")) return v->type == DL_JV_ARRAY;
	if (!strcmp(t, "string")) return v->type == DL_JV_STRING;
	if (!strcmp(t, "boolean")) return v->type == DL_JV_BOOL;
	if (!strcmp(t, "null")) return v->type == DL_JV_NULL;
	if (!strcmp(t, "number")) return v->type == DL_JV_NUMBER;
	if (!strcmp(t, "integer")) return v->type == DL_JV_NUMBER && floor(v->num) == v->num;
	return false;
}

static int
check(const struct dl_jv *s, const struct dl_jv *v, const char *path, struct dl_buf *why)
{
	const struct dl_jv *t = dl_jv_get(s, "type"), *e;
	int bad = 0;

	if (t) {
		bool ok = false;
		if (t->type == DL_JV_STRING)
			ok = type_is(v, t->str);
		for (size_t i = 0; t->type == DL_JV_ARRAY && i < t->n; i++)
			ok |= t->items[i]->type == DL_JV_STRING && type_is(v, t->items[i]->str);
		if (!ok) {
			dl_buf_printf(why, "%s: wrong type\n", path);
			return 1;
		}
	}
	if ((e = dl_jv_get(s, "enum")) && e->type == DL_JV_ARRAY) {
		bool ok = false;
		for (size_t i = 0; i < e->n; i++)
			ok |= v->type == DL_JV_STRING && e->items[i]->type == DL_JV_STRING &&
			    strcmp(v->str, e->items[i]->str) == 0;
		if (!ok) {
			dl_buf_printf(why, "%s: \"%s\" not in enum\n", path,
			    v->type == DL_JV_STRING ? v->str : "?");
			bad++;
		}
	}
	if (v->type == DL_JV_OBJECT) {
		const struct dl_jv *req = dl_jv_get(s, "required");
		for (size_t i = 0; req && req->type == DL_JV_ARRAY && i < req->n; i++)
			if (dl_jv_get(v, req->items[i]->str) == NULL) {
				dl_buf_printf(why, "%s: missing \"%s\"\n", path, req->items[i]->str);
				bad++;
			}
		const struct dl_jv *props = dl_jv_get(s, "properties");
		for (size_t i = 0; props && props->type == DL_JV_OBJECT && i < props->n; i++) {
			const struct dl_jv *m = dl_jv_get(v, props->keys[i]);
			if (m) {
				char *sub = dl_xasprintf("%s.%s", path, props->keys[i]);
				bad += check(props->items[i], m, sub, why);
				free(sub);
			}
		}
	}
	if (v->type == DL_JV_ARRAY && (e = dl_jv_get(s, "items"))) {
		for (size_t i = 0; i < v->n; i++) {
			char *sub = dl_xasprintf("%s[%zu]", path, i);
			bad += check(e, v->items[i], sub, why);
			free(sub);
		}
	}
	return bad;
}

int
dl_jschema_check(const struct dl_jv *schema, const struct dl_jv *doc, struct dl_buf *why)
{
	return check(schema, doc, "$", why);
}
