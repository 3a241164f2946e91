"""Real local servers for the service monitor's tests: one HTTP server whose paths misbehave on
purpose, switchable up and down, optionally behind TLS."""
from __future__ import annotations

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *_args) -> None:
        pass

    def _send(self, status: int, body: bytes = b"ok", headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        server = self.server
        server.hits += 1
        path = self.path.split("?")[0]
        if not server.healthy.is_set():
            self._send(503, b"down")
        elif path == "/ok":
            self._send(200, b"<h1>Layanan aktif</h1>")
        elif path == "/500":
            self._send(500, b"boom")
        elif path == "/hang":
            server.release.wait(10)  # far beyond any check's timeout; released when the test ends
            self.close_connection = True
        elif path == "/garbage":
            self.wfile.write(b"\x00\xffTHIS IS NOT HTTP\r\n\r\n")
            self.close_connection = True
        elif path == "/loop":
            self._send(302, b"", {"Location": "/loop"})
        elif path.startswith("/to/"):
            self._send(302, b"", {"Location": "http://" + path[4:]})
        else:
            self._send(404, b"not found")

    def do_POST(self) -> None:  # noqa: N802 - the webhook receiver
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        server.received.append(self.rfile.read(length))
        if len(server.received) <= server.fail_first:
            self._send(500, b"not yet")
        else:
            self._send(200, b"thanks")


class BadServer:
    """A ThreadingHTTPServer on 127.0.0.1; `healthy` clears to answer 503 everywhere;
    `fail_first` POSTs answer 500 (a flaky webhook receiver)."""

    def __init__(self, context: ssl.SSLContext | None = None, fail_first: int = 0):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.healthy, self.server.release = threading.Event(), threading.Event()
        self.server.healthy.set()
        self.server.hits, self.server.received, self.server.fail_first = 0, [], fail_first
        if context is not None:
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.scheme = "https" if context is not None else "http"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def __enter__(self) -> BadServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.release.set()
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
