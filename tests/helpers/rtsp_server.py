"""A tiny RTSP server for the tests, run with Debian's /usr/bin/python3 (python3-gi lives there).

Serves a moving test pattern as RTP/JPEG at rtsp://127.0.0.1:<port>/cam on a free port, prints
"PORT <n>" once it listens, and exits when its stdin closes (so the test that started it never
leaves it behind). Needs gir1.2-gst-rtsp-server-1.0, python3-gi, gstreamer1.0-plugins-good/-base.
"""
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> None:
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service("0")
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        "( videotestsrc is-live=true pattern=ball "
        "! video/x-raw,width=320,height=240,framerate=15/1 "
        "! videoconvert ! video/x-raw,format=I420 ! jpegenc quality=70 ! rtpjpegpay name=pay0 pt=26 )"
    )
    factory.set_shared(True)
    server.get_mount_points().add_factory("/cam", factory)
    server.attach(None)
    print(f"PORT {server.get_bound_port()}", flush=True)
    loop = GLib.MainLoop()

    def wait_stdin() -> None:
        sys.stdin.read()
        GLib.idle_add(loop.quit)

    threading.Thread(target=wait_stdin, daemon=True).start()
    loop.run()


if __name__ == "__main__":
    main()
