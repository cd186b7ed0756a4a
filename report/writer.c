/*
 * writer.c -- report rows: appended to the spool on the mail path, loaded into the store by a thread (see writer.h).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "spool.h"
#include "store.h"
#include "strbuf.h"
#include "writer.h"

struct report_writer {
	char		*store_uri;
	report_journal	*journal;
	report_log_fn	log;
	pthread_t	tid;
	pthread_mutex_t	lock;		/* stop and the wake-up */
	pthread_cond_t	work;
	int		stop;
	atomic_int	store_up;	/* the writer thread has a store */
	atomic_uint	wait_ms;	/* the last submitter's: SQLite's busy timeout */
	/* the writer thread's own */
	report_store	*store;
	unsigned	store_wait;	/* the busy timeout set on store */
	int		store_wait_set;
	time_t		next_open;
	size_t		since_checkpoint;	/* rows committed since the last one */
	int		backlog;	/* rows waited for the store: say when loaded */
	int		read_warned;	/* the spool file could not be read: said once */
};

/* The writer thread: close the store after a failure, reopen later. */
static void
drop_store(report_writer *w, const char *why)
{
	w->log(LOG_WARNING, "report: store %s: %s; rows go to the spool", w->store_uri, why);
	report_store_close(w->store);
	w->store = NULL;
	atomic_store(&w->store_up, 0);
	w->next_open = time(NULL) + REPORT_RETRY_SECONDS;
	w->backlog = 1;
}

/* The writer thread: open the store when it has none and its time has come. */
static void
writer_open(report_writer *w)
{
	char	err[512];

	if (w->store != NULL || time(NULL) < w->next_open)
		return;
	if ((w->store = report_store_open(w->store_uri, err, sizeof(err))) == NULL) {
		w->log(LOG_WARNING, "report: cannot open store %s: %s; rows go to the spool",
		    w->store_uri, err);
		w->next_open = time(NULL) + REPORT_RETRY_SECONDS;
		w->backlog = 1;
		return;
	}
	w->store_wait_set = 0;
	atomic_store(&w->store_up, 1);
}

/*
 * SQLite: a commit waits at most ReportCommitWait for the database lock
 * (another process writing), then the rows wait in the spool.
 */
static int
set_wait(report_writer *w, char *err, size_t errlen)
{
	unsigned wait_ms = atomic_load(&w->wait_ms);
	char	sql[64];

	if (strcmp(report_store_kind(w->store), "sqlite") != 0
	    || (w->store_wait_set && w->store_wait == wait_ms))
		return 0;
	snprintf(sql, sizeof(sql), "PRAGMA busy_timeout = %u", wait_ms);
	if (report_store_exec(w->store, sql, 0, NULL, err, errlen) < 0)
		return -1;
	w->store_wait = wait_ms;
	w->store_wait_set = 1;
	return 0;
}

/* The writer thread: rows in one transaction; -1 dropped the store. */
static int
commit_rows(report_writer *w, const report_row *rows, size_t n)
{
	char	err[512];
	size_t	i;

	if (set_wait(w, err, sizeof(err)) < 0 || report_store_begin(w->store, err, sizeof(err)) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (report_store_insert(w->store, &rows[i], err, sizeof(err)) < 0)
			goto fail_tx;
	if (report_store_commit(w->store, err, sizeof(err)) < 0)
		goto fail_tx;
	w->since_checkpoint += n;
	return 0;
fail_tx:
	report_store_rollback(w->store);
fail:
	drop_store(w, err);
	return -1;
}

/* Loading one file: rows in batches, each batch one transaction. */
typedef struct load_state {
	report_writer	*w;
	report_row	rows[REPORT_BATCH_MAX];
	size_t		n, total;
	int		failed;
} load_state;

static int
load_flush(load_state *ls)
{
	size_t	i;

	if (ls->n > 0 && !ls->failed && commit_rows(ls->w, ls->rows, ls->n) < 0)
		ls->failed = 1;
	if (!ls->failed)
		ls->total += ls->n;
	for (i = 0; i < ls->n; i++)
		report_row_free(&ls->rows[i]);
	ls->n = 0;
	return ls->failed ? -1 : 0;
}

static int
load_one(void *arg, report_row *r)
{
	load_state *ls = arg;

	ls->rows[ls->n++] = *r;
	return ls->n == REPORT_BATCH_MAX ? load_flush(ls) : 0;
}

/* The writer thread, with a store: one file of rows into it. 1: loaded. */
static int
load_file(report_writer *w, const char *path, load_state *ls)
{
	size_t	bad = 0;
	int	rc;

	ls->w = w;
	ls->n = ls->total = 0;
	ls->failed = 0;
	rc = report_spool_each(path, load_one, ls, &bad);
	if (load_flush(ls) < 0 || rc < 0) {
		if (!ls->failed && !w->read_warned)
			w->log(LOG_ERR, "report: cannot read the spool file %s: %m; it waits", path);
		w->read_warned = !ls->failed;
		return 0;
	}
	w->read_warned = 0;
	unlink(path);
	if (bad)
		w->log(LOG_WARNING, "report: %zu unreadable spool lines skipped", bad);
	if (w->backlog && ls->total > 0)
		w->log(LOG_INFO, "report: loaded %zu rows from the spool", ls->total);
	return 1;
}

/*
 * The writer thread, with a store: what the spool holds. A PATH.load
 * left by a failed load goes first, then the rows appended since.
 */
static void
load_spool(report_writer *w, load_state *ls)
{
	char	path[4096];
	int	i, rc;

	for (i = 0; i < 2 && w->store != NULL; i++) {
		if ((rc = report_journal_take(w->journal, path, sizeof(path))) < 0) {
			w->log(LOG_WARNING, "report: cannot take the spool for loading: %m");
			return;
		}
		if (rc == 0)
			break;
		if (!load_file(w, path, ls))
			return;
	}
	/* what waited for the store is in now */
	w->backlog = 0;
}

/* The writer thread: one round of its work (opening the store only when may_open). */
static void
writer_round(report_writer *w, load_state *ls, int may_open)
{
	if (may_open)
		writer_open(w);
	if (w->store != NULL)
		load_spool(w, ls);
	else if (report_journal_sync(w->journal) < 0)
		w->log(LOG_ERR, "report: cannot fsync the spool: %m");
	/* SQLite's WAL back into the database, between commits (no one waits) */
	if (w->store != NULL && w->since_checkpoint >= REPORT_CHECKPOINT_ROWS) {
		report_store_checkpoint(w->store);
		w->since_checkpoint = 0;
	}
}

static void
sleep_a_round(report_writer *w)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += REPORT_LOAD_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&w->work, &w->lock, &ts);
}

static void *
writer_main(void *arg)
{
	report_writer *w = arg;
	load_state *ls;

	if ((ls = calloc(1, sizeof(*ls))) == NULL) {
		w->log(LOG_ERR, "report: writer: out of memory; rows stay in the spool");
		return NULL;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		pthread_mutex_unlock(&w->lock);
		writer_round(w, ls, 1);
		pthread_mutex_lock(&w->lock);
		if (!w->stop)
			sleep_a_round(w);
	}
	pthread_mutex_unlock(&w->lock);
	/* stop: what the submitters appended, loaded (or fsync'd for the next
	 * start); no new attempt to open a store that is down: a stop never hangs on it */
	writer_round(w, ls, 0);
	if (w->store == NULL && report_journal_sync(w->journal) < 0)
		w->log(LOG_ERR, "report: cannot fsync the spool: %m");
	report_store_close(w->store);
	w->store = NULL;
	free(ls);
	return NULL;
}

/* Does the spool, or a file of it taken for loading, hold rows? */
static int
spool_left(const char *path)
{
	char	load[4096];
	struct stat st;

	snprintf(load, sizeof(load), "%s.load", path);
	return (stat(path, &st) == 0 && st.st_size > 0) || stat(load, &st) == 0;
}

report_writer *
report_writer_start(const report_writer_conf *conf)
{
	report_writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->log = conf->log;
	atomic_init(&w->wait_ms, REPORT_STORE_WAIT_MS);
	atomic_init(&w->store_up, 0);
	/* rows of an earlier run, or loaded halfway: say when they are in */
	w->backlog = spool_left(conf->spool);
	if ((w->store_uri = strdup(conf->store)) == NULL
	    || (w->journal = report_journal_new(conf->spool, conf->spool_max)) == NULL)
		goto fail;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	if (pthread_create(&w->tid, NULL, writer_main, w) != 0)
		goto fail_thread;
	return w;
fail_thread:
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
fail:
	report_journal_free(w->journal);
	free(w->store_uri);
	free(w);
	return NULL;
}

int
report_writer_submit(report_writer *w, const report_row *rows, size_t n, unsigned wait_ms)
{
	strbuf	sb = STRBUF_INIT;
	char	err[512];
	size_t	i;
	int	rc;

	if (n == 0)
		return 0;
	atomic_store(&w->wait_ms, wait_ms);
	strbuf_reserve(&sb, 1024 * n);	/* most rows: one allocation */
	for (i = 0; i < n; i++)
		report_row_append(&sb, &rows[i]);
	if (sb.failed) {
		strbuf_free(&sb);
		w->log(LOG_ERR, "report: %zu rows lost: out of memory", n);
		return -1;
	}
	rc = report_journal_append(w->journal, sb.s, sb.len, err, sizeof(err));
	strbuf_free(&sb);
	if (rc < 0) {
		w->log(LOG_ERR, "report: %zu rows lost: %s", n, err);
		return -1;
	}
	return atomic_load(&w->store_up) ? 0 : 1;
}

/* A writer whose store hangs at stop: left running for the exit (and reachable). */
static report_writer *abandoned;

void
report_writer_stop(report_writer *w)
{
	struct timespec ts;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += REPORT_STOP_SECONDS;
	if (pthread_timedjoin_np(w->tid, NULL, &ts) != 0) {
		w->log(LOG_WARNING, "report: store %s does not answer; the rows stay in the spool"
		    " for the next start", w->store_uri);
		if (report_journal_sync(w->journal) < 0)
			w->log(LOG_ERR, "report: cannot fsync the spool: %m");
		abandoned = w;
		return;
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
	report_journal_free(w->journal);
	free(w->store_uri);
	free(w);
}
