"""HTTP ways into the complaints desk, rendered by Flask (Jinja escapes every value):

- /publik/lapor: the public report form (no login): category, text, optional photo, the place on a
  map or from the phone, optional name and phone; answers with a ticket number. CSRF-protected,
  rate-limited per address (PUBLIC_REPORT_RATE_LIMIT), with a honeypot field bots fill in.
- /publik/tiket?tiket=…: the reporter's look-up (state, public notes, dates, deadline; nothing personal),
  rate-limited per address (TICKET_LOOKUP_RATE_LIMIT).
- /open311/v2/…: Open311 GeoReport v2 (services, service definitions, requests) in JSON and XML;
  POST /requests needs one of OPEN311_API_KEYS as `api_key`. No personal data goes out.
- /api/complaints/photos/<id>: a complaint's photo, for operators and the assigned agency only.
- /api/complaints/in-view/<camera id>: the recent complaints in a camera's view sector (map permission,
  an agency sees its own only; no personal data).
"""
from __future__ import annotations

import hmac
import math

import flask
import geopandas as gpd
import orjson
import shapely
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Engine

from routes.auth import current_account
from routes.ratelimits import blueprint_limiter
from complaints import open311
from complaints.photos import PhotoRefused, clean_photo
from complaints.store import InvalidComplaint, complaints_in_view, public_ticket, read_photo, submit_complaint
from config import ROOT, Settings
from i18n import LANGUAGES, t
from i18n.format import wit_time
from geo.ambon import island_outline
from geo.geojson import to_geojson_bytes
from geo.roads import road_group
from routes.language import request_language
from routes.publik import REPORT_PATH, TICKET_PATH
from store.layers import read_admin_areas
from store.roads import read_roads, road_sources
from layouts.styles import ROAD_STYLES
from store.vocabulary import COMPLAINT_CATEGORIES

EXTENSION = "ambon_complaints"
FORM_FIELDS = ("category", "description", "lat", "lon", "name", "phone")
HONEYPOT = "website"
"""A field hidden from people; a bot that fills every field in gives itself away."""


def _settings() -> Settings:
    return flask.current_app.extensions[EXTENSION]["settings"]


def _engine() -> Engine:
    return flask.current_app.extensions[EXTENSION]["engine"]


def _page(template: str, status: int = 200, **values):
    lang = request_language()
    other = next(code for code in LANGUAGES if code != lang)
    text = lambda key, **kw: t(key, lang).format(**kw) if kw else t(key, lang)  # noqa: E731 - the templates' one text function
    # inside the residents' portal (templates/publik/base.html): its navigation needs the page's path
    return flask.render_template(template, lang=lang, other_lang=other, t=text, csrf_token=generate_csrf(), path=flask.request.path,
                                 report_path=REPORT_PATH, ticket_path=TICKET_PATH, **values), status


def _land_outline(engine: Engine) -> bytes:
    """The city's kecamatan as light GeoJSON, so the form's map is readable without tiles."""
    cached = flask.current_app.extensions[EXTENSION].get("land")
    if cached is None:
        kecamatan = read_admin_areas(engine, "kecamatan")
        features = [{"type": "Feature", "properties": {}, "geometry": geometry.simplify(0.0005).__geo_interface__}
                    for geometry in kecamatan.geometry] if len(kecamatan) else []
        cached = orjson.dumps({"type": "FeatureCollection", "features": features})
        flask.current_app.extensions[EXTENSION]["land"] = cached
    return cached


def _form_basemap(engine: Engine) -> bytes:
    """The report form's offline basemap as JSON {"land": GeoJSON, "roads": GeoJSON}: the island's
    land (as the main map draws it) and the roads above the local streets with their names
    (simplified to ~5 m, so a phone loads it quickly)."""
    cached = flask.current_app.extensions[EXTENSION].get("basemap")
    if cached is None:
        kecamatan = read_admin_areas(engine, "kecamatan")
        land = shapely.union_all([kecamatan.union_all(), island_outline()]) if len(kecamatan) else island_outline()
        roads = read_roads(engine)
        roads = roads.assign(g=road_group(roads["highway"]).to_numpy())
        roads = roads[roads.g != "local"]
        roads = roads.set_geometry(roads.geometry.simplify(0.00005))
        land_json = to_geojson_bytes(gpd.GeoDataFrame(geometry=[shapely.simplify(land, 0.0001)], crs="EPSG:4326"), [], decimals=5)
        cached = b'{"land":' + land_json + b',"roads":' + to_geojson_bytes(roads, ["name", "g"], decimals=5) + b"}"
        flask.current_app.extensions[EXTENSION]["basemap"] = cached
    return cached


def form_basemap():
    response = flask.Response(_form_basemap(_engine()), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _report_form(status: int = 200, values: dict | None = None, errors: list[str] | None = None):
    settings = _settings()
    lang = request_language()
    categories = [(code, t(f"category.{code}", lang)) for code in COMPLAINT_CATEGORIES]
    return _page("publik_lapor.html", status, values=values or {}, errors=errors or [], categories=categories,
                 photo_mb=settings.complaint_photo_max_bytes // (1024 * 1024), tile_url=settings.tile_url,
                 tile_attribution=settings.tile_attribution, land=_land_outline(_engine()).decode(),
                 road_credit="; ".join(road_sources(_engine())), road_styles=orjson.dumps(ROAD_STYLES).decode())


def _number(text: str | None) -> float | None:
    text = (text or "").strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def report_form():
    return _report_form()


def report_submit():
    form = flask.request.form
    values = {name: (form.get(name) or "")[:4000] for name in FORM_FIELDS}
    if form.get(HONEYPOT):
        return _report_form(400, values, ["cx.refused.text"])
    errors: list[str] = []
    photo = None
    upload = flask.request.files.get("photo")
    if upload is not None and upload.filename:
        data = upload.read(_settings().complaint_photo_max_bytes + 1)
        try:
            photo = clean_photo(data, _settings().complaint_photo_max_bytes)
        except PhotoRefused as refused:
            errors.append(f"cx.refused.{refused.code}")
    lon, lat = _number(values["lon"]), _number(values["lat"])
    if not errors:
        try:
            made = submit_complaint(_engine(), category=values["category"], description=values["description"], lon=lon, lat=lat,
                                    channel="web", actor="warga", reporter_name=values["name"], reporter_phone=values["phone"],
                                    photo=photo, rules=_settings().complaint_rules())
        except InvalidComplaint as refused:
            errors.append(f"cx.refused.{refused.code}")
        else:
            return _page("publik_terima.html", ticket=made["ticket"])
    return _report_form(400, values, errors)


def ticket_page():
    number = (flask.request.args.get("tiket") or "").strip()[:32]
    found = public_ticket(_engine(), number) if number else None
    lang = request_language()
    view = None
    if found is not None:
        view = {**found, "state_text": t(f"status.{found['status']}", lang), "category_text": t(f"category.{found['category']}", lang),
                "received": wit_time(found["created_at"]), "due": wit_time(found["due_at"]),
                "events": [{"at": wit_time(e["at"]), "what": t(f"cx.action.{e['action']}", lang), "state": t(f"status.{e['state']}", lang),
                            "note": e["note"]} for e in found["events"]]}
    return _page("publik_tiket.html", 404 if number and found is None else 200, number=number, found=view)


# --- Open311 ----------------------------------------------------------------------------------

def _open311_answer(fmt: str, root: str, item: str, records: list[dict], status: int = 200) -> flask.Response:
    if fmt == "xml":
        response = flask.Response(open311.to_xml(root, item, records), status=status, mimetype="text/xml")
    else:
        response = flask.Response(orjson.dumps(records), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _open311_error(fmt: str, status: int, description: str) -> flask.Response:
    return _open311_answer(fmt, "errors", "error", [{"code": status, "description": description}], status)


def _names() -> dict[str, str]:
    lang = request_language()
    return {code: t(f"category.{code}", lang) for code in COMPLAINT_CATEGORIES}


def open311_services(fmt: str):
    return _open311_answer(fmt, "services", "service", open311.services(_names(), {}))


def open311_service(code: str, fmt: str):
    try:
        definition = open311.service_definition(code)
    except open311.Open311Error as error:
        return _open311_error(fmt, error.status, error.description)
    if fmt == "xml":  # one object, not a list: <service_definition><service_code/><attributes/></service_definition>
        response = flask.Response(open311.definition_xml(definition), mimetype="text/xml")
    else:
        response = flask.Response(orjson.dumps(definition), mimetype="application/json")
    return response


def open311_requests(fmt: str):
    args = flask.request.args
    try:
        records = open311.read_requests(
            _engine(), ids=[i for i in args.get("service_request_id", "").split(",") if i.strip()],
            service_codes=[c for c in args.get("service_code", "").split(",") if c.strip()],
            start=open311.parse_w3c(args["start_date"]) if args.get("start_date") else None,
            end=open311.parse_w3c(args["end_date"]) if args.get("end_date") else None,
            status=args.get("status") or None, names=_names())
    except open311.Open311Error as error:
        return _open311_error(fmt, error.status, error.description)
    return _open311_answer(fmt, "service_requests", "request", records)


def open311_request(request_id: str, fmt: str):
    records = open311.read_requests(_engine(), ids=[request_id], names=_names())
    if not records:
        return _open311_error(fmt, 404, f"no service request {request_id[:40]!r}")
    return _open311_answer(fmt, "service_requests", "request", records)


def open311_post(fmt: str):
    form = flask.request.form
    given = (form.get("api_key") or "").encode()
    if not any(hmac.compare_digest(given, key.encode()) for key in _settings().open311_api_keys):
        return _open311_error(fmt, 403, "api_key missing or not valid")
    if form.get("service_code") not in COMPLAINT_CATEGORIES:
        return _open311_error(fmt, 404, "service_code not found")
    name = " ".join(filter(None, (form.get("first_name", "").strip(), form.get("last_name", "").strip())))
    try:
        made = submit_complaint(_engine(), category=form["service_code"], description=form.get("description", ""), lon=_number(form.get("long")),
                                lat=_number(form.get("lat")), channel="aplikasi", actor="open311", reporter_name=name or None,
                                reporter_phone=form.get("phone"), title=None, rules=_settings().complaint_rules())
    except InvalidComplaint as refused:
        description = {"place": "lat and long are required and must lie around Kota Ambon",
                       "text": "description is required (at most 4000 characters)"}.get(refused.code, refused.code)
        return _open311_error(fmt, 400, description)
    return _open311_answer(fmt, "service_requests", "request", [{"service_request_id": made["ticket"], "service_notice": None,
                                                                   "account_id": None}], 201)


# --- photos -----------------------------------------------------------------------------------

def complaint_photo(photo_id: int):
    account = current_account()
    photo = read_photo(_engine(), photo_id)
    # operators and the assigned agency only; viewers never, whatever the photo
    routed_or_operator = account is not None and (account.complaint_scope is None or photo is not None and photo["routed_at"] is not None)
    if (account is None or photo is None or not account.can("complaints") or not routed_or_operator
            or account.complaint_view({"agency": photo["agency"]}) is None):
        return flask.jsonify(error="no such photo"), 404
    response = flask.Response(photo["content"], mimetype=photo["mime"])
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _rate_limited(message_key: str) -> flask.Response:
    body, status = _page("publik_pesan.html", 429, message=message_key)
    return flask.Response(body, status=status, mimetype="text/html")


def camera_complaints(camera_id: int):
    """The recent complaints in a camera's view (last 30 days), as JSON without personal data."""
    account = current_account()
    found = complaints_in_view(_engine(), camera_id, agency=account.complaint_scope if account else None)
    return flask.jsonify([{"id": int(r.id), "ticket": r.ticket, "received": wit_time(r.created_at), "status": r.status, "category": r.category,
                           "url": f"/pengaduan/detail?id={int(r.id)}"} for r in found.itertuples()])


def init_complaint_routes(server: flask.Flask, engine: Engine, settings: Settings) -> None:
    """Register the public form, ticket look-up, Open311 and photo routes, with their rate limits."""
    server.extensions[EXTENSION] = {"engine": engine, "settings": settings}
    limiter = blueprint_limiter(server, ["complaints"], key_func=lambda: flask.request.remote_addr or "?", default_limits=[],
                                storage_uri=settings.redis_url or "memory://", key_prefix="ambon-complaints")
    bp = flask.Blueprint("complaints", __name__, template_folder="templates", static_folder=str(ROOT / "routes" / "static"),
                         static_url_path="/publik/aset")
    bp.add_url_rule("/publik/lapor", view_func=report_form, methods=["GET"])
    bp.add_url_rule("/publik/lapor", endpoint="report_submit", methods=["POST"], view_func=limiter.limit(
        settings.public_report_rate_limit, on_breach=lambda _limit: _rate_limited("pub.report.rate_limited"))(report_submit))
    bp.add_url_rule("/publik/lapor/peta.json", view_func=form_basemap)
    bp.add_url_rule("/publik/tiket", methods=["GET"], view_func=limiter.limit(
        settings.ticket_lookup_rate_limit, exempt_when=lambda: not flask.request.args.get("tiket"),
        on_breach=lambda _limit: _rate_limited("pub.ticket.rate_limited"))(ticket_page))
    fmt = "<any(json,xml):fmt>"
    bp.add_url_rule(f"/open311/v2/services.{fmt}", view_func=open311_services)
    bp.add_url_rule(f"/open311/v2/services/<code>.{fmt}", view_func=open311_service)
    bp.add_url_rule(f"/open311/v2/requests.{fmt}", view_func=open311_requests, methods=["GET"])
    bp.add_url_rule(f"/open311/v2/requests.{fmt}", endpoint="open311_post", view_func=open311_post, methods=["POST"])
    bp.add_url_rule(f"/open311/v2/requests/<request_id>.{fmt}", view_func=open311_request)
    bp.add_url_rule("/api/complaints/photos/<int:photo_id>", view_func=complaint_photo)
    bp.add_url_rule("/api/complaints/in-view/<int:camera_id>", view_func=camera_complaints)
    server.register_blueprint(bp)

