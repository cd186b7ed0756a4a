/*
 * test_config.c -- unit tests of policy/config.c (dmarctls.conf(5)).
 *
 * One test per rule of the file format and per key.  Files are written
 * into a private directory made with mkdtemp() and removed at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define MAX_FILES	32
#define UNUSED		__attribute__((unused))

static char	tmpdir[256];		/* short, so that paths built on it fit */
static char	*files[MAX_FILES];
static int	nfiles;
static char	err[2048];

/* ------------------------------------------------------------------ */
/* Fixture: a temporary directory and the files written into it.       */
/* ------------------------------------------------------------------ */

static int
group_setup(void **state UNUSED)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_config.XXXXXX",
		 base ? base : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
group_teardown(void **state UNUSED)
{
	int	i;

	for (i = 0; i < nfiles; i++) {
		unlink(files[i]);
		free(files[i]);
	}
	nfiles = 0;
	return rmdir(tmpdir);
}

/* Write len bytes under name; returns the path (owned by the fixture). */
static const char *
write_bytes(const char *name, const char *data, size_t len)
{
	char	path[PATH_MAX];
	FILE	*fp;

	int	i;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	for (i = 0; i < nfiles; i++)
		if (strcmp(files[i], path) == 0)
			return files[i];
	assert_true(nfiles < MAX_FILES);
	files[nfiles] = strdup(path);
	assert_non_null(files[nfiles]);
	return files[nfiles++];
}

static const char *
write_file(const char *name, const char *text)
{
	return write_bytes(name, text, strlen(text));
}

/* Load text as a config file over fresh defaults; keep c for checks. */
static int
load_text(dt_config *c, const char *text)
{
	const char *path = write_file("load.conf", text);

	dt_config_defaults(c);
	err[0] = '\0';
	return dt_config_load(c, path, err, sizeof(err));
}

/* Set one key on fresh defaults, free, and say whether it was accepted. */
static int
accepts(const char *key, const char *value)
{
	dt_config c;
	int	rc;

	dt_config_defaults(&c);
	rc = dt_config_set(&c, key, value, err, sizeof(err));
	dt_config_free(&c);
	return rc == 0;
}

/* The stored form of a string key after setting it. */
static char *
stored(const char *key, const char *value, size_t off)
{
	dt_config c;
	char	*s;

	dt_config_defaults(&c);
	assert_int_equal(dt_config_set(&c, key, value, err, sizeof(err)), 0);
	s = *(char **)(void *)((char *)&c + off);
	s = s ? strdup(s) : NULL;
	dt_config_free(&c);
	return s;
}

#define assert_stored(key, value, field, expect) do {			\
	char *s_ = stored(key, value, offsetof(dt_config, field));	\
	assert_string_equal(s_, expect);				\
	free(s_);							\
} while (0)

/* ------------------------------------------------------------------ */
/* Defaults                                                            */
/* ------------------------------------------------------------------ */

static void
defaults_match_documentation(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_string_equal(c.socket, "inet:8893@127.0.0.1");
	assert_null(c.user_id);
	assert_null(c.pid_file);
	assert_int_equal(c.syslog, 1);
	assert_string_equal(c.syslog_facility, "mail");
	assert_null(c.resolver);
	assert_string_equal(c.trust_anchor_file, "/usr/share/dns/root.key");
	assert_null(c.unbound_config_file);
	assert_int_equal(c.dns_timeout, 5);
	assert_int_equal(c.discovery_psl, 0);
	assert_string_equal(c.psl_file,
	    "/usr/share/publicsuffix/public_suffix_list.dat");
	assert_int_equal(c.reject_failures, 1);
	assert_string_equal(c.reject_reply,
	    "550 5.7.1 Email rejected per DMARC policy for %d");
	assert_string_equal(c.tempfail_reply,
	    "451 4.7.5 DMARC policy for %d could not be retrieved");
	assert_int_equal(c.quarantine_hold, 1);
	assert_int_equal(c.tempfail_on_dns_error, 1);
	assert_int_equal(c.reject_on_no_from, 1);
	assert_null(c.ignore_networks);
	assert_int_equal(c.ignore_authenticated, 1);
	assert_int_equal(c.ntrusted, 0);
	assert_null(c.trusted_authserv_ids);
	assert_int_equal(c.max_from_domains, 8);
	assert_null(c.tls_certificate);
	assert_null(c.tlsa_target);
	assert_int_equal(c.require_tls_header, 1);
	assert_int_equal(c.dry_run, 0);
	dt_config_free(&c);
}

static void
default_authserv_id_is_host_name(void **state UNUSED)
{
	dt_config c;
	char	host[256];

	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	dt_config_defaults(&c);
	assert_string_equal(c.authserv_id, host);
	dt_config_free(&c);
}

static void
free_twice_is_harmless(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	dt_config_free(&c);
	dt_config_free(&c);
	assert_null(c.socket);
}

/* ------------------------------------------------------------------ */
/* The unix socket's group and mode; where each key was set            */
/* ------------------------------------------------------------------ */

static void
socket_mode_default_is_0660(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(c.socket_mode, 0660);
	assert_null(c.socket_group);
	dt_config_free(&c);
}

static void
socket_mode_is_octal_up_to_0777(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(dt_config_set(&c, "SocketMode", "0770", err, sizeof(err)), 0);
	assert_int_equal(c.socket_mode, 0770);
	assert_int_equal(dt_config_set(&c, "SocketMode", "600", err, sizeof(err)), 0);
	assert_int_equal(c.socket_mode, 0600);
	dt_config_free(&c);
	assert_false(accepts("SocketMode", "0888"));
	assert_false(accepts("SocketMode", "1777"));	/* sticky: not for sockets */
	assert_false(accepts("SocketMode", "00660"));
	assert_false(accepts("SocketMode", "rw-rw----"));
	assert_false(accepts("SocketMode", "-660"));
}

static void
socket_group_is_a_name(void **state UNUSED)
{
	assert_stored("SocketGroup", "postfix", socket_group, "postfix");
	assert_stored("SocketGroup", "115", socket_group, "115");
	assert_false(accepts("SocketGroup", "post fix"));
	assert_false(accepts("SocketGroup", "-postfix"));
	assert_false(accepts("SocketGroup", "a:b"));
}

static void
origin_names_file_and_line(void **state UNUSED)
{
	dt_config c;
	char	buf[512], want[512];

	assert_int_equal(load_text(&c, "# comment\nUserID dmarctls\n\n"
	    "Socket unix:/x/y.sock\nUserID other\n"), 0);
	snprintf(want, sizeof(want), "%s/load.conf:5", tmpdir);
	assert_string_equal(dt_config_origin(&c, "userid", buf, sizeof(buf)), want);
	snprintf(want, sizeof(want), "%s/load.conf:4", tmpdir);
	assert_string_equal(dt_config_origin(&c, "Socket", buf, sizeof(buf)), want);
	assert_string_equal(dt_config_origin(&c, "PidFile", buf, sizeof(buf)),
	    "built-in default");
	assert_int_equal(dt_config_set(&c, "Socket", "inet:1@127.0.0.1", err, sizeof(err)), 0);
	assert_string_equal(dt_config_origin(&c, "Socket", buf, sizeof(buf)), "command line");
	dt_config_free(&c);
}

static void
origin_survives_a_failed_reload(void **state UNUSED)
{
	dt_config c;
	char	buf[512], want[512];
	const char *bad = write_file("bad.conf", "PidFile /run/x.pid\nSocketMode 9\n");

	assert_int_equal(load_text(&c, "\nPidFile /run/a.pid\n"), 0);
	assert_int_equal(dt_config_load(&c, bad, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: ", bad);
	assert_memory_equal(err, want, strlen(want));
	snprintf(want, sizeof(want), "%s/load.conf:2", tmpdir);
	assert_string_equal(dt_config_origin(&c, "PidFile", buf, sizeof(buf)), want);
	dt_config_free(&c);
}

/* ------------------------------------------------------------------ */
/* File format                                                         */
/* ------------------------------------------------------------------ */

static void
whole_line_comments_and_blank_lines_are_ignored(void **state UNUSED)
{
	dt_config c;

	assert_int_equal(load_text(&c,
	    "# a comment\n"
	    "\n"
	    "   \t\n"
	    "   # indented comment\n"
	    "DNSTimeout 7\n"), 0);
	assert_int_equal(c.dns_timeout, 7);
	dt_config_free(&c);
}

static void
comment_after_blank_ends_value(void **state UNUSED)
{
	dt_config c;

	assert_int_equal(load_text(&c, "AuthservID mx.example # our id\n"), 0);
	assert_string_equal(c.authserv_id, "mx.example");
	dt_config_free(&c);
}

static void
hash_inside_word_is_part_of_value(void **state UNUSED)
{
	dt_config c;

	assert_int_equal(load_text(&c, "AuthservID mx#1\n"), 0);
	assert_string_equal(c.authserv_id, "mx#1");
	dt_config_free(&c);
}

static void
surrounding_whitespace_and_crlf_are_trimmed(void **state UNUSED)
{
	dt_config c;

	assert_int_equal(load_text(&c,
	    "  \tAuthservID \t  mx.example \t \r\n"
	    "RejectReply   550 5.7.1 go  away %d  \r\n"), 0);
	assert_string_equal(c.authserv_id, "mx.example");
	/* inner blanks of the value are kept, trailing ones are not */
	assert_string_equal(c.reject_reply, "550 5.7.1 go  away %d");
	dt_config_free(&c);
}

static void
last_line_without_newline_is_read(void **state UNUSED)
{
	dt_config c;

	assert_int_equal(load_text(&c, "DNSTimeout 9"), 0);
	assert_int_equal(c.dns_timeout, 9);
	dt_config_free(&c);
}

static void
empty_file_keeps_defaults(void **state UNUSED)
{
	dt_config c;

	assert_int_equal(load_text(&c, ""), 0);
	assert_string_equal(c.socket, "inet:8893@127.0.0.1");
	dt_config_free(&c);
}

static void
key_is_case_insensitive(void **state UNUSED)
{
	dt_config c;

	assert_int_equal(load_text(&c, "dnstimeout 3\nDNSTIMEOUT 4\n"
	    "mAxFrOmDoMaInS 2\n"), 0);
	assert_int_equal(c.dns_timeout, 4);
	assert_int_equal(c.max_from_domains, 2);
	dt_config_free(&c);
}

static void
duplicate_key_last_wins(void **state UNUSED)
{
	dt_config c;

	assert_int_equal(load_text(&c,
	    "Socket unix:/run/a.sock\n"
	    "Socket unix:/run/b.sock\n"
	    "TrustedAuthservIDs a.example b.example\n"
	    "TrustedAuthservIDs c.example\n"
	    "IgnoreNetworks 192.0.2.0/24\n"
	    "IgnoreNetworks 198.51.100.0/24\n"), 0);
	assert_string_equal(c.socket, "unix:/run/b.sock");
	/* list keys are replaced, not merged */
	assert_int_equal(c.ntrusted, 1);
	assert_int_equal(dt_config_trusted_id(&c, "a.example"), 0);
	assert_int_equal(dt_config_trusted_id(&c, "c.example"), 1);
	assert_int_equal(dt_netlist_match(c.ignore_networks, "192.0.2.1"), 0);
	assert_int_equal(dt_netlist_match(c.ignore_networks, "198.51.100.1"), 1);
	dt_config_free(&c);
}

static void
unknown_key_is_error_with_file_and_line(void **state UNUSED)
{
	dt_config c;
	char	expect[PATH_MAX + 64];

	assert_int_equal(load_text(&c, "# x\nDNSTimeout 5\nFrobnicate yes\n"), -1);
	snprintf(expect, sizeof(expect), "%s/load.conf:3: unknown key \"Frobnicate\"",
		 tmpdir);
	assert_string_equal(err, expect);
	dt_config_free(&c);
}

static void
bad_value_is_error_with_file_line_and_expectation(void **state UNUSED)
{
	dt_config c;
	char	expect[PATH_MAX + 128];

	assert_int_equal(load_text(&c, "\nDNSTimeout soon\n"), -1);
	snprintf(expect, sizeof(expect), "%s/load.conf:2: DNSTimeout: expected "
		 "an integer number of seconds 1..60, got \"soon\"", tmpdir);
	assert_string_equal(err, expect);
	dt_config_free(&c);
}

static void
key_without_value_is_error(void **state UNUSED)
{
	dt_config c;

	assert_int_equal(load_text(&c, "Syslog\n"), -1);
	assert_non_null(strstr(err, "load.conf:1: Syslog: missing value"));
	dt_config_free(&c);
	assert_int_equal(load_text(&c, "Syslog   # only a comment\n"), -1);
	assert_non_null(strstr(err, "Syslog: missing value"));
	dt_config_free(&c);
}

static void
line_of_4096_bytes_is_accepted(void **state UNUSED)
{
	dt_config c;
	char	*buf = malloc(DT_CONFIG_LINE_MAX + 1);
	const char *path;

	assert_non_null(buf);
	memset(buf, 'x', DT_CONFIG_LINE_MAX);
	buf[0] = '#';
	buf[DT_CONFIG_LINE_MAX] = '\n';
	path = write_bytes("long-ok.conf", buf, DT_CONFIG_LINE_MAX + 1);
	dt_config_defaults(&c);
	assert_int_equal(dt_config_load(&c, path, err, sizeof(err)), 0);
	dt_config_free(&c);
	free(buf);
}

static void
line_over_4096_bytes_is_error(void **state UNUSED)
{
	dt_config c;
	char	*buf = malloc(DT_CONFIG_LINE_MAX + 2);
	char	expect[PATH_MAX + 64];
	const char *path;

	assert_non_null(buf);
	memset(buf, 'x', DT_CONFIG_LINE_MAX + 1);
	buf[0] = '#';
	buf[DT_CONFIG_LINE_MAX + 1] = '\n';
	path = write_bytes("long.conf", buf, DT_CONFIG_LINE_MAX + 2);
	dt_config_defaults(&c);
	assert_int_equal(dt_config_load(&c, path, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "%s:1: line longer than 4096 bytes", path);
	assert_string_equal(err, expect);
	dt_config_free(&c);
	free(buf);
}

static void
nul_byte_is_error(void **state UNUSED)
{
	dt_config c;
	const char *path = write_bytes("nul.conf", "DNSTimeout 5\0 9\n", 16);

	dt_config_defaults(&c);
	assert_int_equal(dt_config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nul.conf:1: NUL byte in line"));
	assert_int_equal(c.dns_timeout, 5);
	dt_config_free(&c);
}

static void
control_character_in_value_is_error(void **state UNUSED)
{
	dt_config c;

	assert_int_equal(load_text(&c, "AuthservID mx\001.example\n"), -1);
	assert_non_null(strstr(err, "load.conf:1: AuthservID: control character"));
	dt_config_free(&c);
	assert_int_equal(load_text(&c, "AuthservID mx\r.example\n"), -1);
	dt_config_free(&c);
}

static void
missing_file_is_error_with_strerror(void **state UNUSED)
{
	dt_config c;
	char	path[PATH_MAX], expect[PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	snprintf(expect, sizeof(expect), "cannot open %s: %s", path,
		 strerror(ENOENT));
	dt_config_defaults(&c);
	assert_int_equal(dt_config_load(&c, path, err, sizeof(err)), -1);
	assert_string_equal(err, expect);
	dt_config_free(&c);
}

static void
directory_is_read_error(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(dt_config_load(&c, tmpdir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, strerror(EISDIR)));
	dt_config_free(&c);
}

static void
error_keeps_the_old_config(void **state UNUSED)
{
	dt_config c;
	char	*socket, *authserv;
	const char *bad = write_file("bad.conf",
	    "Socket unix:/run/new.sock\n"
	    "AuthservID new.example\n"
	    "TrustedAuthservIDs z.example\n"
	    "IgnoreNetworks 203.0.113.0/24\n"
	    "DNSTimeout 99\n");

	assert_int_equal(load_text(&c,
	    "Socket unix:/run/old.sock\n"
	    "AuthservID old.example\n"
	    "TrustedAuthservIDs a.example\n"
	    "IgnoreNetworks 192.0.2.0/24\n"
	    "DNSTimeout 7\n"), 0);
	socket = c.socket;
	authserv = c.authserv_id;
	assert_int_equal(dt_config_load(&c, bad, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad.conf:5: DNSTimeout"));
	assert_ptr_equal(c.socket, socket);
	assert_string_equal(c.socket, "unix:/run/old.sock");
	assert_ptr_equal(c.authserv_id, authserv);
	assert_string_equal(c.authserv_id, "old.example");
	assert_int_equal(dt_config_trusted_id(&c, "a.example"), 1);
	assert_int_equal(dt_config_trusted_id(&c, "z.example"), 0);
	assert_int_equal(dt_netlist_match(c.ignore_networks, "192.0.2.9"), 1);
	assert_int_equal(dt_netlist_match(c.ignore_networks, "203.0.113.9"), 0);
	assert_int_equal(c.dns_timeout, 7);
	dt_config_free(&c);
}

static void
load_applies_on_top_of_current_values(void **state UNUSED)
{
	dt_config c;
	const char *second = write_file("second.conf", "DryRun yes\n");

	assert_int_equal(load_text(&c, "DNSTimeout 11\n"), 0);
	assert_int_equal(dt_config_load(&c, second, err, sizeof(err)), 0);
	assert_int_equal(c.dns_timeout, 11);
	assert_int_equal(c.dry_run, 1);
	dt_config_free(&c);
}

static void
set_error_keeps_the_old_value(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(dt_config_set(&c, "Socket", "unix:/run/a", err,
	    sizeof(err)), 0);
	assert_int_equal(dt_config_set(&c, "Socket", "bogus", err,
	    sizeof(err)), -1);
	assert_string_equal(c.socket, "unix:/run/a");
	assert_int_equal(dt_config_set(&c, "DryRun", "perhaps", err,
	    sizeof(err)), -1);
	assert_int_equal(c.dry_run, 0);
	dt_config_free(&c);
}

static void
error_quotes_hostile_value_safely(void **state UNUSED)
{
	char	big[300];

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[0] = '\x80';
	assert_false(accepts("DNSTimeout", big));
	assert_non_null(strstr(err, "got \"?AAA"));
	assert_non_null(strstr(err, "...\""));
	assert_true(strlen(err) < 200);
	assert_false(accepts("No\x1b[31mSuchKey", "1"));
	assert_string_equal(err, "unknown key \"No?[31mSuchKey\"");
}

static void
null_err_buffer_is_allowed(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(dt_config_set(&c, "Nope", "1", NULL, 0), -1);
	assert_int_equal(dt_config_set(&c, NULL, "1", NULL, 0), -1);
	assert_int_equal(dt_config_set(&c, "DryRun", NULL, NULL, 0), -1);
	dt_config_free(&c);
}

/* ------------------------------------------------------------------ */
/* Booleans                                                            */
/* ------------------------------------------------------------------ */

static void
boolean_words_true(void **state UNUSED)
{
	static const char *const words[] = {
		"yes", "YES", "true", "True", "1", "on", "ON"
	};
	dt_config c;
	size_t	i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		dt_config_defaults(&c);
		assert_int_equal(dt_config_set(&c, "DryRun", words[i], err,
		    sizeof(err)), 0);
		assert_int_equal(c.dry_run, 1);
		dt_config_free(&c);
	}
}

static void
boolean_words_false(void **state UNUSED)
{
	static const char *const words[] = {
		"no", "No", "false", "FALSE", "0", "off", "Off"
	};
	dt_config c;
	size_t	i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		dt_config_defaults(&c);
		assert_int_equal(dt_config_set(&c, "Syslog", words[i], err,
		    sizeof(err)), 0);
		assert_int_equal(c.syslog, 0);
		dt_config_free(&c);
	}
}

static void
boolean_other_words_are_errors(void **state UNUSED)
{
	assert_false(accepts("Syslog", "2"));
	assert_string_equal(err, "Syslog: expected yes, no, true, false, on, "
	    "off, 1 or 0, got \"2\"");
	assert_false(accepts("Syslog", "yess"));
	assert_false(accepts("Syslog", "y"));
	assert_false(accepts("Syslog", "yes no"));
	assert_false(accepts("Syslog", ""));
}

/* Each boolean key reaches its own field. */
static void
every_boolean_key_sets_its_field(void **state UNUSED)
{
	static const struct {
		const char *key;
		size_t	off;
	} keys[] = {
		{ "Syslog", offsetof(dt_config, syslog) },
		{ "RejectFailures", offsetof(dt_config, reject_failures) },
		{ "TempfailOnDNSError", offsetof(dt_config, tempfail_on_dns_error) },
		{ "RejectOnNoFrom", offsetof(dt_config, reject_on_no_from) },
		{ "IgnoreAuthenticatedClients",
		  offsetof(dt_config, ignore_authenticated) },
		{ "RequireTLSHeader", offsetof(dt_config, require_tls_header) },
		{ "DryRun", offsetof(dt_config, dry_run) },
	};
	dt_config c, d;
	size_t	i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		dt_config_defaults(&c);
		dt_config_defaults(&d);
		int before = *(int *)(void *)((char *)&c + keys[i].off);
		assert_int_equal(dt_config_set(&c, keys[i].key,
		    before ? "no" : "yes", err, sizeof(err)), 0);
		assert_int_equal(*(int *)(void *)((char *)&c + keys[i].off),
		    !before);
		/* nothing else changed */
		*(int *)(void *)((char *)&c + keys[i].off) = before;
		assert_int_equal(c.syslog, d.syslog);
		assert_int_equal(c.reject_failures, d.reject_failures);
		assert_int_equal(c.tempfail_on_dns_error, d.tempfail_on_dns_error);
		assert_int_equal(c.reject_on_no_from, d.reject_on_no_from);
		assert_int_equal(c.ignore_authenticated, d.ignore_authenticated);
		assert_int_equal(c.require_tls_header, d.require_tls_header);
		assert_int_equal(c.dry_run, d.dry_run);
		/* and a word that is no boolean is refused, naming the key */
		assert_int_equal(dt_config_set(&c, keys[i].key, "maybe", err,
		    sizeof(err)), -1);
		assert_non_null(strstr(err, keys[i].key));
		dt_config_free(&c);
		dt_config_free(&d);
	}
}

/* ------------------------------------------------------------------ */
/* Keys with values                                                    */
/* ------------------------------------------------------------------ */

static void
socket_accepts_milter_forms(void **state UNUSED)
{
	assert_true(accepts("Socket", "inet:8893@127.0.0.1"));
	assert_true(accepts("Socket", "inet:1@localhost"));
	assert_true(accepts("Socket", "INET:65535@mx.example."));
	assert_true(accepts("Socket", "inet6:8893@::1"));
	assert_true(accepts("Socket", "inet6:8893@[::1]"));
	assert_true(accepts("Socket", "inet:8893@[127.0.0.1]"));
	assert_true(accepts("Socket", "unix:/run/dmarctls/dmarctls.sock"));
	assert_true(accepts("Socket", "local:/var/spool/postfix/dmarctls"));
	assert_stored("Socket", "local:/x", socket, "local:/x");
}

static void
socket_rejects_malformed(void **state UNUSED)
{
	char	longpath[200];

	assert_false(accepts("Socket", "inet:8893"));	/* every interface */
	assert_non_null(strstr(err, "Socket: expected inet:PORT@HOST"));
	assert_false(accepts("Socket", "inet:0@127.0.0.1"));
	assert_false(accepts("Socket", "inet:65536@127.0.0.1"));
	assert_false(accepts("Socket", "inet:88x@127.0.0.1"));
	assert_false(accepts("Socket", "inet:@127.0.0.1"));
	assert_false(accepts("Socket", "inet:8893@"));
	assert_false(accepts("Socket", "inet:8893@::1"));
	assert_false(accepts("Socket", "inet6:8893@127.0.0.1"));
	assert_false(accepts("Socket", "inet:8893@1.2.3"));
	assert_false(accepts("Socket", "inet:8893@-bad.example"));
	assert_false(accepts("Socket", "inet:8893@[::1]"));
	assert_false(accepts("Socket", "inet6:8893@[::1"));
	assert_false(accepts("Socket", "inet6:8893@[]"));
	assert_false(accepts("Socket", "inet6:8893@[mx.example]"));
	assert_false(accepts("Socket", "unix:relative.sock"));
	assert_false(accepts("Socket", "unix:"));
	assert_false(accepts("Socket", "tcp:25@127.0.0.1"));
	assert_false(accepts("Socket", "/run/x.sock"));
	assert_false(accepts("Socket", "unix:/run/x.sock extra"));
	/* sun_path is 108 bytes; libmilter refuses strlen + 1 >= 108 */
	longpath[0] = '/';
	memset(longpath + 1, 'a', 106);
	longpath[107] = '\0';
	{
		char v[256];

		snprintf(v, sizeof(v), "unix:%s", longpath);
		assert_false(accepts("Socket", v));
		longpath[106] = '\0';
		snprintf(v, sizeof(v), "unix:%s", longpath);
		assert_true(accepts("Socket", v));
	}
}

static void
authserv_id_must_be_a_token(void **state UNUSED)
{
	assert_stored("AuthservID", "mx.example.org", authserv_id,
	    "mx.example.org");
	assert_false(accepts("AuthservID", "mx example"));
	assert_false(accepts("AuthservID", "mx;example"));
	assert_false(accepts("AuthservID", "user@mx"));
	assert_false(accepts("AuthservID", "\"quoted\""));
	assert_false(accepts("AuthservID", "caf\xc3\xa9"));
}

static void
user_id_is_user_or_user_colon_group(void **state UNUSED)
{
	assert_stored("UserID", "dmarctls", user_id, "dmarctls");
	assert_stored("UserID", "dmarctls:mail", user_id, "dmarctls:mail");
	assert_true(accepts("UserID", "1000:1000"));
	assert_false(accepts("UserID", "-root"));
	assert_false(accepts("UserID", "user:"));
	assert_false(accepts("UserID", ":group"));
	assert_false(accepts("UserID", "a:b:c"));
	assert_false(accepts("UserID", "a b"));
	assert_false(accepts("UserID", "abcdefghijklmnopqrstuvwxyz0123456"));
}

static void
paths_must_be_absolute(void **state UNUSED)
{
	assert_stored("PidFile", "/run/dmarctls.pid", pid_file,
	    "/run/dmarctls.pid");
	assert_false(accepts("PidFile", "run/dmarctls.pid"));
	assert_false(accepts("PidFile", "/run/x.pid oops"));
	assert_stored("UnboundConfigFile", "/etc/unbound/u.conf",
	    unbound_config_file, "/etc/unbound/u.conf");
	assert_false(accepts("UnboundConfigFile", "u.conf"));
	assert_stored("PublicSuffixList", "/tmp/psl.dat", psl_file,
	    "/tmp/psl.dat");
	assert_false(accepts("PublicSuffixList", "psl.dat"));
}

static void
syslog_facility_is_mail_daemon_or_local(void **state UNUSED)
{
	assert_stored("SyslogFacility", "daemon", syslog_facility, "daemon");
	assert_stored("SyslogFacility", "LOCAL7", syslog_facility, "local7");
	assert_stored("SyslogFacility", "Mail", syslog_facility, "mail");
	assert_false(accepts("SyslogFacility", "local8"));
	assert_false(accepts("SyslogFacility", "user"));
	assert_false(accepts("SyslogFacility", "auth"));
}

static void
resolver_is_address_list_with_ports(void **state UNUSED)
{
	assert_stored("Resolver", "127.0.0.1@5354, ::1   192.0.2.53@53",
	    resolver, "127.0.0.1@5354,::1,192.0.2.53@53");
	assert_stored("Resolver", "2001:db8::53@5353", resolver,
	    "2001:db8::53@5353");
	assert_false(accepts("Resolver", "localhost"));
	assert_false(accepts("Resolver", "127.0.0.1@0"));
	assert_false(accepts("Resolver", "127.0.0.1@"));
	assert_false(accepts("Resolver", "::1@65536"));
	assert_false(accepts("Resolver", "127.0.0.1:53"));
	assert_false(accepts("Resolver", ", ,"));
	assert_false(accepts("Resolver", "1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4 "
	    "1.1.1.5 1.1.1.6 1.1.1.7 1.1.1.8 1.1.1.9 1.1.1.10 1.1.1.11 "
	    "1.1.1.12 1.1.1.13 1.1.1.14 1.1.1.15 1.1.1.16 1.1.1.17"));
}

static void
trust_anchor_is_path_or_none(void **state UNUSED)
{
	assert_stored("TrustAnchorFile", "/etc/dmarctls/test.ds",
	    trust_anchor_file, "/etc/dmarctls/test.ds");
	assert_stored("TrustAnchorFile", "NONE", trust_anchor_file, "none");
	assert_false(accepts("TrustAnchorFile", "root.key"));
	assert_false(accepts("TrustAnchorFile", "no"));
}

static void
dns_timeout_is_1_to_60(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(dt_config_set(&c, "DNSTimeout", "1", err,
	    sizeof(err)), 0);
	assert_int_equal(c.dns_timeout, 1);
	assert_int_equal(dt_config_set(&c, "DNSTimeout", "60", err,
	    sizeof(err)), 0);
	assert_int_equal(c.dns_timeout, 60);
	dt_config_free(&c);
	assert_false(accepts("DNSTimeout", "0"));
	assert_false(accepts("DNSTimeout", "61"));
	assert_false(accepts("DNSTimeout", "-1"));
	assert_false(accepts("DNSTimeout", "+5"));
	assert_false(accepts("DNSTimeout", "5s"));
	assert_false(accepts("DNSTimeout", "5 "));
	assert_false(accepts("DNSTimeout", "4294967301"));	/* 2^32 + 5 */
	assert_false(accepts("DNSTimeout", "99999999999999999999"));
}

static void
dmarc_discovery_is_rfc9989_treewalk_or_psl(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(dt_config_set(&c, "DMARCDiscovery", "PSL", err,
	    sizeof(err)), 0);
	assert_int_equal(c.discovery_psl, 1);
	assert_int_equal(dt_config_set(&c, "DMARCDiscovery", "rfc9989", err,
	    sizeof(err)), 0);
	assert_int_equal(c.discovery_psl, 0);
	c.discovery_psl = 1;
	assert_int_equal(dt_config_set(&c, "DMARCDiscovery", "treewalk", err,
	    sizeof(err)), 0);
	assert_int_equal(c.discovery_psl, 0);
	dt_config_free(&c);
	assert_false(accepts("DMARCDiscovery", "rfc7489"));
}

static void
reject_reply_must_be_5xx_with_matching_enhanced_code(void **state UNUSED)
{
	assert_stored("RejectReply", "554 5.7.1 No thanks, %d (100%%)",
	    reject_reply, "554 5.7.1 No thanks, %d (100%%)");
	assert_true(accepts("RejectReply", "550 5.7.26 for %d"));
	assert_false(accepts("RejectReply", "451 4.7.1 later"));
	assert_false(accepts("RejectReply", "550 4.7.1 class differs"));
	assert_false(accepts("RejectReply", "550 5.7.1"));
	assert_false(accepts("RejectReply", "550 5.7.1 "));
	assert_false(accepts("RejectReply", "550 5.7.1 100% sure"));
	assert_false(accepts("RejectReply", "550 5.7.1 trailing %"));
	assert_false(accepts("RejectReply", "550 5.7.1 %s"));
	assert_false(accepts("RejectReply", "560 5.7.1 bad second digit"));
	assert_false(accepts("RejectReply", "5505.7.1 x"));
	assert_false(accepts("RejectReply", "550  5.7.1 x"));
	assert_false(accepts("RejectReply", "550 5.7.1234 x"));
	assert_false(accepts("RejectReply", "550 5..1 x"));
	assert_false(accepts("RejectReply", "55 5.7.1 x"));
	assert_false(accepts("RejectReply", "550 5.7.1 caf\xc3\xa9"));
	assert_false(accepts("RejectReply", "550 5.7.1 tab\there"));
}

static void
reply_template_is_bounded_by_domain_expansion(void **state UNUSED)
{
	/*
	 * Each %d may grow to 253 bytes and the text must stay within 480:
	 * one %d leaves room for 227 bytes of text, two never fit.
	 */
	char	tmpl[600];

	memset(tmpl, 'x', sizeof(tmpl));
	memcpy(tmpl, "550 5.7.1 %d", 12);
	tmpl[12 + 227] = '\0';
	assert_true(accepts("RejectReply", tmpl));
	tmpl[12 + 227] = 'x';
	tmpl[12 + 228] = '\0';
	assert_false(accepts("RejectReply", tmpl));
	assert_false(accepts("RejectReply", "550 5.7.1 %d %d"));
}

static void
tempfail_reply_must_be_4xx(void **state UNUSED)
{
	assert_stored("TempfailReply", "421 4.4.3 try later for %d",
	    tempfail_reply, "421 4.4.3 try later for %d");
	assert_false(accepts("TempfailReply", "550 5.7.1 no"));
	assert_false(accepts("TempfailReply", "451 5.7.1 mismatch"));
	assert_false(accepts("TempfailReply", "251 2.1.5 ok"));
}

static void
quarantine_is_hold_or_header(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(dt_config_set(&c, "Quarantine", "header", err,
	    sizeof(err)), 0);
	assert_int_equal(c.quarantine_hold, 0);
	assert_int_equal(dt_config_set(&c, "Quarantine", "HOLD", err,
	    sizeof(err)), 0);
	assert_int_equal(c.quarantine_hold, 1);
	dt_config_free(&c);
	assert_false(accepts("Quarantine", "discard"));
}

static void
milter_skip_body_is_auto_yes_or_no(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(c.skip_body, DT_SKIPBODY_AUTO);
	assert_int_equal(dt_config_set(&c, "MilterSkipBody", "yes", err, sizeof(err)), 0);
	assert_int_equal(c.skip_body, DT_SKIPBODY_YES);
	assert_int_equal(dt_config_set(&c, "MilterSkipBody", "NO", err, sizeof(err)), 0);
	assert_int_equal(c.skip_body, DT_SKIPBODY_NO);
	assert_int_equal(dt_config_set(&c, "MilterSkipBody", "auto", err, sizeof(err)), 0);
	assert_int_equal(c.skip_body, DT_SKIPBODY_AUTO);
	dt_config_free(&c);
	assert_false(accepts("MilterSkipBody", "unix"));
}

static void
max_from_domains_is_1_to_64(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(dt_config_set(&c, "MaxFromDomains", "64", err,
	    sizeof(err)), 0);
	assert_int_equal(c.max_from_domains, 64);
	assert_int_equal(dt_config_set(&c, "MaxFromDomains", "1", err,
	    sizeof(err)), 0);
	assert_int_equal(c.max_from_domains, 1);
	dt_config_free(&c);
	assert_false(accepts("MaxFromDomains", "0"));
	assert_false(accepts("MaxFromDomains", "65"));
	assert_false(accepts("MaxFromDomains", "eight"));
}

static void
trusted_authserv_ids_are_compared_case_insensitively(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(dt_config_set(&c, "TrustedAuthservIDs",
	    "mx1.example.org, MX2.example.org\tmx3", err, sizeof(err)), 0);
	assert_int_equal(c.ntrusted, 3);
	assert_string_equal(c.trusted_authserv_ids[1], "MX2.example.org");
	assert_int_equal(dt_config_trusted_id(&c, "MX1.EXAMPLE.ORG"), 1);
	assert_int_equal(dt_config_trusted_id(&c, "mx2.example.org"), 1);
	assert_int_equal(dt_config_trusted_id(&c, "mx3"), 1);
	assert_int_equal(dt_config_trusted_id(&c, "mx1.example"), 0);
	assert_int_equal(dt_config_trusted_id(&c, "mx1.example.org."), 0);
	assert_int_equal(dt_config_trusted_id(&c, ""), 0);
	assert_int_equal(dt_config_trusted_id(&c, NULL), 0);
	assert_int_equal(dt_config_trusted_id(NULL, "mx3"), 0);
	dt_config_free(&c);
}

static void
trusted_authserv_ids_reject_bad_tokens_and_too_many(void **state UNUSED)
{
	char	list[64 * 4 + 16];
	size_t	i, n = 0;

	assert_false(accepts("TrustedAuthservIDs", "good.example bad;id"));
	assert_false(accepts("TrustedAuthservIDs", " , "));
	for (i = 0; i < 64; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "a%zu ", i);
	assert_true(accepts("TrustedAuthservIDs", list));
	snprintf(list + n, sizeof(list) - n, "one-more");
	assert_false(accepts("TrustedAuthservIDs", list));
}

static void
tls_certificate_is_path_list(void **state UNUSED)
{
	assert_stored("TLSCertificate", "/etc/ssl/a.pem, /etc/ssl/b.pem",
	    tls_certificate, "/etc/ssl/a.pem,/etc/ssl/b.pem");
	assert_false(accepts("TLSCertificate", "/etc/ssl/a.pem b.pem"));
}

static void
tlsa_target_is_port_proto_host(void **state UNUSED)
{
	assert_stored("TLSATarget", "_25._tcp.mx.example", tlsa_target,
	    "_25._tcp.mx.example");
	assert_true(accepts("TLSATarget", "_465._TCP.mx.example.org."));
	assert_false(accepts("TLSATarget", "mx.example"));
	assert_false(accepts("TLSATarget", "_25.mx.example"));
	assert_false(accepts("TLSATarget", "_25._xyz.mx.example"));
	assert_false(accepts("TLSATarget", "_0._tcp.mx.example"));
	assert_false(accepts("TLSATarget", "_25._tcp."));
	assert_false(accepts("TLSATarget", "_25._tcp.mx..example"));
	assert_false(accepts("TLSATarget", "_25._tcp.mx_1.example"));
}

/* ------------------------------------------------------------------ */
/* IgnoreNetworks                                                      */
/* ------------------------------------------------------------------ */

static dt_netlist *
networks(dt_config *c, const char *value)
{
	dt_config_defaults(c);
	assert_int_equal(dt_config_set(c, "IgnoreNetworks", value, err,
	    sizeof(err)), 0);
	assert_non_null(c->ignore_networks);
	return c->ignore_networks;
}

static void
ignore_networks_ipv4_cidr_matches_inside_only(void **state UNUSED)
{
	dt_config c;
	dt_netlist *l = networks(&c, "192.0.2.0/24, 10.0.0.0/8 172.16.0.0/12");

	assert_int_equal(dt_netlist_count(l), 3);
	assert_int_equal(dt_netlist_match(l, "192.0.2.0"), 1);
	assert_int_equal(dt_netlist_match(l, "192.0.2.255"), 1);
	assert_int_equal(dt_netlist_match(l, "192.0.3.0"), 0);
	assert_int_equal(dt_netlist_match(l, "192.0.1.255"), 0);
	assert_int_equal(dt_netlist_match(l, "10.255.255.255"), 1);
	assert_int_equal(dt_netlist_match(l, "172.31.0.1"), 1);
	assert_int_equal(dt_netlist_match(l, "172.32.0.1"), 0);
	assert_int_equal(dt_netlist_match(l, "11.0.0.1"), 0);
	dt_config_free(&c);
}

static void
dane_endpoint_lines_accumulate(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_int_equal(c.ndane_endpoints, 0);
	assert_int_equal(dt_config_set(&c, "DANEEndpoint",
	    "mx1 _25._tcp.mx1.example.com /etc/ssl/mx1.pem", err, sizeof(err)), 0);
	assert_int_equal(dt_config_set(&c, "DANEEndpoint",
	    "  2001:db8::25\t_25._tcp.mx2.example.com  /etc/ssl/a.pem, /etc/ssl/b.pem",
	    err, sizeof(err)), 0);
	assert_int_equal(c.ndane_endpoints, 2);
	assert_string_equal(c.dane_endpoints[0].selector, "mx1");
	assert_string_equal(c.dane_endpoints[0].owner, "_25._tcp.mx1.example.com");
	assert_string_equal(c.dane_endpoints[0].certs, "/etc/ssl/mx1.pem");
	assert_string_equal(c.dane_endpoints[1].selector, "2001:db8::25");
	assert_string_equal(c.dane_endpoints[1].certs, "/etc/ssl/a.pem,/etc/ssl/b.pem");
	dt_config_free(&c);
}

static void
dane_endpoint_rejects_bad_lines(void **state UNUSED)
{
	static const char *const bad[] = {
		"",				/* nothing */
		"mx1",				/* no owner */
		"mx1 _25._tcp.mx1.example.com",	/* no certificate */
		"mx1 mx1.example.com /etc/ssl/mx1.pem",	/* not a TLSA owner */
		"mx1 _25._tcp.mx1.example.com ssl/mx1.pem",	/* relative path */
		"m\001x _25._tcp.mx1.example.com /etc/ssl/mx1.pem",	/* control byte */
	};
	dt_config c;
	size_t	i;

	dt_config_defaults(&c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(dt_config_set(&c, "DANEEndpoint", bad[i], err, sizeof(err)), -1);
		assert_non_null(strstr(err, "DANEEndpoint"));
	}
	assert_int_equal(c.ndane_endpoints, 0);
	dt_config_free(&c);
}

static void
dane_endpoint_count_is_capped(void **state UNUSED)
{
	dt_config c;
	int	i;

	dt_config_defaults(&c);
	for (i = 0; i < DT_DANE_ENDPOINTS_MAX; i++)
		assert_int_equal(dt_config_set(&c, "DANEEndpoint",
		    "mx _25._tcp.mx.example.com /etc/ssl/mx.pem", err, sizeof(err)), 0);
	assert_int_equal(dt_config_set(&c, "DANEEndpoint",
	    "mx _25._tcp.mx.example.com /etc/ssl/mx.pem", err, sizeof(err)), -1);
	assert_int_equal(c.ndane_endpoints, DT_DANE_ENDPOINTS_MAX);
	dt_config_free(&c);
}

static void
trusted_networks_is_its_own_list(void **state UNUSED)
{
	dt_config c;

	dt_config_defaults(&c);
	assert_null(c.trusted_networks);
	assert_int_equal(dt_config_set(&c, "TrustedNetworks", "192.0.2.0/24, ::1", err,
	    sizeof(err)), 0);
	assert_int_equal(dt_netlist_match(c.trusted_networks, "192.0.2.9"), 1);
	assert_int_equal(dt_netlist_match(c.trusted_networks, "::1"), 1);
	assert_int_equal(dt_netlist_match(c.trusted_networks, "198.51.100.1"), 0);
	assert_null(c.ignore_networks);		/* the two lists never mix */
	assert_int_equal(dt_config_set(&c, "TrustedNetworks", "192.0.2.1/24", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "TrustedNetworks"));
	assert_int_equal(dt_netlist_match(c.trusted_networks, "192.0.2.9"), 1);
	dt_config_free(&c);
}

static void
ignore_networks_prefix_not_on_byte_boundary(void **state UNUSED)
{
	dt_config c;
	dt_netlist *l = networks(&c, "198.51.100.0/23 2001:db8:0:fe::/63");

	assert_int_equal(dt_netlist_match(l, "198.51.101.7"), 1);
	assert_int_equal(dt_netlist_match(l, "198.51.102.7"), 0);
	assert_int_equal(dt_netlist_match(l, "198.51.99.7"), 0);
	assert_int_equal(dt_netlist_match(l, "2001:db8:0:ff::1"), 1);
	assert_int_equal(dt_netlist_match(l, "2001:db8:0:fd::1"), 0);
	dt_config_free(&c);
}

static void
ignore_networks_host_address_is_slash_32(void **state UNUSED)
{
	dt_config c;
	dt_netlist *l = networks(&c, "192.0.2.7 203.0.113.9/32");

	assert_int_equal(dt_netlist_match(l, "192.0.2.7"), 1);
	assert_int_equal(dt_netlist_match(l, "192.0.2.8"), 0);
	assert_int_equal(dt_netlist_match(l, "203.0.113.9"), 1);
	assert_int_equal(dt_netlist_match(l, "203.0.113.8"), 0);
	dt_config_free(&c);
}

static void
ignore_networks_ipv4_slash_0_matches_all_ipv4_not_ipv6(void **state UNUSED)
{
	dt_config c;
	dt_netlist *l = networks(&c, "0.0.0.0/0");

	assert_int_equal(dt_netlist_match(l, "1.2.3.4"), 1);
	assert_int_equal(dt_netlist_match(l, "255.255.255.255"), 1);
	assert_int_equal(dt_netlist_match(l, "2001:db8::1"), 0);
	dt_config_free(&c);
}

static void
ignore_networks_ipv6_slash_0_matches_all_ipv6_not_ipv4(void **state UNUSED)
{
	dt_config c;
	dt_netlist *l = networks(&c, "::/0");

	assert_int_equal(dt_netlist_match(l, "2001:db8::1"), 1);
	assert_int_equal(dt_netlist_match(l, "::1"), 1);
	assert_int_equal(dt_netlist_match(l, "192.0.2.1"), 0);
	dt_config_free(&c);
}

static void
ignore_networks_ipv6_cidr_and_slash_128(void **state UNUSED)
{
	dt_config c;
	dt_netlist *l = networks(&c, "2001:db8::/32, ::1/128, fe80::1");

	assert_int_equal(dt_netlist_match(l, "2001:db8:ffff::1"), 1);
	assert_int_equal(dt_netlist_match(l, "2001:DB8::1"), 1);
	assert_int_equal(dt_netlist_match(l, "2001:db9::1"), 0);
	assert_int_equal(dt_netlist_match(l, "::1"), 1);
	assert_int_equal(dt_netlist_match(l, "::2"), 0);
	assert_int_equal(dt_netlist_match(l, "fe80::1"), 1);
	assert_int_equal(dt_netlist_match(l, "fe80::2"), 0);
	dt_config_free(&c);
}

/*
 * A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d; it is
 * matched as the IPv4 address, both ways round.
 */
static void
ignore_networks_v4_mapped_ipv6_matches_ipv4_network(void **state UNUSED)
{
	dt_config c;
	dt_netlist *l = networks(&c, "192.0.2.0/24 ::ffff:198.51.100.0/120");

	assert_int_equal(dt_netlist_match(l, "::ffff:192.0.2.1"), 1);
	assert_int_equal(dt_netlist_match(l, "::FFFF:c000:201"), 1);
	assert_int_equal(dt_netlist_match(l, "::ffff:192.0.3.1"), 0);
	assert_int_equal(dt_netlist_match(l, "198.51.100.20"), 1);
	assert_int_equal(dt_netlist_match(l, "198.51.100.255"), 1);	/* /24 */
	assert_int_equal(dt_netlist_match(l, "198.51.101.20"), 0);
	/* IPv4-compatible (deprecated) is not mapped */
	assert_int_equal(dt_netlist_match(l, "::192.0.2.1"), 0);
	dt_config_free(&c);
}

static void
ignore_networks_match_rejects_garbage(void **state UNUSED)
{
	dt_config c;
	dt_netlist *l = networks(&c, "0.0.0.0/0 ::/0");

	assert_int_equal(dt_netlist_match(l, ""), 0);
	assert_int_equal(dt_netlist_match(l, "localhost"), 0);
	assert_int_equal(dt_netlist_match(l, "192.0.2.1 "), 0);
	assert_int_equal(dt_netlist_match(l, "[::1]"), 0);
	assert_int_equal(dt_netlist_match(l, "192.0.2"), 0);
	assert_int_equal(dt_netlist_match(l, "192.0.2.1/32"), 0);
	assert_int_equal(dt_netlist_match(l, NULL), 0);
	assert_int_equal(dt_netlist_match(NULL, "192.0.2.1"), 0);
	assert_int_equal(dt_netlist_count(NULL), 0);
	dt_config_free(&c);
}

static void
ignore_networks_rejects_malformed(void **state UNUSED)
{
	assert_false(accepts("IgnoreNetworks", "192.0.2.1/24"));
	assert_non_null(strstr(err, "IgnoreNetworks: expected a network "
	    "without host bits set after the prefix, got \"192.0.2.1/24\""));
	assert_false(accepts("IgnoreNetworks", "192.0.2.0/33"));
	assert_non_null(strstr(err, "a prefix length 0..32"));
	assert_false(accepts("IgnoreNetworks", "2001:db8::/129"));
	assert_non_null(strstr(err, "a prefix length 0..128"));
	assert_false(accepts("IgnoreNetworks", "192.0.2.0/"));
	assert_false(accepts("IgnoreNetworks", "192.0.2.0/-1"));
	assert_false(accepts("IgnoreNetworks", "192.0.2.0/024x"));
	assert_false(accepts("IgnoreNetworks", "192.0.2.0/24/8"));
	assert_false(accepts("IgnoreNetworks", "localhost"));
	assert_false(accepts("IgnoreNetworks", "192.0.2.0/24, 300.0.0.0/8"));
	assert_false(accepts("IgnoreNetworks", "fe80::1%eth0"));
	assert_false(accepts("IgnoreNetworks", ","));
}

static void
ignore_networks_from_file(void **state UNUSED)
{
	dt_config c;
	const char *nets = write_file("nets",
	    "# networks we never check\n"
	    "192.0.2.0/24   # documentation\n"
	    "\n"
	    "  2001:db8::/32\r\n");
	dt_netlist *l = networks(&c, nets);

	assert_int_equal(dt_netlist_count(l), 2);
	assert_int_equal(dt_netlist_match(l, "192.0.2.50"), 1);
	assert_int_equal(dt_netlist_match(l, "2001:db8::50"), 1);
	assert_int_equal(dt_netlist_match(l, "198.51.100.50"), 0);
	dt_config_free(&c);
}

static void
ignore_networks_file_error_names_file_and_line(void **state UNUSED)
{
	const char *nets = write_file("badnets",
	    "192.0.2.0/24\n"
	    "# fine\n"
	    "10.0.0.1/8\n");
	char	expect[PATH_MAX + 128];

	assert_false(accepts("IgnoreNetworks", nets));
	snprintf(expect, sizeof(expect), "IgnoreNetworks: %s:3: expected a "
	    "network without host bits set after the prefix, got \"10.0.0.1/8\"",
	    nets);
	assert_string_equal(err, expect);
}

static void
ignore_networks_missing_file_is_error(void **state UNUSED)
{
	char	path[PATH_MAX], expect[PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/no-such-nets", tmpdir);
	snprintf(expect, sizeof(expect), "IgnoreNetworks: cannot open %s: %s",
		 path, strerror(ENOENT));
	assert_false(accepts("IgnoreNetworks", path));
	assert_string_equal(err, expect);
}

static void
ignore_networks_error_in_config_file_names_both_lines(void **state UNUSED)
{
	dt_config c;
	const char *nets = write_file("badnets2", "bogus\n");
	char	text[PATH_MAX + 64], expect[2 * PATH_MAX + 128];

	snprintf(text, sizeof(text), "DryRun no\nIgnoreNetworks %s\n", nets);
	assert_int_equal(load_text(&c, text), -1);
	snprintf(expect, sizeof(expect), "%s/load.conf:2: IgnoreNetworks: %s:1: "
	    "expected an IPv4 or IPv6 address or CIDR network, got \"bogus\"",
	    tmpdir, nets);
	assert_string_equal(err, expect);
	dt_config_free(&c);
}

/* ------------------------------------------------------------------ */
/* Reply formatting                                                    */
/* ------------------------------------------------------------------ */

static void
reply_splits_code_xcode_and_expands_domain(void **state UNUSED)
{
	char	code[4], xcode[16], text[DT_REPLY_TEXT_MAX + 1];

	assert_int_equal(dt_config_reply(DT_DEFAULT_REJECT_REPLY, "example.com",
	    code, xcode, text, sizeof(text)), 0);
	assert_string_equal(code, "550");
	assert_string_equal(xcode, "5.7.1");
	assert_string_equal(text, "Email rejected per DMARC policy for example.com");
	assert_int_equal(dt_config_reply(DT_DEFAULT_TEMPFAIL_REPLY, "example.org",
	    code, xcode, text, sizeof(text)), 0);
	assert_string_equal(code, "451");
	assert_string_equal(xcode, "4.7.5");
	assert_string_equal(text,
	    "DMARC policy for example.org could not be retrieved");
}

static void
reply_percent_percent_is_percent(void **state UNUSED)
{
	char	code[4], xcode[16], text[DT_REPLY_TEXT_MAX + 1];

	assert_int_equal(dt_config_reply("554 5.7.26 100%% sure: %d%%",
	    "a.example", code, xcode, text, sizeof(text)), 0);
	assert_string_equal(xcode, "5.7.26");
	assert_string_equal(text, "100% sure: a.example%");
}

static void
reply_hostile_domain_is_sanitised(void **state UNUSED)
{
	char	code[4], xcode[16], text[DT_REPLY_TEXT_MAX + 1];

	assert_int_equal(dt_config_reply(DT_DEFAULT_REJECT_REPLY,
	    "evil.example\r\n250 2.0.0 ok%s%n%d\x7f\xff x", code, xcode, text,
	    sizeof(text)), 0);
	assert_string_equal(code, "550");
	assert_string_equal(text, "Email rejected per DMARC policy for "
	    "evil.example??250?2.0.0?ok?s?n?d???x");
	assert_null(strchr(text, '\r'));
	assert_null(strchr(text, '\n'));
	assert_null(strchr(text, '%'));
}

static void
reply_domain_is_cut_at_253_bytes(void **state UNUSED)
{
	char	code[4], xcode[16], text[DT_REPLY_TEXT_MAX + 1];
	char	domain[1000];

	memset(domain, 'a', sizeof(domain) - 1);
	domain[sizeof(domain) - 1] = '\0';
	assert_int_equal(dt_config_reply("550 5.7.1 [%d]", domain, code, xcode,
	    text, sizeof(text)), 0);
	assert_int_equal(strlen(text), 253 + 2);
	assert_int_equal(text[0], '[');
	assert_int_equal(text[254], ']');
}

static void
reply_null_or_empty_domain(void **state UNUSED)
{
	char	code[4], xcode[16], text[DT_REPLY_TEXT_MAX + 1];

	assert_int_equal(dt_config_reply("550 5.7.1 for <%d>", NULL, code,
	    xcode, text, sizeof(text)), 0);
	assert_string_equal(text, "for <>");
}

static void
reply_too_small_buffer_is_error(void **state UNUSED)
{
	char	code[4], xcode[16], text[10];

	assert_int_equal(dt_config_reply(DT_DEFAULT_REJECT_REPLY, "example.com",
	    code, xcode, text, sizeof(text)), -1);
	assert_string_equal(text, "");
	/* text[10] holds 9 bytes and the NUL */
	assert_int_equal(dt_config_reply("550 5.7.1 1234567890", "x", code,
	    xcode, text, sizeof(text)), -1);
	assert_int_equal(dt_config_reply("550 5.7.1 123456789", "x", code,
	    xcode, text, sizeof(text)), 0);
	assert_string_equal(text, "123456789");
}

static void
reply_malformed_template_is_error(void **state UNUSED)
{
	char	code[4], xcode[16], text[DT_REPLY_TEXT_MAX + 1];

	assert_int_equal(dt_config_reply("250 2.0.0 fine", "x", code, xcode,
	    text, sizeof(text)), -1);
	assert_int_equal(dt_config_reply("550 5.7.1 50% off", "x", code, xcode,
	    text, sizeof(text)), -1);
	assert_int_equal(dt_config_reply("550 5.7.1 a\r\nb", "x", code, xcode,
	    text, sizeof(text)), -1);
	assert_int_equal(dt_config_reply("", "x", code, xcode, text,
	    sizeof(text)), -1);
	assert_int_equal(dt_config_reply(NULL, "x", code, xcode, text,
	    sizeof(text)), -1);
	assert_int_equal(dt_config_reply("550 5.7.1 x", "x", code, xcode,
	    text, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_match_documentation),
		cmocka_unit_test(default_authserv_id_is_host_name),
		cmocka_unit_test(free_twice_is_harmless),
		cmocka_unit_test(whole_line_comments_and_blank_lines_are_ignored),
		cmocka_unit_test(comment_after_blank_ends_value),
		cmocka_unit_test(hash_inside_word_is_part_of_value),
		cmocka_unit_test(surrounding_whitespace_and_crlf_are_trimmed),
		cmocka_unit_test(last_line_without_newline_is_read),
		cmocka_unit_test(empty_file_keeps_defaults),
		cmocka_unit_test(key_is_case_insensitive),
		cmocka_unit_test(duplicate_key_last_wins),
		cmocka_unit_test(unknown_key_is_error_with_file_and_line),
		cmocka_unit_test(bad_value_is_error_with_file_line_and_expectation),
		cmocka_unit_test(key_without_value_is_error),
		cmocka_unit_test(line_of_4096_bytes_is_accepted),
		cmocka_unit_test(line_over_4096_bytes_is_error),
		cmocka_unit_test(nul_byte_is_error),
		cmocka_unit_test(control_character_in_value_is_error),
		cmocka_unit_test(missing_file_is_error_with_strerror),
		cmocka_unit_test(directory_is_read_error),
		cmocka_unit_test(error_keeps_the_old_config),
		cmocka_unit_test(load_applies_on_top_of_current_values),
		cmocka_unit_test(set_error_keeps_the_old_value),
		cmocka_unit_test(error_quotes_hostile_value_safely),
		cmocka_unit_test(null_err_buffer_is_allowed),
		cmocka_unit_test(boolean_words_true),
		cmocka_unit_test(boolean_words_false),
		cmocka_unit_test(boolean_other_words_are_errors),
		cmocka_unit_test(every_boolean_key_sets_its_field),
		cmocka_unit_test(socket_accepts_milter_forms),
		cmocka_unit_test(socket_rejects_malformed),
		cmocka_unit_test(authserv_id_must_be_a_token),
		cmocka_unit_test(user_id_is_user_or_user_colon_group),
		cmocka_unit_test(paths_must_be_absolute),
		cmocka_unit_test(syslog_facility_is_mail_daemon_or_local),
		cmocka_unit_test(resolver_is_address_list_with_ports),
		cmocka_unit_test(trust_anchor_is_path_or_none),
		cmocka_unit_test(dns_timeout_is_1_to_60),
		cmocka_unit_test(dmarc_discovery_is_rfc9989_treewalk_or_psl),
		cmocka_unit_test(reject_reply_must_be_5xx_with_matching_enhanced_code),
		cmocka_unit_test(reply_template_is_bounded_by_domain_expansion),
		cmocka_unit_test(tempfail_reply_must_be_4xx),
		cmocka_unit_test(quarantine_is_hold_or_header),
		cmocka_unit_test(milter_skip_body_is_auto_yes_or_no),
		cmocka_unit_test(max_from_domains_is_1_to_64),
		cmocka_unit_test(trusted_authserv_ids_are_compared_case_insensitively),
		cmocka_unit_test(trusted_authserv_ids_reject_bad_tokens_and_too_many),
		cmocka_unit_test(tls_certificate_is_path_list),
		cmocka_unit_test(tlsa_target_is_port_proto_host),
		cmocka_unit_test(ignore_networks_ipv4_cidr_matches_inside_only),
		cmocka_unit_test(ignore_networks_prefix_not_on_byte_boundary),
		cmocka_unit_test(trusted_networks_is_its_own_list),
		cmocka_unit_test(dane_endpoint_lines_accumulate),
		cmocka_unit_test(dane_endpoint_rejects_bad_lines),
		cmocka_unit_test(dane_endpoint_count_is_capped),
		cmocka_unit_test(ignore_networks_host_address_is_slash_32),
		cmocka_unit_test(ignore_networks_ipv4_slash_0_matches_all_ipv4_not_ipv6),
		cmocka_unit_test(ignore_networks_ipv6_slash_0_matches_all_ipv6_not_ipv4),
		cmocka_unit_test(ignore_networks_ipv6_cidr_and_slash_128),
		cmocka_unit_test(ignore_networks_v4_mapped_ipv6_matches_ipv4_network),
		cmocka_unit_test(ignore_networks_match_rejects_garbage),
		cmocka_unit_test(ignore_networks_rejects_malformed),
		cmocka_unit_test(ignore_networks_from_file),
		cmocka_unit_test(ignore_networks_file_error_names_file_and_line),
		cmocka_unit_test(ignore_networks_missing_file_is_error),
		cmocka_unit_test(ignore_networks_error_in_config_file_names_both_lines),
		cmocka_unit_test(reply_splits_code_xcode_and_expands_domain),
		cmocka_unit_test(reply_percent_percent_is_percent),
		cmocka_unit_test(reply_hostile_domain_is_sanitised),
		cmocka_unit_test(reply_domain_is_cut_at_253_bytes),
		cmocka_unit_test(reply_null_or_empty_domain),
		cmocka_unit_test(reply_too_small_buffer_is_error),
		cmocka_unit_test(reply_malformed_template_is_error),
		cmocka_unit_test(socket_mode_default_is_0660),
		cmocka_unit_test(socket_mode_is_octal_up_to_0777),
		cmocka_unit_test(socket_group_is_a_name),
		cmocka_unit_test(origin_names_file_and_line),
		cmocka_unit_test(origin_survives_a_failed_reload),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
