/*
 * evidence.c -- see evidence.h.
 */
#include "servers/evidence.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"

static const char *const end_names[] = {
	[END_NONE] = "none", [END_QUIT] = "quit",
	[END_CLIENT_CLOSE] = "client-close",
	[END_CLIENT_CLOSE_AFTER_HS_FAILURE] = "client-close-after-handshake-failure",
	[END_SERVER_CLOSE] = "server-close", [END_TIMEOUT] = "timeout",
	[END_TLS_ALERT] = "tls-alert",
	[END_HANDSHAKE_FAILURE] = "handshake-failure", [END_ERROR] = "error",
	[END_SHUTDOWN] = "shutdown", [END_RELAY_CLOSE] = "relay-close",
};

static const char *const hs_names[] = {
	[HS_NONE] = "none", [HS_OK] = "ok", [HS_FAILED] = "failed",
	[HS_ABORTED] = "aborted",
};

const char *
conn_end_name(enum conn_end e)
{
	return (unsigned)e <= END_RELAY_CLOSE ? end_names[e] : "unknown";
}

const char *
hs_result_name(enum hs_result r)
{
	return (unsigned)r <= HS_ABORTED ? hs_names[r] : "unknown";
}

void
evidence_init(struct evidence *ev, const char *persona, const char *role)
{
	memset(ev, 0, sizeof(*ev));
	ev->persona = dl_xstrdup(persona);
	ev->role = role;
	ev->starttls_reply = -1;
}

static void
list_free(struct ev_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

void
evidence_free(struct evidence *ev)
{
	free(ev->persona);
	list_free(&ev->cmds_plain);
	list_free(&ev->cmds_tls);
	list_free(&ev->pipelined);
	list_free(&ev->actions);
	for (size_t i = 0; i < ev->n_txn; i++) {
		free(ev->txn[i].mail_from);
		free(ev->txn[i].message_id);
		list_free(&ev->txn[i].rcpt);
	}
	memset(ev, 0, sizeof(*ev));
}

void
ev_list_add(struct ev_list *l, const char *s, size_t len)
{
	if (l->n >= EV_MAX_ITEMS) {
		l->truncated = true;
		return;
	}
	if (len > EV_MAX_LINE) {
		char *t = dl_xmalloc(EV_MAX_LINE + 4);
		memcpy(t, s, EV_MAX_LINE);
		memcpy(t + EV_MAX_LINE, "...", 4);
		l->v[l->n++] = t;
		return;
	}
	l->v[l->n++] = dl_xstrndup(s, len);
}

struct ev_txn *
evidence_txn_new(struct evidence *ev)
{
	/* Past the bound, the last slot is reused: the tail is what matters. */
	if (ev->n_txn >= EV_MAX_TXN) {
		struct ev_txn *t = &ev->txn[EV_MAX_TXN - 1];
		free(t->mail_from);
		free(t->message_id);
		list_free(&t->rcpt);
		memset(t, 0, sizeof(*t));
		return t;
	}
	return &ev->txn[ev->n_txn++];
}

static void
put_list(struct dl_jw *w, const char *key, const struct ev_list *l)
{
	dl_jw_kstrv(w, key, l->v, l->n);
}

static void
put_starttls(struct dl_jw *w, const struct evidence *ev)
{
	dl_jw_key(w, "starttls");
	dl_jw_obj(w);
	dl_jw_kbool(w, "offered", ev->starttls_offered);
	dl_jw_kbool(w, "requested", ev->starttls_requested);
	dl_jw_kint_or_null(w, "reply", ev->starttls_reply >= 0, ev->starttls_reply);
	dl_jw_kbool(w, "injected", ev->injected);
	put_list(w, "pipelined", &ev->pipelined);
	dl_jw_kstr(w, "handshake", hs_result_name(ev->hs));
	dl_jw_kstr(w, "error", ev->hs_error[0] ? ev->hs_error : NULL);
	dl_jw_kstr(w, "version", ev->tls_version[0] ? ev->tls_version : NULL);
	dl_jw_kstr(w, "cipher", ev->cipher[0] ? ev->cipher : NULL);
	dl_jw_kbool(w, "resumed", ev->resumed);
	dl_jw_kstr(w, "sni", ev->sni_seen ? ev->sni : NULL);
	dl_jw_kstr(w, "chain_id", ev->chain_id);
	dl_jw_kraw(w, "chain", ev->chain_json);
	dl_jw_kbool(w, "ehlo_after_tls", ev->ehlo_tls > 0);
	dl_jw_kbool(w, "second_starttls", ev->starttls_in_tls);
	dl_jw_obj_end(w);
}

static void
put_txn(struct dl_jw *w, const struct ev_txn *t)
{
	dl_jw_obj(w);
	dl_jw_kstr(w, "mail_from", t->mail_from);
	put_list(w, "rcpt_to", &t->rcpt);
	dl_jw_kint(w, "rcpt_accepted", t->rcpt_accepted);
	dl_jw_kbool(w, "tls", t->in_tls);
	dl_jw_kbool(w, "data_started", t->data_started);
	dl_jw_kbool(w, "accepted", t->accepted);
	dl_jw_kint_or_null(w, "final_code", t->final_code != 0, t->final_code);
	dl_jw_kstr(w, "sha256", t->sha256[0] ? t->sha256 : NULL);
	dl_jw_kint(w, "size", (int64_t)t->size);
	dl_jw_kstr(w, "message_id", t->message_id);
	dl_jw_obj_end(w);
}

/* The last transaction that reached DATA, else the last one: the summary. */
static const struct ev_txn *
main_txn(const struct evidence *ev)
{
	for (size_t i = ev->n_txn; i > 0; i--)
		if (ev->txn[i - 1].accepted)
			return &ev->txn[i - 1];
	for (size_t i = ev->n_txn; i > 0; i--)
		if (ev->txn[i - 1].data_started)
			return &ev->txn[i - 1];
	return ev->n_txn ? &ev->txn[ev->n_txn - 1] : NULL;
}

static void
put_attacker(struct dl_jw *w, const struct evidence *ev)
{
	dl_jw_key(w, "attacker");
	if (ev->attack == NULL) {
		dl_jw_null(w);
		return;
	}
	dl_jw_obj(w);
	dl_jw_kstr(w, "mode", ev->attack);
	dl_jw_kstr(w, "relay", ev->relay);
	dl_jw_kbool(w, "relay_connected", ev->relay_connected);
	put_list(w, "actions", &ev->actions);
	dl_jw_obj_end(w);
}

void
evidence_render(const struct evidence *ev, struct dl_buf *out)
{
	struct dl_jw w;
	const struct ev_txn *m = main_txn(ev);

	dl_jw_init(&w, out);
	dl_jw_obj(&w);
	dl_jw_kint(&w, "v", EVIDENCE_VERSION);
	dl_jw_kstr(&w, "persona", ev->persona);
	dl_jw_kstr(&w, "role", ev->role);
	dl_jw_kstr(&w, "listen", ev->listen);
	dl_jw_kstr(&w, "peer", ev->peer);
	dl_jw_kint(&w, "start_ms", ev->start_ms);
	dl_jw_kint(&w, "end_ms", ev->end_ms);
	put_list(&w, "commands_plain", &ev->cmds_plain);
	put_list(&w, "commands_tls", &ev->cmds_tls);
	dl_jw_kbool(&w, "commands_truncated", ev->cmds_plain.truncated ||
	    ev->cmds_tls.truncated);
	dl_jw_kint(&w, "overlong_lines", ev->overlong_lines);
	dl_jw_kint(&w, "bad_commands", ev->bad_commands);
	dl_jw_kbool(&w, "ehlo_before_tls", ev->ehlo_plain > 0);
	put_starttls(&w, ev);
	dl_jw_kstr(&w, "mail_from", m ? m->mail_from : NULL);
	if (m)
		put_list(&w, "rcpt_to", &m->rcpt);
	else
		dl_jw_kstrv(&w, "rcpt_to", NULL, 0);
	dl_jw_kbool(&w, "data_accepted", m && m->accepted);
	dl_jw_kstr(&w, "message_sha256", m && m->accepted ? m->sha256 : NULL);
	dl_jw_kint(&w, "message_size", m && m->accepted ? (int64_t)m->size : 0);
	dl_jw_kbool(&w, "message_tls", m && m->accepted && m->in_tls);
	dl_jw_key(&w, "transactions");
	dl_jw_arr(&w);
	for (size_t i = 0; i < ev->n_txn; i++)
		put_txn(&w, &ev->txn[i]);
	dl_jw_arr_end(&w);
	dl_jw_kstr(&w, "end", conn_end_name(ev->end));
	dl_jw_kbool(&w, "reset_in_data", ev->reset_in_data);
	put_attacker(&w, ev);
	dl_jw_obj_end(&w);
	dl_buf_addc(out, '\n');
}

int
evidence_write(FILE *f, const struct evidence *ev)
{
	struct dl_buf b = DL_BUF_INIT;
	int rc = 0;

	evidence_render(ev, &b);
	if (fwrite(b.data, 1, b.len, f) != b.len || fflush(f) != 0)
		rc = -1;
	dl_buf_free(&b);
	return rc;
}
