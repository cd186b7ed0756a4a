/*
 * sessions.h -- how many milter sessions run at once: the cap, and the fds it needs.
 *
 * SYNOPSIS
 *	int dt_sessions_enter(unsigned max);
 *	void dt_sessions_leave(void);
 *	unsigned dt_sessions_active(void);
 *	int dt_sessions_fd_limit(unsigned max, char *err, size_t errlen);
 *
 * DESCRIPTION
 *	libmilter runs one thread per MTA connection and has no limit of its
 *	own: 1,100 idle connections used up the 1,024 descriptors of a
 *	default RLIMIT_NOFILE, accept() failed, and libmilter's listener gave
 *	up (issue 12). MaxSessions caps the sessions we serve; one over the
 *	cap is answered with a tempfail at connect (the MTA tells its client
 *	to come back later) and costs only the time to say so.
 *
 *	dt_sessions_enter() counts a new session and returns 1 when it is
 *	within max, 0 when it is over (it is counted either way, so that
 *	every enter has its leave). dt_sessions_leave() ends one.
 *
 *	dt_sessions_fd_limit() raises RLIMIT_NOFILE (soft, and hard when we
 *	are root and must) to what max sessions need: one descriptor each,
 *	the same again for connections that have not spoken yet (libmilter
 *	accepts them before any callback can count them) and
 *	DT_SESSIONS_FD_RESERVE for the resolver, log and listener. Returns 0,
 *	or -1 with err when the limit stays lower (the milter still runs).
 */
#ifndef DMARCTLS_SESSIONS_H
#define DMARCTLS_SESSIONS_H

#include <stddef.h>

#define DT_SESSIONS_FD_RESERVE	256

int	dt_sessions_enter(unsigned max);
void	dt_sessions_leave(void);
unsigned dt_sessions_active(void);
int	dt_sessions_fd_limit(unsigned max, char *err, size_t errlen);

#endif
