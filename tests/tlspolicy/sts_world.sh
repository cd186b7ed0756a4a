# shellcheck shell=bash
# sts_world.sh -- the MTA-STS part of the dmarctls-policyd test world:
# a CA, per-domain certificates and policies, HTTPS servers, DNS records
#
# SYNOPSIS
#	. tests/tlspolicy/sts_world.sh
#	sts_world_init DIR	CA, certificates, policies, server config (no servers)
#	sts_world_records	the sts.test zone lines (tests/tlspolicy/world.sh
#				calls it when building that zone)
#	sts_https_start		start the HTTPS servers (python3), wait until bound
#	sts_https_stop		stop them
#	sts_policy_file DOMAIN	the file the server of DOMAIN serves (tests may
#				rewrite it while the server runs)
#
# DESCRIPTION
#	Every STS domain X.sts.test has "_mta-sts.X TXT" and "mta-sts.X A
#	127.0.0.N" records; its server listens on 127.0.0.N:443 with a
#	certificate for mta-sts.X.sts.test from the test STS CA (STS_CA, the
#	only anchor the tests give dmarctls: CAFile), except where the case is
#	the certificate itself:
#	  enforce  testing  none  wild (mx *.mx.wild.sts.test)  rotate (TXT
#	           id from STS_ROTATE_ID, TTL 1 s, for the id-change case; no
#	           TXT record when STS_ROTATE_ID is "none")
#	  twotxt   two v=STSv1 records          badid    id with "-" and "!"
#	  redirect 301 to the enforce policy     notfound 404
#	  html     text/html                     big      70 KiB, streamed
#	  slow     one byte every 0.5 s          wrongname certificate for
#	           mta-sts.enforce.sts.test      expired  expired certificate
#	  untrusted certificate from another CA
#	  mxspace mxcomma mxbrace mxip   mx values with a space, a comma,
#	           braces, an IPv4 address
#	  nosts    no TXT record at all (MTA-STS does not apply)
#	both.dane.test (tests/tlspolicy/world.sh: TXT, A 127.0.0.1) is served
#	too, with a valid enforce policy: DANE must still win there.
#
#	Needs openssl, faketime (the expired certificate is signed with the
#	clock moved back) and /usr/bin/python3.

STS_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STS_PY=/usr/bin/python3
STS_PORT=443
STS_ROTATE_ID=${STS_ROTATE_ID:-rot1}
STS_HTTPS_PID=""
STS_WAIT_TRIES=100			# x 0.1 s for the servers to bind
STS_MAX_AGE=86400

# name  address  server mode  (certificate name for wrongname)
STS_DOMAINS="
enforce 10 ok
testing 11 ok
none 12 ok
wild 13 ok
twotxt 14 ok
badid 15 ok
redirect 16 redirect
notfound 17 notfound
html 18 html
big 19 big
slow 20 slow
wrongname 21 ok
expired 22 ok
untrusted 23 ok
mxspace 24 ok
mxcomma 25 ok
mxbrace 26 ok
mxip 27 ok
rotate 28 ok
"

sts_log() {
	echo "sts_world: $*" >&2
}

# sts_cert NAME CA CN [FAKETIME] -- key and certificate NAME for CN from CA
sts_cert() {
	local d=$STS_W/tls name=$1 ca=$2 cn=$3 when=${4:-}
	printf '%s\n' "subjectAltName=DNS:$cn" "basicConstraints=critical,CA:FALSE" \
	    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$d/$name.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/$name.key" -out "$d/$name.csr" -subj "/CN=$cn" || return 1
	if [ -n "$when" ]; then
		faketime -f "$when" openssl x509 -req -in "$d/$name.csr" -CA "$d/$ca.pem" \
		    -CAkey "$d/$ca.key" -set_serial "0x$(openssl rand -hex 8)" -days 30 \
		    -out "$d/$name.pem" -extfile "$d/$name.ext" || return 1
	else
		openssl x509 -req -in "$d/$name.csr" -CA "$d/$ca.pem" -CAkey "$d/$ca.key" \
		    -set_serial "0x$(openssl rand -hex 8)" -days 365 -out "$d/$name.pem" \
		    -extfile "$d/$name.ext" || return 1
	fi
	cat "$d/$name.pem" "$d/$ca.pem" >"$d/$name-chain.pem"
}

sts_ca() {
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$STS_W/tls/$1.key" -out "$STS_W/tls/$1.pem" -days 3650 -subj "/CN=$2" \
	    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# sts_policy_body MODE MX... -- a valid policy
sts_policy_body() {
	local mode=$1 mx
	shift
	printf 'version: STSv1\nmode: %s\n' "$mode"
	for mx in "$@"; do
		printf 'mx: %s\n' "$mx"
	done
	printf 'max_age: %s\n' "$STS_MAX_AGE"
}

sts_policy_file() {
	echo "$STS_W/policy/$1.txt"
}

sts_policies() {
	local p=$STS_W/policy d
	mkdir -p "$p"
	for d in enforce redirect notfound html slow wrongname expired untrusted; do
		sts_policy_body enforce "mx1.$d.sts.test" "mx2.$d.sts.test" >"$p/$d.txt"
	done
	sts_policy_body testing mx.testing.sts.test >"$p/testing.txt"
	sts_policy_body none >"$p/none.txt"
	sts_policy_body enforce "*.mx.wild.sts.test" >"$p/wild.txt"
	sts_policy_body enforce mx.twotxt.sts.test >"$p/twotxt.txt"
	sts_policy_body enforce mx.badid.sts.test >"$p/badid.txt"
	sts_policy_body enforce mx1.rotate.sts.test >"$p/rotate.txt"
	sts_policy_body enforce mx.both.dane.test >"$p/both.txt"
	sts_policy_body enforce "mx1.mxspace.sts.test mx2.mxspace.sts.test" >"$p/mxspace.txt"
	sts_policy_body enforce "mx1.mxcomma.sts.test,mx2.mxcomma.sts.test" >"$p/mxcomma.txt"
	sts_policy_body enforce "{mx.mxbrace.sts.test}" >"$p/mxbrace.txt"
	sts_policy_body enforce 192.0.2.25 >"$p/mxip.txt"
	# 70 KiB: a valid policy followed by long (valid) extension lines
	{
		sts_policy_body enforce mx.big.sts.test
		for _ in $(seq 1 700); do
			printf 'x-pad: %0100d\n' 0
		done
	} >"$p/big.txt"
}

# sts_server_conf -- one line per listener for sts_https.py
sts_server_conf() {
	local t=$STS_W/tls name n mode cert arg
	while read -r name n mode; do
		[ -n "$name" ] || continue
		cert=$name
		arg=$(sts_policy_file "$name")
		case $name in
		wrongname) cert=enforce ;;
		esac
		[ "$mode" = redirect ] &&
		    arg=https://mta-sts.enforce.sts.test/.well-known/mta-sts.txt
		echo "127.0.0.$n $STS_PORT $t/$cert-chain.pem $t/$cert.key $mode $arg"
	done <<<"$STS_DOMAINS"
	echo "127.0.0.1 $STS_PORT $t/both-chain.pem $t/both.key ok $(sts_policy_file both)"
}

sts_world_init() {
	local name n mode
	STS_W=$1
	mkdir -p "$STS_W/tls" || return 1
	{
		sts_ca ca "dmarctls STS test CA" && sts_ca otherca "not trusted by the tests" &&
		while read -r name n mode; do
			[ -n "$name" ] || continue
			case $name in
			wrongname) ;;
			expired) sts_cert expired ca mta-sts.expired.sts.test -400d || return 1 ;;
			untrusted) sts_cert untrusted otherca mta-sts.untrusted.sts.test || return 1 ;;
			*) sts_cert "$name" ca "mta-sts.$name.sts.test" || return 1 ;;
			esac
		done <<<"$STS_DOMAINS"
		sts_cert both ca mta-sts.both.dane.test
	} >"$STS_W/tls.log" 2>&1 || { sts_log "certificates failed:"; tail -5 "$STS_W/tls.log" >&2; return 1; }
	openssl x509 -in "$STS_W/tls/expired.pem" -noout -checkend 0 >/dev/null 2>&1 &&
	    { sts_log "the expired certificate is not expired (faketime?)"; return 1; }
	sts_policies || return 1
	sts_server_conf >"$STS_W/https.conf"
	export STS_CA=$STS_W/tls/ca.pem STS_W
}

sts_world_records() {
	local name n mode
	while read -r name n mode; do
		[ -n "$name" ] || continue
		printf 'mta-sts.%s\tA\t127.0.0.%s\n' "$name" "$n"
		case $name in
		twotxt)
			printf '_mta-sts.twotxt\tTXT\t"v=STSv1; id=first"\n'
			printf '_mta-sts.twotxt\tTXT\t"v=STSv1; id=second"\n' ;;
		badid)	printf '_mta-sts.badid\tTXT\t"v=STSv1; id=bad-id!"\n' ;;
		rotate)	[ "$STS_ROTATE_ID" = none ] ||
			    printf '_mta-sts.rotate\t1\tTXT\t"v=STSv1; id=%s"\n' "$STS_ROTATE_ID" ;;
		*)	printf '_mta-sts.%s\tTXT\t"v=STSv1; id=%s1"\n' "$name" "$name" ;;
		esac
	done <<<"$STS_DOMAINS"
	printf 'nosts\tA\t192.0.2.50\n'
}

sts_https_start() {
	local i=0
	rm -f "$STS_W/https.ready"
	"$STS_PY" "$STS_SRCDIR/sts_https.py" "$STS_W/https.conf" "$STS_W/https.ready" \
	    >>"$STS_W/https.log" 2>&1 &
	STS_HTTPS_PID=$!
	while [ ! -s "$STS_W/https.ready" ]; do
		kill -0 "$STS_HTTPS_PID" 2>/dev/null && [ $i -lt $STS_WAIT_TRIES ] ||
		    { sts_log "HTTPS servers did not start:"; tail -5 "$STS_W/https.log" >&2; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}

sts_https_stop() {
	[ -n "$STS_HTTPS_PID" ] || return 0
	kill "$STS_HTTPS_PID" 2>/dev/null
	wait "$STS_HTTPS_PID" 2>/dev/null
	STS_HTTPS_PID=""
}
