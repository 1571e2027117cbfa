"""Poll operations: opening, casting, changing, proxies, closing, applying the result."""

from __future__ import annotations

import re
from datetime import timedelta
from fractions import Fraction

import pytest
from sqlalchemy import select

from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.recommendations.models import StateChange
from consult.timeutil import utcnow
from consult.votes import integrity, services
from consult.votes.models import (
    Participation,
    PollResult,
    PollVoter,
    Proxy,
    RollCallBallot,
    SecretBallot,
)
from consult.votes.services import VoteError
from consult.votes.tally import Rules
from tests import factories
from tests.helpers import t

from .conftest import make_amendment, make_poll, make_recommendation, vote


def refused(msgid: str, **values):
    """Expect a VoteError that says exactly `msgid`, as the default language (French) shows it."""
    return pytest.raises(VoteError, match=f"^{re.escape(t(msgid, **values))}$")


def everyone(council):
    return [m for people in council.values() for m in people]


def test_poll_needs_a_recommendation_in_voting(app, secretariat):
    draft = make_recommendation(secretariat, state="consolidation")
    with pytest.raises(VoteError):
        services.create_poll(
            secretariat, recommendation=draft, mode="secret", rules=services.default_rules()
        )


def test_one_pending_poll_per_text(roll_call_poll, secretariat, recommendation):
    with refused("A poll on this text is already planned or open."):
        services.create_poll(
            secretariat,
            recommendation=recommendation,
            mode="secret",
            rules=services.default_rules(),
        )


def test_poll_starts_from_council_defaults(app, secretariat, recommendation):
    rules = Rules(
        quorum=Fraction(2, 3),
        basis="cast",
        threshold_kind="at_least",
        threshold=Fraction(2, 3),
        college_rule="each_college",
    )
    services.set_defaults(secretariat, rules, 2)
    db.session.commit()
    assert services.default_rules() == rules
    poll = services.create_poll(
        secretariat, recommendation=recommendation, mode="secret", rules=services.default_rules()
    )
    assert poll.rules == rules.to_dict()
    assert poll.max_proxies == 2
    assert re.fullmatch(r"S-\d{4}-001", poll.reference)
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("setting.changed") == 2 and "poll.created" in actions


def test_opening_freezes_active_members_with_their_college(council, secretariat, recommendation):
    gone = factories.MemberFactory(college="state", active=False)
    factories.UserFactory(role="participant")
    poll = make_poll(secretariat, recommendation)
    voters = dict(
        db.session.execute(
            select(PollVoter.user_id, PollVoter.college).where(PollVoter.poll_id == poll.id)
        ).all()
    )
    assert set(voters) == {m.id for m in everyone(council)}
    assert gone.id not in voters and secretariat.id not in voters
    # A member appointed after the opening is not entitled.
    late = factories.MemberFactory(college="state")
    with refused("This member is not entitled to vote in this poll."):
        services.cast(late, poll, late, "for")


def test_a_later_change_of_college_never_changes_a_result(council, secretariat, recommendation):
    poll = make_poll(secretariat, recommendation)
    mover = council["state"][0]
    vote(poll, mover, "for")
    mover.college = "civil_society"
    db.session.commit()
    vote(poll, council["state"][1], "for")
    result = services.close_poll(secretariat, poll)
    db.session.commit()
    assert result.result["colleges"]["state"]["for"] == 2
    assert result.result["colleges"]["civil_society"]["for"] == 0


def test_roll_call_vote_can_change_and_the_chain_keeps_both(roll_call_poll, council):
    voter = council["private_sector"][0]
    first = vote(roll_call_poll, voter, "against")
    second = vote(roll_call_poll, voter, "for")
    ballots = db.session.scalars(select(RollCallBallot).order_by(RollCallBallot.id)).all()
    assert [(b.choice, b.sequence, b.is_current) for b in ballots] == [
        ("against", 1, False),
        ("for", 2, True),
    ]
    assert ballots[1].prev_hash == ballots[0].hash
    entitled, counted = services.counts(roll_call_poll)
    assert counted["private_sector"].for_ == 1 and counted["private_sector"].against == 0
    assert services.check_receipt(roll_call_poll, first).status == "superseded"
    assert services.check_receipt(roll_call_poll, second).status == "counted"
    assert db.session.scalar(select(Participation.method)) == "online"


def test_receipt_is_shown_once_and_only_its_fingerprint_is_stored(secret_poll, council):
    code = vote(secret_poll, council["state"][0], "abstain")
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)
    ballot = db.session.scalars(select(SecretBallot)).one()
    assert ballot.receipt_hash == integrity.receipt_fingerprint(code)
    assert code not in repr(ballot.content()) and code.replace("-", "") not in str(ballot.content())
    # Typed loosely, the receipt still matches.
    assert services.check_receipt(secret_poll, code.lower().replace("-", " ")).choice == "abstain"


def test_secret_ballot_is_final(secret_poll, council):
    voter = council["state"][0]
    vote(secret_poll, voter, "for")
    with refused("A ballot has already been cast for this member: in a secret ballot it is final."):
        services.cast(voter, secret_poll, voter, "against")
    db.session.rollback()
    assert db.session.scalars(select(SecretBallot.choice)).all() == ["for"]


def test_secret_audit_records_participation_without_choice(secret_poll, council):
    vote(secret_poll, council["state"][0], "against")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("poll.%"))).all()
    participation = [e for e in entries if e.action == "poll.participation"]
    assert len(participation) == 1
    assert participation[0].actor_id == council["state"][0].id
    text = str([e.data for e in entries])
    assert "against" not in text
    ballot = db.session.scalars(select(SecretBallot)).one()
    assert ballot.id not in text and ballot.receipt_hash not in text


def test_roll_call_audit_names_voter_and_choice(roll_call_poll, council):
    vote(roll_call_poll, council["state"][0], "against")
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "poll.ballot_cast")
    ).one()
    assert entry.data["choice"] == "against"
    assert entry.data["voter_id"] == council["state"][0].id


def test_close_stores_result_rules_texts_and_entitled_list(
    roll_call_poll, council, secretariat, recommendation
):
    for person in council["state"] + council["civil_society"]:
        vote(roll_call_poll, person, "for")
    vote(roll_call_poll, council["private_sector"][0], "against")
    result = services.close_poll(secretariat, roll_call_poll)
    db.session.commit()
    stored = db.session.get(PollResult, roll_call_poll.id)
    assert stored.outcome == "adopted" == result.outcome
    assert stored.result["overall"]["for"] == 6 and stored.result["overall"]["against"] == 1
    assert stored.rules == roll_call_poll.rules
    assert "tie" in stored.rules_text_en
    assert stored.rules_text_fr  # the French text (English until the catalogue is compiled)
    assert len(stored.entitled) == 9
    assert {row["college"] for row in stored.entitled} == {
        "state",
        "private_sector",
        "civil_society",
    }
    assert stored.seal == roll_call_poll.chain_head
    assert recommendation.state == "adopted"
    change = db.session.scalars(select(StateChange)).one()
    assert change.to_state == "adopted" and change.actor_id is None
    assert roll_call_poll.closed_at is not None


def test_rejected_poll_rejects_the_recommendation(
    secret_poll, council, secretariat, recommendation
):
    for person in everyone(council)[:6]:
        vote(secret_poll, person, "against")
    services.close_poll(secretariat, secret_poll)
    db.session.commit()
    assert recommendation.state == "rejected"


def test_void_poll_leaves_the_recommendation_in_voting(council, secretariat, recommendation):
    rules = Rules(
        quorum=Fraction(1, 2),
        basis="expressed",
        threshold_kind="more_than",
        threshold=Fraction(1, 2),
        college_rule="per_head",
    )
    poll = make_poll(secretariat, recommendation, rules=rules)
    vote(poll, council["state"][0], "for")
    result = services.close_poll(secretariat, poll)
    db.session.commit()
    assert result.outcome == "void"
    assert recommendation.state == "voting"
    # ... ready for a new poll.
    assert make_poll(secretariat, recommendation, open_it=False).state == "draft"


def test_no_ballot_after_the_close(roll_call_poll, council, secretariat):
    services.close_poll(secretariat, roll_call_poll)
    db.session.commit()
    with refused("This poll is not open for voting."):
        services.cast(council["state"][0], roll_call_poll, council["state"][0], "for")


def test_amendment_poll_records_its_result(council, secretariat):
    rec = make_recommendation(secretariat, state="consolidation")
    amendment = make_amendment(rec, council["state"][0])
    poll = make_poll(secretariat, amendment=amendment, mode="secret")
    assert poll.version_id == amendment.base_version_id
    for person in everyone(council)[:5]:
        vote(poll, person, "for")
    result = services.close_poll(secretariat, poll)
    db.session.commit()
    assert result.outcome == "adopted"
    # The result is recorded; writing the amendment into the text is the rapporteur's step.
    assert amendment.state == "put_to_vote"
    assert rec.state == "consolidation"
    assert services.polls_on(rec, amendment=amendment) == [poll]


def test_scheduled_poll_opens_and_closes_on_access(council, secretariat, recommendation):
    now = utcnow()
    poll = make_poll(
        secretariat,
        recommendation,
        open_it=False,
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(hours=2),
    )
    assert services.refresh(poll) is False and poll.state == "draft"
    assert services.refresh(poll, now=now + timedelta(hours=1, minutes=1)) is True
    db.session.commit()
    assert poll.state == "open" and poll.opened_by_id is None
    assert services.refresh(poll, now=now + timedelta(hours=1, minutes=2)) is False
    assert services.refresh(poll, now=now + timedelta(hours=3)) is True
    db.session.commit()
    assert poll.state == "closed" and poll.result is not None
    assert services.refresh(poll, now=now + timedelta(hours=4)) is False
    closings = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "poll.closed")
    ).all()
    assert len(closings) == 1 and closings[0].actor_id is None


def test_scheduled_opening_that_cannot_happen_is_reported(council, secretariat, recommendation):
    now = utcnow()
    poll = make_poll(
        secretariat,
        recommendation,
        open_it=False,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=2),
    )
    recommendation.state = "withdrawn"
    db.session.commit()
    assert services.refresh(poll) is True
    db.session.commit()
    assert poll.state == "draft" and poll.problem == "not_in_voting"


def test_schedule_must_make_sense(app, secretariat, recommendation):
    now = utcnow()
    with refused("The closing time must be in the future."):
        services.create_poll(
            secretariat,
            recommendation=recommendation,
            mode="secret",
            rules=services.default_rules(),
            closes_at=now - timedelta(hours=1),
        )
    with refused("The poll must open before it closes."):
        services.create_poll(
            secretariat,
            recommendation=recommendation,
            mode="secret",
            rules=services.default_rules(),
            opens_at=now + timedelta(hours=3),
            closes_at=now + timedelta(hours=2),
        )


# Proxies ------------------------------------------------------------------------------------


def test_proxy_holder_votes_for_the_delegator(roll_call_poll, council):
    delegator, holder = council["state"][0], council["state"][1]
    services.give_proxy(delegator, roll_call_poll, holder)
    db.session.commit()
    options = services.ballot_options(roll_call_poll, holder)
    assert [(o.voter.id, o.proxy is not None) for o in options] == [
        (holder.id, False),
        (delegator.id, True),
    ]
    assert services.ballot_options(roll_call_poll, delegator) == []
    with refused(
        "You gave a proxy to %(name)s for this poll: revoke it before voting yourself.",
        name=holder.display_name,
    ):
        services.cast(delegator, roll_call_poll, delegator, "for")
    db.session.rollback()
    vote(roll_call_poll, delegator, "against", actor=holder)
    vote(roll_call_poll, holder, "for")
    ballot = db.session.scalars(
        select(RollCallBallot).where(RollCallBallot.voter_id == delegator.id)
    ).one()
    assert ballot.method == "proxy" and ballot.cast_by_id == holder.id
    proxy = db.session.scalars(select(Proxy)).one()
    assert proxy.used_at is not None
    with refused("This proxy has been used: it can no longer be revoked."):
        services.revoke_proxy(delegator, proxy)
    db.session.rollback()
    with refused("%(name)s has already voted for you as your proxy.", name=holder.display_name):
        services.cast(delegator, roll_call_poll, delegator, "for")


def test_proxy_only_within_the_college_and_one_per_holder(roll_call_poll, council):
    a, b, c = council["state"]
    with refused(
        "A proxy can be given only to a member of your college entitled to vote in this poll."
    ):
        services.give_proxy(a, roll_call_poll, council["civil_society"][0])
    db.session.rollback()
    services.give_proxy(a, roll_call_poll, b)
    db.session.commit()
    with refused("%(name)s already holds as many proxies as allowed.", name=b.display_name):
        services.give_proxy(c, roll_call_poll, b)
    db.session.rollback()
    with refused("You have already given a proxy for this poll."):
        services.give_proxy(a, roll_call_poll, c)
    db.session.rollback()
    with refused("You hold a proxy for this poll, so you cannot give one."):
        services.give_proxy(b, roll_call_poll, c)
    db.session.rollback()
    assert [p.id for p in services.proxy_candidates(roll_call_poll, c)] == []


def test_revoked_proxy_lets_the_delegator_vote(secret_poll, council):
    a, b = council["private_sector"][:2]
    proxy = services.give_proxy(a, secret_poll, b)
    db.session.commit()
    services.revoke_proxy(a, proxy)
    db.session.commit()
    assert proxy.revoked_reason == "delegator"
    with refused("You do not hold a proxy from this member for this poll."):
        services.cast(b, secret_poll, a, "for")
    db.session.rollback()
    vote(secret_poll, a, "for")
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "poll.proxy_given" in actions and "poll.proxy_revoked" in actions


def test_secret_proxy_ballot_counts_once(secret_poll, council):
    a, b = council["civil_society"][:2]
    services.give_proxy(a, secret_poll, b)
    db.session.commit()
    vote(secret_poll, a, "for", actor=b)
    with pytest.raises(VoteError):
        services.cast(b, secret_poll, a, "against")
    db.session.rollback()
    participation = db.session.get(Participation, (secret_poll.id, a.id))
    assert participation.method == "proxy" and participation.cast_by_id == b.id
    assert db.session.scalars(select(SecretBallot.choice)).all() == ["for"]


def test_proxy_given_before_opening_lapses_if_colleges_differ(council, secretariat, recommendation):
    poll = make_poll(secretariat, recommendation, open_it=False)
    a, b = council["state"][:2]
    proxy = services.give_proxy(a, poll, b)
    db.session.commit()
    b.college = "private_sector"
    db.session.commit()
    services.open_poll(secretariat, poll)
    db.session.commit()
    assert proxy.revoked_reason == "not_entitled"


# Show of hands -------------------------------------------------------------------------------


def test_secretariat_records_a_show_of_hands(roll_call_poll, council, secretariat):
    a, b, c = council["state"]
    vote(roll_call_poll, a, "for")
    services.give_proxy(c, roll_call_poll, b)
    db.session.commit()
    added = services.record_show_of_hands(
        secretariat, roll_call_poll, {a.id: "for", b.id: "against", c.id: "abstain"}
    )
    db.session.commit()
    assert added == 2  # a's ballot already said "for"
    recorded = db.session.scalars(
        select(RollCallBallot).where(RollCallBallot.method == "recorded")
    ).all()
    assert {(r.voter_id, r.choice, r.cast_by_id) for r in recorded} == {
        (b.id, "against", secretariat.id),
        (c.id, "abstain", secretariat.id),
    }
    assert db.session.scalars(select(Proxy)).one().revoked_reason == "voted_in_person"
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("poll.ballot_recorded") == 2


def test_show_of_hands_only_in_roll_call(secret_poll, council, secretariat):
    with refused("Votes by show of hands can be recorded only in a roll-call vote."):
        services.record_show_of_hands(secretariat, secret_poll, {council["state"][0].id: "for"})


def test_turnout(secret_poll, council):
    vote(secret_poll, council["state"][0], "for")
    vote(secret_poll, council["civil_society"][0], "for")
    t = services.turnout(secret_poll)
    assert (t.entitled, t.voted) == (9, 2)
    assert t.colleges["state"] == (3, 1) and t.colleges["private_sector"] == (3, 0)
