"""Camera pictures sent once per frame, for every page that shows thumbnails (the map's panel, the
video wall, the flood page): a fresh thumbnail travels inside the callback's answer as a data: URL,
and only when its frame changed since the card last showed one; a camera without a fresh one shows
its OFFLINE card by a URL versioned by when it went offline, fetched once while it stays offline."""
from __future__ import annotations

from typing import Sequence

from dash import no_update

from cameras.health import OFFLINE
from layouts import camera_views


def pictures(board, records: Sequence[dict | None], shown, streams: dict[int, str] | None = None) -> tuple[list, list]:
    """(what each card shows now: [camera id, picture version], None for an empty card; the src to
    send each card: its picture where that differs from `shown`, what the cards showed as this
    returned it last, else no_update: the card keeps its picture). `shown` of another length (or
    None): nothing is known shown, every picture is sent. `streams`: card index -> a URL the card
    shows instead of the thumbnail (the wall's live tile), sent when it changes like a picture."""
    streams = streams or {}
    # an offline camera shows its grey OFFLINE card, even while its last picture is recent
    thumbnails = board.fresh_thumbnails([r["camera_id"] for i, r in enumerate(records)
                                         if r is not None and i not in streams and r.get("status") != OFFLINE])
    now = [None if r is None else [r["camera_id"], streams.get(i) or camera_views.picture_version(r, thumbnails.get(r["camera_id"]))]
           for i, r in enumerate(records)]
    before = shown if isinstance(shown, list) and len(shown) == len(records) else [None] * len(records)
    sources = [no_update if r is None or version == was else streams.get(i) or camera_views.picture_src(r, thumbnails.get(r["camera_id"]))
               for i, (r, version, was) in enumerate(zip(records, now, before))]
    return now, sources
