# shellcheck shell=bash
# check.sh -- the assertions of the real-server test suites: a case
# collects every mismatch, then reports once.
#
# SYNOPSIS
#	. "$TOPDIR/tests/lib/report.sh"		(ok, not_ok: needed first)
#	. "$TOPDIR/tests/lib/check.sh"
#	CHECK_FILTER=${DT_X_FILTER:-}		run only the cases matching this ERE
#	CHECK_SHORT=1				(optional) one-line, shortened reasons
#	CHECK_DIAG=FUNCTION			(optional) "#" lines after a failure
#
#	case_wanted NAME		0 unless CHECK_FILTER is set and NAME does not match
#	case_begin NAME			CASE=NAME, BAD="", OUT=""; returns case_wanted NAME
#	want WHAT GOT EXPECTED		GOT must be EXPECTED, to the letter
#	want_re WHAT GOT ERE		GOT must match the extended regex ERE
#	want_no_re WHAT GOT ERE		GOT must not match ERE
#	bad WHY				a mismatch of the case's own making
#	case_end			"ok - $CASE", or "not ok - $CASE (mismatches)"
#					and then CHECK_DIAG; BAD is emptied
#
# DESCRIPTION
#	A case is
#		if case_begin NAME; then ...want...; case_end; fi
#	or, for checks that always run, CASE=NAME and BAD="" then case_end.
#	Every want* that fails appends "expected WHAT ..." to BAD ("; "
#	between them), so one "not ok" line names every mismatch of a case.
#
#	CHECK_SHORT=1 keeps a reason on one line and short, for suites whose
#	GOT is often a whole log: newlines are shown as \n, want_re shows at
#	most CHECK_SHORT_MAX characters of GOT, and want_no_re only the part
#	that matched. Without it GOT is shown whole.
#
#	CHECK_DIAG names a function of the suite that prints the "#" lines
#	worth reading after a failure (transcript, milter log); it runs after
#	the "not ok" line, with CASE, BAD and OUT still set.

# OUT is the suite's (set by its send functions, read by its CHECK_DIAG).
# shellcheck disable=SC2034
CHECK_FILTER=${CHECK_FILTER:-}
CHECK_SHORT=${CHECK_SHORT:-}
CHECK_DIAG=${CHECK_DIAG:-}
CHECK_SHORT_MAX=300		# characters of GOT want_re shows with CHECK_SHORT
CASE=""
BAD=""
OUT=""

case_wanted() {
	[ -z "$CHECK_FILTER" ] || [[ $1 =~ $CHECK_FILTER ]]
}

case_begin() {
	CASE=$1
	BAD=""
	OUT=""
	case_wanted "$CASE"
}

bad() {
	if [ "$CHECK_SHORT" = 1 ]; then
		BAD="$BAD${BAD:+; }${1//$'\n'/\\n}"
	else
		BAD="$BAD${BAD:+; }$1"
	fi
}

want() {
	[ "$2" = "$3" ] || bad "expected $1 = '$3', got '$2'"
}

want_re() {
	local got=$2
	[ "$CHECK_SHORT" = 1 ] && got=${got:0:$CHECK_SHORT_MAX}
	[[ $2 =~ $3 ]] || bad "expected $1 to match /$3/, got '$got'"
}

want_no_re() {
	local shown
	[[ $2 =~ $3 ]] || return 0
	shown=$2
	[ "$CHECK_SHORT" = 1 ] && shown=${BASH_REMATCH[0]}
	bad "expected $1 not to match /$3/, got '$shown'"
}

case_end() {
	if [ -z "$BAD" ]; then
		ok "$CASE"
	else
		not_ok "$CASE" "$BAD"
		[ -n "$CHECK_DIAG" ] && "$CHECK_DIAG"
	fi
	BAD=""
}
