"""The top bar of the staff's Flask pages (service monitor, refusals): the same links, language
switch and logout as the Dash shell (layouts/shell.py), so a plain Flask page does not strand the user;
and the operators' room as far as a page without Dash carries it: the user's theme (a screen's ?tema=
still wins, assets/room.js) and the alert centre as it stands when the page is drawn, each alert
linking to what it is about and acknowledged with a plain form."""
from __future__ import annotations

from urllib.parse import urlsplit

import dash
import flask
from flask_wtf.csrf import generate_csrf

from alerts import unacknowledged
from alerts.store import DEFAULT_THEME, acknowledge, acknowledged, preferences
from auth.policy import Account
from i18n import LANGUAGES, t
from i18n.format import wit_time
from layouts.shell import FLASK_PAGES

EXTENSION = "staff_room"
blueprint = flask.Blueprint("staff_room", __name__)


def nav_links(lang: str, account: Account | None) -> list[tuple[str, str]]:
    """(href, text) of every page the account may open, in the shell's order."""
    if account is None:
        return []
    links = [(page["path"], t(page["nav_key"], lang)) for page in dash.page_registry.values()
             if page.get("nav_key") and account.can(page.get("permission"))]
    return links + [(href, t(key, lang)) for href, key, permission in FLASK_PAGES if account.can(permission)]


def user_theme(account: Account | None) -> str:
    """The theme the account chose in the Dash shell (alerts.store), for templates/_theme.html; the
    default without an account. A screen's ?tema= still wins in the browser (assets/room.js)."""
    room = flask.current_app.extensions.get(EXTENSION)
    return preferences(room["engine"], account.username)["theme"] if account is not None and room is not None else DEFAULT_THEME


def _room(lang: str, account: Account | None) -> dict:
    """The account's theme and its open alerts (new ones first-class), as the Dash shell shows them."""
    room = flask.current_app.extensions.get(EXTENSION)
    if account is None or room is None:
        return {"theme": DEFAULT_THEME, "alerts": None}
    from routes.auth import may_open  # the Dash pages' registry decides which links the account may follow
    from layouts.alert_centre import title

    open_alerts = room["centre"].open_alerts(account) if room["centre"] is not None else []
    new_keys = {a.key for a in unacknowledged(open_alerts, acknowledged(room["engine"], account.username, [a.key for a in open_alerts]))}
    rows = [{"key": a.key, "title": title(a.as_dict(), lang), "severity": a.severity, "new": a.key in new_keys,
             "link": a.link if may_open(account, a.link) else None, "time": wit_time(a.raised_at) if a.raised_at else ""}
            for a in open_alerts]
    new = [row for row in rows if row["new"]]
    return {"theme": user_theme(account), "alerts": {
        "rows": rows, "new": len(new), "top": new[0] if new else None, "title": t("alert.title", lang), "none": t("alert.none", lang),
        "ack": t("alert.ack", lang), "ack_all": t("alert.ack_all", lang), "seen": t("alert.seen", lang),
        "severity": {s: t(f"alert.severity.{s}", lang) for s in ("critical", "warning", "info")},
        "more": t("alert.more", lang).format(n=len(new) - 1) if len(new) > 1 else None,
    }}


def bar_context(lang: str, account: Account | None) -> dict:
    """What templates/_staff_bar.html needs: `bar` with the links, the user, the other language, the
    theme and the alert centre."""
    other = next(code for code in LANGUAGES if code != lang)
    return {"bar": {
        "title": t("app.title", lang), "subtitle": t("app.subtitle", lang), "nav_label": t("staff.nav", lang),
        "links": nav_links(lang, account), "current": flask.request.path, "here": flask.request.full_path.rstrip("?"),
        "user": f'{t("auth.signed_in_as", lang)} {account.username} · {t(f"role.{account.role}", lang)}' if account else None,
        "logout": t("auth.logout", lang), "csrf_token": generate_csrf(),
        "other_lang": other, "switch": t("lang.switch", lang), **_room(lang, account),
    }}


@blueprint.post("/peringatan/dilihat")
def acknowledge_alerts():
    """The bar's "seen" (one alert, `key`) or "all seen" (no key): only alerts open for this account now."""
    from routes.auth import current_account

    account, room = current_account(), flask.current_app.extensions[EXTENSION]
    keys = [a.key for a in room["centre"].open_alerts(account)] if room["centre"] is not None else []
    chosen = [key for key in keys if key == flask.request.form.get("key")] if flask.request.form.get("key") else keys
    if chosen:
        acknowledge(room["engine"], account.username, chosen)
    back = flask.request.form.get("next", "/")
    parts = urlsplit(back)
    return flask.redirect(back if back.startswith("/") and not parts.netloc and not back.startswith("//") else "/", code=303)


def init_staff_bar(server: flask.Flask, engine, centre) -> None:
    server.extensions[EXTENSION] = {"engine": engine, "centre": centre}
    server.register_blueprint(blueprint)
