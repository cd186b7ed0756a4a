/*
 * query.h -- "dmarctls-policyd -q DOMAIN [--json]": the decision and its reasons.
 *
 * SYNOPSIS
 *	int pd_query(pd_gen *g, const char *key, int json);
 *
 * DESCRIPTION
 *	Decides for key (any socketmap key form) with the generation's
 *	resolver, overrides and MTA-STS context, as the daemon would on a
 *	cache miss, and prints to stdout: the policy domain, the decision,
 *	the reply of every profile, why, the MX RRset and its DNSSEC state,
 *	per MX host its addresses with their state and its TLSA state, and
 *	for MTA-STS the TXT id, mode, mx patterns, when the policy was
 *	fetched and when it expires. With json, one JSON object (keys in
 *	dmarctls-policyd(8)).
 *
 * EXIT STATUS
 *	PD_QUERY_POLICY (0)	a policy applies (override, DANE, MTA-STS enforce)
 *	PD_QUERY_NONE (1)	no policy: NOTFOUND (MTA-STS testing/none too)
 *	PD_QUERY_TEMP (2)	a temporary failure: the MTA would defer
 *	PD_QUERY_NOKEY (3)	the key names no policy domain ([host], .parent, ...)
 */
#ifndef DMARCTLS_QUERY_H
#define DMARCTLS_QUERY_H

#include "pd_gen.h"

#define PD_QUERY_POLICY	0
#define PD_QUERY_NONE	1
#define PD_QUERY_TEMP	2
#define PD_QUERY_NOKEY	3

int	pd_query(pd_gen *g, const char *key, int json);

#endif
