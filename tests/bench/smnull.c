/*
 * NAME
 *	smnull -- a socketmap server that does no work: the ceiling of the
 *	policyd benchmark's machine
 *
 * SYNOPSIS
 *	smnull PORT REPLY
 *	smnull unix:PATH REPLY
 *
 * DESCRIPTION
 *	A benchmark reference, not part of dmarctls. Listens on 127.0.0.1:PORT
 *	(TCP_NODELAY, as dmarctls-policyd) or on the UNIX-domain stream socket
 *	PATH and answers every complete netstring request with the netstring
 *	of REPLY, whatever it asked: no key, no cache, no profile. One epoll
 *	loop, level-triggered, one read() and one send() per request, the
 *	system calls dmarctls-policyd makes on its cached path. What
 *	tests/bench/smload reaches against it is what this machine's sockets
 *	allow that client and any server on this machine; a real daemon's
 *	lookups/s divided by it is the share of that ceiling it reaches.
 *	Runs until killed. Exit 64 on bad arguments, 1 when it cannot listen.
 *
 * HOSTILE INPUT
 *	Only the benchmark's client talks to it. A request that is not a
 *	netstring of at most 4000 bytes closes its connection.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NULL_BUF	4096
#define NULL_MAXFD	65536

typedef struct {
	size_t	got;
	char	buf[NULL_BUF];
} null_conn;

static null_conn *conns[NULL_MAXFD];
static char	reply[NULL_BUF + 16];
static size_t	reply_len;

static int
listen_on(const char *where)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int	fd, on = 1;

	if (strncmp(where, "unix:", 5) == 0) {
		if (strlen(where + 5) >= sizeof(sun.sun_path))
			return -1;
		strcpy(sun.sun_path, where + 5);
		(void)unlink(sun.sun_path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0
		    || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			return -1;
	} else {
		sin.sin_port = htons((unsigned short)atoi(where));
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return -1;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return -1;
	}
	return listen(fd, 512) < 0 ? -1 : fd;
}

static void
accept_one(int ep, int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), on = 1;

	if (fd < 0)
		return;
	if (fd >= NULL_MAXFD || (conns[fd] = calloc(1, sizeof(null_conn))) == NULL) {
		close(fd);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	ev.data.fd = fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(conns[fd]);
		conns[fd] = NULL;
		close(fd);
	}
}

/* Length of the first whole netstring in c, 0 none yet, -1 not one. */
static long
whole_request(const null_conn *c)
{
	size_t	i, n = 0;

	for (i = 0; i < c->got && c->buf[i] >= '0' && c->buf[i] <= '9' && i < 5; i++)
		n = n * 10 + (size_t)(c->buf[i] - '0');
	if (i == c->got)
		return 0;
	if (i == 0 || c->buf[i] != ':' || n > NULL_BUF - 8)
		return -1;
	if (c->got < i + 1 + n + 1)
		return 0;
	return c->buf[i + 1 + n] == ',' ? (long)(i + 2 + n) : -1;
}

static void
close_conn(int fd)
{
	free(conns[fd]);
	conns[fd] = NULL;
	close(fd);
}

static void
serve(int fd)
{
	null_conn *c = conns[fd];
	ssize_t	r = read(fd, c->buf + c->got, sizeof(c->buf) - c->got);
	long	used;

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		close_conn(fd);
		return;
	}
	c->got += (size_t)r;
	while ((used = whole_request(c)) > 0) {
		memmove(c->buf, c->buf + used, c->got - (size_t)used);
		c->got -= (size_t)used;
		if (send(fd, reply, reply_len, MSG_NOSIGNAL) != (ssize_t)reply_len) {
			close_conn(fd);
			return;
		}
	}
	if (used < 0)
		close_conn(fd);
}

int
main(int argc, char **argv)
{
	struct epoll_event ev[256], lev = { .events = EPOLLIN };
	int	lfd, ep, n, k;

	if (argc != 3 || strlen(argv[2]) > NULL_BUF)
		return 64;
	reply_len = (size_t)snprintf(reply, sizeof(reply), "%zu:%s,", strlen(argv[2]), argv[2]);
	if ((lfd = listen_on(argv[1])) < 0 || (ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		perror("smnull");
		return 1;
	}
	lev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0)
		return 1;
	for (;;) {
		n = epoll_wait(ep, ev, 256, -1);
		for (k = 0; k < n; k++)
			if (ev[k].data.fd == lfd)
				accept_one(ep, lfd);
			else if (conns[ev[k].data.fd] != NULL)
				serve(ev[k].data.fd);
	}
}
