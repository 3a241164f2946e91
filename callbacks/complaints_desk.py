"""Complaints desk pages (/pengaduan, /pengaduan/detail, /pengaduan/kinerja): thin glue between
complaints.store and layouts.complaints_page.

Who acts is decided here from the logged-in account, never from the browser: operators and admins act
for the Command Center, an agency account for its own agency only (complaints.store refuses the rest).
"""
from __future__ import annotations

import math
from datetime import date

import dash
from dash import ALL, Dash, Input, Output, State, ctx, no_update
from itsdangerous import BadSignature, URLSafeTimedSerializer

from auth import audit
from uploads import UploadRejected, decode_data_url
from routes.auth import audit_event, current_account
from background import background_manager
from complaints import lifecycle, store
from complaints.lifecycle import IllegalTransition
from complaints.photos import PhotoRefused, clean_photo
from complaints.rollups import refresh_rollups, rollup_performance
from complaints.sp4n_import import ImportRefused, import_sp4n
from config import Settings
from i18n import normalise_language, t
from i18n.format import number
from layouts import complaints_page as view
from layouts import ids
from routes.language import request_language
from routes.layers import single_flight
from services import current_services

PERFORMANCE_SECONDS = 60
IMPORT_MAX_BYTES = 15 * 1024 * 1024
IMPORT_TOKEN_SECONDS = 12 * 3600
"""How long a desk page's import permission stays valid (an operator's shift)."""
"""The server takes request bodies up to 16 MB; a 100,000-row export is about 12 MB."""


def actor_of(account) -> store.Actor | None:
    """The desk actor of an account: agency staff for their agency, operators and admins for the Command Center,
    None for roles without the "complaints" permission (viewer, planner, bpbd)."""
    if account is None or not account.can("complaints"):
        return None
    if account.complaint_scope is not None:
        return store.Actor(account.username, lifecycle.AGENCY, account.complaint_scope)
    return store.Actor(account.username, lifecycle.OPERATOR)


def _refusal(error: Exception, lang: str) -> str:
    code = getattr(error, "code", "unknown_action")
    return t(f"cx.refused.{code}", lang)


def _figures_from_rollups(engine):
    refresh_rollups(engine, allow_full=False)  # only the days that changed; complaints.rollups.start_rollup_loop does the rest
    return rollup_performance(engine)


def _import_signer(settings: Settings) -> URLSafeTimedSerializer:
    """The import runs as a background job, outside the request: the page carries who may import, signed by the server."""
    return URLSafeTimedSerializer(settings.session_secret(), salt="complaints-import")


def desk_layout(**_query):
    services = current_services()
    actor = actor_of(current_account())
    token = _import_signer(services.settings).dumps(actor.name) if actor and actor.kind == lifecycle.OPERATOR else None
    return view.desk_page(request_language(), services.basemap(), agency=actor.agency if actor else None, import_token=token)


def detail_layout(id=None, **_query):  # noqa: A002 - the query parameter's name
    lang, account = request_language(), current_account()
    actor = actor_of(account)
    try:
        complaint_id = int(id)
    except (TypeError, ValueError):
        return view.not_found(lang)
    detail = store.read_detail(current_services().engine, complaint_id)
    if detail is None or actor is None or not actor.may_see(detail["agency"], detail["routed_at"] is not None):
        return view.not_found(lang)
    return view.detail_page(lang, complaint_id, _detail_body(detail, actor, account, lang), view.action_form(detail, actor.kind, lang))


def performance_layout(**_query):
    lang, account = request_language(), current_account()
    services = current_services()
    engine, rules = services.engine, services.settings.complaint_rules()
    # read from the daily roll-ups, brought up to date first (only the days that changed): once a minute,
    # by one request at a time
    figures = single_flight(services.cache, "cx:performance", lambda: _figures_from_rollups(engine), PERFORMANCE_SECONDS)
    completion = ", ".join(f"{t('cx.kind.' + kind, lang).split(' (')[0]} {days}" for kind, days in rules.completion_days.items())
    rules_text = t("cx.perf.rules", lang).format(response=rules.response_days, completion=completion)
    return view.performance_page(lang, figures, rules_text, store.local_holidays(engine) if account and account.can("admin") else None)


def _detail_body(detail: dict, actor: store.Actor, account, lang: str):
    engine = current_services().engine
    return view.detail_body(detail, lang=lang, now=store.utcnow(), show_personal=actor.may_see(detail["agency"], detail["routed_at"] is not None),
                            duplicates=store.duplicate_candidates(engine, detail), cameras=store.cameras_covering(engine, detail["lon"], detail["lat"]),
                            may_watch=account.can("live"), actor_kind=actor.kind)


def register(app: Dash, settings: Settings) -> None:
    """`settings`: where this app's jobs run."""
    dash.register_page("pengaduan", path="/pengaduan", order=15, name=t("nav.complaints", "id"), title=t("nav.complaints", "id"),
                       layout=desk_layout, nav_key="nav.complaints", permission="complaints")
    dash.register_page("pengaduan-detail", path="/pengaduan/detail", order=16, name=t("nav.complaints", "id"), title=t("nav.complaints", "id"),
                       layout=detail_layout, permission="complaints")
    dash.register_page("pengaduan-kinerja", path="/pengaduan/kinerja", order=17, name=t("nav.complaints_performance", "id"),
                       title=t("nav.complaints_performance", "id"), layout=performance_layout, nav_key="nav.complaints_performance",
                       permission="complaints")

    @app.callback(
        Output(ids.CX_TABLE, "children"), Output(ids.CX_PAGE_INFO, "children"), Output(ids.CX_POINTS, "data"), Output(ids.CX_COUNTS, "children"),
        Output(ids.CX_MESSAGE, "children"), Output(ids.CX_PAGE, "data"),
        Input(ids.CX_FILTER_STATES, "value"), Input(ids.CX_FILTER_CATEGORY, "value"), Input(ids.CX_FILTER_AGENCY, "value"),
        Input(ids.CX_FILTER_DEADLINE, "value"), Input(ids.CX_FILTER_TEXT, "value"), Input(ids.CX_PREV, "n_clicks"), Input(ids.CX_NEXT, "n_clicks"),
        Input({"type": ids.CX_ACT, "id": ALL, "action": ALL}, "n_clicks"), Input(ids.CX_IMPORT_REPORT, "children"),
        State(ids.CX_PAGE, "data"), State(ids.LANG_STORE, "data"),
    )
    def refresh_desk(states, categories, agencies, deadline, text, _prev, _next, _acts, _imported, page, lang):
        lang = normalise_language(lang)
        actor = actor_of(current_account())
        message = None
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and trigger.get("type") == ids.CX_ACT:
            if not any(p["value"] for p in ctx.triggered if p["prop_id"].endswith(".n_clicks")):
                return (no_update,) * 6  # the buttons were only (re)drawn
            message = _act(int(trigger["id"]), str(trigger["action"]), actor, lang)
        page = int(page or 0)
        if trigger == ids.CX_PREV:
            page = max(0, page - 1)
        elif trigger == ids.CX_NEXT:
            page += 1
        elif trigger not in (None,) and not isinstance(trigger, dict):
            page = 0  # a new filter starts at its first page
        engine = current_services().engine
        desk_filter = store.DeskFilter(states=tuple(s for s in (states or []) if s in lifecycle.STATES),
                                       categories=tuple(categories or ()), agencies=tuple(agencies or ()), deadline=deadline or None,
                                       text=str(text or ""))
        now = store.utcnow()
        rows, total = store.desk_page(engine, desk_filter, actor=actor, page=page, now=now)
        pages = max(1, math.ceil(total / store.PAGE_SIZE))
        if page >= pages:
            page = pages - 1
            rows, total = store.desk_page(engine, desk_filter, actor=actor, page=page, now=now)
        counts = store.deadline_counts(engine, now=now, agency=actor.agency if actor.kind == lifecycle.AGENCY else None)
        info = t("cx.page", lang).format(page=page + 1, pages=pages, total=f"{total:,}".replace(",", "." if lang == "id" else ","))
        return (view.desk_table(rows, actor.kind, now, lang), info, view.points_geojson(rows, now), view.deadline_counts_line(counts, lang),
                message, page)

    def _act(complaint_id: int, action: str, actor: store.Actor, lang: str):
        if action not in view.INLINE_ACTIONS.get(actor.kind, ()):
            return dash.html.Div(t("cx.refused.unknown_action", lang), className="alert alert-danger")
        services = current_services()
        engine, rules = services.engine, services.settings.complaint_rules()
        try:
            agency = None
            if action == "route":
                detail = store.read_detail(engine, complaint_id)
                agency = detail["agency"] if detail else None  # one click routes to the suggested agency
            state = store.apply_action(engine, complaint_id, action, actor, agency=agency, rules=rules)
        except IllegalTransition as refused:
            return dash.html.Div(_refusal(refused, lang), className="alert alert-danger")
        return dash.html.Div(t("cx.done", lang).format(state=t(f"status.{state}", lang)), className="alert alert-success")

    @app.callback(Output(ids.CX_IMPORT_REPORT, "children"), Input(ids.CX_IMPORT_UPLOAD, "contents"), State(ids.CX_IMPORT_UPLOAD, "filename"),
                  State(ids.CX_IMPORT_ACTOR, "data"), State(ids.LANG_STORE, "data"), prevent_initial_call=True,
                  background=True, manager=background_manager(settings), interval=500,
                  running=[(Output(ids.CX_IMPORT_UPLOAD, "disabled"), True, False)],
                  progress=[Output(ids.CX_IMPORT_PROGRESS, "value"), Output(ids.CX_IMPORT_PROGRESS_LABEL, "children")],
                  progress_default=["0", ""])
    def import_export(set_progress, contents, filename, token, lang):
        lang = normalise_language(lang)
        services = current_services()
        engine, rules = services.engine, services.settings.complaint_rules()
        engine.dispose(close=False)  # a forked job must not share the web process's database connections
        try:
            username = _import_signer(services.settings).loads(token or "", max_age=IMPORT_TOKEN_SECONDS)
        except BadSignature:
            return dash.html.Div(t("cx.refused.not_your_move", lang), className="alert alert-danger")
        try:
            data = decode_data_url(contents, IMPORT_MAX_BYTES)
            report = import_sp4n(engine, data, actor=username, rules=rules,
                                 progress=lambda stage, done, total: set_progress((
                                     str(round(100 * (done + (total if stage == "written" else 0)) / max(2 * total, 1))),
                                     t(f"cx.import.progress.{stage}", lang).format(done=number(done, lang), total=number(total, lang)))))
        except UploadRejected as refused:
            key = "cx.import.refused.too_large" if refused.code == "too_large" else "cx.import.refused.not_table"
            return dash.html.Div(t(key, lang), className="alert alert-danger")
        except ImportRefused as refused:
            return dash.html.Div(t(f"cx.import.refused.{refused.code}", lang).format(missing=", ".join(refused.missing)), className="alert alert-danger")
        audit.record(engine, "import.complaints", username=username, target=str(filename or "")[:200], detail=report.counts())
        return view.import_report(report, lang)

    @app.callback(Output(ids.CX_DETAIL_BODY, "children"), Output(ids.CX_DETAIL_MESSAGE, "children"), Output(ids.CX_DETAIL_NOTE, "value"),
                  Input(ids.CX_DETAIL_SUBMIT, "n_clicks"), Input({"type": ids.CX_MERGE, "id": ALL}, "n_clicks"),
                  State(ids.CX_DETAIL_ID, "data"), State(ids.CX_DETAIL_ACTION, "value"), State(ids.CX_DETAIL_NOTE, "value"),
                  State(ids.CX_DETAIL_PUBLIC, "value"), State(ids.CX_DETAIL_REASON, "value"), State(ids.CX_DETAIL_AGENCY, "value"),
                  State(ids.CX_DETAIL_KIND, "value"), State(ids.CX_DETAIL_PHOTO, "contents"), State(ids.LANG_STORE, "data"),
                  prevent_initial_call=True)
    def act_on_detail(_submit, _merges, complaint_id, action, note, public, reason, agency, kind, photo_contents, lang):
        lang = normalise_language(lang)
        account = current_account()
        actor = actor_of(account)
        trigger = ctx.triggered_id
        if not any(p["value"] for p in ctx.triggered):
            return no_update, no_update, no_update
        services = current_services()
        engine, rules, photo_max_bytes = services.engine, services.settings.complaint_rules(), services.settings.complaint_photo_max_bytes
        try:
            if isinstance(trigger, dict) and trigger.get("type") == ids.CX_MERGE:
                store.merge_complaints(engine, int(complaint_id), [int(trigger["id"])], actor)
                state = None
            else:
                photo = None
                if photo_contents:
                    photo = clean_photo(decode_data_url(photo_contents, photo_max_bytes), photo_max_bytes)
                state = store.apply_action(engine, int(complaint_id), str(action or ""), actor, note=note or "", public="public" in (public or []),
                                           reason=reason, agency=agency if action == "route" else None,
                                           kind=kind if action == "verify" else None, photo=photo, rules=rules)
        except (IllegalTransition, PhotoRefused) as refused:
            return no_update, dash.html.Div(_refusal(refused, lang), className="alert alert-danger"), no_update
        except UploadRejected:
            return no_update, dash.html.Div(t("cx.refused.photo_size", lang), className="alert alert-danger"), no_update
        detail = store.read_detail(engine, int(complaint_id))
        done = t("cx.done", lang).format(state=t(f"status.{state or detail['status']}", lang))
        return _detail_body(detail, actor, account, lang), dash.html.Div(done, className="alert alert-success"), ""

    @app.callback(Output(ids.CX_DETAIL_PHOTO_NAME, "children"), Input(ids.CX_DETAIL_PHOTO, "filename"), prevent_initial_call=True)
    def show_photo_name(filename):
        return filename or ""

    @app.callback(Output(ids.ADMIN_CX_HOLIDAY_LIST, "children"), Input(ids.ADMIN_CX_HOLIDAY_ADD, "n_clicks"),
                  State(ids.ADMIN_CX_HOLIDAY_DAY, "date"), State(ids.ADMIN_CX_HOLIDAY_NAME, "value"), State(ids.LANG_STORE, "data"),
                  prevent_initial_call=True)
    def add_holiday(_clicks, day, name, lang):
        lang = normalise_language(lang)
        message = None
        engine = current_services().engine
        try:
            store.add_local_holiday(engine, date.fromisoformat(day), name or "", current_account().username)
            audit_event("complaints.holiday_added", day, {"name": (name or "")[:120]})
        except (TypeError, ValueError) as error:
            message = _refusal(error, lang) if isinstance(error, store.InvalidComplaint) else t("cx.refused.holiday_name", lang)
        return view.holiday_list(store.local_holidays(engine), message)
