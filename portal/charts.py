"""Small charts drawn as SVG coordinates on the server (no chart library reaches the phone)."""
from __future__ import annotations

from datetime import datetime, timedelta


def response_polyline(points: list[tuple[datetime, float]], now: datetime, *, width: float = 300, height: float = 60,
                      hours: int = 24) -> dict:
    """`points` (hour start, mean ms) of the last `hours` hours as an SVG polyline in a width × height
    box: {"points": "x,y ...", "max_ms": top of the scale in ms, "dots": [(x, y, ms)]}."""
    start = now - timedelta(hours=hours)
    shown = [(at, ms) for at, ms in points if at >= start - timedelta(hours=1)]
    if not shown:
        return {"points": "", "max_ms": 0, "dots": []}
    top = max(ms for _, ms in shown) * 1.15 or 1.0
    dots = []
    for at, ms in shown:
        x = max(0.0, min(width, (at - start).total_seconds() / (hours * 3600) * width))
        y = height - ms / top * height
        dots.append((round(x, 1), round(y, 1), ms))
    return {"points": " ".join(f"{x},{y}" for x, y, _ in dots), "max_ms": round(top), "dots": dots}
