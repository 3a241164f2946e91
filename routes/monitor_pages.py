"""The service monitor's pages for staff, plain HTML forms (CSRF-checked by routes.auth's guard):

- /pemantauan (permission "monitor": operators, admins): every service's state, incidents with
  notes (an operator adds one, public or internal), maintenance (an operator plans a window);
- /pemantauan/admin/layanan (admins): add and edit services, and the webhooks told of incidents.

Times are typed and shown in WIT; the store keeps naive UTC.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import flask
from flask_wtf.csrf import generate_csrf

from routes.auth import audit_event, current_account
from config import ROOT
from i18n import t
from i18n.format import WIT_OFFSET, duration_text, number, percent, wit_time
from monitor.models import KINDS
from monitor.store import (ServiceInvalid, add_note, add_webhook, incidents, list_services, maintenance, plan_maintenance,
                           remove_webhook, save_service, service_status, utcnow, webhook_rows)
from routes.language import request_language
from routes.staff_bar import bar_context

EXTENSION = "monitor_pages"
blueprint = flask.Blueprint("monitor_pages", __name__, url_prefix="/pemantauan", template_folder=str(ROOT / "templates"))


def _engine():
    return flask.current_app.extensions[EXTENSION]["engine"]


def _render(template: str, **context) -> str:
    lang = request_language()
    return flask.render_template(f"monitor/{template}", lang=lang, t=lambda key, **kw: t(key, lang).format(**kw) if kw else t(key, lang),
                                 wit=wit_time, pct=lambda f: percent(f, lang, "pub.status.no_data"), num=lambda v, d=0: number(v, lang, d),
                                 duration=lambda s: duration_text(s, lang), csrf_token=generate_csrf(), account=current_account(),
                                 message=flask.request.args.get("pesan"), **bar_context(lang, current_account()), **context)


def _back(endpoint: str, message_key: str, **params) -> flask.Response:
    return flask.redirect(flask.url_for(endpoint, pesan=message_key, **params))


def parse_wit(text: str) -> datetime:
    """"YYYY-MM-DD HH:MM" (or the browser's "YYYY-MM-DDTHH:MM") in WIT → naive UTC; ValueError otherwise."""
    local = datetime.strptime((text or "").strip().replace("T", " "), "%Y-%m-%d %H:%M")
    return local - WIT_OFFSET


@blueprint.get("", strict_slashes=False)
def operators_page():
    engine = _engine()
    now = utcnow()
    return _render("operators.html", services=service_status(engine, now, public_only=False),
                   incidents=incidents(engine, now - timedelta(days=7)), planned=maintenance(engine, now))


@blueprint.post("/catatan")
def post_note():
    form = flask.request.form
    try:
        incident_id = int(form.get("incident_id", ""))
        add_note(_engine(), incident_id, current_account().username, form.get("text", ""), public=form.get("public") == "1")
    except ValueError:
        return _back("monitor_pages.operators_page", "mon.invalid.note")
    audit_event("monitor.note", f"incident:{incident_id}")
    return _back("monitor_pages.operators_page", "mon.saved")


@blueprint.post("/pemeliharaan")
def post_maintenance():
    form = flask.request.form
    try:
        starts, ends = parse_wit(form.get("starts_at", "")), parse_wit(form.get("ends_at", ""))
        service_id = int(form.get("service_id", ""))
    except ValueError:
        return _back("monitor_pages.operators_page", "mon.invalid.datetime")
    try:
        plan_maintenance(_engine(), service_id, starts, ends, form.get("note"), current_account().username)
    except ValueError:
        return _back("monitor_pages.operators_page", "mon.invalid.window")
    audit_event("monitor.maintenance", f"service:{service_id}", {"starts_at": starts.isoformat(), "ends_at": ends.isoformat()})
    return _back("monitor_pages.operators_page", "mon.saved")


@blueprint.get("/admin/layanan")
def admin_page():
    engine = _engine()
    services = list_services(engine)
    editing = next((s for s in services if str(s["id"]) == flask.request.args.get("ubah")), None)
    return _render("admin.html", services=services, editing=editing, kinds=KINDS, webhooks=webhook_rows(engine),
                   field_error=flask.request.args.get("kolom"))


@blueprint.post("/admin/layanan")
def post_service():
    form = flask.request.form
    service_id = int(form["id"]) if form.get("id", "").isdigit() else None
    fields = {key: form.get(key) for key in ("name", "kind", "target", "link", "keyword", "interval_s", "timeout_s",
                                             "failures_before_down", "purpose_id", "purpose_en", "audience_id", "audience_en",
                                             "steps_id", "steps_en", "contact")}
    fields["public"] = form.get("public") == "1"
    fields["enabled"] = form.get("enabled", "1") == "1"
    try:
        saved = save_service(_engine(), fields, service_id)
    except ServiceInvalid as exc:
        params = {"ubah": service_id} if service_id else {}
        return _back("monitor_pages.admin_page", f"mon.invalid.{exc.code}", kolom=exc.field, **params)
    audit_event("monitor.service_saved", f"service:{saved}", {"name": fields["name"], "target": fields["target"]})
    return _back("monitor_pages.admin_page", "mon.saved")


@blueprint.post("/admin/webhook")
def post_webhook():
    try:
        webhook_id = add_webhook(_engine(), flask.request.form.get("url", ""))
    except ValueError:
        return _back("monitor_pages.admin_page", "mon.invalid.url")
    audit_event("monitor.webhook_added", f"webhook:{webhook_id}")
    return _back("monitor_pages.admin_page", "mon.saved")


@blueprint.post("/admin/webhook/<int:webhook_id>/hapus")
def delete_webhook(webhook_id: int):
    remove_webhook(_engine(), webhook_id)
    audit_event("monitor.webhook_removed", f"webhook:{webhook_id}")
    return _back("monitor_pages.admin_page", "mon.saved")


def init_monitor_pages(server: flask.Flask, engine) -> None:
    server.extensions[EXTENSION] = {"engine": engine}
    server.register_blueprint(blueprint)
