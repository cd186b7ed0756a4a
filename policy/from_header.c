/*
 * NAME
 *	from_header -- RFC 5322 From field parser: the DMARC Author Domain(s)
 *
 * SYNOPSIS
 *	#include "from_header.h"
 *
 *	int from_header_parse(const char *value, size_t len, from_domains *out,
 *	    char *err, size_t errlen);
 *	void from_domains_free(from_domains *d);
 *
 * DESCRIPTION
 *	from_header_parse() tokenizes one From field body (RFC 5322 section
 *	3.2: atoms, quoted strings, comments, domain literals, folding white
 *	space) and parses it as a mailbox-list (section 3.6.2 via 3.4):
 *
 *	    mailbox-list = mailbox *("," mailbox)
 *	    mailbox      = name-addr / addr-spec
 *	    name-addr    = [display-name] "<" addr-spec ">"
 *	    addr-spec    = local-part "@" domain
 *
 *	For every mailbox the domain is normalized (trailing dot dropped,
 *	U-labels converted to A-labels with libidn2, lowercased), checked as
 *	a host name and appended to out->domain[] unless already there.
 *
 *	The text that decides the Author Domain is the addr-spec only: quoted
 *	strings, comments and display names are text, whatever '@', ',' or
 *	'<addr>' they contain.
 *
 * DECISIONS
 *	Anything this parser cannot read with certainty is an error (-1),
 *	never a guess: the DMARC layer then treats the Author Domain as
 *	unknown, which the admin maps to reject or permerror. A guess is how
 *	a From field that MUAs show as one address gets checked as another.
 *
 *	Groups ("name: a@b;") are allowed in From since RFC 6854 (From is an
 *	address-list): their mailboxes are authors like any other. An empty
 *	group ("undisclosed-recipients:;") names nobody: a field of empty
 *	groups only is "empty group". Groups do not nest ("nested group"); a
 *	group needs a display name and its ";" ("invalid group",
 *	"unterminated group").
 *
 *	Domain literals ("u@[192.0.2.1]") give no DMARC domain: "domain literal".
 *
 *	Obsolete routes ("<@relay:u@example.com>", section 4.4) are rejected:
 *	"obsolete route". No current software writes them, and readers
 *	disagree on which domain they show.
 *
 *	Obsolete CFWS between the labels of a domain ("u@example . org",
 *	"u@a (x) .b": obs-domain, section 4.4) is parsed, as section 4
 *	requires of a receiver: the labels are joined ("example.org"), so the
 *	domain's own policy applies instead of a permerror. CFWS around the
 *	"@" is standard (dot-atom allows it) and accepted.
 *
 *	A display name must be a phrase (words, and dots after the first
 *	word as obs-phrase allows): an unquoted '@' in it, as in
 *	"a@evil.example <u@good.example>", is "invalid address", since it is
 *	text some readers take for the address.
 *
 *	RFC 2047 encoded words are never decoded. An encoded word whose
 *	encoded-text holds '@' or '.' ("=?utf-8?q?a@evil.example?=") is read
 *	as one word, so it can be a display name and is never an address;
 *	in a local part or domain it is an error. Encoded-text with other
 *	specials ()<>[]:;\," or longer than 75 octets (RFC 2047 section 2)
 *	is not an encoded word and gets the ordinary tokenization.
 *
 *	Local parts are read leniently (empty and repeated dots are tolerated,
 *	as some mobile carriers send them) because they do not decide the
 *	domain; two words without a dot between them are an error.
 *
 *	Single-label domains ("user@localhost") are accepted: DMARC will find
 *	no record. A domain whose last label is all digits ("u@192.0.2.1") is
 *	an IP address, not a name: "invalid domain".
 *
 *	U-labels: idn2_to_ascii_8z() with IDN2_NFC_INPUT|IDN2_NONTRANSITIONAL
 *	(IDNA2008 + UTS #46 mapping), falling back to IDN2_TRANSITIONAL when
 *	that fails; the result is checked as LDH again. ASCII domains with
 *	an "xn--" label go through the same call, so bad Punycode is refused. UTF-8 (RFC 6532) is
 *	allowed in display names, comments and local parts without further
 *	check; in a domain it must be valid UTF-8.
 *
 *	out->naddr counts every mailbox accepted in this and earlier calls.
 *	On -1 the call adds nothing: *out holds exactly what earlier calls
 *	put there, so a caller that ignores the return value still never
 *	evaluates a domain taken from a field that did not parse.
 *
 * HOSTILE INPUT
 *	Checked before anything else: len > FROM_MAX_LEN ("too long"), any
 *	NUL byte ("NUL byte"). Control characters other than HTAB, a CR not
 *	followed by LF ("bare CR") and a line break not followed by WSP
 *	("bad folding") are errors. Comment nesting is counted, not recursed,
 *	and capped at FROM_MAX_COMMENT_DEPTH; at most FROM_MAX_MAILBOXES
 *	mailboxes and FROM_MAX_DOMAINS distinct domains per call. One pass,
 *	one token of lookahead: time is linear in len.
 *
 * DIAGNOSTICS
 *	Reasons written to err: "too long", "NUL byte", "bare CR", "bad
 *	folding", "control character", "unbalanced (", "unbalanced )",
 *	"unbalanced \"", "unbalanced [", "unbalanced ]", "unbalanced <",
 *	"unbalanced >", "comments nested too deep", "bad quoted-pair",
 *	"unexpected character", "no address", "missing @", "multiple @",
 *	"missing local part", "invalid local part", "missing domain",
 *	"invalid domain", "invalid UTF-8 in domain", "invalid IDN domain",
 *	"domain literal", "obsolete route", "empty address", "invalid display
 *	name", "invalid address", "invalid group", "nested group",
 *	"unterminated group", "empty group", "too
 *	many mailboxes", "too many domains", "out of memory", "invalid
 *	arguments".
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

/* Application-specific. */
#include "strbuf.h"
#include "from_header.h"

#define EWORD_MAX_LEN	75	/* RFC 2047 section 2 */
#define DOMAIN_MAX_LEN	253	/* RFC 1035 2.3.4, without the trailing dot */
#define LABEL_MAX_LEN	63
#define DOMAIN_RAW_MAX	1024	/* raw domain text before IDN mapping */

enum tok_type {
	T_END, T_ATOM, T_QSTRING, T_EWORD, T_DLITERAL,
	T_LT, T_GT, T_AT, T_COMMA, T_SEMI, T_COLON, T_DOT
};

struct token {
	enum tok_type type;
	const char *text;	/* for T_ATOM: the atom itself */
	size_t	len;
	int	space_before;	/* WSP, folding or a comment since the last token */
};

struct lexer {
	const unsigned char *p;
	const unsigned char *end;
	struct token peeked;
	int	have_peek;
	const char *err;
};

/* Utilities. */

static int
fail(struct lexer *lx, const char *why)
{
	if (lx->err == NULL)
		lx->err = why;
	return -1;
}

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* Controls other than HTAB; CR and LF are handled before this is asked. */
static int
is_ctl(int c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* RFC 5322 3.2.3 atext, plus the UTF-8 octets RFC 6532 3.2 adds. */
static int
is_atext(int c)
{
	if (c >= 0x80)
		return 1;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Lexer. */

/*
 * At a CR or LF: a line break is only allowed as folding, CRLF (or the
 * LF alone that milters and files deliver) followed by WSP (RFC 5322
 * 3.2.2), or as the end of the value.
 */
static int
lex_fold(struct lexer *lx)
{
	if (*lx->p == '\r') {
		if (lx->p + 1 >= lx->end || lx->p[1] != '\n')
			return fail(lx, "bare CR");
		lx->p++;
	}
	lx->p++;
	if (lx->p < lx->end && !is_wsp(*lx->p))
		return fail(lx, "bad folding");
	return 0;
}

/* A quoted-pair: lx->p at the backslash. Obsolete controls are refused. */
static int
lex_quoted_pair(struct lexer *lx)
{
	int	c;

	if (lx->p + 1 >= lx->end)
		return fail(lx, "bad quoted-pair");
	c = lx->p[1];
	if (c == '\r' || c == '\n' || is_ctl(c))
		return fail(lx, "bad quoted-pair");
	lx->p += 2;
	return 0;
}

/* A comment, lx->p at "(". Nesting is counted, never recursed. */
static int
lex_comment(struct lexer *lx)
{
	int	depth = 0;
	int	c;

	while (lx->p < lx->end) {
		c = *lx->p;
		if (c == '(') {
			if (++depth > FROM_MAX_COMMENT_DEPTH)
				return fail(lx, "comments nested too deep");
			lx->p++;
		} else if (c == ')') {
			lx->p++;
			if (--depth == 0)
				return 0;
		} else if (c == '\\') {
			if (lex_quoted_pair(lx) < 0)
				return -1;
		} else if (c == '\r' || c == '\n') {
			if (lex_fold(lx) < 0)
				return -1;
		} else if (is_ctl(c)) {
			return fail(lx, "control character");
		} else {
			lx->p++;
		}
	}
	return fail(lx, "unbalanced (");
}

/* Skip CFWS; *saw says whether there was any. */
static int
lex_cfws(struct lexer *lx, int *saw)
{
	int	c;

	while (lx->p < lx->end) {
		c = *lx->p;
		if (is_wsp(c)) {
			lx->p++;
		} else if (c == '\r' || c == '\n') {
			if (lex_fold(lx) < 0)
				return -1;
		} else if (c == '(') {
			if (lex_comment(lx) < 0)
				return -1;
		} else {
			break;
		}
		*saw = 1;
	}
	return 0;
}

/* A quoted string or domain literal, lx->p at the opening delimiter. */
static int
lex_delimited(struct lexer *lx, int close, const char *unbalanced)
{
	int	c;

	lx->p++;
	while (lx->p < lx->end) {
		c = *lx->p;
		if (c == close) {
			lx->p++;
			return 0;
		} else if (c == '\\') {
			if (lex_quoted_pair(lx) < 0)
				return -1;
		} else if (c == '\r' || c == '\n') {
			if (lex_fold(lx) < 0)
				return -1;
		} else if (is_ctl(c)) {
			return fail(lx, "control character");
		} else if (close == ']' && c == '[') {
			return fail(lx, "unexpected character");
		} else {
			lx->p++;
		}
	}
	return fail(lx, unbalanced);
}

/*
 * Length of the RFC 2047 encoded word at p, or 0 when there is none:
 * "=?" charset "?" (B|Q) "?" encoded-text "?=", at most EWORD_MAX_LEN
 * octets, not followed by more atext. Encoded-text is restricted as the
 * DECISIONS section says, so that taking it as one word never hides
 * structure ("<", ",", quotes) from the rest of the parse.
 */
static size_t
eword_len(const unsigned char *start, const unsigned char *end)
{
	const unsigned char *p = start, *lim, *text;
	const char *especials = "()<>@,;:\"/[]?.=";

	lim = end - start > EWORD_MAX_LEN ? start + EWORD_MAX_LEN : end;
	if (lim - p < 8 || p[0] != '=' || p[1] != '?')
		return 0;
	p += 2;
	while (p < lim && *p > 0x20 && *p < 0x7f && strchr(especials, *p) == NULL)
		p++;
	if (p == start + 2 || lim - p < 5 || *p != '?')
		return 0;
	p++;
	if (*p != 'B' && *p != 'b' && *p != 'Q' && *p != 'q')
		return 0;
	if (*++p != '?')
		return 0;
	text = ++p;
	while (p < lim && *p > 0x20 && *p < 0x7f && *p != '?'
	       && strchr("()<>[]:;\\,\"", *p) == NULL)
		p++;
	if (p == text || lim - p < 2 || p[0] != '?' || p[1] != '=')
		return 0;
	p += 2;
	if (p < end && is_atext(*p))
		return 0;
	return (size_t)(p - start);
}

/* A run of atext, or an encoded word taken whole. */
static void
lex_atom(struct lexer *lx, struct token *t)
{
	size_t	n;

	t->text = (const char *)lx->p;
	if ((n = eword_len(lx->p, lx->end)) > 0) {
		t->type = T_EWORD;
		lx->p += n;
	} else {
		t->type = T_ATOM;
		while (lx->p < lx->end && is_atext(*lx->p))
			lx->p++;
	}
	t->len = (size_t)((const char *)lx->p - t->text);
}

static int
lex_special(struct lexer *lx, struct token *t, int c)
{
	static const struct {
		char	c;
		enum tok_type type;
	} specials[] = {
		{ '<', T_LT }, { '>', T_GT }, { '@', T_AT }, { ',', T_COMMA },
		{ ';', T_SEMI }, { ':', T_COLON }, { '.', T_DOT },
	};
	size_t	i;

	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		if (specials[i].c == c) {
			t->type = specials[i].type;
			lx->p++;
			return 0;
		}
	}
	switch (c) {
	case ')':
		return fail(lx, "unbalanced )");
	case ']':
		return fail(lx, "unbalanced ]");
	default:
		return is_ctl(c) ? fail(lx, "control character")
		    : fail(lx, "unexpected character");
	}
}

static int
lex_next(struct lexer *lx, struct token *t)
{
	int	c;

	memset(t, 0, sizeof(*t));
	if (lex_cfws(lx, &t->space_before) < 0)
		return -1;
	if (lx->p >= lx->end) {
		t->type = T_END;
		return 0;
	}
	c = *lx->p;
	t->text = (const char *)lx->p;
	if (c == '"') {
		t->type = T_QSTRING;
		if (lex_delimited(lx, '"', "unbalanced \"") < 0)
			return -1;
	} else if (c == '[') {
		t->type = T_DLITERAL;
		if (lex_delimited(lx, ']', "unbalanced [") < 0)
			return -1;
	} else if (is_atext(c)) {
		lex_atom(lx, t);
		return 0;
	} else if (lex_special(lx, t, c) < 0) {
		return -1;
	}
	t->len = (size_t)((const char *)lx->p - t->text);
	return 0;
}

static int
peek(struct lexer *lx, struct token **t)
{
	if (!lx->have_peek) {
		if (lex_next(lx, &lx->peeked) < 0)
			return -1;
		lx->have_peek = 1;
	}
	*t = &lx->peeked;
	return 0;
}

static void
consume(struct lexer *lx)
{
	lx->have_peek = 0;
}

/* Domain normalization. */

/* Well-formed UTF-8 (RFC 3629): no overlongs, surrogates or > U+10FFFF. */
static int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t	i = 0, n, k;
	unsigned long cp;
	unsigned char c;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1, cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2, cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3, cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)
		    || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * A host name in A-label form: LDH labels of 1..63 octets, no hyphen at
 * either end of a label, at most 253 octets, and a last label that is
 * not all digits (RFC 3696 section 2: that would be an IP address).
 */
static int
ldh_domain_valid(const char *s)
{
	size_t	total = strlen(s), lablen = 0, i;
	int	all_digits = 1;
	char	c;

	if (total == 0 || total > DOMAIN_MAX_LEN)
		return 0;
	for (i = 0; i <= total; i++) {
		c = s[i];
		if (c == '.' || c == '\0') {
			if (lablen == 0 || lablen > LABEL_MAX_LEN
			    || s[i - 1] == '-' || s[i - lablen] == '-')
				return 0;
			if (c == '\0')
				break;
			lablen = 0;
			all_digits = 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (c < '0' || c > '9')
			all_digits = 0;
		lablen++;
	}
	return !all_digits;
}

/* Only ASCII letters: bytes >= 0x80 are never touched. */
static void
ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Does any label start with the ACE prefix "xn--" (RFC 5890)? */
static int
has_alabel(const char *s)
{
	const char *p;

	for (p = s; (p = strstr(p, "xn--")) != NULL; p += 4)
		if (p == s || p[-1] == '.')
			return 1;
	return 0;
}

/* U-labels to A-labels; *res is malloc()ed. */
static const char *
domain_to_alabel(const char *utf8, char **res)
{
	char	*out = NULL;

	if (!utf8_valid((const unsigned char *)utf8, strlen(utf8)))
		return "invalid UTF-8 in domain";
	if (idn2_to_ascii_8z(utf8, &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK
	    && idn2_to_ascii_8z(utf8, &out, IDN2_NFC_INPUT | IDN2_TRANSITIONAL) != IDN2_OK)
		return "invalid IDN domain";
	*res = out;
	return NULL;
}

/*
 * The raw domain text (dot-atom-text, at most one trailing dot) to the
 * stored form. Returns NULL and sets *res, or returns a reason.
 */
static const char *
domain_normalize(const char *raw, size_t len, char **res)
{
	strbuf	sb = STRBUF_INIT;
	char	*s, *alabel = NULL;
	const char *why;
	size_t	i;
	int	ascii = 1;

	if (len > 0 && raw[len - 1] == '.')
		len--;
	if (len == 0)
		return "missing domain";
	if (len > DOMAIN_RAW_MAX)
		return "invalid domain";
	for (i = 0; i < len; i++)
		if ((unsigned char)raw[i] >= 0x80)
			ascii = 0;
	if (strbuf_appendn(&sb, raw, len) < 0) {
		strbuf_free(&sb);
		return "out of memory";
	}
	if ((s = strbuf_detach(&sb)) == NULL)
		return "out of memory";
	ascii_lower(s);
	/* A-labels given as such must decode: libidn2 checks the Punycode. */
	if (!ascii || has_alabel(s)) {
		why = domain_to_alabel(s, &alabel);
		free(s);
		if (why != NULL)
			return why;
		s = alabel;
		/* UTS #46 maps U+3002 and friends to ".": strip it again. */
		if ((len = strlen(s)) > 0 && s[len - 1] == '.')
			s[len - 1] = '\0';
	}
	ascii_lower(s);
	if (!ldh_domain_valid(s)) {
		free(s);
		return "invalid domain";
	}
	*res = s;
	return NULL;
}

/* Parser. */

struct parser {
	struct lexer lx;
	from_domains *out;
	size_t	nmbox;		/* mailboxes in this call */
	size_t	ngroup;		/* groups in this call */
};

/* What a run of words and dots looked like. */
struct phrase {
	size_t	ntok;
	int	starts_with_dot;
	int	has_eword;
	int	adjacent_words;	/* two words with no dot between: not a local part */
};

static int
is_word(enum tok_type type)
{
	return type == T_ATOM || type == T_QSTRING || type == T_EWORD;
}

static int
parse_phrase(struct parser *ps, struct phrase *ph)
{
	struct token *t;
	int	last_was_word = 0;

	memset(ph, 0, sizeof(*ph));
	for (;;) {
		if (peek(&ps->lx, &t) < 0)
			return -1;
		if (t->type == T_DOT) {
			if (ph->ntok == 0)
				ph->starts_with_dot = 1;
			last_was_word = 0;
		} else if (is_word(t->type)) {
			if (last_was_word)
				ph->adjacent_words = 1;
			if (t->type == T_EWORD)
				ph->has_eword = 1;
			last_was_word = 1;
		} else {
			return 0;
		}
		ph->ntok++;
		consume(&ps->lx);
	}
}

static int
check_local_part(struct parser *ps, const struct phrase *ph)
{
	if (ph->ntok == 0)
		return fail(&ps->lx, "missing local part");
	if (ph->has_eword || ph->adjacent_words)
		return fail(&ps->lx, "invalid local part");
	return 0;
}

static int
add_domain(struct parser *ps, char *dom)
{
	from_domains *out = ps->out;
	size_t	i;

	for (i = 0; i < out->n; i++) {
		if (strcmp(out->domain[i], dom) == 0) {
			free(dom);
			out->naddr++;
			return 0;
		}
	}
	if (out->n >= FROM_MAX_DOMAINS) {
		free(dom);
		return fail(&ps->lx, "too many domains");
	}
	out->domain[out->n++] = dom;
	out->naddr++;
	return 0;
}

/*
 * The domain after "@": dot-atom, or the obs-domain of RFC 5322 section
 * 4.4 (atoms separated by dots, CFWS allowed around each: "u@example .
 * org" is example.org; a receiver must parse obsolete syntax), optionally
 * one trailing dot. The atoms are joined without the CFWS.
 */
static int
parse_domain(struct parser *ps)
{
	struct token *t;
	const char *why;
	char	raw[DOMAIN_RAW_MAX];
	size_t	len = 0;
	char	*dom = NULL;

	if (peek(&ps->lx, &t) < 0)
		return -1;
	if (t->type == T_DLITERAL)
		return fail(&ps->lx, "domain literal");
	if (t->type == T_END || t->type == T_COMMA || t->type == T_GT)
		return fail(&ps->lx, "missing domain");
	for (;;) {
		if (t->type != T_ATOM)
			return fail(&ps->lx, "invalid domain");
		if (len + t->len + 1 >= sizeof(raw))
			return fail(&ps->lx, "invalid domain");
		memcpy(raw + len, t->text, t->len);
		len += t->len;
		consume(&ps->lx);
		if (peek(&ps->lx, &t) < 0)
			return -1;
		if (t->type != T_DOT)
			break;
		consume(&ps->lx);
		raw[len++] = '.';
		if (peek(&ps->lx, &t) < 0)
			return -1;
		if (t->type == T_DOT || t->type == T_EWORD || t->type == T_DLITERAL
		    || t->type == T_QSTRING)
			return fail(&ps->lx, "invalid domain");
		if (t->type != T_ATOM)
			break;		/* a trailing dot */
	}
	if ((why = domain_normalize(raw, len, &dom)) != NULL)
		return fail(&ps->lx, why);
	return add_domain(ps, dom);
}

/*
 * "<@" seen: an obsolete route ("<@relay:u@example>", "<@r1,@r2:u@example>")
 * or an empty local part ("<@example>"). Both are rejected; the scan only
 * picks the reason, and adds no domain.
 */
static int
reject_route(struct parser *ps)
{
	struct token *t;

	for (;;) {
		if (peek(&ps->lx, &t) < 0)
			return -1;
		if (t->type != T_ATOM && t->type != T_DOT)
			break;
		consume(&ps->lx);
	}
	if (t->type == T_COLON || t->type == T_COMMA)
		return fail(&ps->lx, "obsolete route");
	return fail(&ps->lx, "missing local part");
}

/* The addr-spec of a name-addr, after "<"; ends after ">". */
static int
parse_angle_addr(struct parser *ps)
{
	struct token *t;
	struct phrase local;

	if (peek(&ps->lx, &t) < 0)
		return -1;
	if (t->type == T_GT)
		return fail(&ps->lx, "empty address");
	if (parse_phrase(ps, &local) < 0 || peek(&ps->lx, &t) < 0)
		return -1;
	if (t->type != T_AT)
		return fail(&ps->lx, t->type == T_END ? "unbalanced <" : "missing @");
	consume(&ps->lx);
	if (local.ntok == 0)
		return reject_route(ps);
	if (check_local_part(ps, &local) < 0 || parse_domain(ps) < 0)
		return -1;
	if (peek(&ps->lx, &t) < 0)
		return -1;
	if (t->type == T_GT) {
		consume(&ps->lx);
		return 0;
	}
	if (t->type == T_END || t->type == T_COMMA)
		return fail(&ps->lx, "unbalanced <");
	if (t->type == T_AT)
		return fail(&ps->lx, "multiple @");
	return fail(&ps->lx, "invalid address");
}

/* What may follow a complete mailbox: "," or the end, or ";" in a group. */
static int
check_after_mailbox(struct parser *ps, int in_group)
{
	struct token *t;

	if (peek(&ps->lx, &t) < 0)
		return -1;
	switch (t->type) {
	case T_END:
	case T_COMMA:
		return 0;
	case T_SEMI:
		return in_group ? 0 : fail(&ps->lx, "invalid group");
	case T_AT:
		return fail(&ps->lx, "multiple @");
	case T_GT:
		return fail(&ps->lx, "unbalanced >");
	case T_COLON:
		return fail(&ps->lx, in_group ? "nested group" : "invalid group");
	default:
		return fail(&ps->lx, "invalid address");
	}
}

static int parse_group(struct parser *ps, const struct phrase *name);

static int
parse_mailbox(struct parser *ps, int in_group)
{
	struct token *t;
	struct phrase ph;

	if (ps->nmbox >= FROM_MAX_MAILBOXES)
		return fail(&ps->lx, "too many mailboxes");
	if (parse_phrase(ps, &ph) < 0 || peek(&ps->lx, &t) < 0)
		return -1;
	switch (t->type) {
	case T_LT:
		if (ph.starts_with_dot)
			return fail(&ps->lx, "invalid display name");
		consume(&ps->lx);
		if (parse_angle_addr(ps) < 0)
			return -1;
		break;
	case T_AT:
		if (check_local_part(ps, &ph) < 0)
			return -1;
		consume(&ps->lx);
		if (parse_domain(ps) < 0)
			return -1;
		break;
	case T_COLON:
		if (in_group)
			return fail(&ps->lx, "nested group");
		return parse_group(ps, &ph);
	case T_GT:
		return fail(&ps->lx, "unbalanced >");
	case T_END:
	case T_COMMA:
		return fail(&ps->lx, "missing @");
	case T_SEMI:
		return fail(&ps->lx, in_group ? "missing @" : "invalid group");
	default:
		return fail(&ps->lx, "invalid address");
	}
	ps->nmbox++;
	return check_after_mailbox(ps, in_group);
}

/*
 * "display-name :" seen: a group (RFC 5322 3.4), which RFC 6854 allows in
 * From. Its mailboxes are authors like any other; an empty group ("name:;")
 * names nobody. Ends after ";" and what may follow it.
 */
static int
parse_group(struct parser *ps, const struct phrase *name)
{
	struct token *t;

	if (name->ntok == 0 || name->starts_with_dot)
		return fail(&ps->lx, "invalid group");
	consume(&ps->lx);		/* ":" */
	for (;;) {
		if (peek(&ps->lx, &t) < 0)
			return -1;
		if (t->type == T_SEMI)
			break;
		if (t->type == T_END)
			return fail(&ps->lx, "unterminated group");
		if (t->type == T_COMMA) {
			consume(&ps->lx);
			continue;
		}
		if (parse_mailbox(ps, 1) < 0)
			return -1;
	}
	consume(&ps->lx);		/* ";" */
	ps->ngroup++;
	return check_after_mailbox(ps, 0);
}

/* address-list (From since RFC 6854), with the empty elements obs-mbox-list allows (4.4). */
static int
parse_mailbox_list(struct parser *ps)
{
	struct token *t;

	for (;;) {
		if (peek(&ps->lx, &t) < 0)
			return -1;
		if (t->type == T_END)
			break;
		if (t->type == T_COMMA) {
			consume(&ps->lx);
			continue;
		}
		if (parse_mailbox(ps, 0) < 0)
			return -1;
	}
	if (ps->nmbox == 0)
		return fail(&ps->lx, ps->ngroup ? "empty group" : "no address");
	return 0;
}

/* Public interface. */

static int
report(char *err, size_t errlen, const char *why)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", why);
	return -1;
}

static void
rollback(from_domains *out, size_t n0, size_t naddr0)
{
	while (out->n > n0)
		free(out->domain[--out->n]);
	out->naddr = naddr0;
}

int
from_header_parse(const char *value, size_t len, from_domains *out, char *err, size_t errlen)
{
	struct parser ps;
	size_t	n0, naddr0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || out->n > FROM_MAX_DOMAINS)
		return report(err, errlen, "invalid arguments");
	if (value == NULL || len == 0)
		return report(err, errlen, "no address");
	if (len > FROM_MAX_LEN)
		return report(err, errlen, "too long");
	if (memchr(value, '\0', len) != NULL)
		return report(err, errlen, "NUL byte");

	memset(&ps, 0, sizeof(ps));
	ps.lx.p = (const unsigned char *)value;
	ps.lx.end = ps.lx.p + len;
	ps.out = out;
	n0 = out->n;
	naddr0 = out->naddr;
	if (parse_mailbox_list(&ps) < 0) {
		rollback(out, n0, naddr0);
		return report(err, errlen, ps.lx.err ? ps.lx.err : "invalid address");
	}
	return 0;
}

void
from_domains_free(from_domains *d)
{
	size_t	i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n && i < FROM_MAX_DOMAINS; i++)
		free(d->domain[i]);
	memset(d, 0, sizeof(*d));
}
