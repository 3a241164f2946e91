"""Admin page callbacks: users, cameras, the city's roads and boundaries, audit search. The guard only lets admins call them
(ids "admin-"); each change is recorded in the audit log."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import dash
from dash import Dash, Input, Output, State, ctx, html, no_update

from auth import audit, users
from auth.policy import ROLES
from routes.auth import audit_event, current_account
from callbacks import imports as layer_imports
from config.cameras import ConfigError, redact_url
from geo.boundaries import CODE_EXAMPLE, BadBoundaries
from geo.roads import NoRoads
from i18n import t
from i18n.audit import action_segments, action_text
from i18n.format import WIT_OFFSET, number, wit_time
from layouts import ids
from layouts.admin_page import admin_page, refusal_text, table
from layouts.security import shared_cache_notice
from planning.uploads import MAX_UPLOAD_BYTES, UploadError, decode_contents, read_upload
from routes.language import request_language
from services import current_services
from store.cameras import delete_camera, list_cameras, save_camera, validate_camera
from store.boundaries import area_counts, import_admin_areas
from store.cache import cache_status
from store.roads import import_roads, road_count, road_summary
from store.vocabulary import AGENCIES, CAMERA_KINDS

CAM_FIELDS = list(ids.ADMIN_CAM_FIELDS)
DATA_KINDS = ("roads", "kecamatan", "desa")
"""What an admin can replace from a file on /admin."""
USER_BUTTONS = (ids.ADMIN_USER_CREATE, ids.ADMIN_USER_SET_ROLE, ids.ADMIN_USER_RESET, ids.ADMIN_USER_DEACTIVATE, ids.ADMIN_USER_ACTIVATE)


def _users_table(engine, lang: str):
    return table([t("admin.username", lang), t("admin.role", lang), t("field.agency", lang), t("admin.active", lang), t("admin.updated", lang)],
                 [[u.username, t(f"role.{u.role}", lang), u.agency, t("admin.yes" if u.active else "admin.no", lang), wit_time(u.updated_at)]
                  for u in users.list_users(engine)])


def _apply_user_change(engine, action: str, username: str, role: str, agency: str | None, password: str) -> str:
    """Do the change the pressed button asks for, as the current account (which auth.users keeps from
    locking itself out); returns what was done (for the log and the message)."""
    if action == ids.ADMIN_USER_CREATE:
        users.create_user(engine, username, password, role, agency)
        return "user.create"
    if action == ids.ADMIN_USER_SET_ROLE:
        users.update_user(engine, username, role=role, agency=agency, by=current_account().username)
        return "user.update"
    if action == ids.ADMIN_USER_RESET:
        users.set_password(engine, username, password)
        return "user.reset_password"
    users.update_user(engine, username, active=action == ids.ADMIN_USER_ACTIVATE, by=current_account().username)
    return "user.update"


def _cameras_table(engine, lang: str):
    """The cameras table (stream URLs without passwords) and the options of the camera picker."""
    cameras = list_cameras(engine)
    rows = [[c["id"], *(_camera_cell(f, c[f], lang) for f in CAM_FIELDS)] for c in cameras]
    options = [{"label": f"{c['id']} · {c['name']}", "value": c["id"]} for c in cameras]
    return table(["id"] + [t(f"admin.cam.{f}", lang) for f in CAM_FIELDS], rows), options


def _camera_cell(field: str, value, lang: str) -> str:
    """A camera field as people read it: kinds in words, coordinates to 6 decimals (about 10 cm),
    angles and ranges with their units, stream URLs without passwords."""
    if value is None or value == "":
        return "–"
    if field == "stream_url":
        return redact_url(value)
    if field == "kind":
        return t(f"kind.{value}", lang)
    if field in ("lon", "lat"):
        return f"{value:.6f}"
    if field in ("heading_deg", "fov_deg"):
        return f"{number(value, lang)}°"
    if field == "range_m":
        return f"{number(value, lang)} m"
    return str(value)


def _data_summary(engine, lang: str) -> list:
    """What the store holds: kecamatan and desa, and the roads in kilometres per group with the
    credit their data asks for."""
    counts = area_counts(engine)
    areas = html.P(t("admin.areas.stored", lang).format(kecamatan=counts.get("kecamatan", 0), desa=counts.get("desa", 0)))
    summary = road_summary(engine)
    if not summary.segments:
        return [areas, html.P(t("admin.roads.none", lang))]
    rows = [[t(f"road.{group}", lang), f"{number(km, lang, 1)} km"] for group, km in summary.km_by_group.items()]
    credit = [html.P(t("admin.roads.credit", lang).format(sources="; ".join(summary.sources)))] if summary.sources else []
    stored = t("admin.roads.stored", lang).format(segments=number(summary.segments, lang), km=number(summary.total_km, lang, 1))
    return [areas, html.P(stored), table([t("admin.roads.group", lang), t("admin.roads.length", lang)], rows), *credit]


def _refusal(error: Exception, kind: str, lang: str) -> str:
    """Why an admin's data file was refused, in ``lang``."""
    if isinstance(error, UploadError):
        return error.text(lang)
    if isinstance(error, NoRoads):
        return t("admin.roads.no_roads", lang)
    key = f"admin.areas.{error.code}" + (f".{kind}" if error.code == "other_level" else "")
    return t(key, lang).format(examples=", ".join(error.examples), example=CODE_EXAMPLE[kind])


def _detail_text(detail: dict | None) -> str:
    """An audit event's detail as people read it ("file: a.geojson · segments: 5848"), not as JSON."""
    return " · ".join(f"{key}: {json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value}"
                      for key, value in (detail or {}).items())


def _day_start(value: str | None, days_after: int = 0) -> datetime | None:
    """The start (as naive UTC, how times are stored) of the Ambon day (WIT) picked in the date
    picker, plus `days_after`; None when absent or not a date."""
    try:
        day = date.fromisoformat(str(value)[:10]) + timedelta(days=days_after)
    except ValueError:
        return None
    return datetime.combine(day, datetime.min.time()) - WIT_OFFSET


def admin_layout(**_query):
    lang = request_language()
    return html.Div([shared_cache_notice(lang, cache_status(current_services().cache)),
                     admin_page(lang, ROLES, AGENCIES, CAMERA_KINDS, DATA_KINDS, MAX_UPLOAD_BYTES, layer_imports.section(lang))])



def register(app: Dash) -> None:
    dash.register_page("admin", path="/admin", order=90, name=t("nav.admin", "id"), nav_key="nav.admin", permission="admin",
                       layout=admin_layout)

    @app.callback(
        Output(ids.ADMIN_USERS_TABLE, "children"), Output(ids.ADMIN_USER_MESSAGE, "children"), Output(ids.ADMIN_USER_PASSWORD, "value"),
        *(Input(button, "n_clicks") for button in USER_BUTTONS),
        State(ids.ADMIN_USER_NAME, "value"), State(ids.ADMIN_USER_ROLE, "value"), State(ids.ADMIN_USER_AGENCY, "value"),
        State(ids.ADMIN_USER_PASSWORD, "value"), State(ids.LANG_STORE, "data"),
    )
    def change_user(*args):
        username, role, agency, password, lang = args[len(USER_BUTTONS):]
        message = ""
        if ctx.triggered_id in USER_BUTTONS:
            username = (username or "").strip().lower()
            try:
                action = _apply_user_change(current_services().engine, ctx.triggered_id, username, role or "", agency, password or "")
                audit_event(action, f"user:{username}", {"role": role, "agency": agency, "button": ctx.triggered_id})
                message = t("admin.done", lang).format(what=t(f"admin.did.{action}", lang).format(username=username))
            except users.UserError as exc:
                message = refusal_text("user", exc, lang)
        return _users_table(current_services().engine, lang), message, ""

    @app.callback(
        *(Output(ids.ADMIN_CAM_FIELDS[f], "value") for f in CAM_FIELDS),
        Input(ids.ADMIN_CAM_PICK, "value"),
        prevent_initial_call=True,
    )
    def fill_camera_form(camera_id):
        camera = next((c for c in list_cameras(current_services().engine) if c["id"] == camera_id), None)
        return [camera[f] if camera else None for f in CAM_FIELDS]

    @app.callback(
        Output(ids.ADMIN_CAMERAS_TABLE, "children"), Output(ids.ADMIN_CAM_PICK, "options"), Output(ids.ADMIN_CAM_MESSAGE, "children"),
        Input(ids.ADMIN_CAM_SAVE, "n_clicks"), Input(ids.ADMIN_CAM_DELETE, "n_clicks"),
        State(ids.ADMIN_CAM_PICK, "value"), *(State(ids.ADMIN_CAM_FIELDS[f], "value") for f in CAM_FIELDS), State(ids.LANG_STORE, "data"),
    )
    def change_camera(_save, _delete, camera_id, *rest):
        values, lang = dict(zip(CAM_FIELDS, rest[:-1])), rest[-1]
        services = current_services()
        engine, manager = services.engine, services.cameras
        message = ""
        try:
            if ctx.triggered_id == ids.ADMIN_CAM_SAVE:
                camera = validate_camera(values, services.settings.media_dir, services.settings.camera_settings().address_policy)
                saved = save_camera(engine, camera_id, camera)
                audit_event("camera.update" if camera_id else "camera.create", f"camera:{saved}",
                            {"name": values["name"], "group": values["group"], "kind": values["kind"]})
                message = t("admin.done", lang).format(what=f"{saved} · {values['name']}")
            elif ctx.triggered_id == ids.ADMIN_CAM_DELETE:
                uid = delete_camera(engine, camera_id) if camera_id is not None else None
                if uid is None:
                    raise ConfigError(camera_id, "no_such_camera")
                # its evidence stays under its uid: /cameras/archive/<uid>/snapshots, for admins
                audit_event("camera.delete", f"camera:{camera_id}", {"uid": uid})
                message = " ".join((t("admin.camera_removed", lang).format(id=camera_id),
                                    t("security.evidence_kept", lang).format(url=f"/cameras/archive/{uid}/snapshots")))
            if message and manager is not None:
                manager.sync()  # this process's readers now; other processes within their sync interval
        except ConfigError as exc:
            message = refusal_text("camera", exc, lang)
        cameras_table, options = _cameras_table(engine, lang)
        return cameras_table, options, message

    @app.callback(
        Output(ids.ADMIN_AUDIT_TABLE, "children"),
        Input(ids.ADMIN_AUDIT_SEARCH, "n_clicks"),
        State(ids.ADMIN_AUDIT_USER, "value"), State(ids.ADMIN_AUDIT_ACTION, "value"),
        State(ids.ADMIN_AUDIT_DATES, "start_date"), State(ids.ADMIN_AUDIT_DATES, "end_date"), State(ids.LANG_STORE, "data"),
    )
    def search_audit(_clicks, username, action, start, end, lang):
        events = audit.search(current_services().engine, username=(username or "").strip().lower() or None,
                              action_words=[action_segments(word) for word in str(action or "").split()],
                              since=_day_start(start), until=_day_start(end, days_after=1))
        headers = [t(k, lang) for k in ("admin.audit.time", "admin.username", "admin.audit.action", "admin.audit.target", "admin.audit.detail", "admin.audit.ip")]
        rows = [[wit_time(e["time"], seconds=True), e["username"], action_text(e["action"], lang), e["target"], _detail_text(e["detail"]), e["ip"]] for e in events]
        return [t("admin.audit.count", lang).format(n=len(events), limit=audit.SEARCH_LIMIT), table(headers, rows)]

    # the source/credit field is the roads' only: hidden while boundaries are chosen
    app.clientside_callback("function (kind) { return kind === 'roads' ? {} : {display: 'none'}; }",
                            Output(ids.ADMIN_DATA_SOURCE_BOX, "style"), Input(ids.ADMIN_DATA_KIND, "value"))

    @app.callback(
        Output(ids.ADMIN_DATA_SUMMARY, "children"), Output(ids.ADMIN_DATA_MESSAGE, "children"), Output(ids.ADMIN_DATA_UPLOAD, "contents"),
        Input(ids.ADMIN_DATA_UPLOAD, "contents"),
        State(ids.ADMIN_DATA_UPLOAD, "filename"), State(ids.ADMIN_DATA_KIND, "value"), State(ids.ADMIN_DATA_SOURCE, "value"),
        State(ids.LANG_STORE, "data"),
    )
    def city_data(contents, filename, kind, source, lang):
        """Show what is stored; a dropped file replaces the roads, kecamatan or desa (a refused one changes nothing)."""
        if contents is None:
            return _data_summary(current_services().engine, lang), no_update, no_update
        kind = kind if kind in DATA_KINDS else DATA_KINDS[0]
        name = str(filename or "")[:80]
        engine = current_services().engine
        try:
            layer = read_upload(decode_contents(contents), kind)
            if kind == "roads":
                before = road_count(engine)
                roads = import_roads(engine, layer, str(source or "")[:200])
                detail = {"segments": roads.segments, "km": round(roads.total_km, 1), "replaced_segments": before}
                message = t("admin.roads.imported", lang).format(name=name, segments=number(roads.segments, lang),
                                                                 km=number(roads.total_km, lang, 1), before=number(before, lang))
            else:
                done = import_admin_areas(engine, layer, kind)
                detail = {"areas": done.areas, "replaced_areas": done.before, "points": done.points, "unplaced": done.unplaced}
                message = t(f"admin.areas.imported.{kind}", lang).format(name=name, areas=done.areas, before=done.before,
                                                                          points=number(done.points, lang), unplaced=number(done.unplaced, lang))
        except (UploadError, NoRoads, BadBoundaries) as error:
            audit_event("data.import.refused", kind, {"file": name, "why": str(error)[:300]})  # who tried what, too
            return no_update, t("admin.data.refused", lang).format(why=_refusal(error, kind, lang)), None
        audit_event("data.import", kind, {"file": name, **detail})
        return _data_summary(engine, lang), message, None
