/*
 * sts_txt.h -- the _mta-sts TXT record (RFC 8461 section 3.1).
 *
 * SYNOPSIS
 *	int sts_txt_is_sts(const char *rec, size_t len);
 *	int sts_txt_parse(const char *rec, size_t len, char id[STS_ID_MAX + 1],
 *	    char *why, size_t whylen);
 *	sts_txt_status sts_txt_select(const char *const *recs, const size_t *lens,
 *	    size_t n, char id[STS_ID_MAX + 1], char *why, size_t whylen);
 *
 * DESCRIPTION
 *	sts_txt_is_sts() says whether a TXT record claims to be an STS record:
 *	it begins with "v=STSv1" (case-sensitive) followed by ";", a space, a
 *	tab or the end. Other records are discarded (section 3.1).
 *
 *	sts_txt_parse() checks one such record against the ABNF of section
 *	3.1 to the letter and copies its id: 0 on success, -1 with a reason.
 *	The id is required and must appear once; extensions are checked for
 *	syntax and ignored. A NUL byte anywhere makes the record invalid.
 *
 *	sts_txt_select() applies section 3.1 to a whole TXT answer: exactly
 *	one STS record, and it must be valid.
 */
#ifndef DMARCTLS_STS_TXT_H
#define DMARCTLS_STS_TXT_H

#include <stddef.h>

#include "sts.h"

typedef enum {
	STS_TXT_OK,		/* one valid record: id copied */
	STS_TXT_NONE,		/* no record begins with v=STSv1 */
	STS_TXT_MULTIPLE,	/* more than one does */
	STS_TXT_INVALID		/* the one record breaks the ABNF */
} sts_txt_status;

int		sts_txt_is_sts(const char *rec, size_t len);
int		sts_txt_parse(const char *rec, size_t len, char id[STS_ID_MAX + 1],
		    char *why, size_t whylen);
sts_txt_status	sts_txt_select(const char *const *recs, const size_t *lens, size_t n,
		    char id[STS_ID_MAX + 1], char *why, size_t whylen);

#endif
