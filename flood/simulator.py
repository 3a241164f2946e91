"""A deterministic demo rain event over Ambon's gauges, played step by step to keep the page alive.

Rain (mm/h) builds over the hills, peaks, and stops; each river answers with a flood wave whose
peak, relative to its gauge's thresholds, is fixed per gauge: the first gauge reaches Awas, the
second Siaga, the third Waspada, the fourth stays Normal (see `PEAKS`). Levels in cm, times naive UTC;
the same start and gauges always give the same readings.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

PEAKS = ((3, 0.3), (2, 0.5), (1, 0.5), (0, 0.7))
"""Peak of each gauge's flood wave, in gauge order: (level, share of the way to the next threshold).
For Awas, the share is of (Awas - Siaga) above Awas."""


@dataclass(frozen=True)
class SimGauge:
    code: str
    normal_cm: float
    waspada_cm: float
    siaga_cm: float
    awas_cm: float


def _pulse(x: float) -> float:
    """A smooth 0..1..0 wave over x in [0, 1], steeper rise than fall, as flood hydrographs are."""
    if x <= 0 or x >= 1:
        return 0.0
    peak = 0.35
    return math.sin(math.pi / 2 * x / peak) ** 2 if x < peak else math.cos(math.pi / 2 * (x - peak) / (1 - peak)) ** 2


def _ripple(code: str, t: datetime) -> float:
    """Small deterministic sensor noise (cm), the same for the same gauge and time."""
    seed = sum(map(ord, code)) + int(t.timestamp()) // 60
    return 1.5 * math.sin(seed * 12.9898) * math.cos(seed * 78.233)


@dataclass
class Simulator:
    """Plays `gauges` through one rain event that starts at `start` and lasts `duration`.

    `next_readings(now)` returns the readings on the `step` grid from the last played time (or
    `start`) up to `now`, as ingest rows ({"gauge", "time", "level_cm", "rain_mm_h"}).
    """

    gauges: list[SimGauge]
    start: datetime
    duration: timedelta = timedelta(hours=6)
    step: timedelta = timedelta(minutes=10)
    played_until: datetime | None = field(default=None)

    def peak_cm(self, index: int) -> float:
        """Highest level of gauge `index` during the event, before sensor noise (cm)."""
        gauge = self.gauges[index]
        marks = (gauge.normal_cm, gauge.waspada_cm, gauge.siaga_cm, gauge.awas_cm, 2 * gauge.awas_cm - gauge.siaga_cm)
        level, share = PEAKS[index % len(PEAKS)]
        return marks[level] + share * (marks[level + 1] - marks[level])

    def level_cm(self, index: int, t: datetime) -> float:
        """Water level at gauge `index` at time `t` (cm)."""
        gauge = self.gauges[index]
        wave = _pulse(((t - self.start) / self.duration - 0.05 * index) / 0.85)
        value = gauge.normal_cm + wave * (self.peak_cm(index) - gauge.normal_cm) + _ripple(gauge.code, t)
        return round(max(value, 0.0), 1)

    def rain_mm_h(self, index: int, t: datetime) -> float:
        """Rain at gauge `index` at time `t` (mm/h): it leads the flood wave."""
        x = (t - self.start) / self.duration
        return round(max(0.0, 45.0 * (1 - 0.15 * index) * _pulse(x * 1.6 + 0.05 - 0.05 * index)), 1)

    def readings_at(self, t: datetime) -> list[dict]:
        return [
            {"gauge": g.code, "time": t.isoformat(), "level_cm": self.level_cm(i, t), "rain_mm_h": self.rain_mm_h(i, t)}
            for i, g in enumerate(self.gauges)
        ]

    def next_readings(self, now: datetime) -> list[dict]:
        """Readings of every step after the last one played, up to `now` (naive UTC); none before `start`."""
        t = self.start if self.played_until is None else self.played_until + self.step
        rows = []
        while t <= now:
            rows += self.readings_at(t)
            self.played_until = t
            t += self.step
        return rows
