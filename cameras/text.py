"""Text on frames without cv2.putText in long-lived threads.

OpenCV 5's putText/getTextSize keep about 6 MB of font state per calling thread; with one reader
thread per camera that was 1.2 GB for 200 cameras. So glyphs of printable ASCII are rendered once,
in a short-lived thread (its per-thread state is freed when it ends), and strings are drawn by
blending those masks with numpy.
"""
from __future__ import annotations

import threading

import cv2
import numpy as np

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_lock = threading.Lock()
_atlases: dict[tuple[float, int], "_Atlas"] = {}


class _Atlas:
    def __init__(self, scale: float, thickness: int):
        self.glyphs: dict[str, np.ndarray] = {}
        self.ascent = 0
        self.height = 0

        def build() -> None:
            (_, asc), base = cv2.getTextSize("Ag", _FONT, scale, thickness)
            self.ascent, self.height = asc + thickness, asc + base + 2 * thickness
            for code in range(32, 127):
                ch = chr(code)
                (w, _), _ = cv2.getTextSize(ch, _FONT, scale, thickness)
                mask = np.zeros((self.height, max(1, w + thickness)), np.uint8)
                cv2.putText(mask, ch, (0, self.ascent), _FONT, scale, 255, thickness, cv2.LINE_AA)
                self.glyphs[ch] = mask

        t = threading.Thread(target=build, name="glyph-atlas")
        t.start()
        t.join()

    def mask(self, text: str) -> np.ndarray:
        fallback = self.glyphs["?"]
        return np.concatenate([self.glyphs.get(c, fallback) for c in text] or [self.glyphs[" "]], axis=1)


def _atlas(scale: float, thickness: int) -> _Atlas:
    key = (scale, thickness)
    a = _atlases.get(key)
    if a is None:
        with _lock:
            a = _atlases.get(key)
            if a is None:
                a = _atlases[key] = _Atlas(scale, thickness)
    return a


def draw_text(img: np.ndarray, text: str, org: tuple[int, int], scale: float = 0.42, color=(255, 255, 255),
              thickness: int = 1) -> None:
    """Draw text with its baseline at org (like cv2.putText), clipped to the image."""
    atlas = _atlas(scale, thickness)
    mask = atlas.mask(text)
    x, y = org[0], org[1] - atlas.ascent
    h, w = img.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(w, x + mask.shape[1]), min(h, y + mask.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    m = mask[y0 - y : y1 - y, x0 - x : x1 - x]
    region = img[y0:y1, x0:x1]
    a = (m.astype(np.uint16) + 1)[..., None]  # 1..256
    col = np.array(color, np.uint16)[: region.shape[2]] if region.ndim == 3 else np.uint16(color if np.isscalar(color) else color[0])
    if region.ndim == 2:
        a = a[..., 0]
    region[:] = ((region.astype(np.uint16) * (256 - a) + col * a) >> 8).astype(np.uint8)
