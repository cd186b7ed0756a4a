/*
 * journal.c -- the spool held open for the milter's appends, taken whole for loading (see journal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "spool.h"

struct report_journal {
	pthread_mutex_t	lock;
	char		*path;
	size_t		max_bytes;
	int		fd;		/* -1: opened by the next append */
	size_t		size;		/* of the open file */
	int		unsynced;	/* appended since the last sync */
};

report_journal *
report_journal_new(const char *path, size_t max_bytes)
{
	report_journal *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	if ((j->path = strdup(path)) == NULL) {
		free(j);
		return NULL;
	}
	pthread_mutex_init(&j->lock, NULL);
	j->max_bytes = max_bytes;
	j->fd = -1;
	return j;
}

/* Lock held: the file open for appending, its size known. */
static int
open_file(report_journal *j, char *err, size_t errlen)
{
	struct stat st;

	if (j->fd >= 0)
		return 0;
	if ((j->fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0
	    || fstat(j->fd, &st) < 0) {
		snprintf(err, errlen, "open %s: %s", j->path, strerror(errno));
		if (j->fd >= 0)
			close(j->fd);
		j->fd = -1;
		return -1;
	}
	j->size = (size_t)st.st_size;
	return 0;
}

/* Lock held: all of data, or the file as it was before and -1. */
static int
write_all(report_journal *j, const char *data, size_t len, char *err, size_t errlen)
{
	size_t	done = 0;
	ssize_t	n;

	while (done < len) {
		if ((n = write(j->fd, data + done, len - done)) >= 0) {
			done += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		snprintf(err, errlen, "write %s: %s", j->path, strerror(errno));
		/* a line cut here would swallow the next one: cut it off */
		if (done > 0 && ftruncate(j->fd, (off_t)j->size) < 0) {
			close(j->fd);
			j->fd = -1;
		}
		return -1;
	}
	j->size += len;
	j->unsynced = 1;
	return 0;
}

int
report_journal_append(report_journal *j, const char *data, size_t len,
    char *err, size_t errlen)
{
	int	rc = -1;

	pthread_mutex_lock(&j->lock);
	if (open_file(j, err, errlen) < 0)
		goto out;
	if (j->size + len > j->max_bytes) {
		snprintf(err, errlen, "spool %s is full (%zu bytes)", j->path, j->size);
		goto out;
	}
	rc = write_all(j, data, len, err, errlen);
out:
	pthread_mutex_unlock(&j->lock);
	return rc;
}

int
report_journal_take(report_journal *j, char *loadpath, size_t size)
{
	int	rc;

	pthread_mutex_lock(&j->lock);
	rc = report_spool_take(j->path, loadpath, size);
	/* renamed (or removed by someone else): the next append opens PATH again */
	if (j->fd >= 0 && access(j->path, F_OK) < 0) {
		close(j->fd);
		j->fd = -1;
		j->unsynced = 0;
	}
	pthread_mutex_unlock(&j->lock);
	return rc;
}

int
report_journal_sync(report_journal *j)
{
	int	fd = -1, rc = 0;

	pthread_mutex_lock(&j->lock);
	if (j->fd >= 0 && j->unsynced && (fd = dup(j->fd)) >= 0)
		j->unsynced = 0;
	else if (j->fd >= 0 && j->unsynced)
		rc = -1;
	pthread_mutex_unlock(&j->lock);
	if (fd >= 0) {
		rc = fdatasync(fd);
		close(fd);
	}
	return rc;
}

void
report_journal_free(report_journal *j)
{
	if (j == NULL)
		return;
	if (j->fd >= 0)
		close(j->fd);
	pthread_mutex_destroy(&j->lock);
	free(j->path);
	free(j);
}
