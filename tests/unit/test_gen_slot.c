/*
 * test_gen_slot.c -- unit tests for the generation in force (util/gen_slot.c):
 * a replaced generation lives until its last holder lets go, and threads
 * acquiring while another installs never see one freed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>

#include "gen_slot.h"

typedef struct test_gen {
	gen_ref	ref;
	int	id;
	int	alive;		/* 0xa11e until freed, checked by readers */
} test_gen;

static int freed_ids[8];
static size_t nfreed;		/* frees may come from any thread */

static void
test_gen_free(gen_ref *ref)
{
	test_gen *g = (test_gen *)ref;
	size_t	n = __atomic_fetch_add(&nfreed, 1, __ATOMIC_SEQ_CST);

	if (n < 8)
		freed_ids[n] = g->id;
	g->alive = 0;
	free(g);
}

static test_gen *
test_gen_new(int id)
{
	test_gen *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->ref.refs = 1;
	g->id = id;
	g->alive = 0xa11e;
	return g;
}

static void
empty_slot_gives_null(void **state)
{
	gen_slot s = GEN_SLOT_INIT(test_gen_free);

	assert_null(gen_slot_acquire(&s));
	gen_slot_release(&s, NULL);
	gen_slot_install(&s, NULL);
	assert_null(gen_slot_acquire(&s));
}

static void
replaced_generation_lives_until_last_release(void **state)
{
	gen_slot s = GEN_SLOT_INIT(test_gen_free);
	test_gen *a = test_gen_new(1), *b = test_gen_new(2);
	gen_ref	*held, *now;

	nfreed = 0;
	gen_slot_install(&s, &a->ref);
	held = gen_slot_acquire(&s);
	assert_ptr_equal(held, &a->ref);
	assert_int_equal(a->ref.refs, 2);
	gen_slot_install(&s, &b->ref);
	assert_int_equal(nfreed, 0);		/* a is still held */
	now = gen_slot_acquire(&s);
	assert_ptr_equal(now, &b->ref);
	gen_slot_release(&s, now);
	gen_slot_release(&s, held);
	assert_int_equal(nfreed, 1);
	assert_int_equal(freed_ids[0], 1);
	gen_slot_install(&s, NULL);		/* shutdown drops b */
	assert_int_equal(nfreed, 2);
	assert_int_equal(freed_ids[1], 2);
	assert_null(gen_slot_acquire(&s));
}

static void
never_installed_generation_freed_on_release(void **state)
{
	gen_slot s = GEN_SLOT_INIT(test_gen_free);
	test_gen *a = test_gen_new(7);

	nfreed = 0;
	gen_slot_release(&s, &a->ref);
	assert_int_equal(nfreed, 1);
	assert_int_equal(freed_ids[0], 7);
}

static gen_slot shared = GEN_SLOT_INIT(test_gen_free);
static int stop_readers;
static long bad_reads;

/* A reader of a freed generation: a wrong mark here, a use after free
 * under ASan. */
static void *
reader(void *arg)
{
	gen_ref	*r;

	(void)arg;
	while (!__atomic_load_n(&stop_readers, __ATOMIC_SEQ_CST)) {
		if ((r = gen_slot_acquire(&shared)) == NULL)
			continue;
		if (((test_gen *)r)->alive != 0xa11e)
			__atomic_add_fetch(&bad_reads, 1, __ATOMIC_SEQ_CST);
		gen_slot_release(&shared, r);
	}
	return NULL;
}

static void
installs_under_readers_free_each_once(void **state)
{
	pthread_t t[3];
	int	i;

	nfreed = 0;
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader, NULL), 0);
	for (i = 0; i < 20000; i++)
		gen_slot_install(&shared, &test_gen_new(i)->ref);
	gen_slot_install(&shared, NULL);
	__atomic_store_n(&stop_readers, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(bad_reads, 0);
	assert_int_equal(nfreed, 20000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_slot_gives_null),
		cmocka_unit_test(replaced_generation_lives_until_last_release),
		cmocka_unit_test(never_installed_generation_freed_on_release),
		cmocka_unit_test(installs_under_readers_free_each_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
