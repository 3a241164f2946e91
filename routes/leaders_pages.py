"""The leaders' board, plain HTML (its one script the room's theme, assets/room.js), for the `leader` role and admins (permission "leaders"):

- /kinerja-cc: every indicator of the last 7 days with what it rests on, its target and 12 weeks, in
  the user's theme of the operators' room (a screen's ?tema= wins, as on every staff page);
  ?layar=besar is the big-screen mode for the wall (high contrast, large type, rotating through the
  indicator groups and the city map by CSS alone, reloading itself every 5 minutes);
- /kinerja-cc/peta.svg: the city map (open complaints per kecamatan);
- /kinerja-cc/laporan[.pdf]?minggu=YYYY-MM-DD: the weekly report of the week starting that Monday
  (default: last week), made on demand; the Monday job stores it too;
- POST /kinerja-cc/target (admins): the indicators' targets.

Counts portal visits and ticket look-ups in memory (`PublicCounter`), written in batches by the
board's background job. Aggregates only: no complaint text, no reporter, no taxpayer by name.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import flask
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from routes.auth import current_account
from complaints.store import load_calendar
from config import ROOT
from i18n import t
from i18n.format import day_text, number, percent, rupiah, wit_time
from leaders import citymap, indicators
from leaders.indicators import GROUPS, INDICATORS, Figure
from leaders.models import LeaderDaily, LeaderRollupDay
from leaders.report import ReportText, last_week, most_overdue, report_pdf, stored_weeks
from leaders.rollup import wit_day
from routes.language import request_language
from routes.staff_bar import user_theme
from store import layers

EXTENSION = "leaders_pages"
MAP_SIZE = (180.0, 110.0)
"""The map's box in mm on the PDF, in SVG units on the page."""
blueprint = flask.Blueprint("leaders_pages", __name__, url_prefix="/kinerja-cc", template_folder=str(ROOT / "templates"))


class PublicCounter:
    """Portal visits and ticket look-ups of this process since the last `take`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def take(self) -> dict[str, int]:
        with self._lock:
            counts, self._counts = dict(self._counts), Counter()
        return counts


def counted_as(method: str, path: str, status: int, args) -> str | None:
    """What a public request counts as: "ticket_lookup", "portal_visit" (a /publik page answered), or None."""
    if method != "GET" or status != 200 or not path.startswith("/publik") or "/static/" in path or "." in path.rsplit("/", 1)[-1]:
        return None
    return "ticket_lookup" if path == "/publik/tiket" and args.get("tiket") else "portal_visit"


def utcnow() -> datetime:
    return datetime.utcnow()


def _state() -> dict:
    return flask.current_app.extensions[EXTENSION]


def value_text(figure: Figure, lang: str) -> str:
    """The figure's value with its unit, or what stands instead of it."""
    if figure.state != "ok":
        return t(f"lead.state.{figure.state}", lang)
    return format_value(figure.indicator.unit, figure.value, lang)


def format_value(unit: str, value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    if unit == "percent":
        return percent(value, lang)
    if unit == "rupiah":
        return rupiah(value, lang)
    if unit == "count":
        return number(value, lang)
    return f"{number(value, lang, 1)} {t(f'lead.unit.{unit}', lang)}"


def basis_text(figure: Figure, lang: str) -> str:
    if figure.state == "not_in_use":
        return ""
    return t(f"lead.basis.{figure.key}", lang).format(num=number(figure.num, lang), den=number(figure.den, lang), gap=number(figure.gap, lang))


def target_text(figure: Figure, lang: str) -> str:
    if figure.target is None:
        return t("lead.no_target", lang)
    text = t("lead.target", lang).format(value=format_value(figure.indicator.unit, figure.target, lang))
    if figure.met is not None:
        text += " – " + t("lead.met" if figure.met else "lead.not_met", lang)
    return text


def trend_text(figure: Figure, lang: str) -> str:
    """"naik/turun dari minggu sebelumnya" (last complete week against the one before), or ""."""
    if figure.trend is None or figure.trend == 0:
        return ""
    return ("↑ " + t("lead.trend.up", lang)) if figure.trend > 0 else ("↓ " + t("lead.trend.down", lang))


def week_bars(figure: Figure, lang: str) -> list[tuple[str, float | None, str]]:
    """(label dd/mm of the Monday, bar height 0..1, value text) per week."""
    values = [v for _, v in figure.weeks if v is not None]
    top = max(values + [figure.target or 0.0, 1e-9]) if figure.indicator.unit != "percent" else 1.0
    return [(monday.strftime("%d/%m"), None if v is None else max(0.0, min(1.0, v / top)),
             format_value(figure.indicator.unit, v, lang)) for monday, v in figure.weeks]


def detail_rows(figure: Figure, lang: str) -> list[tuple[str, str, str]]:
    """(scope label, value, basis) per agency, feed kind or shift."""
    rows = []
    for d in sorted(figure.detail, key=lambda d: d["scope"]):
        label = t(f"lead.feed.{d['scope']}", lang) if figure.key == "feeds" else d["scope"]
        rows.append((label, format_value(figure.indicator.unit, d["value"], lang),
                     f"{number(d['num'], lang)} / {number(d['den'], lang)}"))
    return rows


def city_map(engine: Engine, lang: str) -> tuple[list[citymap.Area], list[tuple[str, str]], str]:
    """The kecamatan coloured by open complaints (from the last roll-up): areas, legend, SVG."""
    with engine.connect() as conn:
        last = conn.execute(select(func.max(LeaderDaily.day)).where(LeaderDaily.metric == "backlog_area")).scalar_one()
        values = {scope: num for scope, num in conn.execute(select(LeaderDaily.scope, LeaderDaily.num).where(
            LeaderDaily.metric == "backlog_area", LeaderDaily.day == last))} if last else {}
    frame = layers.read_admin_areas(engine, "kecamatan")
    areas, bounds = citymap.areas_in_box(frame, values, *MAP_SIZE)
    lower = 0.0
    legend = []
    for bound, colour in zip(bounds, citymap.PALETTE):
        legend.append((colour, f"{number(lower, lang)}–{number(bound, lang)} {t('lead.report.legend', lang).lower()}"))
        lower = bound
    legend.append((citymap.NO_DATA, t("lead.report.no_data", lang)))
    return areas, legend, citymap.svg(areas, *MAP_SIZE, t("lead.group.map", lang))


def last_rolled(engine: Engine) -> datetime | None:
    with engine.connect() as conn:
        return conn.execute(select(func.max(LeaderRollupDay.rolled_at))).scalar_one()


def compose_report(engine: Engine, monday: date, now: datetime, lang: str = "id") -> tuple[ReportText, list[citymap.Area], str]:
    """The weekly report of the week starting `monday`, in `lang`: its texts, map areas and map SVG."""
    sunday = monday + timedelta(days=6)
    figures = indicators.figures(engine, sunday, period=(monday, sunday))
    groups = [(t(f"lead.group.{group}", lang), [
        {"key": f.key, "name": t(f"lead.ind.{f.key}", lang), "value": value_text(f, lang), "basis": basis_text(f, lang),
         "target": target_text(f, lang), "trend": trend_text(f, lang), "weeks": week_bars(f, lang), "detail": detail_rows(f, lang)}
        for f in figures if f.indicator.group == group]) for group in GROUPS]
    overdue = most_overdue(engine, now, load_calendar(engine))
    areas, legend, svg = city_map(engine, lang)
    hours = lambda n: t("lead.report.hours_down", lang).format(n=number(n, lang, 1))  # noqa: E731
    doc = ReportText(
        title=t("lead.report.title", lang),
        subtitle=t("lead.report.week", lang).format(first=day_text(monday, lang), last=day_text(sunday, lang)),
        generated=t("lead.report.generated", lang).format(when=wit_time(now)),
        groups=groups,
        overdue_heading=t("lead.report.overdue", lang),
        overdue=[(agency, [(r["ticket"], r["category"], t("lead.report.overdue_days", lang).format(n=r["days_over"])) for r in rows])
                 for agency, rows in overdue.items()],
        overdue_none=t("lead.report.overdue_none", lang),
        columns=(t("lead.report.ticket", lang), t("lead.report.category", lang), t("lead.report.late", lang)),
        downtime=[(t("lead.report.down_services", lang), [(n, hours(h)) for n, h in indicators.top_downtime(engine, monday, sunday, "svc_down")]),
                  (t("lead.report.down_cameras", lang), [(n, hours(h)) for n, h in indicators.top_downtime(engine, monday, sunday, "cam_down")])],
        down_none=t("lead.report.down_none", lang),
        map_heading=t("lead.group.map", lang),
        legend=legend,
    )
    return doc, areas, svg


def render_report_html(doc: ReportText, svg: str, lang: str) -> str:
    return flask.render_template("leaders/report.html", doc=doc, svg=svg, lang=lang, t=lambda key: t(key, lang))


def _render(template: str, **context) -> str:
    lang = request_language()
    return flask.render_template(f"leaders/{template}", lang=lang, t=lambda key, **kw: t(key, lang).format(**kw) if kw else t(key, lang),
                                 csrf_token=generate_csrf(), account=current_account(), message=flask.request.args.get("pesan"),
                                 message_name=flask.request.args.get("nama", ""), **context)


@blueprint.get("", strict_slashes=False)
def board():
    engine = _state()["engine"]
    lang = request_language()
    now = utcnow()
    today = wit_day(now)
    figures = indicators.figures(engine, today)
    groups = [(group, [f for f in figures if f.indicator.group == group]) for group in GROUPS]
    _, legend, svg = city_map(engine, lang)
    rolled = last_rolled(engine)
    return _render("board.html", groups=groups, svg=svg, legend=legend, big=flask.request.args.get("layar") == "besar", theme=user_theme(current_account()),
                   period=t("lead.period", lang).format(day=day_text(today, lang)),
                   updated=t("lead.updated", lang).format(when=wit_time(rolled)) if rolled else t("lead.never_rolled", lang),
                   value=lambda f: value_text(f, lang), basis=lambda f: basis_text(f, lang), target=lambda f: target_text(f, lang),
                   bars=lambda f: week_bars(f, lang), detail=lambda f: detail_rows(f, lang), indicators=INDICATORS,
                   trend=lambda f: trend_text(f, lang),
                   target_input=lambda f: "" if f.target is None else number(f.target * (100 if f.indicator.unit == "percent" else 1), "en", 2).replace(",", ""),
                   weeks=stored_weeks(_state()["reports_dir"]), last_monday=last_week(today), is_admin=current_account().can("admin"))


@blueprint.get("/peta.svg")
def map_svg():
    _, _, svg = city_map(_state()["engine"], request_language())
    return flask.Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=60"})


def _week_arg() -> date:
    text = flask.request.args.get("minggu", "")
    try:
        day = date.fromisoformat(text) if text else last_week(wit_day(utcnow()))
    except ValueError:
        flask.abort(400)
    return day - timedelta(days=day.weekday())


@blueprint.get("/laporan")
def report_html():
    lang = request_language()
    doc, _, svg = compose_report(_state()["engine"], _week_arg(), utcnow(), lang)
    return render_report_html(doc, svg, lang)


@blueprint.get("/laporan.pdf")
def report_file():
    monday = _week_arg()
    doc, areas, _ = compose_report(_state()["engine"], monday, utcnow(), request_language())
    return flask.Response(report_pdf(doc, areas, MAP_SIZE), mimetype="application/pdf",
                          headers={"Content-Disposition": f'inline; filename="kinerja-{monday.isoformat()}.pdf"'})


@dataclass(frozen=True)
class TargetError(Exception):
    key: str


def parse_targets(form) -> dict[str, float | None]:
    """Targets typed on the form (percent as 0-100, "," or "." as decimal mark); raises TargetError naming the first bad one."""
    out: dict[str, float | None] = {}
    for indicator in INDICATORS:
        text = (form.get(f"target-{indicator.key}") or "").strip().replace(",", ".")
        if not text:
            out[indicator.key] = None
            continue
        try:
            value = float(text)
        except ValueError:
            raise TargetError(indicator.key) from None
        if indicator.unit == "percent":
            value /= 100
        if not (0 <= value < float("inf")) or (indicator.unit == "percent" and value > 1):
            raise TargetError(indicator.key)
        out[indicator.key] = value
    return out


@blueprint.post("/target")
def post_targets():
    account = current_account()
    if not account.can("admin"):  # also in the route table; checked again here
        flask.abort(403)
    lang = request_language()
    try:
        targets = parse_targets(flask.request.form)
    except TargetError as error:
        return flask.redirect(flask.url_for("leaders_pages.board", pesan="lead.targets.bad", nama=t(f"lead.ind.{error.key}", lang)))
    now = utcnow()
    for key, value in targets.items():
        indicators.set_target(_state()["engine"], key, value, account.username, now)
    return flask.redirect(flask.url_for("leaders_pages.board", pesan="lead.targets.saved"))


def init_leaders_pages(server: flask.Flask, engine: Engine, reports_dir, counter: PublicCounter) -> None:
    """Serve the board, and count the public portal's requests into `counter`."""
    server.extensions[EXTENSION] = {"engine": engine, "reports_dir": reports_dir}
    server.register_blueprint(blueprint)

    @server.after_request
    def count_public(response):
        name = counted_as(flask.request.method, flask.request.path, response.status_code, flask.request.args)
        if name:
            counter.add(name)
        return response
