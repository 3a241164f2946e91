"""A camera URL given by host name connects to the address that was judged, not to whatever a
second lookup answers (DNS rebinding): HTTP and HTTPS cameras, their redirects and RTSP through FFmpeg,
against real local servers, with a resolver that answers a camera network address first and the
server's own loopback afterwards."""
from __future__ import annotations

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cameras.sources import SourceError, open_source
from config.cameras import AddressPolicy, CameraSpec, ConfigError, pin_address
from monitor.demo import make_authority, make_certificate, server_context
from tests.helpers.mjpeg_server import make_jpeg

CAMERA, INTERNAL = "127.0.0.2", "127.0.0.1"
"""The camera network is 127.0.0.2/32; 127.0.0.1 stands for the server itself (Redis, metadata)."""


class RebindingResolver:
    """socket.getaddrinfo for names in `answers`: each name's first answer, then its second one for
    every later lookup; other names are looked up for real. Counts lookups per name."""

    def __init__(self, monkeypatch, answers: dict[str, tuple[str, str]]):
        self.answers, self.lookups, self.real = answers, {name: 0 for name in answers}, socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host, port, *args, **kwargs):
        if host not in self.answers:
            return self.real(host, port, *args, **kwargs)
        self.lookups[host] += 1
        address = self.answers[host][min(self.lookups[host], 2) - 1]
        return self.real(address, port, *args, **kwargs)


class Camera:
    """An HTTP(S) server on `address`:`port` answering a JPEG snapshot, or a redirect to `redirect`
    (a format string given the port); records the Host header and TLS server name of each request."""

    def __init__(self, address: str, port: int = 0, *, redirect: str | None = None, tls: ssl.SSLContext | None = None):
        self.hosts: list[str] = []
        self.server_names: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.hosts.append(self.headers["Host"])
                if redirect:
                    self.send_response(302)
                    self.send_header("Location", redirect.format(port=outer.port))
                    self.end_headers()
                    return
                body = make_jpeg(len(outer.hosts))
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((address, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        if tls:
            tls.sni_callback = lambda sock, name, context: self.server_names.append(name)
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def camera_and_internal():
    """A camera on 127.0.0.2 and a look-alike on 127.0.0.1 at the same port."""
    internal = Camera(INTERNAL)
    camera = Camera(CAMERA, internal.port)
    yield camera, internal
    camera.close()
    internal.close()


def guarded(settings):
    return settings.replace(address_policy=AddressPolicy.parse([f"{CAMERA}/32"]))


def spec(url: str) -> CameraSpec:
    return CameraSpec(id=1, name="Kamera 1", kind="road", stream_url=url)


def test_an_http_camera_by_name_is_reached_at_the_address_judged(settings, camera_and_internal, monkeypatch):
    camera, internal = camera_and_internal
    resolver = RebindingResolver(monkeypatch, {"camera.test": (CAMERA, INTERNAL)})
    src = open_source(spec(f"http://camera.test:{camera.port}/snapshot.jpg"), guarded(settings))
    try:
        assert src.read().shape == (120, 160, 3)
        assert camera.hosts == [f"camera.test:{camera.port}"] and internal.hosts == []
        assert resolver.lookups["camera.test"] == 1, "looked up once, connected to that answer"
        # the next snapshot is a new request: looked up again, the new answer judged, and refused
        with pytest.raises(SourceError, match="not one cameras may use") as refused:
            src.read()
        assert refused.value.code == "config" and internal.hosts == []
    finally:
        src.close()


def test_a_redirect_by_name_is_reached_at_the_address_judged(settings, camera_and_internal, monkeypatch):
    camera, internal = camera_and_internal
    RebindingResolver(monkeypatch, {"moved.test": (CAMERA, INTERNAL)})
    redirector = Camera(CAMERA, redirect="http://moved.test:%d/snapshot.jpg" % camera.port)
    try:
        src = open_source(spec(f"http://{CAMERA}:{redirector.port}/"), guarded(settings))
        src.close()
        assert camera.hosts == [f"moved.test:{camera.port}"] and internal.hosts == []
    finally:
        redirector.close()


def test_a_redirect_to_another_scheme_is_not_followed(settings):
    listener = socket.socket()
    listener.bind((CAMERA, 0))
    listener.listen(4)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    redirector = Camera(CAMERA, redirect=f"ftp://{CAMERA}:{port}/snapshot.jpg")
    try:
        with pytest.raises(SourceError, match="unknown url type"):
            open_source(spec(f"http://{CAMERA}:{redirector.port}/"), guarded(settings))
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody was sent there (a connection made would be waiting by now)
    finally:
        redirector.close()
        listener.close()


def test_an_https_camera_by_name_keeps_its_name_for_tls(settings, monkeypatch, tmp_path):
    authority = make_authority()
    (tmp_path / "ca.pem").write_bytes(authority[0])
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # the HTTPS camera's authority is trusted
    RebindingResolver(monkeypatch, {"camera.test": (CAMERA, INTERNAL)})
    camera = Camera(CAMERA, tls=server_context(*make_certificate(30, hosts=("camera.test",), issuer=authority)))
    try:
        src = open_source(spec(f"https://camera.test:{camera.port}/snapshot.jpg"), guarded(settings))
        src.close()
        # reached at the judged address; the TLS server name, the certificate checked and Host: the name
        assert camera.server_names == ["camera.test"] and camera.hosts == [f"camera.test:{camera.port}"]
    finally:
        camera.close()


def test_an_rtsp_camera_by_name_is_given_to_ffmpeg_as_the_address_judged(settings, rtsp_url, monkeypatch):
    # FFmpeg looks names up itself, outside Python: it could not find camera.test at all. That it
    # decodes the stream shows it was handed the address judged here.
    RebindingResolver(monkeypatch, {"camera.test": (INTERNAL, CAMERA)})
    by_name = rtsp_url.replace(INTERNAL, "camera.test")
    allowed = settings.replace(address_policy=AddressPolicy.parse([f"{INTERNAL}/32"]), read_timeout_s=3.0, open_timeout_s=5.0)
    src = open_source(spec(by_name), allowed)
    try:
        assert src.read().shape == (240, 320, 3)
        assert src.label == by_name  # the operator sees the name
    finally:
        src.close()


def test_a_name_that_does_not_resolve_is_no_connection(settings):
    with pytest.raises(SourceError) as failed:
        open_source(spec("rtsp://no-such-camera.invalid/s1"), guarded(settings))
    assert failed.value.code == "no_connection" and "no-such-camera.invalid" in str(failed.value)


@pytest.mark.parametrize("url, answer, pinned", [
    ("rtsp://admin:s%40cret@cam.test:8554/live/1?channel=2&pwd=x", "10.0.0.5",
     "rtsp://admin:s%40cret@10.0.0.5:8554/live/1?channel=2&pwd=x"),
    ("rtsps://cam.test/s1", "fd00::5", "rtsps://[fd00::5]/s1"),
    ("rtsp://user@cam.test:554", "10.0.0.5", "rtsp://user@10.0.0.5:554"),
    ("rtsp://10.0.0.6:554/s1", "10.0.0.6", "rtsp://10.0.0.6:554/s1"),
])
def test_the_pinned_url_keeps_everything_but_the_name(monkeypatch, url, answer, pinned):
    RebindingResolver(monkeypatch, {"cam.test": (answer, "127.0.0.1")})
    policy = AddressPolicy.parse(["10.0.0.0/8", "fd00::/8"])
    assert pin_address(1, url, policy) == (pinned, answer)


def test_every_address_of_a_name_is_judged(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *args, **kwargs: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))])
    with pytest.raises(ConfigError, match="address cameras may not use"):
        pin_address(1, "http://cam.test/snapshot.jpg", AddressPolicy.parse(["10.0.0.0/8"]))
