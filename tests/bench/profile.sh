#!/bin/bash
#
# NAME
#	profile.sh -- what dmarctls-milter does per message: calls, allocations, locks
#
# SYNOPSIS
#	tests/bench/profile.sh BUILDDIR
#
# DESCRIPTION
#	In the benchmark's namespace and DNS world (common.sh), one
#	dmarctls-milter (the benchmark's rules, unix socket, the default
#	protocol options) runs under valgrind's callgrind; tests/bench/mload
#	warms it (caches, keys), the counters are zeroed (callgrind_control
#	-z), PROF_COUNT messages of the benchmark's
#	kind of corpus go through at PROF_SESSIONS sessions, and the profile
#	is dumped. Callgrind counts calls exactly (not sampled), so the
#	figures are per message and do not depend on the machine's load:
#	  - calls per message of malloc/calloc/realloc/free, of the pthread
#	    mutex and rwlock functions, and of read/write/poll;
#	  - the callers of malloc and of pthread_rwlock_rdlock with the most
#	    calls (who allocates, who takes the read locks), and the
#	    allocations made by dmarctls's own functions;
#	  - instructions per message, and the functions with the most
#	    inclusive instructions.
#	The raw profile stays in the directory with PROF_KEEP=1
#	(callgrind_annotate, kcachegrind).
#
#	A measurement, not a test: exits 0 once it ran, 1 when it could not.
#
# ENVIRONMENT
#	PROF_COUNT (default 400), PROF_SESSIONS (default 16), PROF_KEEP=1,
#	PROF_REPORTS=1 (the milter records report rows: Reports yes, an
#	SQLite store; every thread's instructions count, the writer's too,
#	so the difference to a run without is the cost of recording).
set -u

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# shellcheck source=tests/bench/common.sh
. "$(dirname "$SELF")/common.sh"
builddir_arg "$@"
bench_namespace "$SELF" "$BUILDDIR"
BENCH_KEEP=${PROF_KEEP:-}
COUNT=${PROF_COUNT:-400}
SESSIONS=${PROF_SESSIONS:-16}
bench_need valgrind callgrind_control callgrind_annotate
bench_world

M=$T/prof.manifest
{
	echo "pass_rsa $PASS_IP mx.good.test alice@good.test bob@receiver.test" \
	    "$(signed_from pass_rsa 'Alice <alice@good.test>' good.test rsa "$W_KEY_RSA2048")"
	echo "pass_ed25519 $PASS_IP mx.good.test alice@good.test bob@receiver.test" \
	    "$(signed_from pass_ed25519 'Alice <alice@good.test>' good.test ed "$W_KEY_ED25519" ed25519-sha256)"
	echo "pass_dkim_only $FAIL_IP mx.good.test alice@good.test bob@receiver.test" \
	    "$(signed_from pass_dkim_only 'Alice <alice@good.test>' good.test rsa "$W_KEY_RSA2048")"
	echo "spoof_reject $FAIL_IP mail.attacker.example ceo@good.test bob@receiver.test" \
	    "$(msg_from spoof_reject 'CEO <ceo@good.test>')"
} >"$M"

SOCK=$T/sock/prof.sock
CG=$T/callgrind.out
REPORTING=
[ "${PROF_REPORTS:-0}" = 1 ] &&
    REPORTING="Reports yes ReportStore sqlite:$T/prof.db ReportSpool $T/prof.spool"
# shellcheck disable=SC2086 # REPORTING: key value pairs
milter_conf tests/bench/profile.sh "unix:$SOCK" RejectFailures yes Quarantine hold \
    TempfailOnDNSError yes RejectOnNoFrom yes $REPORTING >"$T/conf/prof.conf"
valgrind --tool=callgrind --callgrind-out-file="$CG" \
    "$BUILDDIR/dmarctls-milter" -f -c "$T/conf/prof.conf" >"$T/log/prof.log" 2>&1 &
VG=$!
BENCH_PIDS="$BENCH_PIDS $VG"
BENCH_WAIT_TRIES=600 bench_wait_socket "$SOCK" "$VG" "dmarctls-milter under callgrind" ||
    bench_fatal "the milter did not start: $(tail -3 "$T/log/prof.log")"
"$MLOAD" -s "unix:$SOCK" -m "$M" -c 4 -n 200 --timeout 60000 >"$T/out/warm" 2>&1 ||
    bench_fatal "warm-up failed: $(tail -2 "$T/out/warm")"
callgrind_control -z "$VG" >/dev/null || bench_fatal "callgrind_control -z failed"
"$MLOAD" -s "unix:$SOCK" -m "$M" -c "$SESSIONS" -n "$COUNT" --timeout 60000 >"$T/out/prof" 2>&1 ||
    bench_fatal "the profiled run failed: $(tail -2 "$T/out/prof")"
callgrind_control -d "$VG" >/dev/null || bench_fatal "callgrind_control -d failed"
N=$(awk '$1 == "level" { for (i = 3; i <= NF; i++) if ($i ~ /^messages=/) { sub(/messages=/, "", $i); print $i } }' "$T/out/prof")
kill "$VG" 2>/dev/null
wait "$VG" 2>/dev/null
DUMP=$(ls "$CG"* 2>/dev/null | grep -v '\.pid$' | sort | tail -n 1)
[ -s "$DUMP" ] || bench_fatal "no callgrind dump"

# the caller tree: for each function its callers ("<" lines, with the
# calls they made: "(Nx)"), then the function itself (" * " line)
A=$T/out/annotate.tree
callgrind_annotate --tree=caller --inclusive=yes --threshold=100 "$DUMP" >"$A" 2>/dev/null
# tree_calls NAME -- "CALLS CALLER" lines for the function NAME, over the run
tree_calls() {
	awk -v f="$1" '
	    / < / && match($0, /\([0-9,]+x\)/) {
		c = substr($0, RSTART + 1, RLENGTH - 3); gsub(/,/, "", c)
		w = $0; sub(/.* < +/, "", w); sub(/ \([0-9,]+x\)/, "", w); gsub(/ /, "_", w)
		buf[++nb] = c " " w; next }
	    / \* / { cur = $0; sub(/.* \* +/, "", cur); sub(/ .*/, "", cur); sub(/^.*:/, "", cur)
		sub(/@.*/, "", cur)
		if (cur == f) for (i = 1; i <= nb; i++) print buf[i]
		nb = 0 }' "$A"
}
# calls_to NAME -- calls per message of the function NAME
calls_to() {
	tree_calls "$1" | awk -v n="$N" '{ s += $1 } END { printf "%.1f", (n > 0 ? s / n : 0) }'
}
# callers NAME K -- the K callers of NAME with the most calls, calls per message
callers() {
	tree_calls "$1" | awk -v n="$N" '{ c[$2] += $1 } END { for (w in c) printf "%10.1f  %s\n", c[w] / n, w }' |
	    sed 's/_\[/ [/' |
	    sort -rn | head -n "$2"
}
TOTAL=$(callgrind_annotate "$DUMP" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1; exit }')

echo
echo "dmarctls-milter per message under callgrind, $(date -u +%F), $N messages at $SESSIONS sessions" \
    "(after 200 warm-up), unix socket, default protocol options${REPORTING:+, $REPORTING}"
echo "command: PROF_COUNT=$COUNT PROF_SESSIONS=$SESSIONS PROF_REPORTS=${PROF_REPORTS:-0} tests/bench/profile.sh BUILDDIR"
echo "instructions per message: $(awk -v t="${TOTAL:-0}" -v n="$N" 'BEGIN { printf "%.0f", t / n }')"
printf '%-28s %s\n' function calls/message
for f in malloc calloc realloc free pthread_mutex_lock pthread_rwlock_rdlock pthread_rwlock_wrlock \
    pthread_rwlock_unlock read write poll; do
	printf '%-28s %s\n' "$f" "$(calls_to "$f")"
done
echo "callers of malloc (calls/message):"
callers malloc 15
echo "allocations by dmarctls's own code (malloc, calloc, realloc; calls/message):"
for f in malloc calloc realloc; do tree_calls "$f"; done | grep -F "$BUILDDIR" |
    awk -v n="$N" '{ c[$2] += $1 } END { for (w in c) printf "%10.1f  %s\n", c[w] / n, w }' |
    sed 's/_\[.*//' | sort -rn | head -n 10
echo "callers of pthread_rwlock_rdlock (calls/message):"
callers pthread_rwlock_rdlock 8
echo "callers of CRYPTO_THREAD_read_lock (calls/message):"
callers CRYPTO_THREAD_read_lock 8
echo "inclusive instructions per message, top functions:"
callgrind_annotate --inclusive=yes "$DUMP" 2>/dev/null |
    awk -v n="$N" '/^ *[0-9,]+ \(/ && NR > 20 { v = $1; gsub(/,/, "", v); $1 = ""; $2 = ""
	printf "%12.0f %s\n", v / n, $0 }' | head -n 25
exit 0
