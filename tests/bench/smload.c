/*
 * smload.c -- socketmap load client for the dmarctls-policyd benchmark.
 *
 * SYNOPSIS
 *	smload HOST PORT CONNECTIONS SECONDS REQUEST EXPECT
 *
 * DESCRIPTION
 *	Opens CONNECTIONS persistent TCP connections (as that many smtp(8)
 *	processes would), then each thread sends REQUEST ("NAME KEY") as a
 *	netstring, waits for the reply, checks that it is EXPECT, and asks
 *	again, closed loop, for SECONDS. Prints one line:
 *	    lookups=N per_s=R p50_us=A p99_us=B max_us=C errors=E
 *	Latency is per request (send to complete reply). Exit 0 when it ran,
 *	1 when it could not connect.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SM_MAX_CONN	1024
#define SM_MAX_SAMPLES	(1u << 22)	/* latencies kept per thread at most */

typedef struct worker {
	int		fd;
	unsigned	*lat;		/* microseconds */
	size_t		n, cap;
	unsigned long	errors;
	pthread_t	tid;
} worker;

static const char *req_frame, *expect_frame;
static size_t	req_len, expect_len;
static double	deadline;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
frame(const char *s, size_t *len)
{
	size_t	n = strlen(s);
	char	*f = malloc(n + 16);

	if (f == NULL)
		exit(1);
	*len = (size_t)snprintf(f, n + 16, "%zu:%s,", n, s);
	return f;
}

/* One request and its reply; -1 on a connection error. */
static int
ask(worker *w, char *buf, size_t size)
{
	size_t	got = 0;
	ssize_t	r;

	if (send(w->fd, req_frame, req_len, MSG_NOSIGNAL) != (ssize_t)req_len)
		return -1;
	while (got < expect_len) {
		if ((r = read(w->fd, buf + got, size - got)) <= 0)
			return -1;
		got += (size_t)r;
	}
	if (got != expect_len || memcmp(buf, expect_frame, expect_len) != 0)
		w->errors++;
	return 0;
}

static void *
run(void *arg)
{
	worker	*w = arg;
	char	buf[65536];
	double	t0;

	while ((t0 = now()) < deadline) {
		if (ask(w, buf, sizeof(buf)) < 0) {
			w->errors++;
			break;
		}
		if (w->n < w->cap)
			w->lat[w->n++] = (unsigned)((now() - t0) * 1e6);
	}
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	worker	*w;
	unsigned *all;
	size_t	i, n = 0, nconn;
	unsigned long errors = 0;
	double	secs, start;
	int	on = 1;

	if (argc != 7) {
		fprintf(stderr, "usage: smload HOST PORT CONNECTIONS SECONDS REQUEST EXPECT\n");
		return 64;
	}
	nconn = (size_t)atoi(argv[3]);
	secs = atof(argv[4]);
	if (nconn < 1 || nconn > SM_MAX_CONN || secs <= 0)
		return 64;
	req_frame = frame(argv[5], &req_len);
	expect_frame = frame(argv[6], &expect_len);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1)
		return 64;
	if ((w = calloc(nconn, sizeof(*w))) == NULL)
		return 1;
	for (i = 0; i < nconn; i++) {
		w[i].cap = SM_MAX_SAMPLES / nconn;
		if ((w[i].lat = malloc(w[i].cap * sizeof(unsigned))) == NULL
		    || (w[i].fd = socket(AF_INET, SOCK_STREAM, 0)) < 0
		    || connect(w[i].fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			perror("smload: connect");
			return 1;
		}
		setsockopt(w[i].fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	}
	start = now();
	deadline = start + secs;
	for (i = 0; i < nconn; i++)
		pthread_create(&w[i].tid, NULL, run, &w[i]);
	for (i = 0; i < nconn; i++) {
		pthread_join(w[i].tid, NULL);
		n += w[i].n;
		errors += w[i].errors;
	}
	secs = now() - start;
	if ((all = malloc((n ? n : 1) * sizeof(unsigned))) == NULL)
		return 1;
	for (n = 0, i = 0; i < nconn; i++) {
		memcpy(all + n, w[i].lat, w[i].n * sizeof(unsigned));
		n += w[i].n;
	}
	qsort(all, n, sizeof(unsigned), cmp);
	printf("lookups=%zu per_s=%.0f p50_us=%u p99_us=%u max_us=%u errors=%lu\n", n,
	    n / secs, n ? all[n / 2] : 0, n ? all[(size_t)(n * 0.99)] : 0,
	    n ? all[n - 1] : 0, errors);
	return 0;
}
