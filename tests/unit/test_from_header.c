/*
 * test_from_header.c -- the From field parser: one test per rule.
 *
 * Every case asserts the exact list of Author Domains (in order) or the
 * exact -1 reason, and that a failed call leaves *out as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "from_header.h"

/* Helpers. */

static void
check_ok_n(const char *in, size_t len, const char *const *want, size_t nwant)
{
	from_domains d = { 0 };
	char	err[128] = "unset";
	size_t	i;
	int	rc;

	rc = from_header_parse(in, len, &d, err, sizeof(err));
	if (rc != 0)
		print_error("input [%s] failed: %s\n", in, err);
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
	assert_int_equal(d.n, nwant);
	for (i = 0; i < nwant; i++)
		assert_string_equal(d.domain[i], want[i]);
	from_domains_free(&d);
	assert_int_equal(d.n, 0);
}

static void
check_fail_n(const char *in, size_t len, const char *reason)
{
	from_domains d = { 0 };
	char	err[128] = "unset";

	assert_int_equal(from_header_parse(in, len, &d, err, sizeof(err)), -1);
	assert_string_equal(err, reason);
	assert_int_equal(d.n, 0);
	assert_int_equal(d.naddr, 0);
	from_domains_free(&d);
}

#define WANT(...)	((const char *const []){ __VA_ARGS__ })
#define NWANT(...)	(sizeof(WANT(__VA_ARGS__)) / sizeof(const char *))
#define OK(in, ...)	check_ok_n((in), strlen(in), WANT(__VA_ARGS__), NWANT(__VA_ARGS__))
#define FAIL(in, why)	check_fail_n((in), strlen(in), (why))

/* Basic forms (RFC 5322 3.4). */

static void
test_addr_spec_plain(void **state)
{
	OK("user@example.com", "example.com");
	OK("  user@example.com  ", "example.com");
}

static void
test_name_addr(void **state)
{
	OK("Joe User <joe@example.com>", "example.com");
	OK("<joe@example.com>", "example.com");
	OK(" < joe@example.com > ", "example.com");
}

static void
test_naddr_counts_every_mailbox(void **state)
{
	from_domains d = { 0 };
	const char *in = "a@x.example, b@x.example, c@y.example";

	assert_int_equal(from_header_parse(in, strlen(in), &d, NULL, 0), 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.naddr, 3);
	from_domains_free(&d);
}

/* Display names, quoted strings and comments are text, never addresses. */

static void
test_quoted_display_name_with_at_and_comma(void **state)
{
	OK("\"a@evil.example, x\" <u@good.example>", "good.example");
}

static void
test_quoted_display_name_with_angle_addr(void **state)
{
	OK("\"<a@evil.example>\" <u@good.example>", "good.example");
	OK("\"x\\\"<a@evil.example>\" <u@good.example>", "good.example");
}

static void
test_unquoted_at_in_display_name_is_rejected(void **state)
{
	FAIL("a@evil.example <u@good.example>", "invalid address");
	FAIL("<u@good.example> <a@evil.example>", "invalid address");
	FAIL("<u@good.example> trailing", "invalid address");
}

static void
test_display_name_phrase_forms(void **state)
{
	OK("J. R. Smith <u@x.example>", "x.example");
	OK("\"Smith, J\" (boss) <u@x.example>", "x.example");
	FAIL(".Smith <u@x.example>", "invalid display name");
}

static void
test_comment_with_at_is_ignored(void **state)
{
	OK("u@good.example (a@evil.example)", "good.example");
	OK("(a@evil.example) u@good.example", "good.example");
	OK("Name (<a@evil.example>) <u@good.example>", "good.example");
	OK("u(a@evil.example)@good.example", "good.example");
}

static void
test_nested_comments(void **state)
{
	OK("u@good.example (a (b@evil.example (c, d)) e)", "good.example");
	OK("(\\) a@evil.example) u@good.example", "good.example");
}

static void
test_comment_depth_is_bounded(void **state)
{
	strbuf	sb = STRBUF_INIT;
	int	i;

	for (i = 0; i < FROM_MAX_COMMENT_DEPTH; i++)
		strbuf_append(&sb, "(");
	for (i = 0; i < FROM_MAX_COMMENT_DEPTH; i++)
		strbuf_append(&sb, ")");
	strbuf_append(&sb, " u@good.example");
	OK(strbuf_str(&sb), "good.example");

	strbuf_reset(&sb);
	for (i = 0; i < FROM_MAX_COMMENT_DEPTH + 1; i++)
		strbuf_append(&sb, "(");
	for (i = 0; i < FROM_MAX_COMMENT_DEPTH + 1; i++)
		strbuf_append(&sb, ")");
	strbuf_append(&sb, " u@good.example");
	FAIL(strbuf_str(&sb), "comments nested too deep");
	strbuf_free(&sb);
}

/* Unbalanced delimiters. */

static void
test_unbalanced_lt(void **state)
{
	FAIL("Name <u@good.example", "unbalanced <");
	FAIL("Name <u@good.example, v@other.example>", "unbalanced <");
	FAIL("Name <u", "unbalanced <");
	FAIL("Name <<u@good.example>>", "missing @");
}

static void
test_unbalanced_gt(void **state)
{
	FAIL("u@good.example>", "unbalanced >");
	FAIL("Name > u@good.example", "unbalanced >");
}

static void
test_unbalanced_quote(void **state)
{
	FAIL("\"Name <u@good.example>", "unbalanced \"");
	FAIL("\"a@evil.example\\\" <u@good.example>", "unbalanced \"");
}

static void
test_unbalanced_paren(void **state)
{
	FAIL("(Name <u@good.example>", "unbalanced (");
	FAIL("u@good.example)", "unbalanced )");
	FAIL("u@good.example ((x)", "unbalanced (");
}

static void
test_unbalanced_bracket(void **state)
{
	FAIL("u@[192.0.2.1", "unbalanced [");
	FAIL("u@good.example]", "unbalanced ]");
}

/* Several mailboxes. */

static void
test_two_mailboxes_two_domains(void **state)
{
	OK("a@one.example, B <b@two.example>", "one.example", "two.example");
}

static void
test_duplicates_deduped_case_insensitively(void **state)
{
	from_domains d = { 0 };
	const char *in = "a@Example.COM, b@example.com, <c@EXAMPLE.com.>";

	assert_int_equal(from_header_parse(in, strlen(in), &d, NULL, 0), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.domain[0], "example.com");
	assert_int_equal(d.naddr, 3);
	from_domains_free(&d);
}

static void
test_second_field_appends_and_dedups(void **state)
{
	from_domains d = { 0 };
	const char *f1 = "a@one.example", *f2 = "b@ONE.example, c@two.example";

	assert_int_equal(from_header_parse(f1, strlen(f1), &d, NULL, 0), 0);
	assert_int_equal(from_header_parse(f2, strlen(f2), &d, NULL, 0), 0);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.domain[0], "one.example");
	assert_string_equal(d.domain[1], "two.example");
	assert_int_equal(d.naddr, 3);
	from_domains_free(&d);
}

static void
test_failed_field_adds_nothing(void **state)
{
	from_domains d = { 0 };
	char	err[64];
	const char *f1 = "a@one.example", *f2 = "b@two.example, c@";

	assert_int_equal(from_header_parse(f1, strlen(f1), &d, err, sizeof(err)), 0);
	assert_int_equal(from_header_parse(f2, strlen(f2), &d, err, sizeof(err)), -1);
	assert_string_equal(err, "missing domain");
	assert_int_equal(d.n, 1);
	assert_string_equal(d.domain[0], "one.example");
	assert_int_equal(d.naddr, 1);
	from_domains_free(&d);
}

static void
test_empty_list_elements_allowed(void **state)
{
	/* obs-mbox-list, RFC 5322 4.4 */
	OK(", a@one.example,, b@two.example ,", "one.example", "two.example");
}

/* Groups (RFC 6854: From is an address-list; RFC 5322 3.4 group syntax). */

static void
test_rfc6854_group_with_one_mailbox_is_evaluated(void **state)
{
	OK("team: x@example.org;", "example.org");
	OK("Team (the list) : <x@example.org> ;", "example.org");
	OK("team: Alice <x@example.org>;, b@two.example", "example.org", "two.example");
}

static void
test_rfc6854_group_mailboxes_are_all_authors(void **state)
{
	OK("Friends: a@one.example, b@two.example;", "one.example", "two.example");
	OK("a@one.example, Friends: b@two.example;", "one.example", "two.example");
	OK("undisclosed-recipients:;, a@one.example", "one.example");
}

static void
test_rfc6854_empty_group_has_no_author(void **state)
{
	FAIL("undisclosed-recipients:;", "empty group");
	FAIL("undisclosed-recipients: ;", "empty group");
	FAIL("a:;, b: ;", "empty group");
}

static void
test_rfc6854_malformed_groups_are_rejected(void **state)
{
	FAIL("a@one.example;", "invalid group");
	FAIL("team: a@one.example", "unterminated group");
	FAIL("outer: inner: a@one.example;;", "nested group");
	FAIL(": a@one.example;", "invalid group");
	FAIL("team: a@one.example; b@two.example", "invalid address");
}

/* Domains. */

static void
test_domain_literal_is_rejected(void **state)
{
	FAIL("u@[192.0.2.1]", "domain literal");
	FAIL("Name <u@[IPv6:2001:db8::1]>", "domain literal");
}

static void
test_ip_address_as_domain_is_rejected(void **state)
{
	FAIL("u@192.0.2.1", "invalid domain");
	OK("u@123.example", "123.example");
}

static void
test_idn_ulabel_to_alabel(void **state)
{
	OK("u@b\xc3\xbc" "cher.example", "xn--bcher-kva.example");
	OK("J\xc3\xbcrgen <u@B\xc3\x9c" "CHER.EXAMPLE>", "xn--bcher-kva.example");
	OK("u@b\xc3\xbc" "cher.example, v@xn--bcher-kva.example", "xn--bcher-kva.example");
}

static void
test_idn_nontransitional_first(void **state)
{
	/* UTS #46 non-transitional keeps sharp s; transitional would give fass.de */
	OK("u@fa\xc3\x9f.de", "xn--fa-hia.de");
}

static void
test_idn_ideographic_full_stop(void **state)
{
	OK("u@a\xe3\x80\x82" "example", "a.example");
}

static void
test_idn_invalid_utf8_is_rejected(void **state)
{
	FAIL("u@b\xfc" "cher.example", "invalid UTF-8 in domain");
	FAIL("u@\xc0\xaf.example", "invalid UTF-8 in domain");
	FAIL("u@\xed\xa0\x80.example", "invalid UTF-8 in domain");
}

static void
test_idn_invalid_label_is_rejected(void **state)
{
	/* a label may not start with a combining mark (RFC 5891 5.4) */
	FAIL("u@\xcc\x81" "a.example", "invalid IDN domain");
	FAIL("u@xn--zz.example", "invalid IDN domain");
}

static void
test_latin1_display_name_is_tolerated(void **state)
{
	OK("J\xfcrgen <u@x.example>", "x.example");
}

static void
test_uppercase_is_lowered(void **state)
{
	OK("U@EXAMPLE.COM", "example.com");
}

static void
test_trailing_dot_is_stripped(void **state)
{
	OK("u@example.com.", "example.com");
	OK("<u@example.com.>", "example.com");
	OK("u@example.com. (c), v@other.example", "example.com", "other.example");
	FAIL("u@example.com..", "invalid domain");
	FAIL("u@.", "invalid domain");
}

static void
test_empty_labels_are_rejected(void **state)
{
	FAIL("u@.example.com", "invalid domain");
	FAIL("u@example..com", "invalid domain");
}

static void
test_single_label_domain_is_accepted(void **state)
{
	OK("user@localhost", "localhost");
}

static void
test_label_syntax(void **state)
{
	FAIL("u@-x.example", "invalid domain");
	FAIL("u@x-.example", "invalid domain");
	FAIL("u@a_b.example", "invalid domain");
	FAIL("u@a+b.example", "invalid domain");
	OK("u@a-b.example", "a-b.example");
}

static void
test_label_and_domain_length(void **state)
{
	char	in[700], want[600];
	char	l63[64], l64[65];
	int	i;

	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l64, 'a', 64);
	l64[64] = '\0';
	snprintf(in, sizeof(in), "u@%s.example", l63);
	snprintf(want, sizeof(want), "%s.example", l63);
	OK(in, want);
	snprintf(in, sizeof(in), "u@%s.example", l64);
	FAIL(in, "invalid domain");

	/* 63+1+63+1+63+1+61 = 253 octets, then 254 */
	snprintf(want, sizeof(want), "%s.%s.%s.", l63, l63, l63);
	for (i = 0; i < 61; i++)
		strcat(want, "b");
	assert_int_equal(strlen(want), 253);
	snprintf(in, sizeof(in), "u@%s", want);
	OK(in, want);
	snprintf(in, sizeof(in), "u@%sb", want);
	FAIL(in, "invalid domain");
}

/* RFC 5322 4.4 obs-domain: CFWS around the atoms; a receiver must parse it. */
static void
test_rfc5322_obsolete_domain_cfws_is_parsed(void **state)
{
	OK("x@example . org", "example.org");
	OK("x@example .org", "example.org");
	OK("x@example. org", "example.org");
	OK("u@good.example (x) .evil", "good.example.evil");
	OK("Name <x @ example (c) . (d) org >", "example.org");
	OK("x@EXAMPLE . Org .", "example.org");
	FAIL("x@example . . org", "invalid domain");
	FAIL("x@example . \"org\"", "invalid domain");
	FAIL("u@good.example evil", "invalid address");
}

static void
test_cfws_around_at_is_accepted(void **state)
{
	OK("u (c) @ (d) good.example (e)", "good.example");
}

/* Local parts. */

static void
test_quoted_local_part(void **state)
{
	OK("\"a@b\"@c.example", "c.example");
	OK("\"a>b, x\"@c.example", "c.example");
	OK("Name <\"a@evil.example\"@c.example>", "c.example");
}

static void
test_lenient_local_part_dots(void **state)
{
	OK("a..b.@docomo.example", "docomo.example");
}

static void
test_two_words_are_not_a_local_part(void **state)
{
	FAIL("john smith@x.example", "invalid local part");
}

/* Missing pieces. */

static void
test_empty_value(void **state)
{
	FAIL("", "no address");
	check_fail_n(NULL, 0, "no address");
}

static void
test_only_whitespace(void **state)
{
	FAIL("   \t ", "no address");
	FAIL(" \r\n ", "no address");
	FAIL(" , , ", "no address");
	FAIL("(a@evil.example)", "no address");
}

static void
test_empty_angle_addr(void **state)
{
	FAIL("<>", "empty address");
	FAIL("Name <>", "empty address");
	FAIL("< >", "empty address");
}

static void
test_missing_domain(void **state)
{
	FAIL("user@", "missing domain");
	FAIL("<user@>", "missing domain");
	FAIL("user@, v@x.example", "missing domain");
}

static void
test_missing_at(void **state)
{
	FAIL("user", "missing @");
	FAIL("Name <user>", "missing @");
	FAIL("a@one.example, user", "missing @");
}

static void
test_missing_local_part(void **state)
{
	FAIL("@example.com", "missing local part");
	FAIL("<@example.com>", "missing local part");
}

static void
test_obsolete_route_is_rejected(void **state)
{
	FAIL("<@relay.example:u@good.example>", "obsolete route");
	FAIL("<@r1.example,@r2.example:u@good.example>", "obsolete route");
}

static void
test_multiple_at(void **state)
{
	FAIL("a@b@c.example", "multiple @");
	FAIL("<a@b@c.example>", "multiple @");
}

/* RFC 2047 encoded words: never decoded, never an address. */

static void
test_encoded_word_hiding_address_is_not_counted(void **state)
{
	OK("=?utf-8?q?a@evil.example?= <u@good.example>", "good.example");
	OK("=?utf-8?b?YUBldmlsLmV4YW1wbGU=?= <u@good.example>", "good.example");
}

static void
test_encoded_word_alone_is_no_address(void **state)
{
	FAIL("=?utf-8?q?a@evil.example?=", "missing @");
}

static void
test_encoded_word_is_not_a_local_part(void **state)
{
	FAIL("=?utf-8?q?a?=@evil.example", "invalid local part");
	FAIL("=?utf-8?q?a@evil.example?=@good.example", "invalid local part");
}

static void
test_encoded_word_with_structure_is_ordinary_text(void **state)
{
	/* '<' may not hide inside an encoded word: ordinary tokens, so the
	 * field is "=?utf-8?q?" <a@evil.example> "?=" <u@good.example> */
	FAIL("=?utf-8?q?<a@evil.example>?= <u@good.example>", "invalid address");
}

/* Folding and line breaks (RFC 5322 3.2.2). */

static void
test_folded_whitespace(void **state)
{
	OK("Joe\r\n <joe@example.com>", "example.com");
	OK("a@one.example,\r\n\tb@two.example", "one.example", "two.example");
	OK("a@one.example,\n b@two.example", "one.example", "two.example");
	OK("\"Joe\r\n User\" (x\r\n y) <joe@example.com>\r\n", "example.com");
}

static void
test_line_break_without_wsp_is_rejected(void **state)
{
	FAIL("a@one.example\r\nb@two.example", "bad folding");
	FAIL("a@one.example\nb@two.example", "bad folding");
}

static void
test_bare_cr_is_rejected(void **state)
{
	FAIL("a@one.example\r b@two.example", "bare CR");
	FAIL("a@one.example\r", "bare CR");
	FAIL("\"a\rb\"@one.example", "bare CR");
}

static void
test_control_character_is_rejected(void **state)
{
	FAIL("a@one.example\x01", "control character");
	FAIL("\"a\x1b\"@one.example", "control character");
	FAIL("a@one.example (x\x7f)", "control character");
}

static void
test_nul_byte_is_rejected(void **state)
{
	static const char in[] = "a@one.example\0b@evil.example";

	check_fail_n(in, sizeof(in) - 1, "NUL byte");
}

/* Limits. */

static void
test_max_length_is_accepted(void **state)
{
	char	*in = malloc(FROM_MAX_LEN);
	const char *addr = " u@good.example";

	assert_non_null(in);
	memset(in, 'x', FROM_MAX_LEN);
	in[0] = '(';
	in[FROM_MAX_LEN - strlen(addr) - 1] = ')';
	memcpy(in + FROM_MAX_LEN - strlen(addr), addr, strlen(addr));
	check_ok_n(in, FROM_MAX_LEN, WANT("good.example"), 1);
	free(in);
}

static void
test_too_long_is_rejected(void **state)
{
	char	*in = malloc(FROM_MAX_LEN + 1);

	assert_non_null(in);
	memset(in, ' ', FROM_MAX_LEN + 1);
	memcpy(in, "u@good.example", 14);
	check_fail_n(in, FROM_MAX_LEN + 1, "too long");
	free(in);
}

static void
test_mailbox_cap(void **state)
{
	strbuf	sb = STRBUF_INIT;
	from_domains d = { 0 };
	int	i;

	for (i = 0; i < FROM_MAX_MAILBOXES; i++)
		strbuf_append(&sb, "a@example.com, ");
	assert_int_equal(from_header_parse(sb.s, sb.len, &d, NULL, 0), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.naddr, FROM_MAX_MAILBOXES);
	from_domains_free(&d);

	strbuf_reset(&sb);
	for (i = 0; i < 1000; i++)
		strbuf_append(&sb, "a@example.com, ");
	check_fail_n(sb.s, sb.len, "too many mailboxes");
	strbuf_free(&sb);
}

static void
test_domain_cap(void **state)
{
	strbuf	sb = STRBUF_INIT;
	from_domains d = { 0 };
	char	err[64];
	int	i;

	for (i = 0; i < FROM_MAX_DOMAINS; i++)
		strbuf_printf(&sb, "a@d%d.example,", i);
	assert_int_equal(from_header_parse(sb.s, sb.len, &d, err, sizeof(err)), 0);
	assert_int_equal(d.n, FROM_MAX_DOMAINS);
	assert_string_equal(d.domain[FROM_MAX_DOMAINS - 1], "d63.example");

	/* one more distinct domain in a later field: refused, nothing added */
	assert_int_equal(from_header_parse("z@new.example", 13, &d, err, sizeof(err)), -1);
	assert_string_equal(err, "too many domains");
	assert_int_equal(d.n, FROM_MAX_DOMAINS);
	/* a duplicate still fits */
	assert_int_equal(from_header_parse("z@d0.example", 12, &d, err, sizeof(err)), 0);
	from_domains_free(&d);

	strbuf_printf(&sb, "a@d%d.example", FROM_MAX_DOMAINS);
	check_fail_n(sb.s, sb.len, "too many domains");
	strbuf_free(&sb);
}

/* API details. */

static void
test_err_may_be_null_or_short(void **state)
{
	from_domains d = { 0 };
	char	err[4] = "zzz";

	assert_int_equal(from_header_parse("x", 1, &d, NULL, 0), -1);
	assert_int_equal(from_header_parse("x", 1, &d, err, sizeof(err)), -1);
	assert_string_equal(err, "mis");
	assert_int_equal(from_header_parse("x", 1, NULL, err, sizeof(err)), -1);
}

static void
test_len_bounds_the_input(void **state)
{
	/* only the first 13 bytes are the value; the rest must not be read */
	check_ok_n("a@one.example, b@evil.example", 13, WANT("one.example"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_spec_plain),
		cmocka_unit_test(test_name_addr),
		cmocka_unit_test(test_naddr_counts_every_mailbox),
		cmocka_unit_test(test_quoted_display_name_with_at_and_comma),
		cmocka_unit_test(test_quoted_display_name_with_angle_addr),
		cmocka_unit_test(test_unquoted_at_in_display_name_is_rejected),
		cmocka_unit_test(test_display_name_phrase_forms),
		cmocka_unit_test(test_comment_with_at_is_ignored),
		cmocka_unit_test(test_nested_comments),
		cmocka_unit_test(test_comment_depth_is_bounded),
		cmocka_unit_test(test_unbalanced_lt),
		cmocka_unit_test(test_unbalanced_gt),
		cmocka_unit_test(test_unbalanced_quote),
		cmocka_unit_test(test_unbalanced_paren),
		cmocka_unit_test(test_unbalanced_bracket),
		cmocka_unit_test(test_two_mailboxes_two_domains),
		cmocka_unit_test(test_duplicates_deduped_case_insensitively),
		cmocka_unit_test(test_second_field_appends_and_dedups),
		cmocka_unit_test(test_failed_field_adds_nothing),
		cmocka_unit_test(test_empty_list_elements_allowed),
		cmocka_unit_test(test_rfc6854_group_with_one_mailbox_is_evaluated),
		cmocka_unit_test(test_rfc6854_group_mailboxes_are_all_authors),
		cmocka_unit_test(test_rfc6854_empty_group_has_no_author),
		cmocka_unit_test(test_rfc6854_malformed_groups_are_rejected),
		cmocka_unit_test(test_domain_literal_is_rejected),
		cmocka_unit_test(test_ip_address_as_domain_is_rejected),
		cmocka_unit_test(test_idn_ulabel_to_alabel),
		cmocka_unit_test(test_idn_nontransitional_first),
		cmocka_unit_test(test_idn_ideographic_full_stop),
		cmocka_unit_test(test_idn_invalid_utf8_is_rejected),
		cmocka_unit_test(test_idn_invalid_label_is_rejected),
		cmocka_unit_test(test_latin1_display_name_is_tolerated),
		cmocka_unit_test(test_uppercase_is_lowered),
		cmocka_unit_test(test_trailing_dot_is_stripped),
		cmocka_unit_test(test_empty_labels_are_rejected),
		cmocka_unit_test(test_single_label_domain_is_accepted),
		cmocka_unit_test(test_label_syntax),
		cmocka_unit_test(test_label_and_domain_length),
		cmocka_unit_test(test_rfc5322_obsolete_domain_cfws_is_parsed),
		cmocka_unit_test(test_cfws_around_at_is_accepted),
		cmocka_unit_test(test_quoted_local_part),
		cmocka_unit_test(test_lenient_local_part_dots),
		cmocka_unit_test(test_two_words_are_not_a_local_part),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_only_whitespace),
		cmocka_unit_test(test_empty_angle_addr),
		cmocka_unit_test(test_missing_domain),
		cmocka_unit_test(test_missing_at),
		cmocka_unit_test(test_missing_local_part),
		cmocka_unit_test(test_obsolete_route_is_rejected),
		cmocka_unit_test(test_multiple_at),
		cmocka_unit_test(test_encoded_word_hiding_address_is_not_counted),
		cmocka_unit_test(test_encoded_word_alone_is_no_address),
		cmocka_unit_test(test_encoded_word_is_not_a_local_part),
		cmocka_unit_test(test_encoded_word_with_structure_is_ordinary_text),
		cmocka_unit_test(test_folded_whitespace),
		cmocka_unit_test(test_line_break_without_wsp_is_rejected),
		cmocka_unit_test(test_bare_cr_is_rejected),
		cmocka_unit_test(test_control_character_is_rejected),
		cmocka_unit_test(test_nul_byte_is_rejected),
		cmocka_unit_test(test_max_length_is_accepted),
		cmocka_unit_test(test_too_long_is_rejected),
		cmocka_unit_test(test_mailbox_cap),
		cmocka_unit_test(test_domain_cap),
		cmocka_unit_test(test_err_may_be_null_or_short),
		cmocka_unit_test(test_len_bounds_the_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
