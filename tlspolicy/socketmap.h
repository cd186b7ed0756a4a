/*
 * socketmap.h -- serve Postfix's socketmap protocol on a listening socket.
 *
 * SYNOPSIS
 *	int  socketmap_start(int lfd, const socketmap_config *cfg);
 *	unsigned socketmap_clients(void);
 *
 * DESCRIPTION
 *	socketmap_start() starts the thread that serves lfd: one epoll event
 *	loop owns every connection (smtp(8) processes keep one persistent
 *	connection each and ask one request at a time: OUTBOUND.md 1.1). It
 *	accepts, reads netstrings of at most SM_REQUEST_MAX bytes without
 *	blocking, answers with cfg->cached what needs no DNS (a cache hit, an
 *	override, a bad request) at once, hands a miss to the worker pool of
 *	sm_workers.h (cfg->handle there), and writes each reply as one
 *	netstring without blocking. Requests on one connection are answered
 *	one at a time, in order: the next is not read before the reply to the
 *	last is written. A slow miss delays only its own connection.
 *
 *	A connection is closed when the client closes it, on a framing error
 *	(nothing can be resynchronised), after cfg->idle_s seconds without a
 *	request (Postfix closes idle connections after 10 s and reconnects
 *	transparently), when a request that has begun is not complete within
 *	cfg->request_s seconds, or when a reply could not be written in full
 *	for cfg->request_s seconds (a client that does not read). Timeouts
 *	are checked every SM_TICK_MS. At cfg->max_clients connections a new
 *	one is accepted and closed at once, before any byte is read, and
 *	logged (at most once per SM_REFUSED_LOG_S seconds, with the count).
 *	Returns 0, or -1 when the loop could not be made.
 *	socketmap_clients() is the number of open connections.
 *
 * HOSTILE INPUT
 *	Per connection the daemon holds at most one request (a buffer that
 *	grows from SM_IN_FIRST to SM_REQUEST_MAX plus the frame) and one
 *	reply; a client that pipelines requests without reading the replies
 *	fills only the kernel's socket buffers, then its connection is closed
 *	after request_s. A client that sends part of a netstring and stops
 *	is closed after request_s; one that sends nothing, after idle_s.
 */
#ifndef DMARCTLS_SOCKETMAP_H
#define DMARCTLS_SOCKETMAP_H

#include <stddef.h>

#include "strbuf.h"

#define SM_REQUEST_MAX	10100	/* Postfix's socketmap_max_query_size + NAME */
#define SM_IN_FIRST	256	/* a Postfix request fits */
#define SM_TICK_MS	250
#define SM_REFUSED_LOG_S 10

/* handle: 0 answered, -1 out of memory. cached: 1 answered, 0 a miss
 * (hand it to handle), -1 out of memory. */
typedef int (*socketmap_handler)(void *ctx, const char *req, size_t len,
				 strbuf *reply);

typedef struct socketmap_config {
	socketmap_handler cached;	/* on the loop: must never wait */
	socketmap_handler handle;	/* in a worker: may take LookupBudget */
	void		*ctx;
	unsigned	max_clients;
	unsigned	idle_s;
	unsigned	request_s;
} socketmap_config;

int	socketmap_start(int lfd, const socketmap_config *cfg);
unsigned socketmap_clients(void);

#endif
