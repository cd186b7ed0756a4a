/*
 * overrides.c -- read and search the local overrides file (see overrides.h).
 *
 * HOSTILE INPUT
 *	Every word is checked before it is kept; the reply text is built from
 *	checked words only, joined by single blanks, so an overrides line can
 *	not smuggle a second attribute list or a line break into a reply.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg_file.h"
#include "overrides.h"
#include "strbuf.h"

typedef struct ov_entry {
	char	*domain;	/* lower case; leading '.' = subdomains */
	char	*policy;	/* "level attr=value ..." */
} ov_entry;

struct overrides {
	size_t		n, cap;
	ov_entry	*v;
};

static const char *const ov_levels[] = {
	"none", "may", "encrypt", "fingerprint", "dane", "dane-only", "verify",
	"secure",
};

static const char *const ov_attrs[] = {
	"ciphers", "protocols", "exclude", "match", "tafile", "servername",
	"connection_reuse", "enable_rpk",
};

static int
in_list(const char *const *list, size_t n, const char *w, size_t len)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && strncmp(list[i], w, len) == 0)
			return 1;
	return 0;
}

#define IN(list, w, len)	in_list(list, sizeof(list) / sizeof(list[0]), w, len)

static int
valid_domain(const char *d)
{
	const char *h = d[0] == '.' ? d + 1 : d;
	size_t	len = strlen(h);

	return len > 0 && h[len - 1] != '.' && cfg_valid_hostname(h, len, 0);
}

static int
valid_attr(const char *w, size_t len)
{
	const char *eq = memchr(w, '=', len);
	size_t	i;

	if (eq == NULL || eq == w || (size_t)(eq - w) + 1 == len
	    || !IN(ov_attrs, w, (size_t)(eq - w)))
		return 0;
	for (i = (size_t)(eq - w) + 1; i < len; i++)
		if (w[i] <= 0x20 || w[i] >= 0x7f || w[i] == ',' || w[i] == '{'
		    || w[i] == '}')
			return 0;
	return 1;
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* One line's policy text into sb; -1 with a reason. */
static int
parse_policy(const char *rest, strbuf *sb, const char **why)
{
	const char *p = rest, *w;
	size_t	len, n = 0;

	/* cfg_next_item splits at commas too: refuse them first */
	if (strchr(rest, ',') != NULL)
		return (*why = "comma in policy"), -1;
	while ((w = cfg_next_item(&p, &len)) != NULL) {
		if (n == 0 && !IN(ov_levels, w, len))
			return (*why = "expected a TLS level (none, may, encrypt, "
				"fingerprint, dane, dane-only, verify, secure)"), -1;
		if (n > 0 && !valid_attr(w, len))
			return (*why = "expected ATTRIBUTE=VALUE with a known "
				"attribute"), -1;
		if (n++ > 0)
			strbuf_appendc(sb, ' ');
		strbuf_appendn(sb, w, len);
	}
	if (n == 0)
		return (*why = "missing TLS level"), -1;
	return 0;
}

static int
add_entry(overrides *o, char *domain, char *policy)
{
	ov_entry *v;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;

		if ((v = realloc(o->v, cap * sizeof(*v))) == NULL)
			return -1;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n].domain = domain;
	o->v[o->n].policy = policy;
	o->n++;
	return 0;
}

static int
parse_line(overrides *o, char *text, const char **why)
{
	char	*domain, *rest, *d, *pol;
	strbuf	sb = STRBUF_INIT;

	cfg_split(text, &domain, &rest);
	if (cfg_check_value(rest) < 0)
		return (*why = "control character"), -1;
	lower(domain);
	if (!valid_domain(domain))
		return (*why = "expected a domain or .domain"), -1;
	if (parse_policy(rest, &sb, why) < 0 || sb.failed) {
		strbuf_free(&sb);
		if (sb.failed)
			*why = "out of memory";
		return -1;
	}
	pol = strbuf_detach(&sb);
	if (pol == NULL || (d = strdup(domain)) == NULL) {
		free(pol);
		return (*why = "out of memory"), -1;
	}
	if (o->n >= OVERRIDES_MAX || add_entry(o, d, pol) < 0) {
		free(d);
		free(pol);
		return (*why = "too many lines or out of memory"), -1;
	}
	return 0;
}

overrides *
overrides_load(const char *path, char *err, size_t errlen)
{
	overrides *o;
	cfg_file f;
	char	*text;
	const char *why;
	int	got;

	if ((o = calloc(1, sizeof(*o))) == NULL) {
		cfg_err(err, errlen, "out of memory");
		return NULL;
	}
	if (cfg_file_open(&f, path, err, errlen) < 0) {
		free(o);
		return NULL;
	}
	while ((got = cfg_file_next(&f, &text, err, errlen)) > 0) {
		if (parse_line(o, text, &why) < 0) {
			cfg_err(err, errlen, "%s:%lu: %s", path, f.lineno, why);
			got = -1;
			break;
		}
	}
	cfg_file_close(&f);
	if (got < 0) {
		overrides_free(o);
		return NULL;
	}
	return o;
}

/* Is name below suffix (".example.net")? */
static int
below(const char *name, const char *suffix)
{
	size_t	n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

const char *
overrides_find(const overrides *o, const char *domain)
{
	size_t	i;

	for (i = 0; o != NULL && i < o->n; i++) {
		const char *d = o->v[i].domain;

		if (d[0] == '.' ? below(domain, d) : strcasecmp(domain, d) == 0)
			return o->v[i].policy;
	}
	return NULL;
}

size_t
overrides_count(const overrides *o)
{
	return o ? o->n : 0;
}

void
overrides_free(overrides *o)
{
	size_t	i;

	if (o == NULL)
		return;
	for (i = 0; i < o->n; i++) {
		free(o->v[i].domain);
		free(o->v[i].policy);
	}
	free(o->v);
	free(o);
}
