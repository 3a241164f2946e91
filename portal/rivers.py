"""Today's river levels as citizens read them: per gauge, its river, level in cm and alert level
0..3 (Normal, Waspada, Siaga, Awas); and the CAP alerts of the flood warning system as an Atom feed."""
from __future__ import annotations

import math
from datetime import datetime
from xml.sax.saxutils import escape

from sqlalchemy import Engine, select

from flood.board import gauge_status
from flood.models import Alert, Gauge


def river_levels(engine: Engine) -> list[dict]:
    """One row per gauge, highest alert first: river, gauge, level_cm (None without readings),
    alert_level 0..3, reading_time (naive UTC or None), and the thresholds in cm."""
    gauges = gauge_status(engine)
    rows = []
    for g in gauges.itertuples():
        level = None if g.level_cm is None or (isinstance(g.level_cm, float) and math.isnan(g.level_cm)) else float(g.level_cm)
        when = None if g.reading_time is None or str(g.reading_time) == "NaT" else g.reading_time.to_pydatetime()
        rows.append({"river": g.river, "gauge": g.name, "level_cm": level, "alert_level": int(g.alert_level),
                     "reading_time": when, "waspada_cm": g.waspada_cm, "siaga_cm": g.siaga_cm, "awas_cm": g.awas_cm})
    return sorted(rows, key=lambda r: (-r["alert_level"], r["river"] or "", r["gauge"]))


def recent_alerts(engine: Engine, limit: int = 50) -> list[dict]:
    """The newest flood alerts that have a CAP message: id, gauge, level, raised_at, cleared_at, exercise."""
    with engine.connect() as conn:
        rows = conn.execute(select(Alert.id, Alert.level, Alert.raised_at, Alert.cleared_at, Alert.exercise, Alert.level_cm,
                                   Gauge.name.label("gauge"))
                            .join(Gauge, Gauge.id == Alert.gauge_id).where(Alert.cap_xml.is_not(None))
                            .order_by(Alert.raised_at.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]


def _atom_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(alerts: list[dict], *, base_url: str, title: str, entry_title, updated: datetime) -> str:
    """An Atom 1.0 feed of `alerts` (recent_alerts), each entry linking to its CAP 1.2 message at
    `base_url`/publik/banjir/cap/<id>.xml. `entry_title(alert)` words an entry's title."""
    base = base_url.rstrip("/")
    entries = []
    for alert in alerts:
        cap_url = f"{base}/publik/banjir/cap/{alert['id']}.xml"
        changed = alert["cleared_at"] or alert["raised_at"]
        entries.append(
            "<entry>"
            f"<id>{escape(cap_url)}</id>"
            f"<title>{escape(entry_title(alert))}</title>"
            f"<updated>{_atom_time(changed)}</updated>"
            f"<published>{_atom_time(alert['raised_at'])}</published>"
            f'<link rel="alternate" type="application/cap+xml" href="{escape(cap_url)}"/>'
            f"<summary>{escape(entry_title(alert))}</summary>"
            "</entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{escape(base)}/publik/banjir.atom</id><title>{escape(title)}</title>"
            f"<updated>{_atom_time(updated)}</updated>"
            f'<link rel="self" type="application/atom+xml" href="{escape(base)}/publik/banjir.atom"/>'
            f'<link rel="alternate" type="text/html" href="{escape(base)}/publik/banjir"/>'
            "<author><name>Command Center Kota Ambon</name></author>" + "".join(entries) + "</feed>")
