/*
 * report_id.h -- the one identifier of a report.
 *
 * SYNOPSIS
 *	int report_id_new(long long day, char *id, size_t size);
 *	int report_id_valid(const char *id);
 *
 * DESCRIPTION
 *	RFC 9990 section 3.5.1 wants report_id, the Subject's Report-ID and
 *	the filename's unique-id identical, and unique-id is 1*(ALPHA /
 *	DIGIT): so the id is alphanumeric only, YYYYMMDD of the day then 16
 *	random characters [a-z0-9] (getrandom). It is made once, stored with
 *	the report, and used again on every retry. report_id_valid() says
 *	whether a string has that form (the "show" argument is checked).
 */
#ifndef DMARCTLS_REPORT_ID_H
#define DMARCTLS_REPORT_ID_H

#include <stddef.h>

#define REPORT_ID_LEN	24

int	report_id_new(long long day, char *id, size_t size);
int	report_id_valid(const char *id);

#endif
