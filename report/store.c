/*
 * store.c -- the schema, its migration and the row insert, over either backend (see store.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "strbuf.h"

struct report_store {
	const rs_backend *be;
	void		*h;
	char		*insert_sql;
};

/*
 * Migration steps: step[v] takes a database at version v to v + 1. Types
 * and clauses both SQLite and PostgreSQL read the same way.
 */
static const char *const step_1[] = {
	"CREATE TABLE IF NOT EXISTS evaluation ("
	" reporter TEXT NOT NULL, msg_id TEXT NOT NULL,"
	" author_index INTEGER NOT NULL, received BIGINT NOT NULL, day BIGINT NOT NULL,"
	" source_ip TEXT NOT NULL, header_from TEXT NOT NULL,"
	" envelope_from TEXT NOT NULL, envelope_to TEXT NOT NULL,"
	" spf_domain TEXT NOT NULL, spf_scope TEXT NOT NULL, spf_result TEXT NOT NULL,"
	" dkim TEXT NOT NULL, policy_domain TEXT NOT NULL,"
	" p TEXT NOT NULL, sp TEXT NOT NULL, np TEXT NOT NULL,"
	" adkim TEXT NOT NULL, aspf TEXT NOT NULL, testing TEXT NOT NULL,"
	" fo TEXT NOT NULL, psd TEXT NOT NULL, discovery TEXT NOT NULL,"
	" dmarc_result TEXT NOT NULL, disposition TEXT NOT NULL,"
	" dkim_aligned TEXT NOT NULL, spf_aligned TEXT NOT NULL,"
	" reason TEXT NOT NULL, reason_comment TEXT NOT NULL,"
	" rua TEXT NOT NULL, ruf TEXT NOT NULL, policy_error TEXT NOT NULL,"
	" PRIMARY KEY (reporter, msg_id, received, author_index))",
	"CREATE INDEX IF NOT EXISTS evaluation_day ON evaluation (day, policy_domain)",
	/* one row per report: policy domain, UTC day, destination; the id and
	 * the mail are kept so a retry sends the same bytes (RFC 9990 3.5.2) */
	"CREATE TABLE IF NOT EXISTS report ("
	" report_id TEXT PRIMARY KEY, policy_domain TEXT NOT NULL,"
	" day BIGINT NOT NULL, destination TEXT NOT NULL, state TEXT NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" claimed_by TEXT NOT NULL DEFAULT '', claimed_at BIGINT NOT NULL DEFAULT 0,"
	" created BIGINT NOT NULL, sent_at BIGINT NOT NULL DEFAULT 0,"
	" records BIGINT NOT NULL DEFAULT 0, messages BIGINT NOT NULL DEFAULT 0,"
	" filename TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',"
	" last_error TEXT NOT NULL DEFAULT '',"
	" UNIQUE (policy_domain, day, destination))",
	NULL
};

/* 2: the report's XML kept beside its mail, for "show" */
static const char *const step_2[] = {
	"ALTER TABLE report ADD COLUMN xml TEXT NOT NULL DEFAULT ''",
	NULL
};

/* 3: RFC 9991 failure samples (row.h fcol) and the failure reports made of
 * them, one per destination, kept with their mail as aggregate reports are */
static const char *const step_3[] = {
	"CREATE TABLE IF NOT EXISTS failure ("
	" reporter TEXT NOT NULL, msg_id TEXT NOT NULL,"
	" received BIGINT NOT NULL, author_index INTEGER NOT NULL,"
	" kinds TEXT NOT NULL, alignment TEXT NOT NULL, authres TEXT NOT NULL,"
	" dkim TEXT NOT NULL, delivery TEXT NOT NULL, headers TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'new',"
	" claimed_by TEXT NOT NULL DEFAULT '', claimed_at BIGINT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (reporter, msg_id, received, author_index))",
	"CREATE INDEX IF NOT EXISTS failure_state ON failure (state, received)",
	"CREATE TABLE IF NOT EXISTS failure_report ("
	" report_id TEXT PRIMARY KEY, destination TEXT NOT NULL,"
	" policy_domain TEXT NOT NULL, source_ip TEXT NOT NULL, kinds TEXT NOT NULL,"
	" incidents BIGINT NOT NULL, state TEXT NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" claimed_by TEXT NOT NULL DEFAULT '', claimed_at BIGINT NOT NULL DEFAULT 0,"
	" created BIGINT NOT NULL, sent_at BIGINT NOT NULL DEFAULT 0,"
	" message TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '',"
	" reporter TEXT NOT NULL, msg_id TEXT NOT NULL,"	/* the sample it shows */
	" received BIGINT NOT NULL, author_index INTEGER NOT NULL)",
	"CREATE INDEX IF NOT EXISTS failure_report_dest ON failure_report (destination, created)",
	/* the redaction key (redact.h), one per store so a fleet shares it */
	"CREATE TABLE IF NOT EXISTS dt_secret (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
	NULL
};

static const char *const *const steps[REPORT_SCHEMA_VERSION] = { step_1, step_2, step_3 };

#define FAILURE_INSERT_SQL "INSERT INTO failure (reporter, msg_id, received, author_index," \
	" kinds, alignment, authres, dkim, delivery, headers)" \
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING"

long long
report_store_exec(report_store *s, const char *sql, int n, const char *const *params,
    char *err, size_t errlen)
{
	return s->be->exec(s->h, sql, n, params, err, errlen);
}

int
report_store_query(report_store *s, const char *sql, int n, const char *const *params,
    rs_row_fn fn, void *arg, char *err, size_t errlen)
{
	return s->be->query(s->h, sql, n, params, fn, arg, err, errlen);
}

int
report_store_begin(report_store *s, char *err, size_t errlen)
{
	return s->be->exec(s->h, s->be->begin_sql, 0, NULL, err, errlen) < 0 ? -1 : 0;
}

int
report_store_commit(report_store *s, char *err, size_t errlen)
{
	return s->be->exec(s->h, "COMMIT", 0, NULL, err, errlen) < 0 ? -1 : 0;
}

void
report_store_rollback(report_store *s)
{
	char	err[256];

	(void)s->be->exec(s->h, "ROLLBACK", 0, NULL, err, sizeof(err));
}

void
report_store_checkpoint(report_store *s)
{
	if (s != NULL && s->be->checkpoint != NULL)
		s->be->checkpoint(s->h);
}

const char *
report_store_kind(const report_store *s)
{
	return s->be->kind;
}

static int
get_version(void *arg, int ncols, const char *const *v)
{
	if (ncols > 0)
		*(int *)arg = atoi(v[0]);
	return 0;
}

/* One step, in one transaction, after re-reading the version under the lock. */
static int
migrate_once(report_store *s, int *done, char *err, size_t errlen)
{
	int	version = 0;
	const char *const *sql;
	char	num[16];
	const char *p[1] = { num };

	*done = 0;
	if (report_store_begin(s, err, errlen) < 0)
		return -1;
	if ((s->be->lock_sql && report_store_exec(s, s->be->lock_sql, 0, NULL, err, errlen) < 0)
	    || report_store_exec(s, "CREATE TABLE IF NOT EXISTS dt_schema (version INTEGER NOT NULL)",
	    0, NULL, err, errlen) < 0
	    || report_store_query(s, "SELECT max(version) FROM dt_schema", 0, NULL,
	    get_version, &version, err, errlen) < 0)
		goto fail;
	if (version > REPORT_SCHEMA_VERSION) {
		snprintf(err, errlen, "the store has schema version %d; this program knows %d",
		    version, REPORT_SCHEMA_VERSION);
		goto fail;
	}
	if (version == REPORT_SCHEMA_VERSION) {
		report_store_rollback(s);
		*done = 1;
		return 0;
	}
	for (sql = steps[version]; *sql != NULL; sql++)
		if (report_store_exec(s, *sql, 0, NULL, err, errlen) < 0)
			goto fail;
	snprintf(num, sizeof(num), "%d", version + 1);
	if (report_store_exec(s, "DELETE FROM dt_schema", 0, NULL, err, errlen) < 0
	    || report_store_exec(s, "INSERT INTO dt_schema (version) VALUES ($1)", 1, p,
	    err, errlen) < 0)
		goto fail;
	return report_store_commit(s, err, errlen);
fail:
	report_store_rollback(s);
	return -1;
}

static char *
make_insert_sql(void)
{
	strbuf	sb = STRBUF_INIT;
	size_t	i;

	strbuf_append(&sb, "INSERT INTO evaluation (");
	for (i = 0; i < REPORT_NCOLS; i++)
		strbuf_printf(&sb, "%s%s", i ? ", " : "", report_col_name(i));
	strbuf_append(&sb, ") VALUES (");
	for (i = 0; i < REPORT_NCOLS; i++)
		strbuf_printf(&sb, "%s$%zu", i ? ", " : "", i + 1);
	strbuf_append(&sb, ") ON CONFLICT DO NOTHING");
	if (sb.failed) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

report_store *
report_store_open(const char *uri, char *err, size_t errlen)
{
	report_store *s;
	int	done = 0, i;

	if ((s = calloc(1, sizeof(*s))) == NULL || (s->insert_sql = make_insert_sql()) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(s);
		return NULL;
	}
	if (strncmp(uri, "sqlite:", 7) == 0) {
		s->be = &rs_sqlite_backend;
		s->h = rs_sqlite_open(uri + 7, err, errlen);
	} else {
		s->be = &rs_pg_backend;
		s->h = rs_pg_open(uri, err, errlen);
	}
	if (s->h == NULL)
		goto fail;
	for (i = 0; i <= REPORT_SCHEMA_VERSION && !done; i++)
		if (migrate_once(s, &done, err, errlen) < 0)
			goto fail;
	return s;
fail:
	report_store_close(s);
	return NULL;
}

void
report_store_close(report_store *s)
{
	if (s == NULL)
		return;
	if (s->h != NULL)
		s->be->close(s->h);
	free(s->insert_sql);
	free(s);
}

/* The failure sample of r, keyed as its row. */
static int
insert_failure(report_store *s, const report_row *r, char *err, size_t errlen)
{
	const char *p[4 + REPORT_NFCOLS] = {
		r->col[RC_REPORTER], r->col[RC_MSG_ID], r->col[RC_RECEIVED],
		r->col[RC_AUTHOR_INDEX],
	};
	size_t	i;

	for (i = 0; i < REPORT_NFCOLS; i++)
		p[4 + i] = r->fcol[i] != NULL ? r->fcol[i] : "";
	return report_store_exec(s, FAILURE_INSERT_SQL, 4 + REPORT_NFCOLS, p,
	    err, errlen) < 0 ? -1 : 0;
}

int
report_store_insert(report_store *s, const report_row *r, char *err, size_t errlen)
{
	if (report_store_exec(s, s->insert_sql, REPORT_NCOLS,
	    (const char *const *)r->col, err, errlen) < 0)
		return -1;
	return r->fcol[0] != NULL ? insert_failure(s, r, err, errlen) : 0;
}
