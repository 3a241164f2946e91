"""The public portal at /publik: no login, phone first, plain HTML with one small stylesheet (no
Dash bundle, no script), in Bahasa Indonesia or English (cookie `bahasa`, or ?lang=).

Pages: /publik (home), /publik/layanan (services directory), /publik/status (status board),
/publik/banjir (river levels and what to do) with /publik/banjir.atom (Atom feed of CAP alerts)
and /publik/banjir/cap/<id>.xml, /publik/peta-laporan (report counts per desa), /publik/kenali and
/publik/poster.pdf. The report form (/publik/lapor) and ticket look-up (/publik/tiket) are the
complaints desk's. Every page is rate-limited per address; what they read is cached for a few seconds.
"""
from __future__ import annotations

import functools
import gzip
from datetime import datetime, timedelta

import flask
from sqlalchemy import select

from config import ROOT
from flood.models import Alert
from i18n import LANGUAGE_COOKIE, normalise_language, t
from i18n.format import duration_text, number, observed_uptime, percent, wit_time
from monitor.store import UPTIME_WINDOWS, service_status, status_board, utcnow
from portal.charts import response_polyline
from portal.poster import poster_pdf
from portal.reports import desa_shapes, report_counts, shade, shade_bounds
from portal.rivers import atom_feed, recent_alerts, river_levels
from routes.ratelimits import blueprint_limiter
from store.vocabulary import COMPLAINT_CATEGORIES, COMPLAINT_STATUSES

EXTENSION = "publik"
CACHE_S = 15
"""Seconds a page's data is reused: 100 visitors a second read the store a few times a minute."""
REPORT_PATH, TICKET_PATH = "/publik/lapor", "/publik/tiket"

blueprint = flask.Blueprint("publik", __name__, url_prefix="/publik", template_folder=str(ROOT / "templates"),
                            static_folder=str(ROOT / "static" / "publik"), static_url_path="/static")


def _lang() -> str:
    return normalise_language(flask.request.args.get("lang") or flask.request.cookies.get(LANGUAGE_COOKIE))


def _state():
    return flask.current_app.extensions[EXTENSION]


def _cached(key: str, build):
    cache = _state()["cache"]
    value = cache.get("publik:" + key)
    if value is None:
        value = build()
        cache.set("publik:" + key, value, timeout=CACHE_S)
    return value


def cached_page(view):
    """Serve the page's HTML, gzipped, from the cache for CACHE_S seconds per path and language:
    under load a page is rendered a few times a minute, not once per visitor."""
    @functools.wraps(view)
    def serve(*args, **kwargs):
        key = f"page:{flask.request.path}:{_lang()}"
        body = _state()["cache"].get("publik:" + key)
        if body is None:
            response = view(*args, **kwargs)
            if response.status_code != 200:
                return response
            body = gzip.compress(response.get_data(), 6)
            _state()["cache"].set("publik:" + key, body, timeout=CACHE_S)
        if "gzip" in flask.request.headers.get("Accept-Encoding", ""):
            response = flask.make_response(body)
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = flask.make_response(gzip.decompress(body))
        response.mimetype = "text/html"
        _page_headers(response)
        return response
    return serve


def _page_headers(response: flask.Response) -> None:
    response.headers["Cache-Control"] = "public, max-age=15"
    response.headers["Content-Language"] = _lang()
    response.headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; frame-ancestors 'none'"
    response.vary.add("Cookie")
    response.vary.add("Accept-Encoding")


def _base_url() -> str:
    return _state()["public_url"] or flask.request.url_root.rstrip("/")


def _render(template: str, status: int = 200, **context) -> flask.Response:
    lang = _lang()
    html = flask.render_template(f"publik/{template}", lang=lang, t=lambda key, **kw: t(key, lang).format(**kw) if kw else t(key, lang),
                                 wit=wit_time, pct=lambda f: percent(f, lang, "pub.status.no_data"), num=lambda v, d=0: number(v, lang, d),
                                 duration=lambda s: duration_text(s, lang), path=flask.request.path,
                                 report_path=REPORT_PATH, ticket_path=TICKET_PATH, **context)
    response = flask.make_response(html, status)
    _page_headers(response)
    return response


@blueprint.get("", strict_slashes=False)
@cached_page
def home():
    engine = _state()["engine"]
    services = _cached("status-now", lambda: service_status(engine, utcnow()))
    rivers = _cached("rivers", lambda: river_levels(engine))
    down = [s for s in services if s["state"] == "down"]
    warned = sorted({r["river"] or r["gauge"] for r in rivers if r["alert_level"] > 0})
    return _render("home.html", down=down, warned=warned, unread=unread_gauges(rivers), gauges=len(rivers))


def unread_gauges(rivers: list[dict]) -> int:
    """How many gauges (portal.rivers.river_levels rows) have no reading and no alert: their danger is
    unknown, so the home page must not call the rivers safe (the same rule as /publik/banjir)."""
    return sum(1 for r in rivers if r["level_cm"] is None and r["alert_level"] == 0)


@blueprint.get("/layanan")
@cached_page
def services_directory():
    engine = _state()["engine"]
    return _render("services.html", services=_cached("status-now", lambda: service_status(engine, utcnow())))


@blueprint.get("/status")
@cached_page
def status_page():
    engine = _state()["engine"]
    board = _cached("board", lambda: status_board(engine, utcnow()))
    now = board["generated_at"]
    charts = {s["id"]: response_polyline(s["response_hourly"], now) for s in board["services"]}
    days = [board["bar_start"] + timedelta(days=i) for i in range(len(board["services"][0]["bars"]) if board["services"] else 0)]
    spans = {name: span.total_seconds() for name, span in UPTIME_WINDOWS}
    lang = _lang()
    return _render("status.html", board=board, charts=charts, windows=list(spans), days=days,
                   uptime=lambda s, w: observed_uptime(s["uptime"][w], s["watched_s"][w], spans[w], lang),
                   day_uptime=lambda s, i: observed_uptime(s["bars"][i], s["bars_watched_s"][i], 86400, lang))


@blueprint.get("/banjir")
@cached_page
def flood_page():
    engine = _state()["engine"]
    rivers = _cached("rivers", lambda: river_levels(engine))
    alerts = _cached("flood-alerts", lambda: recent_alerts(engine, 10))
    return _render("flood.html", rivers=rivers, alerts=alerts)


def _alert_title(alert: dict, lang: str) -> str:
    return t("pub.flood.entry", lang).format(level=t(f"flood.level.{alert['level']}", lang), gauge=alert["gauge"],
                                             cm=number(alert["level_cm"], lang), exercise=t("pub.flood.exercise", lang) if alert["exercise"] else "")


@blueprint.get("/banjir.atom")
def flood_feed():
    engine, lang = _state()["engine"], _lang()
    alerts = _cached("flood-feed", lambda: recent_alerts(engine, 50))
    updated = max([a["cleared_at"] or a["raised_at"] for a in alerts], default=datetime(2026, 1, 1))
    body = atom_feed(alerts, base_url=_base_url(), title=t("pub.flood.feed_title", lang),
                     entry_title=lambda a: _alert_title(a, lang), updated=updated)
    return flask.Response(body, mimetype="application/atom+xml", headers={"Cache-Control": "public, max-age=60"})


@blueprint.get("/banjir/cap/<int:alert_id>.xml")
def flood_cap(alert_id: int):
    with _state()["engine"].connect() as conn:
        xml = conn.scalar(select(Alert.cap_xml).where(Alert.id == alert_id))
    if not xml:
        flask.abort(404)
    return flask.Response(xml, mimetype="application/cap+xml", headers={"Cache-Control": "public, max-age=60"})


@blueprint.get("/peta-laporan")
@cached_page
def reports_map():
    engine = _state()["engine"]
    counts = _cached("report-counts", lambda: report_counts(engine, utcnow()))
    shapes = _cached("desa-shapes", lambda: desa_shapes(engine))
    by_desa = counts["by_desa"]
    bounds = shade_bounds(max((c["open"] + c["closed"] for c in by_desa.values()), default=0))
    desa = [{**d, **by_desa.get(d["code"], {"open": 0, "closed": 0}),
             "shade": shade(sum(by_desa.get(d["code"], {"open": 0, "closed": 0}).values()), bounds)} for d in shapes["desa"]]
    return _render("reports.html", shapes=shapes, desa=desa, counts=counts, bounds=bounds,
                   categories=[c for c in COMPLAINT_CATEGORIES if c in counts["by_category"]], statuses=COMPLAINT_STATUSES)


@blueprint.get("/kenali")
@cached_page
def about():
    return _render("about.html")


@blueprint.get("/poster.pdf")
def poster():
    lang, base = _lang(), _base_url()
    pdf = poster_pdf(title=t("pub.about.title", lang), subtitle=t("pub.poster.subtitle", lang),
                     lines=[t(f"pub.poster.line{i}", lang) for i in range(1, 5)],
                     codes=[(t("pub.poster.portal", lang), base + "/publik"), (t("pub.poster.report", lang), base + REPORT_PATH)],
                     footer=t("pub.poster.footer", lang))
    return flask.Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": "inline; filename=kenali-command-center.pdf", "Cache-Control": "public, max-age=3600"})


def _too_many(_limit) -> flask.Response:
    response = flask.make_response(t("pub.too_many", _lang()), 429)
    response.headers["Retry-After"] = "60"
    response.mimetype = "text/plain"
    return response


def init_publik_routes(server: flask.Flask, engine, cache, *, rate_limit: str, redis_url: str | None,
                       public_url: str | None) -> None:
    """Serve the portal on `server`: pages read `engine` through `cache`; `rate_limit` per address
    (flask-limiter syntax, counted in Redis when `redis_url` is set)."""
    server.extensions[EXTENSION] = {"engine": engine, "cache": cache, "public_url": (public_url or "").rstrip("/") or None}
    limiter = blueprint_limiter(server, [blueprint.name], key_func=lambda: flask.request.remote_addr or "?", default_limits=[],
                                on_breach=_too_many,
                      storage_uri=redis_url or "memory://", key_prefix="ambon-publik")
    limiter.shared_limit(rate_limit, scope="publik")(blueprint)  # one budget for the whole portal
    server.register_blueprint(blueprint)
