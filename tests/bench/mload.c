/*
 * NAME
 *	mload -- milter-protocol load client and correctness driver
 *
 * SYNOPSIS
 *	mload -s SOCKET [-s SOCKET]... [-c LEVELS] [-n COUNT] [-t SECONDS]
 *	      [-w WARMUP] [-m MANIFEST] [--ip ADDR] [--helo NAME]
 *	      [--mail-from ADDR] [--rcpt ADDR] [--expect ACTION[/DMARC]]
 *	      [--rss NAME=PID]... [-v] [-H] [--no-tls] [--requiretls]
 *	      [--mail-arg ARG]... [--crlf-fold] [--timeout MS]
 *	      [--nul] [--bare-cr] [--many-headers N] [--big-header BYTES]
 *	      [--big-body BYTES] [--abort-body] [--qid-prefix P] [MESSAGE...]
 *
 * DESCRIPTION
 *	Plays the MTA side of the milter protocol (version 6, the protocol
 *	of libmilter 8.14 and later, which Postfix and Sendmail speak) to
 *	one milter or to a chain of milters, and measures them. Every
 *	message is one SMTP session, as Postfix does it: a new connection
 *	to every milter, option negotiation, connect, HELO (with the TLS
 *	macros Postfix sends after STARTTLS), MAIL, RCPT, DATA, the header
 *	fields, end of header, the body in chunks of at most 65535 bytes,
 *	end of body, quit.
 *
 *	Wire format (both directions): a 4-byte length in network byte
 *	order, counting the command byte and the data, then the command
 *	byte, then the data. Strings are NUL-terminated. A macro packet
 *	('D') names the command it precedes and carries name/value pairs.
 *
 *	The protocol flags the filter returns at negotiation are honoured:
 *	a "no-X" flag suppresses the command X (and its macros), a "no
 *	reply" flag means no reply is read for it, SKIP ends the body early,
 *	HDR_LEADSPC keeps the space after the colon. Commands that need no
 *	reply are buffered and written together with the next command that
 *	does, like Postfix's buffered stream, so the client never sends
 *	small packets one by one into Nagle's algorithm.
 *
 *	Chains (several -s): the envelope stages go to each milter in turn,
 *	then the whole content goes to the first milter, its header changes
 *	are applied, and the edited header goes to the next (so OpenDMARC
 *	sees OpenDKIM's Authentication-Results). The first reject, tempfail
 *	or discard ends the message; a quarantine from any milter sticks.
 *
 *	Load: for each concurrency level (default 1,16,64), that many
 *	threads run sessions back to back (closed loop) until COUNT messages
 *	(default: each corpus message once) or SECONDS have passed. Per
 *	level one line: sessions, messages, messages/s, p50 and p99 latency
 *	of a whole session in milliseconds, errors, and the peak resident
 *	set (VmHWM from /proc/PID/status) of each --rss process. Sessions
 *	that ended in an error are counted as errors and left out of the
 *	messages, the rate and the latencies.
 *
 *	Corpus: MESSAGE files on the command line use the envelope options;
 *	a MANIFEST has one message per line, "NAME IP HELO MAILFROM RCPT
 *	FILE [EXPECT]", '#' starts a comment, "<>" is the null sender.
 *
 *	Correctness: --expect (or a manifest's EXPECT column) names the
 *	action each message must get: accept, quarantine, reject, tempfail,
 *	discard, error (the milter broke the session), aborted (we cut it),
 *	or any; alternatives with '|'. "/DMARC" also checks the dmarc= word
 *	of the Authentication-Results a milter added. -v prints one line
 *	per message (with the queue id sent as macro "i": --qid-prefix P,
 *	at most 12 characters, then a sequence number; default "ML"), -H
 *	also the header fields the milters added.
 *
 *	Hostile input (for the milter's robustness tests), applied to every
 *	message: --nul puts NUL bytes in a header field and the body,
 *	--bare-cr bare CRs, --many-headers N adds N fields, --big-header
 *	BYTES one field of that size, --big-body BYTES replaces the body
 *	with generated text, --abort-body drops the connections after half
 *	of the body, --requiretls sends REQUIRETLS as an ESMTP argument of
 *	MAIL (Postfix 3.11). Header folding is sent with bare LF as Postfix
 *	does; --crlf-fold sends CRLF as Sendmail does. Bodies always go in
 *	SMTP form, CRLF line ends.
 *
 * EXIT STATUS
 *	0 no error and no mismatch, 1 errors or mismatches, 64 usage error,
 *	66 unreadable corpus.
 *
 * HOSTILE INPUT
 *	The milter is the thing under test, so its replies are untrusted:
 *	every reply is bounded (ML_MAX_REPLY), every field inside it is
 *	bounds-checked, an unknown or misplaced reply ends the session as
 *	an error, and every read and write has a timeout.
 */

/* System library. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Project library. */
#include "strbuf.h"

/* Limits. */
#define ML_MAX_MILTERS	4		/* milters in one chain */
#define ML_MAX_LEVELS	8		/* concurrency levels per run */
#define ML_MAX_SESSIONS	1024		/* threads in one level */
#define ML_MAX_RSS	8		/* --rss processes */
#define ML_MAX_MAILARGS	8		/* ESMTP arguments of MAIL */
#define ML_MAX_REPLY	(1024u * 1024)	/* larger replies are a protocol error */
#define ML_MAX_MESSAGE	(256u * 1024 * 1024)
#define ML_MAX_FIELDS	200000		/* header fields of one message */
#define ML_MAX_GEN	(1024u * 1024 * 1024)	/* --big-body, --big-header */
#define ML_MAX_PROGRESS	10000		/* 'p' replies in a row */
#define ML_CHUNK	65535		/* MILTER_CHUNK_SIZE */
#define ML_FLUSH_AT	(256u * 1024)	/* write the output buffer at this size */
#define ML_TIMEOUT_MS	30000		/* default per read/write */
#define ML_MAX_LINE	4096		/* manifest line */

/* Protocol version 6 and what we offer (every action, every flag). */
#define ML_VERSION	6
#define ML_ACTIONS	0x000001ffu
#define ML_PROTOCOL	0x001fffffu

/* Commands, MTA to filter. */
#define MC_ABORT	'A'
#define MC_BODY		'B'
#define MC_CONNECT	'C'
#define MC_MACRO	'D'
#define MC_BODYEOB	'E'
#define MC_HELO		'H'
#define MC_HEADER	'L'
#define MC_MAIL		'M'
#define MC_EOH		'N'
#define MC_OPTNEG	'O'
#define MC_QUIT		'Q'
#define MC_RCPT		'R'
#define MC_DATA		'T'

/* Replies, filter to MTA. */
#define MR_ADDRCPT	'+'
#define MR_DELRCPT	'-'
#define MR_ADDRCPT_PAR	'2'
#define MR_SHUTDOWN	'4'
#define MR_ACCEPT	'a'
#define MR_REPLBODY	'b'
#define MR_CONTINUE	'c'
#define MR_DISCARD	'd'
#define MR_CHGFROM	'e'
#define MR_CONN_FAIL	'f'
#define MR_ADDHEADER	'h'
#define MR_INSHEADER	'i'
#define MR_SETSYMLIST	'l'
#define MR_CHGHEADER	'm'
#define MR_PROGRESS	'p'
#define MR_QUARANTINE	'q'
#define MR_REJECT	'r'
#define MR_SKIP		's'
#define MR_TEMPFAIL	't'
#define MR_REPLYCODE	'y'

/* Protocol flags the filter may set. */
#define MP_NOCONNECT	0x00000001u
#define MP_NOHELO	0x00000002u
#define MP_NOMAIL	0x00000004u
#define MP_NORCPT	0x00000008u
#define MP_NOBODY	0x00000010u
#define MP_NOHDRS	0x00000020u
#define MP_NOEOH	0x00000040u
#define MP_NR_HDR	0x00000080u
#define MP_NODATA	0x00000200u
#define MP_SKIP		0x00000400u
#define MP_NR_CONN	0x00001000u
#define MP_NR_HELO	0x00002000u
#define MP_NR_MAIL	0x00004000u
#define MP_NR_RCPT	0x00008000u
#define MP_NR_DATA	0x00010000u
#define MP_NR_EOH	0x00040000u
#define MP_NR_BODY	0x00080000u
#define MP_HDR_LEADSPC	0x00100000u

/* Exit codes (sysexits.h values). */
#define EX_FAIL_	1
#define EX_USAGE_	64
#define EX_NOINPUT_	66

enum ml_action {
	MA_CONTINUE,
	MA_ACCEPT,
	MA_QUARANTINE,
	MA_REJECT,
	MA_TEMPFAIL,
	MA_DISCARD,
	MA_ABORTED,
	MA_ERROR,
	MA_COUNT
};

static const char *const action_names[MA_COUNT] = {
	"continue", "accept", "quarantine", "reject", "tempfail", "discard",
	"aborted", "error",
};

/* One header field: name, and the raw value after the colon. */
struct ml_field {
	const char *name;
	const char *value;
	size_t	vlen;
};

/* One corpus message with its envelope. */
struct ml_msg {
	char	*name;
	char	*ip;
	char	*helo;
	char	*mailfrom;
	char	*rcpt;
	char	*expect;		/* ACTION[|ACTION...][/DMARC] or NULL */
	char	*raw;			/* the file; fields point into it */
	struct ml_field *fields;
	size_t	nfields;
	const char *body;		/* CRLF line ends */
	size_t	bodylen;
	char	*ownbody;
};

struct ml_sockspec {
	char	*spec;
	struct sockaddr_storage sa;
	socklen_t salen;
};

struct ml_rss {
	char	*name;
	long	pid;
};

/* Everything the options set; read-only once the threads run. */
static struct ml_config {
	struct ml_sockspec milters[ML_MAX_MILTERS];
	int	nmilters;
	int	levels[ML_MAX_LEVELS];
	int	nlevels;
	long	count;
	double	seconds;
	long	warmup;
	const char *ip;
	const char *helo;
	const char *mailfrom;
	const char *rcpt;
	const char *expect;
	const char *mailargs[ML_MAX_MAILARGS];
	int	nmailargs;
	struct ml_rss rss[ML_MAX_RSS];
	int	nrss;
	int	verbose;
	const char *qid_prefix;	/* --qid-prefix: queue ids unique across runs */
	int	show_headers;
	int	tls;
	int	crlf_fold;
	int	timeout_ms;
	int	nul;
	int	bare_cr;
	long	many_headers;
	size_t	big_header;
	size_t	big_body;
	int	abort_body;
	struct ml_msg *msgs;
	size_t	nmsgs;
	size_t	capmsgs;
	char	*genbody;		/* shared --big-body text */
	char	*bigvalue;		/* shared --big-header value */
} G;

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* A header field in a session's editable view (chains edit it). */
struct ml_hdr {
	const char *name;
	const char *value;
	size_t	vlen;
	int	lead_stripped;		/* value had no leading space */
};

struct ml_conn {
	int	fd;
	uint32_t proto;			/* flags the filter asked for */
	int	done;			/* accepted: skip it from now on */
	strbuf	out;			/* buffered commands */
};

/* One session: a message through the chain. */
struct ml_sess {
	const struct ml_msg *m;
	unsigned long seq;
	char	qid[24];
	struct ml_conn conns[ML_MAX_MILTERS];
	struct ml_hdr *hv;
	size_t	nhv;
	size_t	caphv;
	char	**owned;		/* strings the view holds */
	size_t	nowned;
	size_t	capowned;
	char	*pkt;			/* last reply: code, data, NUL */
	size_t	pktlen;
	size_t	pktcap;
	/* result */
	enum ml_action action;
	int	quarantined;
	strbuf	reply;
	strbuf	added;			/* "+ Name: value\n" lines */
	strbuf	err;
	char	dmarc[16];
};

/* ------------------------------------------------------------ utilities */

static void
die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void
die(int code, const char *fmt, ...)
{
	va_list	ap;

	fputs("mload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void *
xmalloc(size_t n)
{
	void   *p = malloc(n ? n : 1);

	if (p == NULL)
		die(EX_FAIL_, "out of memory");
	return p;
}

static void *
xgrow(void *p, size_t *cap, size_t want, size_t elem)
{
	size_t	ncap = *cap ? *cap : 16;

	if (want <= *cap)
		return p;
	while (ncap < want)
		ncap *= 2;
	if ((p = realloc(p, ncap * elem)) == NULL)
		die(EX_FAIL_, "out of memory");
	*cap = ncap;
	return p;
}

static char *
xstrdup(const char *s)
{
	char   *d = strdup(s);

	if (d == NULL)
		die(EX_FAIL_, "out of memory");
	return d;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
put32(char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t
get32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* ------------------------------------------------------------ sockets */

/* sock_parse - inet:PORT@ADDR, inet6:PORT@ADDR, unix:PATH, local:PATH, /PATH */
static int
sock_parse(struct ml_sockspec *s, const char *spec)
{
	const char *at, *host;
	char	addr[INET6_ADDRSTRLEN + 2];
	long	port;
	char   *end;

	memset(s, 0, sizeof(*s));
	s->spec = xstrdup(spec);
	if (spec[0] == '/' || strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0) {
		struct sockaddr_un *un = (struct sockaddr_un *)&s->sa;
		const char *path = spec[0] == '/' ? spec : strchr(spec, ':') + 1;

		if (strlen(path) >= sizeof(un->sun_path))
			return -1;
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, path);
		s->salen = sizeof(*un);
		return 0;
	}
	if (strncmp(spec, "inet:", 5) != 0 && strncmp(spec, "inet6:", 6) != 0)
		return -1;
	port = strtol(strchr(spec, ':') + 1, &end, 10);
	if (*end != '@' || port <= 0 || port > 65535)
		return -1;
	at = end + 1;
	host = at;
	if (*host == '[' && strlen(host) < sizeof(addr) && host[strlen(host) - 1] == ']') {
		memcpy(addr, host + 1, strlen(host) - 2);
		addr[strlen(host) - 2] = 0;
	} else if (strlen(host) < sizeof(addr)) {
		strcpy(addr, host);
	} else {
		return -1;
	}
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&s->sa;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &in6->sin6_addr) != 1)
			return -1;
		s->salen = sizeof(*in6);
	} else {
		struct sockaddr_in *in4 = (struct sockaddr_in *)&s->sa;

		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &in4->sin_addr) != 1)
			return -1;
		s->salen = sizeof(*in4);
	}
	return 0;
}

static int
sock_open(const struct ml_sockspec *s, int timeout_ms)
{
	struct timeval tv;
	int	fd, one = 1;

	if ((fd = socket(s->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (s->sa.ss_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&s->sa, s->salen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
read_all(int fd, char *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		if ((r = read(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* ------------------------------------------------------------ packets */

/* queue - append one packet to the connection's output buffer */
static int
queue(struct ml_conn *c, char cmd, const char *data, size_t len)
{
	char	hdr[5];

	if (len >= UINT32_MAX - 1)
		return -1;
	put32(hdr, (uint32_t)len + 1);
	hdr[4] = cmd;
	strbuf_appendn(&c->out, hdr, sizeof(hdr));
	strbuf_appendn(&c->out, data, len);
	return c->out.failed ? -1 : 0;
}

static int
flush(struct ml_conn *c)
{
	int	rc;

	if (c->out.len == 0)
		return 0;
	rc = write_all(c->fd, c->out.s, c->out.len);
	strbuf_reset(&c->out);
	return rc;
}

/* read_reply - one packet (code first, NUL after it); -1 on EOF, timeout, junk */
static int
read_reply(struct ml_sess *s, struct ml_conn *c)
{
	char	hdr[4];
	uint32_t len;

	if (read_all(c->fd, hdr, sizeof(hdr)) < 0)
		return -1;
	len = get32(hdr);
	if (len < 1 || len > ML_MAX_REPLY)
		return -1;
	s->pkt = xgrow(s->pkt, &s->pktcap, (size_t)len + 1, 1);
	if (read_all(c->fd, s->pkt, len) < 0)
		return -1;
	s->pkt[len] = 0;
	s->pktlen = len;
	return 0;
}

/* pairs - name\0value\0... from a NULL-terminated list of pairs */
static void
pairs(strbuf *sb, const char *const *kv)
{
	for (; kv[0] != NULL; kv += 2) {
		if (kv[1] == NULL || kv[1][0] == 0)
			continue;		/* Postfix sends only defined macros */
		strbuf_appendn(sb, kv[0], strlen(kv[0]) + 1);
		strbuf_appendn(sb, kv[1], strlen(kv[1]) + 1);
	}
}

/* ------------------------------------------------------------ the view */

static char *
sess_own(struct ml_sess *s, const char *p, size_t n)
{
	char   *d = xmalloc(n + 1);

	memcpy(d, p, n);
	d[n] = 0;
	s->owned = xgrow(s->owned, &s->capowned, s->nowned + 1, sizeof(*s->owned));
	s->owned[s->nowned++] = d;
	return d;
}

static void
hv_insert(struct ml_sess *s, size_t at, const struct ml_hdr *h)
{
	s->hv = xgrow(s->hv, &s->caphv, s->nhv + 1, sizeof(*s->hv));
	if (at > s->nhv)
		at = s->nhv;
	memmove(s->hv + at + 1, s->hv + at, (s->nhv - at) * sizeof(*s->hv));
	s->hv[at] = *h;
	s->nhv++;
}

/* hv_find - index of the idx-th (1-based) field called name, or nhv */
static size_t
hv_find(const struct ml_sess *s, const char *name, uint32_t idx)
{
	size_t	i;

	for (i = 0; i < s->nhv; i++)
		if (strcasecmp(s->hv[i].name, name) == 0 && --idx == 0)
			return i;
	return s->nhv;
}

/* note_added - record a field for -H and pick up its dmarc= word */
static void
note_added(struct ml_sess *s, char how, const char *name, const char *value)
{
	const char *p;
	size_t	n;

	strbuf_printf(&s->added, "%c %s:%s%s\n", how, name,
	    value[0] == ' ' || value[0] == '\t' ? "" : " ", value);
	if (s->dmarc[0] != 0 || strcasecmp(name, "Authentication-Results") != 0)
		return;
	for (p = value; (p = strstr(p, "dmarc=")) != NULL; p += 6) {
		if (p != value && strchr("; \t\n\r", p[-1]) == NULL)
			continue;
		n = strspn(p + 6, "abcdefghijklmnopqrstuvwxyz");
		if (n > 0 && n < sizeof(s->dmarc)) {
			memcpy(s->dmarc, p + 6, n);
			s->dmarc[n] = 0;
		}
		return;
	}
}

/*
 * apply_header - a header change at end of message (libmilter semantics:
 * insert at index, append, or change/delete the idx-th field of a name).
 */
static int
apply_header(struct ml_sess *s, const struct ml_conn *c, char code,
    const char *data, size_t len)
{
	uint32_t idx = 0;
	const char *name, *value, *end = data + len;
	struct ml_hdr h;
	size_t	i;

	if (code != MR_ADDHEADER) {
		if (len < 4)
			return -1;
		idx = get32(data);
		data += 4;
	}
	name = data;
	if ((value = memchr(name, 0, (size_t)(end - name))) == NULL)
		return -1;
	value++;
	if (value >= end || memchr(value, 0, (size_t)(end - value)) == NULL || *name == 0)
		return -1;
	h.name = sess_own(s, name, strlen(name));
	h.value = sess_own(s, value, strlen(value));
	h.vlen = strlen(value);
	/* Without HDR_LEADSPC the MTA supplies the space after the colon. */
	h.lead_stripped = (c->proto & MP_HDR_LEADSPC) == 0;
	if (code == MR_ADDHEADER) {
		hv_insert(s, s->nhv, &h);
		note_added(s, '+', name, value);
		return 0;
	}
	if (code == MR_INSHEADER) {
		hv_insert(s, idx, &h);
		note_added(s, '+', name, value);
		return 0;
	}
	i = hv_find(s, name, idx);
	if (*value == 0) {
		if (i < s->nhv) {
			memmove(s->hv + i, s->hv + i + 1, (s->nhv - i - 1) * sizeof(*s->hv));
			s->nhv--;
		}
		strbuf_printf(&s->added, "- %s[%u]\n", name, idx);
		return 0;
	}
	if (i < s->nhv)
		s->hv[i] = h;
	else
		hv_insert(s, s->nhv, &h);
	note_added(s, '~', name, value);
	return 0;
}

/* ------------------------------------------------------------ replies */

enum ml_step {
	STEP_CONTINUE,		/* go on with this milter */
	STEP_DONE,		/* milter accepted: skip it from now on */
	STEP_FINAL,		/* the message has its verdict */
	STEP_SKIP,		/* no more body */
	STEP_ERROR,
};

static enum ml_step
sess_error(struct ml_sess *s, int k, const char *what)
{
	if (s->err.len == 0)
		strbuf_printf(&s->err, "milter %d (%s): %s", k + 1, G.milters[k].spec, what);
	s->action = MA_ERROR;
	return STEP_ERROR;
}

static enum ml_step
final(struct ml_sess *s, enum ml_action a)
{
	s->action = a;
	return STEP_FINAL;
}

/*
 * reply - read replies until one that answers the command: progress is
 * waited out, header changes and quarantine are allowed only at end of
 * message (eom), skip only in the body.
 */
static enum ml_step
reply(struct ml_sess *s, int k, int eom, int body)
{
	struct ml_conn *c = &s->conns[k];
	const char *d;
	size_t	n;
	int	progress = 0;

	for (;;) {
		if (flush(c) < 0 || read_reply(s, c) < 0)
			return sess_error(s, k, errno == EAGAIN ? "timeout" : "connection lost");
		d = s->pkt + 1;
		n = s->pktlen - 1;
		switch (s->pkt[0]) {
		case MR_CONTINUE:
			return STEP_CONTINUE;
		case MR_ACCEPT:
			return STEP_DONE;
		case MR_REJECT:
			return final(s, MA_REJECT);
		case MR_TEMPFAIL:
		case MR_SHUTDOWN:
		case MR_CONN_FAIL:
			return final(s, MA_TEMPFAIL);
		case MR_DISCARD:
			return final(s, MA_DISCARD);
		case MR_REPLYCODE:
			strbuf_appendn(&s->reply, d, strnlen(d, n));
			if (d[0] == '4' && n > 0)
				return final(s, MA_TEMPFAIL);
			if (d[0] == '5' && n > 0)
				return final(s, MA_REJECT);
			return sess_error(s, k, "reply code neither 4xx nor 5xx");
		case MR_PROGRESS:
			if (++progress > ML_MAX_PROGRESS)
				return sess_error(s, k, "endless progress");
			continue;
		case MR_SKIP:
			if (!body || (c->proto & MP_SKIP) == 0)
				return sess_error(s, k, "skip outside the body");
			return STEP_SKIP;
		case MR_QUARANTINE:
			if (!eom)
				return sess_error(s, k, "quarantine before end of message");
			s->quarantined = 1;
			strbuf_printf(&s->added, "! quarantine: %.*s\n", (int)strnlen(d, n), d);
			continue;
		case MR_ADDHEADER:
		case MR_INSHEADER:
		case MR_CHGHEADER:
			if (!eom)
				return sess_error(s, k, "header change before end of message");
			if (apply_header(s, c, s->pkt[0], d, n) < 0)
				return sess_error(s, k, "malformed header change");
			continue;
		case MR_ADDRCPT:
		case MR_DELRCPT:
		case MR_ADDRCPT_PAR:
		case MR_CHGFROM:
		case MR_REPLBODY:
			if (!eom)
				return sess_error(s, k, "modification before end of message");
			strbuf_printf(&s->added, "! modification '%c'\n", s->pkt[0]);
			continue;
		default:
			return sess_error(s, k, "unknown reply");
		}
	}
}

/*
 * command - send (or buffer) one command with its macros to milter k,
 * honouring its "no command" and "no reply" flags.
 */
static enum ml_step
command(struct ml_sess *s, int k, char cmd, const char *data, size_t len,
    uint32_t nocmd, uint32_t noreply, const char *const *macros)
{
	struct ml_conn *c = &s->conns[k];
	strbuf	mac = STRBUF_INIT;
	int	rc = 0;

	if (c->done || (nocmd != 0 && (c->proto & nocmd) != 0))
		return STEP_CONTINUE;
	if (macros != NULL) {
		strbuf_appendc(&mac, cmd);
		pairs(&mac, macros);
		if (mac.len > 1)
			rc = queue(c, MC_MACRO, mac.s, mac.len);
		strbuf_free(&mac);
	}
	if (rc < 0 || queue(c, cmd, data, len) < 0)
		return sess_error(s, k, "out of memory");
	if (noreply != 0 && (c->proto & noreply) != 0) {
		if (c->out.len >= ML_FLUSH_AT && flush(c) < 0)
			return sess_error(s, k, "connection lost");
		return STEP_CONTINUE;
	}
	return reply(s, k, cmd == MC_BODYEOB, cmd == MC_BODY);
}

/* ------------------------------------------------------------ stages */

static int
negotiate(struct ml_sess *s, int k)
{
	struct ml_conn *c = &s->conns[k];
	char	opt[12];
	uint32_t ver;

	put32(opt, ML_VERSION);
	put32(opt + 4, ML_ACTIONS);
	put32(opt + 8, ML_PROTOCOL);
	if (queue(c, MC_OPTNEG, opt, sizeof(opt)) < 0 || flush(c) < 0 ||
	    read_reply(s, c) < 0) {
		sess_error(s, k, "no option negotiation");
		return -1;
	}
	if (s->pkt[0] != MC_OPTNEG || s->pktlen < 13) {
		sess_error(s, k, "bad option negotiation reply");
		return -1;
	}
	ver = get32(s->pkt + 1);
	c->proto = get32(s->pkt + 9);
	if (ver < 2 || ver > ML_VERSION) {
		sess_error(s, k, "unsupported protocol version");
		return -1;
	}
	if ((c->proto & ~ML_PROTOCOL) != 0) {
		sess_error(s, k, "filter asked for protocol flags not offered");
		return -1;
	}
	return 0;
}

/* each - run one envelope stage for every milter; 0 go on, -1 stop */
static int
each(struct ml_sess *s, char cmd, const char *data, size_t len, uint32_t nocmd,
    uint32_t noreply, const char *const *macros)
{
	int	k;

	for (k = 0; k < G.nmilters; k++) {
		switch (command(s, k, cmd, data, len, nocmd, noreply, macros)) {
		case STEP_DONE:
			s->conns[k].done = 1;
			break;
		case STEP_FINAL:
		case STEP_ERROR:
			return -1;
		default:
			break;
		}
	}
	return 0;
}

static int
stage_connect(struct ml_sess *s)
{
	const struct ml_msg *m = s->m;
	const char *mac[] = { "j", "mx.receiver.test", "{daemon_name}", "mload",
		"v", "mload 1", NULL };
	strbuf	d = STRBUF_INIT;
	char	port[2];
	int	rc, v6 = strchr(m->ip, ':') != NULL;

	/* hostname, NUL, family, port (2 bytes, network order), address, NUL */
	strbuf_append(&d, "unknown");
	strbuf_appendc(&d, 0);
	strbuf_appendc(&d, v6 ? '6' : '4');
	port[0] = (char)(40000 >> 8);
	port[1] = (char)(40000 & 0xff);
	strbuf_appendn(&d, port, 2);
	strbuf_appendn(&d, m->ip, strlen(m->ip) + 1);
	rc = each(s, MC_CONNECT, d.s, d.len, MP_NOCONNECT, MP_NR_CONN, mac);
	strbuf_free(&d);
	return rc;
}

static int
stage_helo(struct ml_sess *s)
{
	const char *tls[] = { "{tls_version}", "TLSv1.3", "{cipher}",
		"TLS_AES_256_GCM_SHA384", "{cipher_bits}", "256", NULL };

	return each(s, MC_HELO, s->m->helo, strlen(s->m->helo) + 1, MP_NOHELO,
	    MP_NR_HELO, G.tls ? tls : NULL);
}

static int
stage_mail(struct ml_sess *s)
{
	const char *mac[] = { "i", s->qid, "{mail_addr}", s->m->mailfrom, NULL };
	strbuf	d = STRBUF_INIT;
	int	i, rc;

	if (strcmp(s->m->mailfrom, "<>") == 0 || s->m->mailfrom[0] == 0)
		strbuf_append(&d, "<>");
	else
		strbuf_printf(&d, "<%s>", s->m->mailfrom);
	strbuf_appendc(&d, 0);
	for (i = 0; i < G.nmailargs; i++)
		strbuf_appendn(&d, G.mailargs[i], strlen(G.mailargs[i]) + 1);
	rc = each(s, MC_MAIL, d.s, d.len, MP_NOMAIL, MP_NR_MAIL, mac);
	strbuf_free(&d);
	return rc;
}

static int
stage_rcpt(struct ml_sess *s)
{
	const char *mac[] = { "{rcpt_addr}", s->m->rcpt, NULL };
	strbuf	d = STRBUF_INIT;
	int	rc;

	strbuf_printf(&d, "<%s>", s->m->rcpt);
	strbuf_appendc(&d, 0);
	rc = each(s, MC_RCPT, d.s, d.len, MP_NORCPT, MP_NR_RCPT, mac);
	strbuf_free(&d);
	return rc;
}

static int
stage_data(struct ml_sess *s)
{
	const char *mac[] = { "i", s->qid, NULL };

	return each(s, MC_DATA, "", 0, MP_NODATA, MP_NR_DATA, mac);
}

/*
 * send_header - one field. Without HDR_LEADSPC the MTA strips the blanks
 * after the colon; with it the filter gets them verbatim, and a field a
 * previous milter added without HDR_LEADSPC gets the space the MTA wrote.
 */
static enum ml_step
send_header(struct ml_sess *s, int k, const struct ml_hdr *h, strbuf *d)
{
	const char *v = h->value;
	size_t	n = h->vlen;

	strbuf_reset(d);
	strbuf_appendn(d, h->name, strlen(h->name) + 1);
	if ((s->conns[k].proto & MP_HDR_LEADSPC) == 0) {
		while (n > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			n--;
		}
	} else if (h->lead_stripped) {
		strbuf_appendc(d, ' ');
	}
	strbuf_appendn(d, v, n);
	strbuf_appendc(d, 0);
	if (d->failed)
		return sess_error(s, k, "out of memory");
	return command(s, k, MC_HEADER, d->s, d->len, MP_NOHDRS, MP_NR_HDR, NULL);
}

/* send_body - the body in chunks; with --abort-body, half of it, then cut */
static enum ml_step
send_body(struct ml_sess *s, int k)
{
	size_t	off = 0, n, stop = s->m->bodylen;
	enum ml_step st;

	if (G.abort_body)
		stop = s->m->bodylen / 2;
	while (off < stop) {
		n = stop - off < ML_CHUNK ? stop - off : ML_CHUNK;
		st = command(s, k, MC_BODY, s->m->body + off, n, MP_NOBODY, MP_NR_BODY, NULL);
		if (st != STEP_CONTINUE)
			return st;
		off += n;
	}
	if (G.abort_body) {
		flush(&s->conns[k]);
		s->action = MA_ABORTED;
		return STEP_FINAL;
	}
	return STEP_CONTINUE;
}

/* content - header, body and end of message through milter k */
static int
content(struct ml_sess *s, int k)
{
	const char *eoh[] = { "i", s->qid, NULL };
	strbuf	d = STRBUF_INIT;
	enum ml_step st = STEP_CONTINUE;
	size_t	i;

	for (i = 0; i < s->nhv && st == STEP_CONTINUE; i++)
		st = send_header(s, k, &s->hv[i], &d);
	strbuf_free(&d);
	if (st == STEP_CONTINUE)
		st = command(s, k, MC_EOH, "", 0, MP_NOEOH, MP_NR_EOH, eoh);
	if (st == STEP_CONTINUE)
		st = send_body(s, k);
	if (st == STEP_CONTINUE || st == STEP_SKIP)
		st = command(s, k, MC_BODYEOB, "", 0, 0, 0, eoh);
	switch (st) {
	case STEP_CONTINUE:
	case STEP_DONE:
		s->conns[k].done = 1;
		return 0;
	default:
		return -1;
	}
}

/* ------------------------------------------------------------ session */

static void
sess_init(struct ml_sess *s, const struct ml_msg *m, unsigned long seq)
{
	size_t	i;

	memset(s, 0, sizeof(*s));
	s->m = m;
	s->seq = seq;
	snprintf(s->qid, sizeof(s->qid), "%.12s%09lX", G.qid_prefix, seq);
	for (i = 0; i < ML_MAX_MILTERS; i++)
		s->conns[i].fd = -1;
	s->hv = xgrow(NULL, &s->caphv, m->nfields + 4, sizeof(*s->hv));
	for (i = 0; i < m->nfields; i++) {
		s->hv[i].name = m->fields[i].name;
		s->hv[i].value = m->fields[i].value;
		s->hv[i].vlen = m->fields[i].vlen;
		s->hv[i].lead_stripped = 0;
	}
	s->nhv = m->nfields;
}

static void
sess_free(struct ml_sess *s)
{
	size_t	i;
	int	k;

	for (k = 0; k < ML_MAX_MILTERS; k++)
		strbuf_free(&s->conns[k].out);
	for (i = 0; i < s->nowned; i++)
		free(s->owned[i]);
	free(s->owned);
	free(s->hv);
	free(s->pkt);
	strbuf_free(&s->reply);
	strbuf_free(&s->added);
	strbuf_free(&s->err);
}

/* sess_run - one message, one SMTP session, through the whole chain */
static void
sess_run(struct ml_sess *s)
{
	int	k, ok = 1;

	s->action = MA_CONTINUE;
	for (k = 0; k < G.nmilters && ok; k++) {
		if ((s->conns[k].fd = sock_open(&G.milters[k], G.timeout_ms)) < 0) {
			sess_error(s, k, "cannot connect");
			ok = 0;
		} else if (negotiate(s, k) < 0) {
			ok = 0;
		}
	}
	ok = ok && stage_connect(s) == 0 && stage_helo(s) == 0 && stage_mail(s) == 0 &&
	    stage_rcpt(s) == 0 && stage_data(s) == 0;
	for (k = 0; k < G.nmilters && ok; k++)
		if (!s->conns[k].done)
			ok = content(s, k) == 0;
	/* a reject, tempfail or discard outranks a quarantine */
	if (ok)
		s->action = s->quarantined ? MA_QUARANTINE : MA_ACCEPT;
	for (k = 0; k < G.nmilters; k++) {
		if (s->conns[k].fd < 0)
			continue;
		if (s->action != MA_ABORTED && s->action != MA_ERROR) {
			strbuf_reset(&s->conns[k].out);
			if (queue(&s->conns[k], MC_QUIT, "", 0) == 0)
				flush(&s->conns[k]);
		}
		close(s->conns[k].fd);
		s->conns[k].fd = -1;
	}
}

/* ------------------------------------------------------------ expect */

/* expect_ok - does the session's outcome match ACTION[|ACTION...][/DMARC]? */
static int
expect_ok(const struct ml_sess *s, const char *expect)
{
	const char *slash = strchr(expect, '/'), *p = expect, *end;
	size_t	alen = slash ? (size_t)(slash - expect) : strlen(expect);
	const char *got = action_names[s->action];
	int	match = 0;

	while (p < expect + alen) {
		end = memchr(p, '|', (size_t)(expect + alen - p));
		if (end == NULL)
			end = expect + alen;
		if (((size_t)(end - p) == 3 && strncmp(p, "any", 3) == 0) ||
		    ((size_t)(end - p) == strlen(got) && strncmp(p, got, strlen(got)) == 0))
			match = 1;
		p = end + 1;
	}
	if (match && slash != NULL)
		match = strcmp(slash + 1, s->dmarc[0] ? s->dmarc : "-") == 0;
	return match;
}

/* print_escaped - text with control bytes as \xNN, folding as \n */
static void
print_escaped(FILE *fp, const char *p, size_t n)
{
	for (; n > 0; p++, n--) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '\n')
			fputs("\\n", fp);
		else if (ch < ' ' && ch != '\t')
			fprintf(fp, "\\x%02x", ch);
		else if (ch >= 0x7f)
			fprintf(fp, "\\x%02x", ch);
		else
			fputc(ch, fp);
	}
}

static void
print_result(const struct ml_sess *s, double ms, int mismatch)
{
	const char *p, *nl;

	pthread_mutex_lock(&out_lock);
	printf("%s %s action=%s dmarc=%s ms=%.2f qid=%s", mismatch ? "MISMATCH" : "msg",
	    s->m->name, action_names[s->action], s->dmarc[0] ? s->dmarc : "-", ms, s->qid);
	if (mismatch)
		printf(" expected=%s", s->m->expect);
	if (s->reply.len > 0) {
		printf(" reply=\"");
		print_escaped(stdout, s->reply.s, s->reply.len);
		printf("\"");
	}
	if (s->err.len > 0)
		printf(" error=\"%s\"", s->err.s);
	printf("\n");
	if (G.show_headers && s->added.len > 0) {
		for (p = s->added.s; *p != 0; p = nl + 1) {
			if ((nl = strchr(p, '\n')) == NULL)
				break;
			printf("  ");
			print_escaped(stdout, p, (size_t)(nl - p));
			printf("\n");
		}
	}
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* ------------------------------------------------------------ load */

struct ml_level {
	int	sessions;
	long	limit;			/* messages, LONG_MAX when timed */
	double	deadline;		/* 0 when counted */
	int	record;			/* print and count this level */
	atomic_long next;
	atomic_long errors;
	atomic_long mismatches;
};

struct ml_worker {
	struct ml_level *lv;
	double	*lat;			/* milliseconds */
	size_t	nlat;
	size_t	caplat;
	pthread_t tid;
};

static void *
worker(void *arg)
{
	struct ml_worker *w = arg;
	struct ml_level *lv = w->lv;
	struct ml_sess s;
	long	i;
	double	t0, ms;
	int	mismatch;

	for (;;) {
		if (lv->deadline > 0 && now_s() >= lv->deadline)
			break;
		if ((i = atomic_fetch_add(&lv->next, 1)) >= lv->limit)
			break;
		sess_init(&s, &G.msgs[(size_t)i % G.nmsgs], (unsigned long)i);
		t0 = now_s();
		sess_run(&s);
		ms = (now_s() - t0) * 1000.0;
		if (lv->record) {
			/* a broken session is counted, not timed: no flattering rates */
			if (s.action == MA_ERROR) {
				atomic_fetch_add(&lv->errors, 1);
			} else {
				w->lat = xgrow(w->lat, &w->caplat, w->nlat + 1, sizeof(*w->lat));
				w->lat[w->nlat++] = ms;
			}
			mismatch = s.m->expect != NULL && !expect_ok(&s, s.m->expect);
			if (mismatch)
				atomic_fetch_add(&lv->mismatches, 1);
			if (G.verbose || mismatch || (s.action == MA_ERROR && s.m->expect == NULL))
				print_result(&s, ms, mismatch);
		}
		sess_free(&s);
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* percentile - nearest rank */
static double
percentile(const double *v, size_t n, double p)
{
	size_t	rank;

	if (n == 0)
		return 0;
	rank = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	return v[rank > n ? n - 1 : rank - 1];
}

/* vm_hwm - peak resident set of a process in kB, -1 if unknown */
static long
vm_hwm(long pid)
{
	char	path[64], line[256];
	FILE   *fp;
	long	kb = -1;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

/* run_level - returns errors + mismatches */
static long
run_level(int sessions, long limit, double seconds, int record)
{
	struct ml_level lv;
	struct ml_worker *w = calloc((size_t)sessions, sizeof(*w));
	double	t0, secs, *all;
	size_t	n = 0, i;
	int	k;
	long	bad;

	if (w == NULL)
		die(EX_FAIL_, "out of memory");
	memset(&lv, 0, sizeof(lv));
	lv.sessions = sessions;
	lv.limit = limit;
	lv.record = record;
	atomic_init(&lv.next, 0);
	atomic_init(&lv.errors, 0);
	atomic_init(&lv.mismatches, 0);
	t0 = now_s();
	lv.deadline = seconds > 0 ? t0 + seconds : 0;
	for (k = 0; k < sessions; k++) {
		w[k].lv = &lv;
		if (pthread_create(&w[k].tid, NULL, worker, &w[k]) != 0)
			die(EX_FAIL_, "cannot start thread %d", k);
	}
	for (k = 0; k < sessions; k++) {
		pthread_join(w[k].tid, NULL);
		n += w[k].nlat;
	}
	secs = now_s() - t0;
	all = xmalloc(n * sizeof(*all));
	for (n = 0, k = 0; k < sessions; k++) {
		for (i = 0; i < w[k].nlat; i++)
			all[n++] = w[k].lat[i];
		free(w[k].lat);
	}
	free(w);
	qsort(all, n, sizeof(*all), cmp_double);
	bad = atomic_load(&lv.errors) + atomic_load(&lv.mismatches);
	if (record) {
		printf("level sessions=%d messages=%zu seconds=%.3f msgs_per_s=%.1f "
		    "p50_ms=%.3f p99_ms=%.3f errors=%ld mismatches=%ld rss_peak_kb=",
		    sessions, n, secs, secs > 0 ? (double)n / secs : 0.0,
		    percentile(all, n, 50), percentile(all, n, 99),
		    atomic_load(&lv.errors), atomic_load(&lv.mismatches));
		for (k = 0; k < G.nrss; k++)
			printf("%s%s:%ld", k ? "," : "", G.rss[k].name, vm_hwm(G.rss[k].pid));
		printf("%s\n", G.nrss ? "" : "-");
		fflush(stdout);
	}
	free(all);
	return bad;
}

/* ------------------------------------------------------------ corpus */

static char *
read_file(const char *path, size_t *len)
{
	FILE   *fp;
	struct stat st;
	char   *buf;

	if ((fp = fopen(path, "rb")) == NULL)
		die(EX_NOINPUT_, "%s: %s", path, strerror(errno));
	if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size > ML_MAX_MESSAGE)
		die(EX_NOINPUT_, "%s: not a regular file under %u bytes", path, ML_MAX_MESSAGE);
	buf = xmalloc((size_t)st.st_size + 1);
	*len = fread(buf, 1, (size_t)st.st_size, fp);
	buf[*len] = 0;
	fclose(fp);
	return buf;
}

static void
msg_add_field(struct ml_msg *m, size_t *cap, const char *name, const char *value, size_t vlen)
{
	if (m->nfields >= ML_MAX_FIELDS)
		die(EX_NOINPUT_, "%s: more than %d header fields", m->name, ML_MAX_FIELDS);
	m->fields = xgrow(m->fields, cap, m->nfields + 1, sizeof(*m->fields));
	m->fields[m->nfields].name = name;
	m->fields[m->nfields].value = value;
	m->fields[m->nfields].vlen = vlen;
	m->nfields++;
}

/* field_name_len - length of a field name ending in ':' at p, 0 if none */
static size_t
field_name_len(const char *p, size_t n)
{
	size_t	i = 0;

	while (i < n && (unsigned char)p[i] > ' ' && (unsigned char)p[i] < 0x7f && p[i] != ':')
		i++;
	return i > 0 && i < n && p[i] == ':' ? i : 0;
}

/*
 * msg_parse - split the file into fields (unfolded lines joined with the
 * MTA's folding: "\n" Postfix, "\r\n" Sendmail) and a CRLF body. A line
 * that is neither a field nor a continuation starts the body, as in
 * Postfix's cleanup.
 */
static void
msg_parse(struct ml_msg *m, size_t len)
{
	const char *p = m->raw, *end = m->raw + len, *nl, *eol;
	strbuf	body = STRBUF_INIT, val = STRBUF_INIT;
	size_t	cap = 0, nlen = 0;
	char   *curname = NULL;
	int	in_header = 1;

	for (; p < end; p = nl < end ? nl + 1 : end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		eol = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		if (in_header && curname != NULL && p < eol && (*p == ' ' || *p == '\t')) {
			strbuf_append(&val, G.crlf_fold ? "\r\n" : "\n");
			strbuf_appendn(&val, p, (size_t)(eol - p));
			continue;
		}
		if (curname != NULL) {
			nlen = val.len;
			msg_add_field(m, &cap, curname, strbuf_detach(&val), nlen);
			curname = NULL;
		}
		if (in_header && p == eol) {
			in_header = 0;
			continue;
		}
		if (in_header && (nlen = field_name_len(p, (size_t)(eol - p))) > 0) {
			curname = xmalloc(nlen + 1);
			memcpy(curname, p, nlen);
			curname[nlen] = 0;
			strbuf_appendn(&val, p + nlen + 1, (size_t)(eol - p) - nlen - 1);
			continue;
		}
		in_header = 0;
		strbuf_appendn(&body, p, (size_t)(eol - p));
		strbuf_append(&body, "\r\n");
	}
	if (curname != NULL) {
		nlen = val.len;
		msg_add_field(m, &cap, curname, strbuf_detach(&val), nlen);
	}
	if (body.failed || val.failed)
		die(EX_NOINPUT_, "%s: message too large", m->name);
	strbuf_free(&val);
	m->bodylen = body.len;
	m->ownbody = strbuf_detach(&body);
	m->body = m->ownbody;
}

/* msg_hostile - the options that make every message hostile */
static void
msg_hostile(struct ml_msg *m)
{
	size_t	cap = m->nfields, len;
	long	i;
	strbuf	sb = STRBUF_INIT;

	for (i = 0; i < G.many_headers; i++) {
		char	name[32];

		snprintf(name, sizeof(name), "X-Load-%ld", i);
		strbuf_printf(&sb, " filler field %ld of %ld", i, G.many_headers);
		len = sb.len;
		msg_add_field(m, &cap, xstrdup(name), strbuf_detach(&sb), len);
	}
	if (G.bigvalue != NULL)
		msg_add_field(m, &cap, "X-Big-Header", G.bigvalue, G.big_header);
	if (G.nul)
		msg_add_field(m, &cap, "X-Nul", " before\0after", 13);
	if (G.bare_cr)
		msg_add_field(m, &cap, "X-Bare-CR", " before\rafter", 13);
	if (G.genbody != NULL) {
		m->body = G.genbody;
		m->bodylen = G.big_body;
	}
	if (G.nul || G.bare_cr) {
		strbuf_free(&sb);
		if (G.nul)
			strbuf_appendn(&sb, "nul\0byte\r\n", 10);
		if (G.bare_cr)
			strbuf_append(&sb, "bare\rcr\r\n");
		strbuf_appendn(&sb, m->body, m->bodylen);
		if (sb.failed)
			die(EX_NOINPUT_, "%s: body too large", m->name);
		free(m->ownbody);
		m->bodylen = sb.len;
		m->ownbody = strbuf_detach(&sb);
		m->body = m->ownbody;
	}
	strbuf_free(&sb);
}

static void
corpus_add(const char *name, const char *ip, const char *helo, const char *mailfrom,
    const char *rcpt, const char *file, const char *expect)
{
	struct ml_msg *m;
	size_t	len;

	G.msgs = xgrow(G.msgs, &G.capmsgs, G.nmsgs + 1, sizeof(*G.msgs));
	m = &G.msgs[G.nmsgs++];
	memset(m, 0, sizeof(*m));
	m->name = xstrdup(name);
	m->ip = xstrdup(ip);
	m->helo = xstrdup(helo);
	m->mailfrom = xstrdup(mailfrom);
	m->rcpt = xstrdup(rcpt);
	m->expect = expect != NULL && strcmp(expect, "-") != 0 ? xstrdup(expect) : NULL;
	m->raw = read_file(file, &len);
	msg_parse(m, len);
	msg_hostile(m);
}

static void
manifest_load(const char *path)
{
	FILE   *fp;
	char	line[ML_MAX_LINE], *f[7], *save, *p;
	int	n, lineno = 0;

	if ((fp = fopen(path, "r")) == NULL)
		die(EX_NOINPUT_, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = 0;
		for (n = 0, p = strtok_r(line, " \t\r\n", &save); p != NULL && n < 7;
		    p = strtok_r(NULL, " \t\r\n", &save))
			f[n++] = p;
		if (n == 0)
			continue;
		if (n < 6)
			die(EX_USAGE_, "%s:%d: want NAME IP HELO MAILFROM RCPT FILE [EXPECT]",
			    path, lineno);
		corpus_add(f[0], f[1], f[2], f[3], f[4], f[5], n > 6 ? f[6] : G.expect);
	}
	fclose(fp);
}

/* ------------------------------------------------------------ options */

static void
usage(void)
{
	fprintf(stderr,
	    "usage: mload -s SOCKET [-s SOCKET]... [-c 1,16,64] [-n COUNT] [-t SECONDS]\n"
	    "             [-w WARMUP] [-m MANIFEST] [--ip ADDR] [--helo NAME]\n"
	    "             [--mail-from ADDR] [--rcpt ADDR] [--expect ACTION[/DMARC]]\n"
	    "             [--rss NAME=PID]... [-v] [-H] [--no-tls] [--requiretls]\n"
	    "             [--mail-arg ARG]... [--crlf-fold] [--timeout MS] [--nul]\n"
	    "             [--bare-cr] [--many-headers N] [--big-header BYTES]\n"
	    "             [--big-body BYTES] [--abort-body] [MESSAGE...]\n");
	exit(EX_USAGE_);
}

static long
number(const char *s, long min, long max, const char *what)
{
	char   *end;
	long	v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != 0 || v < min || v > max)
		die(EX_USAGE_, "bad %s: %s", what, s);
	return v;
}

static void
parse_levels(const char *s)
{
	char   *copy = xstrdup(s), *p, *save;

	G.nlevels = 0;
	for (p = strtok_r(copy, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
		if (G.nlevels == ML_MAX_LEVELS)
			die(EX_USAGE_, "at most %d levels", ML_MAX_LEVELS);
		G.levels[G.nlevels++] = (int)number(p, 1, ML_MAX_SESSIONS, "level");
	}
	free(copy);
	if (G.nlevels == 0)
		usage();
}

static void
add_rss(const char *s)
{
	const char *eq = strchr(s, '=');

	if (G.nrss == ML_MAX_RSS)
		die(EX_USAGE_, "at most %d --rss", ML_MAX_RSS);
	G.rss[G.nrss].name = eq ? strndup(s, (size_t)(eq - s)) : xstrdup("pid");
	G.rss[G.nrss].pid = number(eq ? eq + 1 : s, 1, INT_MAX, "pid");
	G.nrss++;
}

static void
add_mailarg(const char *s)
{
	if (G.nmailargs == ML_MAX_MAILARGS)
		die(EX_USAGE_, "at most %d MAIL arguments", ML_MAX_MAILARGS);
	G.mailargs[G.nmailargs++] = s;
}

enum {
	OPT_IP = 256, OPT_HELO, OPT_MAILFROM, OPT_RCPT, OPT_EXPECT, OPT_RSS,
	OPT_NOTLS, OPT_REQUIRETLS, OPT_MAILARG, OPT_CRLF, OPT_TIMEOUT, OPT_NUL,
	OPT_BARECR, OPT_MANY, OPT_BIGHDR, OPT_BIGBODY, OPT_ABORT, OPT_QIDPREFIX,
};

static const struct option long_opts[] = {
	{ "ip", required_argument, NULL, OPT_IP },
	{ "helo", required_argument, NULL, OPT_HELO },
	{ "mail-from", required_argument, NULL, OPT_MAILFROM },
	{ "rcpt", required_argument, NULL, OPT_RCPT },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "rss", required_argument, NULL, OPT_RSS },
	{ "no-tls", no_argument, NULL, OPT_NOTLS },
	{ "requiretls", no_argument, NULL, OPT_REQUIRETLS },
	{ "mail-arg", required_argument, NULL, OPT_MAILARG },
	{ "crlf-fold", no_argument, NULL, OPT_CRLF },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "nul", no_argument, NULL, OPT_NUL },
	{ "bare-cr", no_argument, NULL, OPT_BARECR },
	{ "many-headers", required_argument, NULL, OPT_MANY },
	{ "big-header", required_argument, NULL, OPT_BIGHDR },
	{ "big-body", required_argument, NULL, OPT_BIGBODY },
	{ "abort-body", no_argument, NULL, OPT_ABORT },
	{ "qid-prefix", required_argument, NULL, OPT_QIDPREFIX },
	{ NULL, 0, NULL, 0 },
};

/* gen_text - n bytes of CRLF-terminated text lines */
static char *
gen_text(size_t n, int crlf)
{
	static const char line[] = "All work and no play makes a very large message body indeed.";
	char   *buf = xmalloc(n + 1);
	size_t	i, col = 0;

	for (i = 0; i < n; i++) {
		if (crlf && col == sizeof(line) - 1) {
			buf[i] = '\r';
			col++;
		} else if (crlf && col == sizeof(line)) {
			buf[i] = '\n';
			col = 0;
		} else {
			buf[i] = line[col % (sizeof(line) - 1)];
			col++;
		}
	}
	buf[n] = 0;
	return buf;
}

static void
parse_args(int argc, char **argv)
{
	const char *manifest = NULL, *levels = NULL;
	int	ch, i;

	G.ip = "192.0.2.10";
	G.helo = "mx.sender.test";
	G.mailfrom = "<>";
	G.rcpt = "bob@receiver.test";
	G.tls = 1;
	G.timeout_ms = ML_TIMEOUT_MS;
	G.qid_prefix = "ML";
	G.count = -1;
	while ((ch = getopt_long(argc, argv, "s:c:n:t:w:m:vH", long_opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (G.nmilters == ML_MAX_MILTERS)
				die(EX_USAGE_, "at most %d milters", ML_MAX_MILTERS);
			if (sock_parse(&G.milters[G.nmilters++], optarg) < 0)
				die(EX_USAGE_, "bad socket: %s", optarg);
			break;
		case 'c': levels = optarg; break;
		case 'n': G.count = number(optarg, 1, LONG_MAX / 2, "count"); break;
		case 't': G.seconds = (double)number(optarg, 1, 86400, "seconds"); break;
		case 'w': G.warmup = number(optarg, 0, LONG_MAX / 2, "warmup"); break;
		case 'm': manifest = optarg; break;
		case 'v': G.verbose = 1; break;
		case 'H': G.show_headers = 1; G.verbose = 1; break;
		case OPT_IP: G.ip = optarg; break;
		case OPT_HELO: G.helo = optarg; break;
		case OPT_MAILFROM: G.mailfrom = optarg; break;
		case OPT_RCPT: G.rcpt = optarg; break;
		case OPT_EXPECT: G.expect = optarg; break;
		case OPT_RSS: add_rss(optarg); break;
		case OPT_NOTLS: G.tls = 0; break;
		case OPT_REQUIRETLS: add_mailarg("REQUIRETLS"); break;
		case OPT_MAILARG: add_mailarg(optarg); break;
		case OPT_CRLF: G.crlf_fold = 1; break;
		case OPT_QIDPREFIX: G.qid_prefix = optarg; break;
		case OPT_TIMEOUT: G.timeout_ms = (int)number(optarg, 1, 3600000, "timeout"); break;
		case OPT_NUL: G.nul = 1; break;
		case OPT_BARECR: G.bare_cr = 1; break;
		case OPT_MANY: G.many_headers = number(optarg, 0, ML_MAX_FIELDS / 2, "count"); break;
		case OPT_BIGHDR: G.big_header = (size_t)number(optarg, 1, ML_MAX_GEN, "size"); break;
		case OPT_BIGBODY: G.big_body = (size_t)number(optarg, 1, ML_MAX_GEN, "size"); break;
		case OPT_ABORT: G.abort_body = 1; break;
		default: usage();
		}
	}
	if (G.nmilters == 0)
		usage();
	/* shared generated text before the corpus refers to it */
	if (G.big_header > 0) {
		G.bigvalue = gen_text(G.big_header, 0);
		G.bigvalue[0] = ' ';
	}
	if (G.big_body > 0)
		G.genbody = gen_text(G.big_body, 1);
	if (manifest != NULL)
		manifest_load(manifest);
	for (i = optind; i < argc; i++) {
		const char *base = strrchr(argv[i], '/');

		corpus_add(base ? base + 1 : argv[i], G.ip, G.helo, G.mailfrom, G.rcpt,
		    argv[i], G.expect);
	}
	if (G.nmsgs == 0)
		die(EX_USAGE_, "no messages: give MESSAGE files or -m MANIFEST");
	if (G.count < 0)
		G.count = G.seconds > 0 ? LONG_MAX : (long)G.nmsgs;
	if (levels == NULL)
		levels = G.expect != NULL || G.verbose ? "1" : "1,16,64";
	parse_levels(levels);
}

int
main(int argc, char **argv)
{
	long	bad = 0;
	int	i;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	if (G.warmup > 0)
		run_level(1, G.warmup, 0, 0);
	for (i = 0; i < G.nlevels; i++)
		bad += run_level(G.levels[i], G.count, G.seconds, 1);
	return bad > 0 ? EX_FAIL_ : 0;
}
