/*
 * metrics.h -- counters, gauges and histograms, and their Prometheus text.
 *
 * SYNOPSIS
 *	metric *metric_counter(const char *name, const char *help, const char *label);
 *	metric *metric_gauge(const char *name, const char *help, const char *label);
 *	metric *metric_histogram(const char *name, const char *help,
 *	                         const double *bounds, size_t nbounds);
 *	void metric_inc(metric *m, const char *value);
 *	void metric_add(metric *m, const char *value, uint64_t n);
 *	metric_series *metric_series_of(metric *m, const char *value);
 *	void metric_series_add(metric_series *s, uint64_t n);
 *	void metric_set(metric *m, const char *value, int64_t v);
 *	void metric_observe(metric *m, double v);
 *	uint64_t metric_value(metric *m, const char *value);
 *	void metrics_collector(void (*fn)(strbuf *out, void *arg), void *arg);
 *	void metrics_write_family(strbuf *out, const char *name, const char *help,
 *	                          const char *type);
 *	void metrics_write_sample(strbuf *out, const char *name,
 *	                          const char *const *labels, double v);
 *	void metrics_render(strbuf *out);
 *	void metrics_reset(void);
 *
 * DESCRIPTION
 *	One process-wide registry. A daemon (the milter, dmarctls-policyd,
 *	the report side) registers each metric with one call at start, keeps
 *	the handle, and updates it from any thread: an update is one atomic
 *	add or store on a series found without a lock, so counting costs
 *	nothing on the message path. metrics_render() writes the text
 *	exposition format (version 0.0.4: # HELP, # TYPE, samples) that
 *	metrics_http.h serves.
 *
 *	A metric has at most one label (label NULL: none); each distinct
 *	value of it is one series, made on first use. Label values may come
 *	from the network (an MTA's {tls_version}), so at most
 *	METRICS_SERIES_MAX values are kept per metric, each at most
 *	METRICS_VALUE_MAX bytes; anything beyond is counted under the value
 *	"other" rather than growing without bound. Values are escaped on
 *	output (backslash, double quote, newline).
 *
 *	metrics_collector() adds a function called at each scrape (never on
 *	the message path) for series computed then: current sessions, the
 *	DANE state of each endpoint, build information. It writes with
 *	metrics_write_family() and metrics_write_sample(); labels is a NULL
 *	terminated list of name, value pairs.
 *
 *	metric_series_of() is the series of one value of a counter (made now
 *	if need be, as by metric_inc), to keep for a hot path:
 *	metric_series_add() is then one atomic add, without looking the
 *	value up (NULL: no such counter, nothing counted). A series lives as
 *	long as the registry (until metrics_reset()).
 *
 *	Names must match [a-zA-Z_:][a-zA-Z0-9_:]* and are registered once;
 *	registering a name again returns the metric already registered.
 *	Every function accepts m == NULL (a registration that failed for
 *	want of memory) and does nothing. metrics_reset() frees the registry
 *	(tests, and the end of a program under a leak checker).
 */
#ifndef DMARCTLS_METRICS_H
#define DMARCTLS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define METRICS_SERIES_MAX	32	/* label values per metric */
#define METRICS_VALUE_MAX	64	/* bytes of one label value */
#define METRICS_BUCKETS_MAX	24	/* histogram bounds */
#define METRICS_OTHER		"other"

typedef struct metric metric;
typedef struct series metric_series;

metric	*metric_counter(const char *name, const char *help, const char *label);
metric	*metric_gauge(const char *name, const char *help, const char *label);
metric	*metric_histogram(const char *name, const char *help, const double *bounds,
	    size_t nbounds);
void	metric_inc(metric *m, const char *value);
void	metric_add(metric *m, const char *value, uint64_t n);
metric_series *metric_series_of(metric *m, const char *value);
void	metric_series_add(metric_series *s, uint64_t n);
void	metric_set(metric *m, const char *value, int64_t v);
void	metric_observe(metric *m, double v);
uint64_t metric_value(metric *m, const char *value);
void	metrics_collector(void (*fn)(strbuf *out, void *arg), void *arg);
void	metrics_write_family(strbuf *out, const char *name, const char *help, const char *type);
void	metrics_write_sample(strbuf *out, const char *name, const char *const *labels, double v);
void	metrics_render(strbuf *out);
void	metrics_reset(void);

#endif
