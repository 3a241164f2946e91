"""Photos sent with a complaint: only JPEG or PNG, size-limited, re-encoded without any EXIF data
(place, camera, time) except the orientation, so the picture still shows the right way up."""
from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
"""A decompression bomb (a small file that unpacks to gigabytes) is refused before it is decoded."""
ORIENTATION_TAG = 0x0112
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


class PhotoRefused(ValueError):
    """`code`: "photo_size" (over the limit or too many pixels) or "photo_type" (not a JPEG or PNG picture)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def clean_photo(data: bytes, max_bytes: int = MAX_PHOTO_BYTES) -> tuple[bytes, str]:
    """The photo re-encoded without metadata but its orientation, and its mime type."""
    if len(data) > max_bytes:
        raise PhotoRefused("photo_size")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise PhotoRefused("photo_type")
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRefused("photo_size")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        if isinstance(error, PhotoRefused):
            raise
        raise PhotoRefused("photo_type") from None
    out = io.BytesIO()
    if image.format == "JPEG":
        kept = Image.Exif()
        orientation = image.getexif().get(ORIENTATION_TAG)
        if orientation:
            kept[ORIENTATION_TAG] = orientation
        image.convert("RGB").save(out, "JPEG", quality=88, exif=kept.tobytes())
        return out.getvalue(), FORMATS["JPEG"]
    clean = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    clean.save(out, "PNG", optimize=True)
    return out.getvalue(), FORMATS["PNG"]
