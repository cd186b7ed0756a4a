/*
 * preflight.h -- what -n checks before the milter is started for real.
 *
 * SYNOPSIS
 *	int dt_preflight(const char *path, const char *socket);
 *
 * DESCRIPTION
 *	Loads the configuration (path, or the defaults when NULL; socket
 *	overrides Socket, as -p does) and checks what would otherwise fail
 *	only at start or later, after the privilege drop:
 *	  - the UserID user and group and the SocketGroup exist;
 *	  - the directory of a unix socket exists, and so does the
 *	    directory of the PidFile;
 *	  - every file the configuration names (TrustAnchorFile,
 *	    UnboundConfigFile, PublicSuffixList with DMARCDiscovery psl,
 *	    TLSCertificate, DANEEndpoint chains) can be opened for reading
 *	    by the user the milter will run as, and with Reports yes the
 *	    directories of a sqlite: ReportStore and of ReportSpool can be
 *	    written by that user -- run as root with UserID,
 *	    the check runs in a child that has become that user, since the
 *	    DANE refresher and SIGHUP reloads read those files after the drop.
 *	Each problem is logged as "file:line: Key value: what is wrong"
 *	(the line that set the key, see dt_config_origin). Then the engines
 *	are built once, as a start would (dt_gen_load).
 *
 * EXIT STATUS
 *	Returns 0 when all is well, EX_CONFIG (78) otherwise.
 */
#ifndef DMARCTLS_PREFLIGHT_H
#define DMARCTLS_PREFLIGHT_H

int	dt_preflight(const char *path, const char *socket);

#endif
