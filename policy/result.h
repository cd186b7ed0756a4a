/*
 * result.h -- the result words of every protocol dmarctls evaluates.
 *
 * One enum per protocol, spelled as its RFC spells the result, and one
 * function per enum that returns that spelling (for A-R, JSON and logs).
 * A result is never invented: "temperror"/"permerror" are the RFC words,
 * never OpenDMARC's non-standard "tempfail".
 */
#ifndef DMARCTLS_RESULT_H
#define DMARCTLS_RESULT_H

/* RFC 7208 section 2.6 */
typedef enum {
	SPF_RES_NONE = 0, SPF_RES_NEUTRAL, SPF_RES_PASS, SPF_RES_FAIL,
	SPF_RES_SOFTFAIL, SPF_RES_TEMPERROR, SPF_RES_PERMERROR
} spf_res;

/* RFC 8601 section 2.7.1 */
typedef enum {
	DKIM_RES_NONE = 0, DKIM_RES_PASS, DKIM_RES_FAIL, DKIM_RES_POLICY,
	DKIM_RES_NEUTRAL, DKIM_RES_TEMPERROR, DKIM_RES_PERMERROR
} dkim_res;

/* RFC 9989 section 4.8 / RFC 8601 */
typedef enum {
	DMARC_RES_NONE = 0, DMARC_RES_PASS, DMARC_RES_FAIL,
	DMARC_RES_TEMPERROR, DMARC_RES_PERMERROR
} dmarc_res;

/* Requested policy (p=, sp=, np=) and the disposition applied. */
typedef enum {
	DMARC_POLICY_UNSET = 0, DMARC_POLICY_NONE, DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT
} dmarc_policy;

/* What the MTA is told to do with the message. */
typedef enum {
	ACTION_ACCEPT = 0, ACTION_QUARANTINE, ACTION_REJECT, ACTION_TEMPFAIL
} action_t;

const char *spf_res_name(spf_res r);
const char *dkim_res_name(dkim_res r);
const char *dmarc_res_name(dmarc_res r);
const char *dmarc_policy_name(dmarc_policy p);	/* "none" for UNSET too */
const char *action_name(action_t a);

#endif
