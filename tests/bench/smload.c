/*
 * smload.c -- socketmap load client for the dmarctls-policyd benchmark.
 *
 * SYNOPSIS
 *	smload HOST PORT CONNECTIONS SECONDS REQUEST EXPECT [RATE]
 *	smload unix:PATH CONNECTIONS SECONDS REQUEST EXPECT [RATE]
 *
 * DESCRIPTION
 *	Opens CONNECTIONS persistent connections (as that many smtp(8)
 *	processes would): TCP to HOST (an IPv4 address) and PORT, or to the
 *	UNIX-domain stream socket PATH (as a chrooted Postfix smtp(8) talks
 *	to its map), and spreads them over SMLOAD_THREADS threads
 *	(environment, default 1), each an epoll loop. A connection sends
 *	REQUEST ("NAME KEY") as a netstring, waits for the complete reply,
 *	checks that it is EXPECT and asks again: one request at a time per
 *	connection, as Postfix does. Without RATE the loop is closed (the
 *	next request leaves as soon as the reply is in); with RATE (lookups
 *	per second, all connections together) each connection sends on its
 *	own schedule of RATE / CONNECTIONS per second, staggered, and never
 *	before its previous reply: an open loop at a fixed offered load.
 *	A few threads serve every connection fairly (a thread per
 *	connection would measure the scheduler as much as the server: on a
 *	2-core machine the client's 100 threads compete with the server).
 *
 *	Latency is per request, from its send() to the last byte of its
 *	reply. Runs for SECONDS and prints one line:
 *	    lookups=N per_s=R p50_us=A p99_us=B max_us=C errors=E late=L
 *	    cpu_ms=U
 *	late counts paced requests that left more than 1 ms after their
 *	schedule (the client or server could not keep up); cpu_ms is the
 *	client's own CPU time (user + system), so that a run can say whether
 *	the client or the server was the limit. Exit 0 when it ran, 1 when it
 *	could not connect, 64 on bad arguments.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SM_MAX_CONN	4096
#define SM_MAX_THREADS	64
#define SM_MAX_SAMPLES	(1u << 23)	/* latencies kept in all at most */
#define SM_REPLY_MAX	4096		/* a reply we expect is far shorter */
#define SM_LATE_US	1000

typedef struct conn {
	int		fd;
	double		sent;		/* when the request in flight left */
	double		next;		/* paced: when the next may leave */
	size_t		got;
	char		buf[SM_REPLY_MAX];
} conn;

typedef struct worker {
	conn		*c;
	size_t		nc;
	unsigned	*lat;		/* microseconds */
	size_t		n, cap;
	unsigned long	errors, late;
	pthread_t	tid;
} worker;

static const char *req_frame, *expect_frame;
static size_t	req_len, expect_len;
static double	deadline, interval;	/* interval: paced, per connection */

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

static int
send_request(worker *w, conn *c, double t)
{
	if (interval > 0 && t - c->next > SM_LATE_US / 1e6)
		w->late++;
	c->sent = t;
	c->got = 0;
	if (send(c->fd, req_frame, req_len, MSG_NOSIGNAL) != (ssize_t)req_len)
		return -1;
	if (interval > 0)
		c->next += interval;
	return 0;
}

/* Read what is there; 1 when the reply is complete, 0 more to come, -1 error. */
static int
read_reply(worker *w, conn *c)
{
	ssize_t	r;

	r = read(c->fd, c->buf + c->got, sizeof(c->buf) - c->got);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r <= 0)
		return -1;
	c->got += (size_t)r;
	if (c->got < expect_len)
		return 0;
	if (c->got != expect_len || memcmp(c->buf, expect_frame, expect_len) != 0)
		w->errors++;
	return 1;
}

static void
record(worker *w, double t0, double t1)
{
	if (w->n < w->cap)
		w->lat[w->n++] = (unsigned)((t1 - t0) * 1e6);
}

/* Paced: the connections whose time has come and whose reply is in. */
static void
send_due(worker *w, char *waiting, double t)
{
	size_t	i;

	for (i = 0; i < w->nc; i++)
		if (waiting[i] && w->c[i].next <= t) {
			waiting[i] = 0;
			if (send_request(w, &w->c[i], t) < 0) {
				w->errors++;
				w->c[i].fd = -1;
			}
		}
}

/* How long epoll may wait: to the next paced send, in ns (epoll_pwait2). */
static struct timespec
wait_for(worker *w, const char *waiting, double t)
{
	struct timespec ts = { 0, 0 };
	double	soonest = deadline, d;
	size_t	i;

	for (i = 0; interval > 0 && i < w->nc; i++)
		if (waiting[i] && w->c[i].next < soonest)
			soonest = w->c[i].next;
	if ((d = soonest - t) > 0) {
		ts.tv_sec = (time_t)d;
		ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	}
	return ts;
}

static void *
run(void *arg)
{
	worker	*w = arg;
	struct epoll_event ev[256];
	char	*waiting = calloc(w->nc, 1);
	double	t;
	size_t	i;
	int	ep = epoll_create1(0), n, k;

	if (ep < 0 || waiting == NULL)
		exit(1);
	t = now();
	for (i = 0; i < w->nc; i++) {
		struct epoll_event e = { .events = EPOLLIN, .data.u64 = i };

		epoll_ctl(ep, EPOLL_CTL_ADD, w->c[i].fd, &e);
		w->c[i].next = t + interval * (double)i / (double)w->nc;
		waiting[i] = 1;
	}
	if (interval == 0)
		memset(waiting, 0, w->nc);
	for (i = 0; interval == 0 && i < w->nc; i++)
		if (send_request(w, &w->c[i], t) < 0)
			w->errors++;
	while ((t = now()) < deadline) {
		if (interval > 0)
			send_due(w, waiting, t);
		struct timespec ts = wait_for(w, waiting, t);

		n = epoll_pwait2(ep, ev, 256, &ts, NULL);
		t = now();
		for (k = 0; k < n; k++) {
			conn	*c = &w->c[ev[k].data.u64];
			int	rc = read_reply(w, c);

			if (rc < 0) {
				w->errors++;
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				continue;
			}
			if (rc == 0)
				continue;
			record(w, c->sent, t);
			if (interval > 0)
				waiting[ev[k].data.u64] = 1;
			else if (t < deadline && send_request(w, c, t) < 0)
				w->errors++;
		}
	}
	close(ep);
	free(waiting);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* The server's address: HOST PORT (argv[0], argv[1]) or unix:PATH; -1 bad. */
static int
target(char **argv, int unix_form, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;

	memset(ss, 0, sizeof(*ss));
	if (unix_form) {
		if (strlen(argv[0] + 5) >= sizeof(sun->sun_path) || argv[0][5] == '\0')
			return -1;
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, argv[0] + 5);
		*len = sizeof(*sun);
		return 0;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)atoi(argv[1]));
	*len = sizeof(*sin);
	return inet_pton(AF_INET, argv[0], &sin->sin_addr) == 1 ? 0 : -1;
}

static int
connect_all(worker *w, size_t nthreads, conn *all, size_t nconn,
	    const struct sockaddr_storage *ss, socklen_t sslen)
{
	size_t	i;
	int	on = 1;

	for (i = 0; i < nconn; i++) {
		if ((all[i].fd = socket(ss->ss_family, SOCK_STREAM, 0)) < 0
		    || connect(all[i].fd, (const struct sockaddr *)ss, sslen) < 0) {
			perror("smload: connect");
			return -1;
		}
		if (ss->ss_family == AF_INET)
			setsockopt(all[i].fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	}
	for (i = 0; i < nthreads; i++) {
		w[i].c = all + nconn * i / nthreads;
		w[i].nc = nconn * (i + 1) / nthreads - nconn * i / nthreads;
		w[i].cap = SM_MAX_SAMPLES / nthreads;
		if ((w[i].lat = malloc(w[i].cap * sizeof(unsigned))) == NULL)
			return -1;
	}
	return 0;
}

static long
cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000L
	    + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000L;
}

static void
report(worker *w, size_t nthreads, double secs, long cpu)
{
	unsigned *all;
	size_t	i, n = 0;
	unsigned long errors = 0, late = 0;

	for (i = 0; i < nthreads; i++) {
		n += w[i].n;
		errors += w[i].errors;
		late += w[i].late;
	}
	if ((all = malloc((n ? n : 1) * sizeof(unsigned))) == NULL)
		exit(1);
	for (n = 0, i = 0; i < nthreads; i++) {
		memcpy(all + n, w[i].lat, w[i].n * sizeof(unsigned));
		n += w[i].n;
	}
	qsort(all, n, sizeof(unsigned), cmp);
	printf("lookups=%zu per_s=%.0f p50_us=%u p99_us=%u max_us=%u errors=%lu "
	    "late=%lu cpu_ms=%ld\n", n, n / secs, n ? all[n / 2] : 0,
	    n ? all[(size_t)((double)n * 0.99)] : 0, n ? all[n - 1] : 0, errors,
	    late, cpu);
	free(all);
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	worker	*w;
	conn	*all;
	size_t	i, nconn, nthreads = 1;
	double	secs, start, rate = 0;
	long	cpu0;
	const char *env = getenv("SMLOAD_THREADS");
	int	unix_form = argc > 1 && strncmp(argv[1], "unix:", 5) == 0;
	char	**a = argv + (unix_form ? 2 : 3);	/* CONNECTIONS ... */

	argc -= unix_form ? 2 : 3;
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: smload HOST PORT CONNECTIONS SECONDS REQUEST "
			"EXPECT [RATE]\n"
			"       smload unix:PATH CONNECTIONS SECONDS REQUEST EXPECT "
			"[RATE]\n");
		return 64;
	}
	nconn = (size_t)atoi(a[0]);
	secs = atof(a[1]);
	if (argc == 5)
		rate = atof(a[4]);
	if (env != NULL)
		nthreads = (size_t)atoi(env);
	if (nconn < 1 || nconn > SM_MAX_CONN || secs <= 0 || rate < 0
	    || nthreads < 1 || nthreads > SM_MAX_THREADS
	    || target(argv + 1, unix_form, &ss, &sslen) < 0)
		return 64;
	if (nthreads > nconn)
		nthreads = nconn;
	interval = rate > 0 ? (double)nconn / rate : 0;
	req_frame = frame(a[2], &req_len);
	expect_frame = frame(a[3], &expect_len);
	if ((w = calloc(nthreads, sizeof(*w))) == NULL
	    || (all = calloc(nconn, sizeof(*all))) == NULL)
		return 1;
	if (connect_all(w, nthreads, all, nconn, &ss, sslen) < 0)
		return 1;
	cpu0 = cpu_ms();
	start = now();
	deadline = start + secs;
	for (i = 0; i < nthreads; i++)
		pthread_create(&w[i].tid, NULL, run, &w[i]);
	for (i = 0; i < nthreads; i++)
		pthread_join(w[i].tid, NULL);
	report(w, nthreads, now() - start, cpu_ms() - cpu0);
	return 0;
}
