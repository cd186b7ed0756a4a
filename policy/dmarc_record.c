/*
 * dmarc_record.c -- parse one DMARC policy record (RFC 9989 section 4.7).
 *
 * SYNOPSIS
 *	See dmarc_record.h: dmarc_record_is_dmarc(), dmarc_record_parse(),
 *	dmarc_record_free(), dmarc_rec_status_name().
 *
 * DESCRIPTION
 *	The record is a tag-list: tag-specs separated by ";", each NAME=VALUE
 *	with optional whitespace around NAME and VALUE. Tag names and keyword
 *	values compare case-insensitively (ABNF quoted strings). The first
 *	tag-spec is the version tag "v=DMARC1".
 *
 *	Each known tag has a bit in a "seen" mask, which is how a duplicate
 *	is caught. Values are checked against the tag's grammar; a bad value
 *	of p/sp/np is remembered because the rua rule of section 4.10.1
 *	decides what it means only once the whole record has been read.
 *
 * HOSTILE INPUT
 *	Only the bytes [txt, txt + len) are read. Over-long records and NUL
 *	bytes are refused before anything else is looked at. Every copy kept
 *	(the URIs) is bounded by DMARC_URI_MAX_LEN and DMARC_RECORD_MAX_URIS.
 */

/* System library. */

#include <stdlib.h>
#include <string.h>

/* Application-specific. */

#include "dmarc_record.h"

/* One tag-spec, as pointers into the record text. */
typedef struct tagspec {
	const char	*name;
	size_t		namelen;
	const char	*val;
	size_t		vallen;
	int		val_ok;		/* value is tval chars and inner WSP */
} tagspec;

/* The tags we know, each with its bit in the "seen" mask. */
enum {
	TAG_V, TAG_P, TAG_SP, TAG_NP, TAG_ADKIM, TAG_ASPF, TAG_PSD, TAG_T,
	TAG_RUA, TAG_RUF, TAG_FO, TAG_PCT, TAG_RF, TAG_RI, TAG_UNKNOWN
};

static const struct {
	const char	*name;
	int		id;
	int		rfc9989_only;	/* unknown (ignored) in RFC 7489 mode */
} known_tags[] = {
	{"v", TAG_V, 0}, {"p", TAG_P, 0}, {"sp", TAG_SP, 0},
	{"np", TAG_NP, 1}, {"adkim", TAG_ADKIM, 0}, {"aspf", TAG_ASPF, 0},
	{"psd", TAG_PSD, 1}, {"t", TAG_T, 1}, {"rua", TAG_RUA, 0},
	{"ruf", TAG_RUF, 0}, {"fo", TAG_FO, 0}, {"pct", TAG_PCT, 0},
	{"rf", TAG_RF, 0}, {"ri", TAG_RI, 0},
};

/* State of one parse beyond what goes into the record. */
typedef struct parse_state {
	dmarc_mode	mode;
	unsigned	seen;		/* bit per TAG_* */
	int		duplicate;
	int		p_bad;		/* p invalid, or not second (7489) */
	int		sp_bad, np_bad;
	size_t		index;		/* of the tag-spec being read */
} parse_state;

static int
is_wsp(int c)
{
	/* SP and HTAB (RFC 5234 WSP), and CR/LF as folding whitespace. */
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Case-insensitive: is [s, s + n) exactly the keyword kw? */
static int
word_is(const char *s, size_t n, const char *kw)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (kw[i] == '\0' || ascii_lower((unsigned char)s[i]) != kw[i])
			return 0;
	}
	return kw[n] == '\0';
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_wsp((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_wsp((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* tag-name = ALPHA *(ALPHA / DIGIT / "_") */
static int
valid_tag_name(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++) {
		int	c = (unsigned char)s[i];

		if (!is_alpha(c) && !is_digit(c) && c != '_')
			return 0;
	}
	return 1;
}

/* tag-value: tval-char = %x21-3A / %x3C-7E, with inner whitespace. */
static int
valid_tag_value(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		int	c = (unsigned char)s[i];

		if (is_wsp(c))
			continue;
		if (c < 0x21 || c > 0x7e || c == ';')
			return 0;
	}
	return 1;
}

/* Split one tag-spec at "=" and trim both halves. 0: not NAME=VALUE. */
static int
split_tagspec(const char *s, size_t n, tagspec *ts)
{
	const char *eq = memchr(s, '=', n);

	if (eq == NULL)
		return 0;
	ts->name = s;
	ts->namelen = (size_t)(eq - s);
	ts->val = eq + 1;
	ts->vallen = n - ts->namelen - 1;
	trim(&ts->name, &ts->namelen);
	trim(&ts->val, &ts->vallen);
	if (!valid_tag_name(ts->name, ts->namelen))
		return 0;
	ts->val_ok = valid_tag_value(ts->val, ts->vallen);
	return 1;
}

int
dmarc_record_is_dmarc(const char *txt, size_t len)
{
	const char *end;
	const char *semi;
	tagspec	ts;

	if (txt == NULL)
		return 0;
	end = txt + len;
	semi = memchr(txt, ';', len);
	if (semi == NULL)
		semi = end;
	if (!split_tagspec(txt, (size_t)(semi - txt), &ts))
		return 0;
	/* "v" is a case-insensitive name; "DMARC1" is %x-coded: exact. */
	return word_is(ts.name, ts.namelen, "v") && ts.vallen == 6
	    && memcmp(ts.val, "DMARC1", 6) == 0;
}

static int
tag_id(const tagspec *ts, dmarc_mode mode)
{
	size_t	i;

	for (i = 0; i < sizeof(known_tags) / sizeof(known_tags[0]); i++) {
		if (!word_is(ts->name, ts->namelen, known_tags[i].name))
			continue;
		if (known_tags[i].rfc9989_only && mode == DMARC_MODE_RFC7489)
			return TAG_UNKNOWN;
		return known_tags[i].id;
	}
	return TAG_UNKNOWN;
}

/* dmarc-request = "none" / "quarantine" / "reject"; UNSET if invalid. */
static dmarc_policy
parse_request(const tagspec *ts)
{
	if (!ts->val_ok)
		return DMARC_POLICY_UNSET;
	if (word_is(ts->val, ts->vallen, "none"))
		return DMARC_POLICY_NONE;
	if (word_is(ts->val, ts->vallen, "quarantine"))
		return DMARC_POLICY_QUARANTINE;
	if (word_is(ts->val, ts->vallen, "reject"))
		return DMARC_POLICY_REJECT;
	return DMARC_POLICY_UNSET;
}

/* adkim/aspf: "r" / "s"; anything else keeps the default (relaxed). */
static dmarc_alignment
parse_rors(const tagspec *ts)
{
	return word_is(ts->val, ts->vallen, "s") ? DMARC_ALIGN_STRICT
	    : DMARC_ALIGN_RELAXED;
}

static dmarc_psd
parse_psd(const tagspec *ts)
{
	if (word_is(ts->val, ts->vallen, "y"))
		return DMARC_PSD_Y;
	if (word_is(ts->val, ts->vallen, "n"))
		return DMARC_PSD_N;
	return DMARC_PSD_U;
}

/* pct = 1*3DIGIT, 0..100; anything else keeps the default 100. */
static int
parse_pct(const tagspec *ts)
{
	size_t	i;
	int	v = 0;

	if (ts->vallen == 0 || ts->vallen > 3)
		return 100;
	for (i = 0; i < ts->vallen; i++) {
		if (!is_digit((unsigned char)ts->val[i]))
			return 100;
		v = v * 10 + (ts->val[i] - '0');
	}
	return v <= 100 ? v : 100;
}

/* fo = ("0" / "1" / "d" / "s") *(":" ...); invalid: the default "0". */
static unsigned
parse_fo(const tagspec *ts)
{
	unsigned fo = 0;
	size_t	i = 0;

	while (i < ts->vallen) {
		const char *opt = ts->val + i;
		size_t	n = 0;

		while (i + n < ts->vallen && opt[n] != ':')
			n++;
		i += n + 1;
		trim(&opt, &n);
		if (word_is(opt, n, "0"))
			fo |= DMARC_FO_0;
		else if (word_is(opt, n, "1"))
			fo |= DMARC_FO_1;
		else if (word_is(opt, n, "d"))
			fo |= DMARC_FO_D;
		else if (word_is(opt, n, "s"))
			fo |= DMARC_FO_S;
		else
			return DMARC_FO_0;
	}
	return fo ? fo : DMARC_FO_0;
}

/* Characters of a URI (RFC 3986 unreserved, reserved, "%") minus the
 * two DMARC gives a meaning to: "," separates URIs, "!" starts a size. */
static int
uri_char(int c)
{
	if (is_alpha(c) || is_digit(c))
		return 1;
	return c != '\0' && c != ',' && c != '!'
	    && strchr("-._~:/?#[]@$&'()*+;=%", c) != NULL;
}

/* dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ] */
static int
valid_uri(const char *s, size_t n)
{
	size_t	i, ulen, colon = 0;
	const char *bang;

	if (n == 0 || n > DMARC_URI_MAX_LEN)
		return 0;
	bang = memchr(s, '!', n);
	ulen = bang ? (size_t)(bang - s) : n;
	if (bang != NULL) {
		size_t	j = ulen + 1, digits = 0;

		while (j < n && is_digit((unsigned char)s[j])) {
			j++;
			digits++;
		}
		if (j < n && strchr("kmgtKMGT", s[j]) != NULL)
			j++;
		if (digits == 0 || j != n)
			return 0;
	}
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (ulen == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < ulen && s[i] != ':'; i++) {
		int	c = (unsigned char)s[i];

		if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-'
		    && c != '.')
			return 0;
	}
	if (i >= ulen)
		return 0;
	colon = i;
	if (colon + 1 >= ulen)
		return 0;
	for (i = colon + 1; i < ulen; i++)
		if (!uri_char((unsigned char)s[i]))
			return 0;
	if (word_is(s, colon, "mailto")) {
		const char *rest = s + colon + 1;
		size_t	rlen = ulen - colon - 1;
		const char *at = memchr(rest, '@', rlen);

		if (at == NULL || at == rest || at == rest + rlen - 1)
			return 0;
	}
	return 1;
}

/* rua/ruf: comma-separated URIs; count the valid ones, keep a few. */
static int
parse_urilist(const tagspec *ts, char **kept, size_t *nkept, size_t *nvalid)
{
	size_t	i = 0;

	if (!ts->val_ok)
		return 0;
	while (i < ts->vallen) {
		const char *uri = ts->val + i;
		size_t	n = 0;

		while (i + n < ts->vallen && uri[n] != ',')
			n++;
		i += n + 1;
		trim(&uri, &n);
		if (!valid_uri(uri, n))
			continue;
		(*nvalid)++;
		if (*nkept >= DMARC_RECORD_MAX_URIS)
			continue;
		if ((kept[*nkept] = strndup(uri, n)) == NULL)
			return -1;
		(*nkept)++;
	}
	return 0;
}

/* Apply one tag-spec. -1: out of memory. */
static int
apply_tag(dmarc_record *rec, parse_state *st, const tagspec *ts)
{
	int	id = tag_id(ts, st->mode);

	if (id == TAG_UNKNOWN)
		return 0;
	if (st->seen & (1u << id)) {
		st->duplicate = 1;
		return 0;
	}
	st->seen |= 1u << id;
	switch (id) {
	case TAG_P:
		rec->p = parse_request(ts);
		/* RFC 7489 section 6.4 ABNF: p comes right after v. */
		if (rec->p == DMARC_POLICY_UNSET
		    || (st->mode == DMARC_MODE_RFC7489 && st->index != 1))
			st->p_bad = 1;
		break;
	case TAG_SP:
		if ((rec->sp = parse_request(ts)) == DMARC_POLICY_UNSET)
			st->sp_bad = 1;
		break;
	case TAG_NP:
		if ((rec->np = parse_request(ts)) == DMARC_POLICY_UNSET)
			st->np_bad = 1;
		break;
	case TAG_ADKIM:
		rec->adkim = parse_rors(ts);
		break;
	case TAG_ASPF:
		rec->aspf = parse_rors(ts);
		break;
	case TAG_PSD:
		rec->psd = parse_psd(ts);
		break;
	case TAG_T:
		rec->testing = word_is(ts->val, ts->vallen, "y");
		break;
	case TAG_PCT:
		rec->pct = parse_pct(ts);
		break;
	case TAG_FO:
		rec->fo = parse_fo(ts);
		break;
	case TAG_RUA:
		return parse_urilist(ts, rec->rua, &rec->nrua_kept, &rec->nrua);
	case TAG_RUF:
		return parse_urilist(ts, rec->ruf, &rec->nruf_kept, &rec->nruf);
	default:
		/* v (checked up front), rf, ri: historic or nothing to keep. */
		break;
	}
	return 0;
}

static void
record_defaults(dmarc_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->p = rec->sp = rec->np = DMARC_POLICY_UNSET;
	rec->adkim = rec->aspf = DMARC_ALIGN_RELAXED;
	rec->psd = DMARC_PSD_U;
	rec->pct = 100;
	rec->fo = DMARC_FO_0;
}

/* Section 4.10.1 step 4: what a record with a bad policy tag means. */
static dmarc_rec_status
settle_policy(dmarc_record *rec, const parse_state *st)
{
	int	bad = st->p_bad || !(st->seen & (1u << TAG_P));

	if (st->mode == DMARC_MODE_RFC9989)
		bad = bad || st->sp_bad || st->np_bad;
	if (!bad)
		return DMARC_REC_OK;
	if (rec->nrua == 0)
		return DMARC_REC_NO_POLICY;
	rec->p = DMARC_POLICY_NONE;
	rec->sp = rec->np = DMARC_POLICY_UNSET;
	rec->p_defaulted = 1;
	return DMARC_REC_OK;
}

dmarc_rec_status
dmarc_record_parse(const char *txt, size_t len, dmarc_mode mode,
    dmarc_record *rec)
{
	parse_state st;
	size_t	pos = 0;

	record_defaults(rec);
	if (!dmarc_record_is_dmarc(txt, len))
		return DMARC_REC_NOT_DMARC;
	if (len > DMARC_RECORD_MAX_LEN || memchr(txt, '\0', len) != NULL)
		return DMARC_REC_INVALID;
	memset(&st, 0, sizeof(st));
	st.mode = mode;
	while (pos <= len) {
		const char *spec = txt + pos;
		const char *semi = memchr(spec, ';', len - pos);
		size_t	n = semi ? (size_t)(semi - spec) : len - pos;
		const char *t = spec;
		size_t	tn = n;
		tagspec	ts;

		pos += n + 1;
		trim(&t, &tn);
		if (tn == 0)
			continue;	/* empty tag-spec: ";;" or a final ";" */
		if (split_tagspec(t, tn, &ts) && apply_tag(rec, &st, &ts) < 0) {
			dmarc_record_free(rec);
			return DMARC_REC_INVALID;
		}
		st.index++;
	}
	if (st.duplicate)
		return DMARC_REC_INVALID;
	return settle_policy(rec, &st);
}

void
dmarc_record_free(dmarc_record *rec)
{
	size_t	i;

	if (rec == NULL)
		return;
	for (i = 0; i < rec->nrua_kept; i++)
		free(rec->rua[i]);
	for (i = 0; i < rec->nruf_kept; i++)
		free(rec->ruf[i]);
	rec->nrua_kept = rec->nruf_kept = 0;
}

const char *
dmarc_rec_status_name(dmarc_rec_status s)
{
	static const char *const names[] = {
		"ok", "not a DMARC record", "invalid record", "no policy"
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s]
	    : "invalid record";
}
