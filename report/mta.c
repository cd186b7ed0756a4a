/*
 * mta.c -- fork/exec sendmail, feed it, judge it by its exit status (see mta.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mta.h"

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

/* waitpid with a deadline: the MTA gets REPORT_MTA_TIMEOUT seconds */
static int
wait_bounded(pid_t pid, int *status)
{
	time_t	end = time(NULL) + REPORT_MTA_TIMEOUT;
	pid_t	r;

	for (;;) {
		if ((r = waitpid(pid, status, WNOHANG)) == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (time(NULL) >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return -1;
		}
		usleep(20000);
	}
}

int
report_mta_send(const char *sendmail, const char *sender, const char *msg, size_t len,
    char *err, size_t errlen)
{
	int	fd[2], status = 0, werr;
	pid_t	pid;
	void	(*old)(int);

	if (pipe(fd) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fd[0], 0);
		close(fd[0]);
		close(fd[1]);
		execl(sendmail, sendmail, "-t", "-i", "-f", sender, (char *)NULL);
		_exit(127);
	}
	close(fd[0]);
	old = signal(SIGPIPE, SIG_IGN);
	werr = write_all(fd[1], msg, len);
	close(fd[1]);
	signal(SIGPIPE, old);
	if (wait_bounded(pid, &status) < 0) {
		snprintf(err, errlen, "%s did not finish within %d s", sendmail, REPORT_MTA_TIMEOUT);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			snprintf(err, errlen, "%s exited with status %d", sendmail,
			    WEXITSTATUS(status));
		else
			snprintf(err, errlen, "%s was killed by signal %d", sendmail,
			    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		return -1;
	}
	if (werr < 0) {
		snprintf(err, errlen, "writing to %s failed", sendmail);
		return -1;
	}
	return 0;
}
