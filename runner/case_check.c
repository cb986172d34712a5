/*
 * case_check.c -- what a name, label, address or port taken from a case
 * file may be (cases/FORMAT.md, "A case file is untrusted input").
 *
 * Case files come from third parties.  Every name in one ends up somewhere
 * that interprets it: a file name (host labels, cert ids), a daemon's
 * configuration (zone names in NSD's), an MTA's configuration that expands
 * `$` and `\` (Exim's domain lists), a shell script (repro.sh).  So names
 * are checked here against a grammar with no room for any of that, and
 * must stay at or below the case's own apex so that one case cannot reach
 * another's world or verdict.
 */
#include "runner/case_internal.h"

#include <ctype.h>
#include <idn2.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

/* A host label, cert id or key name: also a file name stem, so no '.' or '/'. */
bool
dl_case_label_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 63 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/* One DNS label of a name as written; `*` and U-labels only where allowed. */
static bool
label_ok(const char *s, size_t n, unsigned flags)
{
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '_')
			continue;
		if (c == '*' && (flags & CW_NAME_WILD))
			continue;
		if (c >= 0x80 && (flags & CW_NAME_IDN))
			continue; /* well-formed UTF-8: the reader checked; idn2 below */
		return false;
	}
	return true;
}

/* Is absolute `name` (trailing dot) the apex "<id>.test." or below it? */
static bool
under_apex(const char *name, const char *id)
{
	char *apex = dl_xasprintf("%s.test.", id);
	size_t ln = strlen(name), la = strlen(apex);
	bool ok = ln >= la && strcasecmp(name + ln - la, apex) == 0 &&
	    (ln == la || name[ln - la - 1] == '.');

	free(apex);
	return ok;
}

const char *
cw_name_check(const char *name, const char *id, unsigned flags)
{
	size_t n = strlen(name);
	bool absolute = n > 0 && name[n - 1] == '.';

	if (strcmp(name, "@") == 0)
		return NULL;
	if (n == 0 || (absolute && n == 1))
		return "an empty or root name";
	if (n > 190)
		return "a name too long for the case apex (at most 190 characters)";
	for (const char *p = name; p < name + n - absolute;) {
		const char *dot = memchr(p, '.', (size_t)(name + n - absolute - p));
		size_t len = dot ? (size_t)(dot - p) : (size_t)(name + n - absolute - p);
		if (!label_ok(p, len, flags))
			return "a label that is empty, longer than 63 or has characters "
			    "other than letters, digits, '-' and '_'";
		p += len + (dot != NULL);
	}
	if (absolute && !(flags & CW_NAME_ANYWHERE) && id && !under_apex(name, id))
		return "an absolute name outside the case apex <id>.test.";
	if (flags & CW_NAME_IDN) {
		char *ascii = NULL;
		bool ok = true;
		for (const char *p = name; *p && ok; p++)
			if ((unsigned char)*p >= 0x80)
				ok = false;
		if (!ok) {
			ok = idn2_to_ascii_8z(name, &ascii,
			    IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) == IDN2_OK;
			idn2_free(ascii);
			if (!ok)
				return "an internationalised name that IDNA2008 refuses";
		}
	}
	return NULL;
}

/*
 * RFC 5321 Dot-string: atoms of atext joined by single dots.  A
 * Quoted-string local part is refused: no case needs one, and refusing it
 * keeps "the first '@' splits" true for every reader of the address.
 */
bool
cw_local_ok(const char *s, size_t n)
{
	static const char atext[] = "!#$%&'*+-/=?^_`{|}~";

	if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.' ? s[i + 1] == '.' : !(isalnum(c) || (c && strchr(atext, c))))
			return false;
	}
	return true;
}

int
cw_port_parse(const char *s, int *port)
{
	long v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

const char *
cw_hostport_check(const char *s, const char *id)
{
	char *host = dl_xstrdup(s), *colon = strrchr(host, ':');
	const char *why = NULL;
	int port;

	if (colon) {
		*colon = '\0';
		if (cw_port_parse(colon + 1, &port) < 0)
			why = "a port that is not 1-65535";
	}
	if (why == NULL)
		why = cw_name_check(host, id, 0);
	free(host);
	return why;
}

/* Is addr (a literal) one of the lab's per-case addresses, and whose? */
static int
case_of_addr(const ldns_rdf *rdf)
{
	const uint8_t *a = ldns_rdf_data(rdf);
	static const uint8_t v6[8] = { 0xfd, 0xda, 0x9e, 0x1a, 0xb0, 0x00, 0x00, 0x01 };

	if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_A && ldns_rdf_size(rdf) == 4 &&
	    a[0] == 127 && a[1] >= 16 && a[1] < 32)
		return (a[1] - 16) * 256 + a[2];
	if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_AAAA && ldns_rdf_size(rdf) == 16 &&
	    memcmp(a, v6, 8) == 0)
		return a[8] * 256 + a[9];
	return -1;
}

/*
 * A record's data may not lead the client into another case's world: a
 * name under "test." outside the apex (CNAME, MX, SRV targets...) or one of
 * another case's addresses would put this case's traffic into that case's
 * evidence.  index < 0 (lint): every literal per-case address is refused,
 * since only $ADDR(host) gives a case its own.
 */
const char *
cw_rdata_check(const char *text, const char *origin, const char *apex, int index)
{
	ldns_rr *rr = NULL;
	ldns_rdf *o = ldns_dname_new_frm_str(origin), *ap = ldns_dname_new_frm_str(apex);
	ldns_rdf *test = ldns_dname_new_frm_str("test.");
	const char *why = NULL;

	if (o && ap && test && ldns_rr_new_frm_str(&rr, text, 300, o, NULL) == LDNS_STATUS_OK) {
		for (size_t i = 0; why == NULL && i < ldns_rr_rd_count(rr); i++) {
			const ldns_rdf *f = ldns_rr_rdf(rr, i);
			int who = case_of_addr(f);
			if (who >= 0 && who != index)
				why = index < 0 ? "a literal per-case lab address (use $ADDR(host) "
				    "or $ADDR6(host) for the case's own)" :
				    "another case's address";
			if (ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME &&
			    ldns_dname_is_subdomain(f, test) && ldns_dname_compare(f, ap) != 0 &&
			    !ldns_dname_is_subdomain(f, ap))
				why = "a name of the lab's case space test. outside the case apex";
		}
	}
	ldns_rr_free(rr);
	ldns_rdf_deep_free(o);
	ldns_rdf_deep_free(ap);
	ldns_rdf_deep_free(test);
	return why;
}
