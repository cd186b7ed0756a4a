/*
 * failure_run.h -- what the three steps of the failures command share (failures.h).
 *
 * DESCRIPTION
 *	Private to failures.c, failure_take.c and failure_build.c: the run
 *	state, a text list from one-column queries, and small helpers.
 *	fr_take() is step 1, fr_build() step 2 (for one report row).
 */
#ifndef DMARCTLS_REPORT_FAILURE_RUN_H
#define DMARCTLS_REPORT_FAILURE_RUN_H

#include <stddef.h>

#include "failures.h"

typedef struct fr_run {
	const report_ctx *x;
	const report_failure_opts *o;
	report_failure_stats st;
	int		store_failed, out_failed;
} fr_run;

/* rows of text columns from a query */
typedef struct fr_rows {
	size_t	ncols, n;
	char	**v;		/* n * ncols strings */
	int	failed;
	size_t	max;		/* 0: no limit */
} fr_rows;

int	fr_rows_take(void *arg, int ncols, const char *const *v);
void	fr_rows_free(fr_rows *r);
#define FR_CELL(r, i, c)	((r)->v[(i) * (r)->ncols + (c)])

void	fr_num(char *buf, size_t size, long long v);
void	fr_store_error(fr_run *r, const char *what, const char *err);
int	fr_take(fr_run *r);
void	fr_build(fr_run *r, const char *id, const char *dest, const char *domain,
	    long long created);

#endif
