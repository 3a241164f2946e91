"""A tiny RTSP server for the tests, run with Debian's /usr/bin/python3 (python3-gi lives there).

Serves a moving test pattern on a free port: as RTP/JPEG at rtsp://127.0.0.1:<port>/cam and, as IP
cameras send it, as H.264 (OpenH264) at /h264: 320x240, 25 fps, a key frame every 10 frames, or as
given by the arguments `WIDTH HEIGHT FPS KEY_INTERVAL` (bench/camera_service.py: 1280 720 25 50).
Prints "PORT <n> <mount> ..." once it listens, and exits when its stdin closes (so the test that
started it never leaves it behind). Needs gir1.2-gst-rtsp-server-1.0, python3-gi,
gstreamer1.0-plugins-good/-base, and gstreamer1.0-plugins-bad for /h264 (served only when it is there).
"""
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402



def main() -> None:
    width, height, fps, key_interval = (int(a) for a in sys.argv[1:5]) if len(sys.argv) > 4 else (320, 240, 25, 10)
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service("0")
    pattern = "videotestsrc is-live=true pattern=ball ! video/x-raw,width={w},height={h},framerate={fps}/1 " \
              "! videoconvert ! video/x-raw,format=I420"
    mounts = {"/cam": f"( {pattern.format(w=320, h=240, fps=15)} ! jpegenc quality=70 ! rtpjpegpay name=pay0 pt=26 )"}
    if all(Gst.ElementFactory.find(name) for name in ("openh264enc", "h264parse", "rtph264pay")):
        mounts["/h264"] = (f"( {pattern.format(w=width, h=height, fps=fps)} ! openh264enc gop-size={key_interval} "
                           "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )")
    for mount, launch in mounts.items():
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(True)
        server.get_mount_points().add_factory(mount, factory)
    server.attach(None)
    print(f"PORT {server.get_bound_port()} {' '.join(mounts)}", flush=True)
    loop = GLib.MainLoop()

    def wait_stdin() -> None:
        sys.stdin.read()
        GLib.idle_add(loop.quit)

    threading.Thread(target=wait_stdin, daemon=True).start()
    loop.run()


if __name__ == "__main__":
    main()
