/*
 * test_util.c -- util/: buffers and the JSON writer/reader.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/cu.h"
#include "util/buf.h"
#include "util/json.h"

static void
test_buf_printf_grows(void)
{
	struct dl_buf b = DL_BUF_INIT;

	for (int i = 0; i < 1000; i++)
		dl_buf_printf(&b, "%d,", i);
	CU_ASSERT_EQUAL(b.len, strlen(b.data));
	CU_ASSERT(strncmp(b.data, "0,1,2,", 6) == 0);
	CU_ASSERT(strstr(b.data, "999,") != NULL);
	dl_buf_free(&b);
}

static void
test_json_roundtrip(void)
{
	struct dl_buf b = DL_BUF_INIT;
	struct dl_jw w;
	char err[128];
	const char nasty[] = "a\"b\\c\n\x01\xff";

	dl_jw_init(&w, &b);
	dl_jw_obj(&w);
	dl_jw_kstr(&w, "s", nasty);
	dl_jw_kint(&w, "n", -42);
	dl_jw_kbool(&w, "t", true);
	dl_jw_key(&w, "a");
	dl_jw_arr(&w);
	dl_jw_int(&w, 1);
	dl_jw_str(&w, NULL);
	dl_jw_obj(&w);
	dl_jw_obj_end(&w);
	dl_jw_arr_end(&w);
	dl_jw_obj_end(&w);

	struct dl_jv *v = dl_jv_parse(b.data, b.len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(dl_jv_str(v, "s", ""), nasty);
	CU_ASSERT_EQUAL(dl_jv_num(v, "n", 0), -42);
	CU_ASSERT_TRUE(dl_jv_bool(v, "t", false));
	const struct dl_jv *a = dl_jv_get(v, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->n, 3);
	CU_ASSERT_EQUAL(a->items[1]->type, DL_JV_NULL);
	CU_ASSERT_EQUAL(a->items[2]->type, DL_JV_OBJECT);
	dl_jv_free(v);
	dl_buf_free(&b);
}

/* The shorthands for members that may be null, and lists of strings. */
static void
test_json_member_shorthands(void)
{
	struct dl_buf b = DL_BUF_INIT;
	struct dl_jw w;
	char a[] = "a", q[] = "\"";
	char *const v[] = { a, NULL, q };

	dl_jw_init(&w, &b);
	dl_jw_obj(&w);
	dl_jw_kint_or_null(&w, "i", true, -1);
	dl_jw_kint_or_null(&w, "j", false, 7);
	dl_jw_kraw(&w, "r", "[1,{}]");
	dl_jw_kraw(&w, "n", NULL);
	dl_jw_kstrv(&w, "v", v, 3);
	dl_jw_kstrv(&w, "e", NULL, 0);
	dl_jw_obj_end(&w);
	dl_buf_addc(&b, '\0');
	CU_ASSERT_STRING_EQUAL(b.data, "{\"i\":-1,\"j\":null,\"r\":[1,{}],"
	    "\"n\":null,\"v\":[\"a\",null,\"\\\"\"],\"e\":[]}");
	dl_buf_free(&b);
}

static void
test_json_empty_string(void)
{
	const char *in = "{\"relay\":\"\",\"x\":\"y\"}";
	char err[64];
	struct dl_jv *v = dl_jv_parse(in, strlen(in), err, sizeof(err));
	struct dl_buf b = DL_BUF_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(dl_jv_str(v, "relay", "?"), "");
	CU_ASSERT_EQUAL(dl_jv_get(v, "relay")->str_len, 0);
	dl_jv_free(v);
	dl_buf_reserve(&b, 10);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	dl_buf_free(&b);
}

static void
test_json_rejects_bad_input(void)
{
	static const char *const bad[] = {
		"", "{", "{\"a\"}", "{\"a\":1,}", "[1 2]", "\"\\x\"", "tru",
		"{\"a\":1} x", "\"\x01\"",
	};
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dl_jv *v = dl_jv_parse(bad[i], strlen(bad[i]), err, sizeof(err));
		CU_ASSERT_PTR_NULL(v);
		CU_ASSERT(strncmp(err, "offset ", 7) == 0);
		dl_jv_free(v);
	}
}

static void
test_json_depth_bounded(void)
{
	char deep[400];
	char err[128];

	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	CU_ASSERT_PTR_NULL(dl_jv_parse(deep, strlen(deep), err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too deep"));
}

static void
test_json_unicode_escape(void)
{
	const char *in = "\"\\u00e9\\ud83d\\ude00\"";
	char err[64];
	struct dl_jv *v = dl_jv_parse(in, strlen(in), err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	/* U+00E9 came from our writer's byte escape: one raw byte back. */
	CU_ASSERT_EQUAL((unsigned char)v->str[0], 0xe9);
	CU_ASSERT_EQUAL(v->str_len, 5);
	dl_jv_free(v);
}

/* UTF-8 text is written as it is; other high bytes as U+00XX escapes. */
static void
test_json_utf8_passes(void)
{
	struct dl_buf b = DL_BUF_INIT;
	const char *in = "b\xc3\xbc" "cher \xff \xc3 \xed\xa0\x80";
	char err[64];

	dl_json_quote(&b, in, strlen(in));
	CU_ASSERT_STRING_EQUAL(b.data,
	    "\"b\xc3\xbc" "cher \\u00ff \\u00c3 \\u00ed\\u00a0\\u0080\"");
	struct dl_jv *v = dl_jv_parse(b.data, b.len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->str_len, strlen(in));
	CU_ASSERT(memcmp(v->str, in, strlen(in)) == 0);
	dl_jv_free(v);
	dl_buf_free(&b);
}

static const struct cu_test tests[] = {
	{ "buf_printf_grows", test_buf_printf_grows },
	{ "json_roundtrip", test_json_roundtrip },
	{ "json_member_shorthands", test_json_member_shorthands },
	{ "json_empty_string", test_json_empty_string },
	{ "json_rejects_bad_input", test_json_rejects_bad_input },
	{ "json_depth_bounded", test_json_depth_bounded },
	{ "json_unicode_escape", test_json_unicode_escape },
	{ "json_utf8_passes", test_json_utf8_passes },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "util", tests);
}
