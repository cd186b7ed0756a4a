/*
 * sm_workers.h -- the threads that decide socketmap cache misses, off the
 *	event loop.
 *
 * SYNOPSIS
 *	typedef struct sm_job { ... } sm_job;
 *	int  sm_workers_init(unsigned max, socketmap_handler handle, void *ctx);
 *	int  sm_workers_submit(sm_job *j);
 *	sm_job *sm_workers_done(void);
 *	int  sm_workers_wake_fd(void);
 *
 * DESCRIPTION
 *	A miss needs DNS and perhaps an HTTPS fetch, seconds at worst
 *	(LookupBudget), so the event loop hands it here and goes on serving
 *	hits. sm_workers_submit() queues job j (its request in j->req,
 *	j->reqlen); a worker calls handle(ctx, req, reqlen, &j->reply) and
 *	puts j on the done list, then makes sm_workers_wake_fd() (an
 *	eventfd the loop polls) readable. sm_workers_done() takes the whole
 *	done list (linked by j->next), NULL when empty; the loop reads the
 *	eventfd before calling it.
 *
 *	Workers are started on demand: a job never waits for another's
 *	lookup while fewer than max workers run (max is MaxClients: a
 *	connection has at most one request in flight, so a slow name server
 *	delays only the lookups that need it). A worker idle for
 *	SM_WORKER_IDLE_S seconds exits, except the last SM_WORKERS_KEEP.
 *	sm_workers_submit() returns 0, or -1 (j not queued) when no worker
 *	runs and none can be started.
 *	sm_workers_init() returns 0, or -1 when the eventfd cannot be made.
 */
#ifndef DMARCTLS_SM_WORKERS_H
#define DMARCTLS_SM_WORKERS_H

#include <stddef.h>

#include "socketmap.h"
#include "strbuf.h"

#define SM_WORKERS_KEEP		4
#define SM_WORKER_IDLE_S	30

typedef struct sm_job {
	struct sm_job	*next;
	char		*req;
	size_t		reqlen;
	strbuf		reply;
	void		*owner;		/* the loop's connection */
} sm_job;

int	sm_workers_init(unsigned max, socketmap_handler handle, void *ctx);
int	sm_workers_submit(sm_job *j);
sm_job	*sm_workers_done(void);
int	sm_workers_wake_fd(void);

#endif
