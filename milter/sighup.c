/*
 * sighup.c -- the sigwait(3) interposer of sighup.h.
 */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>

#include "sighup.h"

typedef int (*sigwait_fn)(const sigset_t *, int *);

static void (*sighup_reload)(void);

void
dt_sighup_set_handler(void (*reload)(void))
{
	sighup_reload = reload;
}

int
sigwait(const sigset_t *set, int *sig)
{
	static sigwait_fn libc_sigwait;
	int	rc;

	if (libc_sigwait == NULL
	    && (libc_sigwait = (sigwait_fn)dlsym(RTLD_NEXT, "sigwait")) == NULL)
		return ENOSYS;
	for (;;) {
		if ((rc = libc_sigwait(set, sig)) != 0 || *sig != SIGHUP || sighup_reload == NULL)
			return rc;
		sighup_reload();
	}
}
