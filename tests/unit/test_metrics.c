/*
 * test_metrics.c -- unit tests for the metrics registry and MetricsSocket parsing
 * (util/metrics.c, util/metrics_socket.c): the exposition text, exact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "metrics_http.h"

static char *
render(void)
{
	strbuf	sb = STRBUF_INIT;

	metrics_render(&sb);
	assert_false(sb.failed);
	return strbuf_detach(&sb);
}

static char collect_version[] = "v1";

static void
test_collect(strbuf *out, void *arg)
{
	metrics_write_family(out, "b_info", "B", "gauge");
	metrics_write_sample(out, "b_info",
	    (const char *const[]){ "version", arg, "x", "\"", NULL }, 1);
}

static int
reset(void **state)
{
	(void)state;
	metrics_reset();
	return 0;
}

static void
counter_without_label_says_zero_until_counted(void **state)
{
	metric	*m = metric_counter("t_total", "Things", NULL);
	char	*s = render();

	assert_non_null(m);
	assert_string_equal(s, "# HELP t_total Things\n# TYPE t_total counter\nt_total 0\n");
	free(s);
	metric_add(m, NULL, 41);
	metric_inc(m, "ignored: no label");
	s = render();
	assert_string_equal(s, "# HELP t_total Things\n# TYPE t_total counter\nt_total 42\n");
	free(s);
}

static void
labelled_series_in_order_of_first_use(void **state)
{
	metric	*m = metric_counter("msg_total", "Messages", "action");
	char	*s;

	metric_inc(m, "reject");
	metric_inc(m, "accept");
	metric_inc(m, "reject");
	s = render();
	assert_string_equal(s, "# HELP msg_total Messages\n# TYPE msg_total counter\n"
	    "msg_total{action=\"reject\"} 2\nmsg_total{action=\"accept\"} 1\n");
	assert_int_equal(metric_value(m, "reject"), 2);
	assert_int_equal(metric_value(m, "never"), 0);
	free(s);
}

static void
kept_series_count_as_metric_inc_does(void **state)
{
	metric	*m = metric_counter("k_total", "Kept", "kind");
	metric_series *a = metric_series_of(m, "a");

	(void)state;
	assert_non_null(a);
	assert_ptr_equal(metric_series_of(m, "a"), a);	/* the same series */
	metric_series_add(a, 2);
	metric_inc(m, "a");
	metric_series_add(NULL, 1);			/* nothing counted */
	assert_int_equal(metric_value(m, "a"), 3);
	assert_null(metric_series_of(metric_gauge("k_gauge", "G", NULL), NULL));
	assert_null(metric_series_of(NULL, "a"));
}

static void
label_values_and_help_are_escaped(void **state)
{
	metric	*m = metric_gauge("g", "a \\ b\nc \"q\"", "v");
	char	*s;

	metric_set(m, "x\"y\\z\nw", -3);
	s = render();
	/* HELP escapes \ and newline only; a label value also the double quote */
	assert_string_equal(s, "# HELP g a \\\\ b\\nc \"q\"\n# TYPE g gauge\n"
	    "g{v=\"x\\\"y\\\\z\\nw\"} -3\n");
	free(s);
}

static void
series_beyond_the_cap_go_to_other(void **state)
{
	metric	*m = metric_counter("tls_total", "TLS", "version");
	char	v[32];
	int	i;

	for (i = 0; i < METRICS_SERIES_MAX + 20; i++) {
		snprintf(v, sizeof(v), "v%d", i);
		metric_inc(m, v);
	}
	assert_int_equal(metric_value(m, "v0"), 1);
	assert_int_equal(metric_value(m, "v30"), 1);
	assert_int_equal(metric_value(m, "v31"), 0);
	assert_int_equal(metric_value(m, METRICS_OTHER), 21);
	{
		char	big[METRICS_VALUE_MAX + 2];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		metric_inc(m, big);	/* too long: never stored, counted as other */
	}
	assert_int_equal(metric_value(m, METRICS_OTHER), 22);
}

static void
histogram_buckets_are_cumulative(void **state)
{
	static const double b[] = { 0.001, 0.01, 0.1 };
	metric	*m = metric_histogram("eval_seconds", "Eval", b, 3);
	char	*s;

	metric_observe(m, 0.0005);
	metric_observe(m, 0.001);	/* le is inclusive */
	metric_observe(m, 0.05);
	metric_observe(m, 7);
	s = render();
	assert_string_equal(s, "# HELP eval_seconds Eval\n# TYPE eval_seconds histogram\n"
	    "eval_seconds_bucket{le=\"0.001\"} 2\n"
	    "eval_seconds_bucket{le=\"0.01\"} 2\n"
	    "eval_seconds_bucket{le=\"0.1\"} 3\n"
	    "eval_seconds_bucket{le=\"+Inf\"} 4\n"
	    "eval_seconds_sum 7.0515\n"
	    "eval_seconds_count 4\n");
	free(s);
}

static void
bad_registrations_are_refused(void **state)
{
	static const double down[] = { 1, 0.5 };

	assert_null(metric_counter("1abc", "x", NULL));
	assert_null(metric_counter("a-b", "x", NULL));
	assert_null(metric_counter("ok", "x", "bad label"));
	assert_null(metric_histogram("h", "x", down, 2));
	assert_null(metric_histogram("h", "x", down, 0));
	/* the same name twice: the same metric; another type: refused */
	assert_ptr_equal(metric_counter("dup_total", "x", NULL), metric_counter("dup_total", "y", NULL));
	assert_null(metric_gauge("dup_total", "x", NULL));
	/* a NULL handle is a no-op */
	metric_inc(NULL, "x");
	metric_set(NULL, "x", 1);
	metric_observe(NULL, 1);
}

static void
collector_output_follows_the_registry(void **state)
{
	char	*s;

	metric_counter("a_total", "A", NULL);
	metrics_collector(NULL, NULL);	/* ignored */
	metrics_collector(test_collect, collect_version);
	s = render();
	assert_string_equal(s, "# HELP a_total A\n# TYPE a_total counter\na_total 0\n"
	    "# HELP b_info B\n# TYPE b_info gauge\nb_info{version=\"v1\",x=\"\\\"\"} 1\n");
	free(s);
}

#define THREADS	4
#define ADDS	100000

static void *
adder(void *arg)
{
	metric	*m = arg;
	int	i;

	for (i = 0; i < ADDS; i++)
		metric_inc(m, (i & 1) ? "odd" : "even");
	return NULL;
}

static void
concurrent_adds_are_all_counted(void **state)
{
	metric	*m = metric_counter("race_total", "Race", "k");
	pthread_t t[THREADS];
	int	i;

	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, adder, m), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(metric_value(m, "odd"), THREADS * ADDS / 2);
	assert_int_equal(metric_value(m, "even"), THREADS * ADDS / 2);
}

static void
metrics_socket_forms(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
	static const char *const bad[] = {
		"inet:0@127.0.0.1", "inet:65536@127.0.0.1", "inet:123456@127.0.0.1",
		"inet:@127.0.0.1", "inet:9100", "inet:9100@", "inet:9100@localhost",
		"inet:9100@127.0.0.1 ", "inet:+9100@127.0.0.1", "inet6:9100@127.0.0.1",
		"inet:9100@::1", "unix:/run/m.sock", "inet6:9100@[::1", "9100", "",
	};
	size_t	i;

	assert_int_equal(metrics_socket_parse("inet:9100@127.0.0.1", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 9100);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(metrics_socket_parse("inet6:65535@[::1]", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 65535);
	assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	assert_int_equal(metrics_socket_parse("inet6:1@::1", &ss, &len), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(metrics_socket_parse(bad[i], &ss, &len), -1);
	assert_int_equal(metrics_socket_parse(NULL, &ss, &len), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(counter_without_label_says_zero_until_counted, reset),
		cmocka_unit_test_teardown(labelled_series_in_order_of_first_use, reset),
		cmocka_unit_test_teardown(kept_series_count_as_metric_inc_does, reset),
		cmocka_unit_test_teardown(label_values_and_help_are_escaped, reset),
		cmocka_unit_test_teardown(series_beyond_the_cap_go_to_other, reset),
		cmocka_unit_test_teardown(histogram_buckets_are_cumulative, reset),
		cmocka_unit_test_teardown(bad_registrations_are_refused, reset),
		cmocka_unit_test_teardown(collector_output_follows_the_registry, reset),
		cmocka_unit_test_teardown(concurrent_adds_are_all_counted, reset),
		cmocka_unit_test(metrics_socket_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
