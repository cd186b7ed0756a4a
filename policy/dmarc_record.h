/*
 * dmarc_record.h -- parse one DMARC policy record (RFC 9989 section 4.7).
 *
 * SYNOPSIS
 *	int dmarc_record_is_dmarc(const char *txt, size_t len);
 *	dmarc_rec_status dmarc_record_parse(const char *txt, size_t len,
 *	    dmarc_mode mode, dmarc_record *rec);
 *	void dmarc_record_free(dmarc_record *rec);
 *	const char *dmarc_rec_status_name(dmarc_rec_status s);
 *
 * DESCRIPTION
 *	dmarc_record_is_dmarc() says whether a TXT string is a DMARC record at
 *	all: its first tag is "v" with the value "DMARC1" (the tag name is
 *	case-insensitive, the value "DMARC1" is not: RFC 9989 ABNF spells it
 *	in %x). Whitespace before the tag and around "=" is tolerated. This
 *	is the filter of the discovery step that drops other TXT records.
 *
 *	dmarc_record_parse() fills *rec and says whether the record is usable.
 *	Every allocation it makes is released by dmarc_record_free(), also
 *	when the status is not DMARC_REC_OK. In RFC 7489 mode "p" must be the
 *	second tag, "pct" is honoured, and "np", "psd" and "t" are unknown
 *	tags (ignored). In RFC 9989 mode "pct", "rf" and "ri" are historic:
 *	parsed and ignored (pct is kept in rec->pct for the record, but no
 *	decision uses it; pct=0 is NOT mapped to t=y).
 *
 * READINGS OF THE SPECIFICATION
 *	- A tag-spec that is not NAME=VALUE, or whose NAME is not a valid tag
 *	  name, is ignored (section 4.7: "syntax errors in the remainder of
 *	  the record SHOULD be discarded").
 *	- An invalid value of adkim, aspf, psd, t, fo or pct gives that tag's
 *	  default.
 *	- A missing or invalid "p" (in RFC 7489 mode also "p" that is not the
 *	  second tag), and in RFC 9989 mode an invalid "sp" or "np": the whole
 *	  record acts as one with "p=none" and neither sp nor np when it has
 *	  at least one syntactically valid rua URI (rec->p_defaulted = 1);
 *	  otherwise the record is unusable, DMARC_REC_NO_POLICY ("no DMARC
 *	  policy"). This follows section 4.10.1 step 4; section 4.7's "a
 *	  record without p is p=none" is deliberately not followed when there
 *	  is no rua, because then the owner has said nothing usable. In RFC
 *	  7489 mode an invalid "sp" is treated as absent (7489 section 6.6.3
 *	  names only "p").
 *	- A known tag that appears twice makes the record DMARC_REC_INVALID
 *	  (unusable): we cannot know which value the owner meant. Repeated
 *	  unknown tags are ignored like any unknown tag.
 *	- A rua/ruf URI is syntactically valid when it has a scheme, ":" and
 *	  a non-empty rest made of URI characters, optionally followed by the
 *	  "!" size limit; a mailto: URI must also hold "@" with text on both
 *	  sides. All valid URIs are counted; the first DMARC_RECORD_MAX_URIS
 *	  are kept.
 *
 * HOSTILE INPUT
 *	The text is read with its length, never as a C string: a record
 *	holding a NUL byte, or longer than DMARC_RECORD_MAX_LEN bytes, is
 *	DMARC_REC_INVALID. The parse is one pass over the text, linear in its
 *	length; no recursion.
 */
#ifndef DMARCTLS_DMARC_RECORD_H
#define DMARCTLS_DMARC_RECORD_H

#include <stddef.h>

#include "result.h"

#define DMARC_RECORD_MAX_LEN	4096	/* longer TXT strings are refused */
#define DMARC_RECORD_MAX_URIS	8	/* URIs kept per rua and per ruf */
#define DMARC_URI_MAX_LEN	512	/* a longer URI is not valid */

typedef enum {
	DMARC_MODE_RFC9989 = 0, DMARC_MODE_RFC7489
} dmarc_mode;

typedef enum {
	DMARC_ALIGN_RELAXED = 0, DMARC_ALIGN_STRICT
} dmarc_alignment;

typedef enum {
	DMARC_PSD_U = 0, DMARC_PSD_Y, DMARC_PSD_N
} dmarc_psd;

typedef enum {
	DMARC_REC_OK = 0,	/* usable policy record */
	DMARC_REC_NOT_DMARC,	/* not v=DMARC1 first: not a DMARC record */
	DMARC_REC_INVALID,	/* DMARC, but refused: length, NUL, duplicate */
	DMARC_REC_NO_POLICY	/* no usable p (or bad sp/np) and no valid rua */
} dmarc_rec_status;

/* fo= failure reporting options (RFC 9991), a bit each */
#define DMARC_FO_0	0x1
#define DMARC_FO_1	0x2
#define DMARC_FO_D	0x4
#define DMARC_FO_S	0x8

typedef struct dmarc_record {
	dmarc_policy	p, sp, np;	/* UNSET when absent or invalid */
	int		p_defaulted;	/* p=none forced by the rua rule */
	dmarc_alignment	adkim, aspf;	/* default relaxed */
	dmarc_psd	psd;		/* default u */
	int		testing;	/* t=y */
	int		pct;		/* 0..100, default 100 */
	unsigned	fo;		/* DMARC_FO_*, default DMARC_FO_0 */
	size_t		nrua, nruf;	/* syntactically valid URIs seen */
	size_t		nrua_kept, nruf_kept;
	char		*rua[DMARC_RECORD_MAX_URIS];
	char		*ruf[DMARC_RECORD_MAX_URIS];
} dmarc_record;

int		dmarc_record_is_dmarc(const char *txt, size_t len);
dmarc_rec_status dmarc_record_parse(const char *txt, size_t len,
		    dmarc_mode mode, dmarc_record *rec);
void		dmarc_record_free(dmarc_record *rec);
const char	*dmarc_rec_status_name(dmarc_rec_status s);

#endif
