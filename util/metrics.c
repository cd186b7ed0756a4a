/*
 * metrics.c -- the process-wide metrics registry (see metrics.h).
 *
 * DESCRIPTION
 *	Series live in a fixed array per metric. A new series is made under
 *	the metric's mutex and published by a release store of the count;
 *	readers load the count with acquire and compare label values, so
 *	the common case (a series that exists) takes no lock. Values are
 *	64-bit atomics; a histogram keeps its sum in nanounits (1e-9) so
 *	that it, too, is one atomic add.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

typedef enum { M_COUNTER, M_GAUGE, M_HISTOGRAM } metric_kind;

typedef struct series {
	char		value[METRICS_VALUE_MAX + 1];
	uint64_t	v;		/* counter; gauge as int64 bits */
} series;

struct metric {
	metric_kind	kind;
	char		*name, *help, *label;
	pthread_mutex_t	lock;		/* making series */
	size_t		nseries;	/* published with release */
	series		s[METRICS_SERIES_MAX];
	/* histograms */
	double		bound[METRICS_BUCKETS_MAX];
	size_t		nbounds;
	uint64_t	bucket[METRICS_BUCKETS_MAX + 1];	/* not cumulative; last: +Inf */
	uint64_t	count, sum_nano;
	struct metric	*next;
};

typedef struct collector {
	void		(*fn)(strbuf *, void *);
	void		*arg;
	struct collector *next;
} collector;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static metric *reg_head, **reg_tail = &reg_head;
static collector *col_head, **col_tail = &col_head;

static int
name_valid(const char *s)
{
	const char *p;

	if (s == NULL || !*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
		    || (*p >= '0' && *p <= '9') || *p == '_' || *p == ':'))
			return 0;
	return 1;
}

static metric *
find_locked(const char *name)
{
	metric	*m;

	for (m = reg_head; m; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

static void
metric_free(metric *m)
{
	pthread_mutex_destroy(&m->lock);
	free(m->name);
	free(m->help);
	free(m->label);
	free(m);
}

/* metric_new - register (or find) a metric; NULL on a bad name or no memory */
static metric *
metric_new(metric_kind kind, const char *name, const char *help, const char *label)
{
	metric	*m;

	if (!name_valid(name) || (label && !name_valid(label)))
		return NULL;
	pthread_mutex_lock(&reg_lock);
	if ((m = find_locked(name)) != NULL) {
		pthread_mutex_unlock(&reg_lock);
		return m->kind == kind ? m : NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL
	    || (m->name = strdup(name)) == NULL || (m->help = strdup(help ? help : "")) == NULL
	    || (label && (m->label = strdup(label)) == NULL)) {
		if (m)
			metric_free(m);
		pthread_mutex_unlock(&reg_lock);
		return NULL;
	}
	m->kind = kind;
	pthread_mutex_init(&m->lock, NULL);
	*reg_tail = m;
	reg_tail = &m->next;
	pthread_mutex_unlock(&reg_lock);
	return m;
}

metric *
metric_counter(const char *name, const char *help, const char *label)
{
	return metric_new(M_COUNTER, name, help, label);
}

metric *
metric_gauge(const char *name, const char *help, const char *label)
{
	return metric_new(M_GAUGE, name, help, label);
}

metric *
metric_histogram(const char *name, const char *help, const double *bounds, size_t nbounds)
{
	metric	*m;
	size_t	i;

	if (nbounds == 0 || nbounds > METRICS_BUCKETS_MAX)
		return NULL;
	for (i = 1; i < nbounds; i++)
		if (!(bounds[i] > bounds[i - 1]))
			return NULL;	/* bounds must increase */
	if ((m = metric_new(M_HISTOGRAM, name, help, NULL)) != NULL && m->nbounds == 0) {
		memcpy(m->bound, bounds, nbounds * sizeof(*bounds));
		m->nbounds = nbounds;
	}
	return m;
}

static series *
series_scan(metric *m, const char *value, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(m->s[i].value, value) == 0)
			return &m->s[i];
	return NULL;
}

/* series_get - the series of one label value, made on first use */
static series *
series_get(metric *m, const char *value)
{
	size_t	n = __atomic_load_n(&m->nseries, __ATOMIC_ACQUIRE);
	series	*s;

	if (m->label == NULL || value == NULL)
		value = "";
	else if (strlen(value) > METRICS_VALUE_MAX)
		value = METRICS_OTHER;
	if ((s = series_scan(m, value, n)) != NULL)
		return s;
	pthread_mutex_lock(&m->lock);
	n = m->nseries;
	if ((s = series_scan(m, value, n)) == NULL) {
		if (n >= METRICS_SERIES_MAX - 1 && strcmp(value, METRICS_OTHER) != 0)
			s = series_scan(m, METRICS_OTHER, n);	/* the last slot is "other" */
		if (s == NULL && n < METRICS_SERIES_MAX) {
			s = &m->s[n];
			snprintf(s->value, sizeof(s->value), "%s",
			    n >= METRICS_SERIES_MAX - 1 ? METRICS_OTHER : value);
			__atomic_store_n(&m->nseries, n + 1, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&m->lock);
	return s;
}

void
metric_add(metric *m, const char *value, uint64_t n)
{
	series	*s;

	if (m && m->kind == M_COUNTER && (s = series_get(m, value)) != NULL)
		__atomic_fetch_add(&s->v, n, __ATOMIC_RELAXED);
}

metric_series *
metric_series_of(metric *m, const char *value)
{
	return m && m->kind == M_COUNTER ? series_get(m, value) : NULL;
}

void
metric_series_add(metric_series *s, uint64_t n)
{
	if (s != NULL)
		__atomic_fetch_add(&s->v, n, __ATOMIC_RELAXED);
}

void
metric_inc(metric *m, const char *value)
{
	metric_add(m, value, 1);
}

void
metric_set(metric *m, const char *value, int64_t v)
{
	series	*s;

	if (m && m->kind == M_GAUGE && (s = series_get(m, value)) != NULL)
		__atomic_store_n(&s->v, (uint64_t)v, __ATOMIC_RELAXED);
}

void
metric_observe(metric *m, double v)
{
	size_t	i;

	if (m == NULL || m->kind != M_HISTOGRAM || v != v)
		return;	/* NaN */
	for (i = 0; i < m->nbounds && v > m->bound[i]; i++)
		;
	__atomic_fetch_add(&m->bucket[i], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&m->count, 1, __ATOMIC_RELAXED);
	if (v > 0 && v < 1e9)
		__atomic_fetch_add(&m->sum_nano, (uint64_t)(v * 1e9 + 0.5), __ATOMIC_RELAXED);
}

/* metric_value - a counter's or gauge's value now (tests); 0 when absent */
uint64_t
metric_value(metric *m, const char *value)
{
	size_t	n;
	series	*s;

	if (m == NULL)
		return 0;
	if (m->kind == M_HISTOGRAM)
		return __atomic_load_n(&m->count, __ATOMIC_RELAXED);
	n = __atomic_load_n(&m->nseries, __ATOMIC_ACQUIRE);
	s = series_scan(m, m->label && value ? value : "", n);
	return s ? __atomic_load_n(&s->v, __ATOMIC_RELAXED) : 0;
}

void
metrics_collector(void (*fn)(strbuf *out, void *arg), void *arg)
{
	collector *c;

	if (fn == NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return;
	c->fn = fn;
	c->arg = arg;
	pthread_mutex_lock(&reg_lock);
	*col_tail = c;
	col_tail = &c->next;
	pthread_mutex_unlock(&reg_lock);
}

/* escape - HELP text escapes \ and newline; label values also " */
static void
escape(strbuf *out, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			strbuf_append(out, "\\\\");
		else if (*s == '\n')
			strbuf_append(out, "\\n");
		else if (quote && *s == '"')
			strbuf_append(out, "\\\"");
		else
			strbuf_appendc(out, *s);
	}
}

void
metrics_write_family(strbuf *out, const char *name, const char *help, const char *type)
{
	strbuf_printf(out, "# HELP %s ", name);
	escape(out, help, 0);
	strbuf_printf(out, "\n# TYPE %s %s\n", name, type);
}

/* fmt_double - the shortest of %.15g and %.17g that reads back as v */
static void
fmt_double(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
}

static void
write_number(strbuf *out, double v)
{
	char	buf[32];

	if (v != v)
		strbuf_append(out, "NaN");
	else if (v > 1.7976931348623157e308 || v < -1.7976931348623157e308)
		strbuf_append(out, v > 0 ? "+Inf" : "-Inf");
	else if (v < 9e15 && v > -9e15 && v == (double)(int64_t)v)
		strbuf_printf(out, "%lld", (long long)v);
	else {
		fmt_double(buf, sizeof(buf), v);
		strbuf_append(out, buf);
	}
}

void
metrics_write_sample(strbuf *out, const char *name, const char *const *labels, double v)
{
	size_t	i;

	strbuf_append(out, name);
	if (labels && labels[0]) {
		strbuf_appendc(out, '{');
		for (i = 0; labels[i] && labels[i + 1]; i += 2) {
			strbuf_printf(out, "%s%s=\"", i ? "," : "", labels[i]);
			escape(out, labels[i + 1], 1);
			strbuf_appendc(out, '"');
		}
		strbuf_appendc(out, '}');
	}
	strbuf_appendc(out, ' ');
	write_number(out, v);
	strbuf_appendc(out, '\n');
}

static void
render_histogram(strbuf *out, metric *m)
{
	char	name[256], le[32];
	uint64_t cum = 0;
	size_t	i;

	snprintf(name, sizeof(name), "%s_bucket", m->name);
	for (i = 0; i <= m->nbounds; i++) {
		cum += __atomic_load_n(&m->bucket[i], __ATOMIC_RELAXED);
		if (i < m->nbounds)
			fmt_double(le, sizeof(le), m->bound[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		metrics_write_sample(out, name, (const char *const[]){ "le", le, NULL },
		    (double)cum);
	}
	snprintf(name, sizeof(name), "%s_sum", m->name);
	metrics_write_sample(out, name, NULL,
	    (double)__atomic_load_n(&m->sum_nano, __ATOMIC_RELAXED) / 1e9);
	snprintf(name, sizeof(name), "%s_count", m->name);
	/* the +Inf bucket, not m->count: one scrape must agree with itself */
	metrics_write_sample(out, name, NULL, (double)cum);
}

static void
render_metric(strbuf *out, metric *m)
{
	static const char *const type[] = { "counter", "gauge", "histogram" };
	size_t	i, n;

	metrics_write_family(out, m->name, m->help, type[m->kind]);
	if (m->kind == M_HISTOGRAM) {
		render_histogram(out, m);
		return;
	}
	n = __atomic_load_n(&m->nseries, __ATOMIC_ACQUIRE);
	if (n == 0 && m->label == NULL)	/* never touched: still say 0 */
		metrics_write_sample(out, m->name, NULL, 0);
	for (i = 0; i < n; i++) {
		uint64_t v = __atomic_load_n(&m->s[i].v, __ATOMIC_RELAXED);

		metrics_write_sample(out, m->name,
		    m->label ? (const char *const[]){ m->label, m->s[i].value, NULL } : NULL,
		    m->kind == M_GAUGE ? (double)(int64_t)v : (double)v);
	}
}

void
metrics_render(strbuf *out)
{
	metric	*m;
	collector *c;

	pthread_mutex_lock(&reg_lock);
	for (m = reg_head; m; m = m->next)
		render_metric(out, m);
	for (c = col_head; c; c = c->next)
		c->fn(out, c->arg);
	pthread_mutex_unlock(&reg_lock);
}

void
metrics_reset(void)
{
	metric	*m, *mn;
	collector *c, *cn;

	pthread_mutex_lock(&reg_lock);
	for (m = reg_head; m; m = mn) {
		mn = m->next;
		metric_free(m);
	}
	for (c = col_head; c; c = cn) {
		cn = c->next;
		free(c);
	}
	reg_head = NULL;
	reg_tail = &reg_head;
	col_head = NULL;
	col_tail = &col_head;
	pthread_mutex_unlock(&reg_lock);
}
