/*
 * socketmap.c -- the socketmap server: one epoll loop accepts, frames and
 *	answers every connection; misses go to sm_workers (see socketmap.h).
 *
 * A connection is in one of four states:
 *	C_IDLE		waiting for a request (deadline: idle_s)
 *	C_PARTIAL	part of a request is in (deadline: request_s from
 *			the first byte of it)
 *	C_WORK		a worker decides its request; its descriptor is out
 *			of the epoll set (no deadline: LookupBudget bounds it)
 *	C_WRITE		its reply did not fit the socket buffer; waiting for
 *			EPOLLOUT (deadline: request_s from the first short write)
 * Only C_IDLE and C_PARTIAL read, so requests are one at a time and a
 * client that pipelines without reading holds one reply of ours, no more.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "netstring.h"
#include "sm_workers.h"
#include "socketmap.h"

#define SM_BUF		(SM_REQUEST_MAX + NS_DIGITS_MAX + 2)
#define SM_EVENTS	256
#define SM_ACCEPT_BATCH	64	/* accepts per wakeup, then serve the others */
#define SM_FD_SPARE	128	/* descriptors besides clients: DNS, HTTPS, SQLite */
#define SM_ACCEPT_PAUSE_MS 100	/* after EMFILE: let connections close */

enum { C_IDLE, C_PARTIAL, C_WORK, C_WRITE };

typedef struct sm_conn {
	int		fd;
	int		state;
	uint32_t	watched;	/* events in the epoll set, 0: not in it */
	long long	deadline;	/* monotonic ms; 0: none */
	char		*in;
	size_t		inlen, incap;
	char		*out;		/* the unsent rest of a reply */
	size_t		outlen, outoff;
	sm_job		job;
	struct sm_conn	*prev, *next;
} sm_conn;

static socketmap_config sm_cfg;
static int	sm_lfd = -1, sm_ep = -1;
static unsigned	sm_nclients;
static sm_conn	*sm_all;
static strbuf	sm_reply = STRBUF_INIT, sm_frame = STRBUF_INIT;
static long long now_ms, accept_resume, refused_logged;
static unsigned long refused;
static char	tag_listen, tag_wake;	/* epoll data for the two non-clients */

unsigned
socketmap_clients(void)
{
	return __atomic_load_n(&sm_nclients, __ATOMIC_RELAXED);
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
watch(sm_conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (c->watched == events)
		return 0;
	if (epoll_ctl(sm_ep, c->watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev) < 0)
		return -1;
	c->watched = events;
	return 0;
}

static void
unwatch(sm_conn *c)
{
	if (c->watched)
		(void)epoll_ctl(sm_ep, EPOLL_CTL_DEL, c->fd, NULL);
	c->watched = 0;
}

/* Never while a worker holds c (C_WORK). */
static void
conn_close(sm_conn *c)
{
	close(c->fd);			/* also takes it out of the epoll set */
	if (c->prev)
		c->prev->next = c->next;
	else
		sm_all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->in);
	free(c->out);
	free(c->job.req);
	strbuf_free(&c->job.reply);
	free(c);
	__atomic_store_n(&sm_nclients, sm_nclients - 1, __ATOMIC_RELAXED);
}

static void
conn_new(int fd)
{
	sm_conn	*c = calloc(1, sizeof(*c));

	if (c == NULL || (c->in = malloc(SM_IN_FIRST)) == NULL) {
		free(c);
		close(fd);
		return;
	}
	c->fd = fd;
	c->incap = SM_IN_FIRST;
	c->job.owner = c;
	c->state = C_IDLE;
	c->deadline = now_ms + (long long)sm_cfg.idle_s * 1000;
	if ((c->next = sm_all) != NULL)
		sm_all->prev = c;
	sm_all = c;
	__atomic_store_n(&sm_nclients, sm_nclients + 1, __ATOMIC_RELAXED);
	if (watch(c, EPOLLIN) < 0)
		conn_close(c);
}

/*
 * Send len bytes of a framed reply: 0 all sent, 1 the rest kept for
 * EPOLLOUT (C_WRITE), -1 the connection is dead.
 */
static int
send_frame(sm_conn *c, const char *p, size_t len)
{
	ssize_t	n;

	do
		n = send(c->fd, p, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		return -1;
	if (n < 0)
		n = 0;
	if ((c->out = malloc(len - (size_t)n)) == NULL)
		return -1;
	memcpy(c->out, p + n, len - (size_t)n);
	c->outlen = len - (size_t)n;
	c->outoff = 0;
	c->state = C_WRITE;
	c->deadline = now_ms + (long long)sm_cfg.request_s * 1000;
	return watch(c, EPOLLOUT) < 0 ? -1 : 1;
}

/* Frame and send r (NULL or empty: a TEMP); as send_frame. */
static int
reply(sm_conn *c, const strbuf *r)
{
	static const char temp[] = "TEMP internal error";

	strbuf_reset(&sm_frame);
	if (r == NULL || r->failed || r->len == 0)
		ns_append(&sm_frame, temp, sizeof(temp) - 1);
	else
		ns_append(&sm_frame, r->s, r->len);
	if (sm_frame.failed)
		return -1;
	return send_frame(c, sm_frame.s, sm_frame.len);
}

static void
consume(sm_conn *c, size_t used)
{
	memmove(c->in, c->in + used, c->inlen - used);
	c->inlen -= used;
}

/* A miss: to a worker, the descriptor out of the epoll set meanwhile. */
static int
hand_off(sm_conn *c, const char *req, size_t len)
{
	if ((c->job.req = malloc(len ? len : 1)) == NULL)
		return -1;
	memcpy(c->job.req, req, len);
	c->job.reqlen = len;
	strbuf_reset(&c->job.reply);
	c->state = C_WORK;
	c->deadline = 0;
	unwatch(c);
	if (sm_workers_submit(&c->job) < 0) {
		c->state = C_IDLE;	/* no thread at all: let Postfix retry */
		return -1;
	}
	return 0;
}

/* What is left in c->in is not a whole request: set the state and deadline. */
static int
wait_for_more(sm_conn *c)
{
	size_t	cap = c->incap * 4 > SM_BUF ? SM_BUF : c->incap * 4;
	char	*p;

	if (c->inlen == 0) {
		c->state = C_IDLE;
		c->deadline = now_ms + (long long)sm_cfg.idle_s * 1000;
		return 0;
	}
	if (c->state != C_PARTIAL) {
		c->state = C_PARTIAL;
		c->deadline = now_ms + (long long)sm_cfg.request_s * 1000;
	}
	if (c->inlen < c->incap)
		return 0;
	if (c->incap >= SM_BUF || (p = realloc(c->in, cap)) == NULL)
		return -1;		/* full: cannot happen, ns_parse says -1 first */
	c->in = p;
	c->incap = cap;
	return 0;
}

/*
 * Answer the complete requests in c->in, one at a time, while replies
 * go out at once; stop at a miss, a short write or an incomplete request.
 * -1: close the connection.
 */
static int
take_requests(sm_conn *c)
{
	size_t	off, dlen, used;
	int	rc, w;

	for (;;) {
		rc = ns_parse(c->in, c->inlen, SM_REQUEST_MAX, &off, &dlen, &used);
		if (rc < 0) {
			dt_log(LOG_WARNING, "socketmap client sent a malformed or "
			       "oversized netstring; closing the connection");
			return -1;
		}
		if (rc == 0)
			return wait_for_more(c);
		rc = sm_cfg.cached(sm_cfg.ctx, c->in + off, dlen, &sm_reply);
		if (rc == 0) {
			w = hand_off(c, c->in + off, dlen);
			consume(c, used);
			return w < 0 ? -1 : 0;
		}
		consume(c, used);
		c->state = C_IDLE;
		if ((w = reply(c, rc < 0 ? NULL : &sm_reply)) != 0)
			return w < 0 ? -1 : 0;
	}
}

static void
on_readable(sm_conn *c)
{
	ssize_t	n = read(c->fd, c->in + c->inlen, c->incap - c->inlen);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);		/* the client closed, or an error */
		return;
	}
	c->inlen += (size_t)n;
	if (take_requests(c) < 0)
		conn_close(c);
}

static void
on_writable(sm_conn *c)
{
	ssize_t	n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	if ((c->outoff += (size_t)n) < c->outlen)
		return;
	free(c->out);
	c->out = NULL;
	c->state = C_IDLE;
	if (watch(c, EPOLLIN) < 0 || take_requests(c) < 0)
		conn_close(c);
}

static void
on_event(sm_conn *c, uint32_t events)
{
	if (c->state == C_WRITE)
		on_writable(c);
	else if (c->state != C_WORK && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		on_readable(c);
}

/* Replies the workers finished: send them, then back to reading. */
static void
finish_jobs(void)
{
	uint64_t n;
	sm_job	*j, *next;
	sm_conn	*c;
	int	w;

	(void)!read(sm_workers_wake_fd(), &n, sizeof(n));
	for (j = sm_workers_done(); j != NULL; j = next) {
		next = j->next;
		c = j->owner;
		free(j->req);
		j->req = NULL;
		c->state = C_IDLE;
		w = reply(c, &j->reply);
		strbuf_free(&j->reply);
		if (w == 0)
			w = watch(c, EPOLLIN) < 0 || take_requests(c) < 0 ? -1 : 0;
		if (w < 0)
			conn_close(c);
	}
}

static void
log_refused(int force)
{
	if (refused == 0 || (!force && now_ms - refused_logged < SM_REFUSED_LOG_S * 1000))
		return;
	dt_log(LOG_WARNING, "%u socketmap clients (MaxClients): closed %lu new "
	       "connection(s)", sm_cfg.max_clients, refused);
	refused = 0;
	refused_logged = now_ms;
}

static void
pause_accepting(void)
{
	dt_log(LOG_ERR, "socketmap accept: %s; pausing %d ms", strerror(errno),
	       SM_ACCEPT_PAUSE_MS);
	(void)epoll_ctl(sm_ep, EPOLL_CTL_DEL, sm_lfd, NULL);
	accept_resume = now_ms + SM_ACCEPT_PAUSE_MS;
}

static void
accept_ready(void)
{
	int	fd, i;

	for (i = 0; i < SM_ACCEPT_BATCH; i++) {
		if ((fd = accept4(sm_lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS
			    || errno == ENOMEM)
				pause_accepting();
			return;			/* EAGAIN: all taken */
		}
		if (sm_nclients >= sm_cfg.max_clients) {
			close(fd);
			refused++;
			log_refused(0);
			continue;
		}
		conn_new(fd);
	}
}

/* Every SM_TICK_MS: the deadlines, and accepting again after a pause. */
static void
tick(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &tag_listen };
	sm_conn	*c, *next;

	for (c = sm_all; c != NULL; c = next) {
		next = c->next;
		if (c->deadline == 0 || now_ms < c->deadline)
			continue;
		if (c->state == C_PARTIAL)
			dt_log(LOG_WARNING, "socketmap client sent part of a request "
			       "and no more for %u s (RequestTimeout); closing the "
			       "connection", sm_cfg.request_s);
		else if (c->state == C_WRITE)
			dt_log(LOG_WARNING, "socketmap client did not read its reply "
			       "for %u s (RequestTimeout); closing the connection",
			       sm_cfg.request_s);
		conn_close(c);		/* C_IDLE: IdleTimeout, a normal end */
	}
	if (accept_resume && now_ms >= accept_resume
	    && epoll_ctl(sm_ep, EPOLL_CTL_ADD, sm_lfd, &ev) == 0)
		accept_resume = 0;
	log_refused(0);
}

static void *
loop(void *arg)
{
	struct epoll_event ev[SM_EVENTS];
	long long next_tick = mono_ms() + SM_TICK_MS;
	int	n, k, listen_ready;

	(void)arg;
	for (;;) {
		now_ms = mono_ms();
		n = epoll_wait(sm_ep, ev, SM_EVENTS,
			       next_tick > now_ms ? (int)(next_tick - now_ms) : 0);
		now_ms = mono_ms();
		listen_ready = 0;
		for (k = 0; k < n; k++) {
			void	*p = ev[k].data.ptr;

			if (p == &tag_listen)
				listen_ready = 1;
			else if (p == &tag_wake)
				finish_jobs();
			else
				on_event(p, ev[k].events);
		}
		/* after the others: a connection closed in this round frees
		 * its place before a new one is counted against MaxClients */
		if (listen_ready)
			accept_ready();
		if (now_ms >= next_tick) {
			tick();
			next_tick = now_ms + SM_TICK_MS;
		}
	}
	return NULL;
}

/* Enough descriptors for max_clients connections, as far as the hard limit allows. */
static void
raise_fd_limit(unsigned max_clients)
{
	struct rlimit rl;
	rlim_t	want = (rlim_t)max_clients + SM_FD_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
		dt_log(LOG_WARNING, "MaxClients %u wants %lu descriptors; the limit "
		       "is %lu", max_clients, (unsigned long)want,
		       (unsigned long)rl.rlim_cur);
}

int
socketmap_start(int lfd, const socketmap_config *cfg)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &tag_listen };
	struct epoll_event wev = { .events = EPOLLIN, .data.ptr = &tag_wake };
	pthread_t tid;
	int	fl;

	sm_cfg = *cfg;
	sm_lfd = lfd;
	if ((fl = fcntl(lfd, F_GETFL)) < 0 || fcntl(lfd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;		/* accept_ready takes until EAGAIN */
	raise_fd_limit(cfg->max_clients);
	if (sm_workers_init(cfg->max_clients, cfg->handle, cfg->ctx) < 0
	    || (sm_ep = epoll_create1(EPOLL_CLOEXEC)) < 0
	    || epoll_ctl(sm_ep, EPOLL_CTL_ADD, lfd, &ev) < 0
	    || epoll_ctl(sm_ep, EPOLL_CTL_ADD, sm_workers_wake_fd(), &wev) < 0)
		return -1;
	if (pthread_create(&tid, NULL, loop, NULL) != 0)
		return -1;
	pthread_detach(tid);
	return 0;
}
