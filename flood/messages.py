"""Short warnings in Bahasa Indonesia for one RT head, ready to paste into WhatsApp or an SMS (<= 300 chars)."""
from __future__ import annotations

from datetime import datetime

from flood.models import LEVEL_NAMES
from i18n.format import WIT_OFFSET, wit_time

MAX_CHARS = 300
ACTIONS = {
    1: "Pantau air sungai, siapkan dokumen penting.",
    2: "Siapkan evakuasi, bantu lansia & anak-anak.",
    3: "SEGERA EVAKUASI warga ke tempat tinggi, jauhi bantaran sungai.",
}


DRILL_MARK = "[LATIHAN] "
"""Opens every message of a drill, so that nobody takes it for a real warning."""


def rt_message(*, rt_name: str, desa_name: str, level: int, river_name: str, level_cm: float, at: datetime, exercise: bool = False) -> str:
    """The warning text for one RT; `at` naive UTC, shown in WIT. Long names are shortened to fit.
    A drill's message (`exercise`) begins with DRILL_MARK."""
    local = at + WIT_OFFSET
    head = f"{DRILL_MARK if exercise else ''}[{LEVEL_NAMES[level].upper()} BANJIR] {river_name} {level_cm:.0f} cm, {local:%H:%M} WIT {local:%d/%m}."
    tail = f" {ACTIONS[level]} Balas OK jika diterima. -BPBD Kota Ambon"
    room = MAX_CHARS - len(head) - len(tail) - 2  # the space before the name and the colon after it
    who = f"{rt_name} {desa_name}"
    who = who if len(who) <= room else who[: max(room - 1, 0)] + "…"
    return f"{head} {who}:{tail}"[:MAX_CHARS]


def wit_text(moment: datetime) -> str:
    """Naive UTC -> "27-11-2026 22:05 WIT", the time as people in Ambon read it."""
    return wit_time(moment)
