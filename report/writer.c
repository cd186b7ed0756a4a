/*
 * writer.c -- the queue of report rows, its group commits and the writer thread (see writer.h).
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

#define REPORT_STORE_WAIT_MS	5000	/* SQLite's busy timeout before any submit */
#define REPORT_WAL_FRAMES_MAX	16384	/* SQLite: finish a checkpoint with commits held */

typedef struct rw_entry {
	struct rw_entry	*next;
	unsigned long long ticket;	/* of the submit it came from */
	report_row	row;
} rw_entry;

struct report_writer {
	char		*store_uri, *spool;
	size_t		spool_max;
	report_log_fn	log;
	int		local;		/* SQLite: a submitter may commit (lead) itself */
	pthread_t	tid;
	pthread_mutex_t	lock;
	pthread_cond_t	work;		/* the writer thread's */
	pthread_cond_t	gen[2];		/* the waiters of batch b sleep on gen[b & 1] */
	pthread_mutex_t	spool_lock;	/* one appender at a time */
	rw_entry	*head, **tail;
	size_t		queued;
	unsigned long long seq;		/* tickets given out (one per submit) */
	unsigned long long committed;	/* tickets whose rows are durable */
	unsigned long long batch;	/* batches taken so far */
	unsigned long long batch_upto;	/* the last ticket of the last batch taken */
	int		busy;		/* the store is held (a leader or the writer thread) */
	int		writer_wants;	/* the writer thread waits for the store */
	unsigned	waiters;	/* submitters waiting for their commit */
	int		opened;		/* the writer thread's first open is over */
	int		stop;
	unsigned	wait_ms;	/* the last submitter's: SQLite's busy timeout */
	size_t		since_checkpoint;	/* rows committed since the last one */
	/* the holder of the store only */
	report_store	*store;
	report_store	*ck;		/* the writer thread's: SQLite checkpoints */
	unsigned	store_wait;	/* the busy timeout set on store */
	int		store_wait_set;
	time_t		next_open;
};

/*
 * A queued copy of a row: the entry and every column in one allocation
 * (one malloc and one free per row, not one per column). Free it with free().
 */
static rw_entry *
entry_new(const report_row *from)
{
	const char *src[REPORT_NCOLS + REPORT_NFCOLS];
	char	**dst[REPORT_NCOLS + REPORT_NFCOLS];
	size_t	len[REPORT_NCOLS + REPORT_NFCOLS], total = 0, i, n = REPORT_NCOLS;
	rw_entry *e;
	char	*p;

	/* the columns, then the failure sample's when the row has one */
	if (from->fcol[0] != NULL)
		n += REPORT_NFCOLS;
	for (i = 0; i < n; i++) {
		src[i] = i < REPORT_NCOLS ? from->col[i] : from->fcol[i - REPORT_NCOLS];
		len[i] = src[i] != NULL ? strlen(src[i]) + 1 : 1;
		total += len[i];
	}
	if ((e = malloc(sizeof(*e) + total)) == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	for (i = 0; i < n; i++)
		dst[i] = i < REPORT_NCOLS ? &e->row.col[i] : &e->row.fcol[i - REPORT_NCOLS];
	p = (char *)(e + 1);
	for (i = 0; i < n; i++) {
		if (src[i] != NULL)
			memcpy(p, src[i], len[i]);
		else
			*p = '\0';
		*dst[i] = p;
		p += len[i];
	}
	return e;
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

/* The holder of the store: close it after a failure, reopen later. */
static void
drop_store(report_writer *w, const char *why)
{
	report_store *s = w->store;

	w->log(LOG_WARNING, "report: store %s: %s; rows go to the spool %s",
	    w->store_uri, why, w->spool);
	pthread_mutex_lock(&w->lock);
	w->store = NULL;
	w->next_open = time(NULL) + REPORT_RETRY_SECONDS;
	pthread_mutex_unlock(&w->lock);
	report_store_close(s);
}

/*
 * SQLite: a commit waits at most wait_ms for the database lock (another
 * process writing), so a submitter that commits itself keeps the bound.
 */
static int
set_wait(report_writer *w, unsigned wait_ms, char *err, size_t errlen)
{
	char	sql[64];

	if (!w->local || (w->store_wait_set && w->store_wait == wait_ms))
		return 0;
	snprintf(sql, sizeof(sql), "PRAGMA busy_timeout = %u", wait_ms);
	if (report_store_exec(w->store, sql, 0, NULL, err, errlen) < 0)
		return -1;
	w->store_wait = wait_ms;
	w->store_wait_set = 1;
	return 0;
}

/* The holder of the store: insert rows in one transaction. */
static int
commit_rows(report_writer *w, const report_row *const *rows, size_t n, unsigned wait_ms)
{
	char	err[512];
	size_t	i;

	if (set_wait(w, wait_ms, err, sizeof(err)) < 0
	    || report_store_begin(w->store, err, sizeof(err)) < 0)
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

/*
 * The writer thread takes the store: it waits until no commit is in
 * progress, and no submitter starts one while it waits. Lock held.
 */
static void
take_store(report_writer *w)
{
	w->writer_wants = 1;
	while (w->busy)
		pthread_cond_wait(&w->work, &w->lock);
	w->writer_wants = 0;
	w->busy = 1;
}

/*
 * The holder gives the store back: to the writer thread if it waits or
 * has work, else to one waiter of the next batch, who commits it. Lock held.
 */
static void
give_store(report_writer *w)
{
	w->busy = 0;
	if (w->writer_wants || w->stop || (w->head != NULL && !w->local)
	    || w->since_checkpoint >= REPORT_CHECKPOINT_ROWS)
		pthread_cond_signal(&w->work);
	if (w->head != NULL && w->local && !w->writer_wants)
		pthread_cond_signal(&w->gen[(w->batch + 1) & 1]);
}

/* May a submitter commit the queue itself now? Lock held. */
static int
can_lead(const report_writer *w)
{
	return w->local && w->opened && !w->busy && !w->writer_wants && !w->stop
	    && w->head != NULL;
}

/* Spool loading: rows in batches, each batch one transaction. */
typedef struct load_state {
	report_writer	*w;
	report_row	rows[REPORT_BATCH_MAX];
	const report_row *ptr[REPORT_BATCH_MAX];
	size_t		n, total;
	int		failed;
} load_state;

/* The writer thread: one batch of the spool, holding the store meanwhile. */
static int
load_commit(load_state *ls)
{
	report_writer *w = ls->w;
	unsigned wait_ms;
	int	rc = -1;

	pthread_mutex_lock(&w->lock);
	take_store(w);
	wait_ms = w->wait_ms;
	pthread_mutex_unlock(&w->lock);
	if (w->store != NULL)
		rc = commit_rows(w, ls->ptr, ls->n, wait_ms);
	pthread_mutex_lock(&w->lock);
	w->since_checkpoint += ls->n;
	give_store(w);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

static int
load_flush(load_state *ls)
{
	size_t	i;
	int	rc = 0;

	if (ls->n > 0 && !ls->failed && load_commit(ls) < 0)
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

/* The writer thread, lock not held. */
static void
load_spool(report_writer *w)
{
	char	path[4096];
	load_state *ls;
	size_t	bad = 0;
	int	rc;

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

/* The holder of the store: commit a batch, or spool it when that fails. */
static void
write_batch(report_writer *w, rw_entry *batch, size_t n, unsigned wait_ms)
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
	if (w->store == NULL || commit_rows(w, ptr, n, wait_ms) < 0)
		(void)spool_rows(w, ptr, n);
	free(ptr);
}

/*
 * The holder of the store commits one batch: everything queued, up to
 * REPORT_BATCH_MAX rows, then wakes that batch's waiters. Called with
 * the lock held and the queue not empty; returns with the lock held.
 */
static void
lead(report_writer *w)
{
	rw_entry *batch = w->head, *e, *next;
	unsigned long long upto, b;
	unsigned wait_ms = w->wait_ms;
	size_t	n;

	for (n = 1, e = batch; e->next != NULL && n < REPORT_BATCH_MAX; e = e->next)
		n++;
	/* a submit cut in two is durable only with its second part */
	upto = e->next != NULL && e->next->ticket == e->ticket ? e->ticket - 1 : e->ticket;
	w->head = e->next;
	e->next = NULL;
	if (w->head == NULL)
		w->tail = &w->head;
	w->queued -= n;
	b = ++w->batch;
	w->batch_upto = upto;
	pthread_mutex_unlock(&w->lock);
	write_batch(w, batch, n, wait_ms);
	for (e = batch; e != NULL; e = next) {
		next = e->next;
		free(e);
	}
	pthread_mutex_lock(&w->lock);
	if (upto > w->committed)
		w->committed = upto;
	w->since_checkpoint += n;
	pthread_cond_broadcast(&w->gen[b & 1]);
}

/* The writer thread: open the store when it has none (not holding it meanwhile). */
static void
writer_open(report_writer *w)
{
	report_store *s;
	char	err[512];

	if (w->store != NULL || time(NULL) < w->next_open)
		return;
	pthread_mutex_unlock(&w->lock);
	if ((s = report_store_open(w->store_uri, err, sizeof(err))) == NULL)
		w->log(LOG_WARNING, "report: cannot open store %s: %s", w->store_uri, err);
	pthread_mutex_lock(&w->lock);
	take_store(w);
	w->store = s;
	w->store_wait_set = 0;
	if (s == NULL)
		w->next_open = time(NULL) + REPORT_RETRY_SECONDS;
	w->opened = 1;
	give_store(w);
}

typedef struct ck_result {
	long	log, done;	/* frames in the WAL, of them copied into the database */
} ck_result;

static int
ck_row(void *arg, int ncols, const char *const *v)
{
	ck_result *r = arg;

	if (ncols >= 3) {
		r->log = atol(v[1]);
		r->done = atol(v[2]);
	}
	return 0;
}

/* The writer thread: a PASSIVE checkpoint on its own connection. -1: none. */
static int
checkpoint_aside(report_writer *w, ck_result *r)
{
	char	err[512];

	if (w->ck == NULL && (w->ck = report_store_open(w->store_uri, err, sizeof(err))) == NULL)
		return -1;
	r->log = r->done = -1;
	if (report_store_query(w->ck, "PRAGMA wal_checkpoint(PASSIVE)", 0, NULL, ck_row, r,
	    err, sizeof(err)) < 0) {
		w->log(LOG_WARNING, "report: checkpoint: %s", err);
		report_store_close(w->ck);
		w->ck = NULL;
		return -1;
	}
	return 0;
}

/*
 * SQLite's WAL back into the database (lock held). First on a second
 * connection while submitters go on committing: nobody waits for it.
 * The WAL starts over (is written from its start again) only after a
 * checkpoint copied all of it and before the next commit; commits during
 * the checkpoint prevent that, so under steady load it grows. When it
 * holds REPORT_WAL_FRAMES_MAX frames, the rest is copied with commits
 * held, and the next commit starts it over.
 */
static void
checkpoint(report_writer *w)
{
	ck_result r;
	int	rc;

	pthread_mutex_unlock(&w->lock);
	rc = checkpoint_aside(w, &r);
	pthread_mutex_lock(&w->lock);
	if (rc == 0 && r.log < REPORT_WAL_FRAMES_MAX)
		return;
	take_store(w);
	pthread_mutex_unlock(&w->lock);
	if (checkpoint_aside(w, &r) < 0 && w->store != NULL)
		report_store_checkpoint(w->store);
	pthread_mutex_lock(&w->lock);
	give_store(w);
}

/*
 * The writer thread's work besides opening: rows no submitter commits
 * (PostgreSQL's; a queue whose waiters gave up), the checkpoint, the
 * spool. Lock held; returns 1 if it did something.
 */
static int
writer_chores(report_writer *w, time_t *last_load)
{
	int	did = 0;

	if (w->head != NULL && !w->busy && (!w->local || w->waiters == 0)) {
		take_store(w);
		while (w->head != NULL)
			lead(w);
		give_store(w);
		did = 1;
	}
	if (w->since_checkpoint >= REPORT_CHECKPOINT_ROWS) {
		w->since_checkpoint = 0;
		if (w->local && w->store != NULL)
			checkpoint(w);
		did = 1;
	}
	if (w->store != NULL && time(NULL) != *last_load) {
		*last_load = time(NULL);
		pthread_mutex_unlock(&w->lock);
		load_spool(w);
		pthread_mutex_lock(&w->lock);
	}
	return did;
}

static void *
writer_main(void *arg)
{
	report_writer *w = arg;
	report_store *s;
	struct timespec ts;
	time_t	last_load = 0;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		writer_open(w);
		if (writer_chores(w, &last_load) || w->stop)
			continue;
		/* rows queued while the lock was free for the spool (PostgreSQL) */
		if (w->head != NULL && !w->busy && (!w->local || w->waiters == 0))
			continue;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&w->work, &w->lock, &ts);
	}
	/* stop: commit what is queued; nobody takes the store after this */
	take_store(w);
	while (w->head != NULL)
		lead(w);
	s = w->store;
	w->store = NULL;
	pthread_mutex_unlock(&w->lock);
	report_store_close(s);
	report_store_close(w->ck);
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
	w->wait_ms = REPORT_STORE_WAIT_MS;
	/* a local file: the submitter's own thread commits (see writer.h) */
	w->local = strncmp(conf->store, "sqlite:", 7) == 0;
	if ((w->store_uri = strdup(conf->store)) == NULL
	    || (w->spool = strdup(conf->spool)) == NULL)
		goto fail;
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->spool_lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->gen[0], NULL);
	pthread_cond_init(&w->gen[1], NULL);
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

static int
expired(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec > deadline->tv_sec
	    || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/*
 * Wait (lock held) until ticket is durable, committing batches itself
 * when it may (see writer.h), at most until the deadline. 1: durable.
 */
static int
await_ticket(report_writer *w, unsigned long long ticket, const struct timespec *deadline)
{
	pthread_cond_t *cv;

	while (w->committed < ticket) {
		if (can_lead(w) && !expired(deadline)) {
			w->busy = 1;
			lead(w);
			give_store(w);
			continue;
		}
		/* the batch in progress holds the ticket, or the next one will */
		cv = &w->gen[(ticket <= w->batch_upto ? w->batch : w->batch + 1) & 1];
		if (pthread_cond_timedwait(cv, &w->lock, deadline) == ETIMEDOUT
		    && w->committed < ticket) {
			/* a wake-up meant for the next leader may have been ours */
			if (w->head != NULL && !w->busy) {
				pthread_cond_signal(&w->gen[(w->batch + 1) & 1]);
				pthread_cond_signal(&w->work);
			}
			return 0;
		}
	}
	return 1;
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
		if ((e = entry_new(&rows[i])) == NULL)
			goto direct;
		*link = e;
		link = &e->next;
	}
	deadline_in(&ts, wait_ms);
	pthread_mutex_lock(&w->lock);
	if (w->queued + n > REPORT_QUEUE_MAX || w->stop) {
		pthread_mutex_unlock(&w->lock);
		goto direct;
	}
	ticket = ++w->seq;
	for (e = first; e != NULL; e = e->next)
		e->ticket = ticket;
	*w->tail = first;
	w->tail = link;
	w->queued += n;
	w->wait_ms = wait_ms;
	first = NULL;
	if (!w->local || !w->opened)
		pthread_cond_signal(&w->work);
	w->waiters++;
	ok = await_ticket(w, ticket, &ts);
	w->waiters--;
	pthread_mutex_unlock(&w->lock);
	if (ok)
		return 0;
	/* the store is slow: make the rows durable here, the queued copy
	 * will be ignored as a duplicate if it commits later */
	return spool_rows(w, ptr, n) < 0 ? -1 : 1;
direct:
	while (first != NULL) {
		e = first->next;
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
	pthread_cond_destroy(&w->gen[0]);
	pthread_cond_destroy(&w->gen[1]);
	free(w->store_uri);
	free(w->spool);
	free(w);
}
