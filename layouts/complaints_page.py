"""The complaints desk's pages: the inbox (operators) / queue (an agency), a complaint's detail with its
timeline, and the per-agency performance. Components only; callbacks.complaints_desk fills them."""
from __future__ import annotations

from datetime import datetime

import dash_leaflet as dl
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from dash_extensions.javascript import Namespace

from complaints import lifecycle
from complaints.deadlines import deadline_state
from config.complaints import KINDS
from i18n import t
from i18n.format import number, percent, time_left, wit_time
from layouts import ids
from layouts.controls import dropdown
from layouts.legend import dot, legend_panel, row
from layouts.map_page import AMBON_CENTER, Basemap, base_layers, credits, land_pane
from layouts.styles import DEADLINE_COLOURS
from store.vocabulary import AGENCIES, COMPLAINT_CATEGORIES

INLINE_ACTIONS = {lifecycle.OPERATOR: ("verify", "route", "close"), lifecycle.AGENCY: ("accept",)}
"""What one click in a list row does without a form (the rest on the detail page)."""
js = Namespace("ambon", "complaints")


def running_deadline_state(due: datetime | None, now: datetime) -> str:
    if due is None or pd.isna(due):
        return "none"
    return deadline_state(pd.Timestamp(due).to_pydatetime(), None, now)


def deadline_badge(due, now: datetime, lang: str) -> html.Span:
    state = running_deadline_state(due, now)
    text = t("cx.deadline.none", lang) if state == "none" else f"{t(f'cx.deadline.{state}', lang)} · {time_left(pd.Timestamp(due).to_pydatetime(), now, lang)}"
    return html.Span(text, className=f"cx-deadline cx-deadline-{state}", title=wit_time(due) if state != "none" else None)


def _options(prefix: str, values, lang: str) -> list[dict]:
    return [{"label": t(f"{prefix}.{v}", lang), "value": v} for v in values]


def desk_legend(lang: str) -> html.Div:
    return legend_panel(lang, [(t("cx.legend.title", lang), [row(dot(colour), t(f"cx.deadline.{state}", lang))
                                                              for state, colour in DEADLINE_COLOURS.items()])], "cx-legend")


def desk_page(lang: str, basemap: Basemap, *, agency: str | None, import_token: str | None) -> html.Div:
    """The inbox (agency None) or an agency's queue, with its filters, the list, the map and (operators, given
    the signed `import_token` that tells the background import who imports) the SP4N-LAPOR import."""
    title = t("cx.inbox.title", lang) if agency is None else t("cx.queue.title", lang).format(agency=agency)
    states = lifecycle.AWAITING_OPERATOR if agency is None else lifecycle.AWAITING_AGENCY
    filters = html.Div(className="cx-filters", children=[
        html.Div([html.Label(t("cx.filter.states", lang)),
                  dropdown(lang, id=ids.CX_FILTER_STATES, options=_options("status", lifecycle.STATES, lang), value=list(states), multi=True)]),
        html.Div([html.Label(t("cx.filter.category", lang)),
                  dropdown(lang, id=ids.CX_FILTER_CATEGORY, options=_options("category", COMPLAINT_CATEGORIES, lang), multi=True,
                           placeholder=t("cx.filter.all", lang))]),
        *([html.Div([html.Label(t("cx.filter.agency", lang)),
                     dropdown(lang, id=ids.CX_FILTER_AGENCY, options=[{"label": a, "value": a} for a in AGENCIES], multi=True,
                              placeholder=t("cx.filter.all", lang))])] if agency is None else [html.Div(dropdown(lang, id=ids.CX_FILTER_AGENCY, options=[], value=[], multi=True), hidden=True)]),
        html.Div([html.Label(t("cx.filter.text", lang), htmlFor=ids.CX_FILTER_TEXT),
                  dcc.Input(id=ids.CX_FILTER_TEXT, type="search", debounce=True, className="form-control", maxLength=100,
                            placeholder=t("cx.filter.text_hint", lang))]),
        html.Div([html.Label(t("cx.filter.deadline", lang)),
                  dcc.RadioItems(id=ids.CX_FILTER_DEADLINE, value="", inline=True, className="cx-radio", inputClassName="form-check-input",
                                 options=[{"label": t("cx.filter.all", lang), "value": ""}] + _options("cx.deadline", ("overdue", "due_soon"), lang))]),
    ])
    # the main map's offline basemap (land, roads and their credits) under the complaints, as on the city map
    desk_map = dl.Map(id=ids.CX_MAP, center=AMBON_CENTER, zoom=12, minZoom=10, maxZoom=19, className="city-map cx-map",
                      style={"height": "100%", "width": "100%"}, attributionControl=False,
                      children=[land_pane(lang, basemap), credits(lang, basemap),
                                dl.LayersControl(base_layers(lang, basemap), position="topright"),
                                dl.GeoJSON(id=ids.CX_POINTS, data={"type": "FeatureCollection", "features": []}, pointToLayer=js("point"),
                                           onEachFeature=js("tooltip")),
                                dl.ScaleControl(position="bottomleft", imperial=False)])
    # an agency's queue has no import, but every component its callbacks name must exist for the page's other callbacks to run
    importer = html.Details(className="cx-import mt-3", children=[
        html.Summary(t("cx.import.title", lang)),
        dcc.Store(id=ids.CX_IMPORT_ACTOR, data=import_token),
        dcc.Upload(id=ids.CX_IMPORT_UPLOAD, children=html.Div(t("cx.import.drop", lang)), className="cx-upload", accept=".csv,.xlsx", max_size=-1),
        html.Div([html.Progress(id=ids.CX_IMPORT_PROGRESS, value="0", max="100", className="w-100"),
                  html.Span(id=ids.CX_IMPORT_PROGRESS_LABEL, className="small")]),
        html.Div(id=ids.CX_IMPORT_REPORT, role="status"),
    ]) if import_token else html.Div([dcc.Store(id=ids.CX_IMPORT_ACTOR), dcc.Upload(id=ids.CX_IMPORT_UPLOAD), html.Progress(id=ids.CX_IMPORT_PROGRESS),
                                      html.Span(id=ids.CX_IMPORT_PROGRESS_LABEL), html.Div(id=ids.CX_IMPORT_REPORT)], hidden=True)
    return html.Div(className="cx-page", children=[
        dcc.Store(id=ids.CX_PAGE, data=0),
        html.Section(className="cx-list", children=[
            html.H1(title, className="h4"),
            html.Div(id=ids.CX_COUNTS, className="cx-counts", role="status"),
            filters,
            html.Div(id=ids.CX_MESSAGE, role="status", className="cx-message"),
            dcc.Loading(html.Div(id=ids.CX_TABLE), delay_show=300),
            html.Div(className="cx-pager", children=[
                html.Button(t("cx.prev", lang), id=ids.CX_PREV, className="btn btn-outline-secondary btn-sm"),
                html.Span(id=ids.CX_PAGE_INFO, className="mx-2"),
                html.Button(t("cx.next", lang), id=ids.CX_NEXT, className="btn btn-outline-secondary btn-sm"),
            ]),
            importer,
        ]),
        html.Div([desk_map, desk_legend(lang)], className="cx-map-wrap"),
    ])


def desk_table(rows: pd.DataFrame, actor_kind: str, now: datetime, lang: str) -> html.Div:
    """The list rows: ticket (link to detail), received, status, category, agency, text, deadline, one-click actions."""
    if rows.empty:
        return html.P(t("cx.empty", lang), className="text-muted")
    heads = ("ticket", "received", "status", "category", "agency", "text", "deadline", "actions")
    body = []
    for r in rows.itertuples():
        buttons = [html.Button(t(f"cx.action.{action}", lang), id={"type": ids.CX_ACT, "id": int(r.id), "action": action},
                               className="btn btn-sm btn-outline-primary me-1")
                   for action in INLINE_ACTIONS[actor_kind] if action in lifecycle.allowed_actions(r.status, actor_kind)]
        body.append(html.Tr([
            html.Td(dcc.Link(r.ticket, href=f"/pengaduan/detail?id={int(r.id)}", className="cx-ticket")),
            html.Td(wit_time(r.created_at)),
            html.Td(t(f"status.{r.status}", lang)),
            html.Td(t(f"category.{r.category}", lang)),
            html.Td(r.agency),
            html.Td((r.title or r.description or "")[:120], className="cx-text"),
            html.Td(deadline_badge(r.next_due_at, now, lang)),
            html.Td(buttons + [dcc.Link(t("cx.open", lang), href=f"/pengaduan/detail?id={int(r.id)}", className="btn btn-sm btn-link")]),
        ], **{"data-id": str(int(r.id))}))
    return html.Table([html.Thead(html.Tr([html.Th(t(f"cx.col.{h}", lang)) for h in heads])), html.Tbody(body)],
                      className="table table-sm cx-table")


def points_geojson(rows: pd.DataFrame, now: datetime) -> dict:
    """The page's complaints as points coloured by deadline state (ticket for the tooltip, as text)."""
    features = []
    for r in rows.itertuples():
        state = running_deadline_state(r.next_due_at, now)
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(r.lon, 6), round(r.lat, 6)]},
                         "properties": {"id": int(r.id), "ticket": r.ticket, "colour": DEADLINE_COLOURS[state]}})
    return {"type": "FeatureCollection", "features": features}


def deadline_counts_line(counts: pd.DataFrame, lang: str) -> list:
    return [html.Div(t("cx.counts", lang).format(agency=r.agency, overdue=number(r.overdue or 0, lang), soon=number(r.due_soon or 0, lang),
                                                 open=number(r.open or 0, lang)), className="cx-count") for r in counts.itertuples()]


def import_report(report, lang: str) -> html.Div:
    counts = report.counts()
    lines = [html.Li(f"{t('cx.import.row', lang).format(row=line['row'])} · {line['ticket'] or '–'} · {t('cx.import.outcome.' + line['outcome'], lang)}"
                     + (f" · {t('cx.import.reason.' + line['reason'], lang)}" if line["reason"] else ""))
             for line in report.lines[:500]]
    return html.Div([html.P(t("cx.import.summary", lang).format(**{k: number(v, lang) for k, v in counts.items()}), className="fw-bold"),
                     html.Ol(lines, className="cx-import-lines")], id="cx-import-result")


# --- detail -----------------------------------------------------------------------------------

def _field(label: str, value) -> list:
    return [html.Dt(label, className="col-sm-4"), html.Dd(value, className="col-sm-8")]


def detail_body(detail: dict, *, lang: str, now: datetime, show_personal: bool, duplicates: pd.DataFrame, cameras: pd.DataFrame,
                may_watch: bool, actor_kind: str) -> html.Div:
    """Everything about one complaint: facts, reporter (when allowed), deadlines, cameras, duplicates, timeline, photos."""
    place = f"{detail['lat']:.5f}, {detail['lon']:.5f}" + (f" · {detail['location_text']}" if detail.get("location_text") else "")
    if detail.get("place_note") in ("outside_city", "swapped"):
        place += f" ({t('cx.detail.' + detail['place_note'], lang)})"
    facts = [
        *_field(t("cx.col.status", lang), t(f"status.{detail['status']}", lang)
                + (f" · {t('cx.reason.' + detail['rejection_reason'], lang)}" if detail.get("rejection_reason") else "")),
        *_field(t("cx.col.category", lang), t(f"category.{detail['category']}", lang)),
        *_field(t("cx.col.agency", lang), detail["agency"]),
        *_field(t("cx.detail.kind", lang), t(f"cx.kind.{detail.get('kind') or 'pengaduan'}", lang)),
        *_field(t("cx.col.received", lang), wit_time(detail["created_at"])),
        *_field(t("cx.detail.response_due", lang), wit_time(detail["due_response_at"])),
        *_field(t("cx.detail.completion_due", lang), wit_time(detail["due_at"])),
        *_field(t("cx.col.deadline", lang), deadline_badge(detail.get("next_due_at"), now, lang)),
        *_field(t("cx.detail.place", lang), place),
    ]
    if show_personal:
        reporter = " · ".join(filter(None, (detail.get("reporter_name"), detail.get("reporter_phone")))) or t("cx.detail.anonymous", lang)
        facts += _field(t("cx.detail.reporter", lang), reporter)
        if detail["merged"]:
            facts += _field(t("cx.detail.merged", lang), html.Ul([html.Li(f"{m['ticket']} · " + (" · ".join(filter(None, (m["reporter_name"], m["reporter_phone"])))
                                                                                              or t("cx.detail.anonymous", lang))) for m in detail["merged"]]))
    elif detail["merged"]:
        facts += _field(t("cx.detail.merged", lang), ", ".join(m["ticket"] for m in detail["merged"]))
    timeline = html.Ol([html.Li([html.Span(wit_time(e["at"]), className="text-muted"), " · ", html.Strong(t(f"cx.action.{e['action']}", lang)),
                                 f" · {e['actor']}", f" → {t('status.' + e['to_state'], lang)}",
                                 *([f" · {e['agency']}"] if e.get("agency") else []),
                                 *([f" · {t('cx.reason.' + e['reason'], lang)}"] if e.get("reason") else []),
                                 *([html.Br(), html.Q(e["note"])] if e.get("note") else []),
                                 *([html.Br(), html.Img(src=f"/api/complaints/photos/{e['photo_id']}", className="cx-photo", alt="")]
                                   if e.get("photo_id") and (show_personal or not _is_reporter_photo(detail, e["photo_id"])) else [])],
                                className="cx-event") for e in detail["events"]], className="cx-timeline", id="cx-timeline")
    camera_list = html.Ul([html.Li([f"{c.name} · {number(c.distance_m, lang)} m ",
                                    *([html.A(t("cx.detail.live", lang), href=f"/kamera/langsung?id={int(c.id)}", target="_blank")] if may_watch else [])])
                           for c in cameras.itertuples()]) if len(cameras) else html.P(t("cx.detail.no_cameras", lang), className="text-muted")
    duplicate_list = html.P(t("cx.detail.no_duplicates", lang), className="text-muted")
    if len(duplicates):
        items = []
        for d in duplicates.head(10).itertuples():
            why = []
            if "place" in d.why:
                why.append(t("cx.detail.why.place", lang).format(m=number(d.distance_m, lang), d=number(d.days_apart, lang, 1)))
            if "text" in d.why:
                why.append(t("cx.detail.why.text", lang).format(p=percent(d.similarity, lang)))
            mergeable = actor_kind == lifecycle.OPERATOR and d.status in lifecycle.MOVES["merge"].sources
            items.append(html.Li([dcc.Link(d.ticket, href=f"/pengaduan/detail?id={int(d.id)}"), f" · {t('status.' + d.status, lang)} · ", "; ".join(why),
                                  *([" ", html.Button(t("cx.action.merge", lang), id={"type": ids.CX_MERGE, "id": int(d.id)},
                                                      className="btn btn-sm btn-outline-secondary")] if mergeable else [])]))
        duplicate_list = html.Ul(items, className="cx-duplicates")
    photos = [p for p in detail["photos"] if show_personal or not p["from_reporter"]]
    return html.Div([
        html.H1(t("cx.detail.title", lang).format(ticket=detail["ticket"]), className="h4"),
        *([html.P(dcc.Link(t("cx.detail.follows", lang).format(ticket=detail["merged_into_ticket"]),
                           href=f"/pengaduan/detail?id={int(detail['merged_into_id'])}"), className="alert alert-info")]
          if detail.get("merged_into_id") else []),
        html.P(detail.get("title") or "", className="fw-bold"),
        html.P(detail["description"], className="cx-description", id="cx-description"),
        html.Dl(facts, className="row"),
        html.H2(t("cx.detail.photos", lang), className="h6") if photos else None,
        html.Div([html.Img(src=f"/api/complaints/photos/{p['id']}", className="cx-photo", alt="") for p in photos if p["from_reporter"]]),
        html.H2(t("cx.detail.cameras", lang), className="h6"), camera_list,
        html.H2(t("cx.detail.duplicates", lang), className="h6"), duplicate_list,
        html.H2(t("cx.detail.timeline", lang), className="h6"), timeline,
    ])


def _is_reporter_photo(detail: dict, photo_id: int) -> bool:
    return any(p["id"] == photo_id and p["from_reporter"] for p in detail["photos"])


def action_form(detail: dict, actor_kind: str, lang: str) -> html.Section:
    """The form that moves the complaint on: only the actions the life cycle allows this actor now."""
    actions = [a for a in lifecycle.allowed_actions(detail["status"], actor_kind) if a != "merge"] if not detail.get("merged_into_id") else []
    return html.Section(className="cx-act card", children=html.Div(className="card-body", children=[
        html.H2(t("cx.detail.act", lang), className="h6"),
        dropdown(lang, id=ids.CX_DETAIL_ACTION, options=_options("cx.action", actions, lang), value=actions[0] if actions else None, clearable=False),
        html.Label(t("cx.detail.reason", lang), className="mt-2"),
        dropdown(lang, id=ids.CX_DETAIL_REASON, options=_options("cx.reason", lifecycle.REJECTION_REASONS, lang)),
        html.Label(t("cx.detail.target_agency", lang), className="mt-2"),
        dropdown(lang, id=ids.CX_DETAIL_AGENCY, options=[{"label": a, "value": a} for a in AGENCIES], value=detail["agency"], clearable=False),
        html.Label(t("cx.detail.kind", lang), className="mt-2"),
        dropdown(lang, id=ids.CX_DETAIL_KIND, options=_options("cx.kind", KINDS, lang), value=detail.get("kind") or "pengaduan", clearable=False),
        html.Label(t("cx.detail.note", lang), htmlFor=ids.CX_DETAIL_NOTE, className="mt-2"),
        dcc.Textarea(id=ids.CX_DETAIL_NOTE, className="form-control", maxLength=4000, style={"height": "6em"}),
        dcc.Checklist(id=ids.CX_DETAIL_PUBLIC, options=[{"label": t("cx.detail.public", lang), "value": "public"}], value=[],
                      inputClassName="form-check-input me-1"),
        dcc.Upload(id=ids.CX_DETAIL_PHOTO, children=html.Div(t("cx.detail.photo", lang)), className="cx-upload", accept="image/jpeg,image/png"),
        html.Div(id=ids.CX_DETAIL_PHOTO_NAME, className="small text-muted"),
        html.Button(t("cx.detail.submit", lang), id=ids.CX_DETAIL_SUBMIT, className="btn btn-primary mt-2", disabled=not actions),
        html.Div(id=ids.CX_DETAIL_MESSAGE, role="status", className="mt-2"),
    ]))


def detail_page(lang: str, complaint_id: int, body, form) -> html.Div:
    return html.Div(className="cx-detail-page", children=[
        dcc.Store(id=ids.CX_DETAIL_ID, data=complaint_id),
        dcc.Link(t("cx.detail.back", lang), href="/pengaduan"),
        html.Div(className="cx-detail", children=[html.Div(body, id=ids.CX_DETAIL_BODY, className="cx-detail-main"), form]),
    ])


def not_found(lang: str) -> html.Div:
    return html.Div(html.P(t("cx.detail.not_found", lang), className="alert alert-warning"), className="cx-detail-page")


# --- performance ------------------------------------------------------------------------------

def _days(value, lang: str) -> str:
    return "–" if value is None or pd.isna(value) else t("cx.perf.days", lang).format(n=number(value, lang, 1))


def performance_page(lang: str, figures: dict[str, pd.DataFrame], rules_text: str, holidays: list[dict] | None) -> html.Div:
    """The per-agency table, the monthly charts and the backlog by age; `holidays` (admins) adds the local holiday editor."""
    summary, monthly, backlog = figures["summary"], figures["monthly"], figures["backlog"]
    heads = ("cx.filter.agency", "cx.perf.received", "cx.perf.response", "cx.perf.completion", "cx.perf.within", "cx.perf.backlog")
    table = html.Table([html.Thead(html.Tr([html.Th(t(h, lang)) for h in heads])), html.Tbody([
        html.Tr([html.Td(r.agency), html.Td(f"{number(r.received, lang)} {t('unit.complaints', lang)}", className="num"),
                 html.Td(_days(r.median_response_days, lang), className="num"), html.Td(_days(r.median_completion_days, lang), className="num"),
                 html.Td(percent(None if pd.isna(r.within_deadline) else r.within_deadline, lang, "cx.deadline.none"), className="num"),
                 html.Td(f"{number(r.backlog, lang)} {t('unit.complaints', lang)}", className="num")]) for r in summary.itertuples()])],
        className="table table-sm cx-perf-table", id="cx-perf-table")
    received = go.Figure([go.Bar(name=agency, x=rows.month, y=rows.received) for agency, rows in monthly.groupby("agency")])
    # months as categories: the axis holds exactly the months with data, none padded beyond them
    months_axis = {"type": "category", "categoryorder": "category ascending"}
    received.update_layout(barmode="stack", title=t("cx.perf.monthly", lang), xaxis_title=t("cx.perf.month", lang), xaxis=months_axis,
                           yaxis_title=t("cx.perf.count", lang), height=320, margin={"t": 40, "b": 40, "l": 50, "r": 10})
    within = go.Figure([go.Scatter(name=agency, x=rows.month, y=rows.within_deadline * 100, mode="lines+markers")
                        for agency, rows in monthly.groupby("agency")])
    within.update_layout(title=t("cx.perf.monthly_within", lang), xaxis_title=t("cx.perf.month", lang), xaxis=months_axis, yaxis_title=t("cx.perf.percent", lang),
                         yaxis_range=[0, 100], height=320, margin={"t": 40, "b": 40, "l": 50, "r": 10})
    ages = go.Figure([go.Bar(name=str(age), x=rows.agency, y=rows.open) for age, rows in backlog.groupby("age", observed=True)])
    ages.update_layout(barmode="stack", title=t("cx.perf.backlog_age", lang), yaxis_title=t("cx.perf.count", lang), height=320,
                       margin={"t": 40, "b": 40, "l": 50, "r": 10})
    editor = None
    if holidays is not None:
        editor = html.Section(className="mt-3", children=[
            html.H2(t("cx.perf.holidays", lang), className="h6"),
            html.Div(className="d-flex gap-2", children=[
                dcc.DatePickerSingle(id=ids.ADMIN_CX_HOLIDAY_DAY, display_format="DD-MM-YYYY", first_day_of_week=1),
                dcc.Input(id=ids.ADMIN_CX_HOLIDAY_NAME, placeholder=t("cx.perf.holiday_name", lang), className="form-control", maxLength=120),
                html.Button(t("cx.perf.holiday_add", lang), id=ids.ADMIN_CX_HOLIDAY_ADD, className="btn btn-outline-primary")]),
            html.Div(holiday_list(holidays), id=ids.ADMIN_CX_HOLIDAY_LIST)])
    return html.Div(className="cx-perf-page", children=[
        html.H1(t("cx.perf.title", lang), className="h4"), html.P(rules_text, className="text-muted"), table,
        html.Div([dcc.Graph(figure=received), dcc.Graph(figure=within), dcc.Graph(figure=ages)], className="cx-charts"), editor])


def holiday_list(holidays: list[dict], message: str | None = None) -> list:
    return ([html.P(message, className="text-danger")] if message else []) + [
        html.Ul([html.Li(f"{h['day']:%d-%m-%Y} · {h['name']}") for h in holidays])]
