#!/bin/sh
#
# NAME
#	install-deps.sh -- install the Debian packages dmarctls needs
#
# SYNOPSIS
#	contrib/install-deps.sh [--build] [--check]	(Debian 12 or later)
#
# DESCRIPTION
#	--build installs only what building and running dmarctls needs:
#	gcc, make and the autotools, the libraries (libmilter, libopendkim,
#	libspf2, OpenSSL, libunbound, libpsl, libidn2, libcurl, SQLite, libpq,
#	libxml2, zlib, libmicrohttpd; cmocka, which configure requires),
#	the public suffix list and the DNSSEC root key. contrib/run.sh uses it.
#
#	Without --build: that and everything the tests use (tests/run-all.sh):
#	clang for the fuzz targets, the tools of the test world (nsd, unbound,
#	ldns-signzone, dig, jq, ip, unshare; Postfix, swaks and miltertest;
#	curl and promtool (package prometheus) for the metrics tests;
#	python3 for the MTA-STS HTTPS test servers, faketime for their
#	expired certificate;
#	OpenDKIM and OpenDMARC for the differential run), and what builds and
#	checks the Debian packages (debhelper, dpkg-dev, fakeroot, lintian,
#	systemd for systemd-analyze verify -- installed, never booted; man-db;
#	strace, which checks the daemons' system calls against the units).
#
#	--check installs nothing: it lists what is missing and exits 1 if
#	anything is. Root is needed only when something must be installed.
#
#	Idempotent and fast on a second run: when dpkg already lists every
#	package as installed, apt-get is not run at all. Non-interactive:
#	Postfix is preseeded to "No configuration" so it neither asks nor
#	writes a main.cf; the tests bring their own configuration.
#
#	On a systemd host the nsd and unbound packages start daemons that
#	take port 53; the integration tests do not care (they run in a
#	private network namespace), but you may want to disable them.
#
# EXIT STATUS
#	0 when everything is installed, non-zero otherwise.

# The package lists are word-split on purpose.
# shellcheck disable=SC2086
set -eu

BUILD_PACKAGES="
autoconf automake libtool pkg-config make gcc
libmilter-dev libopendkim-dev libspf2-dev libssl-dev libunbound-dev
libpsl-dev libidn2-dev libcmocka-dev publicsuffix dns-root-data
libcurl4-openssl-dev libsqlite3-dev libpq-dev libxml2-dev zlib1g-dev
libmicrohttpd-dev
"
TEST_PACKAGES="
clang libclang-rt-14-dev
python3 faketime
nsd unbound ldnsutils bind9-dnsutils openssl iproute2 jq util-linux
ca-certificates perl python3
postfix swaks libnet-ssleay-perl miltertest curl prometheus
opendkim opendmarc m4
python3-aiodns python3-aiohttp python3-aiosqlite python3-aioredis python3-uvloop
sqlite3 postgresql-15 libxml2-utils dmarc-cat
debhelper dpkg-dev fakeroot lintian systemd man-db strace
"
PACKAGES="$BUILD_PACKAGES $TEST_PACKAGES"
check_only=0
for arg in "$@"; do
	case $arg in
	--build) PACKAGES=$BUILD_PACKAGES ;;
	--check) check_only=1 ;;
	*) echo "usage: $0 [--build] [--check]" >&2; exit 64 ;;
	esac
done

# Print the packages dpkg does not list as fully installed.
missing_packages() {
	for pkg in $PACKAGES; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) || status=
		[ "$status" = installed ] || echo "$pkg"
	done
}

missing=$(missing_packages)
if [ -z "$missing" ]; then
	echo "install-deps: all packages already installed"
	exit 0
fi

if [ "$check_only" = 1 ]; then
	echo "install-deps: missing:" $missing
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: must run as root (sudo $0 $*); missing:" $missing >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections

echo "install-deps: installing:" $missing
apt-get update -q
apt-get install -y -q --no-install-recommends $missing

missing=$(missing_packages)
if [ -n "$missing" ]; then
	echo "install-deps: still missing:" $missing >&2
	exit 1
fi
echo "install-deps: done"
