"""A real HTTP camera for the tests: threaded http.server on 127.0.0.1, random port.

    /stream?fps=&w=&h=     multipart/x-mixed-replace MJPEG, frames carry a counter
    /stall?n=              MJPEG that sends n frames, then keeps the connection open silently
    /snapshot.jpg          one JPEG per request (ONVIF-style snapshot URL)
    /page                  text/html (not a camera)

Counts connections per path, so tests can prove one decode serves many viewers.
"""
from __future__ import annotations

import collections
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import cv2
import numpy as np


def make_jpeg(n: int, w: int = 160, h: int = 120) -> bytes:
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = (n * 7 % 255, 80, 160)
    cv2.putText(img, str(n), (5, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return buf.tobytes()


class MjpegServer:
    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.connections: collections.Counter[str] = collections.Counter()
        self.open_streams = 0
        self.max_open_streams = 0
        """The most streams open at once since start (or since it was last set to 0)."""
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                url = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                with outer._lock:
                    outer.connections[url.path] += 1
                try:
                    if url.path == "/stream":
                        outer._stream(self, float(q.get("fps", 25)), int(q.get("w", 160)), int(q.get("h", 120)), None)
                    elif url.path == "/stall":
                        outer._stream(self, 25.0, 160, 120, int(q.get("n", 5)))
                    elif url.path == "/snapshot.jpg":
                        body = make_jpeg(outer.connections[url.path])
                        self.send_response(200)
                        self.send_header("Content-Type", "image/jpeg")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    elif url.path == "/page":
                        body = b"<html>not a camera</html>"
                        self.send_response(200)
                        self.send_header("Content-Type", "text/html")
                        self.end_headers()
                        self.wfile.write(body)
                    else:
                        self.send_error(404)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _stream(self, h: BaseHTTPRequestHandler, fps: float, w: int, hh: int, limit: int | None) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "multipart/x-mixed-replace; boundary=cam")
        h.end_headers()
        stalling = limit is not None
        with self._lock:
            self.open_streams += not stalling  # a stalled handler cannot notice the client leaving
            self.max_open_streams = max(self.max_open_streams, self.open_streams)
        try:
            n = 0
            while not self.stopping.is_set():
                if limit is not None and n >= limit:
                    self.stopping.wait(30)  # stall: connection open, no more data
                    return
                jpeg = make_jpeg(n, w, hh)
                h.wfile.write(b"--cam\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(jpeg) + jpeg + b"\r\n")
                h.wfile.flush()
                n += 1
                time.sleep(1.0 / fps)
        finally:
            with self._lock:
                self.open_streams -= not stalling

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> "MjpegServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
