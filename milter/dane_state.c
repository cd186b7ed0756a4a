/*
 * dane_state.c -- the cached, background-refreshed DANE self-check (see dane_state.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dane_state.h"
#include "log.h"

typedef struct dane_file {
	char	*path;
	off_t	size;
	time_t	mtime;
	ino_t	ino;
} dane_file;

struct dt_dane_state {
	pthread_mutex_t	lock;		/* guards result */
	dane_res	result;
	int		known;		/* a check has run */
	char		owner[256];
	dns_resolver	*resolver;	/* not ours */
	tlsa_chain	*chain;		/* only the refresher touches it */
	dane_file	file[DANE_STATE_MAX_FILES];
	size_t		nfiles;
	long		next;		/* when the next check is due */
};

/* dane_files_split - TLSCertificate is "path,path" (normalised by config.c) */
static int
dane_files_split(dt_dane_state *s, const char *list, char *err, size_t errlen)
{
	char	*copy = strdup(list), *tok, *save = NULL;

	if (copy == NULL)
		return -1;
	for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (s->nfiles == DANE_STATE_MAX_FILES) {
			snprintf(err, errlen, "TLSCertificate: more than %d files",
			    DANE_STATE_MAX_FILES);
			free(copy);
			return -1;
		}
		s->file[s->nfiles++].path = strdup(tok);
	}
	free(copy);
	return s->nfiles ? 0 : -1;
}

/* dane_files_changed - compare each file with what was read; remember now */
static int
dane_files_changed(dt_dane_state *s)
{
	struct stat st;
	size_t	i;
	int	changed = 0;

	for (i = 0; i < s->nfiles; i++) {
		dane_file *f = &s->file[i];

		if (stat(f->path, &st) < 0)
			continue;	/* a renewal in progress; the old chain stays */
		if (st.st_size != f->size || st.st_mtime != f->mtime || st.st_ino != f->ino)
			changed = 1;
		f->size = st.st_size;
		f->mtime = st.st_mtime;
		f->ino = st.st_ino;
	}
	return changed;
}

/* dane_load_chain - (re)read the chain; keep the old one on failure */
static int
dane_load_chain(dt_dane_state *s, char *err, size_t errlen)
{
	const char *paths[DANE_STATE_MAX_FILES];
	tlsa_chain *chain;
	size_t	i;

	for (i = 0; i < s->nfiles; i++)
		paths[i] = s->file[i].path;
	if ((chain = tlsa_chain_load(paths, s->nfiles, err, errlen)) == NULL)
		return -1;
	tlsa_chain_free(s->chain);
	s->chain = chain;
	return 0;
}

/* dane_run - one check; log each change of the result */
static void
dane_run(dt_dane_state *s, long now)
{
	dane_report rep;
	dane_res old;
	int	known;

	dane_check(dns_lookup_rrset, s->resolver, s->owner, s->chain, &rep);
	pthread_mutex_lock(&s->lock);
	old = s->result;
	known = s->known;
	s->result = rep.result;
	s->known = 1;
	pthread_mutex_unlock(&s->lock);
	if (rep.result == DANE_RES_TEMPERROR)
		s->next = now + DANE_STATE_RETRY;
	else
		s->next = now + (rep.ttl < DANE_STATE_MIN_TTL ? DANE_STATE_MIN_TTL
		    : rep.ttl > DANE_STATE_MAX_TTL ? DANE_STATE_MAX_TTL : rep.ttl);
	if (!known || old != rep.result)
		dt_log(rep.result == DANE_RES_FAIL ? LOG_ERR : LOG_INFO,
		    "DANE %s: %s (%s)%s", s->owner, dane_res_name(rep.result), rep.reason,
		    rep.result == DANE_RES_FAIL
		    ? ": DANE senders will refuse to deliver to us" : "");
	dane_report_free(&rep);
}

dt_dane_state *
dt_dane_state_new(const char *owner, const char *certs, dns_resolver *r, char *err,
    size_t errlen)
{
	dt_dane_state *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->resolver = r;
	snprintf(s->owner, sizeof(s->owner), "%s", owner);
	if (dane_files_split(s, certs, err, errlen) < 0)
		goto fail;
	(void)dane_files_changed(s);
	if (dane_load_chain(s, err, errlen) < 0)
		goto fail;
	/*
	 * No DNS here: the milter may still fork to detach, and a fork keeps
	 * only the calling thread, not libunbound's. The refresher runs the
	 * first check within a second.
	 */
	s->next = 0;
	return s;
fail:
	dt_dane_state_free(s);
	return NULL;
}

void
dt_dane_state_free(dt_dane_state *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nfiles; i++)
		free(s->file[i].path);
	tlsa_chain_free(s->chain);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void
dt_dane_state_refresh(dt_dane_state *s, long now)
{
	char	err[256];

	if (dane_files_changed(s)) {
		if (dane_load_chain(s, err, sizeof(err)) < 0) {
			dt_log(LOG_ERR, "DANE: cannot re-read TLSCertificate: %s", err);
			return;
		}
		dt_log(LOG_INFO, "DANE: TLSCertificate changed, checking %s again", s->owner);
		s->next = now;
	}
	if (now >= s->next)
		dane_run(s, now);
}

int
dt_dane_state_get(dt_dane_state *s, dane_res *res, char *owner, size_t ownerlen)
{
	int	known;

	pthread_mutex_lock(&s->lock);
	*res = s->result;
	known = s->known;
	pthread_mutex_unlock(&s->lock);
	snprintf(owner, ownerlen, "%s", s->owner);
	return known;
}
