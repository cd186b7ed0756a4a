/*
 * test_decision_cache.c -- unit tests for the decision cache
 *	(tlspolicy/decision_cache.c): expiry, replacement, a held entry
 *	outliving its replacement and a full sweep (ASan checks the frees),
 *	and the answers stored with a decision.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "decision_cache.h"

static char *mx[] = { "mx.example.net" };

static pd_decision
sts_decision(const char *id)
{
	pd_decision d;

	pd_decision_init(&d);
	d.kind = PD_STS;
	d.sts_mode = PD_STS_ENFORCE;
	d.mx = mx;
	d.nmx = 1;
	strcpy(d.sts_id, id);
	return d;
}

static void
hit_until_expiry_then_miss(void **state)
{
	pd_cache *c = pd_cache_new(10);
	pd_decision d = sts_decision("a1"), out;
	time_t	stored = 0;

	(void)state;
	pd_cache_put(c, "example.net", &d, 1000, 60);
	assert_int_equal(pd_cache_get(c, "example.net", 1059, &out, &stored), 1);
	assert_string_equal(out.sts_id, "a1");
	assert_string_equal(out.mx[0], "mx.example.net");
	assert_ptr_not_equal(out.mx, mx);	/* a copy */
	assert_int_equal(stored, 1000);
	pd_decision_free(&out);
	assert_int_equal(pd_cache_get(c, "example.net", 1060, &out, NULL), 0);
	assert_int_equal(pd_cache_get(c, "other.net", 1000, &out, NULL), 0);
	pd_cache_put(c, "zero.net", &d, 1000, 0);	/* ttl 0: not stored */
	assert_int_equal(pd_cache_get(c, "zero.net", 1000, &out, NULL), 0);
	pd_cache_free(c);
}

static void
held_entry_survives_replacement_and_sweep(void **state)
{
	pd_cache *c = pd_cache_new(1);
	pd_decision a = sts_decision("a1"), b = sts_decision("b2");
	const pd_decision *h;
	void	*tok;

	(void)state;
	pd_cache_put(c, "example.net", &a, 1000, 60);
	h = pd_cache_hold(c, "example.net", 1000, &tok);
	assert_non_null(h);
	pd_cache_put(c, "example.net", &b, 1001, 60);	/* replaces the held one */
	pd_cache_put(c, "other.net", &b, 1002, 60);	/* full: sweeps everything */
	assert_string_equal(h->sts_id, "a1");		/* still readable */
	assert_string_equal(h->mx[0], "mx.example.net");
	pd_cache_drop(c, tok);				/* freed now */
	assert_null(pd_cache_hold(c, "example.net", 1003, &tok));
	assert_null(tok);
	pd_cache_drop(c, tok);				/* NULL is fine */
	h = pd_cache_hold(c, "other.net", 1003, &tok);
	assert_non_null(h);
	assert_string_equal(h->sts_id, "b2");
	pd_cache_drop(c, tok);
	pd_cache_free(c);
}

/* The answers of a slot: "a0".."a3" (one per profile slot). */
static void
answers_init(strbuf *a)
{
	unsigned i;

	for (i = 0; i < PD_CACHE_ANSWERS; i++) {
		a[i] = (strbuf)STRBUF_INIT;
		strbuf_printf(&a[i], "a%u", i);
	}
}

static void
answers_free(strbuf *a)
{
	unsigned i;

	for (i = 0; i < PD_CACHE_ANSWERS; i++)
		strbuf_free(&a[i]);
}

static void
stored_answers_until_expiry(void **state)
{
	pd_cache *c = pd_cache_new(10);
	pd_decision d = sts_decision("a1");
	strbuf	a[PD_CACHE_ANSWERS], out = STRBUF_INIT;
	pd_kind	kind = PD_NOTFOUND;

	(void)state;
	answers_init(a);
	pd_cache_put_answers(c, "example.net", &d, 1000, 60, a);
	strbuf_append(&out, "old text");
	assert_int_equal(pd_cache_answer(c, "example.net", 1059, 3, &out, &kind), 1);
	assert_string_equal(out.s, "a3");		/* replaced, not appended */
	assert_int_equal(kind, PD_STS);
	assert_int_equal(pd_cache_answer(c, "example.net", 1000, 0, &out, &kind), 1);
	assert_string_equal(out.s, "a0");
	assert_int_equal(pd_cache_answer(c, "example.net", 1000, PD_CACHE_ANSWERS,
					 &out, &kind), 0);	/* no such slot */
	assert_int_equal(pd_cache_answer(c, "example.net", 1060, 0, &out, &kind), 0);
	assert_int_equal(pd_cache_answer(c, "other.net", 1000, 0, &out, &kind), 0);
	assert_string_equal(out.s, "a0");		/* a miss leaves out alone */
	answers_free(a);
	strbuf_free(&out);
	pd_cache_free(c);
}

static void
entry_without_answers_is_no_answer_but_a_hit(void **state)
{
	pd_cache *c = pd_cache_new(10);
	pd_decision d = sts_decision("a1");
	strbuf	a[PD_CACHE_ANSWERS], out = STRBUF_INIT;
	pd_kind	kind;
	void	*tok;

	(void)state;
	pd_cache_put(c, "plain.net", &d, 1000, 60);
	assert_int_equal(pd_cache_answer(c, "plain.net", 1000, 0, &out, &kind), 0);
	answers_init(a);
	a[2].failed = 1;				/* one that could not be made */
	pd_cache_put_answers(c, "partial.net", &d, 1000, 60, a);
	assert_int_equal(pd_cache_answer(c, "partial.net", 1000, 0, &out, &kind), 0);
	assert_non_null(pd_cache_hold(c, "partial.net", 1000, &tok));
	pd_cache_drop(c, tok);
	answers_free(a);
	strbuf_free(&out);
	pd_cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hit_until_expiry_then_miss),
		cmocka_unit_test(held_entry_survives_replacement_and_sweep),
		cmocka_unit_test(stored_answers_until_expiry),
		cmocka_unit_test(entry_without_answers_is_no_answer_but_a_hit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
