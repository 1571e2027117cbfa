"""The state machine as a matrix: every state × every target × every kind of actor.

The expectations below are written from DESIGN section 2, independently of lifecycle.MOVES,
so that a change to the table that the design does not call for fails here.
"""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.recommendations import lifecycle
from consult.recommendations.models import STATES, StateChange

from .. import factories
from ..helpers import t
from .helpers import make_recommendation

ACTORS = (
    "rapporteur",
    "co-sponsor",
    "other member",
    "secretariat",
    "participant",
    "visitor",
    "system",
)
PRE_VOTE = ("draft", "deliberation", "consultation", "consolidation")

ALLOWED: dict[tuple[str, str], set[str]] = {
    ("draft", "deliberation"): {"rapporteur", "secretariat"},
    ("deliberation", "consultation"): {"secretariat"},
    ("deliberation", "consolidation"): {"secretariat"},  # skipping the consultation
    ("consultation", "consolidation"): {"secretariat", "system"},
    ("consolidation", "deliberation"): {"rapporteur", "secretariat"},
    ("consolidation", "voting"): {"secretariat"},
    ("voting", "adopted"): {"system"},  # only a closed poll decides
    ("voting", "rejected"): {"system"},
    ("adopted", "published"): {"secretariat", "system"},
    ("rejected", "published"): {"secretariat", "system"},
    **{(state, "withdrawn"): {"rapporteur", "secretariat"} for state in PRE_VOTE},
    ("voting", "withdrawn"): {"secretariat"},  # the rapporteur only before voting
}
NEEDS_REASON = {
    ("deliberation", "consolidation"),
    ("consolidation", "deliberation"),
    *((state, "withdrawn") for state in (*PRE_VOTE, "voting")),
}


@pytest.fixture
def cast(app, in_request):
    rapporteur = factories.MemberFactory(college="state")
    sponsor = factories.MemberFactory(college="private_sector")
    secretariat = factories.SecretariatFactory()
    rec = make_recommendation(rapporteur, secretariat=secretariat, sponsors=[sponsor])
    return {
        "rec": rec,
        "rapporteur": rapporteur,
        "co-sponsor": sponsor,
        "other member": factories.MemberFactory(college="civil_society"),
        "secretariat": secretariat,
        "participant": factories.UserFactory(role="participant"),
        "visitor": AnonymousUserMixin(),
        "system": None,
    }


def test_expectations_cover_the_table():
    """Every move the code knows is one the design describes, with the same reason rule."""
    assert set(lifecycle.MOVES) == set(ALLOWED)
    assert {move for move, rule in lifecycle.MOVES.items() if rule.reason} == NEEDS_REASON


@pytest.mark.parametrize("kind", ACTORS)
def test_matrix(cast, kind):
    rec, actor = cast["rec"], cast[kind]
    wrong = []
    for from_state in STATES:
        for to_state in STATES:
            allowed = kind in ALLOWED.get((from_state, to_state), set())
            savepoint = db.session.begin_nested()
            rec.state = from_state
            db.session.flush()
            if lifecycle.can_move(actor, rec, to_state) != allowed:
                wrong.append((from_state, to_state, "can_move"))
            reason = "Motif" if (from_state, to_state) in NEEDS_REASON else ""
            try:
                lifecycle.transition(actor, rec, to_state, reason)
                done = True
            except lifecycle.TransitionError:
                done = False
            if done != allowed:
                wrong.append((from_state, to_state, "transition"))
            elif done:
                assert rec.state == to_state
            savepoint.rollback()
    assert not wrong, f"{kind}: {wrong}"


@pytest.mark.parametrize("move", sorted(NEEDS_REASON))
def test_reason_required(cast, move):
    from_state, to_state = move
    rec = cast["rec"]
    actor = cast["secretariat"]
    rec.state = from_state
    db.session.flush()
    for blank in ("", "   \n "):
        with pytest.raises(lifecycle.TransitionError) as excinfo:
            lifecycle.transition(actor, rec, to_state, blank)
        assert str(excinfo.value) == t("Please give a reason for this change of state.")
    change = lifecycle.transition(actor, rec, to_state, "  Le texte est abandonné. ")
    assert change.reason == "Le texte est abandonné."
    assert rec.state == to_state


def test_moves_without_reason_keep_an_optional_one(cast):
    rec = cast["rec"]
    change = lifecycle.transition(cast["rapporteur"], rec, "deliberation", "Prêt")
    assert change.reason == "Prêt"


def test_every_move_is_audited_and_on_the_timeline(cast):
    rec = cast["rec"]
    lifecycle.transition(cast["rapporteur"], rec, "deliberation")
    lifecycle.transition(cast["secretariat"], rec, "consolidation", "Urgence nationale")
    db.session.commit()
    timeline = db.session.scalars(
        select(StateChange).where(StateChange.recommendation_id == rec.id).order_by(StateChange.id)
    ).all()
    assert [(c.from_state, c.to_state) for c in timeline] == [
        (None, "draft"),
        ("draft", "deliberation"),
        ("deliberation", "consolidation"),
    ]
    assert timeline[-1].reason == "Urgence nationale"
    assert timeline[-1].version_id == rec.current_version_id
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "recommendation.transition")
    ).all()
    assert [e.data["to"] for e in entries] == ["deliberation", "consolidation"]
    assert entries[-1].actor_id == cast["secretariat"].id
    assert entries[-1].data["reason"] == "Urgence nationale"


def test_audience_follows_the_state_and_withdrawal_keeps_it(cast):
    rec = cast["rec"]
    assert rec.audience == "authors"
    lifecycle.transition(cast["rapporteur"], rec, "deliberation")
    assert rec.audience == "members"
    lifecycle.transition(cast["secretariat"], rec, "consultation")
    assert rec.audience == "public"
    lifecycle.transition(cast["rapporteur"], rec, "withdrawn", "Remplacée par une autre")
    assert rec.audience == "public"
    draft = make_recommendation(cast["rapporteur"], secretariat=cast["secretariat"])
    lifecycle.transition(cast["rapporteur"], draft, "withdrawn", "Abandon")
    assert draft.audience == "authors"


def test_a_deactivated_rapporteur_moves_nothing(cast):
    rapporteur = cast["rapporteur"]
    rapporteur.active = False
    assert not lifecycle.can_move(rapporteur, cast["rec"], "deliberation")
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.transition(rapporteur, cast["rec"], "deliberation")


def test_buttons_offer_only_the_actors_moves(cast):
    rec = cast["rec"]
    assert [to for to, _ in lifecycle.available_moves(cast["rapporteur"], rec)] == [
        "deliberation",
        "withdrawn",
    ]
    assert lifecycle.available_moves(cast["co-sponsor"], rec) == []
    rec.state = "voting"
    # A poll's result is never a button.
    assert [to for to, _ in lifecycle.available_moves(cast["secretariat"], rec)] == ["withdrawn"]
