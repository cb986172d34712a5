/*
 * verdict.c -- see verdict.h.
 */
#include "runner/verdict.h"

#include <strings.h>

static const struct {
	const char *name, *slug;
} verdicts[DL_V_COUNT] = {
	[DL_V_PASS] = { "PASS", "pass" },
	[DL_V_INFO] = { "INFO", "info" },
	[DL_V_NONSTRICT] = { "NON-STRICT", "non-strict" },
	[DL_V_FAIL] = { "FAIL", "fail" },
	[DL_V_ERROR] = { "ERROR", "error" },
	[DL_V_UNSUPPORTED] = { "UNSUPPORTED", "unsupported" },
	[DL_V_SKIP] = { "SKIP", "skip" },
	[DL_V_XFAIL] = { "XFAIL", "xfail" },
	[DL_V_XPASS] = { "XPASS", "xpass" },
};

const char *
dl_verdict_name(enum dl_verdict v)
{
	return v < DL_V_COUNT ? verdicts[v].name : "?";
}

const char *
dl_verdict_slug(enum dl_verdict v)
{
	return v < DL_V_COUNT ? verdicts[v].slug : "?";
}

int
dl_verdict_parse(const char *s, enum dl_verdict *out)
{
	for (int i = 0; i < DL_V_COUNT; i++)
		if (strcasecmp(s, verdicts[i].name) == 0 ||
		    strcasecmp(s, verdicts[i].slug) == 0) {
			*out = (enum dl_verdict)i;
			return 0;
		}
	return -1;
}

bool
dl_verdict_is_failure(enum dl_verdict v)
{
	return v == DL_V_FAIL || v == DL_V_ERROR || v == DL_V_XPASS;
}

bool
dl_verdict_is_skip(enum dl_verdict v)
{
	return v == DL_V_SKIP || v == DL_V_UNSUPPORTED;
}

enum dl_verdict
dl_verdict_worst(enum dl_verdict a, enum dl_verdict b)
{
	/* The enum order PASS < INFO < NON-STRICT < FAIL < ERROR is the rank. */
	return a > b ? a : b;
}
