# shellcheck shell=bash
# report-world.sh -- the report suite's DNS records, corpus and PostgreSQL.
#
# SYNOPSIS
#	. tests/report/report-world.sh
#	report_zone		records for the signed test. zone (W_EXTRA_TEST_RECORDS)
#	report_corpus FILE	an mload manifest of report cases
#	pg_start DIR		initdb + pg_ctl start as postgres, unix socket DIR/sock,
#				database "dmarc"
#	pg_sql SQL		one query, unaligned output
#	pg_stop DIR		pg_ctl stop
#	pg_stop_started		stop what pg_start started (EXIT trap)
#	start_milter NAME STORE [KEY VALUE]...
#				dmarctls-milter with Reports yes into STORE, on
#				$T/sock/NAME.sock, its pid in PID_NAME
#	stop_milter NAME	SIGTERM and wait
#	sql DB SQL		sqlite3, one statement, no header
#	fake_sendmail		$T/fake-sendmail: keeps each message as $T/mta/N.eml
#				(its arguments in N.args), exits as $T/mta-status says
#
# DESCRIPTION
#	Policy domains, all in test. (signed):
#	  rpt.test	p=reject, four rua: its own (same organisation, no
#			verification), collector.test (authorised by
#			rpt.test._report._dmarc.collector.test), unauth.test
#			(no authorisation record), mx.bogus.test (its
#			authorisation query is SERVFAIL: temporary, defers)
#	  rptt.test	p=reject; t=y (policy_test_mode), one rua
#	Both have SPF for 192.0.2.0/24.

PG_BIN=/usr/lib/postgresql/15/bin

report_zone() {
	cat <<'ZONE'
rpt	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.rpt	TXT	"v=DMARC1; p=reject; rua=mailto:dmarc@rpt.test,mailto:agg@collector.test,mailto:x@unauth.test,mailto:y@mx.bogus.test"
rpt.test._report._dmarc.collector	TXT	"v=DMARC1"
collector	TXT	"v=spf1 -all"
rptt	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.rptt	TXT	"v=DMARC1; p=reject; t=y; rua=mailto:dmarc@rptt.test"
ZONE
}

report_corpus() {
	{
		echo "# NAME IP HELO MAILFROM RCPT FILE EXPECT"
		echo "rpt_pass $PASS_IP mx.rpt.test a@rpt.test bob@receiver.test" \
		    "$(signed_from rpt_pass 'A <a@rpt.test>' good.test rsa "$W_KEY_RSA2048") accept/pass"
		echo "rpt_spoof $FAIL_IP mail.attacker.example a@rpt.test bob@receiver.test" \
		    "$(msg_from rpt_spoof 'A <a@rpt.test>') reject"
		echo "rptt_spoof $FAIL_IP mail.attacker.example a@rptt.test bob@receiver.test" \
		    "$(msg_from rptt_spoof 'A <a@rptt.test>') quarantine"
		echo "good_pass $PASS_IP mx.good.test alice@good.test bob@receiver.test" \
		    "$(signed_from good_pass 'Alice <alice@good.test>' good.test rsa "$W_KEY_RSA2048") accept/pass"
		echo "norec $PASS_IP mx.norec.test x@norec.test bob@receiver.test" \
		    "$(msg_from norec 'x@norec.test') accept/none"
	} >"$1"
}

pg_start() {
	local d=$1
	[ -x "$PG_BIN/initdb" ] || { echo "# no $PG_BIN/initdb (postgresql-15)" >&2; return 1; }
	mkdir -p "$d/sock" && chown -R postgres: "$d" || return 1
	runuser -u postgres -- "$PG_BIN/initdb" -D "$d/data" -A trust -U postgres \
	    >"$d/initdb.log" 2>&1 || return 1
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/data" -l "$d/log" -w -t 30 \
	    -o "-c listen_addresses='' -k $d/sock -c fsync=on" start >/dev/null 2>&1 || return 1
	PG_SOCK=$d/sock
	PG_STARTED=$d
	runuser -u postgres -- "$PG_BIN/createdb" -h "$d/sock" dmarc >/dev/null 2>&1
}

pg_sql() {
	runuser -u postgres -- psql -h "$PG_SOCK" -d dmarc -At -c "$1" 2>&1
}

pg_stop() {
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1
}

# pg_stop_started -- the EXIT trap's part: stop the server pg_start started
pg_stop_started() {
	[ -n "${PG_STARTED:-}" ] && pg_stop "$PG_STARTED"
	PG_STARTED=""
}

# start_milter NAME STORE [KEY VALUE]... -- a milter with reporting on
start_milter() {
	local name=$1 store=$2 sock=$T/sock/$1.sock
	shift 2
	milter_conf "$REPORT_PREFIX suite" "unix:$sock" RejectFailures yes Reports yes \
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

# sql DB STATEMENTS -- run them as a second connection would; a writer
# that holds the lock (the milter's, dmarctls-reports') is waited for up
# to 5 s, as a statement's "PRAGMA busy_timeout=0" can undo
sql() {
	sqlite3 -batch -noheader -cmd ".timeout 5000" "$1" "$2" 2>&1
}

fake_sendmail() {
	cat >"$T/fake-sendmail" <<SH
#!/bin/sh
# test MTA: keeps each message, exits as \$T/mta-status says
n=\$(ls "$T/mta" | grep -c "\\.eml\$")
cat >"$T/mta/\$n.eml"
echo "\$*" >"$T/mta/\$n.args"
exit \$(cat "$T/mta-status")
SH
	chmod 755 "$T/fake-sendmail"
	mkdir -p "$T/mta"
}
