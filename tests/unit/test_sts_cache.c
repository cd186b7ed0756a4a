/*
 * test_sts_cache.c -- the MTA-STS table's bookkeeping for the no-policy cap
 *	(tlspolicy/sts_cache.h): the count of entries without a policy as
 *	policies are set, dropped and removed, and the choice of the entry
 *	to evict (not busy, no policy, checked longest ago).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_cache.h"

static void
give_policy(sts_entry *e)
{
	sts_policy p;

	memset(&p, 0, sizeof(p));
	p.mode = STS_MODE_ENFORCE;
	p.max_age = 86400;
	sts_entry_set_policy(e, &p, 0);
}

static void
test_nopolicy_count_follows_policies(void **state)
{
	sts_cache *c = sts_cache_new();
	sts_entry *a, *b;

	(void)state;
	assert_non_null(c);
	a = sts_cache_add(c, "a.example");
	b = sts_cache_add(c, "b.example");
	assert_int_equal(sts_cache_count(c), 2);
	assert_int_equal(sts_cache_nopolicy(c), 2);
	give_policy(a);
	assert_int_equal(sts_cache_nopolicy(c), 1);
	give_policy(a);			/* replacing a policy counts it once */
	assert_int_equal(sts_cache_nopolicy(c), 1);
	sts_entry_drop_policy(a);
	assert_int_equal(sts_cache_nopolicy(c), 2);
	sts_entry_drop_policy(a);	/* dropping nothing changes nothing */
	assert_int_equal(sts_cache_nopolicy(c), 2);
	give_policy(b);
	sts_cache_remove(c, b);		/* removing an entry with a policy */
	assert_int_equal(sts_cache_count(c), 1);
	assert_int_equal(sts_cache_nopolicy(c), 1);
	sts_cache_free(c);
}

static void
test_oldest_nopolicy_skips_policies_and_busy(void **state)
{
	sts_cache *c = sts_cache_new();
	sts_entry *e[5];
	char	name[32];
	int	i;

	(void)state;
	assert_null(sts_cache_oldest_nopolicy(c));
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		e[i] = sts_cache_add(c, name);
		e[i]->checked = 1000 + i;
	}
	give_policy(e[0]);		/* oldest, but holds a policy */
	e[1]->busy = 1;			/* a discovery runs for it */
	assert_ptr_equal(sts_cache_oldest_nopolicy(c), e[2]);
	sts_cache_remove(c, e[2]);
	assert_ptr_equal(sts_cache_oldest_nopolicy(c), e[3]);
	e[1]->busy = 0;
	assert_ptr_equal(sts_cache_oldest_nopolicy(c), e[1]);
	e[1]->busy = 1;
	sts_cache_remove(c, e[3]);
	sts_cache_remove(c, e[4]);
	assert_null(sts_cache_oldest_nopolicy(c));	/* only a policy and a busy one */
	sts_cache_free(c);
}

/* eviction at a cap keeps the count there, whatever the number added,
 * and the survivors are the ones checked last */
static void
test_evict_oldest_keeps_cap(void **state)
{
	sts_cache *c = sts_cache_new();
	sts_entry *e, *old;
	char	name[32];
	int	i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		while (sts_cache_nopolicy(c) >= 100 && (old = sts_cache_oldest_nopolicy(c)) != NULL)
			sts_cache_remove(c, old);
		snprintf(name, sizeof(name), "n%d.example", i);
		e = sts_cache_add(c, name);
		assert_non_null(e);
		e->checked = i;
	}
	assert_int_equal(sts_cache_count(c), 100);
	assert_null(sts_cache_find(c, "n899.example"));
	assert_non_null(sts_cache_find(c, "n900.example"));
	assert_non_null(sts_cache_find(c, "n999.example"));
	sts_cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nopolicy_count_follows_policies),
		cmocka_unit_test(test_oldest_nopolicy_skips_policies_and_busy),
		cmocka_unit_test(test_evict_oldest_keeps_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
