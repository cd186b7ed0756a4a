# shellcheck shell=bash
# report.sh -- what every real-server test suite prints, and its one argument.
#
# SYNOPSIS
#	REPORT_PREFIX=name
#	. "$TOPDIR/tests/lib/report.sh"
#	builddir_arg "$@"		sets BUILDDIR, or prints usage and exits 64
#	ok NAME				"ok - NAME"
#	not_ok NAME WHY			"not ok - NAME (WHY)"
#	fatal NAME WHY			not_ok, then the summary, then exit
#	summary_and_exit		"$REPORT_PREFIX: N passed, M failed"; exit 0 only if M = 0
#	sanitizer_env			ASan/LSan/UBSan options for sanitizer builds
#					(ASan's: SANITIZER_ASAN_OPTIONS, if set)
#
# The summary line is what tests/run-all.sh counts: every suite ends with it,
# also when it could not start.

# BUILDDIR is for the suite.
# shellcheck disable=SC2034
NPASS=0
NFAIL=0

ok() {
	NPASS=$((NPASS + 1))
	echo "ok - $1"
}

not_ok() {
	NFAIL=$((NFAIL + 1))
	echo "not ok - $1 ($2)"
}

summary_and_exit() {
	echo "$REPORT_PREFIX: $NPASS passed, $NFAIL failed"
	[ "$NFAIL" -eq 0 ]
	exit
}

fatal() {
	not_ok "$1" "$2"
	summary_and_exit
}

builddir_arg() {
	if [ $# -ne 1 ] || [ ! -d "$1" ]; then
		echo "usage: $0 BUILDDIR" >&2
		exit 64
	fi
	BUILDDIR=$(cd "$1" && pwd)
}

# Full stacks through libcrypto (ASan's slow unwinder) so that lsan.supp can
# name the libopendkim leak it suppresses; UBSan stops at the first report.
# SANITIZER_ASAN_OPTIONS replaces the ASan part (the Sendmail suite keeps
# the fast unwinder: detect_leaks=1 alone).
sanitizer_env() {
	local supp
	supp=$(cd "$(dirname "${BASH_SOURCE[0]}")/../integration" && pwd)/lsan.supp
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}${SANITIZER_ASAN_OPTIONS:-fast_unwind_on_malloc=0:detect_leaks=1}"
	export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$supp:print_suppressions=0"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
}
