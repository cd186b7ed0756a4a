/*
 * fuzz_dmarc_record.c -- libFuzzer target for the DMARC record parser.
 *
 * The input is parsed as one record in RFC 9989 and RFC 7489 mode. It is
 * then split at newlines into up to four TXT strings that a fake resolver
 * returns for every _dmarc name (any other name: NXDOMAIN), and a full
 * evaluation runs over them in tree-walk mode, so the walk, the Org Domain
 * rules and alignment see hostile records too. Checks: no crash, no leak,
 * no undefined behaviour, and results within their enums.
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ipolicy \
 *	    tests/fuzz/fuzz_dmarc_record.c policy/dmarc_*.c policy/result.c \
 *	    -lpsl -o fuzz_dmarc_record
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_record.h"
#include "dmarc_eval.h"

#define FUZZ_MAX_TXT	4

typedef struct fuzz_answer {
	const uint8_t	*part[FUZZ_MAX_TXT];
	size_t		len[FUZZ_MAX_TXT];
	size_t		n;
} fuzz_answer;

static void
fuzz_lookup(void *ctx, const char *name, dns_txt *out)
{
	const fuzz_answer *a = ctx;
	size_t	i;

	memset(out, 0, sizeof(*out));
	if (strncmp(name, "_dmarc.", 7) != 0 || a->n == 0) {
		out->status = DNS_STATUS_NXDOMAIN;
		return;
	}
	out->status = DNS_STATUS_OK;
	out->txt = calloc(a->n, sizeof(char *));
	out->len = calloc(a->n, sizeof(size_t));
	if (out->txt == NULL || out->len == NULL)
		abort();
	for (i = 0; i < a->n; i++) {
		/* keep embedded NULs: len[i] may exceed strlen(txt[i]) */
		out->txt[i] = malloc(a->len[i] + 1);
		if (out->txt[i] == NULL)
			abort();
		memcpy(out->txt[i], a->part[i], a->len[i]);
		out->txt[i][a->len[i]] = '\0';
		out->len[i] = a->len[i];
	}
	out->n = a->n;
}

static void
parse_one(const uint8_t *data, size_t size, dmarc_mode mode)
{
	dmarc_record rec;
	dmarc_rec_status st;

	st = dmarc_record_parse((const char *)data, size, mode, &rec);
	if ((unsigned)st > DMARC_REC_NO_POLICY || rec.nrua_kept > rec.nrua
	    || rec.nrua_kept > DMARC_RECORD_MAX_URIS || rec.pct < 0
	    || rec.pct > 100)
		abort();
	if (st == DMARC_REC_OK && rec.p == DMARC_POLICY_UNSET)
		abort();	/* a usable record always has a policy */
	dmarc_record_free(&rec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dkim_d[] = {"mail.example.com", "example.com"};
	static const dkim_res dkim_r[] = {DKIM_RES_PASS, DKIM_RES_FAIL};
	fuzz_answer a;
	dmarc_input in;
	dmarc_outcome o;
	size_t	start = 0, i;

	parse_one(data, size, DMARC_MODE_RFC9989);
	parse_one(data, size, DMARC_MODE_RFC7489);

	memset(&a, 0, sizeof(a));
	for (i = 0; i <= size && a.n < FUZZ_MAX_TXT; i++) {
		if (i < size && data[i] != '\n')
			continue;
		a.part[a.n] = data + start;
		a.len[a.n] = i - start;
		a.n++;
		start = i + 1;
	}
	memset(&in, 0, sizeof(in));
	in.from_domain = "a.b.c.d.e.f.g.h.example.com";
	in.spf_domain = "bounce.example.com";
	in.spf_result = SPF_RES_PASS;
	in.ndkim = 2;
	in.dkim_domains = dkim_d;
	in.dkim_results = dkim_r;
	in.mode = DMARC_DISCOVERY_TREEWALK;
	in.lookup = fuzz_lookup;
	in.lookup_ctx = &a;
	dmarc_evaluate(&in, &o);
	if ((unsigned)o.result > DMARC_RES_PERMERROR
	    || (unsigned)o.policy > DMARC_POLICY_REJECT
	    || (o.result != DMARC_RES_FAIL && o.disposition != DMARC_POLICY_NONE))
		abort();
	dmarc_outcome_free(&o);
	return 0;
}
