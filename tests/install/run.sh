#!/bin/bash
#
# NAME
#	run.sh -- `make install` and `make uninstall` as an admin would use them
#
# SYNOPSIS
#	tests/install/run.sh BUILDDIR
#
# DESCRIPTION
#	BUILDDIR is a configured, built tree with the default prefix
#	(/usr/local), as tests/run-all.sh makes. In a private mount namespace:
#	`make install DESTDIR=T/root`, then T/root/usr/local is bind-mounted
#	on /usr/local so that the installed files sit where they were
#	configured to, and:
#	  - every file an admin needs is there (binaries, man pages, sample
#	    configuration, systemd unit, recipes, README);
#	  - no installed text names a Debian path the prefix replaced
#	    (/etc/dmarctls, /usr/sbin/dmarctls-, /usr/share/doc/dmarctls);
#	    the unit's ExecStart is the installed binary and configuration;
#	  - the milter reads the installed configuration by default, and the
#	    installed sample passes -n;
#	  - the man pages format without warnings;
#	  - systemd-analyze verify is clean on the installed unit;
#	  - a second install keeps an edited configuration; uninstall removes
#	    everything else and keeps the edited file; install + uninstall of
#	    an unchanged tree leaves no file;
#	  - dmarctls-milter(8)'s POSTFIX snippet is main.cf.dmarctls's
#	    settings, line for line;
#	  - as a non-root user: contrib/install-deps.sh --check and --build
#	    --check succeed without sudo when nothing is missing, and a suite
#	    that cannot unshare prints unshare's own error.
#	Last line: "install: N passed, M failed".
set -u
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$SRCDIR/../.." && pwd)
REPORT_PREFIX=install
# shellcheck source=../lib/report.sh
. "$TOP/tests/lib/report.sh"
# shellcheck source=../lib/sandbox.sh
. "$TOP/tests/lib/sandbox.sh"
builddir_arg "$@"

if [ "${DT_INSTALL_INNER:-}" != 1 ]; then
	ns_err=$(unshare_error --mount) || fatal namespace "$ns_err"
	exec unshare --mount --propagation private env DT_INSTALL_INNER=1 "$SRCDIR/run.sh" "$BUILDDIR"
fi
for tool in make systemd-analyze man; do
	command -v "$tool" >/dev/null || fatal prerequisites "$tool not installed (contrib/install-deps.sh)"
done
prefix=$(sed -n 's/^prefix = //p' "$BUILDDIR/Makefile")
[ "$prefix" = /usr/local ] || fatal prerequisites "BUILDDIR has prefix $prefix, not /usr/local"

T=$(mktemp -d /tmp/dmarctls-install.XXXXXX) || fatal setup "mktemp failed"
trap 'rm -rf "$T"' EXIT
R=$T/root
P=/usr/local

# want NAME GOT EXPECTED
want() { [ "$2" = "$3" ] && ok "$1" || not_ok "$1" "got '$2', want '$3'"; }

make -s -C "$BUILDDIR" install DESTDIR="$R" >"$T/install.log" 2>&1 ||
    fatal make_install "$(tail -3 "$T/install.log" | tr '\n' ' ')"
ok make_install
expected="bin/dmarctls-check bin/dmarctls-dane sbin/dmarctls-milter etc/dmarctls/dmarctls.conf
lib/systemd/system/dmarctls-milter.service share/man/man1/dmarctls-check.1
share/man/man1/dmarctls-dane.1 share/man/man5/dmarctls.conf.5 share/man/man8/dmarctls-milter.8
share/doc/dmarctls/README.md share/doc/dmarctls/contrib/dmarctls.conf
share/doc/dmarctls/contrib/postfix/main.cf.dmarctls share/doc/dmarctls/contrib/postfix/master.cf.dmarctls
share/doc/dmarctls/contrib/postfix/chroot.md share/doc/dmarctls/contrib/sendmail/dmarctls.mc
sbin/dmarctls-policyd etc/dmarctls/dmarctls-policyd.conf lib/systemd/system/dmarctls-policyd.service
share/man/man8/dmarctls-policyd.8 bin/dmarctls-reports share/man/man8/dmarctls-reports.8
lib/systemd/system/dmarctls-reports.service lib/systemd/system/dmarctls-reports.timer
lib/systemd/system/dmarctls-reports-failures.service lib/systemd/system/dmarctls-reports-failures.timer"
missing=""
for f in $expected; do [ -f "$R$P/$f" ] || missing="$missing $f"; done
want installs_what_an_admin_needs "${missing# }" ""

# a Debian path not preceded by the prefix (/usr/local/etc/dmarctls is right)
stale=$(grep -rlE '(^|[^[:alnum:]_./-])(/etc/dmarctls|/usr/sbin/dmarctls-|/usr/share/doc/dmarctls)' "$R$P/etc" "$R$P/lib" \
    "$R$P/share" | sed "s|^$R||" | tr '\n' ' ')
want installed_text_names_installed_paths "${stale% }" ""
want unit_execstart_is_installed_binary \
    "$(sed -n 's/^ExecStart=//p' "$R$P/lib/systemd/system/dmarctls-milter.service")" \
    "$P/sbin/dmarctls-milter -f -c $P/etc/dmarctls/dmarctls.conf"
grep -q "include(\`$P/share/doc/dmarctls/contrib/sendmail/dmarctls.mc')" \
    "$R$P/share/doc/dmarctls/contrib/sendmail/dmarctls.mc" &&
    ok sendmail_recipe_includes_installed_path ||
    not_ok sendmail_recipe_includes_installed_path "no include of the installed file"

mount --bind "$R$P" "$P" || fatal mount "cannot bind $R$P on $P"
"$P/sbin/dmarctls-milter" -n -c "$P/etc/dmarctls/dmarctls.conf" >"$T/n.out" 2>&1
want installed_sample_config_passes_check "$?" 0
cp "$P/etc/dmarctls/dmarctls.conf" "$T/sample.conf"
echo "NoSuchKey x" >>"$P/etc/dmarctls/dmarctls.conf"
"$P/sbin/dmarctls-milter" -n >"$T/n.out" 2>&1
rc=$?
line=$(wc -l <"$P/etc/dmarctls/dmarctls.conf")
if [ "$rc" -eq 78 ] && grep -q "$P/etc/dmarctls/dmarctls.conf:$line: unknown key" "$T/n.out"; then
	ok milter_reads_installed_config_by_default
else
	not_ok milter_reads_installed_config_by_default "exit $rc: $(head -1 "$T/n.out")"
fi

# the policy daemon too
pd_conf=$P/etc/dmarctls/dmarctls-policyd.conf
echo "NoSuchKey x" >>"$pd_conf"
"$P/sbin/dmarctls-policyd" -n >"$T/pd.out" 2>&1
rc=$?
if [ "$rc" -eq 78 ] && grep -q "$pd_conf:$(wc -l <"$pd_conf"):" "$T/pd.out"; then
	ok policyd_reads_installed_config_by_default
else
	not_ok policyd_reads_installed_config_by_default "exit $rc: $(head -1 "$T/pd.out")"
fi
sed -i '$d' "$pd_conf"

bad=""
for m in "$P"/share/man/man*/dmarctls*; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$m" 2>&1 >/dev/null)
	[ -n "$w" ] && bad="$bad $(basename "$m"): $(echo "$w" | head -1)"
done
want man_pages_format_without_warnings "${bad# }" ""
# one release, one date on every page (.TH's third field)
dates=$(for m in "$P"/share/man/man*/dmarctls*; do
	zcat -f "$m" | sed -n 's/^\.TH [^ ]* [^ ]* "\([^"]*\)".*/\1/p' | head -1
done | sort -u | tr '\n' ',')
want man_pages_share_one_date "$dates" "${dates%%,*},"

out=$(systemd-analyze verify "$P"/lib/systemd/system/dmarctls-*.service 2>&1)
rc=$?
want systemd_analyze_verify_clean "$rc:$out" "0:"

umount "$P"
make -s -C "$BUILDDIR" install DESTDIR="$R" >"$T/install2.log" 2>&1
grep -q 'keeping the existing' "$T/install2.log" && tail -1 "$R$P/etc/dmarctls/dmarctls.conf" |
    grep -qx 'NoSuchKey x' && ok reinstall_keeps_edited_config ||
    not_ok reinstall_keeps_edited_config "overwritten or no notice"
make -s -C "$BUILDDIR" uninstall DESTDIR="$R" >"$T/uninstall.log" 2>&1
want uninstall_keeps_only_edited_config "$(cd "$R" && find . -type f | sort | tr '\n' ' ')" \
    "./usr/local/etc/dmarctls/dmarctls.conf "
rm -rf "$R"
make -s -C "$BUILDDIR" install DESTDIR="$R" >/dev/null 2>&1 &&
    make -s -C "$BUILDDIR" uninstall DESTDIR="$R" >/dev/null 2>&1
want install_uninstall_leaves_no_file "$(cd "$R" && find . -type f | wc -l)" 0

# The man page and the recipe say the same (no non_smtpd_milters there either).
sed -n '/^\.SH POSTFIX/,/^\.fi/p' "$TOP/man/dmarctls-milter.8" | sed -n '/^\.nf/,/^\.fi/p' |
    sed '1d;$d' >"$T/man-snippet"
grep -v '^#' "$TOP/contrib/postfix/main.cf.dmarctls" | grep -v '^$' >"$T/recipe"
if [ -s "$T/recipe" ] && diff "$T/man-snippet" "$T/recipe" >"$T/snippet.diff"; then
	ok man_page_postfix_snippet_is_the_recipe
else
	not_ok man_page_postfix_snippet_is_the_recipe "$(head -3 "$T/snippet.diff" | tr '\n' ' ')"
fi

# Without root: nothing missing means no sudo; a failed unshare is named.
for args in --check "--build --check"; do
	# shellcheck disable=SC2086
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$TOP/contrib/install-deps.sh" $args 2>&1)
	name=${args//-/}
	want "install_deps_${name// /_}_as_nobody" "$?:$out" "0:install-deps: all packages already installed"
done
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$TOP/tests/milter/run.sh" "$BUILDDIR" 2>&1)
case $out in
*"not ok - namespace (unshare --net --mount --pid --fork: unshare: unshare failed: "*"(not root))"*)
	ok suite_prints_unshare_error ;;
*)	not_ok suite_prints_unshare_error "$(echo "$out" | head -2 | tr '\n' ' ')" ;;
esac
summary_and_exit
