/*
 * log.c -- syslog or stderr logging (see log.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

#define DT_LOG_LINE	2048

static const char *log_ident = "dmarctls-milter";
static int log_syslog;

static int
log_facility(const char *name)
{
	static const struct { const char *name; int fac; } fac[] = {
		{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	size_t	i;

	for (i = 0; name && i < sizeof(fac) / sizeof(fac[0]); i++)
		if (strcasecmp(name, fac[i].name) == 0)
			return fac[i].fac;
	return LOG_MAIL;
}

void
dt_log_open(const char *ident, int use_syslog, const char *facility, int foreground)
{
	log_ident = ident;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY | (foreground ? LOG_PERROR : 0),
		    log_facility(facility));
}

void
dt_log(int priority, const char *fmt, ...)
{
	char	line[DT_LOG_LINE], out[DT_LOG_LINE + 64];
	va_list	ap;
	size_t	i;
	int	n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (i = 0; line[i]; i++)
		if ((unsigned char)line[i] < ' ' || line[i] == 0x7f)
			line[i] = '?';
	if (log_syslog) {
		syslog(priority, "%s", line);
		return;
	}
	n = snprintf(out, sizeof(out), "%s[%ld]: %s\n", log_ident, (long)getpid(), line);
	if (n > 0)
		(void)!write(STDERR_FILENO, out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1);
}
