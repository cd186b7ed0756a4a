#!/bin/bash
#
# NAME
#	run.sh -- dmarctls-milter's /metrics endpoint under a real load
#
# SYNOPSIS
#	tests/metrics/run.sh BUILDDIR
#
# DESCRIPTION
#	In a private network/mount/pid namespace: the signed DNS world of
#	tests/integration/world.sh and one dmarctls-milter from BUILDDIR on a
#	unix socket with MetricsSocket inet:PORT@127.0.0.1 and a DANE
#	TLSATarget. tests/bench/mload sends a known corpus (DKIM/DMARC
#	passes, an insecure zone, no record, a p=reject spoof, a quarantine,
#	forged Authentication-Results) K times each at 16 sessions while
#	curl scrapes the endpoint; then:
#	  - every scrape (before, during, after) passes `promtool check metrics`
#	  - a scrape during the load saw some but not all messages, and counters
#	    never went down from one scrape to the next
#	  - after it: messages by action equal the corpus' expected actions
#	    exactly; DMARC, SPF and DKIM results equal the milter's own
#	    per-message log lines; the histogram counted every message; the
#	    forged fields removed equal those sent; TLS versions; DNS queries
#	    and cache hits; no session left open; one report row per message
#	    written or spooled (Reports yes), none lost
#	  - the DANE state gauge says pass for the TLSATarget owner
#	  - SIGHUP with a good file and with a bad one: the reload counters
#	  - HTTP: 404 elsewhere than /metrics, 405 for POST
#	  - MetricsSocket unset: nothing listens; a bad value: -n exits 78
#	  - every metric name contrib/grafana/dmarctls.json queries is exported
#	    (by the milter, by dmarctls-policyd, or in the ReportMetricsFile of a
#	    dmarctls-reports run)
#	  - dmarctls-policyd with MetricsSocket: postmap socketmap queries
#	    counted exactly by profile and decision, cache hits, STS series (the
#	    near-expiry and at-risk gauges, refresh failures, evictions), build
#	then SIGTERM: the milter stops and exits 0.
#
#	Output: "ok - NAME" / "not ok - NAME (why)", last line
#	"metrics: N passed, M failed".
set -u
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$SRCDIR/../.." && pwd)
MPORT=19893			# the metrics listener
AUTHSERV=mx.receiver.test
K=${DT_METRICS_K:-300}		# each corpus message this many times
STOP_MAX=15
REPORT_PREFIX=metrics
# shellcheck source=../lib/report.sh
. "$TOP/tests/lib/report.sh"
# shellcheck source=../lib/sandbox.sh
. "$TOP/tests/lib/sandbox.sh"
builddir_arg "$@"

if [ "${DT_METRICS_INNER:-}" != 1 ]; then
	ns_err=$(unshare_error --net --mount --pid --fork) || fatal namespace "$ns_err"
	exec unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
	    env DT_METRICS_INNER=1 "$SRCDIR/run.sh" "$BUILDDIR"
	fatal namespace "exec unshare failed"
fi
ip link set lo up || fatal namespace "cannot bring up lo"
MILTER=$BUILDDIR/dmarctls-milter
MLOAD=$BUILDDIR/tests/bench/mload
SIGN=$BUILDDIR/tests/integration/dt-sign
[ -x "$MILTER" ] || fatal prerequisites "no $MILTER: build it first"
[ -x "$MLOAD" ] && [ -x "$SIGN" ] || fatal prerequisites "no $MLOAD or $SIGN (make check)"
for tool in curl promtool jq; do
	command -v "$tool" >/dev/null || fatal prerequisites "$tool not installed (contrib/install-deps.sh)"
done

T=$(mktemp -d /tmp/dmarctls-metrics.XXXXXX) || fatal setup "mktemp failed"
export W_SRCDIR=$TOP/tests/integration
# shellcheck source=../integration/world.sh
. "$TOP/tests/integration/world.sh"
MPID=""
cleanup() {
	[ -n "$MPID" ] && kill -KILL "$MPID" 2>/dev/null
	world_stop
	keep_or_remove "$T" "${DT_METRICS_KEEP:-}"
}
trap cleanup EXIT
sanitizer_env
world_init "$T/world" || fatal world "could not build the DNS world"
world_start || fatal world "could not start the DNS world"

# ------------------------------------------------------------------ corpus
MSG_DIR=$T/msg
mkdir -p "$MSG_DIR" "$T/scrape"
# shellcheck source=../lib/messages.sh
. "$TOP/tests/lib/messages.sh"
PASS_IP=192.0.2.10 FAIL_IP=198.51.100.7
FORGED=3			# forged A-R fields in the "forged" message
M=$T/corpus.manifest
{
	echo "pass_rsa $PASS_IP mx.good.test alice@good.test bob@receiver.test" \
	    "$(signed_from pass_rsa 'Alice <alice@good.test>' good.test rsa "$W_KEY_RSA2048")" accept/pass
	echo "pass_ed25519 $PASS_IP mx.good.test alice@good.test bob@receiver.test" \
	    "$(signed_from pass_ed25519 'Alice <alice@good.test>' good.test ed "$W_KEY_ED25519" ed25519-sha256)" accept/pass
	echo "pass_insecure $PASS_IP mx.insecure.test x@insecure.test bob@receiver.test" \
	    "$(signed_from pass_insecure 'x@insecure.test' insecure.test rsa "$W_KEY_RSA2048")" accept/pass
	echo "none_norec $PASS_IP mx.norec.test x@norec.test bob@receiver.test" \
	    "$(msg_from none_norec 'x@norec.test')" accept/none
	echo "spoof_reject $FAIL_IP mail.attacker.example ceo@good.test bob@receiver.test" \
	    "$(msg_from spoof_reject 'CEO <ceo@good.test>')" reject/fail
	echo "spoof_quarantine $FAIL_IP mail.attacker.example x@quar.test bob@receiver.test" \
	    "$(msg_from spoof_quarantine 'x@quar.test')" quarantine/fail
	echo "forged $PASS_IP mx.norec.test x@norec.test bob@receiver.test" \
	    "$(msg forged "Authentication-Results: $AUTHSERV; dmarc=pass header.from=good.test" \
		"Authentication-Results: $AUTHSERV; dkim=pass header.d=good.test" \
		"Authentication-Results: MX.Receiver.TEST; spf=pass smtp.mailfrom=good.test" \
		"From: x@norec.test")" accept/none
} >"$M"
NMSG=$(grep -c . "$M")
TOTAL=$((NMSG * K))
want_action() { awk -v a="$1" -v k="$K" '{ split($7, e, "/"); if (e[1] == a) n += k } END { print n + 0 }' "$M"; }

# ------------------------------------------------------------------ helpers
write_conf() {
	milter_conf tests/metrics/run.sh "unix:$T/milter.sock" RejectFailures yes \
	    Quarantine hold TempfailOnDNSError yes "$@" >"$T/dmarctls.conf"
}
log_has() { grep -qF -- "$1" "$T/milter.log"; }
# scrape FILE -- GET /metrics into FILE; status 0 on HTTP 200
scrape() { curl -sf -o "$1" "http://127.0.0.1:$MPORT/metrics"; }
# value FILE SERIES -- the value of one exact series line, or "absent"
value() { awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print "absent" }' "$1"; }
# promtool_ok FILE -- the exposition passes Prometheus' own linter
promtool_ok() { promtool check metrics <"$1" >"$1.promtool" 2>&1; }
# want_value NAME FILE SERIES EXPECTED
want_value() {
	local got
	got=$(value "$2" "$3")
	if [ "$got" = "$4" ]; then ok "$1"; else not_ok "$1" "$3 is $got, want $4"; fi
}

# ------------------------------------------------------------------ off by default
write_conf
"$MILTER" -f -c "$T/dmarctls.conf" 2>"$T/off.log" &
OFFPID=$!
for _ in $(seq 50); do grep -qF "started on" "$T/off.log" && break; sleep 0.1; done
if grep -qF "started on" "$T/off.log" && ! scrape "$T/scrape/off" &&
    ! ss -Hltn | grep -q ":$MPORT\b"; then ok metrics_off_without_key
else not_ok metrics_off_without_key "a listener on $MPORT or no start: $(head -2 "$T/off.log")"; fi
kill -TERM "$OFFPID"; wait "$OFFPID" 2>/dev/null

for bad in "inet:0@127.0.0.1" "inet:9100@localhost" "inet:9100" "unix:/tmp/m.sock" \
    "inet6:9100@127.0.0.1" "inet:99999@127.0.0.1"; do
	write_conf MetricsSocket "$bad"
	"$MILTER" -n -c "$T/dmarctls.conf" 2>"$T/bad.err"
	rc=$?
	if [ "$rc" -eq 78 ] && grep -q "MetricsSocket" "$T/bad.err"; then ok "metrics_socket_refused_${bad//[^a-z0-9]/_}"
	else not_ok "metrics_socket_refused_${bad//[^a-z0-9]/_}" "exit $rc: $(head -1 "$T/bad.err")"; fi
done

# ------------------------------------------------------------------ start
write_conf MetricsSocket "inet:$MPORT@127.0.0.1" TLSATarget _25._tcp.mx.good.test \
    TLSCertificate "$W_TLS_CHAIN" Reports yes ReportStore "sqlite:$T/reports.db" \
    ReportSpool "$T/reports.spool"
"$MILTER" -f -c "$T/dmarctls.conf" 2>"$T/milter.log" &
MPID=$!
for _ in $(seq 50); do log_has "started on" && break; sleep 0.1; done
log_has "started on" || fatal start "the milter did not start: $(head -3 "$T/milter.log")"
# the first DANE self-check runs on the refresher thread, within a second
for _ in $(seq 50); do log_has "DANE _25._tcp.mx.good.test: pass" && break; sleep 0.1; done
for _ in $(seq 50); do scrape "$T/scrape/before" && break; sleep 0.1; done

if promtool_ok "$T/scrape/before"; then ok promtool_accepts_idle_scrape
else not_ok promtool_accepts_idle_scrape "$(head -3 "$T/scrape/before.promtool")"; fi
want_value build_info "$T/scrape/before" 'dmarctls_build_info{version="0.1.0",daemon="dmarctls-milter"}' 1
want_value sessions_zero_before "$T/scrape/before" dmarctls_sessions 0
want_value dane_state_pass "$T/scrape/before" \
    'dmarctls_dane_state{endpoint="_25._tcp.mx.good.test",state="pass"}' 1
want_value dane_state_not_fail "$T/scrape/before" \
    'dmarctls_dane_state{endpoint="_25._tcp.mx.good.test",state="fail"}' 0
want_value evaluation_histogram_empty "$T/scrape/before" dmarctls_evaluation_seconds_count 0

# ------------------------------------------------------------------ load + scrapes
"$MLOAD" -s "unix:$T/milter.sock" -m "$M" -c 16 -n "$TOTAL" >"$T/mload.out" 2>&1 &
LPID=$!
i=0
while kill -0 "$LPID" 2>/dev/null; do
	i=$((i + 1))
	scrape "$T/scrape/during.$(printf %04d $i)" || rm -f "$T/scrape/during.$(printf %04d $i)"
	sleep 0.05
done
wait "$LPID"
lrc=$?
if [ "$lrc" -eq 0 ] && grep -q "^level sessions=16 messages=$TOTAL .* errors=0" "$T/mload.out"; then
	ok "mload_${TOTAL}_messages_as_expected"
else
	not_ok "mload_${TOTAL}_messages_as_expected" "exit $lrc: $(grep -m2 -E 'level|mismatch|error' "$T/mload.out")"
fi
scrape "$T/scrape/after" || fatal scrape_after "no scrape after the load"

# during: valid, partial, monotonic
bad_scrape="" partial=0 busy=0 prev=0 monotonic=1
for f in "$T"/scrape/during.*; do
	[ -f "$f" ] || continue
	promtool_ok "$f" || bad_scrape="$f: $(head -1 "$f.promtool")"
	n=$(value "$f" dmarctls_evaluation_seconds_count)
	[ "$n" -gt 0 ] && [ "$n" -lt "$TOTAL" ] && partial=$((partial + 1))
	[ "$(value "$f" dmarctls_sessions)" -gt 0 ] && busy=$((busy + 1))
	[ "$n" -lt "$prev" ] && monotonic=0
	prev=$n
done
ndur=$(find "$T/scrape" -name 'during.*' ! -name '*.promtool' | wc -l)
if [ -z "$bad_scrape" ] && [ "$ndur" -gt 0 ]; then ok "promtool_accepts_${ndur}_scrapes_under_load"
else not_ok promtool_accepts_scrapes_under_load "$ndur scrapes; $bad_scrape"; fi
if [ "$partial" -gt 0 ] && [ "$busy" -gt 0 ]; then ok scrape_during_load_sees_progress
else not_ok scrape_during_load_sees_progress "$partial partial, $busy with sessions, of $ndur"; fi
if [ "$monotonic" -eq 1 ]; then ok counters_never_decrease; else not_ok counters_never_decrease "a count went down"; fi

A=$T/scrape/after
if promtool_ok "$A"; then ok promtool_accepts_scrape_after_load
else not_ok promtool_accepts_scrape_after_load "$(head -3 "$A.promtool")"; fi
for a in accept reject quarantine; do
	want_value "messages_${a}_exact" "$A" "dmarctls_messages_total{action=\"$a\"}" "$(want_action $a)"
done
want_value messages_tempfail_absent "$A" 'dmarctls_messages_total{action="tempfail"}' absent
want_value evaluation_histogram_counts_all "$A" dmarctls_evaluation_seconds_count "$TOTAL"
want_value evaluation_inf_bucket_counts_all "$A" 'dmarctls_evaluation_seconds_bucket{le="+Inf"}' "$TOTAL"
want_value tls_versions "$A" 'dmarctls_tls_messages_total{version="TLSv1.3"}' "$TOTAL"
want_value forged_authres_removed "$A" dmarctls_forged_authres_removed_total $((FORGED * K))
want_value sessions_zero_after "$A" dmarctls_sessions 0
# one report row per message (one author domain each): written or spooled, none lost
rows=$(awk 'index($1, "dmarctls_report_rows_total{result=\"written\"}") == 1 ||
    index($1, "dmarctls_report_rows_total{result=\"spooled\"}") == 1 { s += $2 } END { print s + 0 }' "$A")
if [ "$rows" -eq "$TOTAL" ]; then ok report_rows_written_or_spooled
else not_ok report_rows_written_or_spooled "$rows, want $TOTAL"; fi
want_value report_rows_none_lost "$A" 'dmarctls_report_rows_total{result="lost"}' absent

# results: the counters against the milter's own log line per message
logcount() { grep -c -E " $1=$2[ +]" "$T/milter.log"; }
for fam in dmarc spf; do
	for r in $(grep -o " $fam=[a-z]*" "$T/milter.log" | sort -u | cut -d= -f2); do
		want_value "${fam}_${r}_equals_log" "$A" "dmarctls_${fam}_results_total{result=\"$r\"}" \
		    "$(logcount "$fam" "$r")"
	done
	sum=$(awk -v p="dmarctls_${fam}_results_total{" 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$A")
	if [ "$sum" -eq "$TOTAL" ]; then ok "${fam}_results_sum_to_messages"
	else not_ok "${fam}_results_sum_to_messages" "$sum, want $TOTAL"; fi
done
# every message of this corpus carries at most one signature: one DKIM result each
for r in pass none; do
	want_value "dkim_${r}_equals_log" "$A" "dmarctls_dkim_results_total{result=\"$r\"}" \
	    "$(logcount dkim "$r")"
done
want_value dkim_pass_is_signed_messages "$A" 'dmarctls_dkim_results_total{result="pass"}' $((3 * K))
q=$(value "$A" dmarctls_dns_queries_total) h=$(value "$A" dmarctls_dns_cache_hits_total)
if [ "$q" -gt 0 ] && [ "$h" -gt "$q" ]; then ok dns_queries_and_cache_hits
else not_ok dns_queries_and_cache_hits "queries $q, cache hits $h"; fi
want_value dns_no_timeouts "$A" dmarctls_dns_timeouts_total 0

# ------------------------------------------------------------------ reloads
kill -HUP "$MPID"
for _ in $(seq 50); do log_has "reloaded" && break; sleep 0.1; done
printf 'MetricsSocket nonsense\n' >>"$T/dmarctls.conf"
kill -HUP "$MPID"
for _ in $(seq 50); do log_has "reload of" && break; sleep 0.1; done
scrape "$T/scrape/reload"
want_value config_reload_counted "$T/scrape/reload" dmarctls_config_reloads_total 1
want_value config_reload_failure_counted "$T/scrape/reload" dmarctls_config_reload_failures_total 1

# ------------------------------------------------------------------ HTTP
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
c=$(code "http://127.0.0.1:$MPORT/"); [ "$c" = 404 ] && ok http_404_elsewhere || not_ok http_404_elsewhere "got $c"
c=$(code -X POST -d x "http://127.0.0.1:$MPORT/metrics"); [ "$c" = 405 ] && ok http_405_post || not_ok http_405_post "got $c"
ct=$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$MPORT/metrics")
[ "$ct" = "text/plain; version=0.0.4; charset=utf-8" ] && ok http_content_type || not_ok http_content_type "$ct"

# ------------------------------------------------------------------ dmarctls-policyd
# The same registry in the outbound daemon: socketmap requests through
# Postfix's own postmap, counted by decision and profile, cache hits, the
# MTA-STS collector, build info; the exposition valid for promtool.
POLICYD=$BUILDDIR/dmarctls-policyd PPORT=18461 PMPORT=19894 NQ=5
if [ -x "$POLICYD" ] && command -v postmap >/dev/null; then
	{
		echo "Socket inet:$PPORT@127.0.0.1"
		echo "Resolver 127.0.0.1@$W_UNBOUND_PORT"
		echo "TrustAnchorFile $W_TA"
		echo "UnboundConfigFile $W_UBCONF"
		echo "Syslog no"
		echo "MetricsSocket inet:$PMPORT@127.0.0.1"
	} >"$T/policyd.conf"
	"$POLICYD" -f -c "$T/policyd.conf" >"$T/policyd.log" 2>&1 &
	PDPID=$!
	for _ in $(seq 50); do grep -q "started on" "$T/policyd.log" && break; sleep 0.1; done
	mkdir -p "$T/pf" && echo "compatibility_level = 3.6" >"$T/pf/main.cf"
	for _ in $(seq "$NQ"); do
		postmap -c "$T/pf" -q good.test "socketmap:inet:127.0.0.1:$PPORT:postfix" >>"$T/postmap.out" 2>&1
	done
	postmap -c "$T/pf" -q good.test "socketmap:inet:127.0.0.1:$PPORT:sendmail" >>"$T/postmap.out" 2>&1
	P=$T/scrape/policyd
	if curl -sf -o "$P" "http://127.0.0.1:$PMPORT/metrics" && promtool_ok "$P"; then ok policyd_scrape_valid
	else not_ok policyd_scrape_valid "$(head -2 "$P.promtool" 2>/dev/null) $(head -2 "$T/policyd.log")"; fi
	want_value policyd_lookups_postfix_profile "$P" 'dmarctls_policy_lookups_by_profile_total{profile="postfix"}' "$NQ"
	want_value policyd_lookups_sendmail_profile "$P" 'dmarctls_policy_lookups_by_profile_total{profile="sendmail"}' 1
	sum=$(awk 'index($1, "dmarctls_policy_lookups_total{") == 1 { s += $2 } END { print s + 0 }' "$P")
	if [ "$sum" -eq $((NQ + 1)) ]; then ok policyd_lookups_by_decision_sum
	else not_ok policyd_lookups_by_decision_sum "$sum, want $((NQ + 1))"; fi
	want_value policyd_cache_hits "$P" dmarctls_policy_cache_hits_total "$NQ"
	want_value policyd_build_info "$P" 'dmarctls_build_info{version="0.1.0",daemon="dmarctls-policyd"}' 1
	want_value policyd_sts_collector "$P" dmarctls_sts_policies 0
	want_value policyd_sts_expiring "$P" 'dmarctls_sts_policies_expiring{within="24h"}' 0
	want_value policyd_sts_at_risk "$P" 'dmarctls_sts_policies_at_risk{within="24h"}' 0
	want_value policyd_sts_refresh_failures "$P" dmarctls_sts_refresh_failures_total 0
	want_value policyd_sts_evictions "$P" dmarctls_sts_no_policy_evictions_total 0
	kill -TERM "$PDPID"
	wait "$PDPID"
	rc=$?
	if [ "$rc" -eq 0 ]; then ok policyd_stops_exit_0; else not_ok policyd_stops_exit_0 "exit $rc"; fi
else
	not_ok policyd_metrics "no $POLICYD or no postmap"
fi

# ------------------------------------------------------------------ dashboard
DASH=$TOP/contrib/grafana/dmarctls.json
# names from the milter's and dmarctls-policyd's scrapes above and
# dmarctls-reports' names: from the textfile a real send run writes (an
# empty store: nothing due, exit 0, every series present)
milter_conf tests/metrics/run.sh "unix:$T/none.sock" ReportStore "sqlite:$T/reports.db" \
    ReportFrom dmarc-reports@receiver.test ReportMetricsFile "$T/scrape/reports.prom" >"$T/reports.conf"
"$BUILDDIR/dmarctls-reports" -c "$T/reports.conf" send >"$T/reports.out" 2>&1
if jq -e . "$DASH" >/dev/null 2>&1; then
	names=$(jq -r '(.. | objects | select(has("expr")) | .expr), (.templating.list[].query | strings)' "$DASH" | grep -o 'dmarctls_[a-z_]*' | sort -u)
	exported=$(cat "$A" "$T/scrape/reports.prom" "$T/scrape/policyd" 2>/dev/null | awk '$1 == "#" && $2 == "TYPE" { print $3; if ($4 == "histogram") { print $3 "_bucket"; print $3 "_sum"; print $3 "_count" } }' | sort -u)
	missing=$(comm -23 <(echo "$names") <(echo "$exported") | tr '\n' ' ')
	if [ -n "$names" ] && [ -z "$missing" ]; then ok "dashboard_queries_$(echo "$names" | wc -l)_exported_names"
	else not_ok dashboard_queries_exported_names "not exported: ${missing:-no names found}"; fi
else
	not_ok dashboard_queries_exported_names "$DASH is not JSON"
fi

# ------------------------------------------------------------------ stop
kill -TERM "$MPID"
for _ in $(seq $((STOP_MAX * 10))); do kill -0 "$MPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$MPID" 2>/dev/null; then not_ok stops_on_sigterm "still running after ${STOP_MAX}s"
else
	wait "$MPID"; rc=$?; MPID=""
	if [ "$rc" -eq 0 ] && ! grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error' "$T/milter.log"
	then ok stops_on_sigterm_exit_0; else not_ok stops_on_sigterm_exit_0 "exit $rc: $(grep -m1 -E 'Sanitizer|runtime error' "$T/milter.log")"; fi
fi
summary_and_exit
