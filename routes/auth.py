"""Enforces auth.policy on the app's Flask server, in one place each:

- `_guard` (before every request): CSRF on state-changing requests that are not Dash callbacks,
  login (redirect for pages, 401 JSON for data), the route table, and for Dash callbacks the
  permission of every output id;
- page layouts: each registered page's layout is wrapped so it is only built for a role holding the
  page's `permission` (the nav hides the others);
- `camera_authorizer`: the routes.cameras permission hook (action and camera group);
- `_audit_response` (after every request): live-view sessions with their duration, snapshots,
  imports and exports by the AUDITED_* tables.

`init_auth(app, services)` wires all of it plus flask-login, the CSRF extension, the login rate
limit and the login/logout pages (routes.login).
"""
from __future__ import annotations

import json
import logging
import time
from typing import Callable, Iterable
from urllib.parse import urlsplit

import dash
import flask
import flask_login
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from sqlalchemy import Engine, select

from auth import audit, users
from auth.sessions import AccountVersion, SessionAccounts
from auth.policy import API_KEY, DATA_PREFIXES, LOGIN, OPEN, Account, home_path, roles_with, route_permission
from i18n import TEXT, t
from layouts import ids
from layouts.auth_page import forbidden
from routes.language import request_language
from routes.ratelimits import blueprint_limiter
from store.db import setup_lock
from store.models import Camera

log = logging.getLogger(__name__)

EXTENSION = "ambon_auth"
DASH_CALLBACK_PATH = "/_dash-update-component"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

AUDITED_ENDPOINTS = {"cameras.snapshot": "snapshot.take", "cameras.snapshot_file": "snapshot.read"}
AUDITED_ROUTES = (
    ("POST", "/api/flood/readings", "import.flood_readings"),
    ("GET", "/api/flood/alerts/", "export.flood_cap"),
    ("GET", "/api/coverage/", "export.coverage"),
)
"""(method, path prefix, action) of data going in or out; every answered request is recorded."""
CALLBACK_PREFIXES = (("cam-", "camera"), ("cov-", "coverage"), ("flood-", "flood"), ("admin-", "admin"), ("tax-", "tax"),
                     ("cx-", "complaints"), ("alert-", LOGIN), ("room-", LOGIN))
"""A Dash callback output whose id starts with the prefix needs the permission."""
CALLBACK_IDS = {
    **dict.fromkeys((ids.LANG_STORE, ids.MAP, ids.LAYERS_CONTROL, ids.COMPLAINTS_LAYER, ids.SECTORS_LAYER, ids.CAMERAS_LAYER,
                     ids.FILTER_DATES, ids.FILTER_CATEGORY, ids.FILTER_STATUS, ids.FILTER_AGENCY, ids.FILTER_KECAMATAN,
                     ids.FILTER_RESET, ids.FILTER_WARNING, ids.COUNTS, ids.FILTER_OVERDUE), "map"),
    # Dash's page router: the page's own permission is checked when its layout is built
    **dict.fromkeys(("_pages_content", "_pages_store", "_pages_dummy"), LOGIN),
}
"""Output ids without one of the prefixes: the map page's, and Dash's own."""


def output_permission(component_id: str | dict) -> str | None:
    """The permission a Dash callback output needs, by its id; None (refused) when no table knows it.
    A pattern-matching id (a dict) is judged by its "type" value, which must carry the prefix."""
    if isinstance(component_id, dict):
        component_id = component_id.get("type")
    if not isinstance(component_id, str):
        return None
    for prefix, permission in CALLBACK_PREFIXES:
        if component_id.startswith(prefix):
            return permission
    return CALLBACK_IDS.get(component_id)


class LoginUser(flask_login.UserMixin):
    """What flask-login keeps: the session token as id (a password reset or deactivation replaces
    it, so old sessions stop working) and the account the policy judges."""

    def __init__(self, user):
        self.id = user.session_token
        self.account = Account(user.username, user.role, user.agency)


def current_account() -> Account | None:
    """The logged-in account of this request, None when nobody is logged in."""
    user = flask_login.current_user
    return user.account if user and user.is_authenticated else None


def current_actor() -> str | None:
    """The user name to record as having done something in this request."""
    account = current_account()
    return account.username if account else None


def _engine() -> Engine:
    return flask.current_app.extensions[EXTENSION]["engine"]


def audit_event(action: str, target: str | None = None, detail: dict | None = None, username: str | None = None) -> None:
    """Record `action` in the audit log as done by the current user, from the request's address."""
    audit.record(_engine(), action, username=username or current_actor(), target=target, detail=detail,
                 ip=flask.request.remote_addr)


def _deny(status: int, message: str) -> flask.Response:
    response = flask.jsonify(error=message)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def callback_output_ids(output: str) -> list:
    """The component ids in a Dash callback's `output` key ("id.prop" or "..id.prop...id2.prop2.."),
    the string Dash itself picks the callback function by (the request's "outputs" list is only the
    shape of the answer, so it is not what is judged). Pattern-matching ids come back as dicts."""
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") else [output]
    found = []
    for part in parts:
        component_id = part.rpartition(".")[0].replace("\\.", ".")
        if component_id.startswith("{"):
            try:
                component_id = json.loads(component_id)
            except ValueError:
                component_id = None
        found.append(component_id)
    return found


def _callback_refusal(account: Account) -> flask.Response | None:
    body = flask.request.get_json(silent=True)
    output = body.get("output") if isinstance(body, dict) else None
    if not isinstance(output, str) or not output:
        return _deny(400, "not a Dash callback request")
    for output_id in callback_output_ids(output):
        permission = output_permission(output_id)
        if permission is None:
            return _deny(403, f"no permission is defined for callback output {output_id!r}")
        if not account.can(permission):
            return _deny(403, f"role {account.role} may not update {output_id!r}")
    return None


def _guard() -> flask.Response | None:
    request = flask.request
    permission = route_permission(request.path)
    if request.method in UNSAFE_METHODS and request.path != DASH_CALLBACK_PATH and permission != API_KEY:
        # Dash callbacks are exempt: they are JSON POSTs (a cross-site form cannot send one without
        # a CORS preflight we never allow) and the SameSite=Lax cookie is not sent cross-site.
        # API-key routes are called by machines without a session, so a CSRF token means nothing there.
        flask.current_app.extensions["csrf"].protect()
    if permission in (OPEN, API_KEY):
        return None
    account = current_account()
    if account is None:
        if request.path.startswith(DATA_PREFIXES):
            return _deny(401, "login required")
        return flask.redirect(flask.url_for("auth.login", next=request.full_path.rstrip("?")))
    if not account.can(permission):
        if request.path.startswith(DATA_PREFIXES):
            return _deny(403, f"role {account.role} may not open {request.path}")
        return _refusal_page(account, permission)
    if request.path == DASH_CALLBACK_PATH:
        _guard_page_layouts()
        return _callback_refusal(account)
    return None


def way_back(role: str | None, lang: str) -> tuple[str, str]:
    """A refused user's way back, (path, words): the page their role starts on."""
    home = home_path(role) if role else "/"
    return home, t("refusal.back" if home == "/" else "refusal.back_board", lang)


def _refusal_page(account: Account, permission: str) -> flask.Response:
    """A page (not data) the role may not open: the app's translated refusal, as the Dash pages give it."""
    from routes.staff_bar import bar_context  # imports layouts.shell, which must not load before the app's pages

    lang = request_language()
    lines = [t("auth.forbidden", lang)]
    if f"purpose.{permission}" in TEXT:
        lines.append(t("refusal.purpose", lang).format(purpose=t(f"purpose.{permission}", lang)))
    roles = roles_with(permission)
    if roles:
        lines.append(t("refusal.roles", lang).format(roles=", ".join(t(f"role.{r}", lang) for r in roles)))
    lines.append(t("refusal.yours", lang).format(role=t(f"role.{account.role}", lang)) + " " + t("refusal.ask", lang))
    body = flask.render_template("refusal.html", lang=lang, title=t("refusal.title", lang), lines=lines,
                                 way_back=way_back(account.role, lang), **bar_context(lang, account))
    response = flask.make_response(body, 403)
    response.headers["Cache-Control"] = "no-store"
    return response


def _guard_page_layouts() -> None:
    """Wrap each registered page's layout (once) so it is built only for a role holding the page's
    permission. Done lazily because pages register in any order before the first callback."""
    for page in dash.page_registry.values():
        if not getattr(page.get("layout"), "permission_checked", False):
            page["layout"] = _permission_checked(page.get("layout"), page.get("permission"))


def _permission_checked(layout, permission: str | None) -> Callable:
    def checked_layout(**kwargs):
        account = current_account()
        if account is None or not account.can(permission):
            role, lang = (account.role if account else None), request_language()
            return forbidden(lang, way_back(role, lang), permission or "admin", roles_with(permission), role)
        return layout(**kwargs) if callable(layout) else layout

    checked_layout.permission_checked = True
    return checked_layout


def camera_authorizer(engine: Engine, index: Callable[[], dict[int, dict]] | None = None) -> Callable[[str, int | None], bool]:
    """The `authorize(action, camera_id)` hook of routes.cameras: the current account's permission
    for the action and, for footage, the camera's group. The group comes from the camera index
    (`index()`: camera id -> published camera, read once per request), from the store only for a
    camera the index does not carry."""
    def group_of(camera_id: int) -> str | None:
        if index is not None:
            cameras = flask.g.get("camera_index")
            if cameras is None:
                cameras = flask.g.camera_index = index()
            camera = cameras.get(camera_id)
            if camera is not None and "group" in camera:
                return camera["group"]
        with engine.connect() as conn:
            return conn.scalar(select(Camera.group).where(Camera.id == camera_id))

    def authorize(action: str, camera_id: int | None) -> bool:
        account = current_account()
        if account is None:
            return False
        return account.may_use_camera(action, group_of(camera_id) if camera_id is not None else None)
    return authorize


class _AuditedStream:
    """A live-view response body that records, when the server closes it (the viewer left or the
    stream ended), how long it was watched."""

    def __init__(self, stream: Iterable[bytes], on_close: Callable[[float], None]):
        self.stream, self.on_close, self.started, self.closed = stream, on_close, time.monotonic(), False

    def __iter__(self):
        return iter(self.stream)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            close = getattr(self.stream, "close", None)
            if close is not None:
                close()
        finally:
            self.on_close(round(time.monotonic() - self.started, 1))


def _audit_response(response: flask.Response) -> flask.Response:
    request = flask.request
    # a route that took data in says so in g.audit_detail, also when it answers 4xx for some rows
    detail = flask.g.get("audit_detail")
    if not 200 <= response.status_code < 300 and detail is None:
        return response
    camera_id = (request.view_args or {}).get("camera_id")
    if request.endpoint == "cameras.live":
        engine, username, ip, target = _engine(), current_actor(), request.remote_addr, f"camera:{camera_id}"
        audit.record(engine, "live.open", username=username, target=target, ip=ip)
        response.response = _AuditedStream(response.response, lambda seconds: audit.record(
            engine, "live.close", username=username, target=target, detail={"duration_s": seconds}, ip=ip))
    elif request.endpoint in AUDITED_ENDPOINTS:
        audit_event(AUDITED_ENDPOINTS[request.endpoint], f"camera:{camera_id}", {"file": (request.view_args or {}).get("filename")})
    else:
        for method, prefix, action in AUDITED_ROUTES:
            if request.method == method and request.path.startswith(prefix):
                audit_event(action, request.path, detail or {"query": request.query_string.decode("latin-1")[:500]},
                            username=current_actor() or ("api-key" if route_permission(request.path) == API_KEY else None))
                break
    return response


def _security_headers(response: flask.Response) -> flask.Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _prepare_accounts(engine: Engine, settings) -> None:
    """Demo users in demo mode; the first admin from ADMIN_USERNAME / ADMIN_PASSWORD in any mode."""
    if not settings.production:
        made = users.ensure_demo_users(engine)
        if made:
            log.info("demo mode: created demo users %s (password %r)", ", ".join(made), users.DEMO_PASSWORD)
    else:
        disabled = users.disable_demo_users(engine)
        if disabled:
            log.warning("production mode: switched off the demo accounts %s (they still had the demo password)", ", ".join(disabled))
            for username in disabled:
                audit.record(engine, "user.demo_disabled", username=None, target=f"user:{username}")
    admin_name, admin_password = settings.admin_username, settings.admin_password
    if admin_name and admin_password and users.ensure_admin(engine, admin_name, admin_password):
        log.info("created the admin account %s", admin_name)


def init_auth(app: dash.Dash, services) -> None:
    """Sessions, guards, CSRF, login rate limit, audit and the login/logout pages on `app`'s server;
    the first admin comes from the settings (ADMIN_USERNAME / ADMIN_PASSWORD)."""
    from routes.login import BLUEPRINT as LOGIN_BLUEPRINT, init_login_routes  # the views use this module's helpers

    settings, engine = services.settings, services.engine
    server = app.server
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        SESSION_COOKIE_NAME="ambon_session",
        WTF_CSRF_CHECK_DEFAULT=False,  # _guard decides which requests need the token
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session: an operator's shift is long
    )
    server.extensions[EXTENSION] = {"engine": engine}
    with setup_lock(engine):  # workers starting together create the demo users once
        _prepare_accounts(engine, settings)

    login_manager = flask_login.LoginManager(server)
    accounts = SessionAccounts(engine, AccountVersion.of(settings.redis_url, settings.cache_key_prefix))
    server.extensions[EXTENSION]["accounts"] = accounts  # the app holds it (auth.users only weakly, to tell it of changes)

    @login_manager.user_loader
    def load_user(token: str):
        user = accounts.user(token)
        return LoginUser(user) if user else None

    CSRFProtect(server)

    @server.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        return _deny(400, f"CSRF check failed: {error.description}")

    # counts in Redis when there is one (every worker sees them), in memory while Redis cannot be reached
    limiter = blueprint_limiter(server, [LOGIN_BLUEPRINT], key_func=lambda: flask.request.remote_addr or "?", default_limits=[],
                      storage_uri=settings.redis_url or "memory://", key_prefix="login",
                      in_memory_fallback_enabled=True, storage_options={"key_prefix": f"{settings.cache_key_prefix}limits",
                                                                        "socket_connect_timeout": 2, "socket_timeout": 5}
                      if settings.redis_url else {})
    init_login_routes(server, engine, settings, limiter)
    server.before_request(_guard)
    server.after_request(_audit_response)
    server.after_request(_security_headers)


def shell_session() -> tuple[Account | None, str]:
    """The account and a CSRF token for the app frame (header, logout form)."""
    account = current_account()
    return account, generate_csrf() if account else ""


def may_open(account, link: str | None) -> bool:
    """Whether the account may open the page a link points to (an unknown path: no)."""
    if not link:
        return False
    path = urlsplit(link).path
    page = next((p for p in dash.page_registry.values() if p.get("path") == path), None)
    return page is not None and account.can(page.get("permission"))
