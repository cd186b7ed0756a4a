/*
 * writer.c -- the writer thread and its queue (see writer.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"
#include "store.h"
#include "strbuf.h"
#include "writer.h"

typedef struct rw_entry {
	struct rw_entry	*next;
	report_row	row;
} rw_entry;

struct report_writer {
	char		*store_uri, *spool;
	size_t		spool_max;
	report_log_fn	log;
	pthread_t	tid;
	pthread_mutex_t	lock;
	pthread_cond_t	work, done;
	pthread_mutex_t	spool_lock;	/* one appender at a time */
	rw_entry	*head, **tail;
	size_t		queued;
	unsigned long long seq;		/* tickets given out (one per submit) */
	unsigned long long committed;	/* tickets whose rows are durable */
	unsigned long long ticket_of_tail;
	int		stop;
	/* writer thread only */
	report_store	*store;
	time_t		next_open;
	size_t		since_checkpoint;	/* rows committed since the last one */
};

static int
copy_row(const report_row *from, report_row *to)
{
	size_t	i;

	memset(to, 0, sizeof(*to));
	for (i = 0; i < REPORT_NCOLS; i++) {
		if ((to->col[i] = strdup(from->col[i] != NULL ? from->col[i] : "")) == NULL) {
			report_row_free(to);
			return -1;
		}
	}
	return 0;
}

/* Append rows to the spool, durably. -1: lost (and logged). */
static int
spool_rows(report_writer *w, const report_row *const *rows, size_t n)
{
	strbuf	sb = STRBUF_INIT;
	char	err[512], *line;
	size_t	i;
	int	rc;

	for (i = 0; i < n; i++) {
		if ((line = report_row_encode(rows[i])) != NULL) {
			strbuf_append(&sb, line);
			free(line);
		}
	}
	if (sb.failed || sb.len == 0) {
		strbuf_free(&sb);
		w->log(LOG_ERR, "report: %zu rows lost: out of memory", n);
		return -1;
	}
	pthread_mutex_lock(&w->spool_lock);
	rc = report_spool_append(w->spool, sb.s, sb.len, w->spool_max, err, sizeof(err));
	pthread_mutex_unlock(&w->spool_lock);
	strbuf_free(&sb);
	if (rc < 0)
		w->log(LOG_ERR, "report: %zu rows lost: %s", n, err);
	return rc;
}

static void
drop_store(report_writer *w, const char *why)
{
	w->log(LOG_WARNING, "report: store %s: %s; rows go to the spool %s",
	    w->store_uri, why, w->spool);
	report_store_close(w->store);
	w->store = NULL;
	w->next_open = time(NULL) + REPORT_RETRY_SECONDS;
}

static void
try_open(report_writer *w)
{
	char	err[512];

	if (w->store != NULL || time(NULL) < w->next_open)
		return;
	if ((w->store = report_store_open(w->store_uri, err, sizeof(err))) == NULL) {
		w->log(LOG_WARNING, "report: cannot open store %s: %s", w->store_uri, err);
		w->next_open = time(NULL) + REPORT_RETRY_SECONDS;
	}
}

/* Insert rows in one transaction. */
static int
commit_rows(report_writer *w, const report_row *const *rows, size_t n)
{
	char	err[512];
	size_t	i;

	if (report_store_begin(w->store, err, sizeof(err)) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (report_store_insert(w->store, rows[i], err, sizeof(err)) < 0)
			goto fail_tx;
	if (report_store_commit(w->store, err, sizeof(err)) < 0)
		goto fail_tx;
	return 0;
fail_tx:
	report_store_rollback(w->store);
fail:
	drop_store(w, err);
	return -1;
}

/* Spool loading: rows in batches, each batch one transaction. */
typedef struct load_state {
	report_writer	*w;
	report_row	rows[REPORT_BATCH_MAX];
	const report_row *ptr[REPORT_BATCH_MAX];
	size_t		n, total;
	int		failed;
} load_state;

static int
load_flush(load_state *ls)
{
	size_t	i;
	int	rc = 0;

	if (ls->n > 0 && !ls->failed && commit_rows(ls->w, ls->ptr, ls->n) < 0)
		ls->failed = 1;
	if (ls->failed)
		rc = -1;
	else
		ls->total += ls->n;
	for (i = 0; i < ls->n; i++)
		report_row_free(&ls->rows[i]);
	ls->n = 0;
	return rc;
}

static int
load_one(void *arg, report_row *r)
{
	load_state *ls = arg;

	ls->rows[ls->n] = *r;
	ls->ptr[ls->n] = &ls->rows[ls->n];
	if (++ls->n == REPORT_BATCH_MAX)
		return load_flush(ls);
	return 0;
}

static void
load_spool(report_writer *w)
{
	char	path[4096];
	load_state *ls;
	size_t	bad = 0;
	int	rc;

	if (w->store == NULL)
		return;
	pthread_mutex_lock(&w->spool_lock);
	rc = report_spool_take(w->spool, path, sizeof(path));
	pthread_mutex_unlock(&w->spool_lock);
	if (rc <= 0 || (ls = calloc(1, sizeof(*ls))) == NULL)
		return;
	ls->w = w;
	rc = report_spool_each(path, load_one, ls, &bad);
	if (load_flush(ls) < 0 || rc < 0) {
		w->log(LOG_WARNING, "report: spool %s not loaded yet", path);
	} else {
		unlink(path);
		w->log(LOG_INFO, "report: loaded %zu rows from the spool%s", ls->total,
		    bad ? " (some lines were unreadable and skipped)" : "");
		if (bad)
			w->log(LOG_WARNING, "report: %zu unreadable spool lines skipped", bad);
	}
	free(ls);
}

static void
write_batch(report_writer *w, rw_entry *batch, size_t n)
{
	const report_row **ptr;
	rw_entry *e;
	size_t	i = 0;

	if ((ptr = calloc(n, sizeof(*ptr))) == NULL) {
		w->log(LOG_ERR, "report: %zu rows lost: out of memory", n);
		return;
	}
	for (e = batch; e != NULL; e = e->next)
		ptr[i++] = &e->row;
	try_open(w);
	if (w->store == NULL || commit_rows(w, ptr, n) < 0)
		(void)spool_rows(w, ptr, n);
	free(ptr);
}

static void *
writer_main(void *arg)
{
	report_writer *w = arg;
	rw_entry *batch, *e, *next;
	unsigned long long upto;
	struct timespec ts;
	size_t	n;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->head == NULL && !w->stop) {
			pthread_mutex_unlock(&w->lock);
			try_open(w);
			load_spool(w);
			pthread_mutex_lock(&w->lock);
			if (w->head != NULL || w->stop)
				break;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&w->work, &w->lock, &ts);
		}
		if (w->head == NULL && w->stop)
			break;
		/* take the whole queue (up to a batch): one commit for all */
		batch = w->head;
		for (n = 1, e = batch; e->next != NULL && n < REPORT_BATCH_MAX; e = e->next)
			n++;
		w->head = e->next;
		e->next = NULL;
		if (w->head == NULL) {
			w->tail = &w->head;
			upto = w->ticket_of_tail;
		} else {
			upto = 0;	/* partial: only count when the rest is done */
		}
		w->queued -= n;
		pthread_mutex_unlock(&w->lock);
		write_batch(w, batch, n);
		for (e = batch; e != NULL; e = next) {
			next = e->next;
			report_row_free(&e->row);
			free(e);
		}
		pthread_mutex_lock(&w->lock);
		if (upto > w->committed)
			w->committed = upto;
		pthread_cond_broadcast(&w->done);
		/* housekeeping after the waiters are free, not inside their commit */
		if ((w->since_checkpoint += n) >= REPORT_CHECKPOINT_ROWS && w->store != NULL) {
			pthread_mutex_unlock(&w->lock);
			report_store_checkpoint(w->store);
			w->since_checkpoint = 0;
			pthread_mutex_lock(&w->lock);
		}
	}
	pthread_mutex_unlock(&w->lock);
	report_store_close(w->store);
	w->store = NULL;
	return NULL;
}

report_writer *
report_writer_start(const report_writer_conf *conf)
{
	report_writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->log = conf->log;
	w->spool_max = conf->spool_max;
	w->tail = &w->head;
	if ((w->store_uri = strdup(conf->store)) == NULL
	    || (w->spool = strdup(conf->spool)) == NULL)
		goto fail;
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->spool_lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	if (pthread_create(&w->tid, NULL, writer_main, w) != 0)
		goto fail;
	return w;
fail:
	free(w->store_uri);
	free(w->spool);
	free(w);
	return NULL;
}

static void
deadline_in(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int
report_writer_submit(report_writer *w, const report_row *rows, size_t n, unsigned wait_ms)
{
	const report_row *ptr[DT_MAX_AUTHORS];
	rw_entry *first = NULL, **link = &first, *e;
	unsigned long long ticket;
	struct timespec ts;
	size_t	i;
	int	ok;

	if (n == 0)
		return 0;
	if (n > DT_MAX_AUTHORS)
		n = DT_MAX_AUTHORS;
	for (i = 0; i < n; i++)
		ptr[i] = &rows[i];
	for (i = 0; i < n; i++) {
		if ((e = calloc(1, sizeof(*e))) == NULL || copy_row(&rows[i], &e->row) < 0) {
			free(e);
			goto direct;
		}
		*link = e;
		link = &e->next;
	}
	pthread_mutex_lock(&w->lock);
	if (w->queued + n > REPORT_QUEUE_MAX || w->stop) {
		pthread_mutex_unlock(&w->lock);
		goto direct;
	}
	*w->tail = first;
	w->tail = link;
	w->queued += n;
	ticket = w->ticket_of_tail = ++w->seq;
	first = NULL;
	pthread_cond_signal(&w->work);
	deadline_in(&ts, wait_ms);
	while (w->committed < ticket)
		if (pthread_cond_timedwait(&w->done, &w->lock, &ts) == ETIMEDOUT)
			break;
	ok = w->committed >= ticket;
	pthread_mutex_unlock(&w->lock);
	if (ok)
		return 0;
	/* the store is slow: make the rows durable here, the writer's copy
	 * will be ignored as a duplicate if it commits later */
	return spool_rows(w, ptr, n) < 0 ? -1 : 1;
direct:
	while (first != NULL) {
		e = first->next;
		report_row_free(&first->row);
		free(first);
		first = e;
	}
	return spool_rows(w, ptr, n) < 0 ? -1 : 1;
}

void
report_writer_stop(report_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->tid, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->spool_lock);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	free(w->store_uri);
	free(w->spool);
	free(w);
}
