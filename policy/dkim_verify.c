/*
 * dkim_verify.c -- DKIM verification with libopendkim (see dkim_verify.h).
 *
 * DESCRIPTION
 *	libopendkim asks for keys through its dkim_dns_set_query_* hooks and
 *	parses a raw DNS reply. The hooks here answer from dns.h and hand
 *	libopendkim a reply built from the validated RRset (header, question,
 *	answers), so that it sees exactly what our DNS layer decided:
 *	NXDOMAIN stays NXDOMAIN, a failure or a bogus answer is a query error
 *	(DKIM_SIGERROR_KEYFAIL, our temperror), and nothing that failed
 *	DNSSEC validation is ever parsed. The lookup is synchronous in
 *	query_start; waitreply only reports, cancel frees.
 *
 *	Every tag value copied out of a signature is hostile; only printable
 *	ASCII without blanks is kept, and the A-R builder quotes it.
 *
 *	A header field holding a NUL byte never reaches libopendkim, which
 *	reads such fields past their end (issue 12). libmilter cuts values at
 *	a NUL, so only whole-message callers (dmarctls-check) can hand one
 *	over. The verdict: a signature whose h= names such a field fails
 *	("signed header field contains a NUL byte"); a DKIM-Signature field
 *	holding one is a permerror; unsigned fields do not matter to DKIM.
 */
#include "dt_build.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opendkim/dkim.h>

#include "dkim_verify.h"
#include "strbuf.h"

#define DKIM_REPLY_MAX	65535
#define DKIM_KEY_NAME_MAX	512	/* s._domainkey.d as text; over 253 is invalid anyway */
#define DKIM_MAX_NUL	16	/* names of NUL-holding fields remembered */
#define DKIM_NUL_NAME	64
#define DKIM_SIG_FIELD	"DKIM-Signature"

struct dkim_verifier {
	DKIM_LIB	*lib;
};

static int dkim_session_header_raw(dkim_session *s, const char *field, size_t len);
static int dkim_session_hold_nul(dkim_session *s, const char *field, size_t len);

struct dkim_session {
	DKIM		*dkim;
	int		nosig;		/* no signature: body and eom are skipped */
	int		failed;		/* libopendkim refused the message */
	char *const	*authors;	/* the From domains, for dkim_prescreen */
	size_t		nauthors;
	size_t		n_nul;		/* fields held back: they contain a NUL */
	char		nul_name[DKIM_MAX_NUL][DKIM_NUL_NAME];
	int		nul_overflow;	/* more names than fit: every signature fails */
	size_t		nul_sigs;	/* DKIM-Signature fields among them */
};

typedef struct dkim_rank {
	DKIM_SIGINFO	*sig;
	size_t		labels;		/* trailing labels d= shares with an author */
	size_t		pos;		/* header order, for a stable sort */
} dkim_rank;

typedef struct dkim_query {
	int	status;		/* DKIM_DNS_SUCCESS or DKIM_DNS_ERROR */
	int	dnssec;		/* DKIM_DNSSEC_* */
	size_t	len;
} dkim_query;

/* dkim_put16 - append a 16-bit value; -1 when the buffer is full */
static int
dkim_put16(unsigned char *buf, size_t buflen, size_t *pos, unsigned v)
{
	if (*pos + 2 > buflen)
		return -1;
	buf[(*pos)++] = (unsigned char)(v >> 8);
	buf[(*pos)++] = (unsigned char)v;
	return 0;
}

/* dkim_put_name - a dotted name in wire form */
static int
dkim_put_name(unsigned char *buf, size_t buflen, size_t *pos, const char *name)
{
	const char *p = name, *dot;
	size_t	start = *pos;

	while (*p) {
		size_t	l = (dot = strchr(p, '.')) ? (size_t)(dot - p) : strlen(p);

		if (l == 0 || l > 63 || *pos + l + 1 > buflen || *pos - start + l + 1 > 254)
			return -1;
		buf[(*pos)++] = (unsigned char)l;
		memcpy(buf + *pos, p, l);
		*pos += l;
		p += l + (dot ? 1 : 0);
	}
	if (*pos + 1 > buflen)
		return -1;
	buf[(*pos)++] = 0;
	return 0;
}

/* dkim_reply_build - a DNS reply for libopendkim from our RRset; -1 on error */
static long
dkim_reply_build(unsigned char *buf, size_t buflen, const char *qname, int type,
    const dns_rrset *rs)
{
	size_t	pos = 12, i, an = 0;
	int	truncated = 0;

	if (buflen < 12 || dkim_put_name(buf, buflen, &pos, qname) < 0
	    || dkim_put16(buf, buflen, &pos, (unsigned)type) < 0
	    || dkim_put16(buf, buflen, &pos, 1) < 0)
		return -1;
	for (i = 0; i < rs->n; i++) {
		if (pos + 12 + rs->len[i] > buflen || rs->len[i] > DKIM_REPLY_MAX) {
			truncated = 1;
			break;
		}
		dkim_put16(buf, buflen, &pos, 0xC00C);	/* the question's name */
		dkim_put16(buf, buflen, &pos, (unsigned)type);
		dkim_put16(buf, buflen, &pos, 1);
		dkim_put16(buf, buflen, &pos, (unsigned)rs->ttl >> 16);
		dkim_put16(buf, buflen, &pos, (unsigned)rs->ttl & 0xffff);
		dkim_put16(buf, buflen, &pos, (unsigned)rs->len[i]);
		memcpy(buf + pos, rs->data[i], rs->len[i]);
		pos += rs->len[i];
		an++;
	}
	memset(buf, 0, 12);
	buf[2] = 0x81 | (truncated ? 0x02 : 0);	/* QR, RD (and TC) */
	buf[3] = 0x80 | (rs->status == DNS_STATUS_NXDOMAIN ? 3 : 0);
	buf[5] = 1;
	buf[6] = (unsigned char)(an >> 8);
	buf[7] = (unsigned char)an;
	return (long)pos;
}

static int
dkim_q_start(void *srv, int type, unsigned char *query, unsigned char *buf,
    size_t buflen, void **qh)
{
	dkim_query *q;
	dns_rrset rs;
	long	len;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return DKIM_DNS_ERROR;
	dns_query(srv, (const char *)query, type, &rs);
	q->dnssec = rs.sec == DNS_SEC_SECURE ? DKIM_DNSSEC_SECURE
	    : rs.sec == DNS_SEC_BOGUS ? DKIM_DNSSEC_BOGUS : DKIM_DNSSEC_INSECURE;
	q->status = DKIM_DNS_ERROR;
	if (rs.status != DNS_STATUS_TEMPFAIL
	    && (len = dkim_reply_build(buf, buflen, (const char *)query, type, &rs)) > 0) {
		q->status = DKIM_DNS_SUCCESS;
		q->len = (size_t)len;
	}
	dns_rrset_free(&rs);
	*qh = q;
	return 0;
}

static int
dkim_q_waitreply(void *srv, void *qh, struct timeval *to, size_t *bytes, int *error,
    int *dnssec)
{
	dkim_query *q = qh;

	if (bytes)
		*bytes = q->len;
	if (error)
		*error = 0;
	if (dnssec)
		*dnssec = q->dnssec;
	return q->status;
}

static int
dkim_q_cancel(void *srv, void *qh)
{
	free(qh);
	return 0;
}

/* dkim_q_close - the resolver is shared and not libopendkim's to free */
static void
dkim_q_close(void *srv)
{
}

/* dkim_label_start - the start of name's last k labels, or NULL */
static const char *
dkim_label_start(const char *name, size_t len, size_t k)
{
	while (len > 0) {
		len--;
		if (name[len] == '.' && --k == 0)
			return name + len + 1;
	}
	return k == 1 ? name : NULL;
}

/* dkim_shared_labels - how many trailing labels a and b share (case-blind) */
static size_t
dkim_shared_labels(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), k;

	if (la && a[la - 1] == '.')
		la--;			/* "example.org." is example.org */
	if (lb && b[lb - 1] == '.')
		lb--;
	for (k = 1;; k++) {
		const char *pa = dkim_label_start(a, la, k), *pb = dkim_label_start(b, lb, k);

		if (pa == NULL || pb == NULL || (size_t)(a + la - pa) != (size_t)(b + lb - pb)
		    || strncasecmp(pa, pb, (size_t)(a + la - pa)) != 0)
			return k - 1;
	}
}

static int
dkim_rank_cmp(const void *x, const void *y)
{
	const dkim_rank *a = x, *b = y;

	if (a->labels != b->labels)
		return a->labels > b->labels ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/*
 * dkim_prescreen - runs in dkim_eoh before any key is asked for. The
 * signatures whose d= is closest to a From domain (most trailing labels in
 * common: the ones that can align) are moved to the front, so that the key
 * lookups of unrelated signatures, whose servers a forger may make silent,
 * cannot spend the phase's DNS budget before an aligned signature is
 * asked. Then at most DKIM_MAX_SIGS are verified (DNS work is bounded).
 */
static DKIM_CBSTAT
dkim_prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	dkim_session *s = dkim_get_user_context(dkim);
	dkim_rank *rank;
	int	i;
	size_t	j;

	if (s != NULL && s->nauthors > 0 && nsigs > 1
	    && (rank = calloc((size_t)nsigs, sizeof(*rank))) != NULL) {
		for (i = 0; i < nsigs; i++) {
			const char *d = (const char *)dkim_sig_getdomain(sigs[i]);

			rank[i].sig = sigs[i];
			rank[i].pos = (size_t)i;
			for (j = 0; d != NULL && j < s->nauthors; j++) {
				size_t	k = dkim_shared_labels(d, s->authors[j]);

				if (k > rank[i].labels)
					rank[i].labels = k;
			}
		}
		qsort(rank, (size_t)nsigs, sizeof(*rank), dkim_rank_cmp);
		for (i = 0; i < nsigs; i++)
			sigs[i] = rank[i].sig;
		free(rank);
	}
	for (i = DKIM_MAX_SIGS; i < nsigs; i++)
		dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

dkim_verifier *
dkim_verifier_new(dns_resolver *r, char *err, size_t errlen)
{
	dkim_verifier *v;
	unsigned int flags = DKIM_LIBFLAGS_BADSIGHANDLES | DKIM_LIBFLAGS_FIXCRLF;
	unsigned int minbits = DKIM_MIN_RSA_BITS;

	if ((v = calloc(1, sizeof(*v))) == NULL || (v->lib = dkim_init(NULL, NULL)) == NULL) {
		snprintf(err, errlen, "cannot initialise libopendkim");
		free(v);
		return NULL;
	}
	if (dkim_options(v->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags)) != DKIM_STAT_OK
	    || dkim_options(v->lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &minbits,
	    sizeof(minbits)) != DKIM_STAT_OK) {
		snprintf(err, errlen, "libopendkim rejected an option");
		dkim_verifier_free(v);
		return NULL;
	}
	dkim_dns_set_query_service(v->lib, r);
	dkim_dns_set_query_start(v->lib, dkim_q_start);
	dkim_dns_set_query_waitreply(v->lib, dkim_q_waitreply);
	dkim_dns_set_query_cancel(v->lib, dkim_q_cancel);
	dkim_dns_set_close(v->lib, dkim_q_close);
	dkim_set_prescreen(v->lib, dkim_prescreen);
	return v;
}

void
dkim_verifier_free(dkim_verifier *v)
{
	if (v == NULL)
		return;
	if (v->lib)
		dkim_close(v->lib);
	free(v);
}

dkim_session *
dkim_session_new(dkim_verifier *v, const char *id)
{
	dkim_session *s;
	DKIM_STAT st;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->dkim = dkim_verify(v->lib, (const unsigned char *)(id ? id : "dmarctls"), NULL, &st);
	if (s->dkim == NULL || dkim_set_user_context(s->dkim, s) != DKIM_STAT_OK) {
		dkim_free(s->dkim);
		free(s);
		return NULL;
	}
	return s;
}

/* dkim_field_name - the name of a raw field: up to ':' or NUL, no trailing blanks */
static size_t
dkim_field_name(const char *field, size_t len, char *out, size_t outlen)
{
	size_t	n = 0;

	while (n < len && field[n] != ':' && field[n] != '\0')
		n++;
	while (n > 0 && (field[n - 1] == ' ' || field[n - 1] == '\t'))
		n--;
	if (n >= outlen)
		return 0;
	memcpy(out, field, n);
	out[n] = '\0';
	return n;
}

/* dkim_session_hold_nul - keep a NUL-holding field from libopendkim, remember its name */
static int
dkim_session_hold_nul(dkim_session *s, const char *field, size_t len)
{
	char	name[DKIM_NUL_NAME];

	if (dkim_field_name(field, len, name, sizeof(name)) == 0 || s->n_nul >= DKIM_MAX_NUL) {
		s->nul_overflow = 1;
		return -1;
	}
	if (strcasecmp(name, DKIM_SIG_FIELD) == 0)
		s->nul_sigs++;
	else
		memcpy(s->nul_name[s->n_nul++], name, sizeof(name));
	return -1;
}

/* dkim_signs_nul - does the signature's h= name a field that held a NUL? */
static int
dkim_signs_nul(const dkim_session *s, DKIM_SIGINFO *sig)
{
	const unsigned char *h = dkim_sig_gettagvalue(sig, 0, (unsigned char *)"h");
	char	name[DKIM_NUL_NAME];
	size_t	i, n;

	if (s->nul_overflow)
		return 1;
	while (h && *h) {
		for (n = 0; *h && *h != ':'; h++)
			if (*h > ' ' && n + 1 < sizeof(name))
				name[n++] = (char)*h;
		name[n] = '\0';
		for (i = 0; i < s->n_nul; i++)
			if (strcasecmp(name, s->nul_name[i]) == 0)
				return 1;
		if (*h == ':')
			h++;
	}
	return 0;
}

/*
 * dkim_session_header - one field. Folding may arrive with bare LF (files,
 * and MTAs hand milters "\n\t"); canonicalization needs CRLF, and
 * libopendkim's FIXCRLF repairs only the body, so fields are repaired here.
 */
int
dkim_session_header(dkim_session *s, const char *field, size_t len)
{
	strbuf	crlf = STRBUF_INIT;
	size_t	i;
	int	rc;

	if (memchr(field, '\0', len) != NULL)
		return dkim_session_hold_nul(s, field, len);
	if (memchr(field, '\n', len) == NULL)
		return dkim_session_header_raw(s, field, len);
	for (i = 0; i < len; i++) {
		if (field[i] == '\n' && (i == 0 || field[i - 1] != '\r'))
			strbuf_appendc(&crlf, '\r');
		strbuf_appendc(&crlf, field[i]);
	}
	rc = crlf.failed ? -1 : dkim_session_header_raw(s, crlf.s, crlf.len);
	strbuf_free(&crlf);
	return rc;
}

static int
dkim_session_header_raw(dkim_session *s, const char *field, size_t len)
{
	/* a malformed field is libopendkim's to judge; the others still count */
	if (s->failed)
		return -1;
	return dkim_header(s->dkim, (unsigned char *)field, len) == DKIM_STAT_OK ? 0 : -1;
}

int
dkim_session_eoh(dkim_session *s, char *const *authors, size_t nauthors)
{
	DKIM_STAT st;

	if (s->failed)
		return -1;
	s->authors = authors;		/* read by dkim_prescreen, in dkim_eoh only */
	s->nauthors = nauthors;
	st = dkim_eoh(s->dkim);
	s->authors = NULL;
	s->nauthors = 0;
	if (st == DKIM_STAT_NOSIG)
		s->nosig = 1;
	return 0;
}

int
dkim_session_body(dkim_session *s, const unsigned char *buf, size_t len)
{
	if (s->failed || s->nosig || len == 0)
		return 0;
	(void)dkim_body(s->dkim, (unsigned char *)buf, len);
	return 0;
}

/*
 * dkim_session_body_done - is the rest of the body of no use? Yes with no
 * signature (or a message libopendkim refused), or once every signature's
 * body hash is complete: all carry l= and that many canonical bytes were
 * hashed (libopendkim's dkim_minbody() is 0). Bytes after them cannot
 * change a result; dkim_session_eom still runs.
 */
int
dkim_session_body_done(const dkim_session *s)
{
	if (s->failed || s->nosig)
		return 1;
	return dkim_minbody(s->dkim) == 0;
}

/* dkim_copy_tag - printable, blank-free copy of a signature tag value */
static void
dkim_copy_tag(DKIM_SIGINFO *sig, const char *tag, char *out, size_t outlen, size_t maxchars)
{
	const unsigned char *v = dkim_sig_gettagvalue(sig, 0, (unsigned char *)tag);
	size_t	o = 0;

	if (maxchars >= outlen)
		maxchars = outlen - 1;
	for (; v && *v && o < maxchars; v++) {
		if (*v > ' ' && *v < 0x7f)
			out[o++] = (char)*v;
	}
	out[o] = '\0';
}

/*
 * dkim_key_name_valid - could <s>._domainkey.<d> be asked at all? An empty
 * label or one over 63 octets in s= or d= (both come from the message)
 * makes the key name impossible: no query was possible, so nothing
 * temporary happened, and the signature is a permerror (RFC 6376 3.6.2.2,
 * 6.1.2), never a temperror a forger could use to excuse a forgery.
 */
static int
dkim_key_name_valid(DKIM_SIGINFO *sig)
{
	const char *s = (const char *)dkim_sig_gettagvalue(sig, 0, (unsigned char *)"s");
	const char *d = (const char *)dkim_sig_gettagvalue(sig, 0, (unsigned char *)"d");
	char	name[DKIM_KEY_NAME_MAX];
	int	n;

	if (s == NULL || d == NULL)
		return 0;
	n = snprintf(name, sizeof(name), "%s._domainkey.%s", s, d);
	return n > 0 && (size_t)n < sizeof(name) && dns_name_valid(name);
}

/* dkim_error_result - the result for a signature libopendkim did not pass */
static dkim_res
dkim_error_result(DKIM_SIGINFO *sig, char *reason, size_t rlen)
{
	int	err = dkim_sig_geterror(sig);

	if (err == DKIM_SIGERROR_KEYFAIL && !dkim_key_name_valid(sig)) {
		snprintf(reason, rlen, "key name is not a valid DNS name");
		return DKIM_RES_PERMERROR;
	}
	switch (err) {
	case DKIM_SIGERROR_KEYFAIL:
		snprintf(reason, rlen, "key lookup failed");
		return DKIM_RES_TEMPERROR;
	case DKIM_SIGERROR_OK:
	case DKIM_SIGERROR_BADSIG:
		snprintf(reason, rlen, dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH
		    ? "body hash mismatch" : "signature did not verify");
		return DKIM_RES_FAIL;
	case DKIM_SIGERROR_KEYTOOSMALL:
		snprintf(reason, rlen, "key shorter than %d bits (RFC 8301)", DKIM_MIN_RSA_BITS);
		return DKIM_RES_FAIL;
	case DKIM_SIGERROR_EXPIRED:
	case DKIM_SIGERROR_FUTURE:
	case DKIM_SIGERROR_KEYREVOKED:
	case DKIM_SIGERROR_KEYHASHMISMATCH:
		snprintf(reason, rlen, "%s", dkim_sig_geterrorstr(err));
		return DKIM_RES_FAIL;
	default:
		snprintf(reason, rlen, "%s", dkim_sig_geterrorstr(err)
		    ? dkim_sig_geterrorstr(err) : "signature error");
		return DKIM_RES_PERMERROR;
	}
}

/* dkim_sig_judge - one signature's result */
static void
dkim_sig_judge(DKIM_SIGINFO *sig, dkim_sig_result *r)
{
	unsigned int flags = dkim_sig_getflags(sig), bits = 0;
	dkim_alg_t alg = DKIM_SIGN_UNKNOWN;

	memset(r, 0, sizeof(*r));
	dkim_copy_tag(sig, "d", r->d, sizeof(r->d), sizeof(r->d) - 1);
	dkim_copy_tag(sig, "s", r->s, sizeof(r->s), sizeof(r->s) - 1);
	dkim_copy_tag(sig, "i", r->i, sizeof(r->i), sizeof(r->i) - 1);
	dkim_copy_tag(sig, "a", r->a, sizeof(r->a), sizeof(r->a) - 1);
	dkim_copy_tag(sig, "b", r->b, sizeof(r->b), 8);
	if (dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK)
		r->keybits = bits;
	(void)dkim_sig_getsignalg(sig, &alg);
	if (flags & DKIM_SIGFLAG_IGNORE) {
		r->result = DKIM_RES_NEUTRAL;
		snprintf(r->reason, sizeof(r->reason), "not verified: over %d signatures",
		    DKIM_MAX_SIGS);
	} else if ((flags & DKIM_SIGFLAG_PASSED) && dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH) {
		r->result = DKIM_RES_PASS;
		if (alg == DKIM_SIGN_RSASHA1) {
			r->result = DKIM_RES_FAIL;	/* RFC 8301 section 3.1 */
			snprintf(r->reason, sizeof(r->reason), "rsa-sha1 is not accepted (RFC 8301)");
		} else if (alg == DKIM_SIGN_RSASHA256 && bits < DKIM_MIN_RSA_BITS) {
			r->result = DKIM_RES_FAIL;
			snprintf(r->reason, sizeof(r->reason), "key shorter than %d bits (RFC 8301)",
			    DKIM_MIN_RSA_BITS);
		}
	} else {
		r->result = dkim_error_result(sig, r->reason, sizeof(r->reason));
	}
}

/* dkim_nul_sigs - a permerror for each DKIM-Signature field that held a NUL */
static size_t
dkim_nul_sigs(const dkim_session *s, dkim_sig_result *out, size_t n, size_t max)
{
	size_t	i;

	for (i = 0; i < s->nul_sigs && n < max; i++, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].result = DKIM_RES_PERMERROR;
		snprintf(out[n].reason, sizeof(out[n].reason),
		    "DKIM-Signature field contains a NUL byte");
	}
	return n;
}

size_t
dkim_session_eom(dkim_session *s, dkim_sig_result *out, size_t max)
{
	DKIM_SIGINFO **sigs = NULL;
	int	nsigs = 0, i;
	bool	testkey = false;
	size_t	n = 0;

	if (s->failed || s->nosig)
		return dkim_nul_sigs(s, out, 0, max);
	(void)dkim_eom(s->dkim, &testkey);
	if (dkim_getsiglist(s->dkim, &sigs, &nsigs) != DKIM_STAT_OK || sigs == NULL)
		return dkim_nul_sigs(s, out, 0, max);
	for (i = 0; i < nsigs && n < max; i++) {
		dkim_sig_judge(sigs[i], &out[n]);
		if (out[n].result != DKIM_RES_NEUTRAL && dkim_signs_nul(s, sigs[i])) {
			out[n].result = DKIM_RES_FAIL;
			snprintf(out[n].reason, sizeof(out[n].reason),
			    "signed header field contains a NUL byte");
		}
		n++;
	}
	return dkim_nul_sigs(s, out, n, max);
}

void
dkim_session_free(dkim_session *s)
{
	if (s == NULL)
		return;
	dkim_free(s->dkim);
	free(s);
}
