"""CAP 1.2 (Common Alerting Protocol, OASIS) messages for flood alerts, validated against the vendored schema.

Category "Met": the CAP 1.2 standard defines Met as "Meteorological (inc. flood)"; Geo is for
geophysical events (earthquake, landslide). Texts are in Bahasa Indonesia (language id-ID). The
XML is built with lxml, so every text supplied by users or data is escaped by the library.
Times: naive UTC in, written with the WIT offset (+09:00), the time people in Ambon read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import shapely
from lxml import etree

from flood.models import LEVEL_NAMES
from geo.crs import WGS84

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "CAP-v1.2.xsd"
WIT = timedelta(hours=9)
DEFAULT_SENDER = "bpbd@ambon.go.id"
SENDER_NAME = "BPBD Kota Ambon"

LEVEL_CAP = {
    1: ("Expected", "Moderate", "Likely", "Monitor"),
    2: ("Expected", "Severe", "Likely", "Prepare"),
    3: ("Immediate", "Extreme", "Observed", "Evacuate"),
}
"""Level -> (urgency, severity, certainty, responseType)."""
INSTRUCTIONS = {
    1: "Waspada: pantau ketinggian air sungai dan siapkan dokumen penting.",
    2: "Siaga: siapkan evakuasi, amankan barang berharga, bantu warga lansia dan anak-anak.",
    3: "Awas: segera evakuasi ke tempat yang lebih tinggi dan jauhi bantaran sungai.",
}


@dataclass(frozen=True)
class CapAlert:
    """What a CAP message says. `raised_at`/`sent_at` naive UTC; `zones` polygons in any CRS with a `name`."""

    alert_id: int
    gauge_name: str
    river_name: str
    level: int
    level_cm: float
    raised_at: datetime
    zones: gpd.GeoDataFrame
    sent_at: datetime
    exercise: bool = False
    msg_type: str = "Alert"
    """"Alert", "Update" (a higher level of the same flood) or "Cancel" (cleared)."""
    references: tuple[str, ...] = ()
    """Identifiers of earlier messages this one updates or cancels, as "sender,identifier,sent"."""
    sender: str = DEFAULT_SENDER


def cap_time(moment: datetime) -> str:
    """Naive UTC -> CAP dateTime in WIT, e.g. 2026-11-01T19:20:00+09:00 (CAP forbids "Z")."""
    return (moment.replace(microsecond=0) + WIT).isoformat() + "+09:00"


def identifier(alert: CapAlert) -> str:
    return f"BPBD-AMBON-BANJIR-{alert.alert_id}-{alert.msg_type.upper()}-{alert.sent_at:%Y%m%dT%H%M%S}"


def reference(alert: CapAlert) -> str:
    """This message as another message's reference: sender,identifier,sent."""
    return f"{alert.sender},{identifier(alert)},{cap_time(alert.sent_at)}"


def cap_polygons(zones: gpd.GeoDataFrame, tolerance_deg: float = 0.0001) -> list[str]:
    """Exterior rings of every polygon part as CAP polygons "lat,lon lat,lon ..." (closed, WGS 84).

    Rings are simplified by `tolerance_deg` (about 11 m) to keep the message small; holes are dropped
    (CAP polygons have none), so the warned area errs on the large side.
    """
    parts = shapely.get_parts(shapely.simplify(zones.to_crs(WGS84).geometry.to_numpy(), tolerance_deg))
    polygons = [p for p in parts if isinstance(p, shapely.Polygon) and not p.is_empty]
    return [" ".join(f"{lat:.5f},{lon:.5f}" for lon, lat in p.exterior.coords) for p in polygons]


def _sub(parent, tag: str, text: str | None = None):
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def build_cap(alert: CapAlert) -> str:
    """The CAP 1.2 XML document (UTF-8 text with declaration) for `alert`."""
    level_name = LEVEL_NAMES[alert.level]
    urgency, severity, certainty, response = LEVEL_CAP[alert.level]
    if alert.msg_type == "Cancel":
        urgency, severity, certainty, response = "Past", "Minor", "Observed", "AllClear"
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", identifier(alert))
    _sub(root, "sender", alert.sender)
    _sub(root, "sent", cap_time(alert.sent_at))
    _sub(root, "status", "Exercise" if alert.exercise else "Actual")
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", "Public")
    if alert.exercise:
        _sub(root, "note", "LATIHAN (DRILL): pesan latihan, bukan peringatan sungguhan.")
    if alert.references:
        _sub(root, "references", " ".join(alert.references))
    info = _sub(root, "info")
    _sub(info, "language", "id-ID")
    _sub(info, "category", "Met")
    _sub(info, "event", "Banjir")
    _sub(info, "responseType", response)
    _sub(info, "urgency", urgency)
    _sub(info, "severity", severity)
    _sub(info, "certainty", certainty)
    _sub(info, "onset", cap_time(alert.raised_at))
    _sub(info, "senderName", SENDER_NAME)
    local = alert.raised_at + WIT
    drill = "LATIHAN: " if alert.exercise else ""
    if alert.msg_type == "Cancel":
        _sub(info, "headline", f"{drill}Status {level_name} banjir {alert.river_name} dicabut")
        _sub(info, "description", f"Tinggi muka air di {alert.gauge_name} telah turun di bawah batas {level_name}.")
    else:
        _sub(info, "headline", f"{drill}{level_name.upper()} banjir {alert.river_name}")
        _sub(
            info,
            "description",
            f"Tinggi muka air di {alert.gauge_name} mencapai {alert.level_cm:.0f} cm pada {local:%d-%m-%Y %H:%M} WIT "
            f"(status {level_name}). Daerah rawan banjir di sepanjang {alert.river_name} dapat tergenang.",
        )
        _sub(info, "instruction", INSTRUCTIONS[alert.level])
    area = _sub(info, "area")
    _sub(area, "areaDesc", "; ".join(alert.zones["name"].astype(str)) or f"Bantaran {alert.river_name}")
    for polygon in cap_polygons(alert.zones):
        _sub(area, "polygon", polygon)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def validate_cap(xml: str | bytes) -> list[str]:
    """Schema errors of a CAP document (empty when it is valid CAP 1.2)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    document = etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml, parser)
    schema = _schema()
    return [] if schema.validate(document) else [str(error) for error in schema.error_log]
