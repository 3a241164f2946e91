"""The login page /masuk and logout /keluar: rendered by Flask (Jinja escapes every value), in the
language of the `bahasa` cookie. Failed logins are rate-limited per user name and address, and per
address whatever the names tried."""
from __future__ import annotations

import unicodedata

import flask
import flask_login
from flask_limiter import Limiter
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Engine

from auth import users
from auth.policy import home_path
from i18n import LANGUAGES, t
from routes.auth import LoginUser, audit_event, current_account
from routes.language import request_language

MAX_FIELD = 200
_TEXT_KEYS = ("auth.title", "auth.username", "auth.password", "auth.submit", "auth.failed", "auth.rate_limited",
              "auth.demo_hint", "auth.demo_password", "auth.logout", "auth.logout_confirm", "lang.switch",
              "auth.back", "app.title", "app.subtitle")
"""Texts the login and logout templates show."""


def safe_next(target: str | None) -> str:
    r"""Where to go after logging in: a path on this site, never another site. Browsers drop tabs
    and line breaks from a URL and read a backslash as a slash, so `/\t/evil.example` would leave
    the site: any control character, whitespace or backslash sends the user to "/" instead."""
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in target)):
        return "/"
    return target


def _page(template: str, status: int = 200, **values) -> tuple[str, int]:
    lang = request_language()
    other = next(code for code in LANGUAGES if code != lang)
    text = {key.removeprefix("auth."): t(key, lang) for key in _TEXT_KEYS}
    return flask.render_template(template, lang=lang, other_lang=other, text=text, csrf_token=generate_csrf(), **values), status


BLUEPRINT = "auth"
"""The login and logout pages' blueprint, the only one with limits of routes.auth's limiter."""


def init_login_routes(server: flask.Flask, engine: Engine, settings, limiter: Limiter) -> None:
    bp = flask.Blueprint(BLUEPRINT, __name__, template_folder="templates")

    def login_form(status: int = 200, error: str | None = None):
        lang = request_language()
        demo_users = [] if settings.production else [(name, t(f"role.{role}", lang)) for name, (role, _) in users.DEMO_USERS.items()]
        return _page("login.html", status, error=error, demo_users=demo_users, demo_password=users.DEMO_PASSWORD,
                     next=safe_next(flask.request.values.get("next")))

    def attempt_key() -> str:
        return f"{flask.request.remote_addr}|{flask.request.form.get('username', '')[:MAX_FIELD].strip().lower()}"

    @bp.get("/masuk")
    def login():
        if current_account() is not None:
            return flask.redirect(safe_next(flask.request.args.get("next")))
        return login_form()

    def failed(response) -> bool:
        return response.status_code == 401

    @bp.post("/masuk")
    @limiter.limit(settings.login_rate_limit, key_func=attempt_key, deduct_when=failed)
    @limiter.limit(settings.login_address_rate_limit, key_func=lambda: f"address|{flask.request.remote_addr}", deduct_when=failed)
    def login_submit():
        username = flask.request.form.get("username", "")[:MAX_FIELD]
        printable = not any(unicodedata.category(ch) == "Cc" for ch in username)  # no name has a NUL (PostgreSQL refuses one)
        user = users.authenticate(engine, username, flask.request.form.get("password", "")[:MAX_FIELD]) if printable else None
        if user is None:
            audit_event("login.failed", detail={"username": username.strip().lower()}, username=None)
            return login_form(401, "failed")
        flask.session.clear()
        flask_login.login_user(LoginUser(user))
        audit_event("login.ok", username=user.username)
        target = safe_next(flask.request.form.get("next"))
        return flask.redirect(home_path(user.role) if target == "/" else target)

    @bp.get("/keluar")
    def logout_confirm():
        return _page("logout.html")

    @bp.post("/keluar")
    def logout():
        account = current_account()
        audit_event("logout")
        if account is not None:  # a copy of the cookie taken before logout must not outlive it
            users.end_sessions(engine, account.username)
        flask_login.logout_user()
        flask.session.clear()
        return flask.redirect(flask.url_for("auth.login"))

    @server.errorhandler(429)
    def too_many_attempts(_error):
        return login_form(429, "rate_limited")

    server.register_blueprint(bp)

