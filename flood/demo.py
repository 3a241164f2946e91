"""The demo rain event of flood drills: the four demo river gauges with their thresholds, and the
simulator that plays the event over them. (The demo city's gauges and RT contacts are written by
demo.flood.)
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flood.simulator import SimGauge, Simulator

DEMO_GAUGES = {
    # river: (code, normal, Waspada, Siaga, Awas) in cm; the order is the simulator's: Batu Merah reaches Awas
    "Wai Batu Merah": ("AWLR-BTM", 60.0, 150.0, 200.0, 250.0),
    "Wai Tomu": ("AWLR-WTH", 40.0, 120.0, 170.0, 220.0),
    "Wai Ruhu": ("AWLR-WRH", 50.0, 140.0, 190.0, 240.0),
    "Wai Batu Gajah": ("AWLR-BTG", 45.0, 130.0, 180.0, 230.0),
}
"""Believable thresholds for small, steep rivers: a metre or two above the dry-weather level."""


def demo_simulator(start: datetime, duration: timedelta = timedelta(hours=6), step: timedelta = timedelta(minutes=10)) -> Simulator:
    """The rain event over the demo gauges, starting at `start` (naive UTC)."""
    gauges = [SimGauge(code, normal, waspada, siaga, awas) for code, normal, waspada, siaga, awas in DEMO_GAUGES.values()]
    return Simulator(gauges, start, duration=duration, step=step)
