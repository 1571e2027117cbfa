"""Vote operations: each takes an explicit actor, flushes, audits, and never commits.

Counting itself is consult.votes.tally (pure functions); this module feeds it the stored
ballots. Every operation that reads a poll's state and then writes takes a row lock on the
poll first (SQLite transactions already hold the write lock from BEGIN IMMEDIATE), so that:
a poll is opened or closed once, no ballot is accepted after the close, and the roll-call
chain has one head. The lock is always taken before the audit log's head row.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..accounts.models import COLLEGES, User
from ..extensions import db
from ..numbering import next_number
from ..recommendations.models import Recommendation
from ..settings import get_setting, set_setting
from ..timeutil import utcnow
from . import integrity
from .models import (
    CHOICES,
    MODES,
    Participation,
    Poll,
    PollResult,
    PollVoter,
    Proxy,
    RollCallBallot,
    SecretBallot,
)
from .tally import CollegeResult, Counts, Rules, TallyResult, describe_rules, tally

DEFAULT_RULES = Rules(
    quorum=Fraction(1, 2),
    basis="expressed",
    threshold_kind="more_than",
    threshold=Fraction(1, 2),
    college_rule="per_head",
)
DEFAULT_MAX_PROXIES = 1
RULES_KEY = "votes.default_rules"
MAX_PROXIES_KEY = "votes.max_proxies"

# Why a poll cannot open (shown to the secretariat; codes are stored in Poll.problem).
OPENING_PROBLEMS = {
    "not_in_voting": _l("The recommendation is no longer in the voting stage."),
    "version_changed": _l("The text has changed since the poll was created."),
    "amendment_not_put_to_vote": _l("The amendment is no longer put to the vote."),
    "schedule_passed": _l("The closing time has passed: change the schedule first."),
}


class VoteError(Exception):
    """A refused operation; `message` is translated (lazily) for the person who tried."""

    def __init__(self, message) -> None:
        super().__init__(message)  # not str(): a lazy message is translated when shown
        self.message = message


# --------------------------------------------------------------------------------------------
# Council defaults
# --------------------------------------------------------------------------------------------


def default_rules() -> Rules:
    stored = get_setting(RULES_KEY)
    if stored is None:
        return DEFAULT_RULES
    try:
        return Rules.from_dict(stored)
    except ValueError:
        return DEFAULT_RULES


def default_max_proxies() -> int:
    value = get_setting(MAX_PROXIES_KEY, DEFAULT_MAX_PROXIES)
    return value if isinstance(value, int) and value >= 0 else DEFAULT_MAX_PROXIES


def set_defaults(actor, rules: Rules, max_proxies: int) -> None:
    if default_rules() != rules or get_setting(RULES_KEY) is None:
        set_setting(actor, RULES_KEY, rules.to_dict())
    if default_max_proxies() != max_proxies or get_setting(MAX_PROXIES_KEY) is None:
        set_setting(actor, MAX_PROXIES_KEY, max_proxies)


def rules_of(poll: Poll) -> Rules:
    return Rules.from_dict(poll.rules)


def rules_text(rules: Rules) -> str:
    """The rules in plain words, in the reader's language."""
    return describe_rules(rules, gettext)


# --------------------------------------------------------------------------------------------
# Locking and the clock
# --------------------------------------------------------------------------------------------


def lock(poll: Poll, *, shared: bool = False) -> Poll:
    """Re-read the poll under a row lock (FOR UPDATE, or FOR SHARE when `shared`)."""
    return db.session.execute(
        select(Poll)
        .where(Poll.id == poll.id)
        .options(lazyload("*"))
        .with_for_update(of=Poll, read=shared)
        .execution_options(populate_existing=True)
    ).scalar_one()


def lock_for_cast(poll_id: int) -> Poll | None:
    """The poll read once, under an exclusive lock, with what the visibility check needs of
    its recommendation: the first read of a ballot's transaction (see votes.routes.cast)."""
    return db.session.execute(_LOCK_FOR_CAST, {"poll_id": poll_id}).scalar_one_or_none()


_LOCK_FOR_CAST = (
    select(Poll)
    .where(Poll.id == bindparam("poll_id"))
    .options(
        lazyload("*"),
        joinedload(Poll.recommendation)
        .load_only(
            Recommendation.id,
            Recommendation.state,
            Recommendation.audience,
            Recommendation.rapporteur_id,
        )
        .options(lazyload("*")),
    )
    .with_for_update(of=Poll)
    .execution_options(populate_existing=True)
)


def refresh(poll: Poll, now: datetime | None = None) -> bool:
    """Open or close `poll` if its scheduled time has passed. True when something changed.

    Called on every access (pages, API, commands): the clock decides, not a button. The check
    is repeated under the row lock, so two requests arriving together act once.
    The caller commits (before doing anything else in the same transaction).
    """
    now = now or utcnow()
    if poll.due(now) is None:
        return False
    poll = lock(poll)
    action = poll.due(now)
    if action == "open":
        problem = opening_problem(poll, now)
        if problem:
            if poll.problem != problem:
                poll.problem = problem
                return True
            return False
        open_poll(None, poll, now=now)
        return True
    if action == "close":
        close_poll(None, poll, now=now)
        return True
    return False


def due_polls(now: datetime | None = None) -> list[Poll]:
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Poll)
            .where(
                ((Poll.state == "draft") & (Poll.opens_at <= now))
                | ((Poll.state == "open") & (Poll.closes_at <= now))
            )
            .order_by(Poll.id)
        )
    )


# --------------------------------------------------------------------------------------------
# Creating, opening, closing
# --------------------------------------------------------------------------------------------


def _check_schedule(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> None:
    if closes_at is not None and closes_at <= now:
        raise VoteError(_l("The closing time must be in the future."))
    if opens_at is not None and closes_at is not None and opens_at >= closes_at:
        raise VoteError(_l("The poll must open before it closes."))


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise VoteError(_l("Choose roll-call or secret ballot."))


def pending_poll(recommendation_id: int, amendment_id: int | None) -> Poll | None:
    """A poll on this subject that has not closed yet (one at a time)."""
    query = select(Poll).where(
        Poll.recommendation_id == recommendation_id,
        Poll.state.in_(("draft", "open")),
        Poll.amendment_id.is_(None) if amendment_id is None else Poll.amendment_id == amendment_id,
    )
    return db.session.scalars(query.limit(1)).first()


def create_poll(
    actor,
    *,
    recommendation=None,
    amendment=None,
    mode: str,
    rules: Rules,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    now: datetime | None = None,
) -> Poll:
    """A poll on the current version of a recommendation in voting, or on an amendment."""
    now = now or utcnow()
    _check_mode(mode)
    if amendment is not None:
        if amendment.state != "put_to_vote":
            raise VoteError(_l("Only an amendment put to the vote can be voted on."))
        recommendation = amendment.recommendation
        version_id = amendment.base_version_id
    else:
        if recommendation is None or recommendation.state != "voting":
            raise VoteError(_l("Only a recommendation in the voting stage can be put to a vote."))
        if recommendation.current_version_id is None:
            raise VoteError(_l("This recommendation has no text to vote on."))
        version_id = recommendation.current_version_id
    if pending_poll(recommendation.id, getattr(amendment, "id", None)) is not None:
        raise VoteError(_l("A poll on this text is already planned or open."))
    _check_schedule(opens_at, closes_at, now)
    year = now.year
    sequence = next_number("poll", year)
    poll = Poll(
        reference=f"S-{year}-{sequence:03d}",
        year=year,
        sequence=sequence,
        recommendation_id=recommendation.id,
        version_id=version_id,
        amendment_id=getattr(amendment, "id", None),
        mode=mode,
        rules=rules.to_dict(),
        max_proxies=default_max_proxies(),
        state="draft",
        opens_at=opens_at,
        closes_at=closes_at,
        created_at=now,
        created_by_id=actor.id,
    )
    db.session.add(poll)
    db.session.flush()
    audit.record(
        "poll.created",
        actor=actor,
        target=poll,
        data={
            "reference": poll.reference,
            "recommendation_id": recommendation.id,
            "version_id": version_id,
            "amendment_id": poll.amendment_id,
            "mode": mode,
            "rules": poll.rules,
            "opens_at": _iso(opens_at),
            "closes_at": _iso(closes_at),
        },
    )
    return poll


def update_poll(
    actor,
    poll: Poll,
    *,
    mode: str,
    rules: Rules,
    opens_at: datetime | None,
    closes_at: datetime | None,
    now: datetime | None = None,
) -> Poll:
    """Change mode, rules or schedule: only before the poll opens."""
    now = now or utcnow()
    poll = lock(poll)
    if poll.state != "draft":
        raise VoteError(_l("A poll can be changed only before it opens."))
    _check_mode(mode)
    _check_schedule(opens_at, closes_at, now)
    before = {
        "mode": poll.mode,
        "rules": poll.rules,
        "opens_at": _iso(poll.opens_at),
        "closes_at": _iso(poll.closes_at),
    }
    poll.mode, poll.rules = mode, rules.to_dict()
    poll.opens_at, poll.closes_at = opens_at, closes_at
    poll.problem = ""
    after = {
        "mode": poll.mode,
        "rules": poll.rules,
        "opens_at": _iso(opens_at),
        "closes_at": _iso(closes_at),
    }
    changed = {
        key: {"old": before[key], "new": after[key]} for key in before if before[key] != after[key]
    }
    db.session.flush()
    if changed:
        audit.record("poll.updated", actor=actor, target=poll, data=changed)
    return poll


def cancel_poll(actor, poll: Poll) -> Poll:
    poll = lock(poll)
    if poll.state != "draft":
        raise VoteError(_l("Only a poll that has not opened can be cancelled."))
    poll.state = "cancelled"
    db.session.flush()
    audit.record("poll.cancelled", actor=actor, target=poll, data={"reference": poll.reference})
    return poll


def opening_problem(poll: Poll, now: datetime) -> str | None:
    """Why `poll` cannot open now (a code of OPENING_PROBLEMS), or None."""
    if poll.closes_at is not None and poll.closes_at <= now:
        return "schedule_passed"
    if poll.amendment_id is not None:
        if poll.amendment.state != "put_to_vote":
            return "amendment_not_put_to_vote"
        return None
    recommendation = poll.recommendation
    if recommendation.state != "voting":
        return "not_in_voting"
    if recommendation.current_version_id != poll.version_id:
        return "version_changed"
    return None


def open_poll(actor, poll: Poll, now: datetime | None = None) -> Poll:
    """Freeze the entitled voters (active members, with their college now) and open."""
    now = now or utcnow()
    poll = lock(poll)
    if poll.state != "draft":
        raise VoteError(_l("This poll is not waiting to open."))
    problem = opening_problem(poll, now)
    if problem:
        raise VoteError(OPENING_PROBLEMS[problem])
    members = db.session.execute(
        select(User.id, User.college).where(User.role == "member", User.active.is_(True))
    ).all()
    voters = {user_id: college for user_id, college in members}
    if voters:
        db.session.execute(
            insert(PollVoter),
            [{"poll_id": poll.id, "user_id": uid, "college": c} for uid, c in voters.items()],
        )
    poll.state = "open"
    poll.opened_at = now
    poll.opened_by_id = getattr(actor, "id", None)
    poll.problem = ""
    if poll.mode == "roll_call":
        poll.chain_head = integrity.genesis(poll.id)
    db.session.flush()
    by_college = Counter(voters.values())
    audit.record(
        "poll.opened",
        actor=actor,
        target=poll,
        data={"entitled": len(voters), "by_college": dict(sorted(by_college.items()))},
    )
    # A proxy given before the opening lapses if either side is not entitled, or if they are
    # no longer in the same college.
    for proxy in _active_proxies(poll.id):
        if (
            proxy.delegator_id not in voters
            or proxy.holder_id not in voters
            or voters[proxy.delegator_id] != voters[proxy.holder_id]
        ):
            _revoke(None, proxy, "not_entitled", now)
    return poll


def counts(poll: Poll) -> tuple[dict[str, int], dict[str, Counts]]:
    """Entitled voters and counted ballots per college, from the database."""
    entitled = dict.fromkeys(COLLEGES, 0)
    for college, n in db.session.execute(
        select(PollVoter.college, func.count())
        .where(PollVoter.poll_id == poll.id)
        .group_by(PollVoter.college)
    ):
        entitled[college] = n
    if poll.mode == "roll_call":
        query = (
            select(RollCallBallot.college, RollCallBallot.choice, func.count())
            .where(RollCallBallot.poll_id == poll.id, RollCallBallot.is_current.is_(True))
            .group_by(RollCallBallot.college, RollCallBallot.choice)
        )
    else:
        query = (
            select(SecretBallot.college, SecretBallot.choice, func.count())
            .where(SecretBallot.poll_id == poll.id)
            .group_by(SecretBallot.college, SecretBallot.choice)
        )
    per: dict[str, dict[str, int]] = {}
    for college, choice, n in db.session.execute(query):
        per.setdefault(college, dict.fromkeys(CHOICES, 0))[choice] = n
    ballots = {
        college: Counts(for_=c["for"], against=c["against"], abstain=c["abstain"])
        for college, c in per.items()
    }
    return entitled, ballots


def compute(poll: Poll) -> TallyResult:
    """Count the stored ballots under the poll's rules (tally.py is the only counter)."""
    entitled, ballots = counts(poll)
    return tally(entitled, ballots, rules_of(poll))


def close_poll(actor, poll: Poll, now: datetime | None = None) -> PollResult:
    """Close, count, store the result with its rules and entitled list, and apply it."""
    now = now or utcnow()
    poll = lock(poll)
    if poll.state != "open":
        raise VoteError(_l("This poll is not open."))
    rules = rules_of(poll)
    outcome = compute(poll)
    if poll.mode == "secret":
        ballots = db.session.scalars(
            select(SecretBallot).where(SecretBallot.poll_id == poll.id)
        ).all()
        seal = integrity.seal(poll.id, ballots)
        _rewrite_in_canonical_order(poll, ballots)
    else:
        seal = poll.chain_head or integrity.genesis(poll.id)
    texts = {}
    for lang in ("fr", "en"):
        with force_locale(lang):
            texts[lang] = describe_rules(rules, gettext)
    entitled = [
        {"user_id": user_id, "name": name, "college": college}
        for user_id, name, college in db.session.execute(
            select(PollVoter.user_id, User.display_name, PollVoter.college)
            .join(User, User.id == PollVoter.user_id)
            .where(PollVoter.poll_id == poll.id)
        )
    ]
    entitled.sort(key=lambda row: (_college_rank(row["college"]), row["name"].lower()))
    result = PollResult(
        poll_id=poll.id,
        outcome=outcome.outcome,
        result=outcome.to_dict(),
        rules=dict(poll.rules),
        rules_text_fr=texts["fr"],
        rules_text_en=texts["en"],
        entitled=entitled,
        ballots=outcome.overall.ballots,
        seal=seal,
        computed_at=now,
    )
    db.session.add(result)
    poll.state = "closed"
    poll.closed_at = now
    poll.closed_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        "poll.closed",
        actor=actor,
        target=poll,
        data={
            "outcome": outcome.outcome,
            "seal": seal,
            "ballots": outcome.overall.ballots,
            "entitled": outcome.overall.entitled,
            "overall": outcome.overall.to_dict(),
        },
    )
    _apply_outcome(poll, outcome.outcome, now)
    return result


def _rewrite_in_canonical_order(poll: Poll, ballots: list[SecretBallot]) -> None:
    """Write the secret ballots again, sorted by fingerprint, in the closing transaction.

    On PostgreSQL each row carries the id of the transaction that wrote it (xmin) and sits
    where it was appended (ctid); while the poll was open, both matched the participation
    that was written with it. Rewritten, every ballot carries the closing transaction's id
    and sits in canonical order (the old row versions go with the next VACUUM).
    """
    rows = [b.content() for b in sorted(ballots, key=lambda b: (b.receipt_hash, b.id))]
    for ballot in ballots:
        db.session.expunge(ballot)
    db.session.execute(delete(SecretBallot).where(SecretBallot.poll_id == poll.id))
    if rows:
        db.session.execute(insert(SecretBallot), rows)


def _apply_outcome(poll: Poll, outcome: str, now: datetime) -> None:
    """Adopted or rejected moves the recommendation to that state; void leaves it in voting.

    A poll on an amendment only records its result: accepting an amendment means writing it
    into a new version of the text, which the recommendations domain does (its rapporteur or
    the secretariat applies or rejects the amendment, with the vote's result in front of them).
    """
    if outcome == "void" or poll.amendment_id is not None:
        return
    recommendation = poll.recommendation
    if recommendation.state != "voting" or recommendation.current_version_id != poll.version_id:
        return  # withdrawn meanwhile: the result is recorded, the state is left alone
    from ..recommendations.lifecycle import transition

    transition(None, recommendation, outcome, data={"poll": poll.reference})


def _college_rank(code: str) -> int:
    return COLLEGES.index(code) if code in COLLEGES else len(COLLEGES)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


# --------------------------------------------------------------------------------------------
# Proxies
# --------------------------------------------------------------------------------------------


def _active_proxies(poll_id: int, **where) -> list[Proxy]:
    query = select(Proxy).where(Proxy.poll_id == poll_id, Proxy.revoked_at.is_(None))
    for name, value in where.items():
        query = query.where(getattr(Proxy, name) == value)
    return list(db.session.scalars(query.order_by(Proxy.id)))


def proxy_given(poll: Poll, user) -> Proxy | None:
    found = _active_proxies(poll.id, delegator_id=user.id)
    return found[0] if found else None


def proxies_held(poll: Poll, user) -> list[Proxy]:
    return _active_proxies(poll.id, holder_id=user.id)


def active_proxies(poll: Poll) -> list[Proxy]:
    """For display: with both members loaded."""
    query = (
        select(Proxy)
        .where(Proxy.poll_id == poll.id, Proxy.revoked_at.is_(None))
        .options(selectinload(Proxy.delegator), selectinload(Proxy.holder))
        .order_by(Proxy.id)
    )
    return list(db.session.scalars(query))


def voter_college(poll: Poll, user) -> str | None:
    """The college `user` votes in for this poll (frozen at the opening), None if not entitled."""
    if poll.state == "draft":
        return user.college if user.role == "member" and user.active else None
    return db.session.scalar(
        select(PollVoter.college).where(PollVoter.poll_id == poll.id, PollVoter.user_id == user.id)
    )


def has_voted(poll: Poll, user) -> bool:
    return db.session.get(Participation, (poll.id, user.id)) is not None


def proxy_candidates(poll: Poll, user) -> list[User]:
    """Members of the same college to whom `user` could give a proxy now."""
    college = voter_college(poll, user)
    if college is None:
        return []
    if poll.state == "draft":
        query = select(User).where(
            User.role == "member", User.active.is_(True), User.college == college
        )
    else:
        query = (
            select(User)
            .join(PollVoter, PollVoter.user_id == User.id)
            .where(
                PollVoter.poll_id == poll.id, PollVoter.college == college, User.active.is_(True)
            )
        )
    held = Counter(p.holder_id for p in active_proxies(poll))
    givers = {p.delegator_id for p in active_proxies(poll)}
    people = db.session.scalars(query.order_by(func.lower(User.display_name))).all()
    return [
        person
        for person in people
        if person.id != user.id and person.id not in givers and held[person.id] < poll.max_proxies
    ]


def give_proxy(actor, poll: Poll, holder: User, now: datetime | None = None) -> Proxy:
    now = now or utcnow()
    poll = lock(poll)
    if poll.state not in ("draft", "open"):
        raise VoteError(_l("Proxies can be given only before the poll closes."))
    if poll.max_proxies < 1:
        raise VoteError(_l("Proxies are not allowed in this poll."))
    own_college = voter_college(poll, actor)
    if own_college is None:
        raise VoteError(_l("You are not entitled to vote in this poll."))
    if holder.id == actor.id:
        raise VoteError(_l("You cannot give a proxy to yourself."))
    if voter_college(poll, holder) != own_college:
        raise VoteError(
            _l(
                "A proxy can be given only to a member of your college entitled "
                "to vote in this poll."
            )
        )
    if has_voted(poll, actor):
        raise VoteError(_l("You have already voted in this poll."))
    if proxy_given(poll, actor) is not None:
        raise VoteError(_l("You have already given a proxy for this poll."))
    if proxies_held(poll, actor):
        raise VoteError(_l("You hold a proxy for this poll, so you cannot give one."))
    if proxy_given(poll, holder) is not None:
        raise VoteError(
            _l(
                "%(name)s has given a proxy for this poll and cannot hold one.",
                name=holder.display_name,
            )
        )
    if len(proxies_held(poll, holder)) >= poll.max_proxies:
        raise VoteError(
            _l("%(name)s already holds as many proxies as allowed.", name=holder.display_name)
        )
    proxy = Proxy(poll_id=poll.id, delegator_id=actor.id, holder_id=holder.id, created_at=now)
    db.session.add(proxy)
    _audit_proxy("poll.proxy_given", actor, proxy)
    return proxy


def revoke_proxy(actor, proxy: Proxy, now: datetime | None = None) -> Proxy:
    """The delegator takes the proxy back, until it is used."""
    now = now or utcnow()
    poll = lock(db.session.get(Poll, proxy.poll_id))
    db.session.refresh(proxy)
    if proxy.delegator_id != actor.id:
        raise VoteError(_l("Only the member who gave a proxy can revoke it."))
    if proxy.revoked_at is not None:
        raise VoteError(_l("This proxy has already been revoked."))
    if proxy.used_at is not None:
        raise VoteError(_l("This proxy has been used: it can no longer be revoked."))
    if poll.state not in ("draft", "open"):
        raise VoteError(_l("This poll is closed."))
    return _revoke(actor, proxy, "delegator", now)


def _revoke(actor, proxy: Proxy, reason: str, now: datetime) -> Proxy:
    proxy.revoked_at = now
    proxy.revoked_reason = reason
    _audit_proxy("poll.proxy_revoked", actor, proxy, reason=reason)
    return proxy


def _audit_proxy(action: str, actor, proxy: Proxy, **extra) -> None:
    db.session.flush()
    audit.record(
        action,
        actor=actor,
        target_type="poll",
        target_id=proxy.poll_id,
        data={
            "proxy_id": proxy.id,
            "delegator_id": proxy.delegator_id,
            "holder_id": proxy.holder_id,
            **extra,
        },
    )


# --------------------------------------------------------------------------------------------
# Ballots
# --------------------------------------------------------------------------------------------


@dataclass
class Option:
    """Someone `user` may vote for now: themselves, or a member who gave them a proxy."""

    voter: User
    proxy: Proxy | None
    voted: bool


def ballot_options(poll: Poll, user) -> list[Option]:
    if poll.state != "open" or not getattr(user, "is_authenticated", False):
        return []
    options = []
    if voter_college(poll, user) is not None and proxy_given(poll, user) is None:
        options.append(Option(user, None, has_voted(poll, user)))
    for proxy in proxies_held(poll, user):
        options.append(Option(proxy.delegator, proxy, has_voted(poll, proxy.delegator)))
    if poll.is_secret:
        options = [option for option in options if not option.voted]
    return options


def cast(
    actor,
    poll: Poll,
    voter: User,
    choice: str,
    now: datetime | None = None,
    *,
    locked: bool = False,
) -> str:
    """Cast `voter`'s ballot (the actor's own, or as proxy holder). Returns the receipt code.

    The receipt exists only in the return value: the database keeps its SHA-256.
    `locked`: the caller has just read the poll under an exclusive lock (lock_for_cast()).
    """
    now = now or utcnow()
    if choice not in CHOICES:
        raise VoteError(_l("Choose for, against or abstain."))
    # Secret ballots only read the poll: a shared lock keeps the close out. Roll-call ballots
    # move the chain head: exclusive. (The cast route locks exclusively in both modes: every
    # ballot queues on the audit log's head anyway.)
    if not locked:
        poll = lock(poll, shared=poll.mode == "secret")
    _check_open(poll, now)
    state = _voter_state(poll, voter.id)
    if state is None:
        raise VoteError(_l("This member is not entitled to vote in this poll."))
    proxy = None
    if actor.id == voter.id:
        method = "online"
        if state.proxy_id is not None:
            holder = db.session.get(User, state.proxy_holder_id)
            if not state.proxy_used:
                raise VoteError(
                    _l(
                        "You gave a proxy to %(name)s for this poll: revoke it before voting "
                        "yourself.",
                        name=holder.display_name,
                    )
                )
            raise VoteError(
                _l("%(name)s has already voted for you as your proxy.", name=holder.display_name)
            )
    else:
        if state.proxy_id is None or state.proxy_holder_id != actor.id:
            raise VoteError(_l("You do not hold a proxy from this member for this poll."))
        proxy, method = db.session.get(Proxy, state.proxy_id), "proxy"
    code = _store(actor, poll, voter, state.college, choice, method, now, voted=state.voted)
    if proxy is not None and proxy.used_at is None:
        proxy.used_at = now
        _audit_proxy("poll.proxy_used", actor, proxy)
    return code


@dataclass(frozen=True)
class VoterState:
    college: str
    voted: bool
    proxy_id: int | None  # the proxy the voter has given (not revoked), if any
    proxy_holder_id: int | None
    proxy_used: bool


def _voter_state_statement():
    voted = (
        select(Participation.voter_id)
        .where(
            Participation.poll_id == PollVoter.poll_id,
            Participation.voter_id == PollVoter.user_id,
        )
        .exists()
    )
    return (
        select(PollVoter.college, voted, Proxy.id, Proxy.holder_id, Proxy.used_at)
        .outerjoin(
            Proxy,
            (Proxy.poll_id == PollVoter.poll_id)
            & (Proxy.delegator_id == PollVoter.user_id)
            & Proxy.revoked_at.is_(None),
        )
        .where(
            PollVoter.poll_id == bindparam("poll_id"),
            PollVoter.user_id == bindparam("voter_id"),
        )
    )


# The statements of a ballot, built once: building an SQL expression costs more than sending it.
_VOTER_STATE = _voter_state_statement()
_INSERT_PARTICIPATION = insert(Participation.__table__)
_INSERT_SECRET_BALLOT = insert(SecretBallot.__table__)
_INSERT_ROLL_CALL_BALLOT = insert(RollCallBallot.__table__)
_MOVE_CHAIN_HEAD = (
    update(Poll.__table__)
    .where(Poll.__table__.c.id == bindparam("poll_id"))
    .values(chain_head=bindparam("new_head"))
)


def _voter_state(poll: Poll, voter_id: int) -> VoterState | None:
    """Entitlement, participation and the voter's active proxy in one statement; None if the
    voter is not entitled. Read under the poll's lock, like everything cast() decides on."""
    row = (
        db.session.connection()
        .execute(_VOTER_STATE, {"poll_id": poll.id, "voter_id": voter_id})
        .first()
    )
    if row is None:
        return None
    college, has_voted, proxy_id, holder_id, used_at = row
    return VoterState(college, bool(has_voted), proxy_id, holder_id, used_at is not None)


def _check_open(poll: Poll, now: datetime) -> None:
    if poll.state != "open" or (poll.closes_at is not None and poll.closes_at <= now):
        raise VoteError(_l("This poll is not open for voting."))


def _store(
    actor,
    poll: Poll,
    voter: User,
    college: str,
    choice: str,
    method: str,
    now: datetime,
    *,
    voted: bool | None = None,
) -> str:
    """Write the ballot (and the participation, the first time). `voted`: whether the voter
    has a participation already, when the caller has just read it under the lock.

    The hot path of a vote: plain INSERT and UPDATE statements on the session's connection,
    not the unit of work (a few milliseconds less per ballot). The poll object is kept in step.
    """
    code = integrity.new_receipt()
    fingerprint = integrity.receipt_fingerprint(code)
    if voted is None:
        voted = db.session.get(Participation, (poll.id, voter.id)) is not None
    participation = {
        "poll_id": poll.id,
        "voter_id": voter.id,
        "cast_by_id": actor.id,
        "method": method,
        "voted_on": now.date(),
    }
    if poll.mode == "secret":
        if voted:
            raise VoteError(
                _l(
                    "A ballot has already been cast for this member: in a secret "
                    "ballot it is final."
                )
            )
        # Written apart, linked by nothing: the participation names the voter, the ballot
        # holds the choice under a random key.
        _write(_INSERT_PARTICIPATION, participation)
        _write(
            _INSERT_SECRET_BALLOT,
            {
                "id": uuid.uuid4().hex,
                "poll_id": poll.id,
                "choice": choice,
                "college": college,
                "receipt_hash": fingerprint,
            },
        )
        audit.record(
            "poll.participation",
            actor=actor,
            target=poll,
            data={"voter_id": voter.id, "method": method},
        )
        return code
    # A roll-call voter has a counted ballot exactly when they have a participation: only a
    # change of vote looks for it (the unique index on current ballots guards the rest).
    current = current_ballot(poll, voter) if voted else None
    if current is not None:
        current.is_current = False
        db.session.flush()
    ballot = RollCallBallot(
        poll_id=poll.id,
        voter_id=voter.id,
        sequence=current.sequence + 1 if current else 1,
        is_current=True,
        choice=choice,
        college=college,
        method=method,
        cast_by_id=actor.id,
        receipt_hash=fingerprint,
        created_at=now,
        prev_hash=poll.chain_head or integrity.genesis(poll.id),
    )
    ballot.hash = integrity.link_hash(ballot.prev_hash, ballot.content())
    ballot_id = _write(
        _INSERT_ROLL_CALL_BALLOT,
        {key: getattr(ballot, key) for key in _ROLL_CALL_COLUMNS},
    ).inserted_primary_key[0]
    if not voted:
        _write(_INSERT_PARTICIPATION, participation)
    _write(_MOVE_CHAIN_HEAD, {"poll_id": poll.id, "new_head": ballot.hash})
    set_committed_value(poll, "chain_head", ballot.hash)
    audit.record(
        "poll.ballot_recorded" if method == "recorded" else "poll.ballot_cast",
        actor=actor,
        target=poll,
        data={
            "voter_id": voter.id,
            "choice": choice,
            "sequence": ballot.sequence,
            "method": method,
            "ballot_id": ballot_id,
        },
    )
    return code


_ROLL_CALL_COLUMNS = [c.key for c in RollCallBallot.__table__.c if c.key != "id"]


def _write(statement, parameters: dict):
    """Execute an INSERT or UPDATE on the session's connection; a unique-constraint refusal
    (a ballot cast twice at once) becomes a VoteError."""
    try:
        return db.session.connection().execute(statement, parameters)
    except IntegrityError:
        raise VoteError(_l("A ballot has already been cast for this member.")) from None


def current_ballot(poll: Poll, user) -> RollCallBallot | None:
    """The counted roll-call ballot of `user` (never meaningful for a secret poll)."""
    if poll.mode != "roll_call":
        return None
    return db.session.scalars(
        select(RollCallBallot).where(
            RollCallBallot.poll_id == poll.id,
            RollCallBallot.voter_id == user.id,
            RollCallBallot.is_current.is_(True),
        )
    ).first()


def record_show_of_hands(
    actor, poll: Poll, choices: dict[int, str], now: datetime | None = None
) -> int:
    """Record votes taken in the room (roll-call only). Returns how many ballots were added.

    A member whose counted ballot already has the same choice gets no new ballot. A member
    who had given a proxy not yet used votes in person: the proxy lapses.
    """
    now = now or utcnow()
    poll = lock(poll)
    if poll.mode != "roll_call":
        raise VoteError(_l("Votes by show of hands can be recorded only in a roll-call vote."))
    _check_open(poll, now)
    voters = {
        v.user_id: v
        for v in db.session.scalars(
            select(PollVoter)
            .where(PollVoter.poll_id == poll.id)
            .options(selectinload(PollVoter.user))
        )
    }
    recorded = 0
    for voter_id, choice in sorted(choices.items()):
        if choice not in CHOICES:
            continue
        entitled = voters.get(voter_id)
        if entitled is None:
            raise VoteError(_l("This member is not entitled to vote in this poll."))
        current = current_ballot(poll, entitled.user)
        if current is not None and current.choice == choice:
            continue
        given = proxy_given(poll, entitled.user)
        if given is not None and given.used_at is None:
            _revoke(actor, given, "voted_in_person", now)
        _store(actor, poll, entitled.user, entitled.college, choice, "recorded", now)
        recorded += 1
    return recorded


# --------------------------------------------------------------------------------------------
# Reading: turnout, receipts, lists
# --------------------------------------------------------------------------------------------


@dataclass
class Turnout:
    entitled: int
    voted: int
    colleges: dict[str, tuple[int, int]]  # college -> (entitled, voted)

    @property
    def share(self) -> float | None:
        """For display only (a percentage); decisions use tally.py's exact fractions."""
        return self.voted / self.entitled if self.entitled else None


def turnout(poll: Poll) -> Turnout:
    """How many entitled members have taken part: the only figure shown while a poll is open."""
    entitled = dict(
        db.session.execute(
            select(PollVoter.college, func.count())
            .where(PollVoter.poll_id == poll.id)
            .group_by(PollVoter.college)
        ).all()
    )
    voted = dict(
        db.session.execute(
            select(PollVoter.college, func.count())
            .join(
                Participation,
                (Participation.poll_id == PollVoter.poll_id)
                & (Participation.voter_id == PollVoter.user_id),
            )
            .where(PollVoter.poll_id == poll.id)
            .group_by(PollVoter.college)
        ).all()
    )
    colleges = {
        code: (entitled.get(code, 0), voted.get(code, 0))
        for code in sorted(set(COLLEGES) | set(entitled), key=_college_rank)
    }
    return Turnout(sum(entitled.values()), sum(voted.values()), colleges)


@dataclass
class ReceiptCheck:
    status: str  # "counted", "superseded", "unknown"
    choice: str | None = None
    fingerprint: str = ""


def check_receipt(poll: Poll, code: str) -> ReceiptCheck:
    """Was the ballot with this receipt counted, and as what? (closed polls only)"""
    fingerprint = integrity.receipt_fingerprint(code)
    model = RollCallBallot if poll.mode == "roll_call" else SecretBallot
    ballot = db.session.scalars(
        select(model).where(model.poll_id == poll.id, model.receipt_hash == fingerprint)
    ).first()
    if ballot is None:
        return ReceiptCheck("unknown", fingerprint=fingerprint)
    if isinstance(ballot, RollCallBallot) and not ballot.is_current:
        return ReceiptCheck("superseded", ballot.choice, fingerprint)
    return ReceiptCheck("counted", ballot.choice, fingerprint)


def public_ballots(poll: Poll) -> list[Any]:
    """The counted ballots of a closed poll: secret ones by fingerprint, roll-call by college."""
    if poll.mode == "secret":
        return list(
            db.session.scalars(
                select(SecretBallot)
                .where(SecretBallot.poll_id == poll.id)
                .order_by(SecretBallot.receipt_hash)
            )
        )
    ballots = list(
        db.session.scalars(
            select(RollCallBallot)
            .where(RollCallBallot.poll_id == poll.id, RollCallBallot.is_current.is_(True))
            .options(selectinload(RollCallBallot.voter), selectinload(RollCallBallot.cast_by))
        )
    )
    ballots.sort(key=lambda b: (_college_rank(b.college), b.voter.display_name.lower()))
    return ballots


def superseded_count(poll: Poll) -> int:
    if poll.mode != "roll_call":
        return 0
    return (
        db.session.scalar(
            select(func.count()).where(
                RollCallBallot.poll_id == poll.id, RollCallBallot.is_current.is_(False)
            )
        )
        or 0
    )


def roll_call(poll: Poll) -> dict[str, list[dict[str, Any]]]:
    """Each entitled member by college with their counted vote (or none): roll-call only."""
    ballots = {b.voter_id: b for b in public_ballots(poll)}
    listing: dict[str, list[dict[str, Any]]] = {}
    voters = db.session.scalars(
        select(PollVoter).where(PollVoter.poll_id == poll.id).options(selectinload(PollVoter.user))
    ).all()
    for voter in sorted(
        voters, key=lambda v: (_college_rank(v.college), v.user.display_name.lower())
    ):
        ballot = ballots.get(voter.user_id)
        listing.setdefault(voter.college, []).append({"user": voter.user, "ballot": ballot})
    return listing


def polls_on(recommendation, amendment=None) -> list[Poll]:
    """Polls on a recommendation (all of them, or those on one amendment), newest first."""
    query = select(Poll).where(Poll.recommendation_id == recommendation.id)
    if amendment is not None:
        query = query.where(Poll.amendment_id == amendment.id)
    return list(db.session.scalars(query.order_by(Poll.id.desc())))


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def result_of(poll: Poll) -> TallyResult | None:
    """The stored result of a closed poll, read back into tally.py's objects (for display)."""
    if poll.result is None:
        return None
    data = poll.result.result

    def college(code: str, row: dict[str, Any]) -> CollegeResult:
        return CollegeResult(
            college=code,
            entitled=row["entitled"],
            ballots=row["ballots"],
            for_=row["for"],
            against=row["against"],
            abstain=row["abstain"],
            quorum_met=row["quorum_met"],
            threshold_met=row["threshold_met"],
            share_for=_fraction(row["share_for"]),
        )

    return TallyResult(
        outcome=data["outcome"],
        quorum_met=data["quorum_met"],
        threshold_met=data["threshold_met"],
        overall=college("overall", data["overall"]),
        colleges={code: college(code, row) for code, row in data["colleges"].items()},
        mean_share_for=_fraction(data.get("mean_share_for")),
        mean_share_against=_fraction(data.get("mean_share_against")),
    )


def stored_rules_text(poll: Poll, locale: str) -> str:
    """The rule text as it was at the close (in French or English), or as it reads now."""
    if poll.result is not None:
        return poll.result.rules_text_en if locale.startswith("en") else poll.result.rules_text_fr
    return rules_text(rules_of(poll))


def polls_voted(user, poll_ids: list[int]) -> set[int]:
    """Which of these polls `user` has taken part in."""
    return set(
        db.session.scalars(
            select(Participation.poll_id).where(
                Participation.voter_id == user.id, Participation.poll_id.in_(poll_ids)
            )
        )
    )
