/*
 * socketmap.h -- serve Postfix's socketmap protocol on a listening socket.
 *
 * SYNOPSIS
 *	int  socketmap_start(int lfd, const socketmap_config *cfg);
 *	unsigned socketmap_clients(void);
 *
 * DESCRIPTION
 *	socketmap_start() starts the thread that accepts on lfd, one thread
 *	per connection (smtp(8) processes keep one persistent connection
 *	each and ask one request at a time: OUTBOUND.md 1.1). Each
 *	connection reads netstrings of at most SM_REQUEST_MAX bytes, hands
 *	each payload to cfg->handle, writes the reply back as one netstring,
 *	and goes on until the client closes, a framing error (nothing can
 *	be resynchronised: the connection is closed), or cfg->idle_s seconds
 *	without a request (Postfix closes idle connections after 10 s and
 *	reconnects transparently). At cfg->max_clients connections a new one
 *	is closed at once and logged. Returns 0, or -1 when the thread
 *	could not be made. socketmap_clients() is the number of open
 *	connections.
 *
 * HOSTILE INPUT
 *	The buffer is fixed (SM_REQUEST_MAX plus the frame); a client that
 *	sends more without a complete netstring is cut off; a client that
 *	does not read its replies blocks only its own thread, which gives up
 *	after idle_s (SO_SNDTIMEO).
 */
#ifndef DMARCTLS_SOCKETMAP_H
#define DMARCTLS_SOCKETMAP_H

#include <stddef.h>

#include "strbuf.h"

#define SM_REQUEST_MAX	10100	/* Postfix's socketmap_max_query_size + NAME */

typedef int (*socketmap_handler)(void *ctx, const char *req, size_t len,
				 strbuf *reply);

typedef struct socketmap_config {
	socketmap_handler handle;
	void		*ctx;
	unsigned	max_clients;
	unsigned	idle_s;
} socketmap_config;

int	socketmap_start(int lfd, const socketmap_config *cfg);
unsigned socketmap_clients(void);

#endif
