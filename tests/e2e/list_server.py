#!/usr/bin/env python3
"""A loopback HTTP server for tests/e2e/data_update.sh: serves the files of
one folder in several ways, by the first part of the path:

  /good/F     the file, whole
  /cut/F      announces the whole length, sends half, closes (a cut connection)
  /short/F    the first half only, with a matching Content-Length (a cut file
              that arrives cleanly: only the content checks can catch it)
  /html/F     an HTML error page with status 200 (the wrong format)
  /500/F      status 500
  /hang/F     headers, a few bytes, then nothing for 60 s
  /redir/F    302 to /good/F

A request with an absolute URI (through a proxy) is served the same way and
counted in proxied.log. Binds 127.0.0.1 on the first free port of
[first, last] and writes the port to port_file.
With CERT and KEY it speaks TLS (HTTPS) with that certificate.
usage: list_server.py ROOT PORT_FILE FIRST LAST [CERT KEY]
"""
import http.server
import os
import ssl
import sys
import time
import urllib.parse

ROOT, PORT_FILE, FIRST, LAST = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        path = self.path
        if path.startswith("http://"):
            with open(os.path.join(ROOT, "..", "proxied.log"), "a") as f:
                f.write(path + "\n")
            path = urllib.parse.urlsplit(path).path
        parts = path.lstrip("/").split("/", 1)
        mode, name = (parts + [""])[:2]
        fp = os.path.join(ROOT, os.path.basename(urllib.parse.unquote(name.split("?")[0])))
        if mode == "500":
            return self.send_error(500)
        if mode == "redir":
            self.send_response(302)
            self.send_header("Location", "/good/" + name)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if mode == "html":
            body = b"<html><body><h1>Service unavailable</h1></body></html>\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return self.wfile.write(body)
        try:
            data = open(fp, "rb").read()
        except OSError:
            return self.send_error(404)
        if mode == "good":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        if mode == "short":
            half = data[: len(data) // 2]
            self.send_response(200)
            self.send_header("Content-Length", str(len(half)))
            self.end_headers()
            return self.wfile.write(half)
        if mode == "cut":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == "hang":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:10])
            self.wfile.flush()
            time.sleep(60)
            return
        self.send_error(404)


class Srv(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that gives up (size limit, timeout) is part of the tests


for port in range(FIRST, LAST + 1):
    try:
        srv = Srv(("127.0.0.1", port), H)
        break
    except OSError:
        continue
else:
    sys.exit("no free port in range")
srv.daemon_threads = True
if len(sys.argv) > 6:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[5], sys.argv[6])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(port))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
srv.serve_forever()
