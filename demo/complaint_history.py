"""The demo complaints' life cycle anchored to a moment: every complaint moved so the newest was
received just before `now`, its verification, routing, acceptance, resolution and closing times,
and the timeline ("Riwayat") those steps leave, as the desk itself would have written them.

Plain pandas; times are naive UTC. Deterministic for a given city and `now`.
"""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from complaints import lifecycle
from complaints.deadlines import WorkingCalendar
from config.complaints import DeadlineRules

HISTORY_SEED = 23
VERIFY_MEDIAN_H = 1.5
"""Median hours from receipt to the Command Center's verification."""
ROUTE_MEDIAN_H = 0.5
"""Median hours from verification to routing to the agency."""
CLOSE_MEDIAN_H = 10.0
"""Median hours from the agency's resolution to the Command Center closing the complaint."""
DUE_SOON_SHARE = 0.5
"""Share of the complaints whose first-response deadline ends within a day of `now` left unanswered."""
CC_ACTOR = "operator"
RESOLVE_NOTES = ("Sudah ditangani di lapangan.", "Petugas sudah turun dan masalah selesai.", "Perbaikan selesai dikerjakan.")


def anchor(complaints: pd.DataFrame, demo_end: datetime, now: datetime) -> pd.DataFrame:
    """`complaints` (created_at, responded_at, closed_at as generated up to `demo_end`) moved by
    `now - demo_end` (to the minute), so the history ends when the app first starts."""
    shift = pd.Timestamp(now).floor("min") - pd.Timestamp(demo_end)
    moved = complaints.copy()
    for column in ("created_at", "responded_at", "closed_at"):
        moved[column] = pd.to_datetime(moved[column]) + shift
    return moved


def with_lifecycle(complaints: pd.DataFrame, now: datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`complaints` (id, created_at, responded_at, closed_at, status, agency, channel) with consistent
    verified_at, routed_at, accepted_at, resolved_at, closed_at and status, and their timeline events
    (complaint_id, at, actor, action, from_state, to_state, note, public, agency).

    The generator's `responded_at` is the agency's acceptance (its first response) and its
    `closed_at` the agency's resolution; the Command Center closes a few hours later, so a
    complaint resolved just before `now` waits as "diselesaikan" for the operator."""
    rng = np.random.default_rng(HISTORY_SEED)
    n = len(complaints)
    now = pd.Timestamp(now)
    created = pd.to_datetime(complaints.created_at).reset_index(drop=True)
    accepted = pd.to_datetime(complaints.responded_at).reset_index(drop=True)
    resolved = pd.to_datetime(complaints.closed_at).reset_index(drop=True)
    status = complaints.status.reset_index(drop=True).to_numpy(dtype=object).copy()
    received = status == lifecycle.RECEIVED
    # some whose first answer is due within the day are still waiting for it: the agency's "due soon"
    due_response = pd.Series(WorkingCalendar().deadline(created.to_numpy(dtype="datetime64[s]"), DeadlineRules().response_days))
    soon = ((due_response > now) & (due_response <= now + pd.Timedelta(days=1))).to_numpy() & ~received & (rng.random(n) < DUE_SOON_SHARE)
    status[soon] = lifecycle.ROUTED
    # a complaint still waiting for the Command Center or the agency has no agency's answer yet
    unanswered = received | soon
    accepted, resolved = accepted.where(~unanswered), resolved.where(~unanswered)
    # the Command Center verifies and routes before the agency answers (and before now)
    verified = created + pd.to_timedelta(VERIFY_MEDIAN_H * rng.lognormal(0, 0.6, n), unit="h")
    routed = verified + pd.to_timedelta(ROUTE_MEDIAN_H * rng.lognormal(0, 0.6, n), unit="h")
    limit = accepted.where(accepted.notna(), now)
    verified = verified.where(verified < limit, created + (limit - created) * 0.3)
    routed = routed.where(routed < limit, verified + (limit - verified) * 0.5)
    verified, routed = verified.where(~received), routed.where(~received)
    closed = resolved + pd.to_timedelta(CLOSE_MEDIAN_H * rng.lognormal(0, 0.8, n), unit="h")
    waiting = resolved.notna() & (closed > now)
    status[waiting.to_numpy()] = lifecycle.RESOLVED
    closed = closed.where(resolved.notna() & ~waiting)
    out = complaints.copy()
    out["created_at"] = created.to_numpy()
    out["verified_at"], out["routed_at"] = verified.to_numpy(), routed.to_numpy()
    out["accepted_at"] = out["responded_at"] = accepted.to_numpy()
    out["resolved_at"], out["closed_at"] = resolved.to_numpy(), closed.to_numpy()
    out["status"] = status
    return out, _events(out, rng)


def _events(c: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    ids, agencies = c.id.to_numpy(), c.agency.to_numpy()
    notes = np.array(RESOLVE_NOTES, dtype=object)[rng.integers(0, len(RESOLVE_NOTES), len(c))]
    steps = (  # action, time column, from, to, actor is the agency, note
        ("submit", "created_at", None, lifecycle.RECEIVED, False, None),
        ("verify", "verified_at", lifecycle.RECEIVED, lifecycle.VERIFIED, False, None),
        ("route", "routed_at", lifecycle.VERIFIED, lifecycle.ROUTED, False, None),
        ("accept", "accepted_at", lifecycle.ROUTED, lifecycle.ACCEPTED, True, None),
        ("resolve", "resolved_at", lifecycle.ACCEPTED, lifecycle.RESOLVED, True, notes),
        ("close", "closed_at", lifecycle.RESOLVED, lifecycle.CLOSED, False, None),
    )
    frames = []
    for action, column, source, target, by_agency, note in steps:
        at = pd.to_datetime(c[column])
        done = at.notna().to_numpy()
        frames.append(pd.DataFrame({
            "complaint_id": ids[done], "at": at[done].to_numpy(),
            "actor": np.array(["warga" if action == "submit" else (f"petugas_{a.lower()}" if by_agency else CC_ACTOR) for a in agencies[done]], dtype=object),
            "action": action, "from_state": source, "to_state": target,
            "note": note[done] if note is not None else None, "public": True, "agency": agencies[done] if action in ("route", "accept", "resolve") else None,
        }))
    events = pd.concat(frames, ignore_index=True).sort_values(["complaint_id", "at"], kind="stable", ignore_index=True)
    events["at"] = events["at"].dt.floor("s")
    return events
