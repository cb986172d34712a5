#!/usr/bin/env python3
"""mini-smtpd.py -- a small SMTP server for tests/e2e/client.sh only.

Usage: mini-smtpd.py --conf FILE --logdir DIR --ready FILE, where each
line of FILE is "ADDR PORT MODE CERTCHAIN KEY [SNINAME=CHAIN:KEY...]" and
each listener logs to DIR/ADDR_PORT.log.

Until the project's mock servers (servers/) are merged, the client's
end-to-end test uses this: real sockets, real TLS (Python's ssl, i.e.
OpenSSL), one evidence line per event in --log.  Modes:
  starttls  offer STARTTLS (certificate chain and key from the line)
  notls     no STARTTLS in the EHLO reply (as if stripped)
  inject    answer STARTTLS with "220" plus an injected "250" in the same
            cleartext write (RFC 3207 response injection)
  twice     keep offering STARTTLS inside TLS; a second STARTTLS is logged
            and the transaction is refused with 554
After TLS the session state is reset: MAIL before a new EHLO gets 503
(as Postfix does).  Another chain is served when the
client's SNI is NAME (SNINAME=CHAIN:KEY on the line).
"""
import argparse
import socket
import socketserver
import ssl
import sys
import threading


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--conf", required=True,
                   help="lines: ADDR PORT MODE CERT KEY [NAME=CERT:KEY...]")
    p.add_argument("--logdir", required=True)
    p.add_argument("--ready", required=True)
    return p.parse_args()


class Listener:
    def __init__(self, line, logdir):
        f = line.split()
        self.addr, self.port, self.mode = f[0], int(f[1]), f[2]
        self.cert, self.key = f[3], f[4]
        self.sni = f[5:]
        self.log_path = "%s/%s_%d.log" % (logdir, self.addr, self.port)


ARGS = parse()
LOCK = threading.Lock()


def log_to(path, line):
    with LOCK, open(path, "a") as f:
        f.write(line + "\n")


def make_ctx(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


class Handler(socketserver.StreamRequestHandler):
    def setup(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()
        self.cfg = self.server.cfg

    def log(self, line):
        log_to(self.cfg.log_path, line)

    def send(self, s):
        self.wfile.write(s.encode())
        self.wfile.flush()

    def handle(self):
        self.log("connect")
        self.tls = False
        self.ehlo = False
        self.bad = False
        self.send("220 mini-smtpd ESMTP\r\n")
        while True:
            line = self.rfile.readline(4096)
            if not line:
                self.log("eof")
                return
            cmd = line.decode(errors="replace").strip()
            verb = cmd.split(" ")[0].upper()
            self.log(("tls " if self.tls else "clear ") + cmd)
            if not self.command(verb):
                return

    def command(self, verb):
        if verb in ("EHLO", "HELO"):
            self.ehlo = True
            ext = ["250-mini-smtpd", "250-PIPELINING"]
            if self.cfg.mode != "notls" and (not self.tls or self.cfg.mode == "twice"):
                ext.append("250-STARTTLS")
            ext.append("250 8BITMIME")
            self.send("\r\n".join(ext) + "\r\n")
        elif verb == "STARTTLS":
            if self.tls:
                self.log("second-starttls")
                self.bad = True
                self.send("554 5.5.1 STARTTLS inside TLS\r\n")
            elif self.cfg.mode == "notls":
                self.send("502 5.5.1 not supported\r\n")
            else:
                self.starttls()
        elif verb == "MAIL":
            if not self.ehlo:
                self.send("503 5.5.1 send EHLO first\r\n")
            elif self.bad:
                self.send("554 5.7.0 protocol violation seen\r\n")
            else:
                self.send("250 2.1.0 ok\r\n")
        elif verb == "RCPT":
            self.send("250 2.1.5 ok\r\n")
        elif verb == "DATA":
            self.send("354 go ahead\r\n")
            while True:
                l = self.rfile.readline(65536)
                if not l:
                    self.log("eof-in-data")
                    return False
                if l in (b".\r\n", b".\n"):
                    break
            self.log("delivered tls=%s" % ("yes" if self.tls else "no"))
            self.send("250 2.0.0 queued\r\n")
        elif verb == "QUIT":
            self.send("221 2.0.0 bye\r\n")
            return False
        elif verb == "RSET" or verb == "NOOP":
            self.send("250 ok\r\n")
        else:
            self.send("502 5.5.2 unknown\r\n")
        return True

    def starttls(self):
        if self.cfg.mode == "inject":
            self.send("220 2.0.0 ready\r\n250 2.0.0 injected\r\n")
        else:
            self.send("220 2.0.0 ready\r\n")
        ctx = make_ctx(self.cfg.cert, self.cfg.key)
        alt = {}
        for s in self.cfg.sni:
            name, files = s.split("=", 1)
            c, k = files.split(":", 1)
            alt[name] = make_ctx(c, k)

        def on_sni(sock, name, _ctx):
            self.log("sni %s" % (name or "-"))
            if name in alt:
                sock.context = alt[name]
        ctx.sni_callback = on_sni
        try:
            conn = ctx.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.log("tls-failed %s" % e)
            raise ConnectionAbortedError()
        self.log("tls-ok %s" % conn.version())
        self.connection = conn
        self.rfile = conn.makefile("rb")
        self.wfile = conn.makefile("wb")
        self.tls = True
        self.ehlo = False


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request, client_address):
        log_to(self.cfg.log_path, "error %s" % sys.exc_info()[1])


servers = []
with open(ARGS.conf) as conf:
    for line in conf:
        if not line.strip() or line.startswith("#"):
            continue
        cfg = Listener(line, ARGS.logdir)
        Server.address_family = (socket.AF_INET6 if ":" in cfg.addr
                                 else socket.AF_INET)
        srv = Server((cfg.addr, cfg.port), Handler)
        srv.cfg = cfg
        servers.append(srv)
for srv in servers:
    threading.Thread(target=srv.serve_forever, daemon=True).start()
with open(ARGS.ready, "w") as f:
    f.write("ready\n")
threading.Event().wait()
