"""The alert centre: what should reach an operator whichever page they are on.

A *source* is a plain function that takes nothing and returns the alerts open now, as `Alert`
records (camera down, flood level raised; later the service monitor). `AlertCentre` asks every
source, keeps those the account may see, newest first, and says which ones the operator has not
acknowledged yet. Nothing here knows Dash, Flask or the UI language: titles are i18n keys with
their parameters.

Plugging in a source::

    centre.add("services", monitor_alerts, permission="map")

where `monitor_alerts()` returns `[Alert(kind="service", key="service:42:…", severity="critical",
title_key="alert.service_down", params={"service": "Dukcapil"}, link="/publik/status",
raised_at=datetime(…))]`. A source that fails is logged and skipped; the others still report.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

log = logging.getLogger(__name__)

SEVERITIES = ("info", "warning", "critical")
"""From least to most urgent."""


@dataclass(frozen=True)
class Alert:
    """One thing that went wrong and is still open.

    `key` identifies this occurrence (a camera going down again is a new key), so an
    acknowledgement covers exactly it. `title_key` is an i18n key; its `params` fill the text, and a
    parameter whose name ends in "_key" is itself an i18n key (the UI translates it). `raised_at`
    is naive UTC, the real time it was raised (a drill's simulated times are turned into the real
    time they were played). `camera_group`, when set, limits the alert to accounts that may watch that
    group. `rank` orders alerts of the same severity (higher first: a flood alert's level, so Awas
    heads Siaga).
    """

    kind: str
    key: str
    severity: str
    title_key: str
    params: dict = field(default_factory=dict)
    link: str | None = None
    raised_at: datetime | None = None
    camera_group: str | None = None
    rank: int = 0

    def as_dict(self) -> dict:
        return {"kind": self.kind, "key": self.key, "severity": self.severity, "title_key": self.title_key,
                "params": dict(self.params), "link": self.link,
                "raised_at": self.raised_at}


Source = Callable[[], Iterable[Alert]]


@dataclass
class _Registered:
    name: str
    source: Source
    permission: tuple[str, ...]
    not_with: str | None = None


class AlertCentre:
    """The sources of alerts, each with the permissions (any of) an account needs to see them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._sources: list[_Registered] = []
        self.clock = clock
        self._recent: dict[str, tuple[float, list[Alert]]] = {}  # source name -> (asked at, its alerts)

    def add(self, name: str, source: Source, permission: str | tuple[str, ...], not_with: str | None = None) -> "AlertCentre":
        """Register `source` under `name`; its alerts reach accounts holding one of `permission`,
        except those also holding `not_with` (admins hold every permission: a source meant for
        one team's own work, as BPBD's drills, names the permission of the room to keep it out)."""
        permissions = (permission,) if isinstance(permission, str) else tuple(permission)
        self._sources.append(_Registered(name, source, permissions, not_with))
        return self

    @property
    def names(self) -> list[str]:
        return [registered.name for registered in self._sources]

    def open_alerts(self, account, reuse_s: float = 0.0) -> list[Alert]:
        """The alerts open now that `account` (an auth.policy.Account) may see: most severe first, then
        highest rank, then newest raised (real time). `reuse_s`: a source asked less than that many
        seconds ago (for any account: sources do not depend on who asks) is not asked again, for the
        pages that poll; 0 asks every source now."""
        found: list[Alert] = []
        for registered in self._sources:
            if not any(account.can(p) for p in registered.permission) or (registered.not_with and account.can(registered.not_with)):
                continue
            try:
                alerts = self._alerts_of(registered, reuse_s)
            except Exception:  # one broken source must not silence the others
                log.exception("alert source %s failed", registered.name)
                continue
            found += [a for a in alerts if a.camera_group is None or account.may_use_camera("thumbnail", a.camera_group or None)]
        return sorted(found, key=lambda a: (-SEVERITIES.index(a.severity) if a.severity in SEVERITIES else 0, -a.rank,
                                            -(a.raised_at.timestamp() if a.raised_at else 0), a.key))


    def _alerts_of(self, registered: _Registered, reuse_s: float) -> list[Alert]:
        now = self.clock()
        recent = self._recent.get(registered.name)
        if recent is not None and now - recent[0] < reuse_s:
            return recent[1]
        alerts = list(registered.source())
        self._recent[registered.name] = (now, alerts)
        return alerts


def unacknowledged(alerts: list[Alert], acknowledged: set[str]) -> list[Alert]:
    """The alerts whose key is not among the `acknowledged` keys, in their order."""
    return [a for a in alerts if a.key not in acknowledged]
