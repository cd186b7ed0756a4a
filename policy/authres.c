/*
 * NAME
 *	authres -- build an Authentication-Results header value (RFC 8601)
 *
 * SYNOPSIS
 *	#include "authres.h"
 *
 *	authres	*authres_new(const char *authserv_id)
 *	void	authres_free(authres *ar)
 *	int	authres_method(authres *ar, const char *method,
 *		    const char *result)
 *	int	authres_reason(authres *ar, const char *reason)
 *	int	authres_comment(authres *ar, const char *comment)
 *	int	authres_prop(authres *ar, const char *ptype,
 *		    const char *property, const char *value)
 *	char	*authres_render(const authres *ar, int crlf)
 *	int	authres_ptype_registered(const char *ptype)
 *
 * DESCRIPTION
 *	authres_new() starts a header for one authserv-id (RFC 8601 section
 *	2.5). It returns NULL when the id is empty, longer than
 *	AUTHRES_MAX_VALUE, or contains a control character.
 *
 *	authres_method() starts a new result ("resinfo"): method is a
 *	Keyword, optionally followed by "/" and a method-version
 *	("dkim", "x-tls", "dkim/1"); result is a Keyword ("pass").
 *	The following calls add to the most recent result:
 *
 *	authres_reason() sets reason="..." (always written as a
 *	quoted-string; at most one per result; placed right after the
 *	method, as the grammar of section 2.2 requires, whenever it is
 *	called). authres_comment() adds "(comment)"; parentheses and
 *	backslashes inside are escaped as quoted-pairs (RFC 5322 section
 *	3.2.2), so a comment can never close early or swallow what follows.
 *	Words holding non-ASCII bytes are written as RFC 2047 encoded-words
 *	(section 5(2): allowed in comments), utf-8 or unknown-8bit, so the
 *	field stays ASCII: python's authres and dkimpy's ARC signer refuse
 *	or drop a field with raw 8-bit text. A comment too long for one line
 *	once encoded is refused.
 *	authres_prop() adds ptype.property=value. Only the ptypes
 *	registered at IANA are accepted (smtp, header, body, policy, and dns
 *	from RFC 8904): some consumers drop a whole header that carries an
 *	unknown ptype. The value is written bare when it is an RFC 2045
 *	token or a plain local-part@domain (RFC 8601 section 2.2 pvalue),
 *	and as a quoted-string otherwise (IPv6 addresses, base64 with "/"
 *	and "=", anything with spaces), with "\" and '"' escaped.
 *
 *	authres_render() returns the header value, everything after
 *	"Authentication-Results:", in memory from malloc(). With no results
 *	it reads "authserv-id; none". If the whole field fits in
 *	AUTHRES_LINE_SOFT characters (counting the field name) it is one
 *	line; otherwise every result starts a new line and a result's own
 *	items wrap between items, with CRLF+TAB (crlf != 0) or LF+TAB.
 *	Because every single item is bounded by the limits in authres.h,
 *	no line ever exceeds AUTHRES_LINE_HARD.
 *
 * SECURITY
 *	All text may come from the network (a From domain, a DKIM d= or
 *	s=, a HELO name). Text with CR, LF, NUL or any other control
 *	character but TAB is refused with -1, as is text over the limits,
 *	and non-ASCII text anywhere but in a comment (a reason or a value:
 *	a quoted-string cannot carry an encoded-word); nothing is silently
 *	truncated. The rendered field is always ASCII. Every other byte is either written
 *	where the grammar allows it or quoted.
 *
 * DIAGNOSTICS
 *	-1 or NULL on invalid input, on a call with no current result, on
 *	exceeding a limit, or on memory exhaustion; the header under
 *	construction is unchanged by a failed call.
 */

/* System library. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include "strbuf.h"
#include "authres.h"

/* Items of one result: method=result, reason, comments, props. */
#define RFC2047_WORD_MAX	75	/* RFC 2047 section 2 */
#define AUTHRES_ITEM_MAX	(AUTHRES_LINE_HARD - 8)	/* tab, ";", room */
#define AR_MAX_ITEMS	(2 + AUTHRES_MAX_COMMENTS + AUTHRES_MAX_PROPS)

typedef struct ar_result {
	char	*items[AR_MAX_ITEMS];	/* rendered, ready to print */
	size_t	nitems;
	size_t	ncomments;
	size_t	nprops;
	int	has_reason;
} ar_result;

struct authres {
	char	*id;			/* rendered authserv-id */
	ar_result *results[AUTHRES_MAX_RESULTS];
	size_t	nresults;
};

/* RFC 2045 section 5.1 tspecials. */
static int
is_tspecial(unsigned char c)
{
	return c != '\0' && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* RFC 2045 token character: printable US-ASCII, no space, no tspecial. */
static int
is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !is_tspecial(c);
}

/*
 * Text we are willing to place in a header at all: bounded, and no
 * control character but TAB (CR/LF would start a new header line, NUL
 * would truncate it at the MTA).
 */
static int
ascii_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

static int
text_ok(const char *s, size_t max)
{
	size_t	n;

	if (s == NULL)
		return 0;
	for (n = 0; s[n] != '\0'; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n >= max)
			return 0;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

static int
is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!is_token_char((unsigned char)*s))
			return 0;
	return 1;
}

static int
is_keyword_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* Keyword (RFC 8601 section 2.2: ldh-str), bounded. */
static int
is_keyword_n(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > AUTHRES_MAX_KEYWORD)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_keyword_char((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
is_keyword(const char *s)
{
	return s != NULL && is_keyword_n(s, strlen(s));
}

/* method = Keyword [ "/" method-version ], method-version = 1*DIGIT */
static int
is_method(const char *s)
{
	const char *slash;
	size_t	i, n;

	if (s == NULL)
		return 0;
	if ((slash = strchr(s, '/')) == NULL)
		return is_keyword(s);
	if (!is_keyword_n(s, (size_t)(slash - s)))
		return 0;
	n = strlen(slash + 1);
	if (n == 0 || n > AUTHRES_MAX_KEYWORD)
		return 0;
	for (i = 0; i < n; i++)
		if (slash[1 + i] < '0' || slash[1 + i] > '9')
			return 0;
	return 1;
}

/* RFC 5322 section 3.2.3 atext. */
static int
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* dot-atom-text, possibly empty ("@example.com" is a valid pvalue). */
static int
is_local_part(const char *s, size_t n)
{
	size_t	i;

	if (n == 0)
		return 1;
	if (s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* domain-name: LDH labels of 1..63 characters separated by single dots. */
static int
is_domain_name(const char *s)
{
	size_t	label = 0;

	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		if (*s == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (is_keyword_char((unsigned char)*s)) {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0;
}

/* pvalue written bare: [ [local-part] "@" ] domain-name (section 2.2). */
static int
is_local_at_domain(const char *s)
{
	const char *at = strrchr(s, '@');

	if (at == NULL)
		return 0;
	return is_local_part(s, (size_t)(at - s)) && is_domain_name(at + 1);
}

/* Append s as a quoted-string, escaping the two characters qtext lacks. */
static void
append_quoted(strbuf *sb, const char *s)
{
	strbuf_appendc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_appendc(sb, '\\');
		strbuf_appendc(sb, *s);
	}
	strbuf_appendc(sb, '"');
}

/* value (RFC 2045): token when possible, quoted-string otherwise. */
static void
append_value(strbuf *sb, const char *s)
{
	if (is_token(s))
		strbuf_append(sb, s);
	else
		append_quoted(sb, s);
}

static ar_result *
current(const authres *ar)
{
	if (ar == NULL || ar->nresults == 0)
		return NULL;
	return ar->results[ar->nresults - 1];
}

/* Take ownership of a finished strbuf as the next item (or at index at). */
static int
add_item(ar_result *r, strbuf *sb, size_t at)
{
	char	*item;

	if (sb->failed || r->nitems >= AR_MAX_ITEMS) {
		strbuf_free(sb);
		return -1;
	}
	if ((item = strbuf_detach(sb)) == NULL)
		return -1;
	memmove(&r->items[at + 1], &r->items[at],
	    (r->nitems - at) * sizeof(r->items[0]));
	r->items[at] = item;
	r->nitems++;
	return 0;
}

int
authres_ptype_registered(const char *ptype)
{
	static const char *const ptypes[] = {
		"smtp", "header", "body", "policy", "dns",	/* RFC 8601, 8904 */
	};
	size_t	i;

	if (ptype == NULL)
		return 0;
	for (i = 0; i < sizeof(ptypes) / sizeof(ptypes[0]); i++)
		if (strcasecmp(ptype, ptypes[i]) == 0)
			return 1;
	return 0;
}

authres *
authres_new(const char *authserv_id)
{
	authres	*ar;
	strbuf	sb = STRBUF_INIT;

	if (!text_ok(authserv_id, AUTHRES_MAX_VALUE) || *authserv_id == '\0'
	    || !ascii_ok(authserv_id))
		return NULL;
	if ((ar = calloc(1, sizeof(*ar))) == NULL)
		return NULL;
	append_value(&sb, authserv_id);
	if (sb.failed || (ar->id = strbuf_detach(&sb)) == NULL) {
		strbuf_free(&sb);
		free(ar);
		return NULL;
	}
	return ar;
}

void
authres_free(authres *ar)
{
	size_t	i, j;

	if (ar == NULL)
		return;
	for (i = 0; i < ar->nresults; i++) {
		for (j = 0; j < ar->results[i]->nitems; j++)
			free(ar->results[i]->items[j]);
		free(ar->results[i]);
	}
	free(ar->id);
	free(ar);
}

int
authres_method(authres *ar, const char *method, const char *result)
{
	ar_result *r;
	strbuf	sb = STRBUF_INIT;

	if (ar == NULL || ar->nresults >= AUTHRES_MAX_RESULTS)
		return -1;
	if (!is_method(method) || !is_keyword(result))
		return -1;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	strbuf_printf(&sb, "%s=%s", method, result);
	if (add_item(r, &sb, 0) < 0) {
		free(r);
		return -1;
	}
	ar->results[ar->nresults++] = r;
	return 0;
}

int
authres_reason(authres *ar, const char *reason)
{
	ar_result *r = current(ar);
	strbuf	sb = STRBUF_INIT;

	if (r == NULL || r->has_reason || !text_ok(reason, AUTHRES_MAX_VALUE)
	    || !ascii_ok(reason))
		return -1;
	strbuf_append(&sb, "reason=");
	append_quoted(&sb, reason);
	/* Section 2.2: methodspec [reasonspec] *propspec. */
	if (add_item(r, &sb, 1) < 0)
		return -1;
	r->has_reason = 1;
	return 0;
}

/* utf8_char_len - length of the valid UTF-8 character at s, 0 if invalid */
static size_t
utf8_char_len(const unsigned char *s)
{
	size_t	n, i;

	if (s[0] < 0x80)
		return 1;
	n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (n == 0 || (n == 3 && s[0] > 0xef))
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static int
utf8_valid_n(const unsigned char *s, size_t len)
{
	size_t	i = 0, n;

	while (i < len) {
		if ((n = utf8_char_len(s + i)) == 0 || n > len - i)
			return 0;
		i += n;
	}
	return 1;
}

/*
 * append_encoded_words - s[0..len) as RFC 2047 "Q" encoded-words, as a
 * comment may hold them (section 5(2)): each at most 75 characters, whole
 * characters only, only letters, digits and !*+-/ left as they are (so
 * never ( ) \ or "), space as "_". Charset utf-8, or unknown-8bit (RFC
 * 1428) when the bytes are not UTF-8 (Sendmail passes DNs as they come).
 */
static void
append_encoded_words(strbuf *sb, const unsigned char *s, size_t len)
{
	int	utf8 = utf8_valid_n(s, len);
	const char *cs = utf8 ? "utf-8" : "unknown-8bit";
	size_t	i = 0, room, n, k;

	while (i < len) {
		if (i > 0)
			strbuf_appendc(sb, ' ');
		strbuf_printf(sb, "=?%s?q?", cs);
		room = RFC2047_WORD_MAX - strlen(cs) - 7;	/* "=?" cs "?q?" ... "?=" */
		while (i < len) {
			n = utf8 ? utf8_char_len(s + i) : 1;
			if (n * 3 > room)
				break;
			for (k = 0; k < n; k++, i++) {
				unsigned char c = s[i];

				if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
				    || (c >= '0' && c <= '9') || strchr("!*+-/", c) != NULL) {
					strbuf_appendc(sb, (char)c);
					room--;
				} else if (c == ' ') {
					strbuf_appendc(sb, '_');
					room--;
				} else {
					strbuf_printf(sb, "=%02X", c);
					room -= 3;
				}
			}
		}
		strbuf_append(sb, "?=");
	}
}

/* word_8bit - does the blank-delimited word at s (length len) hold non-ASCII? */
static int
word_8bit(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/*
 * append_ctext - a comment's text, kept ASCII: ( ) \ become quoted-pairs
 * (RFC 5322 3.2.2); each run of blank-separated words holding non-ASCII
 * bytes (a certificate's subject from the MTA) becomes encoded-words, so
 * that readers which refuse 8-bit header text keep the whole field.
 */
static void
append_ctext(strbuf *sb, const char *s)
{
	while (*s) {
		size_t	blank = strspn(s, " \t"), w, run;

		strbuf_appendn(sb, s, blank);
		s += blank;
		w = strcspn(s, " \t");
		if (w == 0)
			break;
		if (!word_8bit(s, w)) {
			for (; w > 0; s++, w--) {
				if (*s == '(' || *s == ')' || *s == '\\')
					strbuf_appendc(sb, '\\');
				strbuf_appendc(sb, *s);
			}
			continue;
		}
		/* the run: this word and the 8-bit words after it, blanks between */
		run = w;
		for (;;) {
			size_t	b = strspn(s + run, " "), w2 = strcspn(s + run + b, " \t");

			if (w2 == 0 || !word_8bit(s + run + b, w2))
				break;
			run += b + w2;
		}
		append_encoded_words(sb, (const unsigned char *)s, run);
		s += run;
	}
}

int
authres_comment(authres *ar, const char *comment)
{
	ar_result *r = current(ar);
	strbuf	sb = STRBUF_INIT;

	if (r == NULL || r->ncomments >= AUTHRES_MAX_COMMENTS ||
	    !text_ok(comment, AUTHRES_MAX_VALUE))
		return -1;
	strbuf_appendc(&sb, '(');
	append_ctext(&sb, comment);
	strbuf_appendc(&sb, ')');
	/* encoded, an item must still fit on one line */
	if (!sb.failed && sb.len > AUTHRES_ITEM_MAX) {
		strbuf_free(&sb);
		return -1;
	}
	if (add_item(r, &sb, r->nitems) < 0)
		return -1;
	r->ncomments++;
	return 0;
}

int
authres_prop(authres *ar, const char *ptype, const char *property,
    const char *value)
{
	ar_result *r = current(ar);
	strbuf	sb = STRBUF_INIT;

	if (r == NULL || r->nprops >= AUTHRES_MAX_PROPS)
		return -1;
	if (!is_keyword(ptype) || !authres_ptype_registered(ptype) ||
	    !is_keyword(property) || !text_ok(value, AUTHRES_MAX_VALUE) || !ascii_ok(value))
		return -1;
	strbuf_printf(&sb, "%s.%s=", ptype, property);
	if (is_local_at_domain(value))
		strbuf_append(&sb, value);
	else
		append_value(&sb, value);
	if (add_item(r, &sb, r->nitems) < 0)
		return -1;
	r->nprops++;
	return 0;
}

/* Everything on one line: "id; m=r a b; m=r c" or "id; none". */
static void
render_one_line(const authres *ar, strbuf *sb)
{
	size_t	i, j;

	strbuf_append(sb, ar->id);
	if (ar->nresults == 0)
		strbuf_append(sb, "; none");
	for (i = 0; i < ar->nresults; i++) {
		strbuf_append(sb, "; ");
		for (j = 0; j < ar->results[i]->nitems; j++) {
			if (j > 0)
				strbuf_appendc(sb, ' ');
			strbuf_append(sb, ar->results[i]->items[j]);
		}
	}
}

/*
 * One result per line; inside a result, wrap between items when the
 * next item would pass the soft limit. The ";" that ends a result
 * (all but the last) is counted with its last item.
 */
static void
render_folded(const authres *ar, strbuf *sb, const char *fold)
{
	static const char *const none[] = {"none"};
	size_t	i, j, col, len, nitems, extra;
	char	*const *items;

	strbuf_append(sb, ar->id);
	strbuf_appendc(sb, ';');
	for (i = 0; i < ar->nresults || (i == 0 && ar->nresults == 0); i++) {
		if (ar->nresults == 0) {
			items = (char *const *)none;
			nitems = 1;
		} else {
			items = ar->results[i]->items;
			nitems = ar->results[i]->nitems;
		}
		if (i > 0)
			strbuf_appendc(sb, ';');
		strbuf_append(sb, fold);
		col = 1;			/* the TAB */
		for (j = 0; j < nitems; j++) {
			len = strlen(items[j]);
			extra = (j + 1 == nitems && i + 1 < ar->nresults);
			if (j == 0) {
				col += len;
			} else if (col + 1 + len + extra <= AUTHRES_LINE_SOFT) {
				strbuf_appendc(sb, ' ');
				col += 1 + len;
			} else {
				strbuf_append(sb, fold);
				col = 1 + len;
			}
			strbuf_append(sb, items[j]);
		}
	}
}

char *
authres_render(const authres *ar, int crlf)
{
	strbuf	sb = STRBUF_INIT;

	if (ar == NULL)
		return NULL;
	render_one_line(ar, &sb);
	if (!sb.failed && AUTHRES_FIELD_NAME_LEN + sb.len > AUTHRES_LINE_SOFT) {
		strbuf_reset(&sb);
		render_folded(ar, &sb, crlf ? "\r\n\t" : "\n\t");
	}
	if (sb.failed) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}
