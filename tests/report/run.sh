#!/bin/bash
#
# NAME
#	run.sh -- DMARC report tests: rows, store, spool, kill -9, PostgreSQL
#
# SYNOPSIS
#	tests/report/run.sh BUILDDIR
#
# DESCRIPTION
#	In a private namespace (tests/bench/common.sh): the signed DNS world
#	plus report domains of its own (report-world.sh), dmarctls-milter with
#	"Reports yes", and tests/bench/mload playing the MTA.
#
#	Cases: one row per message and author domain with the policy
#	snapshot and policy_evaluated (SQLite); kill -9 of the milter in the
#	middle of a load run (every message that got its final reply has
#	its row, from the database or the spool loaded at the next start);
#	a store that cannot be opened (rows go to the spool, mail flows,
#	verdicts unchanged, the spool is loaded once the store works); a
#	real PostgreSQL 15 started here as the postgres user on a unix
#	socket, two milters writing into it at once.
#
#	Last line: "report: N passed, M failed".
#
# ENVIRONMENT
#	DT_REPORT_KEEP=1	keep the temporary directory
set -u

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
REPORT_PREFIX=report
# shellcheck source=tests/bench/common.sh
. "$(dirname "$SELF")/../bench/common.sh"
builddir_arg "$@"
bench_namespace "$SELF" "$BUILDDIR"
# shellcheck source=tests/report/report-world.sh
. "$(dirname "$SELF")/report-world.sh"

MILTER=$BUILDDIR/dmarctls-milter
REPORTS=$BUILDDIR/dmarctls-reports
[ -x "$MILTER" ] || fatal setup "no $MILTER"
case "$(basename "$BUILDDIR")" in asan*) sanitizer_env ;; esac
export W_EXTRA_TEST_RECORDS
W_EXTRA_TEST_RECORDS=$(mktemp /tmp/dmarctls-report-zone.XXXXXX)
report_zone >"$W_EXTRA_TEST_RECORDS"
bench_world
rm -f "$W_EXTRA_TEST_RECORDS"
chmod 755 "$T"
report_corpus "$T/corpus.manifest"

# start_milter NAME STORE [KEY VALUE]... -- a milter with reporting on
start_milter() {
	local name=$1 store=$2 sock=$T/sock/$1.sock
	shift 2
	milter_conf tests/report "unix:$sock" RejectFailures yes Reports yes \
	    ReportStore "$store" ReportSpool "$T/$name.spool" ReportSubmitter mx.receiver.test \
	    "$@" >"$T/conf/$name.conf"
	"$MILTER" -f -c "$T/conf/$name.conf" >>"$T/log/$name.log" 2>&1 &
	eval "PID_$name=\$!"
	BENCH_PIDS="$BENCH_PIDS $!"
	bench_wait_socket "$sock" "$!" "$name"
}

# stop_milter NAME -- SIGTERM, wait (libmilter polls every 5 s)
stop_milter() {
	local pid
	eval "pid=\$PID_$1"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

sql() {
	sqlite3 -batch -noheader "$1" "$2" 2>&1
}

# replied FILE -- queue ids of messages that got a final reply from mload -v
replied() {
	awk '$1 == "msg" && $3 ~ /^action=(accept|reject|quarantine|tempfail)$/ {
		for (i = 4; i <= NF; i++) if ($i ~ /^qid=/) print substr($i, 5) }' "$1" | sort -u
}

# ---------------------------------------------------------------- SQLite
DB=$T/one.db
if start_milter one "sqlite:$DB"; then
	"$MLOAD" -s "unix:$T/sock/one.sock" -m "$T/corpus.manifest" -c 1 -v \
	    --qid-prefix ONE >"$T/out/one.mload" 2>&1
	stop_milter one
	n=$(grep -c '^msg ' "$T/out/one.mload")
	rows=$(sql "$DB" "SELECT count(*) FROM evaluation")
	[ "$n" -eq "$(grep -vc '^#' "$T/corpus.manifest")" ] && [ "$rows" = "$n" ] &&
	    ok "sqlite_one_row_per_message" ||
	    not_ok "sqlite_one_row_per_message" "messages $n, rows $rows"
	got=$(sql "$DB" "SELECT policy_domain, p, sp, np, adkim, aspf, testing, fo, psd, discovery,
	    dmarc_result, disposition, dkim_aligned, spf_aligned, reason, spf_domain, spf_scope,
	    spf_result, envelope_from, header_from, source_ip, rua FROM evaluation e
	    JOIN (SELECT 1) ON 1 WHERE msg_id = (SELECT msg_id FROM evaluation WHERE header_from='rpt.test'
	    AND dmarc_result='fail' LIMIT 1)")
	want="rpt.test|reject|||r|r|n|0|u|treewalk|fail|reject|fail|fail||rpt.test|mfrom|fail|rpt.test|rpt.test|$FAIL_IP|mailto:dmarc@rpt.test,mailto:agg@collector.test,mailto:x@unauth.test,mailto:y@mx.bogus.test"
	[ "$got" = "$want" ] && ok "sqlite_row_snapshot_spoof" ||
	    not_ok "sqlite_row_snapshot_spoof" "got '$got'"
	got=$(sql "$DB" "SELECT dmarc_result, disposition, spf_aligned, dkim FROM evaluation
	    WHERE header_from='rpt.test' AND dmarc_result='pass' LIMIT 1")
	want=$(printf 'pass|pass|pass|good.test\trsa\tpass\t')
	[ "$got" = "$want" ] && ok "sqlite_row_pass_disposition_and_dkim" ||
	    not_ok "sqlite_row_pass_disposition_and_dkim" "got '$got'"
	got=$(sql "$DB" "SELECT disposition, reason, testing FROM evaluation
	    WHERE header_from='rptt.test' AND dmarc_result='fail' LIMIT 1")
	[ "$got" = "quarantine|policy_test_mode|y" ] && ok "sqlite_row_policy_test_mode" ||
	    not_ok "sqlite_row_policy_test_mode" "got '$got'"
	got=$(sql "$DB" "SELECT policy_domain, p, dmarc_result, rua FROM evaluation
	    WHERE header_from='norec.test' LIMIT 1")
	[ "$got" = "||none|" ] && ok "sqlite_row_no_policy" || not_ok "sqlite_row_no_policy" "got '$got'"
	[ "$(sql "$DB" "PRAGMA journal_mode")" = wal ] && ok "sqlite_wal" ||
	    not_ok "sqlite_wal" "journal_mode $(sql "$DB" "PRAGMA journal_mode")"
	[ "$(sql "$DB" "SELECT version FROM dt_schema")" = 1 ] && ok "sqlite_schema_version" ||
	    not_ok "sqlite_schema_version" "$(sql "$DB" "SELECT * FROM dt_schema")"
else
	not_ok "sqlite_one_row_per_message" "milter did not start"
fi

# A database from a newer dmarctls is refused, not written into.
NEWER=$T/newer.db
sql "$NEWER" "CREATE TABLE dt_schema (version INTEGER NOT NULL); INSERT INTO dt_schema VALUES (99)" >/dev/null
if start_milter newer "sqlite:$NEWER"; then
	"$MLOAD" -s "unix:$T/sock/newer.sock" -m "$T/corpus.manifest" -c 1 -n 5 \
	    --qid-prefix NEW >"$T/out/newer.mload" 2>&1
	stop_milter newer
	if grep -q 'schema version 99' "$T/log/newer.log" && [ -s "$T/newer.spool" ] &&
	    [ "$(sql "$NEWER" "SELECT count(*) FROM sqlite_master WHERE name='evaluation'")" = 0 ]; then
		ok "sqlite_newer_schema_refused_rows_spooled"
	else
		not_ok "sqlite_newer_schema_refused_rows_spooled" "$(tail -2 "$T/log/newer.log")"
	fi
fi

# kill -9 in the middle of a load run: every final reply has its row.
KDB=$T/kill.db
if start_milter kill "sqlite:$KDB"; then
	"$MLOAD" -s "unix:$T/sock/kill.sock" -m "$T/corpus.manifest" -c 16 -n 200000 -v \
	    --qid-prefix KILL >"$T/out/kill.mload" 2>&1 &
	lp=$!
	sleep 3
	kill -9 "$PID_kill"
	wait "$lp" 2>/dev/null
	wait "$PID_kill" 2>/dev/null
	replied "$T/out/kill.mload" >"$T/out/kill.replied"
	# the next start loads what the spool holds
	start_milter kill "sqlite:$KDB" && sleep 1.5 && stop_milter kill
	sql "$KDB" "SELECT DISTINCT msg_id FROM evaluation WHERE msg_id LIKE 'KILL%'" |
	    sort -u >"$T/out/kill.rows"
	nrep=$(wc -l <"$T/out/kill.replied")
	missing=$(comm -23 "$T/out/kill.replied" "$T/out/kill.rows" | wc -l)
	if [ "$nrep" -gt 100 ] && [ "$missing" -eq 0 ]; then
		ok "sqlite_kill9_every_reply_has_its_row ($nrep replies)"
	else
		not_ok "sqlite_kill9_every_reply_has_its_row" "$nrep replies, $missing without a row"
	fi
fi

# The store cannot be opened: mail flows with the same verdicts, rows are
# spooled, and a later start with a working store loads them.
if start_milter down "sqlite:/nonexistent/dir/x.db"; then
	"$MLOAD" -s "unix:$T/sock/down.sock" -m "$T/corpus.manifest" -c 4 -n 100 -v \
	    --qid-prefix DOWN >"$T/out/down.mload" 2>&1
	stop_milter down
	bad=$(grep -c '^MISMATCH' "$T/out/down.mload")
	nrep=$(replied "$T/out/down.mload" | wc -l)
	spooled=$(grep -c '^DTR1' "$T/down.spool" 2>/dev/null)
	[ "$bad" -eq 0 ] && [ "$nrep" -eq 100 ] && [ "$spooled" -eq 100 ] &&
	    ok "store_down_mail_flows_rows_spooled" ||
	    not_ok "store_down_mail_flows_rows_spooled" "mismatches $bad, replies $nrep, spooled $spooled"
	start_milter down "sqlite:$T/down.db" && sleep 1.5 && stop_milter down
	rows=$(sql "$T/down.db" "SELECT count(*) FROM evaluation")
	[ "$rows" = 100 ] && [ ! -s "$T/down.spool" ] && [ ! -e "$T/down.spool.load" ] &&
	    ok "spool_loaded_when_store_back" || not_ok "spool_loaded_when_store_back" "rows $rows"
fi

# ------------------------------------------------------------ PostgreSQL
if pg_start "$T/pg"; then
	PGURI="postgresql:///dmarc?host=$T/pg/sock&user=postgres"
	start_milter pga "$PGURI" && start_milter pgb "$PGURI"
	"$MLOAD" -s "unix:$T/sock/pga.sock" -m "$T/corpus.manifest" -c 16 -n 600 -v \
	    --qid-prefix PGA >"$T/out/pga.mload" 2>&1 &
	la=$!
	"$MLOAD" -s "unix:$T/sock/pgb.sock" -m "$T/corpus.manifest" -c 16 -n 600 -v \
	    --qid-prefix PGB >"$T/out/pgb.mload" 2>&1
	wait "$la"
	stop_milter pga
	stop_milter pgb
	nrep=$(cat "$T/out/pga.mload" "$T/out/pgb.mload" | grep -c '^msg ')
	rows=$(pg_sql "SELECT count(*) FROM evaluation")
	both=$(pg_sql "SELECT count(DISTINCT substr(msg_id, 1, 3)) FROM evaluation")
	[ "$nrep" -eq 1200 ] && [ "$rows" = 1200 ] && [ "$both" = 2 ] &&
	    ok "postgresql_two_milters_at_once" ||
	    not_ok "postgresql_two_milters_at_once" "replies $nrep, rows $rows, writers $both"
	PG_OK=1
else
	not_ok "postgresql_start" "$(tail -3 "$T/pg/log" 2>/dev/null)"
	PG_OK=0
fi

[ "$PG_OK" = 1 ] && pg_stop "$T/pg"
summary_and_exit
