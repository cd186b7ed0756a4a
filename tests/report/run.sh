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
#	rows loaded while the milter runs (the spool emptied, no stop
#	needed); a store another connection holds locked (no session waits
#	for it, the rows wait in the spool, every row arrives once); the WAL
#	bounded under 20000 messages without a pause; a PostgreSQL server
#	that never answers (mail flows, the rows wait, a stop does not hang);
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

BENCH_KEEP=${DT_REPORT_KEEP:-}
TOP=$BENCH_TOP
MILTER=$BUILDDIR/dmarctls-milter
REPORTS=$BUILDDIR/dmarctls-reports
[ -x "$MILTER" ] || fatal setup "no $MILTER"
case "$(basename "$BUILDDIR")" in asan*) sanitizer_env ;; esac
export W_EXTRA_TEST_RECORDS
W_EXTRA_TEST_RECORDS=$(mktemp /tmp/dmarctls-report-zone.XXXXXX)
report_zone >"$W_EXTRA_TEST_RECORDS"
bench_world
# every server the suite starts, it stops: PostgreSQL too, on any exit
trap 'pg_stop_started; [ -n "${PF_STARTED:-}" ] && postfix -c "$PF" stop >/dev/null 2>&1; bench_cleanup' EXIT
rm -f "$W_EXTRA_TEST_RECORDS"
chmod 755 "$T"
report_corpus "$T/corpus.manifest"

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
	[ "$(sql "$DB" "SELECT version FROM dt_schema")" = 3 ] && ok "sqlite_schema_version" ||
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
	# the file exists before the loop below counts its lines (a slow fork)
	: >"$T/out/kill.mload"
	"$MLOAD" -s "unix:$T/sock/kill.sock" -m "$T/corpus.manifest" -c 16 -n 200000 -v \
	    --qid-prefix KILL >"$T/out/kill.mload" 2>&1 &
	lp=$!
	# kill once the load is well under way (ASan builds are slower)
	i=0
	while [ $i -lt 300 ] && [ "$(grep -c '^msg ' "$T/out/kill.mload")" -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
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

# While the milter runs, the writer thread loads the spool every 50 ms:
# the rows of a run are in the store within a second without a stop,
# and the spool file they went through is gone (taken, loaded, removed).
LIVE=$T/live.db
if start_milter live "sqlite:$LIVE"; then
	"$MLOAD" -s "unix:$T/sock/live.sock" -m "$T/corpus.manifest" -c 4 -n 200 \
	    --qid-prefix LIVE >"$T/out/live.mload" 2>&1
	i=0
	while [ $i -lt 30 ] && [ "$(sql "$LIVE" "SELECT count(DISTINCT msg_id) FROM evaluation
	    WHERE msg_id LIKE 'LIVE%'")" != 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	rows=$(sql "$LIVE" "SELECT count(DISTINCT msg_id) FROM evaluation WHERE msg_id LIKE 'LIVE%'")
	spool=$(stat -c %s "$T/live.spool" 2>/dev/null || echo 0)
	alive=0
	kill -0 "$PID_live" 2>/dev/null && alive=1
	stop_milter live
	[ "$rows" = 200 ] && [ "$spool" = 0 ] && [ ! -e "$T/live.spool.load" ] && [ "$alive" = 1 ] &&
	    ok "rows_loaded_while_running_spool_emptied (after $((i * 100)) ms)" ||
	    not_ok "rows_loaded_while_running_spool_emptied" \
	    "rows $rows of 200 after 3 s, spool $spool bytes, milter running $alive"
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

# A PostgreSQL server that takes the connection and never answers (a
# database host whose TCP stack lives on): mail flows at full speed, the
# rows wait in the spool, and a stop does not hang on the store (after
# libmilter's own up to 5 s the writer is given REPORT_STOP_SECONDS, 5;
# then the rows stay in the spool, fsync'd, for the next start; libpq's
# connect_timeout is 10 s).
HANG_PORT=15433
python3 -c 'import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", '"$HANG_PORT"'))
s.listen(64)
held = []
while True:
    held.append(s.accept()[0])' &
HANG_PID=$!
sleep 0.3
# (the URI's own connect_timeout, 60 s, wins over the default 10 s: the
# writer is still connecting when the stop comes)
if start_milter hang "postgresql://dmarctls@127.0.0.1:$HANG_PORT/dmarc?connect_timeout=60"; then
	"$MLOAD" -s "unix:$T/sock/hang.sock" -m "$T/corpus.manifest" -c 4 -n 40 -v \
	    --qid-prefix HANG >"$T/out/hang.mload" 2>&1
	# SIGTERM; libmilter notices it within 5 s, the writer gets 5 s more;
	# a stop that hangs is killed after 15 s (and the case fails)
	t0=$(date +%s%N)
	kill "$PID_hang" 2>/dev/null
	i=0
	while [ $i -lt 150 ] && kill -0 "$PID_hang" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$PID_hang" 2>/dev/null
	wait "$PID_hang" 2>/dev/null
	stop_ms=$((($(date +%s%N) - t0) / 1000000))
	gaveup=$(grep -c 'does not answer; the rows stay in the spool' "$T/log/hang.log")
	nrep=$(replied "$T/out/hang.mload" | wc -l)
	slowest=$(awk '$1 == "msg" { for (i = 4; i <= NF; i++) if ($i ~ /^ms=/) {
	    v = substr($i, 4) + 0; if (v > m) m = v } } END { printf "%d", m }' "$T/out/hang.mload")
	spooled=$(grep -c '^DTR1' "$T/hang.spool" 2>/dev/null)
	# (3 s per message leaves room for the ASan build on a busy machine;
	# a session that waited for the store would wait its 60 s connect)
	[ "$nrep" -eq 40 ] && [ "$slowest" -lt 3000 ] && [ "$spooled" -eq 40 ] &&
	    [ "$stop_ms" -lt 14000 ] && [ "$gaveup" = 1 ] &&
	    ok "postgresql_never_answers_mail_flows_stop_does_not_hang (stop ${stop_ms} ms)" ||
	    not_ok "postgresql_never_answers_mail_flows_stop_does_not_hang" \
	    "replies $nrep, slowest $slowest ms, spooled $spooled, stop $stop_ms ms, gave up logged $gaveup"
fi
kill "$HANG_PID" 2>/dev/null
wait "$HANG_PID" 2>/dev/null

# The store is locked by another writer (as dmarctls-reports or an admin's
# sqlite3 can hold it): the end of message never waits for the store (its
# rows go to the spool with one write), so every session ends at once --
# well below ReportCommitWait, which only bounds the writer thread's wait
# for the lock. That commit fails, the rows stay in the spool, the store
# is reopened 5 s later and the spool loaded: every message that got its
# reply has its row once.
LDB=$T/lock.db
if start_milter lock "sqlite:$LDB" ReportCommitWait 3000; then
	"$MLOAD" -s "unix:$T/sock/lock.sock" -m "$T/corpus.manifest" -c 1 -n 3 \
	    --qid-prefix LOCKA >/dev/null 2>&1
	# the writer thread's commit of those rows must be over, or it would
	# hold the lock the second connection asks for
	i=0
	while [ $i -lt 100 ] && [ "$(sql "$LDB" "SELECT count(DISTINCT msg_id) FROM evaluation
	    WHERE msg_id LIKE 'LOCKA%'")" != 3 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	# hold the write lock for 6 s from a second connection (waiting up to
	# 5 s for it should the writer still be checkpointing)
	(echo ".timeout 5000"; echo "BEGIN IMMEDIATE;"; sleep 6; echo "COMMIT;") |
	    sqlite3 "$LDB" &
	lockp=$!
	i=0
	while [ $i -lt 50 ] && ! sql "$LDB" "PRAGMA busy_timeout=0; BEGIN IMMEDIATE; ROLLBACK" |
	    grep -q locked; do
		sleep 0.1
		i=$((i + 1))
	done
	"$MLOAD" -s "unix:$T/sock/lock.sock" -m "$T/corpus.manifest" -c 8 -n 80 -v \
	    --qid-prefix LOCKB >"$T/out/lock.mload" 2>&1
	still=$(sql "$LDB" "PRAGMA busy_timeout=0; BEGIN IMMEDIATE; ROLLBACK" | grep -c locked)
	wait "$lockp"
	replied "$T/out/lock.mload" >"$T/out/lock.replied"
	nrep=$(wc -l <"$T/out/lock.replied")
	slowest=$(awk '$1 == "msg" { for (i = 4; i <= NF; i++) if ($i ~ /^ms=/) {
	    v = substr($i, 4) + 0; if (v > m) m = v } } END { printf "%d", m }' "$T/out/lock.mload")
	# the store is reopened REPORT_RETRY_SECONDS (5) after the failure
	i=0
	while [ $i -lt 200 ] && [ "$(sql "$LDB" "SELECT count(DISTINCT msg_id) FROM evaluation
	    WHERE msg_id LIKE 'LOCKB%'")" -lt "$nrep" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	stop_milter lock
	sql "$LDB" "SELECT DISTINCT msg_id FROM evaluation WHERE msg_id LIKE 'LOCKB%'" |
	    sort -u >"$T/out/lock.rows"
	missing=$(comm -23 "$T/out/lock.replied" "$T/out/lock.rows" | wc -l)
	dups=$(sql "$LDB" "SELECT count(*) - count(DISTINCT msg_id || '/' || author_index)
	    FROM evaluation WHERE msg_id LIKE 'LOCKB%'")
	# a session that waited for the lock would take 3 s; 1 s leaves room
	# for a loaded machine and the ASan build
	if [ "$still" = 1 ] && [ "$nrep" -eq 80 ] && [ "$slowest" -lt 1000 ] &&
	    [ "$missing" -eq 0 ] && [ "$dups" = 0 ] &&
	    grep -q 'database is locked; rows go to the spool' "$T/log/lock.log"; then
		ok "sqlite_locked_store_sessions_never_wait_rows_loaded_once (slowest ${slowest} ms)"
	else
		not_ok "sqlite_locked_store_sessions_never_wait_rows_loaded_once" \
		    "lock held $still, replies $nrep, slowest $slowest ms, $missing without a row, $dups twice"
	fi
fi

# The writer thread copies the WAL back into the database every 2000
# rows, between its loads (no commit runs meanwhile), so the WAL starts
# over and stays small under steady load: 20000 messages without a pause
# (about 40000 frames, 160 MB, of WAL if it were never copied back): the
# WAL file stays below 100 MB, every row is there, the spool is empty.
WDB=$T/wal.db
if start_milter wal "sqlite:$WDB"; then
	"$MLOAD" -s "unix:$T/sock/wal.sock" -m "$T/corpus.manifest" -c 32 -n 20000 \
	    --qid-prefix WAL >"$T/out/wal.mload" 2>&1
	walsize=$(stat -c %s "$WDB-wal" 2>/dev/null || echo 0)
	stop_milter wal
	msgs=$(awk '$1 == "level" { for (i = 2; i <= NF; i++) if ($i ~ /^messages=/) print substr($i, 10) }' \
	    "$T/out/wal.mload")
	rows=$(sql "$WDB" "SELECT count(DISTINCT msg_id) FROM evaluation WHERE msg_id LIKE 'WAL%'")
	spool=$(stat -c %s "$T/wal.spool" 2>/dev/null || echo 0)
	if [ "${msgs:-0}" -eq 20000 ] && [ "$rows" = 20000 ] && [ "$walsize" -gt 0 ] &&
	    [ "$walsize" -lt $((100 * 1024 * 1024)) ] && [ "$spool" = 0 ]; then
		ok "sqlite_wal_bounded_under_steady_load ($((walsize / 1048576)) MB)"
	else
		not_ok "sqlite_wal_bounded_under_steady_load" \
		    "messages ${msgs:-?}, rows $rows, WAL $walsize bytes, spool $spool bytes"
	fi
fi

# ------------------------------------------------------- dmarctls-reports
# Rows of a day that is over: the corpus four times, aged by one day.
RDB=$T/reports.db
if start_milter rep "sqlite:$RDB"; then
	"$MLOAD" -s "unix:$T/sock/rep.sock" -m "$T/corpus.manifest" -c 2 -n 20 \
	    --qid-prefix REP >"$T/out/rep.mload" 2>&1
	stop_milter rep
fi
sql "$RDB" "UPDATE evaluation SET day = day - 86400, received = received - 86400" >/dev/null
DAY=$(sql "$RDB" "SELECT DISTINCT day FROM evaluation")
DAYS=$(date -u -d "@$DAY" +%Y-%m-%d)
reports_conf() {
	milter_conf tests/report "unix:$T/sock/none.sock" ReportStore "sqlite:$1" \
	    ReportSubmitter mx.receiver.test ReportFrom dmarc-reports@receiver.test \
	    ReportOrgName "Receiver Test" "${@:2}"
}
reports_conf "$RDB" >"$T/conf/reports.conf"

"$REPORTS" -c "$T/conf/reports.conf" send --dry-run >"$T/out/dry.out" 2>"$T/out/dry.err"
rc=$?
want="would send rpt.test $DAY dmarc@rpt.test records=2 messages=8
would send rpt.test $DAY agg@collector.test records=2 messages=8
would send rptt.test $DAY dmarc@rptt.test records=1 messages=4"
if [ "$rc" = 75 ] && [ "$(cat "$T/out/dry.out")" = "$want" ] &&
    [ "$(sql "$RDB" "SELECT count(*) FROM report")" = 0 ]; then
	ok "send_dry_run_changes_nothing"
else
	not_ok "send_dry_run_changes_nothing" "rc $rc: $(tr '\n' '|' <"$T/out/dry.out")"
fi
grep -q 'x@unauth.test refused: rpt.test._report._dmarc.unauth.test: no v=DMARC1 record' "$T/out/dry.err" &&
    ok "destination_unauthorised_refused" ||
    not_ok "destination_unauthorised_refused" "$(tr '\n' '|' <"$T/out/dry.err")"
grep -q 'y@mx.bogus.test deferred' "$T/out/dry.err" && ok "destination_tempfail_deferred" ||
    not_ok "destination_tempfail_deferred" "$(tr '\n' '|' <"$T/out/dry.err")"

mkdir -p "$T/outdir"
"$REPORTS" -c "$T/conf/reports.conf" send --out "$T/outdir" >"$T/out/out.out" 2>"$T/out/out.err"
rc=$?
n=$(ls "$T/outdir" | wc -l)
[ "$rc" = 75 ] && [ "$n" = 3 ] && ok "send_out_writes_one_mail_per_destination" ||
    not_ok "send_out_writes_one_mail_per_destination" "rc $rc, $n files"


# Every written mail read back as a consumer reads it.
mkdir -p "$T/check"
bad=""
for f in "$T"/outdir/*.eml; do
	python3 "$TOP/tests/report/mailcheck.py" "$f" "$T/check" >"$f.facts" 2>&1 || bad="$bad $f:parse"
	fact() { sed -n "s/^$1=//p" "$f.facts"; }
	id=$(fact id_xml)
	dom=$(fact subject | sed -n 's/^Report Domain: \([^ ]*\) .*/\1/p')
	[ -n "$id" ] && [ "$(fact id_subject)" = "$id" ] && [ "$(fact id_msgid)" = "$id" ] &&
	    [ "$(basename "$f" .eml)" = "$id" ] || bad="$bad $id:ids"
	[ "$(fact filename)" = "mx.receiver.test!$dom!$DAY!$((DAY + 86399))!$id.xml.gz" ] &&
	    [ "$(fact name)" = "$(fact filename)" ] || bad="$bad $id:filename"
	[ "$(fact ctype)" = multipart/mixed ] && [ "$(fact gzparts)" = 1 ] && [ "$(fact cte)" = base64 ] &&
	    [ "$(fact members)" = 1 ] && [ "$(fact autosubmitted)" = auto-generated ] || bad="$bad $id:mime"
	[ "$(fact ns)" = urn:ietf:params:xml:ns:dmarc-2.0 ] || bad="$bad $id:namespace"
	case $dom in
	rpt.test) [ "$(fact records)/$(fact count_sum)" = 2/8 ] || bad="$bad $id:counts" ;;
	rptt.test) [ "$(fact records)/$(fact count_sum)" = 1/4 ] || bad="$bad $id:counts" ;;
	*) bad="$bad $id:domain=$dom" ;;
	esac
	xmllint --noout --schema "$TOP/tests/report/dmarc-2.0-structure.xsd" "$T/check/$id.xml" \
	    >>"$T/out/xmllint.log" 2>&1 || bad="$bad $id:schema"
done
[ -z "$bad" ] && ok "mail_mime_filename_subject_ids_gzip_counts" ||
    not_ok "mail_mime_filename_subject_ids_gzip_counts" "$bad"
grep -c ' validates$' "$T/out/xmllint.log" | grep -qx 3 && ok "xml_valid_against_rfc9990_structure" ||
    not_ok "xml_valid_against_rfc9990_structure" "$(grep -v validates "$T/out/xmllint.log" | head -2)"
x=$(grep -l -F 'rptt.test' "$T"/check/*.xml | head -1)
grep -q '<type>policy_test_mode</type>' "$x" && grep -q '<testing>y</testing>' "$x" &&
    grep -q '<disposition>quarantine</disposition>' "$x" && ok "xml_policy_test_mode_reason" ||
    not_ok "xml_policy_test_mode_reason" "$x"

# Debian's dmarc-cat reads the attachment back: the counts per source IP.
if command -v dmarc-cat >/dev/null; then
	gz=$(ls "$T"/check/*'!rpt.test!'*.xml.gz | head -1)
	(cd "$T/check" && dmarc-cat -N "$(basename "$gz")") >"$T/out/dmarc-cat.out" 2>&1
	got=$(awk '$1 ~ /^[0-9.]+$/ { print $1, $2 }' "$T/out/dmarc-cat.out" | sort | tr '\n' ' ')
	[ "$got" = "$PASS_IP 4 $FAIL_IP 4 " ] && grep -q 'Domain: rpt.test' "$T/out/dmarc-cat.out" &&
	    ok "dmarc_cat_reads_the_report" || not_ok "dmarc_cat_reads_the_report" "got '$got'"
else
	not_ok "dmarc_cat_reads_the_report" "dmarc-cat is not installed"
fi

# A failing MTA: marked failed, not sent; the next run sends the same mail.
fake_sendmail
PROM=$T/reports.prom
reports_conf "$RDB" ReportSendmail "$T/fake-sendmail" ReportMetricsFile "$PROM" >"$T/conf/send.conf"
# prom_facts -- the series of ReportMetricsFile in one line, after promtool's check
prom_facts() {
	promtool check metrics <"$PROM" >"$PROM.promtool" 2>&1 || echo "promtool: $(head -2 "$PROM.promtool")"
	grep -v '^#' "$PROM" | grep -v '_timestamp_seconds' | sort | tr '\n' ' '
}
echo 75 >"$T/mta-status"
"$REPORTS" -c "$T/conf/send.conf" send --domain rptt.test >"$T/out/fail.out" 2>"$T/out/fail.err"
rc=$?
st=$(sql "$RDB" "SELECT state, attempts FROM report WHERE policy_domain='rptt.test'")
[ "$rc" = 75 ] && [ "$st" = "failed|1" ] && grep -q 'exited with status 75' "$T/out/fail.err" &&
    ok "mta_failure_marks_failed" || not_ok "mta_failure_marks_failed" "rc $rc, state $st"
# ReportMetricsFile after that run: one failed, nothing sent, 12 rows (rpt.test 8,
# rptt.test 4) in no sent report, no successful run yet
got=$(prom_facts)
want='dmarctls_reports_deferred_total{kind="aggregate"} 0 dmarctls_reports_failed_total{kind="aggregate"} 1 dmarctls_reports_last_run_exit_status 75 dmarctls_reports_rows_pending 12 dmarctls_reports_sent_total{kind="aggregate"} 0 '
[ "$got" = "$want" ] && ! grep -q last_success "$PROM" && ok "metrics_file_after_failed_send" ||
    not_ok "metrics_file_after_failed_send" "got '$got'"
echo 0 >"$T/mta-status"
t0=$(date +%s)
"$REPORTS" -c "$T/conf/send.conf" send --domain rptt.test >"$T/out/retry.out" 2>&1
rc=$?
t1=$(date +%s)
rid=$(sql "$RDB" "SELECT report_id FROM report WHERE policy_domain='rptt.test'")
st=$(sql "$RDB" "SELECT state, attempts FROM report WHERE policy_domain='rptt.test'")
if [ "$rc" = 0 ] && [ "$st" = "sent|2" ] && cmp -s "$T/mta/0.eml" "$T/mta/1.eml" &&
    cmp -s "$T/mta/1.eml" "$T/outdir/$rid.eml" &&
    [ "$(cat "$T/mta/1.args")" = "-t -i -f dmarc-reports@receiver.test" ]; then
	ok "retry_sends_the_same_id_and_bytes"
else
	not_ok "retry_sends_the_same_id_and_bytes" "rc $rc, state $st"
fi
"$REPORTS" -c "$T/conf/send.conf" send >"$T/out/all.out" 2>&1
rc=$?
"$REPORTS" -c "$T/conf/send.conf" send >"$T/out/again.out" 2>&1
n1=$(grep -c '^sent ' "$T/out/all.out"); n2=$(grep -c '^sent ' "$T/out/again.out")
[ "$n1" = 2 ] && [ "$n2" = 0 ] && [ "$(ls "$T/mta" | grep -c eml)" = 4 ] &&
    ok "each_report_sent_once" || not_ok "each_report_sent_once" "first run $n1, second $n2"
# Four runs: counters summed across them (1 + 2 sent, 1 failed, the
# SERVFAIL destination deferred twice); the last success is the retry run's.
got=$(prom_facts)
want='dmarctls_reports_deferred_total{kind="aggregate"} 2 dmarctls_reports_failed_total{kind="aggregate"} 1 dmarctls_reports_last_run_exit_status 75 dmarctls_reports_rows_pending 0 dmarctls_reports_sent_total{kind="aggregate"} 3 '
ls_ok=$(awk '$1 == "dmarctls_reports_last_success_timestamp_seconds" { print $2 }' "$PROM")
last=$(awk '$1 == "dmarctls_reports_last_run_timestamp_seconds" { print $2 }' "$PROM")
if [ "$got" = "$want" ] && [ -n "$ls_ok" ] && [ "$ls_ok" -ge "$t0" ] && [ "$ls_ok" -le "$t1" ] &&
    [ "$last" -ge "$t1" ] && ! ls "$T"/reports.prom.tmp.* >/dev/null 2>&1; then
	ok "metrics_file_counters_across_runs"
else
	not_ok "metrics_file_counters_across_runs" "got '$got', last success $ls_ok ($t0..$t1), last run $last"
fi
# the store cannot be opened: exit 69 in the file, counters kept, no row count
reports_conf "/nonexistent/dir/x.db" ReportMetricsFile "$PROM" >"$T/conf/nostore.conf"
"$REPORTS" -c "$T/conf/nostore.conf" send >/dev/null 2>&1; rc=$?
got=$(prom_facts)
want='dmarctls_reports_deferred_total{kind="aggregate"} 2 dmarctls_reports_failed_total{kind="aggregate"} 1 dmarctls_reports_last_run_exit_status 69 dmarctls_reports_sent_total{kind="aggregate"} 3 '
[ "$rc" = 69 ] && [ "$got" = "$want" ] &&
    [ "$(awk '$1 == "dmarctls_reports_last_success_timestamp_seconds" { print $2 }' "$PROM")" = "$ls_ok" ] &&
    ok "metrics_file_store_down" || not_ok "metrics_file_store_down" "rc $rc, got '$got'"
"$REPORTS" -c "$T/conf/send.conf" list >"$T/out/list.out" 2>&1
[ "$(awk '$2 == "sent"' "$T/out/list.out" | wc -l)" = 3 ] &&
    "$REPORTS" -c "$T/conf/send.conf" show "$rid" | grep -q "<report_id>$rid</report_id>" &&
    ok "list_and_show" || not_ok "list_and_show" "$(tr '\n' '|' <"$T/out/list.out")"
"$REPORTS" -c "$T/conf/send.conf" show not-an-id >/dev/null 2>&1; rc1=$?
"$REPORTS" -c "$T/conf/send.conf" show aaaaaaaaaaaaaaaaaaaaaaaa >/dev/null 2>&1; rc2=$?
"$REPORTS" -c "$T/conf/send.conf" send --day 2026-13-01 >/dev/null 2>&1; rc3=$?
[ "$rc1/$rc2/$rc3" = "64/1/64" ] && ok "reports_exit_codes" || not_ok "reports_exit_codes" "$rc1/$rc2/$rc3"

# expire: rows and reports of days before the retention period go.
sql "$RDB" "UPDATE evaluation SET day = day - 86400 * 3; UPDATE report SET day = day - 86400 * 3" >/dev/null
reports_conf "$RDB" ReportRetention 2 >"$T/conf/expire.conf"
"$REPORTS" -c "$T/conf/expire.conf" expire >"$T/out/expire.out" 2>&1
[ "$(sql "$RDB" "SELECT count(*) FROM evaluation")/$(sql "$RDB" "SELECT count(*) FROM report")" = 0/0 ] &&
    ok "expire_after_retention" || not_ok "expire_after_retention" "$(cat "$T/out/expire.out")"

# ------------------------------------------------ through a real Postfix
# The reports of a fresh day handed to Debian's Postfix (sendmail -t -i -f)
# and delivered by virtual(8) into Maildirs: what a destination receives.
PF=$T/pf
PDB=$T/postfix.db
if command -v postfix >/dev/null && start_milter pfm "sqlite:$PDB"; then
	"$MLOAD" -s "unix:$T/sock/pfm.sock" -m "$T/corpus.manifest" -c 2 -n 10 \
	    --qid-prefix PFM >"$T/out/pfm.mload" 2>&1
	stop_milter pfm
	sql "$PDB" "UPDATE evaluation SET day = day - 86400, received = received - 86400" >/dev/null
	mkdir -p "$PF/spool" "$PF/data" "$PF/mail"
	chown postfix "$PF/data"
	chown nobody:nogroup "$PF/mail"
	cat >"$PF/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = $PF
maillog_file = $PF/maillog
myhostname = mx.receiver.test
mydomain = receiver.test
myorigin = \$myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
smtp_dns_support_level = disabled
virtual_mailbox_domains = rpt.test rptt.test collector.test
virtual_mailbox_base = $PF/mail
virtual_mailbox_maps = inline:{ dmarc@rpt.test=rpt/, dmarc@rptt.test=rptt/, agg@collector.test=collector/ }
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
virtual_minimum_uid = 1
local_transport = error:no local delivery here
alias_maps =
alias_database =
notify_classes =
biff = no
CF
	sed '/^2526/,$d' "$TOP/tests/postfix/master.cf.in" >"$PF/master.cf"
	printf '#!/bin/sh\n# the private Postfix instance of tests/report\nexec /usr/sbin/sendmail -C %s "$@"\n' \
	    "$PF" >"$T/pf-sendmail"
	chmod 755 "$T/pf-sendmail"
	if postfix -c "$PF" start >"$T/out/pf-start.log" 2>&1; then
		PF_STARTED=1
		reports_conf "$PDB" ReportSendmail "$T/pf-sendmail" >"$T/conf/pf.conf"
		"$REPORTS" -c "$T/conf/pf.conf" send >"$T/out/pf-send.out" 2>&1
		i=0
		while [ $i -lt 100 ] && [ "$(ls "$PF"/mail/*/new 2>/dev/null | grep -vc ':$')" -lt 3 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		bad=""
		DAY2=$(sql "$PDB" "SELECT DISTINCT day FROM evaluation")
		for box in rpt rptt collector; do
			f=$(ls "$PF/mail/$box/new/"* 2>/dev/null | head -1)
			[ -n "$f" ] || { bad="$bad $box:none"; continue; }
			python3 "$TOP/tests/report/mailcheck.py" "$f" "$T/check" >"$T/out/pf-$box.facts" 2>&1
			fact() { sed -n "s/^$1=//p" "$T/out/pf-$box.facts"; }
			id=$(fact id_xml)
			dom=$(fact subject | sed -n 's/^Report Domain: \([^ ]*\) .*/\1/p')
			[ -n "$id" ] && [ "$(fact id_subject)" = "$id" ] &&
			    [ "$(fact filename)" = "mx.receiver.test!$dom!$DAY2!$((DAY2 + 86399))!$id.xml.gz" ] &&
			    [ "$(fact members)" = 1 ] && [ "$(fact gzparts)" = 1 ] || bad="$bad $box:$(tr '\n' ' ' <"$T/out/pf-$box.facts")"
			grep -q '^Return-Path: <dmarc-reports@receiver.test>' "$f" || bad="$bad $box:return-path"
			xmllint --noout --schema "$TOP/tests/report/dmarc-2.0-structure.xsd" "$T/check/$id.xml" \
			    >/dev/null 2>&1 || bad="$bad $box:schema"
			case $box in
			rptt) [ "$(fact count_sum)" = 2 ] || bad="$bad $box:count $(fact count_sum)" ;;
			*) [ "$(fact count_sum)" = 4 ] || bad="$bad $box:count $(fact count_sum)" ;;
			esac
		done
		states=$(sql "$PDB" "SELECT state, count(*) FROM report GROUP BY state" | tr '\n' ' ')
		[ -z "$bad" ] && [ "$states" = "sent|3 " ] && ok "postfix_delivers_reports_to_maildirs" ||
		    not_ok "postfix_delivers_reports_to_maildirs" "${bad# } states $states"
		postfix -c "$PF" stop >/dev/null 2>&1
		PF_STARTED=""
	else
		not_ok "postfix_delivers_reports_to_maildirs" "postfix did not start: $(tail -2 "$T/out/pf-start.log")"
	fi
else
	not_ok "postfix_delivers_reports_to_maildirs" "no postfix, or the milter did not start"
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

	# Three hosts run send at the same time: each report goes out once,
	# with the counts of both milters summed.
	pg_sql "UPDATE evaluation SET day = day - 86400, received = received - 86400" >/dev/null
	mkdir -p "$T/mta-pg"
	cat >"$T/fake-sendmail-pg" <<SH
#!/bin/sh
# test MTA for the concurrent senders: one file per message, race-free
cat >"\$(mktemp "$T/mta-pg/XXXXXXXX")"
SH
	chmod 755 "$T/fake-sendmail-pg"
	reports_conf "$PGURI" ReportSendmail "$T/fake-sendmail-pg" >"$T/conf/pg-send.conf"
	sed -i 's|^ReportStore sqlite:|ReportStore |' "$T/conf/pg-send.conf"
	spids=""
	for h in 1 2 3; do
		"$REPORTS" -c "$T/conf/pg-send.conf" send >"$T/out/pg-send.$h" 2>&1 &
		spids="$spids $!"
	done
	for p in $spids; do wait "$p"; done
	nmail=$(ls "$T/mta-pg" | wc -l)
	nsent=$(cat "$T"/out/pg-send.* | grep -c '^sent ')
	states=$(pg_sql "SELECT state || ':' || count(*) FROM report GROUP BY state ORDER BY 1" | tr '\n' ' ')
	sums=""
	for f in "$T"/mta-pg/*; do
		python3 "$TOP/tests/report/mailcheck.py" "$f" "$T/check" | sed -n 's/^count_sum=//p'
	done | sort | tr '\n' ' ' >"$T/out/pg-sums"
	sums=$(cat "$T/out/pg-sums")
	[ "$nmail" = 3 ] && [ "$nsent" = 3 ] && [ "$states" = "sent:3 " ] && [ "$sums" = "240 480 480 " ] &&
	    ok "postgresql_concurrent_send_once_each_summed_counts" ||
	    not_ok "postgresql_concurrent_send_once_each_summed_counts" \
	    "mails $nmail, sent lines $nsent, states $states, count sums $sums"

	# A failed send releases its claim at once (state failed): the next run,
	# here immediately after, sends it with the same id and bytes. Only a
	# claim left in "sending" (a run that died) holds for REPORT_CLAIM_STALE.
	pg_sql "CREATE TEMP TABLE t AS SELECT * FROM evaluation WHERE policy_domain = 'rptt.test';
	    UPDATE t SET day = day - 86400, received = received - 86400, msg_id = 'R' || msg_id;
	    INSERT INTO evaluation SELECT * FROM t" >/dev/null
	PDAY=$(pg_sql "SELECT min(day) FROM evaluation")
	reports_conf "$PGURI" ReportSendmail "$T/fake-sendmail" >"$T/conf/pg-retry.conf"
	sed -i 's|^ReportStore sqlite:|ReportStore |' "$T/conf/pg-retry.conf"
	pg_one() { "$REPORTS" -c "$T/conf/pg-retry.conf" send --domain rptt.test \
	    --day "$(date -u -d "@$PDAY" +%Y-%m-%d)" >"$T/out/pg-retry.$1" 2>&1; }
	rm -f "$T"/mta/*
	echo 75 >"$T/mta-status"
	pg_one fail; rc1=$?
	st1=$(pg_sql "SELECT state || ':' || attempts FROM report WHERE day = $PDAY")
	echo 0 >"$T/mta-status"
	pg_one ok; rc2=$?
	st2=$(pg_sql "SELECT state || ':' || attempts FROM report WHERE day = $PDAY")
	rid=$(pg_sql "SELECT report_id FROM report WHERE day = $PDAY")
	if [ "$rc1/$st1/$rc2/$st2" = "75/failed:1/0/sent:2" ] && cmp -s "$T/mta/0.eml" "$T/mta/1.eml" &&
	    grep -q "Report-ID: <$rid>" "$T/mta/1.eml" && grep -q "^sent $rid rptt.test" "$T/out/pg-retry.ok"; then
		ok "postgresql_failed_send_released_next_run_same_id"
	else
		not_ok "postgresql_failed_send_released_next_run_same_id" \
		    "runs $rc1 ($st1) then $rc2 ($st2), mails $(ls "$T/mta" | grep -c eml)"
	fi
	# a live claim of another host is left alone; a stale one is taken over
	pg_sql "UPDATE report SET state = 'sending', claimed_by = 'other', claimed_at =
	    CAST(extract(epoch FROM now()) AS BIGINT) - 60 WHERE day = $PDAY" >/dev/null
	pg_one live; rc1=$?
	st1=$(pg_sql "SELECT state || ':' || claimed_by FROM report WHERE day = $PDAY")
	pg_sql "UPDATE report SET claimed_at = claimed_at - 3600 WHERE day = $PDAY" >/dev/null
	pg_one stale; rc2=$?
	st2=$(pg_sql "SELECT state || ':' || attempts FROM report WHERE day = $PDAY")
	[ "$rc1/$st1/$rc2/$st2" = "0/sending:other/0/sent:3" ] && [ "$(ls "$T/mta" | grep -c eml)" = 3 ] &&
	    ok "postgresql_live_claim_kept_stale_claim_taken" ||
	    not_ok "postgresql_live_claim_kept_stale_claim_taken" "$rc1 ($st1) then $rc2 ($st2)"

	# The database goes away in the middle of a load run: mail flows with
	# the same verdicts, rows wait in the spool, and are loaded when it is back.
	start_milter pgc "$PGURI"
	# Enough messages that the load outlasts the database on a quiet machine:
	# the server is stopped once 100 have their reply, not after a fixed time.
	pgc_n=4000
	"$MLOAD" -s "unix:$T/sock/pgc.sock" -m "$T/corpus.manifest" -c 4 -n "$pgc_n" -v \
	    --qid-prefix PGC >"$T/out/pgc.mload" 2>&1 &
	lp=$!
	for _ in $(seq 200); do
		[ "$(replied "$T/out/pgc.mload" | wc -l)" -ge 100 ] && break
		sleep 0.05
	done
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$T/pg/data" -m immediate -w stop >/dev/null 2>&1
	wait "$lp"
	"$REPORTS" -c "$T/conf/pg-send.conf" list >/dev/null 2>&1
	rc_down=$?
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -w -t 30 \
	    -o "-c listen_addresses='' -k $T/pg/sock" start >/dev/null 2>&1
	sleep 7		# the writer retries every 5 s, then loads the spool
	stop_milter pgc
	bad=$(grep -c '^MISMATCH' "$T/out/pgc.mload")
	nrep=$(replied "$T/out/pgc.mload" | wc -l)
	rows=$(pg_sql "SELECT count(*) FROM evaluation WHERE msg_id LIKE 'PGC%'")
	[ "$bad" = 0 ] && [ "$nrep" = "$pgc_n" ] && [ "$rows" = "$pgc_n" ] && [ "$rc_down" = 69 ] &&
	    grep -q 'rows go to the spool' "$T/log/pgc.log" &&
	    ok "postgresql_gone_mid_run_spool_then_loaded" ||
	    not_ok "postgresql_gone_mid_run_spool_then_loaded" \
	    "mismatches $bad, replies $nrep, rows $rows, reports exit $rc_down, spool logged $(grep -c 'rows go to the spool' "$T/log/pgc.log")"
else
	not_ok "postgresql_start" "$(tail -3 "$T/pg/log" 2>/dev/null)"
	PG_OK=0
fi

# Sanitizer builds: not one report from any milter or dmarctls-reports run.
san=$(grep -l 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' \
    "$T"/log/*.log "$T"/out/* 2>/dev/null | head -3)
[ -z "$san" ] && ok "no_sanitizer_reports" || not_ok "no_sanitizer_reports" "$san"
summary_and_exit
