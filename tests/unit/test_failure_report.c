/*
 * test_failure_report.c -- the pure parts of RFC 9991 failure reports: which
 *	reports a record's fo asks for, RFC 6590 redaction, the Auth-Failure
 *	type, and a row's failure sample through the spool.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afrf.h"
#include "failure_due.h"
#include "redact.h"
#include "spool.h"

static char ruf0[] = "mailto:ruf@example.com";

/* a verdict for one author domain with a record: fo, alignment, results */
static void
verdict(dt_verdict *v, unsigned fo, int dkim_aligned, int spf_aligned)
{
	memset(v, 0, sizeof(*v));
	v->nauthors = 1;
	v->author[0] = "example.com";
	v->dmarc[0].have_record = 1;
	v->dmarc[0].nruf = 1;
	v->dmarc[0].ruf[0] = ruf0;
	v->dmarc[0].fo = fo;
	v->dmarc[0].psd = DMARC_PSD_U;
	v->dmarc[0].dkim_aligned = dkim_aligned;
	v->dmarc[0].spf_aligned = spf_aligned;
	v->dmarc[0].result = dkim_aligned || spf_aligned ? DMARC_RES_PASS : DMARC_RES_FAIL;
	v->spf.mailfrom = spf_aligned ? SPF_RES_PASS : SPF_RES_FAIL;
}

static void
fo0_only_when_both_fail(void **state)
{
	dt_verdict v;
	char	a[32];

	(void)state;
	verdict(&v, DMARC_FO_0, 0, 0);
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), FR_DMARC);
	assert_string_equal(a, "dkim, spf");
	verdict(&v, DMARC_FO_0, 0, 1);
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), 0);
	verdict(&v, DMARC_FO_0, 1, 0);
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), 0);
}

static void
fo1_when_either_fails(void **state)
{
	dt_verdict v;
	char	a[32];

	(void)state;
	verdict(&v, DMARC_FO_1, 0, 1);
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), FR_DMARC);
	assert_string_equal(a, "dkim");
	verdict(&v, DMARC_FO_1, 1, 0);
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), FR_DMARC);
	assert_string_equal(a, "spf");
	verdict(&v, DMARC_FO_1, 1, 1);
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), 0);
	assert_string_equal(a, "none");
}

static void
fod_and_fos_whatever_alignment(void **state)
{
	dt_verdict v;
	char	a[32];

	(void)state;
	verdict(&v, DMARC_FO_D | DMARC_FO_S, 1, 1);
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), 0);
	v.ndkim = 2;
	v.dkim[0].result = DKIM_RES_PASS;
	v.dkim[1].result = DKIM_RES_FAIL;
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), FR_DKIM);
	v.dkim[1].result = DKIM_RES_TEMPERROR;		/* not a failure of the signature */
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), 0);
	v.spf.mailfrom = SPF_RES_FAIL;
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), FR_SPF);
	v.spf.mailfrom = SPF_RES_SOFTFAIL;
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), 0);
	/* a null sender: the HELO identity is SPF's */
	v.spf.null_sender = 1;
	v.spf.helo = SPF_RES_FAIL;
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), FR_SPF);
}

static void
nothing_without_ruf_for_psd_or_errors(void **state)
{
	dt_verdict v;
	char	a[32];

	(void)state;
	verdict(&v, DMARC_FO_1, 0, 0);
	v.dmarc[0].nruf = 0;
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), 0);
	verdict(&v, DMARC_FO_1, 0, 0);
	v.dmarc[0].psd = DMARC_PSD_Y;
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), 0);
	verdict(&v, DMARC_FO_1, 0, 0);
	v.dmarc[0].result = DMARC_RES_TEMPERROR;
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), 0);
	verdict(&v, DMARC_FO_1, 0, 0);
	v.dmarc[0].have_record = 0;
	assert_int_equal(failure_due(&v, 0, a, sizeof(a)), 0);
	assert_int_equal(failure_due(&v, 5, a, sizeof(a)), 0);	/* no such author */
}

static const unsigned char key[] = "k3y";

static void
redaction_keeps_ids_and_domains(void **state)
{
	char	tok_a[REDACT_TOKEN_MAX + 1], tok_q[REDACT_TOKEN_MAX + 1], want[1024], *out;
	const char *in = "From: Alice <alice@example.com>\n"
	    "To: bob@x.example,\n\talice@y.example\n"
	    "Message-ID: <alice@example.com>\n"
	    "Cc: \"odd local\"@q.example, not an @ address, @@, a@\n";

	(void)state;
	assert_int_equal(failure_redact_token("alice", 5, key, 3, tok_a, sizeof(tok_a)), 0);
	assert_int_equal(strlen(tok_a), 25);
	assert_memory_equal(tok_a, "redacted-", 9);
	assert_int_equal(failure_redact_token("\"odd local\"", 11, key, 3, tok_q, sizeof(tok_q)), 0);
	assert_non_null(out = failure_redact(in, key, 3));
	{
		char	tok_b[REDACT_TOKEN_MAX + 1];

		assert_int_equal(failure_redact_token("bob", 3, key, 3, tok_b, sizeof(tok_b)), 0);
		snprintf(want, sizeof(want), "From: Alice <%s@example.com>\n"
		    "To: %s@x.example,\n\t%s@y.example\n"
		    "Message-ID: <alice@example.com>\n"
		    "Cc: %s@q.example, not an @ address, @@, a@\n", tok_a, tok_b, tok_a, tok_q);
	}
	assert_string_equal(out, want);
	free(out);
	/* another key, another token */
	assert_int_equal(failure_redact_token("alice", 5, (const unsigned char *)"other", 5,
	    tok_q, sizeof(tok_q)), 0);
	assert_string_not_equal(tok_a, tok_q);
}

static void
auth_failure_type(void **state)
{
	afrf_in	in;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.header_from = "example.com";
	in.kind = "dmarc";
	assert_string_equal(afrf_auth_failure(&in), "dmarc");
	in.kind = "spf";
	assert_string_equal(afrf_auth_failure(&in), "spf");
	in.kind = "dkim";
	in.dkim = "good.example\ts1\t\tpass\t\nother.example\ts2\t\tfail\tbody hash mismatch";
	assert_string_equal(afrf_auth_failure(&in), "bodyhash");
	in.dkim = "other.example\ts2\t\tfail\tkey revoked";
	assert_string_equal(afrf_auth_failure(&in), "revoked");
	in.dkim = "other.example\ts2\t\tpermerror\tsyntax";
	assert_string_equal(afrf_auth_failure(&in), "signature");
}

static void
sample_survives_the_spool(void **state)
{
	report_row r, back;
	char	*line;
	size_t	i;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < REPORT_NCOLS; i++)
		r.col[i] = strdup("c");
	for (i = 0; i < REPORT_NFCOLS; i++)
		r.fcol[i] = strdup("Subject: x\n\tfolded\xc3\xbc %");
	assert_non_null(line = report_row_encode(&r));
	assert_memory_equal(line, "DTR2\t", 5);
	assert_int_equal(report_row_decode(line, strlen(line), &back), 0);
	for (i = 0; i < REPORT_NFCOLS; i++)
		assert_string_equal(back.fcol[i], r.fcol[i]);
	report_row_free(&back);
	/* the same line without its sample's last field is refused */
	line[strrchr(line, '\t') - line] = '\n';
	line[strrchr(line, '\n') - line + 1] = '\0';
	assert_int_equal(report_row_decode(line, strlen(line), &back), -1);
	free(line);
	/* a row without a sample stays a DTR1 line */
	for (i = 0; i < REPORT_NFCOLS; i++) {
		free(r.fcol[i]);
		r.fcol[i] = NULL;
	}
	assert_non_null(line = report_row_encode(&r));
	assert_memory_equal(line, "DTR1\t", 5);
	assert_int_equal(report_row_decode(line, strlen(line), &back), 0);
	assert_null(back.fcol[0]);
	report_row_free(&back);
	free(line);
	report_row_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fo0_only_when_both_fail),
		cmocka_unit_test(fo1_when_either_fails),
		cmocka_unit_test(fod_and_fos_whatever_alignment),
		cmocka_unit_test(nothing_without_ruf_for_psd_or_errors),
		cmocka_unit_test(redaction_keeps_ids_and_domains),
		cmocka_unit_test(auth_failure_type),
		cmocka_unit_test(sample_survives_the_spool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
