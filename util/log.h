/*
 * log.h -- the one logging family of every dmarctls daemon: syslog, or stderr in the foreground.
 *
 * SYNOPSIS
 *	void dt_log_open(const char *ident, int use_syslog, const char *facility,
 *	                 int foreground);
 *	void dt_log(int priority, const char *fmt, ...);
 *
 * DESCRIPTION
 *	priority is a syslog(3) level (LOG_ERR, LOG_WARNING, LOG_INFO, ...).
 *	In the foreground, syslog lines are copied to stderr too (LOG_PERROR),
 *	so that an admin running -f, or systemd's journal, sees them.
 *	With syslog off each line goes to stderr as "ident[pid]: text", one
 *	write per line so that threads never interleave within a line.
 *	Control characters in the text (hostile data in log lines) are
 *	replaced by '?'.
 */
#ifndef DMARCTLS_LOG_H
#define DMARCTLS_LOG_H

#include <syslog.h>

void	dt_log_open(const char *ident, int use_syslog, const char *facility, int foreground);
void	dt_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
