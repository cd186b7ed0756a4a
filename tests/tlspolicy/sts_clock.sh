# shellcheck shell=bash
# sts_clock.sh -- tests/tlspolicy/run.sh's MTA-STS cases through the daemon
# on a moved clock: TXT id change, background refresh, failed-fetch
# hold-off, the error line before expiry, expiry, refetch after it
#
# DESCRIPTION
#	Sourced by run.sh (inside its namespace, with the DNS world, the
#	HTTPS policy servers and postmap's directory). A second
#	dmarctls-policyd runs on 127.0.0.1:$CLK_PORT under libfaketime
#	(libfaketimeMT, for its threads): its time(2) and the OpenSSL
#	certificate checks of its HTTPS fetches read the offset in
#	$T/faketime.rc (FAKETIME_NO_CACHE: rewritten by the cases), while
#	CLOCK_MONOTONIC stays real (FAKETIME_DONT_FAKE_MONOTONIC), so its
#	condition-variable deadlines and the budget keep meaning seconds.
#	The world's certificates are valid for a year and its DNSSEC
#	signatures for weeks: the offsets used (at most 1.6 days) keep
#	them valid. CacheTTL 0: every postmap query reaches the MTA-STS
#	table, not the decision cache. Under libfaketime 0.9.10 the
#	daemon's wait for a first fetch (pthread_cond_timedwait on
#	CLOCK_MONOTONIC, which the library wraps) ends at once, so a lookup
#	that needs a fetch is answered TEMP "still being fetched" (what a
#	lookup past LookupBudget gets) and the cases ask again until the
#	fetch is done (cpm_until), checking every reply on the way.
#
#	The daemon logs to syslog (Syslog yes) in its own mount namespace
#	where /dev is a small tmpfs (null, zero, random, urandom and a
#	/dev/log datagram socket read by $PY into $T/clock.syslog), so the
#	priority of each line is read from its <PRI> (mail.err: <19>).
#
#	Policy timeline (max_age 86400, refresh at half of it, less up to a
#	tenth of jitter): fetched at 0; the id of rotate changes (+400:
#	the id is older than the 300 s recheck); every policy is refreshed
#	by +50000 without a lookup; servers down at +130000 (6400 s before
#	expiry): the refresh fails, the policy is kept and the error line
#	logged; +130100: no second fetch (hold-off); +130500: the second
#	failed fetch; +137000: expired, NOTFOUND; servers back: fetched again.

CLK_PORT=8464
CLK_MPORT=9464
CLK_RC=$T/faketime.rc
CLK_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
CLK_PID=""

clk_offset() {
	echo "+$1" >"$CLK_RC"
}

# the namespace wrapper: /dev of its own with a syslog socket, then the daemon
cat >"$T/clock-run.sh" <<'SH'
#!/bin/bash
# clock-run.sh LOGFILE PY FAKETIME_LIB RCFILE -- run "$@" (after four) on
# the faked clock, with /dev/log read into LOGFILE
log=$1 py=$2 lib=$3 rc=$4
shift 4
mount -t tmpfs -o size=1m,mode=755 clkdev /dev || exit 70
for n in "null 1 3" "zero 1 5" "random 1 8" "urandom 1 9"; do
	read -r name ma mi <<<"$n"
	mknod -m 666 "/dev/$name" c "$ma" "$mi" || exit 70
done
mkdir -m 1777 /dev/shm || exit 70
"$py" - "$log" <<'PY' &
import os, socket, sys
parent = os.getppid()          # the shell that becomes the daemon (exec)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
s.settimeout(0.5)
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[1], "ab", buffering=0) as f:
    while os.getppid() == parent:  # ends with the daemon
        try:
            f.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
        except socket.timeout:
            pass
PY
i=0
while [ ! -e "$log.ready" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
# an ASan build needs its runtime first in the preload list
asan=$(ldd "$1" 2>/dev/null | awk '$1 ~ /^libasan\.so/ { print $3 }')
exec env LD_PRELOAD="${asan:+$asan:}$lib" FAKETIME_TIMESTAMP_FILE="$rc" FAKETIME_NO_CACHE=1 \
    FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_DISABLE_SHM=1 "$@"
SH
chmod 755 "$T/clock-run.sh"

clk_start() {
	rm -f "$T/clock.syslog.ready"
	unshare --mount --propagation private "$T/clock-run.sh" "$T/clock.syslog" "$PY" \
	    "$CLK_LIB" "$CLK_RC" "$PD" -f -c "$T/clock.conf" >>"$T/clock.log" 2>&1 &
	CLK_PID=$!
	wait_port 127.0.0.1 "$CLK_PORT"
}

clk_stop() {
	[ -n "$CLK_PID" ] || return 0
	kill "$CLK_PID" 2>/dev/null
	wait "$CLK_PID" 2>/dev/null
	CLK_PID=""
}

cpm() {	# cpm KEY -- PM_OUT/PM_RC of one postfix lookup at the clock daemon
	pm postfix "$1" "socketmap:inet:127.0.0.1:$CLK_PORT"
}

# cpm_until KEY WANT -- ask until the reply is WANT (at most 15 s); SEEN
# holds the distinct replies on the way
cpm_until() {
	local n=150
	SEEN=""
	while [ $n -gt 0 ]; do
		cpm "$1"
		case $'\n'"$SEEN"$'\n' in *$'\n'"$PM_OUT"$'\n'*) ;; *) SEEN=$SEEN${SEEN:+$'\n'}$PM_OUT ;; esac
		[ "$PM_OUT" = "$2" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# only_temp_or WANT -- every reply in SEEN was WANT or a TEMP while fetching
only_temp_or() {
	local line
	while IFS= read -r line; do
		[ "$line" = "$1" ] && continue
		case $line in *"socketmap server temporary error: MTA-STS policy of "*" still being fetched"*) continue ;; esac
		# seen only with the daemon under libfaketime, while a fetch
		# runs: postmap's connect or read fails (EINPROGRESS); not a
		# reply of the daemon, and not understood yet (see the report
		# of this change)
		case $line in *"query error: Operation now in progress"*) continue ;; esac
		bad "unexpected reply on the way: '$line'"
	done <<<"$SEEN"
}

# clk_metric NAME_WITH_LABELS -- its value in a scrape now
clk_metric() {
	curl -sf "http://127.0.0.1:$CLK_MPORT/metrics" 2>/dev/null |
	    awk -v n="$1" '$1 == n { print $2 }'
}

# lines PATTERN -- lines of the clock daemon's syslog matching PATTERN
lines() {
	grep -c -E "$1" "$T/clock.syslog" 2>/dev/null
}

# wait_for SECONDS COMMAND... -- until COMMAND succeeds, at most SECONDS
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# gets ADDR -- GET requests the HTTPS server at ADDR has logged so far
gets() {
	grep -c "^$1 .*GET /.well-known/mta-sts.txt" "$STS_W/https.log"
}

# restart_nsd ID -- the sts.test zone with rotate's TXT id ID
restart_nsd() {
	local pid
	pid=$(cat "$W/nsd.pid" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" && while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	# shellcheck disable=SC2034 # read by zone_sts (world.sh)
	STS_ROTATE_ID=$1
	zone_sts >"$W/zones/sts.test.zone"
	nsd -d -c "$W/nsd.conf" >>"$W/nsd.log" 2>&1 &
	W_PIDS="$W_PIDS $!"
	world_wait_dns "$W_NSD_PORT" sts.test. SOA
}

STS_ROTATE1="secure match=mx1.rotate.sts.test servername=hostname"
STS_ROTATE2="secure match=mx2.rotate.sts.test servername=hostname"

if [ -e "$CLK_LIB" ]; then
	clk_offset 0
	policyd_conf "inet:$CLK_PORT@127.0.0.1" CacheTTL 0 TempCacheTTL 0 Syslog yes \
	    MetricsSocket "inet:$CLK_MPORT@127.0.0.1" >"$T/clock.conf"
	sed -i "s|^STSCacheFile .*|STSCacheFile $T/clock.sqlite|" "$T/clock.conf"
	clk_start || { sed -n '1,5s/^/#   /p' "$T/clock.log"; bad_setup=1; }
fi

if case_begin sts_clock_daemon_runs_on_faked_time; then
	[ -e "$CLK_LIB" ] || bad "no $CLK_LIB (Debian's libfaketime)"
	[ -z "${bad_setup:-}" ] || bad "the clock daemon did not start"
	started() { grep -q '^<22>.*started on' "$T/clock.syslog" 2>/dev/null; }
	wait_for 10 started	# it listens before it builds what it serves
	want_re "syslog read, mail.info" "$(cat "$T/clock.syslog" 2>/dev/null)" "<22>.*dmarctls-policyd.*started on"
	case_end
fi

b_enf=$(gets 127.0.0.10)
b_rot=$(gets 127.0.0.28)
cpm_until enforce.sts.test "$STS_ENFORCE"
if case_begin sts_clock_first_fetch; then
	want "enforce reply" "$PM_OUT" "$STS_ENFORCE"
	only_temp_or "$STS_ENFORCE"
	cpm_until rotate.sts.test "$STS_ROTATE1"
	want "rotate reply" "$PM_OUT" "$STS_ROTATE1"
	only_temp_or "$STS_ROTATE1"
	want "GETs at enforce" "$(( $(gets 127.0.0.10) - b_enf ))" 1
	want "GETs at rotate" "$(( $(gets 127.0.0.28) - b_rot ))" 1
	case_end
fi

# ------------------------------------------- TXT id change -> new reply
if case_begin sts_clock_txt_id_change_brings_new_reply; then
	sts_policy_body enforce mx2.rotate.sts.test >"$(sts_policy_file rotate)"
	restart_nsd rot2 || bad "nsd did not come back"
	sleep 1.2		# the TTL of the old record in unbound's cache
	b_rot=$(gets 127.0.0.28)
	cpm rotate.sts.test
	want "reply while the id is fresh (no recheck yet)" "$PM_OUT" "$STS_ROTATE1"
	want "GETs at rotate, id not rechecked" "$(( $(gets 127.0.0.28) - b_rot ))" 0
	clk_offset 400		# older than the 300 s TXT recheck
	rotate_new() { cpm rotate.sts.test; [ "$PM_OUT" = "$STS_ROTATE2" ]; }
	wait_for 15 rotate_new || bad "no new reply after the id change: '$PM_OUT'"
	want "reply after the id change" "$PM_OUT" "$STS_ROTATE2"
	want "GETs at rotate for the new id" "$(( $(gets 127.0.0.28) - b_rot ))" 1
	want_re "log" "$(cat "$T/clock.syslog")" "mta-sts rotate.sts.test: policy id rot2 mode enforce max_age 86400 fetched"
	case_end
fi

# ------------------------------------------- background refresh, no lookup
if case_begin sts_clock_background_refresh_before_expiry; then
	b_enf=$(gets 127.0.0.10)
	b_rot=$(gets 127.0.0.28)
	clk_offset 50000	# past half of max_age for both
	enf_refreshed() { [ "$(( $(gets 127.0.0.10) - b_enf ))" -ge 1 ] && [ "$(( $(gets 127.0.0.28) - b_rot ))" -ge 1 ]; }
	wait_for 15 enf_refreshed || bad "no refresh GETs within 15 s"
	want "GETs at enforce (one refresh)" "$(( $(gets 127.0.0.10) - b_enf ))" 1
	want "refreshes started" "$(clk_metric dmarctls_sts_refreshes_total)" 2
	want "at-risk gauge, healthy" "$(clk_metric 'dmarctls_sts_policies_at_risk{within="24h"}')" 0
	case_end
fi

# ------------------------------------------- servers down before expiry
KEPT='mta-sts enforce.sts.test: .*; keeping the cached policy \(id enforce1'
ERRLINE='^<19>.*mta-sts enforce.sts.test: enforce policy id enforce1 expires in [0-9]+s and refreshing it failed'
if case_begin sts_clock_failed_refresh_kept_and_error_logged; then
	sts_https_stop
	clk_offset 130000	# ~6400 s before expiry, past the next refresh
	err_logged() { [ "$(lines "$ERRLINE")" -ge 1 ] &&
	    [ "$(clk_metric dmarctls_sts_refresh_failures_total)" = 2 ]; }
	wait_for 15 err_logged || bad "no mail.err line (or not two failed refreshes) before expiry"
	n=$(lines "$ERRLINE")
	[ "$n" = 1 ] || bad "expected 1 error line, got '$n'; syslog: $(grep -E '^<(19|20)>' "$T/clock.syslog" | tail -4 | cut -c1-160)"
	want "failed fetches of enforce (warning lines)" "$(lines "^<20>.*$KEPT")" 1
	cpm enforce.sts.test
	want "reply from the cached policy" "$PM_OUT" "$STS_ENFORCE"
	want "near-expiry gauge" "$(clk_metric 'dmarctls_sts_policies_expiring{within="24h"}')" 2
	want "at-risk gauge" "$(clk_metric 'dmarctls_sts_policies_at_risk{within="24h"}')" 2
	want "refresh failures" "$(clk_metric dmarctls_sts_refresh_failures_total)" 2
	case_end
fi
if case_begin sts_clock_one_failed_fetch_per_id_per_5_minutes; then
	clk_offset 130100
	cpm enforce.sts.test	# the id is older than 300 s: rechecked, held off
	cpm enforce.sts.test
	sleep 3			# three refresher ticks
	want "failed fetches of enforce after 100 s" "$(lines "^<20>.*$KEPT")" 1
	want "failed fetches (all)" "$(clk_metric 'dmarctls_sts_fetches_total{result="failed"}')" 2
	clk_offset 130500
	second() { [ "$(lines "^<20>.*$KEPT")" -ge 2 ]; }
	wait_for 15 second || bad "no second fetch after 5 minutes"
	want "failed fetches of enforce after 500 s" "$(lines "^<20>.*$KEPT")" 2
	want "error line still once" "$(lines "$ERRLINE")" 1
	case_end
fi

# ------------------------------------------- expired: never extended
if case_begin sts_clock_expired_not_used; then
	clk_offset 137000	# past fetched + max_age
	gone() { [ "$(lines '^<19>.*mta-sts enforce.sts.test: policy id enforce1 expired unrefreshed')" -ge 1 ]; }
	wait_for 15 gone || bad "no expiry line"
	cpm_until enforce.sts.test ""
	want "reply after expiry (servers down: as if no policy)" "$PM_OUT" ""
	want "postmap exit status" "$PM_RC" 1
	only_temp_or ""
	want_re "log" "$(cat "$T/clock.syslog")" "enforce.sts.test: MTA-STS sts-policy-fetch-error: .*delivering as if no policy"
	want "policies left" "$(clk_metric dmarctls_sts_policies)" 0
	want "store rows left" "$(sqlite3 "$T/clock.sqlite" 'SELECT count(*) FROM sts_policy' 2>&1)" 0
	case_end
fi
if case_begin sts_clock_refetched_after_expiry; then
	sts_https_start || bad "HTTPS servers did not restart"
	clk_offset 137400	# past the 5-minute hold-off of the failed fetch
	cpm_until enforce.sts.test "$STS_ENFORCE"
	want "reply" "$PM_OUT" "$STS_ENFORCE"
	only_temp_or "$STS_ENFORCE"
	case_end
fi
if case_begin sts_clock_daemon_stops_clean; then
	kill "$CLK_PID" 2>/dev/null
	wait "$CLK_PID"
	want "exit status after SIGTERM" "$?" 0
	CLK_PID=""
	want "sanitizer reports" "$(grep -cE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/clock.log")" 0
	case_end
fi
clk_stop
clk_offset 0
