/*
 * case.h -- one scenario, as read from a cases/.../NAME.case file.
 *
 * The grammar is documented in cases/FORMAT.md; case_parse.c is its only
 * reader.  A parsed case holds text exactly as written (names relative to
 * the case apex or to the zone origin, placeholders unresolved); turning it
 * into a DNS world, certificates and personas is case_world.c's job, once
 * the case has an index in a run (which fixes its addresses).
 *
 * Every element remembers its source line so that lint errors and failed
 * expectations can say "file:line".  A case owns all its memory
 * (dl_case_free).
 */
#ifndef DL_RUNNER_CASE_H
#define DL_RUNNER_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lab/lab.h"
#include "util/buf.h"
#include "zones/world.h"

/* How a case (or a single expectation) is graded; one table in case_parse.c. */
enum dl_level {
	DL_LEVEL_REQUIRED = 0,
	DL_LEVEL_RECOMMENDED,
	DL_LEVEL_OPTIONAL,
	DL_LEVEL_CONDITIONAL, /* required if the adapter has the feature */
	DL_LEVEL_COUNT
};

/* A list of words as written (for options and expectations). */
struct dl_words {
	char **v;
	size_t n;
};

struct dl_case_cert {
	char *id;
	struct dl_words opts;   /* key=, issuer=, san=, cn=, valid=, ca, ... */
	int line;
};

struct dl_case_zone {
	char *name;             /* "@" or relative to the apex */
	enum dl_zone_mode mode;
	struct dl_words opts;   /* alg=, denial=, server=, ttl= */
	struct dl_zone_record *records; /* text as written (placeholders left) */
	size_t n_records;
	struct dl_zone_fault *faults;   /* $FAULT directives (owner text kept) */
	size_t n_faults;
	char **dnsfaults;       /* $DNSFAULT lines, owner relative to the zone */
	int *dnsfault_lines;
	int *dnsfault_rounds;   /* 0: every round, k: round k only ($ROUND) */
	size_t n_dnsfaults;
	char **pathfaults;      /* $PATHFAULT lines: the untrusted resolver path */
	int *pathfault_lines;
	size_t n_pathfaults;
	int line;
};

/* A persona at a host address; options are validated by case_world.c. */
struct dl_case_host {
	char *label;            /* host label, used by $ADDR(label) and expect */
	char *kind;             /* smtp | attacker=MODE | closed */
	struct dl_words opts;
	int index;              /* 1-based: last octet of its addresses */
	int line;
};

struct dl_case_send {
	char *policy;           /* dane | dane-only | may */
	char *rcpt;             /* as written: local@domain ("@" = apex) */
	char *from;
	char *relay;            /* NULL or name[:port] */
	char *resolver;         /* "lab" (default) or "untrusted" */
	struct dl_words options; /* client configuration, "key=value" as written:
	                            fallback=, digests=, dane-ta=, audit=, self= */
	int line;
};

/* One "expect" line: alternatives separated by '|', each a word list. */
struct dl_expect {
	struct dl_words *alts;
	size_t n_alts;
	enum dl_level level;    /* the case level unless level= was given */
	int round;              /* the delivery it judges: 1, or 2.. after `then` */
	int line;
	char *text;             /* the line as written, for reports */
};

/*
 * A later delivery of the same case (`then`): the world may change between
 * rounds ($ROUND records and rules), then the client is driven again.
 */
struct dl_case_then {
	char *kind;             /* retry (the same message) | resend (a new one) */
	int wait_s;             /* seconds to let pass after the world changed */
	int line;
};

/* A fixture assertion proven through the lab resolver before the client runs. */
struct dl_check {
	char *name;             /* relative to the apex, or absolute */
	char *type;
	enum dl_lab_status status;
	int line;
};

/*
 * What one case may hold (cases/FORMAT.md, "Limits").  A case file is
 * untrusted input: each bound is enforced by the reader with file:line.
 */
#define DL_CASE_MAX_BYTES   (64 * 1024) /* file size */
#define DL_CASE_MAX_LINE    4096        /* bytes in one line */
#define DL_CASE_MAX_HOSTS   100         /* addresses .1-.100, backends +128 */
#define DL_CASE_MAX_CERTS   32
#define DL_CASE_MAX_ZONES   32
#define DL_CASE_MAX_RECORDS 1000        /* records and rules, all zones */
#define DL_CASE_MAX_EXPECTS 64
#define DL_CASE_MAX_CHECKS  64
#define DL_CASE_MAX_WORDS   64          /* require ids, tags, options of a line */
#define DL_CASE_MAX_NOTE    8192        /* bytes of all note lines together */

struct dl_case {
	char *path;             /* file as given */
	char *id;
	char *title;
	char *scenario;         /* catalog slug; defaults to id */
	struct dl_words require;
	struct dl_words tags;
	enum dl_level level;
	char *feature;          /* for conditional(feature) */
	char *note;
	struct dl_case_cert *certs;
	size_t n_certs;
	struct dl_case_zone *zones;
	size_t n_zones;
	struct dl_case_host *hosts;
	size_t n_hosts;
	struct dl_case_send send;
	struct dl_expect *expects;
	size_t n_expects;
	struct dl_case_then *thens; /* round k >= 2 is thens[k - 2] */
	size_t n_thens;
	struct dl_check *checks;
	size_t n_checks;
	char *source;           /* the whole file, for the evidence directory */
	bool fixture;           /* `fixture`: a world to prove, no client runs */
};

/*
 * A list of problems found while reading or linting, each "file:line: msg".
 * Parsing continues past most errors so one run reports them all.
 */
struct dl_diag {
	struct dl_buf text;
	int count;
};

void dl_diag_add(struct dl_diag *d, const char *file, int line,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void dl_diag_free(struct dl_diag *d);

/*
 * Parse one case file.  Returns the case (caller frees with dl_case_free)
 * or NULL when the file could not be read or is unusable; problems are
 * added to diag either way (a returned case may still carry lint errors:
 * check diag->count).
 */
struct dl_case *dl_case_parse_file(const char *path, struct dl_diag *diag);
struct dl_case *dl_case_parse_text(const char *path, const char *text,
	struct dl_diag *diag);
/* The same for bytes that may hold NULs (a NUL is a file:line error). */
struct dl_case *dl_case_parse_mem(const char *path, const char *text, size_t size,
	struct dl_diag *diag);
void dl_case_free(struct dl_case *c);

/* A host label, cert id or key name (letters, digits, '-', '_'; also a
 * file name stem).  Every other name: case_check.c. */
bool dl_case_label_ok(const char *s);

/* Name as written in a case ("mx1", "@", "abs.name.") -> absolute, no dot
 * (case_names.c). */
char *dl_case_name_abs(const char *name, const char *apex);
/* Index of the host labelled `label`, or -1. */
int dl_case_host_index(const struct dl_case *c, const char *label);

const char *dl_level_name(enum dl_level l);
int dl_level_parse(const char *s, enum dl_level *out, char **feature);

/* The value of "key=value" among words, or NULL; a bare "key" gives "". */
const char *dl_words_opt(const struct dl_words *w, const char *key);
bool dl_words_has(const struct dl_words *w, const char *word);
void dl_words_push(struct dl_words *w, const char *word);
void dl_words_free(struct dl_words *w);
/* Split on blanks (no quoting: case syntax has none outside records). */
void dl_words_split(struct dl_words *w, const char *s);

#endif
