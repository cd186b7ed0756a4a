/*
 * fuzz_authres_parse.c -- libFuzzer target for authres_parse.c and authres.c.
 *
 * For every input: authres_authserv_id() must not crash; authres_parse()
 * must succeed or fail cleanly. When it succeeds, the parsed fields are
 * written again with the builder, which must accept every one of them
 * (except what it refuses by design: bare key=value properties and
 * unregistered ptypes, and non-ASCII ids, reasons and values: the header
 * stays ASCII), and the rendered header must parse again to the same
 * authserv-id and results, with no line over 998 characters and no bare
 * CR or LF. The input is also given to authres_comment(), whose output
 * (RFC 2047 encoded-words for 8-bit words) must be ASCII, fit the line
 * limit and parse.
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ipolicy \
 *	    tests/fuzz/fuzz_authres_parse.c policy/authres.c \
 *	    policy/authres_parse.c util/strbuf.c -o fuzz_authres_parse
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "authres.h"
#include "authres_parse.h"

#define CHECK(cond)	do { if (!(cond)) { \
	fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

static int
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

static void
check_lines(const char *s)
{
	size_t	col = AUTHRES_FIELD_NAME_LEN;

	for (; *s; s++) {
		if (*s == '\r') {
			CHECK(s[1] == '\n');
			continue;
		}
		if (*s == '\n') {
			CHECK(s[1] == '\t');	/* a fold, never a new field */
			col = 0;
			continue;
		}
		CHECK(++col <= AUTHRES_LINE_HARD);
	}
}

/* Feed one parsed result to the builder; return the props written. */
static size_t
rebuild_result(authres *ar, const authres_result *r)
{
	strbuf	method = STRBUF_INIT;
	size_t	i, written = 0;

	strbuf_append(&method, r->method);
	if (r->version != NULL)
		strbuf_printf(&method, "/%s", r->version);
	CHECK(!method.failed);
	CHECK(authres_method(ar, strbuf_str(&method), r->result) == 0);
	strbuf_free(&method);
	if (r->reason != NULL)
		CHECK(authres_reason(ar, r->reason) == (is_ascii(r->reason) ? 0 : -1));
	for (i = 0; i < r->nprops; i++) {
		const authres_prop_kv *kv = &r->props[i];

		if (!authres_ptype_registered(kv->ptype) || !is_ascii(kv->value)) {
			CHECK(authres_prop(ar, kv->ptype, kv->property,
			    kv->value) == -1);
			continue;
		}
		CHECK(authres_prop(ar, kv->ptype, kv->property, kv->value) == 0);
		written++;
	}
	return written;
}

/* The props the builder took come back in order, with the same text. */
static void
check_props(const authres_result *a, const authres_result *b)
{
	size_t	i, j = 0;

	for (i = 0; i < a->nprops; i++) {
		if (!authres_ptype_registered(a->props[i].ptype) || !is_ascii(a->props[i].value))
			continue;
		CHECK(j < b->nprops);
		CHECK(strcmp(a->props[i].ptype, b->props[j].ptype) == 0);
		CHECK(strcmp(a->props[i].property, b->props[j].property) == 0);
		CHECK(strcmp(a->props[i].value, b->props[j].value) == 0);
		j++;
	}
}

static void
round_trip(const authres_parsed *p, int crlf)
{
	static authres_parsed again;
	size_t	i, nprops[AUTHRES_MAX_RESULTS];
	char	err[128];
	authres	*ar;
	char	*s;

	ar = authres_new(p->authserv_id);
	if (!is_ascii(p->authserv_id)) {
		CHECK(ar == NULL);
		return;
	}
	CHECK(ar != NULL);
	for (i = 0; i < p->nresults; i++)
		nprops[i] = rebuild_result(ar, &p->results[i]);
	s = authres_render(ar, crlf);
	CHECK(s != NULL);
	check_lines(s);
	if (authres_parse(s, strlen(s), &again, err, sizeof(err)) != 0) {
		fprintf(stderr, "re-parse failed: %s\n[%s]\n", err, s);
		abort();
	}
	CHECK(strcmp(again.authserv_id, p->authserv_id) == 0);
	CHECK(again.nresults == p->nresults);
	CHECK(again.none == (p->nresults == 0));
	for (i = 0; i < p->nresults; i++) {
		const authres_result *a = &p->results[i], *b = &again.results[i];

		CHECK(strcmp(a->method, b->method) == 0);
		CHECK(strcmp(a->result, b->result) == 0);
		if (a->reason != NULL && !is_ascii(a->reason)) {
			CHECK(b->reason == NULL);
		} else {
			CHECK((a->reason == NULL) == (b->reason == NULL));
			CHECK(a->reason == NULL || strcmp(a->reason, b->reason) == 0);
		}
		CHECK(b->nprops == nprops[i]);
		check_props(a, b);
	}
	authres_parsed_free(&again);
	free(s);
	authres_free(ar);
}

/* The input as a comment: refused, or written ASCII, within limits, parseable. */
static void
comment_check(const uint8_t *data, size_t size)
{
	static authres_parsed again;
	char	text[AUTHRES_MAX_VALUE + 1], err[128], *s;
	size_t	n = size < AUTHRES_MAX_VALUE ? size : AUTHRES_MAX_VALUE;
	authres	*ar = authres_new("mx.example");

	CHECK(ar != NULL);
	memcpy(text, data, n);
	text[n] = '\0';
	CHECK(authres_method(ar, "x-tls", "pass") == 0);
	(void)authres_comment(ar, text);
	s = authres_render(ar, size & 1);
	CHECK(s != NULL);
	CHECK(is_ascii(s));
	check_lines(s);
	if (authres_parse(s, strlen(s), &again, err, sizeof(err)) != 0) {
		fprintf(stderr, "comment re-parse failed: %s\n[%s]\n", err, s);
		abort();
	}
	CHECK(again.nresults == 1);
	authres_parsed_free(&again);
	free(s);
	authres_free(ar);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static authres_parsed p;	/* large; keep it off the stack */
	char	err[128];
	char	*id;

	comment_check(data, size);
	id = authres_authserv_id((const char *)data, size);
	free(id);
	if (authres_parse((const char *)data, size, &p, err, sizeof(err)) != 0) {
		CHECK(p.authserv_id == NULL && p.nresults == 0);
		return 0;
	}
	/* The quick extractor and the full parser agree on the id. */
	id = authres_authserv_id((const char *)data, size);
	CHECK(id != NULL && strcmp(id, p.authserv_id) == 0);
	free(id);
	round_trip(&p, size & 1);
	authres_parsed_free(&p);
	return 0;
}
