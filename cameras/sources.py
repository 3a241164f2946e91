"""Open and read one camera stream, whatever its scheme. Every read is bounded in time.

A source is either *push* (the camera sends frames on its own: RTSP, HTTP MJPEG, a local video file;
the stream must be drained continuously while open) or *pull* (a frame is produced on request: HTTP
snapshot URLs, the demo scene). The reader (reader.py) uses that to decode only what is needed.

    rtsp://, rtsps://          FFmpeg through PyAV, open/read timeouts, TCP transport
    http(s):// MJPEG           multipart/x-mixed-replace parsed here, JPEGs decoded by cv2.imdecode
    http(s):// snapshot        image/jpeg per request (ONVIF snapshot URI), one GET per frame
    file:///abs, rel/path      FFmpeg through PyAV, under settings.media_root, looped at the file's fps
    demo://<camera_id>         synthetic street scene drawn with cv2 (no network)

The kind of an http(s) URL is found from the Content-Type of its first response. While nobody watches
a camera live, the reader asks for key frames only (`key_frames_only`): a stream of H.264 or MPEG-4
then costs one decoded key frame per thumbnail; JPEG cameras and the demo make whole pictures anyway.
"""
from __future__ import annotations

import base64
import http.client
import socket
import time
import urllib.error
import urllib.request
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import av
import cv2
import numpy as np

from i18n.format import WIT

from config.cameras import AddressPolicy, CameraSettings, CameraSpec, ConfigError, pin_address, redact_url, resolve_media_path
from .text import draw_text


class SourceError(Exception):
    """The stream could not be opened or read. The message (English, technical) is the camera's
    last_error for technicians and logs; ``code`` says what kind of trouble it is, in words an
    operator reads in their language (i18n "cam.error.<code>"): see :data:`ERROR_CODES`."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


ERROR_CODES = ("no_connection", "http_error", "not_video", "stalled", "closed", "too_large", "file", "config", "unexpected")


class Source(Protocol):
    pull: bool
    nominal_fps: float | None
    key_frames_only: bool  # set by the reader: True while no picture is needed but the next thumbnail
    frames_decoded: int  # pictures decoded since the source was opened
    key_frames_decoded: int  # of them, pictures that decode alone (key frames, JPEGs, renders)

    def read(self) -> np.ndarray: ...  # a BGR frame or SourceError; never blocks past the timeouts

    def grab(self) -> None: ...  # push sources: advance without converting the frame

    def close(self) -> None: ...


def cap_frame(img: np.ndarray, max_width: int) -> np.ndarray:
    """Downscale frames wider than max_width (bounded memory and work per frame)."""
    h, w = img.shape[:2]
    if w <= max_width:
        return img
    nh = max(1, round(h * max_width / w))
    return cv2.resize(img, (max_width, nh), interpolation=cv2.INTER_AREA)


# --------------------------------------------------------------------------- FFmpeg (PyAV)
class StreamSource:
    """RTSP streams and local video files, demuxed and decoded by FFmpeg through PyAV.

    While `key_frames_only` (the reader sets it: nobody watches live, a thumbnail needs one picture)
    only key frames reach the decoder, and a read gives the latest key frame: the one picture of an
    H.264 or MPEG-4 stream that decodes alone, one frame in 50 of a camera sending a key frame every
    2 s at 25 fps. The picture may be up to one such interval older than the stream, which a 5-s
    thumbnail does not mind. Otherwise every frame is decoded, from the next key frame on. OpenCV's VideoCapture
    decodes every frame it grabs and cannot skip to key frames, hence PyAV here; OpenCV still decodes
    JPEG cameras, scales and encodes.

    A local file plays as if it were live: opened where the clock is (at the key frame before), paced
    at its own frame rate, looped. `frames_decoded` / `key_frames_decoded` count what the decoder made.
    """

    pull = False

    def __init__(self, target: str, settings: CameraSettings, *, loop: bool, label: str):
        self.label = label
        self.loop = loop
        self.settings = settings
        self.key_frames_only = True
        self.frames_decoded = 0
        self.key_frames_decoded = 0
        # FFmpeg's stream probe decodes frames too (7 frames of H.264, 17 ms for a 720p file):
        # key frames only there as well
        options = {"skip_frame": "nonkey"}
        if not loop:  # a live stream's probe, which cannot count 7 frames on key frames alone, stops after this long
            options |= {"rtsp_transport": settings.rtsp_transport, "analyzeduration": str(int(settings.stream_probe_s * 1e6))}
        what = "video file" if loop else "stream"
        try:
            container = av.open(target, options=options, timeout=(settings.open_timeout_s, settings.read_timeout_s))
        except (av.FFmpegError, OSError):
            raise SourceError(f"cannot open {what} {label} (no answer, refused, or not video)", "file" if loop else "no_connection") from None
        if not container.streams.video:
            container.close()
            raise SourceError(f"{label}: the {what} has no video", "not_video")
        self.container = container
        self.stream = container.streams.video[0]
        # one decoding thread: the service runs hundreds of cameras side by side, and a single-threaded
        # decoder gives each key frame's picture at once (frame threads hold pictures back)
        self.stream.codec_context.thread_count = 1
        rate = self.stream.average_rate or self.stream.guessed_rate
        self.nominal_fps = float(rate) if rate and 0 < rate <= 120 else None
        self._period = 1.0 / (self.nominal_fps or 25.0) if loop else 0.0
        self._next = time.monotonic()
        self._key_packet: av.Packet | None = None  # the latest key frame not decoded yet
        self._in_step = False  # the decoder has had every packet since the last key frame
        if loop:  # a reopened file goes on where the clock is, not at its start
            tb = self.stream.time_base
            seconds = float(self.stream.duration * tb) if self.stream.duration else (container.duration or 0) / 1e6
            if seconds > 0:
                try:
                    self._seek((self.stream.start_time or 0) + int(time.time() % seconds / tb))
                except SourceError:
                    container.close()
                    raise
        self._packets = container.demux(self.stream)

    def _seek(self, position: int) -> None:
        try:
            self.container.seek(position, stream=self.stream, backward=True, any_frame=False)
        except (av.FFmpegError, OSError):
            raise SourceError(f"{self.label}: cannot seek in the video file", "file") from None

    def _pace(self, wait: bool) -> None:
        """Each packet takes one frame period of a file; only packets to be used are waited for."""
        if self._period:
            now = time.monotonic()
            if wait and self._next > now:
                time.sleep(self._next - now)
            self._next = max(self._next + self._period, now - self._period)

    def _packet(self, wait: bool) -> av.Packet:
        """The next packet of the video stream (a file loops at its end), within the read timeout."""
        for attempt in range(2):
            try:
                for packet in self._packets:
                    if packet.size:  # demux ends with an empty packet that flushes the decoder
                        self._pace(wait or packet.is_keyframe)
                        return packet
            except (av.FFmpegError, OSError) as exc:
                raise SourceError(f"{self.label}: no data within {self.settings.read_timeout_s:g} s (stalled): {exc}", "stalled") from None
            if self.loop and attempt == 0:
                self._seek(self.stream.start_time or 0)
                self._packets = self.container.demux(self.stream)
                continue
            break
        if self.loop:
            raise SourceError(f"{self.label}: no frame could be read from the file", "file")
        raise SourceError(f"{self.label}: the server closed the stream", "closed")

    def _decode(self, packet: av.Packet | None) -> list[av.VideoFrame]:
        """Feed one packet to the decoder (None: empty it): its pictures, none for a damaged packet."""
        try:
            frames = self.stream.codec_context.decode(packet)
        except (av.FFmpegError, OSError):  # a damaged packet: decode again from the next key frame
            self._in_step = False
            return []
        self._in_step = True
        self.frames_decoded += len(frames)
        self.key_frames_decoded += sum(1 for f in frames if f.key_frame)
        return frames

    def _picture(self, frame: av.VideoFrame) -> np.ndarray:
        w, h = frame.width, frame.height
        cap = self.settings.max_frame_width
        if w > cap:  # scaled while converting, in one pass
            return frame.to_ndarray(format="bgr24", width=cap, height=max(1, round(h * cap / w)))
        return frame.to_ndarray(format="bgr24")

    def _decode_alone(self, packet: av.Packet) -> list[av.VideoFrame]:
        """A key frame decoded on its own and the decoder emptied after it: its picture comes out now,
        whatever delay the codec has (B-frames), and the next key frame starts afresh."""
        frames = self._decode(packet) or self._decode(None)
        self.stream.codec_context.flush_buffers()
        self._in_step = False
        return frames

    def read(self) -> np.ndarray:
        """The next picture: the latest key frame while `key_frames_only`, else the next frame."""
        deadline = time.monotonic() + self.settings.key_frame_wait_s
        if not self.key_frames_only:
            self._key_packet = None  # the packets after it were dropped: decode from the next key frame on
        while time.monotonic() < deadline:
            if self.key_frames_only:
                packet, self._key_packet = self._key_packet or self._packet(wait=False), None
                if not packet.is_keyframe:
                    self._in_step = False
                    continue
                frames = self._decode_alone(packet)
            else:
                packet = self._packet(wait=True)
                if not (packet.is_keyframe or self._in_step):
                    continue  # a P-frame needs the pictures before it
                frames = self._decode(packet)
            if frames:
                return self._picture(frames[-1])
        raise SourceError(f"{self.label}: no picture within {self.settings.key_frame_wait_s:g} s "
                          "(no key frame, or the stream does not decode)", "stalled")

    def grab(self) -> None:
        """Drain one packet; while `key_frames_only` a key frame is kept, not decoded, for the next read."""
        packet = self._packet(wait=True)
        if self.key_frames_only:
            if packet.is_keyframe:
                self._key_packet = packet
            self._in_step = False
        elif packet.is_keyframe or self._in_step:
            self._decode(packet)

    def close(self) -> None:
        self.container.close()


# --------------------------------------------------------------------------- HTTP
def _http_request(url: str) -> urllib.request.Request:
    parts = urlsplit(url)
    headers = {"User-Agent": "AmbonCommandCenter/1.0", "Accept": "multipart/x-mixed-replace, image/jpeg, */*"}
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    if parts.username is not None:  # user:pass@host → Basic auth header (urllib does not do it)
        token = f"{parts.username}:{parts.password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
    clean = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return urllib.request.Request(clean, headers=headers)


ADDRESS_REFUSED = "the stream's address is not one cameras may use (CAMERA_NETWORKS)"
"""The one wording for every refused address, so that it tells nothing about the network."""


def _pinned(url: str, policy: AddressPolicy | None) -> tuple[str, str]:
    """config.cameras.pin_address for a connection made now: (URL to connect to, its address);
    SourceError when the address is refused or the name does not resolve."""
    try:
        return pin_address(0, url, policy)
    except ConfigError:
        raise SourceError(ADDRESS_REFUSED, "config") from None
    except (OSError, UnicodeError) as exc:
        raise SourceError(f"{redact_url(url)}: cannot look up the host ({exc})", "no_connection") from None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to `address`, whatever the host's name resolves to by then. http.client keeps using
    the name (self.host) for the Host header and, in the HTTPS subclass, for the TLS server name
    (SNI) and the certificate's name check."""

    def __init__(self, host: str, *, address: str, **kwargs):
        super().__init__(host, **kwargs)
        self._create_connection = lambda host_port, *args: socket.create_connection((address, host_port[1]), *args)


class _PinnedHTTPSConnection(_PinnedHTTPConnection, http.client.HTTPSConnection):
    pass


class _PinnedHandler(urllib.request.HTTPSHandler, urllib.request.HTTPHandler):
    """Sends every request (the camera's URL, each snapshot, each redirect) to an address judged
    under the camera networks right before: the name is looked up once, by `_pinned`."""

    def __init__(self, policy: AddressPolicy | None):
        super().__init__()
        self.policy = policy

    def http_open(self, req):
        return self.do_open(_PinnedHTTPConnection, req, address=_pinned(req.full_url, self.policy)[1])

    def https_open(self, req):
        return self.do_open(_PinnedHTTPSConnection, req, address=_pinned(req.full_url, self.policy)[1], context=self._context)


def _camera_opener(policy: AddressPolicy | None) -> urllib.request.OpenerDirector:
    """http and https only, each connection pinned; no proxy (it would look the name up again) and
    no other scheme a redirect could lead to (ftp://, file://: urllib's defaults)."""
    opener = urllib.request.OpenerDirector()
    for handler in (_PinnedHandler(policy), urllib.request.HTTPRedirectHandler(), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor(), urllib.request.UnknownHandler()):
        opener.add_handler(handler)
    return opener


def _set_read_timeout(resp, seconds: float) -> None:
    """After connecting (open timeout), each recv waits at most the read timeout."""
    try:
        resp.fp.raw._sock.settimeout(seconds)
    except AttributeError:  # pragma: no cover - other response types keep the open timeout
        pass


class HttpSource:
    """An HTTP camera: an MJPEG stream (push) or a snapshot URL (pull), told apart by Content-Type."""

    def __init__(self, url: str, settings: CameraSettings):
        self.url = url
        self.label = redact_url(url)
        self.settings = settings
        self.key_frames_only = False  # every JPEG is a whole picture
        self.frames_decoded = self.key_frames_decoded = 0
        self._resp = None
        self._buf = bytearray()
        self._first: bytes | None = None
        resp = self._open()
        ctype = resp.headers.get_content_type()
        if ctype.startswith("multipart/"):
            self.pull = False
            self.nominal_fps = None
            self._resp = resp
        elif ctype.startswith("image/"):
            self.pull = True
            self.nominal_fps = settings.snapshot_poll_fps
            try:
                self._first = self._read_body(resp)
            finally:
                resp.close()
        else:
            resp.close()
            raise SourceError(
                f"{self.label}: Content-Type {ctype!r} is neither an MJPEG stream "
                "(multipart/x-mixed-replace) nor a JPEG snapshot (image/jpeg)", "not_video"
            )

    def _open(self):
        try:
            resp = _camera_opener(self.settings.address_policy).open(_http_request(self.url), timeout=self.settings.open_timeout_s)
            _set_read_timeout(resp, self.settings.read_timeout_s)
            return resp
        except urllib.error.HTTPError as exc:
            raise SourceError(f"{self.label}: HTTP {exc.code} {exc.reason}", "http_error") from None
        except urllib.error.URLError as exc:
            raise SourceError(f"{self.label}: {exc.reason}", "no_connection") from None
        except (OSError, ValueError) as exc:
            raise SourceError(f"{self.label}: {exc}", "no_connection") from None

    def _read_body(self, resp) -> bytes:
        data = bytearray()
        deadline = time.monotonic() + self.settings.read_timeout_s
        try:
            while True:
                chunk = resp.read1(65536)
                if not chunk:
                    return bytes(data)
                data += chunk
                if len(data) > self.settings.max_frame_bytes:
                    raise SourceError(f"{self.label}: snapshot larger than {self.settings.max_frame_bytes} bytes", "too_large")
                if time.monotonic() > deadline:
                    raise SourceError(f"{self.label}: snapshot took longer than {self.settings.read_timeout_s:g} s", "stalled")
        except (OSError, ValueError) as exc:  # socket timeout included
            raise SourceError(f"{self.label}: {exc or 'read timed out'}", "stalled") from None

    def _decode(self, jpeg: bytes) -> np.ndarray:
        img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        if img is None or not img.size:
            raise SourceError(f"{self.label}: received data is not a decodable image", "not_video")
        self.frames_decoded += 1
        self.key_frames_decoded += 1
        return cap_frame(img, self.settings.max_frame_width)

    def _next_jpeg(self) -> bytes:
        """The next complete JPEG (SOI..EOI) of the multipart stream, within the read timeout."""
        assert self._resp is not None
        buf = self._buf
        deadline = time.monotonic() + self.settings.read_timeout_s
        while True:
            soi = buf.find(b"\xff\xd8")
            if soi >= 0:
                eoi = buf.find(b"\xff\xd9", soi + 2)
                if eoi >= 0:
                    jpeg = bytes(buf[soi : eoi + 2])
                    del buf[: eoi + 2]
                    return jpeg
                if soi > 0:
                    del buf[:soi]
            elif len(buf) > 1:
                del buf[:-1]
            if len(buf) > self.settings.max_frame_bytes:
                raise SourceError(f"{self.label}: frame larger than {self.settings.max_frame_bytes} bytes", "too_large")
            if time.monotonic() > deadline:
                raise SourceError(f"{self.label}: no complete frame within {self.settings.read_timeout_s:g} s (stalled)", "stalled")
            try:
                chunk = self._resp.read1(65536)
            except (OSError, ValueError) as exc:
                raise SourceError(f"{self.label}: no data within {self.settings.read_timeout_s:g} s (stalled): {exc}", "stalled") from None
            if not chunk:
                raise SourceError(f"{self.label}: the server closed the stream", "closed")
            buf += chunk

    def read(self) -> np.ndarray:
        if not self.pull:
            return self._decode(self._next_jpeg())
        if self._first is not None:
            body, self._first = self._first, None
        else:
            resp = self._open()
            try:
                body = self._read_body(resp)
            finally:
                resp.close()
        return self._decode(body)

    def grab(self) -> None:
        if not self.pull:
            self._next_jpeg()  # drain without decoding

    def close(self) -> None:
        if self._resp is not None:
            try:
                self._resp.close()
            except OSError:
                pass
            self._resp = None


# --------------------------------------------------------------------------- demo
_KIND_COLOURS = {  # background BGR, accent
    "road": ((70, 70, 70), (230, 230, 230)),
    "river": ((120, 80, 30), (200, 170, 90)),
    "tps": ((40, 80, 90), (60, 160, 200)),
}


class DemoSource:
    """A synthetic street scene per camera: moving shapes, the camera's name and a clock (WIT).

    Pull source: a frame is drawn only when the reader asks for one (a thumbnail or a live viewer),
    at demo_size (small), so hundreds of demo cameras cost little."""

    pull = True

    def __init__(self, spec: CameraSpec, settings: CameraSettings):
        self.spec = spec
        self.nominal_fps = settings.demo_fps
        self.key_frames_only = False  # every render is a whole picture
        self.frames_decoded = self.key_frames_decoded = 0
        w, h = settings.demo_size
        self.size = (w, h)
        rng = np.random.default_rng(spec.id)
        bg, accent = _KIND_COLOURS.get(spec.kind, _KIND_COLOURS["road"])
        base = np.empty((h, w, 3), np.uint8)
        base[:] = bg
        cv2.rectangle(base, (0, 0), (w, h // 4), (170, 140, 110), -1)  # sky band
        for x in range(0, w, 48):  # lane marks / ripples / fence posts
            cv2.line(base, (x, h * 3 // 5), (x + 24, h * 3 // 5), accent, 2)
        for _ in range(6):  # a few fixed "buildings"
            x0 = int(rng.integers(0, w - 40))
            bw, bh = int(rng.integers(20, 50)), int(rng.integers(15, h // 4))
            colour = tuple(int(c) for c in rng.integers(60, 200, 3))
            cv2.rectangle(base, (x0, h // 4 - bh), (x0 + bw, h // 4), colour, -1)
        self.base = base
        self.frame = np.empty_like(base)
        self.movers = [  # (speed px/s, lane y, length, colour, phase)
            (
                float(rng.uniform(25, 90)) * (1 if i % 2 else -1),
                int(h * (0.35 + 0.15 * i)),
                int(rng.integers(18, 40)),
                tuple(int(c) for c in rng.integers(40, 255, 3)),
                float(rng.uniform(0, w)),
            )
            for i in range(4)
        ]
        self.label = f"{spec.id} {spec.name}"[:40]

    def read(self) -> np.ndarray:
        w, h = self.size
        t = time.time()
        img = self.frame
        np.copyto(img, self.base)
        for speed, y, length, colour, phase in self.movers:
            x = int((phase + speed * t) % (w + length)) - length
            cv2.rectangle(img, (x, y - 8), (x + length, y + 8), colour, -1)
        bx = int((w / 2) + (w / 3) * np.sin(t * 0.7 + self.spec.id))
        cv2.circle(img, (bx, h // 5), 10, (0, 200, 255), -1)
        cv2.rectangle(img, (0, h - 22), (w, h), (0, 0, 0), -1)
        draw_text(img, self.label, (4, h - 7), 0.42, (255, 255, 255), 1)
        clock = datetime.fromtimestamp(t, WIT).strftime("%d-%m-%Y %H:%M:%S.%f")[:-4] + " WIT"
        draw_text(img, clock, (4, 14), 0.42, (255, 255, 255), 1)
        self.frames_decoded += 1
        self.key_frames_decoded += 1
        return img.copy()

    def grab(self) -> None:
        pass

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------- factory
def open_source(spec: CameraSpec, settings: CameraSettings) -> Source:
    """Open the camera's stream; SourceError with an operator-readable message when that fails."""
    url = spec.stream_url
    scheme = urlsplit(url).scheme.lower() if "://" in url else "file"
    try:
        if scheme == "demo":
            return DemoSource(spec, settings)
        if scheme in ("http", "https"):
            return HttpSource(url, settings)  # its requests go to addresses judged right before (_PinnedHandler)
        if scheme in ("rtsp", "rtsps"):
            # FFmpeg is given the judged address in place of the name, which it would look up again.
            # What that costs: nothing for RTSP, which has no virtual hosting (the request line names
            # the address; cameras do not check it); for rtsps, the TLS server name (SNI) is not sent,
            # and FFmpeg verifies no certificate unless told to (tls_verify, not set here). Of a name
            # with several addresses, the first is tried only.
            target, _ = _pinned(url, settings.address_policy)
            return StreamSource(target, settings, loop=False, label=redact_url(url))
        path = urlsplit(url).path if "://" in url else url
        p = resolve_media_path(spec.id, path, settings.media_root)
        if not p.is_file():
            raise SourceError(f"video file {str(p)!r} not found", "file")
        return StreamSource(str(p), settings, loop=True, label=p.name)
    except ConfigError as exc:
        raise SourceError(exc.message, "config") from None
