#!/bin/bash
#
# NAME
#	sts.sh -- the MTA-STS module (tlspolicy/sts.h) against real DNS and
#	real HTTPS servers, through tests/tlspolicy/dt-sts
#
# SYNOPSIS
#	tests/tlspolicy/sts.sh BUILDDIR
#
# DESCRIPTION
#	Re-executes itself in a private network, mount and PID namespace and
#	runs there the DNS world of tests/tlspolicy/world.sh (its unsigned
#	sts.test zone holds sts_world.sh's records; slow.test never answers)
#	and the HTTPS policy servers of sts_world.sh on 127.0.0.N:443, with a
#	CA made here as the only trust anchor. Cases:
#	  - a good policy per domain (enforce, testing, none, wildcard mx),
#	    exact fields and policy lines;
#	  - broken ones: two TXT records, bad id, redirect, 404, text/html,
#	    70 KiB, slow body, certificate for another name, expired,
#	    untrusted CA, mx with a space, a comma, braces, an IP address;
#	    no TXT at all;
#	  - a slow HTTPS server and a silent name server do not delay answers
#	    for other domains (parallel lookups, bounded by the budget);
#	  - sts_close() does not wait out a slow fetch;
#	  - one failed fetch per id per 5 minutes (the server sees one GET);
#	  - restart with the HTTPS servers down: the persisted policies are
#	    still answered; damaged rows in the store are parsed again and
#	    dropped;
#	  - expiry on a shifted clock (dt-sts -o): a matching TXT id does not
#	    extend a policy, an expired one is not used, an enforce policy
#	    about to expire unrefreshed is logged at error level;
#	  - background refresh fetches again whatever the TXT id says;
#	  - a TXT id change brings the new policy; an unchanged id fetches
#	    nothing; a removed TXT record keeps the cached policy and the
#	    refresh still fetches it (a switch to mode none is seen).
#
#	Last line: "sts: N passed, M failed"; exit 0 only if M is 0.
#	Environment: DT_STS_KEEP=1 keeps the directory, DT_STS_FILTER=RE runs
#	only the matching cases.
#
# REQUIREMENTS
#	root, nsd, unbound, ldnsutils, bind9-dnsutils, openssl, faketime, sqlite3,
#	perl, /usr/bin/python3, iproute2, util-linux.

# shellcheck disable=SC2317
set -u

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPDIR=$(cd "$SRCDIR/../.." && pwd)
MAX_AGE=86400			# sts_world.sh's policies
FETCH_MS=8000			# dt-sts -T: generous, the machine may be loaded

REPORT_PREFIX=sts
# shellcheck source=../lib/report.sh
. "$TOPDIR/tests/lib/report.sh"
# shellcheck source=../lib/check.sh
. "$TOPDIR/tests/lib/check.sh"
builddir_arg "$@"
CHECK_FILTER=${DT_STS_FILTER:-}
CHECK_DIAG=sts_diag

if [ "${DT_STS_INNER:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || fatal namespace "must run as root (unshare)"
	# shellcheck disable=SC2093
	exec unshare --net --mount --pid --fork --kill-child --mount-proc \
	    --propagation private env DT_STS_INNER=1 "$0" "$BUILDDIR"
	fatal namespace "unshare failed"
fi
ip link set lo up || fatal namespace "cannot bring up lo"

DT=$BUILDDIR/tests/tlspolicy/dt-sts
[ -x "$DT" ] || fatal prerequisites "no $DT: make tests/tlspolicy/dt-sts"
for tool in nsd unbound ldns-signzone dig openssl faketime perl sqlite3; do
	command -v "$tool" >/dev/null || fatal prerequisites "$tool not installed"
done
[ -x /usr/bin/python3 ] || fatal prerequisites "no /usr/bin/python3"

T=$(mktemp -d /tmp/dmarctls-sts.XXXXXX) || fatal setup "mktemp failed"

# shellcheck source=sts_world.sh
. "$SRCDIR/sts_world.sh"
# shellcheck source=world.sh
. "$SRCDIR/world.sh"

cleanup() {
	sts_https_stop
	world_stop
	keep_or_remove_dir
}
keep_or_remove_dir() {
	if [ "${DT_STS_KEEP:-}" = 1 ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
sanitizer_env

sts_world_init "$T/sts" || fatal world "could not build the STS world"
pw_init "$T/world" || fatal world "could not build the DNS world"
pw_start || fatal world "could not start the DNS world (logs: $T/world)"
sts_https_start || fatal world "could not start the HTTPS servers"

sts_diag() {
	grep -v '^why ' "$T/err" 2>/dev/null | tail -4 | sed 's/^/#   /'
}

# dt CACHE [OPTIONS] DOMAIN... -- dt-sts on the world; stdout to $T/out,
# stderr to $T/err; OUT is the output
dt() {
	local cache=$1
	shift
	"$DT" -r "127.0.0.1@$W_UNBOUND_PORT" -a none -u "$W_UBCONF" -C "$STS_CA" \
	    -d "$T/$cache.db" -T "$FETCH_MS" "$@" >"$T/out" 2>"$T/err"
	echo "dt-sts exit $?" >>"$T/out"
	{ echo "== dt-sts $*"; cat "$T/err"; } >>"$T/all.err"
	OUT=$(cat "$T/out")
}

# line_of DOMAIN -- the result line of DOMAIN in the last output
line_of() {
	grep -E "^$1 " "$T/out" | grep -v ' ms=' | head -1
}

why_of() {
	grep -E "^why $1: " "$T/err" | tail -1
}

ms_of() {
	grep -E "^$1 ms=" "$T/out" | sed 's/.* ms=//'
}

# gets ADDR -- GET requests the HTTPS server at ADDR has logged so far
gets() {
	grep -c "^$1 .*GET /.well-known/mta-sts.txt" "$STS_W/https.log"
}

policy_line() {	# DOMAIN ID MODE MX
	echo "$1 found id=$2 mode=$3 max_age=$MAX_AGE mx=$4"
}

# ------------------------------------------------ first lookups, servers up
GOOD="enforce testing none wild rotate"
BROKEN="twotxt badid redirect notfound html big wrongname expired untrusted mxspace mxcomma mxbrace mxip nosts"
doms=""
for d in $GOOD $BROKEN; do doms="$doms $d.sts.test"; done
dt c1 -l $doms both.dane.test

good_case() {	# NAME DOMAIN ID MODE MX
	if case_begin "$1"; then
		want "$2" "$(line_of "$2")" "$(policy_line "$2" "$3" "$4" "$5")"
		case_end
	fi
}
good_case good_enforce_policy enforce.sts.test enforce1 enforce mx1.enforce.sts.test,mx2.enforce.sts.test
good_case good_testing_policy testing.sts.test testing1 testing mx.testing.sts.test
good_case good_none_policy none.sts.test none1 none ""
good_case good_wildcard_mx wild.sts.test wild1 enforce "*.mx.wild.sts.test"
good_case good_rotate_policy rotate.sts.test rot1 enforce mx1.rotate.sts.test
good_case dane_domain_also_publishing_sts both.dane.test 20260101 enforce mx.both.dane.test

if case_begin policy_lines_normalised; then
	want lines "$(grep -A5 '^enforce.sts.test found' "$T/out" | grep '^  line: ')" \
"  line: version: STSv1
  line: mode: enforce
  line: mx: mx1.enforce.sts.test
  line: mx: mx2.enforce.sts.test
  line: max_age: $MAX_AGE"
	case_end
fi

fail_case() {	# NAME DOMAIN FAIL_TYPE WHY_ERE
	if case_begin "$1"; then
		want "$2" "$(line_of "$2")" "$2 failed $3"
		want_re "reason" "$(why_of "$2")" "$4"
		case_end
	fi
}
fail_case two_txt_records twotxt.sts.test sts-policy-invalid "more than one v=STSv1"
fail_case bad_txt_id badid.sts.test sts-policy-invalid "id with a character"
fail_case redirect_not_followed redirect.sts.test sts-policy-fetch-error "HTTP status 301"
fail_case status_404 notfound.sts.test sts-policy-fetch-error "HTTP status 404"
fail_case text_html html.sts.test sts-policy-fetch-error "media type is not text/plain"
fail_case body_over_64k big.sts.test sts-policy-fetch-error "larger than 65536"
fail_case certificate_for_another_name wrongname.sts.test sts-webpki-invalid "no alternative certificate subject name matches target host name .mta-sts.wrongname.sts.test."
fail_case certificate_expired expired.sts.test sts-webpki-invalid "certificate problem: certificate has expired"
fail_case certificate_untrusted_ca untrusted.sts.test sts-webpki-invalid "certificate problem: (self-signed certificate in certificate chain|unable to get local issuer)"
fail_case mx_with_space mxspace.sts.test sts-policy-invalid "mx is not a hostname"
fail_case mx_with_comma mxcomma.sts.test sts-policy-invalid "mx is not a hostname"
fail_case mx_with_braces mxbrace.sts.test sts-policy-invalid "mx is not a hostname"
fail_case mx_ip_address mxip.sts.test sts-policy-invalid "mx is not a hostname"
if case_begin no_txt_record_absent; then
	want nosts "$(line_of nosts.sts.test)" "nosts.sts.test absent"
	case_end
fi
if case_begin redirect_target_never_fetched; then
	# the redirect points at enforce's URL: enforce was fetched once, by
	# its own lookup, not a second time through the redirect
	want "GETs at enforce" "$(gets 127.0.0.10)" 1
	case_end
fi

# --------------------------------------- slow servers do not delay others
# enforce is cached (a hit), testing is cold (a fast fetch), slow.sts.test
# trickles its body, x.slow.test's name server never answers (dt-sts asks
# DNS with a 2 s timeout): all four at once, budget 5 s.
dt c2 enforce.sts.test
dt c2 -P -b 5000 slow.sts.test x.slow.test enforce.sts.test testing.sts.test
if case_begin slow_https_and_silent_dns_do_not_delay_others; then
	want slow "$(line_of slow.sts.test)" "slow.sts.test pending"
	want silent "$(line_of x.slow.test)" "x.slow.test failed sts-policy-fetch-error"
	want_re "silent reason" "$(why_of x.slow.test)" "_mta-sts.x.slow.test TXT: tempfail"
	want enforce "$(line_of enforce.sts.test)" \
	    "$(policy_line enforce.sts.test enforce1 enforce mx1.enforce.sts.test,mx2.enforce.sts.test)"
	want testing "$(line_of testing.sts.test)" \
	    "$(policy_line testing.sts.test testing1 testing mx.testing.sts.test)"
	[ "$(ms_of enforce.sts.test)" -lt 500 ] || bad "the cached enforce took $(ms_of enforce.sts.test) ms"
	[ "$(ms_of testing.sts.test)" -lt "$(ms_of slow.sts.test)" ] ||
	    bad "testing ($(ms_of testing.sts.test) ms) waited for slow ($(ms_of slow.sts.test) ms)"
	[ "$(ms_of slow.sts.test)" -ge 4900 ] && [ "$(ms_of slow.sts.test)" -lt 7000 ] ||
	    bad "slow answered after $(ms_of slow.sts.test) ms, not at the 5000 ms budget"
	case_end
fi
dt c3 -b 6000 -T 2000 slow.sts.test
if case_begin slow_body_bounded_by_fetch_timeout; then
	want slow "$(line_of slow.sts.test)" "slow.sts.test failed sts-policy-fetch-error"
	want_re reason "$(why_of slow.sts.test)" "[Tt]imeout|timed out"
	case_end
fi

# a slow fetch in flight does not hold up sts_close() (the daemon's SIGTERM)
start=$(date +%s%N)
dt c5 -b 300 slow.sts.test
ms=$((($(date +%s%N) - start) / 1000000))
if case_begin close_abandons_slow_fetch; then
	want slow "$(line_of slow.sts.test)" "slow.sts.test pending"
	[ "$ms" -lt 3000 ] || bad "dt-sts took $ms ms to close with a fetch in flight (fetch timeout $FETCH_MS ms)"
	case_end
fi

# ----------------------------------------- one failed fetch per id per 5 min
before=$(gets 127.0.0.17)
dt c3 -R 1 -i 1500 notfound.sts.test notfound.sts.test notfound.sts.test
if case_begin failed_fetch_held_off_per_id; then
	want results "$(grep -c '^notfound.sts.test failed sts-policy-fetch-error$' "$T/out")" 3
	want "GETs at notfound" "$(( $(gets 127.0.0.17) - before ))" 1
	want counters "$(grep '^stats: ' "$T/err")" \
	    "stats: lookups=3 hits=0 fetch_ok=0 fetch_failed=1 refreshes=0 policies=0"
	case_end
fi

# ------------------------------------- background refresh, whatever the id
dt c4 enforce.sts.test
before=$(gets 127.0.0.10)
dt c4 -F 2 -s 5 enforce.sts.test
if case_begin background_refresh_fetches_again; then
	want enforce "$(line_of enforce.sts.test)" \
	    "$(policy_line enforce.sts.test enforce1 enforce mx1.enforce.sts.test,mx2.enforce.sts.test)"
	[ "$(( $(gets 127.0.0.10) - before ))" -ge 1 ] || bad "no refresh GET in 5 s with a 2 s cadence"
	case_end
fi

# ------------------------------------------ TXT id: unchanged, then changed
sts_policy_body enforce mx2.rotate.sts.test >"$(sts_policy_file rotate)"
before=$(gets 127.0.0.28)
dt c1 -R 1 -i 1500 -s 1 rotate.sts.test rotate.sts.test
if case_begin same_txt_id_fetches_nothing; then
	want rotate "$(line_of rotate.sts.test)" \
	    "$(policy_line rotate.sts.test rot1 enforce mx1.rotate.sts.test)"
	want "GETs at rotate" "$(( $(gets 127.0.0.28) - before ))" 0
	want_re counters "$(grep '^stats: ' "$T/err")" \
	    "^stats: lookups=2 hits=2 fetch_ok=0 fetch_failed=0 refreshes=0 policies=[0-9]+$"
	case_end
fi

# new id in DNS: rewrite sts.test and restart nsd (the record's TTL is 1 s)
restart_nsd() {
	local pid
	pid=$(cat "$W/nsd.pid" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" && while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	STS_ROTATE_ID=$1
	zone_sts >"$W/zones/sts.test.zone"
	nsd -d -c "$W/nsd.conf" >>"$W/nsd.log" 2>&1 &
	W_PIDS="$W_PIDS $!"
	world_wait_dns "$W_NSD_PORT" sts.test. SOA
}
restart_nsd rot2 || fatal world "nsd did not come back"
sleep 1.2			# the TTL of the old record in unbound's cache
dt c1 -R 1 -e rot2 -w 10 rotate.sts.test
if case_begin new_txt_id_brings_new_policy; then
	want rotate "$(line_of rotate.sts.test)" \
	    "$(policy_line rotate.sts.test rot2 enforce mx2.rotate.sts.test)"
	case_end
fi

# the domain switches to mode none, then removes its TXT record (RFC 8461
# 8.3): the cached policy is kept, and the refresh still fetches it
sts_policy_body none >"$(sts_policy_file rotate)"
restart_nsd none || fatal world "nsd did not come back"
sleep 1.2
# what is tested is a TXT record that is gone, not one the resolver cannot
# reach yet: wait (on a loaded machine) until it answers NXDOMAIN for it
for _ in $(seq 50); do
	dig +time=1 +tries=1 -p "$W_UNBOUND_PORT" @127.0.0.1 _mta-sts.rotate.sts.test TXT \
	    2>/dev/null | grep -q 'status: NXDOMAIN' && break
	sleep 0.2
done
before=$(gets 127.0.0.28)
dt c1 -R 1 -F 2 -s 4 rotate.sts.test
if case_begin txt_removed_cached_kept_refresh_still_fetches; then
	want rotate "$(line_of rotate.sts.test)" \
	    "$(policy_line rotate.sts.test rot2 enforce mx2.rotate.sts.test)"
	[ "$(( $(gets 127.0.0.28) - before ))" -ge 1 ] || bad "no refresh GET without a TXT record"
	# the record's absence is seen by a lookup's TXT check (keeping ...) or,
	# when the refresh comes first, by the refresh (refreshing under ...):
	# which one first depends on timing; either way the cached policy stays
	want_re log "$(cat "$T/err")" \
	    "rotate.sts.test: _mta-sts.rotate.sts.test TXT: nxdomain; (keeping the cached policy until it expires|refreshing under the cached id rot2)"
	case_end
fi
dt c1 -p rotate.sts.test
if case_begin refreshed_policy_replaces_cached; then
	want rotate "$(line_of rotate.sts.test)" "$(policy_line rotate.sts.test rot2 none "")"
	case_end
fi

# ------------------------------------------- restart with the servers down
sts_https_stop
cp "$T/c1.db" "$T/c1-keep.db" 2>/dev/null
dt c1 -b 3000 enforce.sts.test testing.sts.test none.sts.test wild.sts.test redirect.sts.test
if case_begin restart_servers_down_cached_policies_answered; then
	want enforce "$(line_of enforce.sts.test)" \
	    "$(policy_line enforce.sts.test enforce1 enforce mx1.enforce.sts.test,mx2.enforce.sts.test)"
	want testing "$(line_of testing.sts.test)" \
	    "$(policy_line testing.sts.test testing1 testing mx.testing.sts.test)"
	want none "$(line_of none.sts.test)" "$(policy_line none.sts.test none1 none "")"
	want wild "$(line_of wild.sts.test)" \
	    "$(policy_line wild.sts.test wild1 enforce "*.mx.wild.sts.test")"
	want "uncached redirect" "$(line_of redirect.sts.test)" \
	    "redirect.sts.test failed sts-policy-fetch-error"
	case_end
fi
dt c1 -p enforce.sts.test nosts.sts.test
if case_begin peek_persisted_without_network; then
	want enforce "$(line_of enforce.sts.test)" \
	    "$(policy_line enforce.sts.test enforce1 enforce mx1.enforce.sts.test,mx2.enforce.sts.test)"
	want nosts "$(line_of nosts.sts.test)" "nosts.sts.test peek-none"
	case_end
fi

# a damaged or edited store never injects anything: rows go through the parser
now=$(date +%s)
sqlite3 "$T/c6.db" "CREATE TABLE sts_policy (domain TEXT PRIMARY KEY, txt_id TEXT NOT NULL,
    fetched INTEGER NOT NULL, body BLOB NOT NULL);
    INSERT INTO sts_policy VALUES ('evil.sts.test', 'x1', $now,
    'version: STSv1' || char(10) || 'mode: enforce' || char(10) || 'mx: a.evil.sts.test b.evil.sts.test' || char(10) || 'max_age: 86400');
    INSERT INTO sts_policy VALUES ('badid.sts.test', 'bad-id', $now,
    'version: STSv1' || char(10) || 'mode: none' || char(10) || 'max_age: 86400');
    INSERT INTO sts_policy VALUES ('ok.sts.test', 'ok1', $now,
    'version: STSv1' || char(10) || 'mode: testing' || char(10) || 'mx: mx.ok.sts.test' || char(10) || 'max_age: 86400');"
dt c6 -p evil.sts.test badid.sts.test ok.sts.test
if case_begin persisted_rows_parsed_again; then
	want evil "$(line_of evil.sts.test)" "evil.sts.test peek-none"
	want badid "$(line_of badid.sts.test)" "badid.sts.test peek-none"
	want ok "$(line_of ok.sts.test)" "ok.sts.test found id=ok1 mode=testing max_age=86400 mx=mx.ok.sts.test"
	want "rows left" "$(sqlite3 "$T/c6.db" "SELECT group_concat(domain) FROM sts_policy")" ok.sts.test
	case_end
fi

# ------------------------------------------------ expiry on a shifted clock
# 80000 s later (max_age 86400): still valid; the TXT id matches, the
# refresh fails (servers down): kept, warned, and logged at LOG_ERR (3).
dt c1 -o 80000 -R 1 -s 3 enforce.sts.test
if case_begin near_expiry_kept_and_logged_at_error; then
	want enforce "$(line_of enforce.sts.test)" \
	    "$(policy_line enforce.sts.test enforce1 enforce mx1.enforce.sts.test,mx2.enforce.sts.test)"
	want_re "warning" "$(cat "$T/err")" "log 4: mta-sts enforce.sts.test: .*keeping the cached policy"
	want_re "error" "$(cat "$T/err")" "log 3: mta-sts enforce.sts.test: enforce policy id enforce1 expires in [0-9]+s and refreshing it failed"
	case_end
fi
dt c1 -o 90000 -b 3000 enforce.sts.test
if case_begin matching_txt_id_never_extends_expired_not_used; then
	want enforce "$(line_of enforce.sts.test)" "enforce.sts.test failed sts-policy-fetch-error"
	want "expired row removed from the store" \
	    "$(sqlite3 "$T/c1.db" "SELECT count(*) FROM sts_policy WHERE domain = 'enforce.sts.test'")" 0
	case_end
fi
sts_https_start || fatal world "could not restart the HTTPS servers"
dt c1 -o 90000 enforce.sts.test
if case_begin expired_policy_fetched_again; then
	want enforce "$(line_of enforce.sts.test)" \
	    "$(policy_line enforce.sts.test enforce1 enforce mx1.enforce.sts.test,mx2.enforce.sts.test)"
	case_end
fi

CASE=no_sanitizer_reports
BAD=""
for f in "$T"/all.err; do
	grep -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" && bad "sanitizer report in $f"
done
case_end

summary_and_exit
