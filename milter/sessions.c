/*
 * sessions.c -- the session cap and the descriptor limit (see sessions.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "sessions.h"

static unsigned dt_active;	/* atomic: libmilter calls us from many threads */

int
dt_sessions_enter(unsigned max)
{
	return __atomic_add_fetch(&dt_active, 1, __ATOMIC_SEQ_CST) <= max;
}

void
dt_sessions_leave(void)
{
	__atomic_sub_fetch(&dt_active, 1, __ATOMIC_SEQ_CST);
}

unsigned
dt_sessions_active(void)
{
	return __atomic_load_n(&dt_active, __ATOMIC_SEQ_CST);
}

int
dt_sessions_fd_limit(unsigned max, char *err, size_t errlen)
{
	struct rlimit rl;
	rlim_t	want = (rlim_t)max * 2 + DT_SESSIONS_FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		snprintf(err, errlen, "getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
		return -1;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
		struct rlimit up = { want, want };

		if (setrlimit(RLIMIT_NOFILE, &up) == 0)	/* root may raise the hard limit */
			return 0;
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		snprintf(err, errlen, "RLIMIT_NOFILE is %llu, MaxSessions %u needs %llu",
		    (unsigned long long)rl.rlim_max, max, (unsigned long long)want);
		return -1;
	}
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		snprintf(err, errlen, "setrlimit(RLIMIT_NOFILE, %llu): %s",
		    (unsigned long long)want, strerror(errno));
		return -1;
	}
	return 0;
}
