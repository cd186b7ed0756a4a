#!/usr/bin/python3
# sts_https.py -- the MTA-STS policy servers of the tests: one HTTPS
# listener per line of CONFIG, each with its own certificate and behaviour.
#
# SYNOPSIS
#	/usr/bin/python3 sts_https.py CONFIG READYFILE
#
# DESCRIPTION
#	CONFIG lines: ADDR PORT CHAIN KEY MODE [FILE]
#	  ok FILE	200, text/plain, FILE's bytes (read on each request, so a
#			test may change the policy while the server runs)
#	  html FILE	the same with Content-Type text/html
#	  redirect URL	301 to URL
#	  notfound	404
#	  big FILE	200 text/plain, FILE's bytes, no Content-Length (the
#			client must stop while streaming)
#	  slow FILE	200 text/plain with Content-Length, one byte every 0.5 s
#	Only GET /.well-known/mta-sts.txt is served (RFC 8461 3.2); anything
#	else is 404. READYFILE is written once every listener is bound.
#	Standard library only (ssl, http.server), Debian's python3.
import http.server
import socketserver
import ssl
import sys
import threading
import time

WELL_KNOWN = "/.well-known/mta-sts.txt"
SLOW_DELAY_S = 0.5


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """TLS handshakes in the request's own thread, not in accept(), so a
    client that stalls or aborts a handshake blocks nobody else."""
    daemon_threads = True
    allow_reuse_address = True
    tls = None

    def finish_request(self, request, client_address):
        request.settimeout(30)
        try:
            request = self.tls.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError) as e:
            sys.stderr.write("%s handshake failed: %s\n" % (self.server_address[0], e))
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        sys.stderr.write("%s request failed: %s\n" % (self.server_address[0], sys.exc_info()[1]))


def handler_for(mode, arg):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, fmt, *args):
            sys.stderr.write("%s %s %s\n" % (self.server.server_address[0], mode, fmt % args))

        def send_body(self, ctype, body, length=True):
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            if length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path != WELL_KNOWN:
                self.send_error(404)
                return
            if mode == "notfound":
                self.send_error(404)
            elif mode == "redirect":
                self.send_response(301)
                self.send_header("Location", arg)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif mode == "slow":
                body = open(arg, "rb").read()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for b in body:
                        self.wfile.write(bytes([b]))
                        self.wfile.flush()
                        time.sleep(SLOW_DELAY_S)
                except OSError:
                    pass
            else:
                body = open(arg, "rb").read()
                ctype = "text/html" if mode == "html" else "text/plain"
                try:
                    self.send_body(ctype, body, mode != "big")
                except OSError:
                    pass

    return Handler


def main():
    servers = []
    for line in open(sys.argv[1]):
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        addr, port, chain, key, mode = f[:5]
        arg = f[5] if len(f) > 5 else None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(chain, key)
        srv = Server((addr, int(port)), handler_for(mode, arg))
        srv.tls = ctx
        servers.append(srv)
    for srv in servers:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    open(sys.argv[2], "w").write("ready\n")
    threading.Event().wait()


if __name__ == "__main__":
    main()
