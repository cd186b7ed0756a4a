/*
 * spool.c -- encode rows as lines, append them durably, load them back (see spool.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"
#include "strbuf.h"

#define SPOOL_MAGIC	"DTR1"	/* a row */
#define SPOOL_MAGIC_F	"DTR2"	/* a row and its failure sample after it */

static const char hexdig[] = "0123456789ABCDEF";

/* s escaped: runs of plain bytes in one append each */
static void
encode_field(strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	char	esc[3] = { '%', 0, 0 };

	for (; *p; p++) {
		if (*p > ' ' && *p < 0x7f && *p != '%')
			continue;
		strbuf_appendn(sb, (const char *)run, (size_t)(p - run));
		esc[1] = hexdig[*p >> 4];
		esc[2] = hexdig[*p & 15];
		strbuf_appendn(sb, esc, 3);
		run = p + 1;
	}
	strbuf_appendn(sb, (const char *)run, (size_t)(p - run));
}

int
report_row_append(strbuf *sb, const report_row *r)
{
	size_t	i;

	strbuf_append(sb, r->fcol[0] != NULL ? SPOOL_MAGIC_F : SPOOL_MAGIC);
	for (i = 0; i < REPORT_NCOLS; i++) {
		strbuf_appendc(sb, '\t');
		encode_field(sb, r->col[i] != NULL ? r->col[i] : "");
	}
	for (i = 0; r->fcol[0] != NULL && i < REPORT_NFCOLS; i++) {
		strbuf_appendc(sb, '\t');
		encode_field(sb, r->fcol[i] != NULL ? r->fcol[i] : "");
	}
	return strbuf_appendc(sb, '\n');
}

char *
report_row_encode(const report_row *r)
{
	strbuf	sb = STRBUF_INIT;

	report_row_append(&sb, r);
	if (sb.failed) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One field [s, e) unescaped at *dp (NUL-terminated, *dp moved past it); -1 if malformed. */
static int
decode_field(const char *s, const char *e, char **dp)
{
	char	*d = *dp;
	int	hi, lo;

	for (; s < e; s++) {
		if (*s != '%') {
			if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
				return -1;
			*d++ = *s;
			continue;
		}
		if (e - s < 3 || (hi = hexval(s[1])) < 0 || (lo = hexval(s[2])) < 0
		    || (hi == 0 && lo == 0))
			return -1;
		*d++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*d++ = '\0';
	*dp = d;
	return 0;
}

/* n tab-led fields from *pp into out[], decoded at *dp; -1 on a malformed line */
static int
decode_fields(const char **pp, const char *end, char **out, size_t n, char **dp)
{
	const char *p = *pp, *tab;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (p >= end || *p != '\t')
			return -1;
		p++;
		if ((tab = memchr(p, '\t', (size_t)(end - p))) == NULL)
			tab = end;
		out[i] = *dp;
		if (decode_field(p, tab, dp) < 0)
			return -1;
		p = tab;
	}
	*pp = p;
	return 0;
}

int
report_row_decode(const char *line, size_t len, report_row *r)
{
	const char *p = line, *end = line + len;
	size_t	ml = strlen(SPOOL_MAGIC);
	char	*d;
	int	sample;

	memset(r, 0, sizeof(*r));
	if (len > 0 && line[len - 1] == '\n')
		end--;
	if (len > REPORT_SPOOL_LINE_MAX || (size_t)(end - p) < ml)
		return -1;
	if (memcmp(p, SPOOL_MAGIC, ml) == 0)
		sample = 0;
	else if (memcmp(p, SPOOL_MAGIC_F, ml) == 0)
		sample = 1;
	else
		return -1;
	p += ml;
	/* every field decodes to at most its length, its NUL in its tab's place */
	if ((d = r->block = malloc((size_t)(end - p) + 1)) == NULL)
		return -1;
	if (decode_fields(&p, end, r->col, REPORT_NCOLS, &d) < 0
	    || (sample && decode_fields(&p, end, r->fcol, REPORT_NFCOLS, &d) < 0))
		goto bad;
	if (p != end)
		goto bad;
	return 0;
bad:
	report_row_free(r);
	return -1;
}

int
report_spool_take(const char *path, char *loadpath, size_t size)
{
	struct stat st;

	if ((size_t)snprintf(loadpath, size, "%s.load", path) >= size)
		return -1;
	if (stat(loadpath, &st) == 0)
		return 1;
	if (stat(path, &st) < 0 || st.st_size == 0)
		return 0;
	if (rename(path, loadpath) < 0)
		return -1;
	return 1;
}

int
report_spool_each(const char *loadpath, report_spool_fn fn, void *arg, size_t *bad)
{
	FILE	*fp;
	char	*line = NULL;
	size_t	cap = 0;
	ssize_t	n;
	report_row r;
	int	rc = 0;

	*bad = 0;
	if ((fp = fopen(loadpath, "re")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] != '\n' || report_row_decode(line, (size_t)n, &r) < 0) {
			(*bad)++;
			continue;
		}
		if (fn(arg, &r) < 0) {
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(fp);
	return rc;
}
