#!/usr/bin/env bash
# run.sh -- the README's run command: install dependencies, build, and run
# dmarctls on its default configuration (system resolver, root trust anchor).
#
# Until dmarctls-milter exists (issue 3), "run" evaluates the bundled sample
# message with dmarctls-check, the same core the milter will use. Extra
# arguments are passed to dmarctls-check (e.g. --json, or another message).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$(id -u)" -eq 0 ]; then contrib/install-deps.sh; else sudo contrib/install-deps.sh; fi
autoreconf -fi >/dev/null
mkdir -p build/run
cd build/run
[ -f Makefile ] || "$top/configure" -q
make -s -j"$(nproc)" dmarctls-check
set +e
./dmarctls-check --ip 192.0.2.10 --helo mail.example.com --mail-from alice@example.com \
    "$@" "$top/contrib/sample.eml"
rc=$?
echo "dmarctls-check exit status: $rc (0 accept, 1 quarantine, 2 reject, 3 tempfail)"
exit 0
