"""The top bar of the staff's Flask pages (service monitor, refusals): the same links, language
switch and logout as the Dash shell (layouts/shell.py), so a plain Flask page does not strand the user."""
from __future__ import annotations

import dash
import flask
from flask_wtf.csrf import generate_csrf

from auth.policy import Account
from i18n import LANGUAGES, t
from layouts.shell import FLASK_PAGES


def nav_links(lang: str, account: Account | None) -> list[tuple[str, str]]:
    """(href, text) of every page the account may open, in the shell's order."""
    if account is None:
        return []
    links = [(page["path"], t(page["nav_key"], lang)) for page in dash.page_registry.values()
             if page.get("nav_key") and account.can(page.get("permission"))]
    return links + [(href, t(key, lang)) for href, key, permission in FLASK_PAGES if account.can(permission)]


def bar_context(lang: str, account: Account | None) -> dict:
    """What templates/_staff_bar.html needs: `bar` with the links, the user and the other language."""
    other = next(code for code in LANGUAGES if code != lang)
    return {"bar": {
        "title": t("app.title", lang), "subtitle": t("app.subtitle", lang), "nav_label": t("staff.nav", lang),
        "links": nav_links(lang, account), "current": flask.request.path,
        "user": f'{t("auth.signed_in_as", lang)} {account.username} · {t(f"role.{account.role}", lang)}' if account else None,
        "logout": t("auth.logout", lang), "csrf_token": generate_csrf(),
        "other_lang": other, "switch": t("lang.switch", lang),
    }}
