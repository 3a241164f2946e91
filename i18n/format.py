"""Numbers and times as users read them: clock times in WIT (Ambon, UTC+9), ages with units."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from i18n import t

WIT = ZoneInfo("Asia/Jayapura")
"""Ambon's time zone (Waktu Indonesia Timur), the one every time shown is written in."""
WIT_OFFSET = timedelta(hours=9)
"""WIT minus UTC, for arithmetic on naive UTC times in bulk (pandas); WIT keeps no daylight saving."""
DATE_TIME_PATTERN = "%d-%m-%Y %H:%M"
"""How a moment is written everywhere, server and browser: "27-11-2026 14:02" (then " WIT")."""


def wit_time(ts: float | datetime | None, *, with_date: bool = True, seconds: bool = False) -> str:
    """A unix time or datetime (naive = UTC) as Ambon local time, e.g. "27-11-2026 14:02 WIT"
    (with `seconds`: "27-11-2026 14:02:09 WIT"; without `with_date`: "14:02:09 WIT")."""
    if ts is None:
        return "–"
    moment = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if not with_date:
        return moment.astimezone(WIT).strftime("%H:%M:%S WIT")
    return moment.astimezone(WIT).strftime(DATE_TIME_PATTERN + (":%S WIT" if seconds else " WIT"))


def age_text(seconds: float, lang: str) -> str:
    """An age with its unit, coarse as people say it: "12 dtk", "5 mnt", "3 jam", "2 hari"."""
    seconds = max(0.0, float(seconds))
    for limit, unit, size in ((90, "unit.seconds_ago", 1), (5400, "unit.minutes_ago", 60), (172800, "unit.hours_ago", 3600)):
        if seconds < limit:
            return t(unit, lang).format(n=round(seconds / size))
    return t("unit.days_ago", lang).format(n=round(seconds / 86400))


def percent(fraction: float | None, lang: str, missing_key: str = "cam.not_measured") -> str:
    """0.973 → "97,3 %" (id) / "97.3 %" (en)."""
    if fraction is None:
        return t(missing_key, lang)
    return number(100 * fraction, lang, 1) + " %"


def number(value: float, lang: str, decimals: int = 0) -> str:
    """A number as its readers write it: 5.000 and 9,5 in Indonesian, 5,000 and 9.5 in English."""
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "id" else text


def duration_text(seconds: float, lang: str) -> str:
    """A duration as people say it: "12 menit", "2 jam 5 menit" (id) / "12 min", "2 h 5 min" (en)."""
    minutes = max(0, round(float(seconds) / 60))
    if minutes < 60:
        return t("pub.duration.minutes", lang).format(n=minutes)
    return t("pub.duration.hours", lang).format(h=minutes // 60, m=minutes % 60)


def observed_span_text(seconds: float, lang: str) -> str:
    """How long something was observed, coarse: "10 menit", "5 jam 3 menit", "6 hari" (from 2 days)."""
    if seconds < 60:
        return t("uptime.under_minute", lang)
    if seconds >= 2 * 86400:
        return t("uptime.days", lang).format(n=round(seconds / 86400))
    return duration_text(seconds, lang)


def observed_uptime(fraction: float | None, observed_s: float, window_s: float, lang: str) -> str:
    """Uptime over the time actually observed within a window of `window_s` seconds: "belum ada
    data" when nothing was observed, "99,1 %" when the whole window was, else with the observed
    span: "99,1 % (dipantau 10 menit)". Never a bare percentage for a window mostly unobserved."""
    if fraction is None or observed_s <= 0:
        return t("uptime.no_data", lang)
    text = percent(fraction, lang)
    if observed_s >= 0.99 * window_s:
        return text
    return t("uptime.observed", lang).format(pct=text, duration=observed_span_text(observed_s, lang))


def rupiah(value: float | None, lang: str) -> str:
    """Whole rupiah with thousands separators: "Rp 2.100.000" (id) / "Rp 2,100,000" (en)."""
    if value is None:
        return "–"
    return "Rp " + number(round(value), lang)


def percent_whole(fraction: float, lang: str) -> str:
    """0.384 → "38 %": a share of whole per cent, as the tax office writes it."""
    return number(100 * fraction, lang) + " %"


def month_text(month, lang: str) -> str:
    """A month (a date or ISO text) by name: "Oktober 2026" / "October 2026"."""
    moment = datetime.fromisoformat(month) if isinstance(month, str) else month
    return f"{t(f'fmt.month.{moment.month}', lang)} {moment.year}"


def day_text(day, lang: str) -> str:
    """A date by its day, month name and year: "15 November 2026"."""
    moment = datetime.fromisoformat(day) if isinstance(day, str) else day
    return f"{moment.day} {month_text(moment, lang)}"


def weekday_time(moment: datetime | str, lang: str) -> str:
    """A UTC moment (naive or ISO text) as Ambon's weekday and clock: "Senin 09.12 WIT" / "Monday 09:12 WIT"."""
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    local = moment.replace(tzinfo=timezone.utc).astimezone(WIT) if moment.tzinfo is None else moment.astimezone(WIT)
    clock = local.strftime("%H.%M" if lang == "id" else "%H:%M")
    return f"{t(f'fmt.weekday.{local.weekday()}', lang)} {local.day:02d}/{local.month:02d} {clock} WIT"


def time_left(due: datetime | None, now: datetime, lang: str) -> str:
    """How long until a deadline (naive UTC), or how long past it: "sisa 2 hari" / "lewat 3 jam"."""
    if due is None:
        return "–"
    seconds = (due - now).total_seconds()
    key = "cx.time_left" if seconds >= 0 else "cx.time_over"
    return t(key, lang).format(t=age_text(abs(seconds), lang))
