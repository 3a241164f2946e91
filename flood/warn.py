"""From stored readings to alerts and per-RT warnings: the steps every reading source goes through.

`record_readings` = ingest + `sync_alerts`. Alerts are recomputed from each gauge's stored series
(`flood.alerts.evaluate`) and reconciled with the stored ones, so re-running is harmless and late
readings correct earlier results instead of adding alerts. A new alert warns the flood zones of its
gauge's river that the level reaches (Waspada: hazard 3, the band nearest the river; Siaga: hazard
2-3; Awas: all bands), gets its CAP message and one warning per RT inside those zones; an escalation (a higher level while
a lower alert of the gauge is still active) warns only the RT newly at risk, those already told keep
their warning and its record. Each scenario (the real one, each drill) is computed from its own
series alone.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from flood import store
from flood.alerts import DEFAULT_HOLD, DEFAULT_MARGIN_CM, Episode, Thresholds, evaluate
from flood.cap import CapAlert, build_cap, reference
from flood.impact import rt_in_zones
from flood.ingest import MAX_AGE, IngestReport, ingest
from flood.messages import rt_message
from flood.models import REAL
from store.layers import read_admin_areas, read_features
from store.models import FloodZone


@dataclass(frozen=True)
class AlertRules:
    margin_cm: float = DEFAULT_MARGIN_CM
    hold: timedelta = DEFAULT_HOLD
    window: timedelta = MAX_AGE
    """How far back series are re-evaluated: the oldest reading ingest accepts."""


def zones_for_level(zones: gpd.GeoDataFrame, river_id: int, level: int) -> gpd.GeoDataFrame:
    """Flood zones of `river_id` reached at `level` (1-3): those of hazard >= 4 - level."""
    return zones[(zones.river_id == river_id) & (zones.hazard >= 4 - level)]


def _overlaps(episode: Episode, stored: pd.Series) -> bool:
    stored_end = stored.cleared_at if pd.notna(stored.cleared_at) else datetime.max
    episode_end = episode.cleared_at or datetime.max
    return episode.raised_at <= stored_end and stored.raised_at <= episode_end


def sync_alerts(engine: Engine, now: datetime, rules: AlertRules = AlertRules(), *, scenario: int = REAL,
                gauge_ids: Iterable[int] | None = None) -> list[int]:
    """Bring the stored alerts of `scenario` in line with its stored series of every gauge (or of
    `gauge_ids` only: those whose readings changed); returns new alert ids.

    An episode matches a stored alert of the same gauge and level whose time span overlaps it: the
    stored alert's times are corrected. Unmatched episodes become new alerts (with CAP and RT
    warnings); a stored alert no episode supports any more (late readings showed the level never
    fell) is cleared at `now` rather than deleted, so the record of its warnings stays.
    """
    gauges = store.read_gauges(engine)
    if gauge_ids is not None:
        gauges = gauges[gauges.id.isin(list(gauge_ids))]
    zones = read_features(engine, FloodZone)
    new_ids: list[int] = []
    for gauge in gauges.itertuples():
        series = store.read_series(engine, gauge.id, since=now - rules.window, scenario=scenario)
        thresholds = Thresholds(gauge.waspada_cm, gauge.siaga_cm, gauge.awas_cm)
        episodes = evaluate(series.time, series.level_cm, thresholds, margin_cm=rules.margin_cm, hold=rules.hold).episodes
        stored = store.read_alerts(engine, gauge_id=gauge.id, scenario=scenario).sort_values("raised_at")
        stored = stored[(stored.raised_at >= now - rules.window) | stored.cleared_at.isna()]
        matched: set[int] = set()
        for episode in episodes:
            candidates = stored[(stored.level == episode.level) & ~stored.id.isin(matched)]
            hit = next((row for row in candidates.itertuples() if _overlaps(episode, row)), None)
            if hit is None:
                new_ids.append(_raise(engine, gauge, episode, zones, scenario))
                continue
            matched.add(hit.id)
            if hit.raised_at != episode.raised_at or not _same_time(hit.cleared_at, episode.cleared_at):
                store.update_alert(engine, hit.id, raised_at=episode.raised_at, cleared_at=episode.cleared_at, level_cm=episode.level_cm)
        for orphan in stored[~stored.id.isin(matched) & stored.cleared_at.isna()].itertuples():
            store.update_alert(engine, orphan.id, cleared_at=now)
    return new_ids


def _same_time(a, b) -> bool:
    return (pd.isna(a) and b is None) or (b is not None and pd.notna(a) and a == b)


def newly_at_risk(rts: pd.DataFrame, already_told: set[int]) -> pd.DataFrame:
    """The RT of `rts` (column `id`) not in `already_told`: whom an escalation has still to warn."""
    return rts[~rts.id.isin(list(already_told))]


def _raise(engine: Engine, gauge, episode: Episode, zones: gpd.GeoDataFrame, scenario: int) -> int:
    exercise = scenario != REAL
    warned = zones_for_level(zones, gauge.river_id, episode.level)
    lower = store.read_alerts(engine, gauge_id=gauge.id, active_only=True, below_level=episode.level, scenario=scenario)
    alert_id = store.insert_alert(
        engine,
        {"gauge_id": gauge.id, "level": episode.level, "raised_at": episode.raised_at, "cleared_at": episode.cleared_at,
         "level_cm": episode.level_cm, "zone_ids": [int(i) for i in warned.id], "exercise": exercise, "scenario": scenario},
    )
    references = tuple(
        reference(_cap_alert(row.id, gauge, row.level, row.level_cm, row.raised_at, warned, exercise)) for row in lower.itertuples()
    )
    cap = _cap_alert(alert_id, gauge, episode.level, episode.level_cm, episode.raised_at, warned, exercise,
                     msg_type="Update" if references else "Alert", references=references)
    store.update_alert(engine, alert_id, cap_xml=build_cap(cap))
    rts = newly_at_risk(rt_in_zones(warned, store.read_rts(engine)), store.warned_rt_ids(engine, lower.id.tolist()))
    desa_names = read_admin_areas(engine, "desa").set_index("code")["name"]
    store.insert_deliveries(
        engine,
        [
            {"alert_id": alert_id, "rt_id": int(rt.id),
             "message": rt_message(rt_name=rt.name, desa_name=desa_names.get(rt.desa_code, ""), level=episode.level,
                                   river_name=gauge.river or "", level_cm=episode.level_cm, at=episode.raised_at, exercise=exercise)}
            for rt in rts.itertuples()
        ],
    )
    return alert_id


def _cap_alert(alert_id, gauge, level, level_cm, raised_at, zones, exercise, **extra) -> CapAlert:
    # sent = raised: the message is reproducible, and an Update can name its predecessor exactly
    return CapAlert(alert_id=int(alert_id), gauge_name=gauge.name, river_name=gauge.river or "", level=int(level),
                    level_cm=float(level_cm), raised_at=raised_at, zones=zones, sent_at=raised_at, exercise=exercise, **extra)


def record_readings(engine: Engine, rows: Iterable[Mapping], *, source: str, now: datetime, rules: AlertRules = AlertRules(),
                    scenario: int = REAL) -> tuple[IngestReport, list[int]]:
    """Ingest `rows` from `source` ("csv", "api", "simulator") into `scenario` (the real series unless
    a drill's), then update the alerts of that scenario at the gauges that got new readings.

    Returns the ingest report and the ids of alerts raised by it. `now` is naive UTC.
    """
    report = ingest(engine, rows, source=source, now=now, scenario=scenario)
    if not report.new_count:
        return report, []
    changed = store.gauge_ids_by_code(engine)
    gauge_ids = {changed[o.gauge] for o in report.accepted if o.kind == "level"}
    return report, (sync_alerts(engine, now, rules, scenario=scenario, gauge_ids=gauge_ids) if gauge_ids else [])
