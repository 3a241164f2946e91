"""The alert centre of the top bar: a button with the count of new alerts, the list it opens, a
banner under the header with the most urgent new alert, and the sound that announces one."""
from __future__ import annotations

from dash import dcc, html

from i18n import t
from i18n.format import wit_time
from layouts import ids

SOUND_URL = "/assets/alert.wav"
"""The alert sound; served with cache headers (callbacks.room) so it is fetched once, not per poll or page."""


def top_bar_part(lang: str, sound: bool, poll_ms: int) -> html.Div:
    """The button and its (hidden) panel, for the header."""
    return html.Div(className="alert-centre", children=[
        html.Button([html.Span(t("alert.title", lang), className="alert-bell-label"),
                     html.Span("0", id=ids.ALERT_COUNT, className="alert-count hidden", **{"aria-live": "polite"})],
                    id=ids.ALERT_BELL, className="btn btn-outline-light btn-sm alert-bell", n_clicks=0,
                    **{"aria-haspopup": "true", "aria-controls": ids.ALERT_PANEL, "aria-expanded": "false"}),
        html.Div(id=ids.ALERT_PANEL, className="alert-panel hidden", role="dialog", **{"aria-label": t("alert.title", lang)}, children=[
            html.Div(className="alert-panel-head", children=[
                html.Strong(t("alert.title", lang)),
                dcc.Checklist(id=ids.ALERT_SOUND, options=[{"label": t("alert.sound", lang), "value": "on"}], value=["on"] if sound else [],
                              inputClassName="form-check-input", labelClassName="form-check-label alert-sound-label"),
                html.Button(t("alert.ack_all", lang), id=ids.ALERT_ACK_ALL, className="btn btn-outline-secondary btn-sm", n_clicks=0),
            ]),
            html.Div(id=ids.ALERT_LIST, className="alert-list"),
        ]),
        dcc.Interval(id=ids.ALERT_TICK, interval=poll_ms),
        dcc.Store(id=ids.ALERT_ACKED),
        dcc.Store(id=ids.ALERT_SHOWN),
        dcc.Store(id=ids.ALERT_SOUND_SAVED),
        html.Audio(id=ids.ALERT_AUDIO, src=SOUND_URL, preload="auto"),
    ])


def banner_area() -> html.Div:
    return html.Div(id=ids.ALERT_BANNER, className="alert-banner hidden", role="alert")


def title(alert: dict, lang: str) -> str:
    """The alert's words: its title key filled with its parameters ("…_key" ones translated)."""
    params = {k.removesuffix("_key"): t(v, lang) if k.endswith("_key") else v for k, v in alert["params"].items()}
    return t(alert["title_key"], lang).format(**params)


def _link(alert: dict, lang: str, may_open: bool, class_name: str):
    text = title(alert, lang)
    if alert.get("link") and may_open:
        return dcc.Link(text, href=alert["link"], className=class_name)
    return html.Span(text, className=class_name)


def ack_button(alert: dict, lang: str, place: str) -> html.Button:
    """The "seen" button of an alert in the list or the banner (`place`)."""
    return html.Button(t("alert.ack", lang), id={"type": ids.ALERT_ACK, "key": alert["key"], "place": place}, n_clicks=0,
                       className="btn btn-sm btn-light alert-ack", title=t("alert.ack_hint", lang))


def alert_rows(alerts: list[dict], new_keys: set[str], lang: str, may_open) -> list:
    """One row per open alert, new ones (not acknowledged) marked and with their "seen" button."""
    if not alerts:
        return [html.P(t("alert.none", lang), className="alert-empty")]
    return [html.Div(className=f"alert-row alert-{a['severity']}" + (" alert-new" if a["key"] in new_keys else ""), children=[
        html.Div([_link(a, lang, may_open(a.get("link")), "alert-row-title"),
                  html.Div(wit_time(a["raised_at"]) if a.get("raised_at") else "", className="alert-row-time")]),
        ack_button(a, lang, "list") if a["key"] in new_keys else html.Span(t("alert.seen", lang), className="alert-seen"),
    ]) for a in alerts]


def banner(alert: dict | None, more: int, lang: str, may_open) -> list:
    """The most urgent new alert, its link and its "seen" button; `more` other new ones counted."""
    if alert is None:
        return []
    return [html.Span(t(f"alert.severity.{alert['severity']}", lang), className="alert-banner-severity"),
            _link(alert, lang, may_open(alert.get("link")), "alert-banner-title"),
            html.Span(t("alert.more", lang).format(n=more), className="alert-banner-more") if more else None,
            ack_button(alert, lang, "banner")]
