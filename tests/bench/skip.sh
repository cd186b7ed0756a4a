#!/bin/bash
#
# NAME
#	skip.sh -- measure SMFIS_SKIP (MilterSkipBody) with large bodies
#
# SYNOPSIS
#	tests/bench/skip.sh BUILDDIR
#
# DESCRIPTION
#	What does ending the body early cost or save, and on which socket
#	type? In the benchmark's namespace and DNS world (common.sh), four
#	dmarctls-milter processes:
#	  tcp_skip    TCP, MilterSkipBody auto (body chunks answered, SKIP on)
#	  tcp_noskip  TCP, MilterSkipBody no
#	  unix_nr     unix socket, auto: SMFIP_NR_BODY, no SKIP (the default)
#	  unix_skip   unix socket, MilterSkipBody yes: SKIP, body answered
#	driven by tests/bench/mload (which offers SMFIP_SKIP, as Postfix and
#	Sendmail do) with three corpora: "small", an unsigned message (DKIM
#	needs nothing of its body: skipped at the first chunk) and an
#	rsa-signed one (needs all of it), as written (one chunk each);
#	"1MB-unsigned" and "1MB-signed", each one of them alone with
#	--big-body 1048576 (16 chunks; the signed one then fails its body
#	hash, but DKIM still reads every byte). Every target in turn per rep,
#	corpus and level (interleaved), closed loop. Prints medians of
#	messages/s and CPU ms per message (the milter's utime + stime from
#	/proc; the client's own work is not in it), and the skip / no-skip
#	ratios of messages/s per rep.
#
#	A measurement, not a test: exits 0 once it ran, 1 when it could not.
#
# ENVIRONMENT
#	SKIP_SECONDS (default 3), SKIP_REPS (default 3), SKIP_LEVELS
#	(default 1,16), BENCH_KEEP=1 keeps the directory.
set -u

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# shellcheck source=tests/bench/common.sh
. "$(dirname "$SELF")/common.sh"
builddir_arg "$@"
bench_namespace "$SELF" "$BUILDDIR"

SECS=${SKIP_SECONDS:-3}
REPS=${SKIP_REPS:-3}
LEVELS=${SKIP_LEVELS:-1,16}
bench_world

echo "unsigned $PASS_IP mx.good.test alice@good.test bob@receiver.test" \
    "$(msg_from unsigned 'Alice <alice@good.test>')" >"$T/unsigned.manifest"
echo "signed $PASS_IP mx.good.test alice@good.test bob@receiver.test" \
    "$(signed_from signed 'Alice <alice@good.test>' good.test rsa "$W_KEY_RSA2048")" \
    >"$T/signed.manifest"
cat "$T/unsigned.manifest" "$T/signed.manifest" >"$T/small.manifest"
M=$T/small.manifest
CORPORA="small 1MB-unsigned 1MB-signed"

start_dmarctls_on tcp_skip "inet:18921@127.0.0.1" || bench_fatal "tcp_skip did not start"
start_dmarctls_on tcp_noskip "inet:18922@127.0.0.1" MilterSkipBody no ||
    bench_fatal "tcp_noskip did not start"
start_dmarctls_on unix_nr "unix:$T/sock/unix_nr.sock" || bench_fatal "unix_nr did not start"
start_dmarctls_on unix_skip "unix:$T/sock/unix_skip.sock" MilterSkipBody yes ||
    bench_fatal "unix_skip did not start"
TARGETS="tcp_skip tcp_noskip unix_nr unix_skip"
declare -A SOCK=([tcp_skip]="inet:18921@127.0.0.1" [tcp_noskip]="inet:18922@127.0.0.1"
    [unix_nr]="unix:$T/sock/unix_nr.sock" [unix_skip]="unix:$T/sock/unix_skip.sock")
declare -A CORPUS_ARGS=([small]="-m $T/small.manifest"
    [1MB-unsigned]="-m $T/unsigned.manifest --big-body 1048576"
    [1MB-signed]="-m $T/signed.manifest --big-body 1048576")

ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$T/$1.pid")/stat"; }
field() {
	awk -v k="$2=" '$1 == "level" { for (i = 3; i <= NF; i++)
	    if (index($i, k) == 1) { print substr($i, length(k) + 1); exit } }' "$1"
}
TICK=$(getconf CLK_TCK)
for t in $TARGETS; do
	"$MLOAD" -s "${SOCK[$t]}" -m "$M" -c 1 -n 100 >"$T/out/$t.warm" 2>&1 ||
	    bench_fatal "$t: warm-up failed: $(tail -1 "$T/out/$t.warm")"
done
R=$T/out/runs
: >"$R"
for rep in $(seq "$REPS"); do
	for corpus in $CORPORA; do
		for lvl in ${LEVELS//,/ }; do
			for t in $TARGETS; do
				f=$T/out/$t.$rep.$corpus.$lvl
				c0=$(ticks "$t")
				# shellcheck disable=SC2086
				"$MLOAD" -s "${SOCK[$t]}" -c "$lvl" -t "$SECS" \
				    ${CORPUS_ARGS[$corpus]} >"$f" 2>&1
				c1=$(ticks "$t")
				n=$(field "$f" messages)
				echo "$rep $corpus $lvl $t $(field "$f" msgs_per_s) $(field "$f" errors)" \
				    "$(awk -v d=$((c1 - c0)) -v n="${n:-0}" -v hz="$TICK" \
				    'BEGIN { printf "%.3f", (n > 0 ? d * 1000 / hz / n : 0) }')" >>"$R"
			done
		done
	done
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "-") }'; }
med() { awk -v c="$1" -v l="$2" -v t="$3" -v k="$4" '$2 == c && $3 == l && $4 == t { print $k }' "$R" | median; }
ratio() {	# corpus level A B -- A/B msgs/s per rep, then the median
	local each
	each=$(awk -v c="$1" -v l="$2" -v a="$3" -v b="$4" '$2 == c && $3 == l && $4 == a { x[$1] = $5 }
	    $2 == c && $3 == l && $4 == b { y[$1] = $5 }
	    END { for (r in x) if (y[r] > 0) printf "%.2f\n", x[r] / y[r] }' "$R")
	echo "x$(echo "$each" | grep . | median) (reps $(echo "$each" | tr '\n' ' ' | sed 's/ $//'))"
}
echo
echo "SMFIS_SKIP $(date -u +%F), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: SKIP_SECONDS=$SECS SKIP_REPS=$REPS SKIP_LEVELS=$LEVELS tests/bench/skip.sh BUILDDIR"
printf '%-12s %8s %-11s %10s %7s %12s\n' corpus sessions target msgs/s errors cpu_ms/msg
for corpus in $CORPORA; do
	for lvl in ${LEVELS//,/ }; do
		for t in $TARGETS; do
			printf '%-12s %8s %-11s %10s %7s %12s\n' "$corpus" "$lvl" "$t" \
			    "$(med "$corpus" "$lvl" "$t" 5)" "$(med "$corpus" "$lvl" "$t" 6)" \
			    "$(med "$corpus" "$lvl" "$t" 7)"
		done
	done
done
for corpus in $CORPORA; do
	for lvl in ${LEVELS//,/ }; do
		echo "$corpus, $lvl sessions: tcp skip/noskip $(ratio "$corpus" "$lvl" tcp_skip tcp_noskip);" \
		    "unix skip/nr $(ratio "$corpus" "$lvl" unix_skip unix_nr)"
	done
done
exit 0
