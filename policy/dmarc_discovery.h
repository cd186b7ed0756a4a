/*
 * dmarc_discovery.h -- find the DMARC policy record and Organizational
 *	Domains: the DNS tree walk of RFC 9989 (section 4.10), or the
 *	public suffix list of RFC 7489.
 *
 * SYNOPSIS
 *	int dmarc_discovery_init(dmarc_discovery *d, dmarc_discovery_mode mode,
 *	    const psl_ctx_t *psl, dns_txt_fn lookup, void *lookup_ctx);
 *	void dmarc_discovery_free(dmarc_discovery *d);
 *	dmarc_disc_status dmarc_discover_policy(dmarc_discovery *d,
 *	    const char *author, dmarc_found *out);
 *	dmarc_disc_status dmarc_org_domain(dmarc_discovery *d,
 *	    const char *domain, char *org, size_t orglen);
 *	dmarc_disc_status dmarc_domain_exists(dmarc_discovery *d,
 *	    const char *domain, int *exists);
 *	int dmarc_domain_valid(const char *domain);
 *	int dmarc_domain_equal(const char *a, const char *b);
 *	const char *dmarc_domain_canon(const char *in, char *buf, size_t buflen);
 *	size_t dmarc_domain_labels(const char *domain);
 *
 * DESCRIPTION
 *	A dmarc_discovery lives for one evaluation. It remembers the answer
 *	for every _dmarc name it asked about (the memo), so the walk for the
 *	policy, the walk for the author's Organizational Domain and the walks
 *	for the DKIM and SPF domains never ask the same question twice. It
 *	also caps the number of DNS queries of one evaluation at
 *	DMARC_MAX_QUERIES; past the cap a question is answered "tempfail".
 *
 *	Tree walk (section 4.10): query _dmarc.<name>; keep the TXT records
 *	that start with v=DMARC1; more than one means none at that name. A
 *	record with psd=y or psd=n ends the walk. Next name: with x labels,
 *	x < 8 drops the left-most label, x >= 8 keeps the right-most 7; then
 *	one label at a time down to the TLD; at most 8 queries per walk.
 *
 *	dmarc_discover_policy() (section 4.10.1): the Author Domain's record,
 *	else the Organizational Domain's, else the record with psd=y. A
 *	record at a name counts even when it is unusable (DMARC_REC_INVALID
 *	or _NO_POLICY): the first record in that order is the one that
 *	applies, and an unusable one gives DMARC_DISC_UNUSABLE ("no DMARC
 *	policy", section 4.10.1 step 4) instead of falling back further.
 *	In PSL mode (RFC 7489 section 6.6.3): _dmarc.<author>, then
 *	_dmarc.<org> when it differs and the author had no DMARC record;
 *	several records at the author name end discovery with none.
 *
 *	dmarc_org_domain() (section 4.10.2): walk from the domain itself;
 *	longest name to shortest, psd=n makes that name the Org Domain, psd=y
 *	(not at the domain itself) the name one label below it; else the
 *	record with the fewest labels; no record: the domain itself. In PSL
 *	mode: psl_registrable_domain(), or the domain itself when that has
 *	none (it is a public suffix or unknown to the list).
 *
 *	dmarc_domain_exists(): a TXT query for the name itself; NXDOMAIN
 *	means it does not exist (RFC 8020), OK/NODATA that it does. No query
 *	is made when _dmarc.<name> already answered OK or NODATA: a name with
 *	a child exists.
 *
 *	dmarc_domain_canon() is the one spelling of an identity before it is
 *	validated or compared: one final dot dropped ("example.org." is the
 *	same absolute name, RFC 1034 3.1), lowercased. MAIL FROM, HELO, DKIM
 *	d= and From all pass through it. It returns buf, or "" when the name
 *	does not fit.
 *
 *	dmarc_domain_equal() compares names with ASCII-only case folding,
 *	whatever the locale.
 *
 * DIAGNOSTICS
 *	DMARC_DISC_TEMPFAIL whenever an answer that matters was a DNS
 *	failure (a DNSSEC-bogus answer arrives as DNS_STATUS_TEMPFAIL too):
 *	a failure is never read as "no record". d->failed_name holds the
 *	query name that failed. DMARC_DISC_BADNAME: the name given is not a
 *	valid domain (dmarc_domain_valid()).
 *
 * HOSTILE INPUT
 *	Names are checked (length, label sizes, letters/digits/"-"/"_")
 *	before any query. TXT answers are read with their lengths; the
 *	dns_txt a lookup returns is released here with dns_txt_free()
 *	semantics (each txt[i], then txt, then len), without calling dns.c.
 */
#ifndef DMARCTLS_DMARC_DISCOVERY_H
#define DMARCTLS_DMARC_DISCOVERY_H

#include <stddef.h>
#include <libpsl.h>

#include "dns.h"
#include "dmarc_record.h"

#define DMARC_NAME_MAX		253	/* a domain name, text form */
#define DMARC_QNAME_MAX		(DMARC_NAME_MAX + 7)	/* "_dmarc." + name */
#define DMARC_WALK_MAX		8	/* queries of one tree walk */
#define DMARC_WALK_JUMP		8	/* from this many labels ... */
#define DMARC_WALK_JUMP_TO	7	/* ... jump to this many */
#define DMARC_MAX_QUERIES	48	/* DNS queries of one evaluation */
#define DMARC_MEMO_MAX		DMARC_MAX_QUERIES

typedef enum {
	DMARC_DISCOVERY_TREEWALK = 0, DMARC_DISCOVERY_PSL
} dmarc_discovery_mode;

typedef enum {
	DMARC_DISC_FOUND = 0,	/* a usable record (or the org domain) */
	DMARC_DISC_NONE,	/* no DMARC record */
	DMARC_DISC_UNUSABLE,	/* the record that applies is unusable */
	DMARC_DISC_TEMPFAIL,	/* a DNS failure that matters */
	DMARC_DISC_BADNAME	/* not a valid domain name */
} dmarc_disc_status;

/* What is known about one _dmarc.<name>. */
typedef enum {
	DMARC_NAME_EMPTY = 0,	/* no DMARC record (NXDOMAIN, NODATA, other TXT) */
	DMARC_NAME_RECORD,	/* exactly one DMARC record */
	DMARC_NAME_MULTIPLE,	/* several: none at this name */
	DMARC_NAME_TEMPFAIL
} dmarc_name_state;

typedef struct dmarc_name_answer {
	char		name[DMARC_NAME_MAX + 1];	/* without "_dmarc." */
	dmarc_name_state state;
	dns_status	status;		/* the DNS answer for _dmarc.<name> */
	dmarc_rec_status rstatus;	/* when state is RECORD */
	dmarc_record	rec;		/* when state is RECORD */
} dmarc_name_answer;

typedef struct dmarc_discovery {
	dmarc_discovery_mode mode;
	const psl_ctx_t	*psl;
	dns_txt_fn	lookup;
	void		*lookup_ctx;
	size_t		nqueries;
	size_t		nmemo;
	dmarc_name_answer *memo;	/* DMARC_MEMO_MAX entries */
	char		failed_name[DMARC_QNAME_MAX + 1];
} dmarc_discovery;

/* The policy record that applies to an Author Domain. */
typedef struct dmarc_found {
	const dmarc_record *rec;	/* in the memo; NULL unless FOUND */
	dmarc_rec_status rstatus;
	int		at_author;	/* the record is the author's own */
	char		policy_domain[DMARC_NAME_MAX + 1];	/* "" if none */
	char		org_domain[DMARC_NAME_MAX + 1];	/* "" if not known */
} dmarc_found;

int		dmarc_discovery_init(dmarc_discovery *d,
		    dmarc_discovery_mode mode, const psl_ctx_t *psl,
		    dns_txt_fn lookup, void *lookup_ctx);
void		dmarc_discovery_free(dmarc_discovery *d);
dmarc_disc_status dmarc_discover_policy(dmarc_discovery *d,
		    const char *author, dmarc_found *out);
dmarc_disc_status dmarc_org_domain(dmarc_discovery *d, const char *domain,
		    char *org, size_t orglen);
dmarc_disc_status dmarc_domain_exists(dmarc_discovery *d,
		    const char *domain, int *exists);
int		dmarc_domain_valid(const char *domain);
int		dmarc_domain_equal(const char *a, const char *b);
const char	*dmarc_domain_canon(const char *in, char *buf, size_t buflen);
size_t		dmarc_domain_labels(const char *domain);

#endif
