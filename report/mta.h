/*
 * mta.h -- hand a finished mail to the local MTA: sendmail -t -i.
 *
 * SYNOPSIS
 *	int report_mta_send(const char *sendmail, const char *sender,
 *	    const char *msg, size_t len, char *err, size_t errlen);
 *
 * DESCRIPTION
 *	Runs SENDMAIL -t -i -f SENDER (recipients from the To: field, a lone
 *	"." is not the end, the envelope sender is the report From so SPF
 *	can align), writes the message to its standard input and waits. 0
 *	only when the MTA exited 0: it has taken the message into its queue.
 *	Anything else (exec failure, a signal, a non-zero status, a write
 *	error, no exit within REPORT_MTA_TIMEOUT seconds) is -1 with err
 *	set; the report stays unsent and is retried with the same id.
 */
#ifndef DMARCTLS_REPORT_MTA_H
#define DMARCTLS_REPORT_MTA_H

#include <stddef.h>

#define REPORT_MTA_TIMEOUT	120

int	report_mta_send(const char *sendmail, const char *sender, const char *msg,
	    size_t len, char *err, size_t errlen);

#endif
