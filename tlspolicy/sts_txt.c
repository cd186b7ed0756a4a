/*
 * sts_txt.c -- parse the _mta-sts TXT record (RFC 8461 section 3.1).
 *
 * DESCRIPTION
 *	The grammar, with WSP = SP / HTAB:
 *
 *	sts-text-record = sts-version 1*(*WSP %x3B *WSP sts-field) [%x3B]
 *	sts-field       = sts-id / sts-extension
 *	sts-version     = %s"v=STSv1"
 *	sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
 *	sts-extension   = sts-ext-name "=" sts-ext-value
 *	sts-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *	sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
 *
 *	Nothing else is accepted: no whitespace after the last field or the
 *	optional final ";", no empty fields, no second id.
 */
#include <stdio.h>
#include <string.h>

#include "sts_txt.h"

#define STS_VERSION	"v=STSv1"
#define STS_EXT_NAME_MAX 32

static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* sts-ext-value characters: visible ASCII but "=" and ";" */
static int
is_ext_value(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '=' && c != ';';
}

int
sts_txt_is_sts(const char *rec, size_t len)
{
	size_t	vl = strlen(STS_VERSION);

	if (len < vl || memcmp(rec, STS_VERSION, vl) != 0)
		return 0;
	return len == vl || rec[vl] == ';' || is_wsp((unsigned char)rec[vl]);
}

static int
fail(char *why, size_t whylen, const char *reason)
{
	if (whylen > 0)
		snprintf(why, whylen, "%s", reason);
	return -1;
}

/* parse_field - one sts-field at rec[*i]; sets *is_id, copies an id */
static int
parse_field(const char *rec, size_t len, size_t *i, char id[STS_ID_MAX + 1],
    int *seen_id, char *why, size_t whylen)
{
	size_t	start = *i, n;

	while (*i < len && (is_alnum((unsigned char)rec[*i]) ||
	    (*i > start && strchr("_-.", rec[*i]) != NULL && rec[*i] != '\0')))
		(*i)++;
	n = *i - start;
	if (n == 0)
		return fail(why, whylen, "empty or malformed field name");
	if (n > STS_EXT_NAME_MAX)
		return fail(why, whylen, "field name longer than 32 characters");
	if (*i >= len || rec[*i] != '=')
		return fail(why, whylen, "field without \"=\"");
	(*i)++;
	if (n == 2 && memcmp(rec + start, "id", 2) == 0) {
		size_t	v = *i;

		if (*seen_id)
			return fail(why, whylen, "more than one id");
		while (*i < len && is_alnum((unsigned char)rec[*i]))
			(*i)++;
		if (*i == v)
			return fail(why, whylen, "empty id");
		if (*i - v > STS_ID_MAX)
			return fail(why, whylen, "id longer than 32 characters");
		if (*i < len && !is_wsp((unsigned char)rec[*i]) && rec[*i] != ';')
			return fail(why, whylen, "id with a character other than letters and digits");
		memcpy(id, rec + v, *i - v);
		id[*i - v] = '\0';
		*seen_id = 1;
		return 0;
	}
	start = *i;
	while (*i < len && is_ext_value((unsigned char)rec[*i]))
		(*i)++;
	if (*i == start)
		return fail(why, whylen, "empty extension value");
	if (*i < len && !is_wsp((unsigned char)rec[*i]) && rec[*i] != ';')
		return fail(why, whylen, "invalid character in an extension value");
	return 0;
}

int
sts_txt_parse(const char *rec, size_t len, char id[STS_ID_MAX + 1], char *why,
    size_t whylen)
{
	size_t	i, vl = strlen(STS_VERSION);
	int	seen_id = 0, nfields = 0;

	if (memchr(rec, '\0', len) != NULL)
		return fail(why, whylen, "NUL byte in the record");
	if (!sts_txt_is_sts(rec, len))
		return fail(why, whylen, "does not begin with v=STSv1");
	i = vl;
	for (;;) {
		while (i < len && is_wsp((unsigned char)rec[i]))
			i++;
		if (i >= len) {
			if (i > 0 && is_wsp((unsigned char)rec[i - 1]))
				return fail(why, whylen, "trailing whitespace");
			break;
		}
		if (rec[i] != ';')
			return fail(why, whylen, "fields not separated by \";\"");
		i++;
		if (i == len && nfields > 0)
			break;		/* the optional final ";" */
		while (i < len && is_wsp((unsigned char)rec[i]))
			i++;
		if (i >= len)
			return fail(why, whylen, nfields ? "trailing whitespace" : "no id");
		if (parse_field(rec, len, &i, id, &seen_id, why, whylen) < 0)
			return -1;
		nfields++;
	}
	if (!seen_id)
		return fail(why, whylen, "no id");
	return 0;
}

sts_txt_status
sts_txt_select(const char *const *recs, const size_t *lens, size_t n,
    char id[STS_ID_MAX + 1], char *why, size_t whylen)
{
	size_t	i, found = 0, which = 0;

	for (i = 0; i < n; i++) {
		if (sts_txt_is_sts(recs[i], lens[i])) {
			found++;
			which = i;
		}
	}
	if (found == 0) {
		fail(why, whylen, "no v=STSv1 TXT record");
		return STS_TXT_NONE;
	}
	if (found > 1) {
		fail(why, whylen, "more than one v=STSv1 TXT record");
		return STS_TXT_MULTIPLE;
	}
	if (sts_txt_parse(recs[which], lens[which], id, why, whylen) < 0)
		return STS_TXT_INVALID;
	return STS_TXT_OK;
}
