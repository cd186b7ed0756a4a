/*
 * socketmap.c -- the socketmap server: accept, frame, answer (see socketmap.h).
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "netstring.h"
#include "profile.h"
#include "socketmap.h"

#define SM_BUF		(SM_REQUEST_MAX + NS_DIGITS_MAX + 2)
#define SM_STACK	(256 * 1024)	/* a request needs far less */

static socketmap_config sm_cfg;
static int	sm_lfd = -1;
static pthread_mutex_t sm_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned sm_nclients;

unsigned
socketmap_clients(void)
{
	unsigned n;

	pthread_mutex_lock(&sm_lock);
	n = sm_nclients;
	pthread_mutex_unlock(&sm_lock);
	return n;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = send(fd, p, len, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Answer every complete netstring in buf; -1 to close the connection. */
static int
answer_all(int fd, char *buf, size_t *len, strbuf *reply, strbuf *frame)
{
	size_t	off, dlen, used;
	int	rc;

	while ((rc = ns_parse(buf, *len, SM_REQUEST_MAX, &off, &dlen, &used)) == 1) {
		if (sm_cfg.handle(sm_cfg.ctx, buf + off, dlen, reply) < 0
		    || reply->len == 0) {
			strbuf_reset(reply);
			strbuf_append(reply, "TEMP internal error");
		}
		strbuf_reset(frame);
		if (ns_append(frame, reply->s, reply->len) < 0
		    || write_all(fd, frame->s, frame->len) < 0)
			return -1;
		memmove(buf, buf + used, *len - used);
		*len -= used;
	}
	if (rc < 0)
		dt_log(LOG_WARNING, "socketmap client sent a malformed or oversized "
		       "netstring; closing the connection");
	return rc < 0 ? -1 : 0;
}

/*
 * One connection: read (SO_RCVTIMEO is the idle limit, so a request costs
 * a read and a send, no poll), answer what is complete, until EOF, error,
 * idle or a framing error.
 */
static void
serve(int fd)
{
	char	*buf = malloc(SM_BUF);
	size_t	len = 0;
	strbuf	reply = STRBUF_INIT, frame = STRBUF_INIT;
	ssize_t	n;

	while (buf != NULL) {
		if ((n = read(fd, buf + len, SM_BUF - len)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;			/* closed, idle (EAGAIN) or error */
		}
		len += (size_t)n;
		if (answer_all(fd, buf, &len, &reply, &frame) < 0)
			break;
		if (len == SM_BUF)
			break;			/* cannot happen: ns_parse says -1 first */
	}
	free(buf);
	strbuf_free(&reply);
	strbuf_free(&frame);
}

static void *
conn_thread(void *arg)
{
	int	fd = (int)(long)arg;
	struct timeval tv = { .tv_sec = sm_cfg.idle_s, .tv_usec = 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	serve(fd);
	close(fd);
	pthread_mutex_lock(&sm_lock);
	sm_nclients--;
	pthread_mutex_unlock(&sm_lock);
	return NULL;
}

static int
admit(void)
{
	int	ok;

	pthread_mutex_lock(&sm_lock);
	ok = sm_nclients < sm_cfg.max_clients;
	if (ok)
		sm_nclients++;
	pthread_mutex_unlock(&sm_lock);
	return ok;
}

static void
release(void)
{
	pthread_mutex_lock(&sm_lock);
	sm_nclients--;
	pthread_mutex_unlock(&sm_lock);
}

static void *
accept_thread(void *arg)
{
	pthread_attr_t attr;
	pthread_t tid;
	int	fd;

	(void)arg;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, SM_STACK);
	for (;;) {
		if ((fd = accept4(sm_lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				usleep(10000);	/* EMFILE: let others close */
			continue;
		}
		if (!admit()) {
			dt_log(LOG_WARNING, "%u socketmap clients (MaxClients): "
			       "closing a new connection", sm_cfg.max_clients);
			close(fd);
			continue;
		}
		if (pthread_create(&tid, &attr, conn_thread, (void *)(long)fd) != 0) {
			dt_log(LOG_ERR, "cannot start a connection thread");
			close(fd);
			release();
		}
	}
	return NULL;
}

int
socketmap_start(int lfd, const socketmap_config *cfg)
{
	pthread_t tid;

	sm_cfg = *cfg;
	sm_lfd = lfd;
	if (pthread_create(&tid, NULL, accept_thread, NULL) != 0)
		return -1;
	pthread_detach(tid);
	return 0;
}
