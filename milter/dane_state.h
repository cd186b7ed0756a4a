/*
 * dane_state.h -- the DANE state of our own endpoint, kept fresh in the background.
 *
 * SYNOPSIS
 *	dt_dane_state *dt_dane_state_new(const char *owner, const char *certs,
 *	                                 dns_resolver *r, char *err, size_t errlen);
 *	void dt_dane_state_free(dt_dane_state *s);
 *	void dt_dane_state_refresh(dt_dane_state *s, long now);
 *	int dt_dane_state_get(dt_dane_state *s, dane_res *res, char *owner,
 *	                      size_t ownerlen);
 *
 * DESCRIPTION
 *	One state per endpoint of a configuration generation: TLSATarget with
 *	TLSCertificate, and each DANEEndpoint line. owner is the TLSA owner
 *	name, certs the served chain as "path,path". dt_dane_state_new() reads the certificate chain
 *	(a bad file is a configuration error) but asks no DNS: the milter may
 *	still fork to detach. The refresher thread calls
 *	dt_dane_state_refresh() every second; the first call checks, later
 *	ones do work only when it is due: when the answer's TTL ran out (clamped to
 *	DANE_STATE_MIN_TTL..DANE_STATE_MAX_TTL; a temperror is retried after
 *	DANE_STATE_RETRY), or when a certificate file changed (size, mtime or
 *	inode: a renewal), which re-reads the chain and checks at once.
 *	dt_dane_state_get() is what the per-message path calls: it never
 *	touches the DNS, and returns 0 while no check has finished yet. Every change of the result is logged; a change to
 *	fail at error level, since DANE senders will then refuse our mail.
 */
#ifndef DMARCTLS_DANE_STATE_H
#define DMARCTLS_DANE_STATE_H

#include <stddef.h>

#include "dane_check.h"
#include "dns.h"

#define DANE_STATE_MIN_TTL	60
#define DANE_STATE_MAX_TTL	3600
#define DANE_STATE_RETRY	30
#define DANE_STATE_MAX_FILES	8

typedef struct dt_dane_state dt_dane_state;

dt_dane_state	*dt_dane_state_new(const char *owner, const char *certs, dns_resolver *r,
		    char *err, size_t errlen);
void		dt_dane_state_free(dt_dane_state *s);
void		dt_dane_state_refresh(dt_dane_state *s, long now);
int		dt_dane_state_get(dt_dane_state *s, dane_res *res, char *owner, size_t ownerlen);

#endif
