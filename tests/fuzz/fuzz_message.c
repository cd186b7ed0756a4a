/*
 * fuzz_message.c -- libFuzzer target: a whole message through the verdict.
 *
 * DESCRIPTION
 *	The input is what dmarctls-check gets, plus the DNS:
 *
 *	    IP HELO MAIL-FROM\n          the envelope (first line)
 *	    NAME TYPE STATUS DATA\n      DNS answers (fake_resolver.h), any number
 *	    --\n                         end of the answers
 *	    the message                  header fields and body, any bytes
 *
 *	Without a "--" line the whole input after the envelope is the
 *	message and the DNS knows nothing (every name NXDOMAIN). The message
 *	goes through message_parse() and message_feed(), the path of
 *	dmarctls-check, into the real SPF (libspf2), DKIM (libopendkim),
 *	From and DMARC code; only the DNS is a table. Every run must end in a
 *	verdict whose A-R field and JSON are whole, never in a crash; the
 *	checks below hold for every verdict.
 *
 *	FUZZ_MESSAGE_PRINT=1 in the environment prints each verdict's JSON.
 *
 *	Seeds: tests/fuzz/corpus/fuzz_message (a signed message with its key
 *	record and DMARC policy, the NUL-field reproducer of issue 12).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fake_resolver.h"
#include "json.h"
#include "message.h"
#include "strbuf.h"
#include "verdict.h"

#define CHECK(cond)	do { if (!(cond)) { \
	fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

static dt_config cfg;
static dt_context *ctx;

/* fuzz_setup - one context for the process, as the milter has */
static void
fuzz_setup(void)
{
	char	err[256];

	dt_config_defaults(&cfg);
	CHECK(dt_config_set(&cfg, "AuthservID", "mx.fuzz.test", err, sizeof(err)) == 0);
	CHECK(dt_config_set(&cfg, "TrustAnchorFile", "none", err, sizeof(err)) == 0);
	ctx = dt_context_new(&cfg, err, sizeof(err));
	CHECK(ctx != NULL);
}

/* fuzz_split - envelope, DNS table and message out of the input */
static const char *
fuzz_split(const char *d, size_t n, char *env, size_t envlen, size_t *msglen)
{
	const char *nl = memchr(d, '\n', n), *sep, *p;
	size_t	l = nl ? (size_t)(nl - d) : n;

	snprintf(env, envlen, "%.*s", (int)(l < envlen ? l : envlen - 1), d);
	p = nl ? nl + 1 : d + n;
	n -= (size_t)(p - d);
	sep = memmem(p, n, "\n--\n", 4);
	if (n >= 3 && memcmp(p, "--\n", 3) == 0)
		sep = p - 1;
	if (sep == NULL) {
		fake_resolver_clear();
		*msglen = n;
		return p;
	}
	fake_resolver_load(p, sep > p ? (size_t)(sep - p) : 0);
	*msglen = n - (size_t)(sep + 4 - p);
	return sep + 4;
}

static void
verdict_invariants(const dt_verdict *v)
{
	strbuf	json = STRBUF_INIT;
	size_t	i;

	CHECK(v->action == ACTION_ACCEPT || v->action == ACTION_QUARANTINE
	    || v->action == ACTION_REJECT || v->action == ACTION_TEMPFAIL);
	CHECK(v->authres != NULL && v->authres_tls != NULL);
	CHECK(strncmp(v->authres, "mx.fuzz.test;", 13) == 0);
	CHECK(strpbrk(v->authres, "\r") == NULL);
	for (i = 0; i < v->ndkim; i++)
		CHECK(v->dkim[i].result != DKIM_RES_PASS || v->dkim[i].d[0] != '\0');
	/* a DMARC pass needs an aligned pass behind it */
	if (v->nauthors > 0 && v->dmarc_result == DMARC_RES_PASS)
		CHECK(v->dmarc[v->decisive].spf_aligned || v->dmarc[v->decisive].dkim_aligned);
	dt_verdict_json(v, &json);
	CHECK(!json.failed && json.s != NULL && json.s[0] == '{');
	if (getenv("FUZZ_MESSAGE_PRINT"))	/* to see what a seed reaches */
		fputs(json.s, stdout);
	strbuf_free(&json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	env[512], ip[64] = "192.0.2.1", helo[256] = "mx.fuzz.test", from[256] = "";
	char	err[256];
	const char *msg;
	size_t	msglen;
	message	m;
	dt_eval	*e;

	if (ctx == NULL)
		fuzz_setup();
	msg = fuzz_split((const char *)data, size, env, sizeof(env), &msglen);
	(void)sscanf(env, "%63s %255s %255s", ip, helo, from);
	if (inet_pton(AF_INET, ip, err) != 1 && inet_pton(AF_INET6, ip, err) != 1)
		snprintf(ip, sizeof(ip), "192.0.2.1");	/* dmarctls-check insists */
	if (message_parse(msg, msglen, &m, err, sizeof(err)) < 0)
		return 0;		/* dmarctls-check: exit 65, no verdict */
	CHECK((e = dt_eval_new(ctx, "fuzz")) != NULL);
	dt_eval_envelope(e, ip, helo, from[0] ? from : NULL);
	message_feed(&m, e);
	message_free(&m);
	verdict_invariants(dt_eval_finish(e));
	dt_eval_free(e);
	return 0;
}
