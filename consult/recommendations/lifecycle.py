"""The recommendation state machine (DESIGN section 2), in one place.

A move is (from, to). Who may make it is a set of actor kinds:
- "rapporteur": the recommendation's rapporteur,
- "secretariat": any secretariat account,
- "system": the platform itself (a poll closing, a consultation period ending).
Moves listed with `reason=True` need a stated reason, shown on the public timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..timeutil import utcnow
from .models import Recommendation, StateChange


@dataclass(frozen=True)
class Move:
    actors: frozenset[str]
    reason: bool = False
    label: object = None


def _m(*actors: str, reason: bool = False, label=None) -> Move:
    return Move(frozenset(actors), reason, label)


PRE_VOTE = ("draft", "deliberation", "consultation", "consolidation")

MOVES: dict[tuple[str, str], Move] = {
    ("draft", "deliberation"): _m(
        "rapporteur", "secretariat", label=_l("Open to members' deliberation")
    ),
    ("deliberation", "consultation"): _m("secretariat", label=_l("Open the public consultation")),
    # Skipping the consultation is the secretariat's call, and must be explained.
    ("deliberation", "consolidation"): _m(
        "secretariat", reason=True, label=_l("Skip the consultation and consolidate")
    ),
    ("consultation", "consolidation"): _m(
        "secretariat", "system", label=_l("Close the consultation and consolidate")
    ),
    ("consolidation", "deliberation"): _m(
        "rapporteur", "secretariat", reason=True, label=_l("Return to deliberation")
    ),
    ("consolidation", "voting"): _m("secretariat", label=_l("Freeze the text for the vote")),
    ("voting", "adopted"): _m("system"),
    ("voting", "rejected"): _m("system"),
    ("adopted", "published"): _m("secretariat", "system"),
    ("rejected", "published"): _m("secretariat", "system"),
}
for _state in PRE_VOTE:
    MOVES[(_state, "withdrawn")] = _m(
        "rapporteur", "secretariat", reason=True, label=_l("Withdraw")
    )
MOVES[("voting", "withdrawn")] = _m("secretariat", reason=True, label=_l("Withdraw"))

# Who may read a recommendation in each state (DESIGN section 2, issue 3 point 4):
# a draft its authors, a deliberation the council, anything from consultation on, everyone.
# "withdrawn" is absent on purpose: a withdrawn text keeps the audience it had.
AUDIENCE_BY_STATE = {
    "draft": "authors",
    "deliberation": "members",
    "consultation": "public",
    "consolidation": "public",
    "voting": "public",
    "adopted": "public",
    "rejected": "public",
    "published": "public",
}
# States in which the text may still change (by its rapporteur or the secretariat).
EDITABLE_STATES = ("draft", "deliberation", "consolidation")
# States in which members propose amendments and hold the members-only deliberation.
DELIBERATION_STATES = ("deliberation", "consolidation")
# States in which co-sponsors may be added or removed.
SPONSOR_STATES = ("draft", "deliberation")


class TransitionError(Exception):
    """A refused move; `message` is a lazy translation, rendered in the reader's language."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def lock(recommendation: Recommendation) -> None:
    """Re-read the recommendation under a row lock, held until the transaction ends."""
    db.session.execute(
        select(Recommendation.id).where(Recommendation.id == recommendation.id).with_for_update()
    )
    db.session.refresh(recommendation)


def actor_kinds(actor, recommendation: Recommendation) -> set[str]:
    if actor is None:
        return {"system"}
    kinds: set[str] = set()
    if not getattr(actor, "active", False):
        return kinds
    if actor.role == "secretariat":
        kinds.add("secretariat")
    if actor.id == recommendation.rapporteur_id and actor.role in ("member", "secretariat"):
        kinds.add("rapporteur")
    return kinds


def can_move(actor, recommendation: Recommendation, to_state: str) -> bool:
    move = MOVES.get((recommendation.state, to_state))
    return move is not None and bool(move.actors & actor_kinds(actor, recommendation))


def available_moves(actor, recommendation: Recommendation) -> list[tuple[str, Move]]:
    """The moves this person may make now, for buttons on the page (never 'system' moves)."""
    kinds = actor_kinds(actor, recommendation) - {"system"}
    return [
        (to, move)
        for (frm, to), move in MOVES.items()
        if frm == recommendation.state and move.actors & kinds and move.label is not None
    ]


def transition(
    actor, recommendation: Recommendation, to_state: str, reason: str = "", *, data=None
) -> StateChange:
    """Move the recommendation, record it on the timeline and in the audit log.

    `actor=None` is the platform itself (only for "system" moves). Flushes, never commits.
    """
    lock(recommendation)  # two simultaneous moves are checked one after the other
    move = MOVES.get((recommendation.state, to_state))
    if move is None:
        raise TransitionError(_l("This change of state is not possible from the current state."))
    if not move.actors & actor_kinds(actor, recommendation):
        raise TransitionError(_l("You are not allowed to make this change of state."))
    reason = (reason or "").strip()
    if move.reason and not reason:
        raise TransitionError(_l("Please give a reason for this change of state."))
    change = StateChange(
        recommendation_id=recommendation.id,
        from_state=recommendation.state,
        to_state=to_state,
        actor_id=getattr(actor, "id", None),
        reason=reason,
        version_id=recommendation.current_version_id,
        created_at=utcnow(),
    )
    db.session.add(change)
    from_state = recommendation.state
    recommendation.state = to_state
    recommendation.audience = AUDIENCE_BY_STATE.get(to_state, recommendation.audience)
    recommendation.state_changed_at = change.created_at
    recommendation.updated_at = change.created_at
    db.session.flush()
    audit.record(
        "recommendation.transition",
        actor=actor,
        target=recommendation,
        data={"from": from_state, "to": to_state, "reason": reason, **(data or {})},
    )
    return change
