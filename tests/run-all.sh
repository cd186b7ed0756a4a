#!/usr/bin/env bash
# run-all.sh -- the whole test suite: the README's test command and what CI runs.
#
#   tests/run-all.sh            install dependencies, then every stage below
#
# Stages, each in its own build directory under build/ (out of tree):
#   1. werror:  gcc -Wall -Wextra -Werror build, unit tests (cmocka), then the
#               suites with real servers in private namespaces: integration
#               (dmarctls-check against nsd + validating unbound), milter
#               (dmarctls-milter over the milter protocol with miltertest),
#               postfix (Debian's Postfix 3.7 with smtpd_milters), sendmail
#               (Sendmail 8.17 unpacked from its .debs, INPUT_MAIL_FILTER),
#               report (aggregate reports, SQLite and PostgreSQL), failure
#               (RFC 9991 failure reports), tlspolicy and sts (dmarctls-policyd)
#   install:    make install/uninstall into a private root (tests/install/run.sh:
#               paths, unit verified with systemd-analyze, config kept), then
#               make distcheck; package: the Debian packages built with
#               dpkg-buildpackage, lintian, installed in a private overlay and
#               run from the unit's command lines behind a chrooted Postfix
#               (tests/package/run.sh)
#   2. asan:    the same sources with AddressSanitizer + UndefinedBehaviorSanitizer,
#               unit tests and every real-server suite again
#   3. fuzz:    clang libFuzzer build, each target for FUZZ_SECONDS (default 30)
# The last line is "ci: N passed, M failed"; the exit status is 0 only if M is 0.
#
# Environment: FUZZ_SECONDS, SKIP_DEPS=1 (do not run contrib/install-deps.sh),
# JOBS (parallel make jobs, default: number of CPUs).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
JOBS=${JOBS:-$(nproc)}
passed=0
failed=0
failures=()

note() { printf '\n=== %s\n' "$*"; }
count_pass() { passed=$((passed + $1)); }
count_fail() { failed=$((failed + $1)); failures+=("$2"); }

# cmocka_totals LOG... -- add up cmocka's "[  PASSED  ] N" / "[  FAILED  ] N" lines
cmocka_totals() {
	cat "$@" 2>/dev/null | awk '
		/^\[  PASSED  \] [0-9]+ test/ { p += $4 }
		/^\[  FAILED  \] [0-9]+ test/ { f += $4 }
		END { print p + 0, f + 0 }'
}

# build NAME CONFIGURE-ARGS... -- configure and build into build/NAME
build() {
	local name=$1; shift
	note "build $name: $*"
	mkdir -p "build/$name"
	(cd "build/$name" && "$top/configure" -q "$@" && make -s -j"$JOBS" all) \
	    || { count_fail 1 "build $name"; return 1; }
}

# unit NAME -- run the cmocka programs of build/NAME through automake's harness
unit() {
	local name=$1 p f
	note "unit tests ($name)"
	(cd "build/$name" && make -s -j"$JOBS" check >/dev/null 2>&1)
	for log in build/"$name"/tests/unit/*.log; do
		grep -q '^\[  FAILED  \]\|^# FAIL\|ERROR: \(Address\|Leak\|Undefined\)' "$log" \
		    && { echo "--- $log"; tail -n 40 "$log"; }
	done
	read -r p f < <(cmocka_totals build/"$name"/tests/unit/test_*.log)
	local progs crashed
	progs=$(ls build/"$name"/tests/unit/test_*.trs 2>/dev/null | wc -l)
	crashed=$(grep -l '^:test-result: \(FAIL\|ERROR\)' build/"$name"/tests/unit/test_*.trs 2>/dev/null | wc -l)
	echo "unit ($name): $p passed, $f failed; $progs programs, $crashed exited non-zero"
	count_pass "$p"
	[ "$f" -gt 0 ] && count_fail "$f" "unit tests ($name)"
	# a program that died (sanitizer report, crash) without a FAILED line still fails
	[ "$crashed" -gt 0 ] && [ "$f" -eq 0 ] && count_fail "$crashed" "unit programs ($name)"
	[ "$progs" -gt 0 ] || count_fail 1 "no unit test ran ($name)"
}

# suite SCRIPT PREFIX NAME -- a test script against build/NAME; its last
# line "PREFIX: N passed, M failed" is what counts
suite() {
	local script=$1 prefix=$2 name=$3 out p f
	note "$prefix tests ($name)"
	out=$("$script" "build/$name" 2>&1)
	echo "$out"
	read -r p f < <(echo "$out" | sed -n "s/^$prefix: \([0-9]*\) passed, \([0-9]*\) failed\$/\1 \2/p" | tail -n 1)
	if [ -z "${p:-}" ]; then
		count_fail 1 "$prefix ($name) printed no summary"
		return
	fi
	count_pass "$p"
	[ "$f" -gt 0 ] && count_fail "$f" "$prefix ($name)"
}

# real_world NAME -- every suite that runs real servers, against build/NAME
real_world() {
	suite tests/integration/run.sh integration "$1"
	suite tests/milter/run.sh milter "$1"
	suite tests/metrics/run.sh metrics "$1"
	suite tests/postfix/run.sh postfix "$1"
	suite tests/postfix/tls.sh postfix-tls "$1"
	suite tests/sendmail/run.sh sendmail "$1"
	suite tests/report/run.sh report "$1"
	suite tests/report/failure.sh failure "$1"
	suite tests/tlspolicy/run.sh tlspolicy "$1"
	suite tests/tlspolicy/sts.sh sts "$1"
}

# install_stage -- make install/uninstall against build/werror, distcheck,
# then the Debian packages (built, lintian, installed, run behind Postfix)
install_stage() {
	suite tests/install/run.sh install werror
	suite tests/package/run.sh package werror
	note "make distcheck"
	if (cd build/werror && make -s -j"$JOBS" distcheck) >build/distcheck.log 2>&1; then
		echo "distcheck: ok"
		count_pass 1
	else
		tail -n 30 build/distcheck.log
		count_fail 1 "make distcheck"
	fi
}

# fuzz_one T -- run one libFuzzer target for FUZZ_SECONDS into build/fuzz/NAME.log
fuzz_one() {
	local t=$1 name corpus
	name=$(basename "$t")
	corpus=build/fuzz/corpus/$name
	mkdir -p "$corpus"
	[ -d "tests/fuzz/corpus/$name" ] && cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
	"$t" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -rss_limit_mb=2048 \
	    -print_final_stats=1 "$corpus" >"build/fuzz/$name.log" 2>&1
}

# fuzz_result T STATUS -- count one target's run and show its log's end
fuzz_result() {
	local name
	name=$(basename "$1")
	note "fuzz $name for ${FUZZ_SECONDS}s"
	if [ "$2" -eq 0 ]; then
		tail -n 3 "build/fuzz/$name.log"
		count_pass 1
	else
		tail -n 60 "build/fuzz/$name.log"
		count_fail 1 "fuzz $name"
	fi
}

# fuzz -- every libFuzzer target for FUZZ_SECONDS, seeded from
# tests/fuzz/corpus, JOBS of them at a time (each is one process on one core)
fuzz() {
	local t batch=() pids=() i
	for t in build/fuzz/tests/fuzz/fuzz_* ""; do
		if [ -n "$t" ]; then
			[ -x "$t" ] || continue
			fuzz_one "$t" &
			batch+=("$t")
			pids+=($!)
			[ "${#batch[@]}" -lt "$JOBS" ] && continue
		fi
		for i in "${!batch[@]}"; do
			wait "${pids[$i]}"
			fuzz_result "${batch[$i]}" $?
		done
		batch=()
		pids=()
	done
}

if [ "${SKIP_DEPS:-0}" != 1 ]; then
	note "dependencies"
	# root (or sudo) only when a package is missing
	if contrib/install-deps.sh --check >/dev/null; then
		echo "install-deps: all packages already installed"
	elif [ "$(id -u)" -eq 0 ]; then
		contrib/install-deps.sh || exit 1
	elif command -v sudo >/dev/null; then
		sudo contrib/install-deps.sh || exit 1
	else
		contrib/install-deps.sh; exit 1
	fi
fi
note "autoreconf"
autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed"; exit 1; }

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/integration/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if build werror --enable-werror CC=gcc CFLAGS="-O2 -g"; then
	unit werror
	real_world werror
	install_stage
fi
if [ -x build/werror/dmarctls-milter ]; then
	# reports each verdict that differs from the OpenDKIM -> OpenDMARC chain
	# (explained in tests/bench/DIFFERENCES.md); it counts as no test
	note "differential run against OpenDKIM -> OpenDMARC (report only)"
	tests/bench/diff.sh build/werror 2>&1 | tail -n 40
fi
if build asan --enable-werror CC=gcc CFLAGS="-O1 -g $SAN" LDFLAGS="$SAN"; then
	unit asan
	real_world asan
fi
if build fuzz --enable-fuzz CC=clang \
    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
    LDFLAGS="-fsanitize=address,undefined"; then
	fuzz
fi

note "summary"
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "ci: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
