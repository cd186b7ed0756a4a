#!/bin/bash
#
# NAME
#	run.sh -- benchmark dmarctls-milter against OpenDKIM -> OpenDMARC
#
# SYNOPSIS
#	tests/bench/run.sh BUILDDIR
#
# DESCRIPTION
#	BUILDDIR holds the built dmarctls-milter and tests/integration/dt-sign.
#	In a private namespace (see common.sh) it starts the signed DNS world,
#	dmarctls-milter (and a second one with Reports yes, SQLite store, for
#	the cost of recording report rows), and Debian's opendkim (verify
#	mode) and opendmarc,
#	builds the load client tests/bench/mload.c, signs a small corpus
#	(rsa-sha256 and ed25519-sha256 passes, a spoof of p=reject, a
#	quarantine, no record, an insecure zone), warms every cache, then
#	drives each target closed-loop at 1, 16 and 64 concurrent sessions,
#	one SMTP session (one milter connection per milter) per message.
#	The chain is driven like Postfix drives two milters: OpenDMARC sees
#	the Authentication-Results OpenDKIM added.
#
#	Prints one table: messages/s, p50/p99 latency of a whole session in
#	ms, errors and peak RSS (VmHWM) per target and level, then the ratios
#	dmarctls / chain and the issue's targets (at 64 sessions >= 3x the
#	chain's messages/s; p99 < 5 ms warm, taken at 1 session, because at
#	64 closed-loop sessions latency is only 64 / throughput).
#
#	A benchmark, not a test: it reports and exits 0 once it ran; it exits
#	1 only when it could not run (no namespace, a missing package, a
#	milter that does not start).
#
# ENVIRONMENT
#	BENCH_SECONDS	seconds per target and level (default 10)
#	BENCH_LEVELS	concurrency levels (default 1,16,64)
#	BENCH_KEEP=1	keep the temporary directory
#
# REQUIREMENTS
#	root (or user namespaces), opendkim, opendmarc, nsd, unbound,
#	ldnsutils, bind9-dnsutils, gcc.
set -u

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# shellcheck source=tests/bench/common.sh
. "$(dirname "$SELF")/common.sh"
builddir_arg "$@"
bench_namespace "$SELF" "$BUILDDIR"

SECONDS_PER=${BENCH_SECONDS:-10}
LEVELS=${BENCH_LEVELS:-1,16,64}
WARMUP=200			# messages before measuring: caches, key parsing

bench_need opendkim opendmarc
bench_world

# ------------------------------------------------------------------- corpus
# Mostly mail that passes, as on a real MX, plus the verdicts that cost
# something different: a reject, a quarantine, no policy at all.
M=$T/bench.manifest
{
	echo "# NAME IP HELO MAILFROM RCPT FILE"
	echo "pass_rsa $PASS_IP mx.good.test alice@good.test bob@receiver.test" \
	    "$(signed_from pass_rsa 'Alice <alice@good.test>' good.test rsa "$W_KEY_RSA2048")"
	echo "pass_ed25519 $PASS_IP mx.good.test alice@good.test bob@receiver.test" \
	    "$(signed_from pass_ed25519 'Alice <alice@good.test>' good.test ed "$W_KEY_ED25519" ed25519-sha256)"
	echo "pass_dkim_only $FAIL_IP mx.good.test alice@good.test bob@receiver.test" \
	    "$(signed_from pass_dkim_only 'Alice <alice@good.test>' good.test rsa "$W_KEY_RSA2048")"
	echo "pass_insecure $PASS_IP mx.insecure.test x@insecure.test bob@receiver.test" \
	    "$(signed_from pass_insecure 'x@insecure.test' insecure.test rsa "$W_KEY_RSA2048")"
	echo "none_norec $PASS_IP mx.norec.test x@norec.test bob@receiver.test" \
	    "$(signed_from none_norec 'x@norec.test' norec.test rsa "$W_KEY_RSA2048")"
	echo "spoof_reject $FAIL_IP mail.attacker.example ceo@good.test bob@receiver.test" \
	    "$(msg_from spoof_reject 'CEO <ceo@good.test>')"
	echo "spoof_quarantine $FAIL_IP mail.attacker.example x@quar.test bob@receiver.test" \
	    "$(msg_from spoof_quarantine 'x@quar.test')"
} >"$M"

# ------------------------------------------------------------------ milters
TARGETS=""
if start_dmarctls; then
	TARGETS="dmarctls"
else
	bench_log "dmarctls-milter is not available: measuring the chain alone"
fi
# The same milter recording report rows (issue 8: at most 10 % slower)
if [ -n "$TARGETS" ] && start_dmarctls_reports; then
	TARGETS="$TARGETS reports"
fi
start_opendkim || bench_fatal "opendkim did not start"
start_opendmarc || bench_fatal "opendmarc did not start"
TARGETS="$TARGETS chain"

# load TARGET -- mload against one target; its "level" lines go to $T/out
load() {
	local args
	case $1 in
	dmarctls) args=(-s "unix:$DMARCTLS_SOCK" --rss "dmarctls=$DMARCTLS_PID") ;;
	reports) args=(-s "unix:$REPORTS_SOCK" --rss "reports=$REPORTS_PID") ;;
	chain) args=(-s "unix:$OPENDKIM_SOCK" -s "unix:$OPENDMARC_SOCK"
		--rss "opendkim=$OPENDKIM_PID" --rss "opendmarc=$OPENDMARC_PID") ;;
	esac
	# warm: DNS caches of both resolvers, key parsing, thread pools
	"$MLOAD" "${args[@]}" -m "$M" -c 1 -n "$WARMUP" >"$T/out/$1.warm" 2>&1
	"$MLOAD" "${args[@]}" -m "$M" -c "$LEVELS" -t "$SECONDS_PER" >"$T/out/$1.levels" 2>&1
	grep '^level ' "$T/out/$1.levels" >/dev/null ||
	    { bench_log "$1: no figures:"; head -5 "$T/out/$1.levels" >&2; }
}

for t in $TARGETS; do
	bench_log "loading $t: levels $LEVELS, ${SECONDS_PER}s each"
	load "$t"
done

# field FILE SESSIONS KEY -- one value of a "level" line
field() {
	awk -v s="sessions=$2" -v k="$3=" '$1 == "level" && $2 == s {
		for (i = 3; i <= NF; i++) if (index($i, k) == 1) { print substr($i, length(k) + 1); exit } }' "$1"
}

# rss_total VALUE -- "a:1,b:2" -> 3 (kB)
rss_total() {
	echo "$1" | tr ',' '\n' | awk -F: '{ s += $2 } END { print s + 0 }'
}

echo
echo "dmarctls benchmark: $(nproc) CPUs, ${SECONDS_PER}s per level, closed loop, one session per message"
echo "corpus: $(grep -vc '^#' "$M") messages (rsa/ed25519 passes, DKIM-only pass, insecure zone, no record, reject, quarantine)"
printf '%-9s %8s %10s %9s %9s %7s  %s\n' target sessions msgs/s p50_ms p99_ms errors peak_rss_kb
for t in $TARGETS; do
	for s in ${LEVELS//,/ }; do
		printf '%-9s %8s %10s %9s %9s %7s  %s\n' "$t" "$s" \
		    "$(field "$T/out/$t.levels" "$s" msgs_per_s)" \
		    "$(field "$T/out/$t.levels" "$s" p50_ms)" \
		    "$(field "$T/out/$t.levels" "$s" p99_ms)" \
		    "$(field "$T/out/$t.levels" "$s" errors)" \
		    "$(field "$T/out/$t.levels" "$s" rss_peak_kb)"
	done
done

if [ "$TARGETS" = "dmarctls chain" ]; then
	echo
	echo "ratios dmarctls / chain:"
	for s in ${LEVELS//,/ }; do
		awk -v s="$s" -v a="$(field "$T/out/dmarctls.levels" "$s" msgs_per_s)" \
		    -v b="$(field "$T/out/chain.levels" "$s" msgs_per_s)" \
		    -v c="$(field "$T/out/dmarctls.levels" "$s" p99_ms)" \
		    -v d="$(field "$T/out/chain.levels" "$s" p99_ms)" \
		    'BEGIN { printf "  %2s sessions: msgs/s x%.2f   p99 x%.2f\n", s,
			(b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
	done
	a=$(rss_total "$(field "$T/out/dmarctls.levels" 64 rss_peak_kb)")
	b=$(rss_total "$(field "$T/out/chain.levels" 64 rss_peak_kb)")
	echo "  peak RSS: dmarctls ${a} kB, chain ${b} kB (opendkim + opendmarc)"
	echo
	echo "targets (issue):"
	awk -v a="$(field "$T/out/dmarctls.levels" 64 msgs_per_s)" \
	    -v b="$(field "$T/out/chain.levels" 64 msgs_per_s)" \
	    -v p="$(field "$T/out/dmarctls.levels" 1 p99_ms)" \
	    'BEGIN {
		r = (b > 0 ? a / b : 0)
		printf "  64 sessions, >= 3x the chain msgs/s: x%.2f %s\n", r, (r >= 3 ? "met" : "NOT met")
		printf "  p99 < 5 ms warm (1 session):         %s ms %s\n", p, (p != "" && p < 5 ? "met" : "NOT met")
	}'
fi
# paired LEVEL -- the cost of recording, measured fairly on a busy machine:
# BENCH_PAIRS rounds of (without, with) back to back at LEVEL sessions,
# BENCH_PAIR_SECONDS each; the ratio of the summed messages.
paired() {
	local i a b sa=0 sb=0
	for i in $(seq "${BENCH_PAIRS:-4}"); do
		for t in dmarctls reports; do
			case $t in
			dmarctls) sock=$DMARCTLS_SOCK ;;
			reports) sock=$REPORTS_SOCK ;;
			esac
			"$MLOAD" -s "unix:$sock" -m "$M" -c "$1" -t "${BENCH_PAIR_SECONDS:-3}" \
			    >"$T/out/pair.$t.$i" 2>&1
		done
		a=$(field "$T/out/pair.dmarctls.$i" "$1" msgs_per_s)
		b=$(field "$T/out/pair.reports.$i" "$1" msgs_per_s)
		echo "  round $i at $1 sessions: without $a msgs/s, with $b msgs/s"
		sa=$(awk -v x="$sa" -v y="${a:-0}" 'BEGIN { print x + y }')
		sb=$(awk -v x="$sb" -v y="${b:-0}" 'BEGIN { print x + y }')
	done
	awk -v a="$sa" -v b="$sb" -v l="$1" 'BEGIN { printf "  %s sessions: with / without x%.2f (cost %.1f %%, target <= 10 %%)\n",
		l, (a > 0 ? b / a : 0), (a > 0 ? 100 * (1 - b / a) : 0) }'
}

case " $TARGETS " in
*" reports "*)
	echo
	echo "reporting (Reports yes, SQLite WAL, group commit), paired rounds:"
	paired 64
	paired 1
	echo "  rows recorded: $(sqlite3 "$T/reports.db" 'SELECT count(*) FROM evaluation' 2>/dev/null)"
	;;
esac
for t in $TARGETS; do
	if grep -q '^MISMATCH\|error=' "$T/out/$t.levels"; then
		echo
		echo "$t: sessions that ended in an error (first 5):"
		grep 'error=' "$T/out/$t.levels" | head -5 | sed 's/^/  /'
	fi
done
exit 0
