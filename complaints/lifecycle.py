"""The life cycle of a complaint: its states, who may move it how, and the refusal of anything else.

States are the stored codes (Indonesian, as SP4N-LAPOR names them); the first four are the ones the
store held before the desk existed, with the same meaning, so old rows need no translation:

    baru (received) → terverifikasi (verified) | ditolak (rejected, with a reason)
    terverifikasi → diteruskan (routed to an agency) → diproses (accepted by the agency)
    diproses → diselesaikan (resolved by the agency, saying what was done) → selesai (closed)
    diselesaikan | selesai → dibuka_kembali (reopened: the reporter disputes the resolution)

An agency that says "not ours" (action `return`) sends a routed or accepted complaint back to the
Command Center as verified, with its reason; it never falls through.
"""
from __future__ import annotations

from dataclasses import dataclass

from store.vocabulary import ACCEPTED, CLOSED, RECEIVED, REJECTED, REOPENED, RESOLVED, ROUTED, STATES, VERIFIED

FINISHED = frozenset({REJECTED, CLOSED})
"""States where nothing is awaited from anyone."""
OPEN_STATES = tuple(s for s in STATES if s not in FINISHED)
UNRESOLVED = tuple(s for s in OPEN_STATES if s != RESOLVED)
"""States where the work itself is still to do: they have a running deadline and make an agency's backlog."""
AWAITING_OPERATOR = (RECEIVED, VERIFIED, RESOLVED, REOPENED)
"""What the Command Center's inbox lists: to verify, to route (again), to close, to send back."""
AWAITING_AGENCY = (ROUTED, ACCEPTED, REOPENED)

REJECTION_REASONS = ("tidak_jelas", "di_luar_kota", "bukan_layanan_publik", "duplikat")
"""Unclear, outside Kota Ambon, not a public service, duplicate."""

OPERATOR, AGENCY = "operator", "agency"
"""Who acts: the Command Center (operators and admins) or the agency the complaint is routed to."""


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None
    """None: the state does not change (a note)."""
    actor: str
    needs_note: bool = False


MOVES: dict[str, Move] = {
    "verify": Move(frozenset({RECEIVED}), VERIFIED, OPERATOR),
    "reject": Move(frozenset({RECEIVED, VERIFIED}), REJECTED, OPERATOR),
    "route": Move(frozenset({VERIFIED, REOPENED}), ROUTED, OPERATOR),
    "accept": Move(frozenset({ROUTED, REOPENED}), ACCEPTED, AGENCY),
    "return": Move(frozenset({ROUTED, ACCEPTED, REOPENED}), VERIFIED, AGENCY, needs_note=True),
    "resolve": Move(frozenset({ACCEPTED}), RESOLVED, AGENCY, needs_note=True),
    "close": Move(frozenset({RESOLVED}), CLOSED, OPERATOR),
    "reopen": Move(frozenset({RESOLVED, CLOSED}), REOPENED, OPERATOR, needs_note=True),
    "note": Move(frozenset(OPEN_STATES), None, AGENCY, needs_note=True),
    "merge": Move(frozenset({RECEIVED, VERIFIED}), None, OPERATOR),
}
"""Action -> the states it may start from, the state it leads to, who may take it, whether a note is required.
An operator may also add notes (`note` is open to both)."""
ACTIONS = tuple(MOVES)


class IllegalTransition(ValueError):
    """A move the life cycle does not allow; `code` names why (for the user's language)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


def next_state(state: str, action: str, actor: str, *, note: str = "", reason: str | None = None, agency: str | None = None) -> str:
    """The state after `actor` ("operator" or "agency") takes `action` on a complaint in `state`.

    Raises IllegalTransition (code "unknown_action", "not_from_state", "not_your_move", "note_required",
    "reason_required", "agency_required") for anything the life cycle does not allow.
    """
    move = MOVES.get(action)
    if move is None:
        raise IllegalTransition("unknown_action", action)
    if state not in move.sources:
        raise IllegalTransition("not_from_state", f"{action} from {state}")
    if move.actor != actor and not (action == "note" and actor == OPERATOR):
        raise IllegalTransition("not_your_move", f"{actor} may not {action}")
    if move.needs_note and not note.strip():
        raise IllegalTransition("note_required", action)
    if action == "reject" and reason not in REJECTION_REASONS:
        raise IllegalTransition("reason_required", str(reason))
    if action == "route" and not agency:
        raise IllegalTransition("agency_required")
    return move.target or state


def allowed_actions(state: str, actor: str) -> list[str]:
    """The actions `actor` may take on a complaint in `state`, in the order of ACTIONS."""
    return [a for a, m in MOVES.items() if state in m.sources and (m.actor == actor or (a == "note" and actor == OPERATOR))]
