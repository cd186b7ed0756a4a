/*
 * from_header.h -- the Author Domain(s) of a message, from its From field.
 *
 * SYNOPSIS
 *	from_domains d = { 0 };
 *	int from_header_parse(const char *value, size_t len, from_domains *out,
 *	    char *err, size_t errlen);
 *	void from_domains_free(from_domains *d);
 *
 * DESCRIPTION
 *	from_header_parse() reads one From field body (RFC 5322 section 3.6.2,
 *	an address-list since RFC 6854: mailboxes and groups of mailboxes)
 *	and appends the domain of every mailbox to *out, once
 *	per distinct domain, as a lowercase A-label without a trailing dot.
 *	Call it once per From field of a message with the same *out to collect
 *	every Author Domain (RFC 9989 section 5.3.1).
 *
 *	It returns 0 when the field holds at least one mailbox and every
 *	mailbox has a usable domain; otherwise -1 with a short reason in err.
 *	On -1 this call adds nothing to *out (it keeps what earlier calls
 *	found) and the caller must treat the message as one whose Author
 *	Domain is unknown. See from_header.c for the grammar accepted and
 *	every rejection.
 *
 *	from_domains_free() releases the strings and zeroes *d.
 */
#ifndef DMARCTLS_FROM_HEADER_H
#define DMARCTLS_FROM_HEADER_H

#include <stddef.h>

#define FROM_MAX_DOMAINS 64        /* hard cap inside one call, beyond the caller's MaxFromDomains */

typedef struct from_domains {
	size_t	n;
	char	*domain[FROM_MAX_DOMAINS];	/* unique, lowercase, A-label (libidn2), no trailing dot */
	size_t	naddr;				/* total mailboxes seen, including duplicates */
} from_domains;

#define FROM_MAX_LEN		(64u * 1024)	/* longer field bodies: "too long" */
#define FROM_MAX_MAILBOXES	128		/* mailboxes in one field */
#define FROM_MAX_COMMENT_DEPTH	32		/* nesting of ( comments ) */

/* Parse one From field body (the text after "From:", possibly folded with CRLF/LF + WSP).
 * Appends the domain of every mailbox to *out (deduplicated, case-insensitive).
 * Returns 0 when every mailbox in the field has a usable domain and at least one mailbox exists;
 * -1 otherwise, with a short reason in err (e.g. "no address", "unbalanced <", "invalid domain",
 * "too many domains", "empty group"); on -1 *out may contain the domains found so far. */
int	from_header_parse(const char *value, size_t len, from_domains *out, char *err, size_t errlen);
void	from_domains_free(from_domains *d);

#endif
