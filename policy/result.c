/*
 * result.c -- spellings of the result enums in result.h.
 */
#include "result.h"

const char *
spf_res_name(spf_res r)
{
	static const char *const names[] = {
		"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"
	};
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "permerror";
}

const char *
dkim_res_name(dkim_res r)
{
	static const char *const names[] = {
		"none", "pass", "fail", "policy", "neutral", "temperror", "permerror"
	};
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "permerror";
}

const char *
dmarc_res_name(dmarc_res r)
{
	static const char *const names[] = {
		"none", "pass", "fail", "temperror", "permerror"
	};
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "permerror";
}

const char *
dmarc_policy_name(dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_QUARANTINE: return "quarantine";
	case DMARC_POLICY_REJECT: return "reject";
	default: return "none";
	}
}

const char *
action_name(action_t a)
{
	switch (a) {
	case ACTION_QUARANTINE: return "quarantine";
	case ACTION_REJECT: return "reject";
	case ACTION_TEMPFAIL: return "tempfail";
	default: return "accept";
	}
}
