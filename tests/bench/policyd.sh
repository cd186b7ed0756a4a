#!/bin/bash
#
# NAME
#	policyd.sh -- benchmark dmarctls-policyd against postfix-mta-sts-resolver
#
# SYNOPSIS
#	tests/bench/policyd.sh BUILDDIR
#
# DESCRIPTION
#	BUILDDIR holds the built dmarctls-policyd, tests/bench/smload and
#	tests/bench/smnull. In a
#	private network, mount and PID namespace (only `lo`) it starts the DNS
#	world of tests/tlspolicy/world.sh with one more unsigned MTA-STS
#	domain (bench.sts.test, enforce, served by a Python HTTPS server on
#	127.0.0.1:443 with a certificate from the world's CA) and a port-53
#	resolver for the libc and aiodns. Then, per transport (BENCH_TRANSPORT:
#	unix, tcp or both, default both: unix first, then tcp), it starts
#	dmarctls-policyd and Debian 12's postfix-mta-sts-resolver 1.1.2
#	(mta-sts-daemon, internal cache) in the same invocation, listening on
#	that transport only (each takes one socket: dmarctls-policyd one
#	Socket line, the resolver host/port or path): over TCP on
#	127.0.0.1:8461 and 127.0.0.1:8471, over UNIX-domain sockets (what a
#	chrooted Postfix smtp(8) needs, contrib/postfix/chroot-policyd.md)
#	on pd.sock and rs.sock in the temporary directory. Beside them, on
#	127.0.0.1:8481 or null.sock, tests/bench/smnull: a socketmap server
#	that answers every request with the MTA-STS domain's reply and does
#	no other work (one read and one send per request, as
#	dmarctls-policyd's cached path): what the same client reaches against
#	it is the ceiling of this machine's sockets. After one warming lookup
#	each:
#	  - cached lookups, 100 persistent connections, closed loop
#	    (tests/bench/smload.c): lookups/s, p50, p99, max, errors;
#	    dmarctls-policyd for a DANE domain (usable.dane.test), one run of
#	    BENCH_SECONDS; then BENCH_ROUNDS rounds of BENCH_ROUND_SECONDS in
#	    which dmarctls-policyd (bench.sts.test when its MTA-STS module is
#	    in, else the DANE domain), smnull and the resolver (bench.sts.test:
#	    it has no DANE) run one after the other, the order rotated from
#	    round to round. Every round's figures are printed; the table and
#	    the ratios are the median round's (by dmarctls-policyd / resolver):
#	    on this 2-core VM one server's lookups/s moved by 15 % and more
#	    between runs a minute apart, so a ratio is only taken within a
#	    round;
#	  - the same 100 connections paced at BENCH_RATE lookups/s in all
#	    (open loop, default 10000: ten times a busy relay's), latency
#	    when the server is not driven to saturation;
#	  - the same with one connection, for latency alone (at 100
#	    closed-loop connections the mean latency is 100 / throughput);
#	  - with each run the CPU time of the server (/proc/PID/stat), of
#	    smload (its own getrusage) and of the whole machine (/proc/stat:
#	    every job on it), to tell which one was the limit;
#	  - peak RSS (VmHWM) of both daemons after the transport's runs;
#	  - cold lookups, with the first transport only (the world's
#	    resolver is warm after it): the time to the first answer of a
#	    fresh daemon for a DANE domain and for the MTA-STS domain, each
#	    one postmap -q; postmap's own first start in the namespace
#	    (which alone took 0.6 s in some runs) is spent on an inline:
#	    map before and printed beside.
#	The daemons of one transport are stopped before the next starts.
#	Variables: BENCH_TRANSPORT (both), BENCH_CONNS (100), BENCH_SECONDS
#	(5), BENCH_ROUNDS (5), BENCH_ROUND_SECONDS (3), BENCH_RATE (10000),
#	SMLOAD_THREADS (1: smload's epoll threads),
#	BENCH_KEEP=1 keeps the temporary directory. Prints the load average,
#	then per transport a table, the rounds, the ratios (against the
#	resolver, and the share of smnull's lookups/s that dmarctls-policyd
#	and ten times the resolver's make) and the server CPU per lookup
#	of both daemons (a ratio that depends less on the other jobs of the
#	machine than lookups/s do). A benchmark, not a test: it exits 0 once
#	it ran, 1 when it could not run.
#
# REQUIREMENTS
#	What tests/tlspolicy/run.sh needs, plus python3-aiodns python3-aiohttp
#	python3-aiosqlite python3-aioredis (the resolver's dependencies);
#	the resolver's .deb is fetched with apt-get download into
#	/var/cache/dmarctls/bench-debs (or $DT_BENCH_DEBS) and unpacked, not
#	installed (no service, no user).

set -u

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPDIR=$(cd "$SRCDIR/../.." && pwd)
PY=/usr/bin/python3
CONNS=${BENCH_CONNS:-100}
SECONDS_RUN=${BENCH_SECONDS:-5}
RATE=${BENCH_RATE:-10000}
ROUNDS=${BENCH_ROUNDS:-5}
ROUND_SECONDS=${BENCH_ROUND_SECONDS:-3}
case ${BENCH_TRANSPORT:-both} in
tcp | unix) TRANSPORTS=$BENCH_TRANSPORT ;;
both) TRANSPORTS="unix tcp" ;;
*) echo "bench-policyd: BENCH_TRANSPORT must be tcp, unix or both" >&2; exit 1 ;;
esac
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
PD_PORT=8461
RS_PORT=8471
NULL_PORT=8481
STS_DOMAIN=bench.sts.test
STS_REPLY="OK secure match=mx.bench.sts.test servername=hostname"

REPORT_PREFIX=bench-policyd
# shellcheck source=../lib/report.sh
. "$TOPDIR/tests/lib/report.sh"
# shellcheck source=../lib/sandbox.sh
. "$TOPDIR/tests/lib/sandbox.sh"
builddir_arg "$@"

die() {
	echo "bench-policyd: $*" >&2
	exit 1
}

DEBS=${DT_BENCH_DEBS:-/var/cache/dmarctls/bench-debs}
if [ "${DT_BENCH_INNER:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || die "run as root (namespaces)"
	mkdir -p "$DEBS" || die "cannot create $DEBS"
	if ! ls "$DEBS"/postfix-mta-sts-resolver_*.deb >/dev/null 2>&1; then
		(cd "$DEBS" && apt-get download -q postfix-mta-sts-resolver) >"$DEBS/download.log" 2>&1 ||
		    die "apt-get download postfix-mta-sts-resolver failed"
	fi
	exec unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
	    env DT_BENCH_INNER=1 DT_BENCH_DEBS="$DEBS" "$0" "$BUILDDIR"
fi

ip link set lo up || die "cannot bring up lo"
PD=$BUILDDIR/dmarctls-policyd
SMLOAD=$BUILDDIR/tests/bench/smload
SMNULL=$BUILDDIR/tests/bench/smnull
[ -x "$PD" ] || die "no $PD"
[ -x "$SMLOAD" ] || die "no $SMLOAD: make check builds it (or make tests/bench/smload)"
[ -x "$SMNULL" ] || die "no $SMNULL: make check builds it (or make tests/bench/smnull)"
$PY -c 'import aiohttp, aiodns, yaml' 2>/dev/null ||
    die "the resolver needs python3-aiohttp python3-aiodns python3-yaml"

T=$(mktemp -d /tmp/dmarctls-bench-policyd.XXXXXX) || die "mktemp failed"
PIDS=""
UB53_PID=""
cleanup() {
	local p
	for p in $PIDS $UB53_PID; do kill "$p" 2>/dev/null; done
	world_stop
	keep_or_remove "$T" "${BENCH_KEEP:-}"
}
trap cleanup EXIT

# shellcheck source=sts_bench_world.sh
. "$TOPDIR/tests/bench/sts_bench_world.sh"
sts_bench_world
pw_resolver_on_53 "$T/unbound53.conf" "$T/unbound53.log" "$T/unbound53.pid" ||
    die "port-53 resolver did not come up"
UB53_PID=$RESOLVER53_PID
private_resolv_conf "$T" "edns0 trust-ad" || die "cannot bind-mount resolv.conf"

# ---------------------------------------------------------- HTTPS policy host
sts_bench_https

# ---------------------------------------------------------- the daemons
# transport_endpoints TRANSPORT -- for both daemons: the socket they
# listen on, the Postfix map name of it and smload's target
transport_endpoints() {
	if [ "$1" = unix ]; then
		PD_SOCKET=unix:$T/pd.sock PD_MAP=unix:$T/pd.sock PD_TARGET=unix:$T/pd.sock
		RS_LISTEN="path: $T/rs.sock" RS_MAP=unix:$T/rs.sock RS_TARGET=unix:$T/rs.sock
	else
		PD_SOCKET=inet:$PD_PORT@127.0.0.1 PD_MAP=inet:127.0.0.1:$PD_PORT
		PD_TARGET="127.0.0.1 $PD_PORT"
		RS_LISTEN=$(printf 'host: 127.0.0.1\nport: %s\nreuse_port: true' "$RS_PORT")
		RS_MAP=inet:127.0.0.1:$RS_PORT RS_TARGET="127.0.0.1 $RS_PORT"
	fi
	if [ "$1" = unix ]; then
		NULL_LISTEN=unix:$T/null.sock NULL_MAP=unix:$T/null.sock NULL_TARGET=unix:$T/null.sock
	else
		NULL_LISTEN=$NULL_PORT NULL_MAP=inet:127.0.0.1:$NULL_PORT
		NULL_TARGET="127.0.0.1 $NULL_PORT"
	fi
}

# wait_map MAP -- until the socketmap MAP (unix:PATH or inet:HOST:PORT) accepts
wait_map() {
	local i=0
	case $1 in
	inet:*) wait_port 127.0.0.1 "${1##*:}" 100; return ;;
	esac
	while [ $i -lt 100 ]; do
		[ -S "${1#unix:}" ] && $PY -c 'import socket, sys
socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "${1#unix:}" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

start_policyd() {
	printf '%s\n' "Socket $PD_SOCKET" "Resolver 127.0.0.1@$W_UNBOUND_PORT" \
	    "TrustAnchorFile $W_TA" "UnboundConfigFile $W_UBCONF" "Syslog no" \
	    "CAFile $W_TLS_CA" >"$T/policyd.conf"
	"$PD" -f -c "$T/policyd.conf" >>"$T/policyd.log" 2>&1 &
	PD_PID=$!
	PIDS="$PIDS $PD_PID"
	wait_map "$PD_MAP" || die "dmarctls-policyd did not start on $PD_SOCKET"
}

RS_ROOT=$T/resolver
mkdir -p "$RS_ROOT"
dpkg-deb -x "$(ls "$DT_BENCH_DEBS"/postfix-mta-sts-resolver_*.deb | sort -V | tail -1)" "$RS_ROOT" ||
    die "cannot unpack postfix-mta-sts-resolver"
start_resolver() {
	printf '%s\ncache:\n  type: internal\n  options:\n    cache_size: 10000\n' \
	    "$RS_LISTEN" >"$T/mta-sts-daemon.yml"
	SSL_CERT_FILE=$W_TLS_CA PYTHONPATH=$RS_ROOT/usr/lib/python3/dist-packages \
	    $PY -c 'import sys; from postfix_mta_sts_resolver.daemon import main; sys.exit(main())' \
	    -c "$T/mta-sts-daemon.yml" >>"$T/resolver.log" 2>&1 &
	RS_PID=$!
	PIDS="$PIDS $RS_PID"
	wait_map "$RS_MAP" || die "mta-sts-daemon did not start: $(tail -2 "$T/resolver.log")"
}

# the machine's ceiling: tests/bench/smnull answers every request with
# the MTA-STS domain's reply and does nothing else
start_null() {
	"$SMNULL" "$NULL_LISTEN" "$STS_REPLY" >>"$T/smnull.log" 2>&1 &
	NULL_PID=$!
	PIDS="$PIDS $NULL_PID"
	wait_map "$NULL_MAP" || die "smnull did not start on $NULL_LISTEN"
}

# stop_daemons -- all three, and wait until they are gone
stop_daemons() {
	kill "$PD_PID" "$RS_PID" "$NULL_PID" 2>/dev/null
	wait "$PD_PID" "$RS_PID" "$NULL_PID" 2>/dev/null
	rm -f "$T/pd.sock" "$T/rs.sock" "$T/null.sock"
}

mkdir -p "$T/pm"
echo "compatibility_level = 3.6" >"$T/pm/main.cf"
# first_ms MAP KEY -- MS, the milliseconds to the first answer, and ANSWER
first_ms() {
	local s e
	s=$(date +%s%N)
	ANSWER=$(postmap -c "$T/pm" -q "$2" "socketmap:$1:postfix" 2>/dev/null)
	e=$(date +%s%N)
	MS=$(((e - s) / 1000000))
}

rss_kb() {
	sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"
}

# proc_ticks PID -- user + system clock ticks of PID so far
proc_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
# busy_ticks -- clock ticks the whole machine was not idle (all jobs on it)
busy_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}
# run_load TARGET KEY EXPECT PID [RATE] -- smload's line plus the server's
# CPU (server_cpu_ms) and the machine's (machine_busy_ms, both cores, every
# job on the machine) over the run; TARGET is smload's "HOST PORT" or
# "unix:PATH"
run_load() {
	local s0 m0 out hz
	hz=$(getconf CLK_TCK)
	s0=$(proc_ticks "$4")
	m0=$(busy_ticks)
	# shellcheck disable=SC2086 # TARGET is one or two words
	out=$("$SMLOAD" $1 "${CONNS_RUN:-$CONNS}" "$SECONDS_RUN" "postfix $2" "$3" ${5:+"$5"})
	echo "$out server_cpu_ms=$((($(proc_ticks "$4") - s0) * 1000 / hz))" \
	    "machine_busy_ms=$((($(busy_ticks) - m0) * 1000 / hz))"
}

field() { sed -n "s/.*[ ^]$2=\\([0-9]*\\).*/\\1/p" <<<" $1"; }
COLS='%-44s %10s %8s %8s %8s %7s %6s %8s %8s %8s\n'
header() {
	# shellcheck disable=SC2059
	printf "$COLS" "$1" "lookups/s" "p50 us" "p99 us" "max us" "errors" "late" \
	    "srv cpu" "cli cpu" "all cpu"
}
row() {
	# shellcheck disable=SC2059
	printf "$COLS" "$1" "$(field "$2" per_s)" "$(field "$2" p50_us)" \
	    "$(field "$2" p99_us)" "$(field "$2" max_us)" "$(field "$2" errors)" \
	    "$(field "$2" late)" "$(field "$2" server_cpu_ms)" "$(field "$2" cpu_ms)" \
	    "$(field "$2" machine_busy_ms)"
}
# server CPU per lookup of a run: what each daemon costs, less dependent
# on what else the machine runs than lookups/s
us_per() { awk -v c="$(field "$1" server_cpu_ms)" -v n="$(field "$1" lookups)" \
    'BEGIN { if (n > 0) printf "%.1f", c * 1000 / n }'; }

# cold_lookups -- the first answers of the fresh daemons (COLD_*), and the
# warming lookup of each
cold_lookups() {
	# postmap's own first start in this namespace took 0.6-0.9 s in some
	# runs (seen with strace: the request reached the daemon that late);
	# one query of an inline map first, so that MS is the daemon's time
	s=$(date +%s%N)
	postmap -c "$T/pm" -q k "inline:{k=v}" >/dev/null 2>&1
	POSTMAP_FIRST_MS=$((($(date +%s%N) - s) / 1000000))
	first_ms "$PD_MAP" usable.dane.test
	COLD_PD_DANE=$MS
	[ "$ANSWER" = "dane-only" ] || die "policyd answered '$ANSWER' for usable.dane.test"
	first_ms "$PD_MAP" "$STS_DOMAIN"
	COLD_PD_STS=$MS
	PD_STS_ANSWER=$ANSWER
	first_ms "$RS_MAP" "$STS_DOMAIN"
	COLD_RS_STS=$MS
	[ "OK $ANSWER" = "$STS_REPLY" ] ||
	    die "the resolver answered '$ANSWER' for $STS_DOMAIN: $(tail -3 "$T/resolver.log")"
	first_ms "$RS_MAP" usable.dane.test
	COLD_RS_DANE=$MS
	RS_DANE_ANSWER=${ANSWER:-NOTFOUND}
}

# ratio A B -- A / B with one decimal, empty when B is 0 or empty
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b }'; }

# share A B SCALE -- SCALE x A as a whole percentage of B, empty when B is 0
share() { awk -v a="$1" -v b="$2" -v k="$3" 'BEGIN { if (b > 0) printf "%.0f", 100 * k * a / b }'; }

# closed_rounds KEY EXPECT -- the 100-connection closed loop in ROUNDS
# rounds of ROUND_SECONDS: in each, dmarctls-policyd (KEY, EXPECT),
# smnull and the resolver (the MTA-STS domain), one after the other, the
# order rotated from round to round. On this VM one server's lookups/s
# moved by 15 % between runs minutes apart, so a ratio is taken within
# one round and the median of the rounds is the figure. Sets R_PD, R_NULL,
# R_RS (the smload lines of the median round, by dmarctls-policyd /
# resolver) and ROUNDS_TXT (every round's lookups/s and ratios).
closed_rounds() {
	local i j k lines=() order pd nl rs ratios=() pct_pd=() pct_rs=() med a_pd a_nl a_rs
	ROUNDS_TXT=""
	for ((i = 0; i < ROUNDS; i++)); do
		order=("pd" "null" "rs" "pd" "null")
		for ((j = i % 3; j < i % 3 + 3; j++)); do
			k=${order[$j]}
			case $k in
			pd) pd=$(SECONDS_RUN=$ROUND_SECONDS run_load "$PD_TARGET" "$1" "$2" "$PD_PID") ;;
			null) nl=$(SECONDS_RUN=$ROUND_SECONDS run_load "$NULL_TARGET" "$STS_DOMAIN" \
			    "$STS_REPLY" "$NULL_PID") ;;
			rs) rs=$(SECONDS_RUN=$ROUND_SECONDS run_load "$RS_TARGET" "$STS_DOMAIN" \
			    "$STS_REPLY" "$RS_PID") ;;
			esac
		done
		lines[i]="$pd|$nl|$rs"
		a_pd=$(field "$pd" per_s) a_nl=$(field "$nl" per_s) a_rs=$(field "$rs" per_s)
		pct_pd+=("$(share "$a_pd" "$a_nl" 1)")
		pct_rs+=("$(share "$a_rs" "$a_nl" 10)")
		ratios+=("$(ratio "$a_pd" "$a_rs") $i")
		ROUNDS_TXT+="  round $((i + 1)) (${order[*]:$((i % 3)):3}): dmarctls-policyd"
		ROUNDS_TXT+=" $a_pd, smnull $a_nl, resolver $a_rs lookups/s: $(ratio "$a_pd" "$a_rs")x"
		ROUNDS_TXT+=" the resolver, ${pct_pd[i]} % of smnull; 10x the resolver = ${pct_rs[i]}"
		ROUNDS_TXT+=$' % of smnull\n'
	done
	med=$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(((ROUNDS + 1) / 2))p" | cut -d' ' -f2)
	IFS='|' read -r R_PD R_NULL R_RS <<<"${lines[med]}"
	ROUND_RATIOS=$(printf '%s\n' "${ratios[@]}" | cut -d' ' -f1 | sort -n | tr '\n' ' ')
	PCT_PD=$(printf '%s\n' "${pct_pd[@]}" | sort -n | tr '\n' ' ')
	PCT_RS=$(printf '%s\n' "${pct_rs[@]}" | sort -n | tr '\n' ' ')
}

# median WORDS... -- the middle one of sorted numbers
median() { local a=("$@"); echo "${a[$((($# - 1) / 2))]}"; }

# bench_transport TRANSPORT -- both daemons on it, the runs, their table
bench_transport() {
	local r_pd_dane r_pd_sts="" r_null r_rs_sts p_pd p_rs l_pd l_rs rss_pd rss_rs pd rs cpd crs
	transport_endpoints "$1"
	start_policyd
	start_resolver
	start_null
	sleep 1				# both idle before the cold lookups
	if [ -z "${COLD_PD_DANE:-}" ]; then
		cold_lookups
		COLD_TRANSPORT=$1
	else				# warming lookups for the runs
		first_ms "$PD_MAP" usable.dane.test
		first_ms "$PD_MAP" "$STS_DOMAIN"
		PD_STS_ANSWER=$ANSWER
		first_ms "$RS_MAP" "$STS_DOMAIN"
	fi
	r_pd_dane=$(run_load "$PD_TARGET" usable.dane.test "OK dane-only" "$PD_PID")
	if [ "OK $PD_STS_ANSWER" = "$STS_REPLY" ]; then
		closed_rounds "$STS_DOMAIN" "$STS_REPLY"
		r_pd_sts=$R_PD
	else
		closed_rounds usable.dane.test "OK dane-only"
	fi
	r_null=$R_NULL
	r_rs_sts=$R_RS
	# the same connections at a fixed offered load (open loop): latency
	# when the server is not driven to saturation, as on a relay
	if [ -n "$r_pd_sts" ]; then
		p_pd=$(run_load "$PD_TARGET" "$STS_DOMAIN" "$STS_REPLY" "$PD_PID" "$RATE")
	else
		p_pd=$(run_load "$PD_TARGET" usable.dane.test "OK dane-only" "$PD_PID" "$RATE")
	fi
	p_rs=$(run_load "$RS_TARGET" "$STS_DOMAIN" "$STS_REPLY" "$RS_PID" "$RATE")
	# latency alone: one connection (at 100 closed-loop connections the
	# mean latency is 100 / throughput whatever the server does: Little's law)
	l_pd=$(CONNS_RUN=1 run_load "$PD_TARGET" usable.dane.test "OK dane-only" "$PD_PID")
	l_rs=$(CONNS_RUN=1 run_load "$RS_TARGET" "$STS_DOMAIN" "$STS_REPLY" "$RS_PID")
	rss_pd=$(rss_kb "$PD_PID")
	rss_rs=$(rss_kb "$RS_PID")
	stop_daemons

	echo "== transport $1 (dmarctls-policyd $PD_SOCKET, resolver $RS_MAP);" \
	    "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
	header "$CONNS connections, closed loop"
	row "dmarctls-policyd, DANE domain" "$r_pd_dane"
	if [ -n "$r_pd_sts" ]; then
		row "dmarctls-policyd, MTA-STS domain *" "$r_pd_sts"
	else
		row "dmarctls-policyd, DANE domain *" "$R_PD"
	fi
	row "zero-work server (smnull), same reply *" "$r_null"
	row "postfix-mta-sts-resolver 1.1.2, MTA-STS *" "$r_rs_sts"
	echo "* the median of $ROUNDS rounds of $ROUND_SECONDS s, by the ratio (the DANE row: one run of $SECONDS_RUN s)"
	printf '%s' "$ROUNDS_TXT"
	header "$CONNS connections, paced at $RATE/s"
	row "dmarctls-policyd" "$p_pd"
	row "postfix-mta-sts-resolver 1.1.2, MTA-STS" "$p_rs"
	header "one connection, closed loop"
	row "dmarctls-policyd, DANE domain" "$l_pd"
	row "postfix-mta-sts-resolver 1.1.2, MTA-STS" "$l_rs"
	echo "$1: peak RSS: dmarctls-policyd ${rss_pd} kB, postfix-mta-sts-resolver ${rss_rs} kB"
	pd=$(field "$R_PD" per_s)
	rs=$(field "$r_rs_sts" per_s)
	if [ -n "$pd" ] && [ -n "$rs" ] && [ "$rs" -gt 0 ]; then
		echo "$1: ratio lookups/s dmarctls-policyd / resolver: $(ratio "$pd" "$rs")x," \
		    "the median of $ROUNDS rounds (sorted: $ROUND_RATIOS) (target >= 10x);" \
		    "p99 dmarctls-policyd at $CONNS closed loop $(field "$R_PD" p99_us) us," \
		    "at $CONNS paced $RATE/s $(field "$p_pd" p99_us) us, at 1 connection" \
		    "$(field "$l_pd" p99_us) us (target < 1000)"
	fi
	# shellcheck disable=SC2086 # the sorted percentages, one word each
	echo "$1: the machine's ceiling: against a server that does no work (smnull)," \
	    "dmarctls-policyd made $(median $PCT_PD) % of its lookups/s (the median of the" \
	    "rounds; sorted: $PCT_PD); 10x the resolver would be $(median $PCT_RS) % of" \
	    "them (sorted: $PCT_RS)"
	cpd=$(us_per "$R_PD")
	crs=$(us_per "$r_rs_sts")
	if [ -n "$cpd" ] && [ -n "$crs" ]; then
		echo "$1: server CPU per lookup at $CONNS connections: dmarctls-policyd $cpd us," \
		    "resolver $crs us: $(ratio "$crs" "$cpd")x less"
	fi
}

echo "load average before: $LOAD_BEFORE"
echo "cpu columns: ms of CPU over the run (${SECONDS_RUN} s, a round ${ROUND_SECONDS} s): the server, smload" \
    "(SMLOAD_THREADS=${SMLOAD_THREADS:-1}), the whole machine (every job on it, $(nproc) cores)"
for tr in $TRANSPORTS; do
	bench_transport "$tr"
done
echo "cold first answer ($COLD_TRANSPORT, fresh daemons): dmarctls-policyd DANE ${COLD_PD_DANE} ms," \
    "MTA-STS ${COLD_PD_STS} ms ('${PD_STS_ANSWER:-NOTFOUND}'); resolver MTA-STS ${COLD_RS_STS} ms," \
    "DANE domain ${COLD_RS_DANE} ms ('$RS_DANE_ANSWER'); postmap's own first start ${POSTMAP_FIRST_MS} ms"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
