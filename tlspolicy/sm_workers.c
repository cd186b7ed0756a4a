/*
 * sm_workers.c -- a pool of threads for socketmap cache misses (see sm_workers.h).
 */
#include <sys/eventfd.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sm_workers.h"

#define SM_WORKER_STACK	(256 * 1024)	/* a decision needs far less */

static pthread_mutex_t w_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t w_cond;
static sm_job	*q_head, *q_tail, *done_head;
static unsigned	q_len, w_total, w_idle, w_max;
static socketmap_handler w_handle;
static void	*w_ctx;
static int	w_wake = -1;

int
sm_workers_wake_fd(void)
{
	return w_wake;
}

int
sm_workers_init(unsigned max, socketmap_handler handle, void *ctx)
{
	pthread_condattr_t ca;

	w_max = max;
	w_handle = handle;
	w_ctx = ctx;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w_cond, &ca);
	pthread_condattr_destroy(&ca);
	w_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return w_wake < 0 ? -1 : 0;
}

/* The next job, or NULL when this worker has been idle long enough to go. */
static sm_job *
next_job(void)
{
	struct timespec until;
	sm_job	*j;

	pthread_mutex_lock(&w_lock);
	while (q_head == NULL) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += SM_WORKER_IDLE_S;
		w_idle++;
		if (pthread_cond_timedwait(&w_cond, &w_lock, &until) == ETIMEDOUT
		    && q_head == NULL && w_total > SM_WORKERS_KEEP) {
			w_idle--;
			w_total--;
			pthread_mutex_unlock(&w_lock);
			return NULL;
		}
		w_idle--;
	}
	j = q_head;
	if ((q_head = j->next) == NULL)
		q_tail = NULL;
	q_len--;
	pthread_mutex_unlock(&w_lock);
	return j;
}

static void
finish(sm_job *j)
{
	uint64_t one = 1;

	pthread_mutex_lock(&w_lock);
	j->next = done_head;
	done_head = j;
	pthread_mutex_unlock(&w_lock);
	while (write(w_wake, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void *
worker(void *arg)
{
	sm_job	*j;

	(void)arg;
	while ((j = next_job()) != NULL) {
		strbuf_reset(&j->reply);
		if (w_handle(w_ctx, j->req, j->reqlen, &j->reply) < 0
		    || j->reply.len == 0) {
			strbuf_reset(&j->reply);
			strbuf_append(&j->reply, "TEMP internal error");
		}
		finish(j);
	}
	return NULL;
}

/* With w_lock held: one more worker; 0, or -1 when none could be made. */
static int
spawn(void)
{
	pthread_attr_t attr;
	pthread_t tid;
	int	rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, SM_WORKER_STACK);
	rc = pthread_create(&tid, &attr, worker, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		return -1;
	w_total++;
	return 0;
}

int
sm_workers_submit(sm_job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&w_lock);
	if (q_len + 1 > w_idle && w_total < w_max && spawn() < 0 && w_total == 0) {
		pthread_mutex_unlock(&w_lock);
		dt_log(LOG_ERR, "cannot start a socketmap worker thread");
		return -1;
	}
	if (q_tail)
		q_tail->next = j;
	else
		q_head = j;
	q_tail = j;
	q_len++;
	pthread_cond_signal(&w_cond);
	pthread_mutex_unlock(&w_lock);
	return 0;
}

sm_job *
sm_workers_done(void)
{
	sm_job	*j;

	pthread_mutex_lock(&w_lock);
	j = done_head;
	done_head = NULL;
	pthread_mutex_unlock(&w_lock);
	return j;
}
