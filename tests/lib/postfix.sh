# shellcheck shell=bash
# postfix.sh -- what tests/postfix/run.sh and tests/postfix/tls.sh share:
# a private Postfix instance from the contrib recipe, and reading back
# what it did.
#
# SYNOPSIS
#	. "$TOPDIR/tests/lib/postfix.sh"	(after report.sh, check.sh,
#						sandbox.sh and messages.sh)
#	postfix_namespace SCRIPT		re-execute SCRIPT BUILDDIR unshared
#	postfix_prerequisites			tools, MILTER, SIGN, postfix user
#	postfix_dirs ROOT			ROOT/spool, data, mail for an instance
#	main_cf_base				main.cf.in + contrib main.cf.dmarctls
#	master_cf_contrib SMTP-PORT SUBMIT-PORT	contrib master.cf.dmarctls services
#	postfix_start CONFIG-DIR		postfix -c CONFIG-DIR start
#	postfix_stop CONFIG-DIR			stop it, if postfix_start started it
#	delivered MAILDIR NAME			the file of Message-ID <NAME@postfix.test>
#	milter_line QID [LOG]			the milter's log line for QID
#	queue_of QID				the queue QID sits in ("" when gone)
#	milter_warnings				the maillog's first milter trouble
#	stop_milter PID LOG [WHICH]		SIGTERM; want a clean exit, no sanitizer report
#	postfix_diag				CHECK_DIAG: transcript and milter log tail
#
# DESCRIPTION
#	Uses the suite's T (temporary directory), PF (the config directory of
#	the instance the cases talk to), MILTER_LOG and OUT (a case's
#	transcript); the Postfix control log is $T/postfix-ctl.log and the
#	instance's maillog is $T/maillog (main.cf.in).
#
#	postfix_namespace: Postfix's master must start as root, so there is
#	no user-namespace fallback. With DT_PF_INNER=1 (already inside) it
#	returns at once.
#
#	main_cf_base fills in @T@, @MAILUID@ and @MAILGID@ (virtual(8)
#	delivers as nobody). master_cf_contrib renames the smtp and
#	submission services of the contrib lines to test ports and runs them
#	unchrooted; the suite checks that both are still there.
#
#	delivered waits DELIVERY_TRIES x 0.1 s for the queue manager and
#	virtual(8). stop_milter waits MILTER_STOP_TRIES x 0.1 s, then kills;
#	its mismatches go to BAD, named "WHICH exit status" and so on.

POSTFIX_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../postfix" && pwd)
POSTFIX_CONTRIB=$(cd "$POSTFIX_SRC/../../contrib/postfix" && pwd)
DELIVERY_TRIES=100		# x 0.1 s for a queued message to be delivered
MILTER_STOP_TRIES=100		# x 0.1 s for the milter to exit on SIGTERM
MAILUID=$(id -u nobody)
MAILGID=$(id -g nobody)
POSTFIX_RUNNING=""

postfix_namespace() {
	[ "${DT_PF_INNER:-}" = 1 ] && return 0
	[ "$(id -u)" -eq 0 ] || fatal namespace "Postfix must be started as root: run as root"
	ns_err=$(unshare_error --net --mount --pid --fork) ||
	    fatal namespace "$ns_err"
	# shellcheck disable=SC2093
	exec unshare --net --mount --pid --fork --kill-child --mount-proc \
	    --propagation private env DT_PF_INNER=1 "$1" "$BUILDDIR"
	fatal namespace "unshare failed"
}

postfix_prerequisites() {
	local tool
	for tool in postfix postqueue postconf swaks nsd unbound ldns-keygen ldns-signzone \
	    ldns-key2ds dig jq openssl perl timeout; do
		command -v "$tool" >/dev/null || fatal prerequisites "$tool not installed (contrib/install-deps.sh)"
	done
	perl -MNet::SSLeay -e 1 2>/dev/null ||
	    fatal prerequisites "swaks --tls needs Net::SSLeay (libnet-ssleay-perl)"
	[ -x "$MILTER" ] || fatal prerequisites "no $MILTER: make dmarctls-milter"
	[ -x "$SIGN" ] || fatal prerequisites "no $SIGN: make tests/integration/dt-sign"
	if ! id postfix >/dev/null 2>&1 || ! getent group postdrop >/dev/null; then
		fatal prerequisites "no postfix user or postdrop group (install the postfix package)"
	fi
}

postfix_dirs() {
	mkdir -p "$1/spool" "$1/data" "$1/mail"
	chown postfix "$1/data"
	chown "$MAILUID:$MAILGID" "$1/mail"
}

main_cf_base() {
	sed -e "s|@T@|$T|g" -e "s|@MAILUID@|$MAILUID|g" -e "s|@MAILGID@|$MAILGID|g" \
	    "$POSTFIX_SRC/main.cf.in"
	cat "$POSTFIX_CONTRIB/main.cf.dmarctls"
}

master_cf_contrib() {
	sed -E -e "s/^smtp([[:space:]]+inet)/$1\\1/" \
	    -e "s/^submission([[:space:]]+inet)/$2\\1/" \
	    -e 's/^([0-9]+[[:space:]]+inet[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+)y/\1n/' \
	    "$POSTFIX_CONTRIB/master.cf.dmarctls"
}

postfix_start() {
	postfix -c "$1" start >>"$T/postfix-ctl.log" 2>&1 || return 1
	POSTFIX_RUNNING="$POSTFIX_RUNNING $1 "
}

postfix_stop() {
	case $POSTFIX_RUNNING in
	*" $1 "*) ;;
	*) return 0 ;;
	esac
	postfix -c "$1" stop >>"$T/postfix-ctl.log" 2>&1
	POSTFIX_RUNNING=${POSTFIX_RUNNING/ $1 /}
}

delivered() {
	local i=0 f
	while [ $i -lt $DELIVERY_TRIES ]; do
		f=$(grep -l -s -F "<$2@postfix.test>" "$1"/new/* | head -1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

milter_line() {
	[ -n "$1" ] && grep -F " $1: ip=" "${2:-$MILTER_LOG}" | tail -1
}

queue_of() {
	postqueue -c "$PF" -j 2>/dev/null | jq -r --arg q "$1" 'select(.queue_id == $q) | .queue_name'
}

stop_milter() {
	local pid=$1 log=$2 which=${3:+$3 } i=0 rc
	kill "$pid" 2>/dev/null
	while [ $i -lt $MILTER_STOP_TRIES ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		bad "${which}still running $((MILTER_STOP_TRIES / 10)) s after SIGTERM"
		kill -9 "$pid" 2>/dev/null
	fi
	wait "$pid"
	rc=$?
	want "${which}exit status" "$rc" 0
	want "${which}sanitizer reports" \
	    "$(grep -cE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log")" 0
}

milter_warnings() {
	grep -E 'warning: .*milter|milter.*(timeout|error|unavailable)' "$T/maillog" | head -2
}

postfix_diag() {
	[ -n "$OUT" ] && [ -f "$OUT" ] && grep -E '^(<|\*\*\*)' "$OUT" | tail -4 | sed 's/^/#   /'
	tail -3 "$MILTER_LOG" | sed 's/^/#   milter: /'
}
