/*
 * faultdns.c -- see faultdns.h.
 */
#include "servers/faultdns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const action_names[FDNS_ACTION_COUNT] = {
	[FDNS_SERVFAIL] = "servfail", [FDNS_REFUSED] = "refused",
	[FDNS_NOTIMP] = "notimp", [FDNS_FORMERR] = "formerr", [FDNS_DROP] = "drop",
	[FDNS_NXDOMAIN] = "nxdomain", [FDNS_NODATA] = "nodata", [FDNS_FORGE] = "forge",
	[FDNS_TRUNCATE] = "truncate", [FDNS_MALFORMED] = "malformed", [FDNS_SERVE] = "serve",
};

const char *
fdns_action_name(enum fdns_action a)
{
	return a < FDNS_ACTION_COUNT ? action_names[a] : "?";
}

int
fdns_action_parse(const char *s, enum fdns_action *out)
{
	for (int i = 0; i < FDNS_ACTION_COUNT; i++)
		if (strcmp(s, action_names[i]) == 0) {
			*out = (enum fdns_action)i;
			return 0;
		}
	return -1;
}

/* A served RRset: the records (and RRSIGs) of served_dir/<name><type>. */
static int
load_served(struct fdns_rule *r, const char *served_dir, const char *name,
    const char *type, const char *file, int lineno, struct dl_err *err)
{
	char *path = dl_xasprintf("%s/%s%s", served_dir ? served_dir : ".", name, type);
	FILE *fp = fopen(path, "r");
	ldns_rr *rr;
	int line = 0, rc = 0;

	if (fp == NULL) {
		rc = dl_errf(err, "%s:%d: serve: cannot read %s", file, lineno, path);
		free(path);
		return rc;
	}
	r->forged = ldns_rr_list_new();
	while (!feof(fp)) {
		/* Blank lines read as SYNTAX_EMPTY, end of file too. */
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, fp, NULL, NULL, NULL, &line);
		if (st == LDNS_STATUS_OK)
			ldns_rr_list_push_rr(r->forged, rr);
		else if (st != LDNS_STATUS_SYNTAX_EMPTY)
			break;
	}
	if (ldns_rr_list_rr_count(r->forged) == 0)
		rc = dl_errf(err, "%s:%d: serve: no records in %s", file, lineno, path);
	fclose(fp);
	free(path);
	return rc;
}

static int
parse_line(char *line, const char *file, int lineno, const char *served_dir,
    struct fdns_rules *out, struct dl_err *err)
{
	char name[256], type[32], action[32];
	int used = 0;
	struct fdns_rule r = { .line = lineno };

	if (sscanf(line, "%255s %31s %31s %n", name, type, action, &used) < 3)
		return dl_errf(err, "%s:%d: expected \"QNAME QTYPE|ANY ACTION [ARGS]\"",
		    file, lineno);
	if (name[strlen(name) - 1] != '.' || (r.qname = ldns_dname_new_frm_str(name)) == NULL)
		return dl_errf(err, "%s:%d: bad name \"%s\", expected an absolute domain "
		    "name", file, lineno, name);
	if (strcasecmp(type, "ANY") != 0 && (r.qtype = ldns_get_rr_type_by_name(type)) == 0) {
		ldns_rdf_deep_free(r.qname);
		return dl_errf(err, "%s:%d: unknown type \"%s\"", file, lineno, type);
	}
	int a;
	for (a = 0; a < FDNS_ACTION_COUNT; a++)
		if (strcmp(action, action_names[a]) == 0)
			break;
	if (a == FDNS_ACTION_COUNT) {
		ldns_rdf_deep_free(r.qname);
		return dl_errf(err, "%s:%d: unknown action \"%s\", expected servfail, refused, "
		    "notimp, formerr, drop, nxdomain, nodata, forge, truncate, malformed or serve",
		    file, lineno, action);
	}
	r.action = (enum fdns_action)a;
	if (r.action == FDNS_FORGE) {
		ldns_rr *rr = NULL;
		if (ldns_rr_new_frm_str(&rr, line + used, 300, NULL, NULL) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(r.qname);
			return dl_errf(err, "%s:%d: forge needs one record in presentation "
			    "syntax, got \"%s\"", file, lineno, line + used);
		}
		r.forged = ldns_rr_list_new();
		ldns_rr_list_push_rr(r.forged, rr);
	}
	if (r.action == FDNS_SERVE &&
	    load_served(&r, served_dir, name, type, file, lineno, err) < 0) {
		ldns_rdf_deep_free(r.qname);
		ldns_rr_list_deep_free(r.forged);
		return -1;
	}
	out->v = dl_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	out->v[out->n++] = r;
	return 0;
}

int
fdns_rules_parse(const char *text, const char *file, const char *served_dir,
    struct fdns_rules *out, struct dl_err *err)
{
	char *copy = dl_xstrdup(text);
	int lineno = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	/* strtok_r would skip empty lines and break line numbers: split by hand. */
	for (char *line = copy, *next; line && rc == 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\0')
			continue;
		rc = parse_line(p, file, lineno, served_dir, out, err);
	}
	free(copy);
	if (rc < 0)
		fdns_rules_free(out);
	return rc;
}

void
fdns_rules_free(struct fdns_rules *r)
{
	for (size_t i = 0; i < r->n; i++) {
		ldns_rdf_deep_free(r->v[i].qname);
		ldns_rr_list_deep_free(r->v[i].forged);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

const struct fdns_rule *
fdns_match(const struct fdns_rules *r, const ldns_rdf *qname, uint16_t qtype)
{
	for (size_t i = 0; i < r->n; i++)
		if (ldns_dname_compare(r->v[i].qname, qname) == 0 &&
		    (r->v[i].qtype == 0 || r->v[i].qtype == qtype))
			return &r->v[i];
	return NULL;
}

int
fdns_answer(const struct fdns_rule *rule, const uint8_t *query, size_t len,
    int over_tcp, struct dl_buf *out)
{
	ldns_pkt *q = NULL, *a;
	uint8_t *wire = NULL;
	size_t wlen = 0;

	if (rule->action == FDNS_DROP || (rule->action == FDNS_TRUNCATE && over_tcp))
		return 0;
	if (rule->action == FDNS_MALFORMED) {
		/* A header that promises five questions, then nothing. */
		uint8_t junk[16] = { 0 };
		if (len >= 2)
			memcpy(junk, query, 2);
		junk[2] = 0x84;
		junk[5] = 5;
		dl_buf_add(out, junk, sizeof(junk));
		return 0;
	}
	if (ldns_wire2pkt(&q, query, len) != LDNS_STATUS_OK)
		return -1;
	a = ldns_pkt_new();
	ldns_pkt_set_id(a, ldns_pkt_id(q));
	ldns_pkt_set_qr(a, true);
	ldns_pkt_set_aa(a, true);
	ldns_pkt_set_rd(a, ldns_pkt_rd(q));
	ldns_pkt_set_cd(a, ldns_pkt_cd(q));
	ldns_rr_list *qs = ldns_rr_list_clone(ldns_pkt_question(q));
	ldns_pkt_push_rr_list(a, LDNS_SECTION_QUESTION, qs);
	ldns_rr_list_free(qs);
	switch (rule->action) {
	case FDNS_SERVFAIL: ldns_pkt_set_rcode(a, LDNS_RCODE_SERVFAIL); break;
	case FDNS_REFUSED: ldns_pkt_set_rcode(a, LDNS_RCODE_REFUSED); break;
	case FDNS_NOTIMP: ldns_pkt_set_rcode(a, LDNS_RCODE_NOTIMPL); break;
	case FDNS_FORMERR: ldns_pkt_set_rcode(a, LDNS_RCODE_FORMERR); break;
	case FDNS_NXDOMAIN: ldns_pkt_set_rcode(a, LDNS_RCODE_NXDOMAIN); break;
	case FDNS_TRUNCATE: ldns_pkt_set_tc(a, true); break;
	case FDNS_FORGE:
	case FDNS_SERVE: {
		ldns_rr_list *copy = ldns_rr_list_clone(rule->forged);
		ldns_pkt_push_rr_list(a, LDNS_SECTION_ANSWER, copy);
		ldns_rr_list_free(copy);
		break;
	}
	default:
		break; /* NODATA: NOERROR, nothing */
	}
	if (ldns_pkt2wire(&wire, a, &wlen) == LDNS_STATUS_OK)
		dl_buf_add(out, wire, wlen);
	free(wire);
	ldns_pkt_free(a);
	ldns_pkt_free(q);
	return 0;
}
