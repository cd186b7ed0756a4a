/*
 * fuzz_overrides.c -- libFuzzer target: dmarctls-policyd overrides files.
 *
 * The input is written to an anonymous memory file and loaded with
 * overrides_load(); a file that loads is searched for a few names and
 * every policy text found must be what a reply may carry: printable
 * ASCII, no comma, no brace, no line break, single blanks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "overrides.h"

static void
check_policy(const char *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; p[i] != '\0'; i++)
		if (p[i] <= 0x1f || p[i] >= 0x7f || p[i] == ',' || p[i] == '{' || p[i] == '}'
		    || (p[i] == ' ' && (i == 0 || p[i - 1] == ' ' || p[i + 1] == '\0')))
			abort();
	if (i == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"example.com", "a.example.com", "x", "mx.example.net", "b.c.d.e",
	};
	char	path[64], err[512];
	overrides *o;
	size_t	i;
	int	fd;

	if ((fd = memfd_create("overrides", 0)) < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((o = overrides_load(path, err, sizeof(err))) != NULL) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			check_policy(overrides_find(o, names[i]));
		overrides_free(o);
	} else if (err[0] == '\0')
		abort();
	close(fd);
	return 0;
}
