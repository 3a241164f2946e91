"""The operators' room on every page: the alert centre of the top bar and the theme switch.

Alerts come from services.alert_centre (alerts/), filtered for the account; acknowledgements and
preferences are stored per user (alerts.store). Nothing the browser sends is trusted: the keys it
acknowledges are only those of alerts open for this account now.
"""
from __future__ import annotations

import hashlib
import time

import dash
import flask
from dash import ALL, Dash, Input, Output, State, clientside_callback, ctx, no_update

from alerts import unacknowledged
from alerts.store import THEMES, acknowledge, acknowledged, set_preferences
from routes.auth import current_account, may_open
from layouts import alert_centre, ids
from services import current_services


POLL_REUSE_S = 2.0
"""A poll of the alert centre may be answered with the alerts another page's poll asked for up to this
many seconds ago (every open page polls every few seconds; what the sources say does not depend on who asks)."""
SOUND_MAX_AGE_S = 7 * 86400
"""How long a browser keeps the alert sound without asking again (it rarely changes)."""


def register(app: Dash) -> None:
    @app.server.after_request
    def _cache_alert_sound(response: flask.Response) -> flask.Response:
        """The sound is played on every new alert and preloaded on every page: the browser keeps
        it instead of fetching it again (a walk-through counted 127 downloads without this)."""
        if flask.request.path == alert_centre.SOUND_URL and response.status_code in (200, 206, 304):
            response.headers["Cache-Control"] = f"public, max-age={SOUND_MAX_AGE_S}"
        return response

    # Acknowledging is its own callback: the list re-rendering its buttons must not fire the
    # callback that renders them (a pattern-matching input among its own outputs would loop).
    @app.callback(
        Output(ids.ALERT_ACKED, "data"),
        Input({"type": ids.ALERT_ACK, "key": ALL, "place": ALL}, "n_clicks"),
        Input(ids.ALERT_ACK_ALL, "n_clicks"),
        prevent_initial_call=True,
    )
    def acknowledge_alerts(_acks, _ack_all):
        account, services = current_account(), current_services()
        centre = services.alert_centre
        clicked = bool(ctx.triggered and ctx.triggered[0].get("value"))  # a click, not a button being re-rendered
        if account is None or centre is None or not clicked:
            return no_update
        keys = [a.key for a in centre.open_alerts(account)]  # only alerts open for this account now
        trigger = ctx.triggered_id
        chosen = keys if trigger == ids.ALERT_ACK_ALL else [trigger["key"]] if isinstance(trigger, dict) and trigger.get("key") in keys else []
        if not chosen:
            return no_update
        acknowledge(services.engine, account.username, chosen)
        return time.time()  # a new value each time: the list is redrawn

    @app.callback(
        Output(ids.ALERT_COUNT, "children"),
        Output(ids.ALERT_COUNT, "className"),
        Output(ids.ALERT_LIST, "children"),
        Output(ids.ALERT_BANNER, "children"),
        Output(ids.ALERT_BANNER, "className"),
        Output(ids.ALERT_SHOWN, "data"),
        Input(ids.ALERT_TICK, "n_intervals"),
        Input(ids.ALERT_ACKED, "data"),
        State(ids.ALERT_SHOWN, "data"),
        State(ids.LANG_STORE, "data"),
    )
    def alerts_now(_tick, _acked, shown, lang):
        """The count, the list and the banner, drawn again only when they would look different: a
        redrawn list makes its "seen" buttons fire the acknowledging callback for nothing."""
        account, services = current_account(), current_services()
        centre = services.alert_centre
        if account is None or centre is None:
            return (no_update,) * 6
        open_alerts = centre.open_alerts(account, reuse_s=POLL_REUSE_S)
        new = unacknowledged(open_alerts, acknowledged(services.engine, account.username, [a.key for a in open_alerts]))
        new_keys = {a.key for a in new}
        alerts = [a.as_dict() for a in open_alerts]
        opens = lambda link: may_open(account, link)  # noqa: E731
        signature = hashlib.blake2b(repr((lang, alerts, sorted(new_keys), [opens(a.get("link")) for a in alerts])).encode(),
                                    digest_size=12).hexdigest()
        if signature == shown:
            return (no_update,) * 6
        rows = alert_centre.alert_rows(alerts, new_keys, lang, opens)
        top = new[0].as_dict() if new else None
        return (str(len(new)), "alert-count" + ("" if new else " hidden"), rows,
                alert_centre.banner(top, len(new) - 1, lang, opens), f"alert-banner alert-{top['severity']}" if top else "alert-banner hidden",
                signature)

    @app.callback(
        Output(ids.ALERT_SOUND_SAVED, "data"),
        Input(ids.ALERT_SOUND, "value"),
        prevent_initial_call=True,
    )
    def save_sound(value):
        account = current_account()
        if account is None:
            return no_update
        return set_preferences(current_services().engine, account.username, alert_sound="on" in (value or []))["alert_sound"]

    @app.callback(
        Output(ids.ROOM_THEME_SAVED, "data"),
        Input(ids.ROOM_THEME_CHOICE, "data"),
        prevent_initial_call=True,
    )
    def save_theme(theme):
        account = current_account()
        if account is None or theme not in THEMES:
            return no_update
        return set_preferences(current_services().engine, account.username, theme=theme)["theme"]


# Browser side (assets/room.js): the theme shown (a screen's ?tema= wins over the user's), the
# switch, the alert panel opening and closing. The sound for a new alert is room.js's own: it reads
# the list as drawn (a callback chained on the poll was held back while any poll was pending).
clientside_callback(
    dash.ClientsideFunction("room", "applyTheme"),
    Output(ids.ROOM_THEME_TOGGLE, "children"),
    Input(ids.ROOM_THEME, "data"),
    Input(ids.ROOM_THEME_SAVED, "data"),
)
clientside_callback(
    dash.ClientsideFunction("room", "toggleTheme"),
    Output(ids.ROOM_THEME_CHOICE, "data"),
    Input(ids.ROOM_THEME_TOGGLE, "n_clicks"),
    prevent_initial_call=True,
)
clientside_callback(
    dash.ClientsideFunction("room", "togglePanel"),
    Output(ids.ALERT_PANEL, "className"),
    Input(ids.ALERT_BELL, "n_clicks"),
    State(ids.ALERT_PANEL, "className"),
    prevent_initial_call=True,
)
