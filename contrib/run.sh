#!/usr/bin/env bash
# run.sh -- the README's run command: install the build dependencies
# (contrib/install-deps.sh --build, only when one is missing), build, and run
# dmarctls-milter in the foreground on its default configuration
# (Socket inet:8893@127.0.0.1, the system's resolver, the root trust anchor).
# Stop it with Ctrl-C. Point Postfix at it with contrib/postfix/main.cf.dmarctls.
#
# Extra arguments go to dmarctls-milter (e.g. -c /etc/dmarctls/dmarctls.conf).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# Root (or sudo) only when a build dependency is missing.
if ! contrib/install-deps.sh --build --check >/dev/null; then
	if [ "$(id -u)" -eq 0 ]; then contrib/install-deps.sh --build
	elif command -v sudo >/dev/null; then sudo contrib/install-deps.sh --build
	else contrib/install-deps.sh --build; exit 1	# says what is missing
	fi
fi
autoreconf -fi >/dev/null
mkdir -p build/run
cd build/run
[ -f Makefile ] || "$top/configure" -q
make -s -j"$(nproc)" dmarctls-milter dmarctls-check
exec ./dmarctls-milter -f "$@"
