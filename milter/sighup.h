/*
 * sighup.h -- SIGHUP reloads the configuration, even under libmilter.
 *
 * SYNOPSIS
 *	void dt_sighup_set_handler(void (*reload)(void));
 *
 * DESCRIPTION
 *	libmilter's signal thread sigwait()s for SIGHUP, SIGTERM and SIGINT and
 *	stops the milter on any of them (sendmail libmilter/signal.c). Admins
 *	expect SIGHUP to reload, as with every other daemon, and opendkim's
 *	answer (reload on SIGUSR1 instead) surprises them. This module defines
 *	sigwait(3) in the executable, which the dynamic linker prefers over
 *	libc's for libmilter's call: it waits with libc's sigwait and, when
 *	the signal is SIGHUP, runs the reload handler and waits again. SIGTERM
 *	and SIGINT reach libmilter unchanged. Nothing else in dmarctls calls
 *	sigwait. The test suite sends SIGHUP to a running milter and checks
 *	that it reloaded and kept serving.
 */
#ifndef DMARCTLS_SIGHUP_H
#define DMARCTLS_SIGHUP_H

void	dt_sighup_set_handler(void (*reload)(void));

#endif
