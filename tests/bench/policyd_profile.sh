#!/bin/bash
#
# NAME
#	policyd_profile.sh -- instructions per cached lookup of dmarctls-policyd
#
# SYNOPSIS
#	tests/bench/policyd_profile.sh BUILDDIR
#
# DESCRIPTION
#	In a private network, mount and PID namespace it starts the DNS world
#	of tests/tlspolicy/world.sh (with bench.sts.test and its HTTPS policy
#	host, as tests/bench/policyd.sh does) and one dmarctls-policyd under
#	valgrind's callgrind on a UNIX-domain socket. After a warming lookup
#	of each domain the counters are zeroed (callgrind_control -z),
#	tests/bench/smload asks for the same domain for PROF_SECONDS over
#	PROF_CONNS persistent connections, and the profile is dumped.
#	Callgrind counts exactly (not sampled), so instructions per lookup
#	do not depend on the machine's load: the figure to compare a change
#	of the cached path with. Per domain (usable.dane.test: "OK
#	dane-only"; bench.sts.test: the MTA-STS reply) it prints the
#	lookups, the instructions per lookup of the whole daemon (every
#	thread: the kernel's work is not counted) and the functions with the
#	most inclusive instructions per lookup.
#	A measurement, not a test: exits 0 once it ran, 1 when it could not.
#
# ENVIRONMENT
#	PROF_CONNS (default 10), PROF_SECONDS (default 5), PROF_KEEP=1 keeps
#	the temporary directory (the raw profiles: callgrind_annotate).
set -u

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPDIR=$(cd "$SRCDIR/../.." && pwd)
PY=/usr/bin/python3
CONNS=${PROF_CONNS:-10}
SECONDS_RUN=${PROF_SECONDS:-5}
STS_DOMAIN=bench.sts.test
STS_REPLY="OK secure match=mx.bench.sts.test servername=hostname"
REPORT_PREFIX=policyd-profile
# shellcheck source=../lib/report.sh
. "$TOPDIR/tests/lib/report.sh"
# shellcheck source=../lib/sandbox.sh
. "$TOPDIR/tests/lib/sandbox.sh"
builddir_arg "$@"

die() {
	echo "policyd-profile: $*" >&2
	exit 1
}

if [ "${DT_PROF_INNER:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || die "run as root (namespaces)"
	exec unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
	    env DT_PROF_INNER=1 "$0" "$BUILDDIR"
fi
for t in valgrind callgrind_control callgrind_annotate; do
	command -v $t >/dev/null || die "no $t"
done
ip link set lo up || die "cannot bring up lo"
PD=$BUILDDIR/dmarctls-policyd
SMLOAD=$BUILDDIR/tests/bench/smload
[ -x "$PD" ] && [ -x "$SMLOAD" ] || die "no $PD or $SMLOAD (make check builds it)"

T=$(mktemp -d /tmp/dmarctls-prof-policyd.XXXXXX) || die "mktemp failed"
PIDS=""
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	# valgrind writes its last dump as it exits: wait, then remove $T
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	world_stop
	keep_or_remove "$T" "${PROF_KEEP:-}"
}
trap cleanup EXIT

# shellcheck source=sts_bench_world.sh
. "$TOPDIR/tests/bench/sts_bench_world.sh"
sts_bench_world

sts_bench_https

SOCK=$T/pd.sock
CG=$T/callgrind.out
printf '%s\n' "Socket unix:$SOCK" "Resolver 127.0.0.1@$W_UNBOUND_PORT" \
    "TrustAnchorFile $W_TA" "UnboundConfigFile $W_UBCONF" "Syslog no" \
    "CAFile $W_TLS_CA" >"$T/policyd.conf"
valgrind --tool=callgrind --callgrind-out-file="$CG" \
    "$PD" -f -c "$T/policyd.conf" >"$T/policyd.log" 2>&1 &
VG=$!
PIDS="$PIDS $VG"
i=0
until [ -S "$SOCK" ] && $PY -c 'import socket, sys
socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$SOCK" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] || die "dmarctls-policyd did not start: $(tail -3 "$T/policyd.log")"
	sleep 0.1
done

# warm DOMAIN EXPECT -- until the daemon answers EXPECT (the MTA-STS
# module answers TEMP while its first fetch runs)
warm() {
	local i=0
	while [ $i -lt 50 ]; do
		"$SMLOAD" "unix:$SOCK" 1 1 "postfix $1" "$2" | grep -q 'errors=0 ' && return 0
		sleep 0.2
		i=$((i + 1))
	done
	die "no '$2' for $1"
}

# profile DOMAIN EXPECT -- one zeroed, dumped run; its line
profile() {
	local out n
	warm "$1" "$2"
	callgrind_control -z "$VG" >/dev/null || die "callgrind_control -z failed"
	out=$("$SMLOAD" "unix:$SOCK" "$CONNS" "$SECONDS_RUN" "postfix $1" "$2")
	callgrind_control -d "$VG" >/dev/null || die "callgrind_control -d failed"
	n=$(sed -n 's/.*lookups=\([0-9]*\).*/\1/p' <<<"$out")
	case $out in *" errors=0 "*) ;; *) die "errors in the run for $1: $out" ;; esac
	f=$(ls -t "$CG".* | head -1)
	mv "$f" "$T/$1.cg"
	echo "== $1 ($2): $n lookups at $CONNS connections under callgrind"
	callgrind_annotate --inclusive=yes "$T/$1.cg" 2>/dev/null | awk -v n="$n" '
	    /PROGRAM TOTALS/ { gsub(",", "", $1); printf "instructions per lookup: %.0f\n", $1 / n; next }
	    /^-+$/ { dash++; next }
	    dash >= 3 && NF >= 2 && shown < 20 && $1 ~ /^[0-9,]+$/ {
		f = $0; sub(/^[^)]*\) +/, "", f); sub(/ \[.*/, "", f); sub(/.*\//, "", f)
		if (seen[f]++) next
		v = $1; gsub(",", "", v); printf "  %8.0f  %s\n", v / n, f; shown++ }'
}

profile usable.dane.test "OK dane-only"
profile "$STS_DOMAIN" "$STS_REPLY"
exit 0
