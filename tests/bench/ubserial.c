/*
 * NAME
 *	ubserial -- LD_PRELOAD shim: one libunbound config parse at a time
 *
 * SYNOPSIS
 *	gcc -shared -fPIC -O2 -o ubserial.so ubserial.c -ldl -lpthread
 *	LD_PRELOAD=ubserial.so opendkim -f -x opendkim.conf
 *
 * DESCRIPTION
 *	A benchmark harness workaround, not part of dmarctls. OpenDKIM 2.11
 *	with ResolverConfiguration calls ub_ctx_config() for every new
 *	libunbound context, that is for every message, from the milter's
 *	threads at the same time. libunbound's configuration parser is a
 *	non-reentrant flex scanner, so concurrent sessions kill opendkim
 *	("fatal flex scanner internal error--end of buffer missed"). Without
 *	the config file, libunbound's built-in `test.` zone answers NXDOMAIN
 *	for every key of the test world. This shim wraps ub_ctx_config() in
 *	a mutex; every other call goes straight to libunbound, so opendkim
 *	still pays for its per-message context and parse, one at a time.
 *
 * HOSTILE INPUT
 *	None: it only forwards its arguments.
 */

/* System library. */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

struct ub_ctx;

typedef int (*ub_ctx_config_fn)(struct ub_ctx *, const char *);

static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

int	ub_ctx_config(struct ub_ctx *ctx, const char *fname);

int
ub_ctx_config(struct ub_ctx *ctx, const char *fname)
{
	ub_ctx_config_fn real;
	int	rc;

	real = (ub_ctx_config_fn)dlsym(RTLD_NEXT, "ub_ctx_config");
	if (real == NULL)
		return -1;			/* UB_NOERROR is 0; any error will do */
	pthread_mutex_lock(&parse_lock);
	rc = real(ctx, fname);
	pthread_mutex_unlock(&parse_lock);
	return rc;
}
