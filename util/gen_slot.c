/*
 * gen_slot.c -- the one generation in force, shared by threads (see gen_slot.h).
 */
#include <stddef.h>

#include "gen_slot.h"

void
gen_slot_install(gen_slot *s, gen_ref *g)
{
	gen_ref	*old;

	pthread_mutex_lock(&s->lock);
	old = s->current;
	s->current = g;
	pthread_mutex_unlock(&s->lock);
	gen_slot_release(s, old);
}

gen_ref *
gen_slot_acquire(gen_slot *s)
{
	gen_ref	*g;

	pthread_mutex_lock(&s->lock);
	if ((g = s->current) != NULL)
		g->refs++;
	pthread_mutex_unlock(&s->lock);
	return g;
}

void
gen_slot_release(gen_slot *s, gen_ref *g)
{
	int	last;

	if (g == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	last = --g->refs == 0;
	pthread_mutex_unlock(&s->lock);
	if (last)
		s->free(g);
}
