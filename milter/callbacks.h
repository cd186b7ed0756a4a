/*
 * callbacks.h -- libmilter callbacks: translate MTA events into policy/ calls.
 *
 * SYNOPSIS
 *	extern struct smfiDesc dt_milter_desc;
 *
 * DESCRIPTION
 *	The callbacks keep per-connection state (client address, HELO, the
 *	TLS macros, which Postfix sends only at HELO, MAIL and DATA) and
 *	per-message state (one dt_eval from MAIL FROM to end of message, the
 *	positions of forged Authentication-Results fields). Every decision is
 *	made in policy/verdict.c; here it is only applied: remove forged A-R
 *	fields (RFC 8601 section 5), insert ours at the top, then reply.
 *	RSET, aborted transactions and several messages per session leave no
 *	state behind: the per-message part is freed at abort and at the next
 *	MAIL FROM.
 */
#ifndef DMARCTLS_CALLBACKS_H
#define DMARCTLS_CALLBACKS_H

#include <libmilter/mfapi.h>

extern struct smfiDesc dt_milter_desc;

#endif
