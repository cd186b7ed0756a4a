/*
 * fuzz_report_input.c -- libFuzzer target for what the report side reads:
 * a spool line (report_row_decode), a rua list (report_dest_parse) and a
 * message's header section as a failure report redacts it (failure_redact).
 *
 * The input is decoded as a spool line; a row that decodes is encoded
 * again and must decode to the same columns (the round trip is exact).
 * The input, cut at its first NUL, is also a rua list: every destination
 * kept must be printable ASCII local@host with the host in lower case.
 * Redaction must keep every '@' and everything after the last one, and
 * redact the same input the same way twice.
 * Checks: no crash, no leak, no undefined behaviour, those invariants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "destination.h"
#include "redact.h"
#include "spool.h"

static void
spool_line(const uint8_t *data, size_t size)
{
	report_row r, back;
	char	*line;
	size_t	i;

	if (report_row_decode((const char *)data, size, &r) < 0)
		return;
	if ((line = report_row_encode(&r)) == NULL)
		abort();
	if (report_row_decode(line, strlen(line), &back) < 0)
		abort();
	for (i = 0; i < REPORT_NCOLS; i++)
		if (strcmp(r.col[i], back.col[i]) != 0)
			abort();
	for (i = 0; i < REPORT_NFCOLS; i++)
		if ((r.fcol[i] == NULL) != (back.fcol[i] == NULL)
		    || (r.fcol[i] != NULL && strcmp(r.fcol[i], back.fcol[i]) != 0))
			abort();
	free(line);
	report_row_free(&r);
	report_row_free(&back);
}

static void
rua_list(const uint8_t *data, size_t size)
{
	report_dest d[DMARC_RECORD_MAX_URIS];
	char	*s;
	size_t	n, i, ign;
	const char *p;

	if ((s = malloc(size + 1)) == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	n = report_dest_parse(s, DMARC_RECORD_MAX_URIS, d, &ign);
	for (i = 0; i < n; i++) {
		if (strchr(d[i].addr, '@') == NULL || strcmp(strrchr(d[i].addr, '@') + 1, d[i].host))
			abort();
		for (p = d[i].addr; *p; p++)
			if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
				abort();
		for (p = d[i].host; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				abort();
	}
	free(s);
}

static size_t
count_at(const char *s)
{
	size_t	n = 0;

	for (; *s; s++)
		n += *s == '@';
	return n;
}

static void
redaction(const uint8_t *data, size_t size)
{
	static const unsigned char key[] = "fuzz";
	char	*s, *a, *b;
	const char *ts, *ta;

	if ((s = malloc(size + 1)) == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	a = failure_redact(s, key, 4);
	b = failure_redact(s, key, 4);
	if (a == NULL || b == NULL || strcmp(a, b) != 0 || count_at(a) != count_at(s))
		abort();
	ts = strrchr(s, '@');
	ta = strrchr(a, '@');
	if ((ts == NULL) != (ta == NULL) || (ts != NULL && strcmp(ts, ta) != 0))
		abort();
	free(a);
	free(b);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	spool_line(data, size);
	rua_list(data, size);
	redaction(data, size);
	return 0;
}
