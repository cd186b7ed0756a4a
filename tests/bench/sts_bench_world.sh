# shellcheck shell=bash
#
# sts_bench_world.sh -- the DNS world and HTTPS policy host of the dmarctls-policyd benchmarks
#
# SYNOPSIS
#	. tests/bench/sts_bench_world.sh
#	sts_bench_world		the world of tests/tlspolicy/world.sh in $T/world,
#				with the MTA-STS domain bench.sts.test (enforce)
#	sts_bench_https		its policy served on 127.0.0.1:443 with a certificate
#				from the world's CA; the server's PID joins $PIDS
#
# DESCRIPTION
#	Sourced by tests/bench/policyd.sh and tests/bench/policyd_profile.sh,
#	which set TOPDIR, T, PY, STS_DOMAIN and die(). Both functions die on
#	failure.

# the MTA-STS domain of the benchmarks, in the world's unsigned sts.test
sts_world_records() {
	printf '%s\n' "bench	MX	10 mx.bench" "mx.bench	A	192.0.2.50" \
	    "_mta-sts.bench	TXT	\"v=STSv1; id=bench1\"" "mta-sts.bench	A	127.0.0.1"
}

sts_bench_world() {
	# shellcheck source=../tlspolicy/world.sh
	. "$TOPDIR/tests/tlspolicy/world.sh"
	pw_init "$T/world" >"$T/world.log" 2>&1 || die "world: $(tail -3 "$T/world.log")"
	pw_start >>"$T/world.log" 2>&1 || die "world did not start"
}

sts_bench_https() {
	local h=$T/https
	mkdir -p "$h/www/.well-known"
	printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.bench.sts.test\r\nmax_age: 86400\r\n' \
	    >"$h/www/.well-known/mta-sts.txt"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$h/key.pem" \
	    -out "$h/csr.pem" -subj "/CN=mta-sts.$STS_DOMAIN" >/dev/null 2>&1 &&
	    openssl x509 -req -in "$h/csr.pem" -CA "$W_TLS_CA" -CAkey "$W/tls/ca.key" -set_serial 7 \
	    -days 2 -out "$h/cert.pem" \
	    -extfile <(printf 'subjectAltName=DNS:mta-sts.%s\n' "$STS_DOMAIN") \
	    >/dev/null 2>&1 || die "cannot make the HTTPS certificate"
	cat >"$h/serve.py" <<'PYEOF'
import http.server, ssl, sys, os
os.chdir(sys.argv[1])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 443), http.server.SimpleHTTPRequestHandler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PYEOF
	$PY "$h/serve.py" "$h/www" "$h/cert.pem" "$h/key.pem" >"$h/log" 2>&1 &
	PIDS="$PIDS $!"
	wait_port 127.0.0.1 443 || die "the HTTPS server did not come up"
}
