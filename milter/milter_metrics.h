/*
 * milter_metrics.h -- what dmarctls-milter counts for Prometheus (util/metrics.h).
 *
 * SYNOPSIS
 *	void dt_metrics_init(void);
 *	void dt_metrics_message(const dt_verdict *v, const char *tls_version,
 *	                        size_t removed_ar, double seconds);
 *	void dt_metrics_refused(const char *action);
 *	void dt_metrics_session_refused(void);
 *	void dt_metrics_reload(int ok);
 *	double dt_metrics_now(void);
 *
 * DESCRIPTION
 *	dt_metrics_init() registers the milter's metrics (names in the
 *	README and dmarctls-milter(8)); the DNS layer registers its own
 *	(util/dns.c). Called once at start, before any session.
 *
 *	dt_metrics_message() counts one message decided at end of message:
 *	its action, its DMARC and SPF (MAIL FROM) results, each DKIM
 *	signature's result ("none" for no signature), the TLS version of
 *	the session ("none" for plaintext), the forged Authentication-Results
 *	fields removed, and the seconds our evaluation took (MAIL FROM, end
 *	of headers and end of message: the SPF, DKIM and DMARC work, not the
 *	time the MTA spent between commands). dt_metrics_refused() counts a
 *	message that ended at end of message without a verdict (a field that
 *	must be removed could not be tracked: tempfail).
 *
 *	The current sessions, the DANE state of each endpoint and the build
 *	are computed at each scrape, on the metrics thread.
 *	dt_metrics_now() is a monotonic clock in seconds.
 */
#ifndef DMARCTLS_MILTER_METRICS_H
#define DMARCTLS_MILTER_METRICS_H

#include <stddef.h>

#include "verdict.h"

void	dt_metrics_init(void);
void	dt_metrics_message(const dt_verdict *v, const char *tls_version, size_t removed_ar,
	    double seconds);
void	dt_metrics_refused(const char *action);
void	dt_metrics_session_refused(void);
void	dt_metrics_reload(int ok);
double	dt_metrics_now(void);

#endif
