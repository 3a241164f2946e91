"""What the BPBD page shows, read from the store: gauge status, watershed levels, river cameras, the
alerts still to follow up, the history, impact, and the operator's actions on warnings.

Plain Python (no Dash): the page's callbacks only turn these frames into components. Units: cm,
cm/h, mm/h, naive UTC times (shown in WIT by the page), WGS 84 lon/lat.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from dataclasses import dataclass
from datetime import datetime, timedelta

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, func, select

from uploads import check_upload, decode_data_url
from flood import store
from flood.alerts import rate_of_rise_cm_h
from flood.impact import Impact, assess
from flood.models import REAL, Alert, Reading, SimulationRun, WarningDelivery
from geo.crs import AMBON_UTM
from store.layers import read_admin_areas, read_features
from store.models import Business, Camera, Complaint, FloodZone, River, TpsSite, Watershed

NO_GAUGE = -1
"""Level of a watershed whose river has no gauge: its danger is unknown, not Normal."""
RATE_WINDOW = timedelta(hours=1)
CHANNELS = ("whatsapp", "sms", "telepon")
ACTIONS = ("sent", "acknowledged")
ALERTS_PER_PAGE = 5
HISTORY_PER_PAGE = 10
"""Lists are paged: however long the night, the page draws a bounded number of alerts (the browser's
time to draw a list grows faster than its length)."""


def gauge_status(engine: Engine, scenario: int = REAL) -> gpd.GeoDataFrame:
    """Gauges (EPSG:4326) with their thresholds and current state in `scenario` (the real one, or a
    drill's: see `scenario_shown`).

    Added columns: `alert_level` (highest active alert, 0 Normal), `level_cm` and `reading_time` of
    the newest reading (NaN/NaT without readings), `rate_cm_h` (least-squares rise over the last
    hour of readings; NaN with fewer than two), `rain_mm_h` (newest rain reading, NaN if none).
    """
    gauges = store.read_gauges(engine)
    active = store.read_alerts(engine, active_only=True, scenario=scenario)
    gauges["alert_level"] = gauges.id.map(active.groupby("gauge_id")["level"].max()).fillna(0).astype(int)
    latest = store.latest_times(engine, "level", scenario=scenario)
    latest_rain = store.latest_times(engine, "rain", scenario=scenario)
    levels, times, rates, rain = [], [], [], []
    for gauge_id in gauges.id:
        last = latest.get(gauge_id)
        series = store.read_series(engine, gauge_id, since=last - RATE_WINDOW, scenario=scenario) if last else pd.DataFrame({"time": [], "level_cm": []})
        levels.append(series.level_cm.iloc[-1] if len(series) else float("nan"))
        times.append(last)
        rate = rate_of_rise_cm_h(series.time, series.level_cm, RATE_WINDOW)
        rates.append(float("nan") if rate is None else rate)
        rain_at = latest_rain.get(gauge_id)
        rain_now = store.read_series(engine, gauge_id, kind="rain", since=rain_at, scenario=scenario) if rain_at else pd.DataFrame({"rain_mm_h": []})
        rain.append(rain_now.rain_mm_h.iloc[-1] if len(rain_now) else float("nan"))
    gauges["level_cm"] = pd.Series(levels, index=gauges.index, dtype=float)
    gauges["reading_time"] = pd.to_datetime(pd.Series(times, index=gauges.index, dtype=object))
    gauges["rate_cm_h"] = pd.Series(rates, index=gauges.index, dtype=float)
    gauges["rain_mm_h"] = pd.Series(rain, index=gauges.index, dtype=float)
    return gauges


def scenario_shown(engine: Engine) -> int:
    """The scenario the page's map and gauge figures show: the latest drill's from its start until it is
    cleared (its readings are what staff are exercising on, marked LATIHAN), otherwise the real one."""
    with engine.connect() as conn:
        run = conn.execute(select(SimulationRun.id, SimulationRun.cleared_at).order_by(SimulationRun.id.desc()).limit(1)).first()
    return int(run.id) if run is not None and run.cleared_at is None else REAL


def watershed_levels(engine: Engine, gauges: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Watersheds (DAS) with `level`: the highest `alert_level` of the gauges on their river, or
    `NO_GAUGE` when the river has none."""
    sheds = read_features(engine, Watershed)
    by_river = gauges.groupby("river_id").alert_level.max()
    sheds["level"] = sheds.river_id.map(by_river).fillna(NO_GAUGE).astype(int)
    return sheds


def river_cameras(engine: Engine, max_distance_m: float = 250.0) -> gpd.GeoDataFrame:
    """Cameras of kind "river" (EPSG:4326) with `river`, the nearest river within `max_distance_m`
    (None beyond), sorted by river and name."""
    cameras = read_features(engine, Camera, columns=["id", "name", "kind", "status"])
    cameras = cameras[cameras.kind == "river"]
    rivers = read_features(engine, River)
    if cameras.empty or rivers.empty:
        return cameras.assign(river=pd.Series(dtype=object))
    joined = gpd.sjoin_nearest(cameras.to_crs(AMBON_UTM), rivers[["name", "geometry"]].rename(columns={"name": "river"}).to_crs(AMBON_UTM),
                               how="left", max_distance=max_distance_m)
    joined = joined[~joined.index.duplicated()]
    cameras = cameras.assign(river=joined.river.where(joined.river.notna(), None))
    return cameras.sort_values(["river", "name"], na_position="last").reset_index(drop=True)


def _with_gauge_names(engine: Engine, alerts: pd.DataFrame) -> pd.DataFrame:
    gauges = store.read_gauges(engine).set_index("id")
    zone_names = read_features(engine, FloodZone, columns=["id", "name"]).set_index("id")["name"]
    return alerts.assign(
        gauge_name=alerts.gauge_id.map(gauges["name"]),
        river=alerts.gauge_id.map(gauges["river"]),
        zone_names=[[zone_names.get(z, str(z)) for z in zones] for zones in alerts.zone_ids],
    )


def _with_counts(engine: Engine, alerts: pd.DataFrame) -> pd.DataFrame:
    counts = store.delivery_counts(engine, alerts.id.tolist()).reindex(alerts.id, fill_value=0)
    alerts = alerts.assign(**{column: counts[column].astype(int).to_numpy() for column in ("warned", "sent", "acknowledged")})
    return alerts.assign(pending=alerts.warned - alerts.acknowledged)


@dataclass(frozen=True)
class Page:
    """One page of a long list: its rows, the number of rows in the whole list, the page shown (from 0)
    and how many rows a page holds."""

    rows: pd.DataFrame
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _page_number(number, total: int, size: int) -> int:
    """The page to show: `number` (from a browser, so anything) within the pages there are."""
    last = max(0, -(-total // size) - 1)
    return min(max(number, 0), last) if isinstance(number, int) and not isinstance(number, bool) else 0


def alerts_to_follow(engine: Engine, page: int = 0, page_size: int = ALERTS_PER_PAGE) -> Page:
    """The alerts on the board, one page of them: every alert staff have not closed, whatever its
    readings did since (cleared alerts keep their buttons until someone closes them).

    Columns of `store.read_alerts` plus gauge_name, river, zone_names (list), warned, sent,
    acknowledged (counts of RT warnings) and pending (warned - acknowledged). Order: real alerts
    before drills, still active before cleared, with unacknowledged warnings first, highest level,
    newest.
    """
    alerts = _with_counts(engine, store.read_alerts(engine, open_only=True, scenario=None))
    alerts = alerts.assign(_real=alerts.scenario == REAL, _active=alerts.cleared_at.isna(), _pending=alerts.pending > 0)
    alerts = alerts.sort_values(["_real", "_active", "_pending", "level", "raised_at", "id"], ascending=False, kind="stable")
    number = _page_number(page, len(alerts), page_size)
    rows = alerts.drop(columns=["_real", "_active", "_pending"]).iloc[number * page_size : (number + 1) * page_size].reset_index(drop=True)
    return Page(_with_gauge_names(engine, rows), len(alerts), number, page_size)


def alert_history(engine: Engine, page: int = 0, page_size: int = HISTORY_PER_PAGE) -> Page:
    """Closed alerts, newest first, one page of them, each summarised: gauge_name, river, zone_names,
    the warning counts of `alerts_to_follow`, and `peak_cm`, the highest reading while it was active."""
    total = store.count_alerts(engine, closed_only=True)
    number = _page_number(page, total, page_size)
    alerts = _with_counts(engine, store.read_alerts(engine, closed_only=True, scenario=None, limit=page_size, offset=number * page_size))
    peaks = store.alert_peaks(engine, alerts.id.tolist())
    alerts["peak_cm"] = alerts.id.map(peaks).astype(float)
    return Page(_with_gauge_names(engine, alerts.reset_index(drop=True)), total, number, page_size)


def zone_key(zone_ids: Sequence[int]) -> tuple[int, ...]:
    """A set of flood zone ids as a sorted tuple, the key of `alert_impacts`."""
    return tuple(sorted({int(z) for z in zone_ids}))


def alert_impacts(engine: Engine, zone_sets: Sequence[Sequence[int]]) -> dict[tuple[int, ...], Impact]:
    """What is at risk in each set of flood zones (see `flood.impact.assess`), keyed by `zone_key`;
    the stored layers are read once for all of them."""
    keys = list(dict.fromkeys(zone_key(zone_ids) for zone_ids in zone_sets))
    if not keys:
        return {}
    zones = read_features(engine, FloodZone)
    layers = {"desa": read_admin_areas(engine, "desa"), "rt": store.read_rts(engine), "tps": read_features(engine, TpsSite),
              "businesses": read_features(engine, Business), "complaints": read_features(engine, Complaint, columns=["id", "ticket", "category", "status"])}
    return {key: assess(zones[zones.id.isin(list(key))], **layers) for key in keys}


IMPACT_SECONDS = 600
"""How long an impact is kept per set of zones: the layers it is computed from change slowly."""
DESA_NAMES_SECONDS = 600


class Cache(Protocol):
    """What the board keeps computed results in (a flask_caching.Cache, shared by the web workers)."""

    def get(self, key: str): ...

    def set(self, key: str, value, timeout: int | None = None): ...


def cached_impacts(engine: Engine, cache: Cache, zone_sets: Sequence[Sequence[int]]) -> dict[tuple[int, ...], Impact]:
    """`alert_impacts`, each set of zones kept in `cache` for IMPACT_SECONDS: only the sets not kept are
    computed, together."""
    keys = list(dict.fromkeys(zone_key(zone_ids) for zone_ids in zone_sets))
    found = {key: cache.get(_impact_key(key)) for key in keys}
    for key, impact in alert_impacts(engine, [key for key, impact in found.items() if impact is None]).items():
        cache.set(_impact_key(key), impact, timeout=IMPACT_SECONDS)
        found[key] = impact
    return found


def _impact_key(zones: tuple[int, ...]) -> str:
    return "flood:impact:" + ",".join(map(str, zones))


def desa_names(engine: Engine, cache: Cache) -> dict[str, str]:
    """Desa code -> name (the alert cards name the RT's desa), kept in `cache` for DESA_NAMES_SECONDS."""
    names = cache.get("flood:desa-names")
    if names is None:
        names = dict(read_admin_areas(engine, "desa")[["code", "name"]].itertuples(index=False))
        cache.set("flood:desa-names", names, timeout=DESA_NAMES_SECONDS)
    return names


def alert_impact(engine: Engine, zone_ids: Sequence[int]) -> Impact:
    """What is at risk in the given flood zones (see `flood.impact.assess`), from the stored layers."""
    return alert_impacts(engine, [zone_ids])[zone_key(zone_ids)]


RECENTLY_ACKNOWLEDGED = 3
"""Acknowledged warnings an alert card keeps in view below the pending ones, newest first."""


def warnings_in_view(deliveries: pd.DataFrame, count: int, recent: int = RECENTLY_ACKNOWLEDGED) -> tuple[pd.DataFrame, int]:
    """The warnings of one alert a card lists (rows of `store.read_deliveries`): the first `count` not yet
    acknowledged (unsent first), then the `recent` last acknowledged, so that a warning just confirmed stays
    in sight. Returns them and how many unacknowledged ones are left out."""
    pending = deliveries[deliveries.acknowledged_at.isna()]
    acknowledged = deliveries[deliveries.acknowledged_at.notna()].sort_values("acknowledged_at", ascending=False, kind="stable")
    return pd.concat([pending.head(count), acknowledged.head(recent)]), max(len(pending) - count, 0)


def board_versions(engine: Engine) -> tuple[str, str]:
    """Two short texts, (readings, alerts): the first changes whenever a reading, an alert or a
    drill does (the map and chart redraw), the second only when alerts or their warnings do
    (the alert panel and history, costlier, redraw), so the page redraws only what changed."""
    with engine.connect() as conn:
        readings = conn.execute(select(func.count(Reading.id), func.max(Reading.id))).one()
        alerts = conn.execute(select(func.count(Alert.id), func.max(Alert.id), func.count(Alert.cleared_at), func.max(Alert.cleared_at),
                                     func.max(Alert.raised_at), func.count(Alert.closed_at), func.max(Alert.closed_at))).one()
        warnings = conn.execute(select(func.count(WarningDelivery.sent_at), func.count(WarningDelivery.acknowledged_at),
                                       func.max(WarningDelivery.sent_at), func.max(WarningDelivery.acknowledged_at))).one()
        run = conn.execute(select(SimulationRun.id, SimulationRun.ended_at, SimulationRun.cleared_at).order_by(SimulationRun.id.desc()).limit(1)).first()
    alerts_version = "|".join(str(part) for part in (*alerts, *warnings))
    return "|".join(str(part) for part in (*readings, *(run or ()), alerts_version)), alerts_version


def record_action(engine: Engine, delivery_id, action: str, *, actor: str, now: datetime, channel: str | None = None) -> bool:
    """Record that a warning was sent (by `channel`) or acknowledged, by `actor` at `now` (UTC).

    Every argument may come from a browser: an unknown action, channel or warning id records
    nothing and returns False.
    """
    if isinstance(delivery_id, bool) or not isinstance(delivery_id, int) or not 0 < delivery_id < 2**63 or action not in ACTIONS:
        return False
    if action == "sent":
        return channel in CHANNELS and store.mark_sent(engine, delivery_id, channel, now, by=actor)
    return store.mark_acknowledged(engine, delivery_id, now, by=actor)


def close_alert(engine: Engine, alert_id, *, actor: str, now: datetime) -> bool:
    """Close an alert's follow-up (it leaves the board for the history), by `actor` at `now` (UTC).
    `alert_id` may come from a browser: anything but the id of an open alert closes nothing (False)."""
    if isinstance(alert_id, bool) or not isinstance(alert_id, int):
        return False
    return store.close_alert(engine, alert_id, now, actor)


def csv_from_upload(contents: str | None, max_bytes: int) -> bytes:
    """The file bytes of a browser upload (a data URL "data:<type>;base64,<data>") that is CSV text.

    Raises ValueError (uploads.UploadRejected) when it is not a base64 data URL, holds more than
    `max_bytes` (checked before decoding too) or is not text.
    """
    data = decode_data_url(contents or "", max_bytes)
    check_upload(data, {"csv"}, max_bytes)
    return data
