/*
 * gen_slot.h -- the one generation in force, shared by threads, reference counted.
 *
 * SYNOPSIS
 *	static gen_slot slot = GEN_SLOT_INIT(free_fn);
 *	void gen_slot_install(gen_slot *s, gen_ref *g);
 *	gen_ref *gen_slot_acquire(gen_slot *s);
 *	void gen_slot_release(gen_slot *s, gen_ref *g);
 *
 * DESCRIPTION
 *	A daemon keeps one configuration, and all it builds, in a generation:
 *	a struct whose first member is a gen_ref. Its builder sets refs to 1,
 *	the reference it holds. gen_slot_install() hands that reference to the
 *	slot: g (NULL: none) is what gen_slot_acquire() gives out from then
 *	on, and the generation it replaces loses the slot's reference.
 *	gen_slot_release() drops one reference (g may be NULL); the last one
 *	frees g with the slot's free function. So a reload never changes the
 *	rules under a request or session in progress: that keeps the
 *	generation it acquired until it releases it.
 */
#ifndef DMARCTLS_GEN_SLOT_H
#define DMARCTLS_GEN_SLOT_H

#include <pthread.h>

typedef struct gen_ref {
	unsigned	refs;		/* holders, plus one while installed */
} gen_ref;

typedef struct gen_slot {
	pthread_mutex_t	lock;
	gen_ref		*current;
	void		(*free)(gen_ref *g);
} gen_slot;

#define GEN_SLOT_INIT(free_fn)	{ PTHREAD_MUTEX_INITIALIZER, NULL, (free_fn) }

void	gen_slot_install(gen_slot *s, gen_ref *g);
gen_ref	*gen_slot_acquire(gen_slot *s);
void	gen_slot_release(gen_slot *s, gen_ref *g);

#endif
