/*
 * fuzz_config.c -- libFuzzer target: dmarctls.conf files of arbitrary bytes.
 *
 * The input is written to an anonymous memory file and loaded with
 * dt_config_load() over the defaults, as the milter loads its file; a file
 * that loads is loaded a second time over itself (a reload). Either way the
 * configuration must stay whole: the checks below hold after every load.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

static void
config_invariants(const dt_config *c)
{
	if (c->socket == NULL || c->authserv_id == NULL || c->reject_reply == NULL
	    || c->tempfail_reply == NULL || c->dns_timeout < 1 || c->dns_timeout > 60
	    || c->max_from_domains < 1 || c->max_from_domains > 64)
		abort();
	(void)dt_netlist_match(c->ignore_networks, "192.0.2.1");
	(void)dt_netlist_match(c->trusted_networks, "2001:db8::1");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	path[64], err[512];
	dt_config c;
	int	fd;

	if ((fd = memfd_create("dmarctls.conf", 0)) < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	dt_config_defaults(&c);
	if (dt_config_load(&c, path, err, sizeof(err)) == 0)
		(void)dt_config_load(&c, path, err, sizeof(err));
	config_invariants(&c);
	dt_config_free(&c);
	close(fd);
	return 0;
}
