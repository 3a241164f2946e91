"""Real encoded video clips for the camera tests and benchmarks: H.264 (libx264 through PyAV, a key
frame every `gop` frames as IP cameras send) and MPEG-4 Part 2 (OpenCV's FFmpeg 'mp4v').

Frame i of a clip shows a moving scene with its number written in binary along the top (BITS white
or black blocks), so a test can tell from a picture (even a thumbnail JPEG) which frame it is:
`frame_index(img)`.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

BITS = 10
BAND = 0.15
"""The top part of the picture (share of its height) that carries the frame number."""


def frame_index(img: np.ndarray) -> int:
    """Which frame of a clip `img` shows, read from the blocks along its top."""
    h, w = img.shape[:2]
    band = img[1 : max(2, int(h * BAND) - 1)]
    bits = [band[:, w * b // BITS + 2 : w * (b + 1) // BITS - 2].mean() > 128 for b in range(BITS)]
    return sum(1 << b for b, on in enumerate(bits) if on)


def scene(i: int, size: tuple[int, int]) -> np.ndarray:
    """Frame i: textured ground moving sideways, a ball, and the frame number (written, and in blocks on top)."""
    w, h = size
    rng = np.random.default_rng(1)
    ground = cv2.resize(rng.integers(0, 255, (max(1, h // 8), max(1, w // 8), 3), np.uint8), size, interpolation=cv2.INTER_LINEAR)
    img = np.roll(ground, i * 6, axis=1)
    for b in range(BITS):
        img[: int(h * BAND), w * b // BITS : w * (b + 1) // BITS] = 255 if i >> b & 1 else 0
    cv2.circle(img, (int(w / 2 + w / 3 * np.sin(i / 10)), h * 3 // 5), max(4, h // 12), (0, 200, 255), -1)
    cv2.putText(img, f"{i:04d}", (w // 30, h * 9 // 10), cv2.FONT_HERSHEY_SIMPLEX, h / 360, (255, 255, 255), max(1, h // 180))
    return img


def write_h264(path: Path, frames: int, fps: int = 25, size: tuple[int, int] = (1280, 720), gop: int = 50) -> Path:
    """An H.264 clip in MP4 (libx264 without B-frames, as cameras stream), a key frame every `gop` frames."""
    import av

    w, h = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"g": str(gop), "keyint_min": str(gop), "sc_threshold": "0", "preset": "veryfast", "tune": "zerolatency"}
        for i in range(frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(scene(i, size), format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_mpeg4(path: Path, frames: int, fps: float = 25.0, size: tuple[int, int] = (1280, 720)) -> Path:
    """An MPEG-4 Part 2 clip (OpenCV's FFmpeg 'mp4v', its default key frame interval)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    for i in range(frames):
        writer.write(scene(i, size))
    writer.release()
    return path
