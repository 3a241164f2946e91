"""Alert levels of a gauge from its water-level series, with hysteresis.

Levels: 0 Normal, 1 Waspada, 2 Siaga, 3 Awas. A reading at or above a level's threshold raises the
gauge to that level at once, and each upward crossing raises exactly one alert, at the highest
level reached. A level is left only once readings have stayed below (threshold - margin) for the
hold time; an alert clears when the gauge falls below its level. The result depends only on the
time-ordered series, so readings that arrive out of order give the same alerts.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

DEFAULT_MARGIN_CM = 10.0
DEFAULT_HOLD = timedelta(minutes=30)


@dataclass(frozen=True)
class Thresholds:
    """Water levels in cm at which Waspada, Siaga and Awas begin (strictly increasing)."""

    waspada_cm: float
    siaga_cm: float
    awas_cm: float

    def __post_init__(self):
        if not self.waspada_cm < self.siaga_cm < self.awas_cm:
            raise ValueError("thresholds must increase: Waspada < Siaga < Awas")

    @property
    def levels(self) -> tuple[float, float, float]:
        return (self.waspada_cm, self.siaga_cm, self.awas_cm)

    def level_of(self, level_cm: float) -> int:
        """The level a single reading is at, without hysteresis."""
        return int(sum(level_cm >= threshold for threshold in self.levels))


@dataclass(frozen=True)
class Episode:
    """One alert: raised at `raised_at` by a reading of `level_cm`; `cleared_at` None while active."""

    level: int
    raised_at: datetime
    level_cm: float
    cleared_at: datetime | None = None


@dataclass(frozen=True)
class Evaluation:
    episodes: list[Episode]
    level: int
    """The gauge's level after the last reading."""
    levels: pd.Series
    """Level after each reading, indexed by reading time (for the chart's colour band)."""


def evaluate(
    times: Sequence[datetime],
    levels_cm: Sequence[float],
    thresholds: Thresholds,
    *,
    margin_cm: float = DEFAULT_MARGIN_CM,
    hold: timedelta = DEFAULT_HOLD,
) -> Evaluation:
    """Run the level state machine over a series (any order: it is sorted by time first).

    A level k is left at the first reading that completes `hold` of readings all below
    threshold_k - margin_cm (the span runs from the first such reading to this one); one reading
    at or above threshold_k - margin_cm restarts the wait.
    """
    series = pd.Series(list(levels_cm), index=pd.DatetimeIndex(list(times)), dtype=float).sort_index()
    current = 0
    below_since: dict[int, datetime | None] = {k: None for k in (1, 2, 3)}
    open_episodes: list[Episode] = []
    closed: list[Episode] = []
    history = []
    for time, value in zip(series.index.to_pydatetime(), series.to_numpy()):
        for k, threshold in enumerate(thresholds.levels, start=1):
            below = value < threshold - margin_cm
            below_since[k] = (below_since[k] or time) if below else None
        reached = thresholds.level_of(value)
        if reached > current:
            open_episodes.append(Episode(reached, time, float(value)))
            current = reached
        while current > 0 and below_since[current] is not None and time - below_since[current] >= hold:
            current -= 1
        still_open = [e for e in open_episodes if e.level <= current]
        closed += [Episode(e.level, e.raised_at, e.level_cm, time) for e in open_episodes if e.level > current]
        open_episodes = still_open
        history.append(current)
    episodes = sorted(closed + open_episodes, key=lambda e: (e.raised_at, e.level))
    return Evaluation(episodes, current, pd.Series(history, index=series.index, dtype=int))


def rate_of_rise_cm_h(times: Sequence[datetime], levels_cm: Sequence[float], window: timedelta = timedelta(hours=1)) -> float | None:
    """Rise of the water in cm/h over the last `window` (least squares slope); None with < 2 readings."""
    series = pd.Series(list(levels_cm), index=pd.DatetimeIndex(list(times)), dtype=float).sort_index()
    if series.empty:
        return None
    recent = series[series.index >= series.index[-1] - window]
    if len(recent) < 2:
        return None
    hours = (recent.index - recent.index[0]).total_seconds().to_numpy() / 3600
    hours_centred = hours - hours.mean()
    return float((hours_centred * (recent.to_numpy() - recent.mean())).sum() / (hours_centred**2).sum())
