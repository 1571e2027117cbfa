"""Polls, entitled voters, proxies, ballots and results.

Secrecy is a property of the schema (DESIGN section 5, issue 4 point 5):

- ``participations`` says who took part in a poll (both modes), with a coarse date only.
- ``roll_call_ballots`` are public with the result: voter, choice, time, and a hash chain in
  cast order.
- ``secret_ballots`` hold a choice, the voter's college (needed to count per college) and the
  fingerprint of a receipt only the voter saw. No voter, no time, no sequential number: the
  primary key is random, and on SQLite the table is WITHOUT ROWID, so that not even the
  storage order remembers the order of casting. Their chain is sealed at the close, over the
  ballots sorted by fingerprint (see integrity.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

MODES = ("roll_call", "secret")
MODE_LABELS = {"roll_call": _l("Roll-call vote"), "secret": _l("Secret ballot")}
STATES = ("draft", "open", "closed", "cancelled")
STATE_LABELS = {
    "draft": _l("Not open yet"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
}
CHOICES = ("for", "against", "abstain")
CHOICE_LABELS = {"for": _l("For"), "against": _l("Against"), "abstain": _l("Abstain")}
OUTCOME_LABELS = {
    "adopted": _l("Adopted"),
    "rejected": _l("Not adopted"),
    "void": _l("Void: quorum not met"),
}
# How a ballot reached the box: by the voter, by a proxy holder, or by the secretariat
# recording a show of hands in a session (roll-call only).
METHODS = ("online", "proxy", "recorded")
METHOD_LABELS = {
    "online": _l("Cast online"),
    "proxy": _l("Cast by proxy"),
    "recorded": _l("Recorded by the secretariat"),
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Poll(db.Model):
    __tablename__ = "polls"
    __table_args__ = (
        CheckConstraint(_in("mode", MODES), name="mode"),
        CheckConstraint(_in("state", STATES), name="state"),
        UniqueConstraint("year", "sequence", name="uq_polls_year_sequence"),
    )
    audit_type = "poll"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # S-2026-004
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    # The exact text put to the vote (for an amendment: the version it was proposed on).
    version_id: Mapped[int] = mapped_column(ForeignKey("recommendation_versions.id"))
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)  # tally.Rules.to_dict()
    max_proxies: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    # Scheduled times (naive UTC), for remote votes; None when opened or closed by hand.
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Roll-call polls: hash of the newest ballot (a deleted tail shows as a mismatch).
    chain_head: Mapped[str | None] = mapped_column(String(64))
    # Why a scheduled opening could not happen, for the secretariat.
    problem: Mapped[str] = mapped_column(String(200), default="")

    # Loaded when used (a ballot cast needs neither): pages ask for what they show.
    recommendation = relationship("Recommendation")
    version = relationship("RecommendationVersion")
    amendment = relationship("Amendment")
    result = relationship("PollResult", uselist=False, back_populates="poll")

    @property
    def is_secret(self) -> bool:
        return self.mode == "secret"

    @property
    def mode_label(self) -> str:
        return str(MODE_LABELS[self.mode])

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    def due(self, now: datetime) -> str | None:
        """'open' or 'close' when the clock says so and nobody has done it yet."""
        if self.state == "draft" and self.opens_at is not None and self.opens_at <= now:
            if self.closes_at is None or self.closes_at > now:
                return "open"
        if self.state == "open" and self.closes_at is not None and self.closes_at <= now:
            return "close"
        return None

    def __repr__(self) -> str:
        return f"<Poll {self.reference} {self.state}>"


class PollVoter(db.Model):
    """An entitled voter, frozen when the poll opens, with the college they had then."""

    __tablename__ = "poll_voters"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    college: Mapped[str] = mapped_column(String(20))

    user = relationship("User")


class Participation(db.Model):
    """Who took part (their own ballot, cast by them, their proxy or the secretariat).

    One row per voter and poll, enforced by the primary key: the database, not Python,
    refuses a second participation. The date is coarse on purpose (no time of day).
    """

    __tablename__ = "participations"
    __table_args__ = (CheckConstraint(_in("method", METHODS), name="method"),)

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    method: Mapped[str] = mapped_column(String(10))
    voted_on: Mapped[date] = mapped_column(Date)

    voter = relationship("User", foreign_keys=[voter_id])


class Proxy(db.Model):
    """A member's proxy for one poll, to a member of the same college."""

    __tablename__ = "proxies"
    __table_args__ = (
        CheckConstraint("delegator_id != holder_id", name="not_self"),
        # A member gives at most one proxy at a time per poll (revoked ones stay, for history).
        Index(
            "uq_proxies_active_delegator",
            "poll_id",
            "delegator_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )
    audit_type = "proxy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    delegator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # "delegator", "not_entitled" (at the opening), "voted_in_person" (show of hands).
    revoked_reason: Mapped[str] = mapped_column(String(20), default="")

    delegator = relationship("User", foreign_keys=[delegator_id])
    holder = relationship("User", foreign_keys=[holder_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class RollCallBallot(db.Model):
    """A public ballot. Append-only: a change of vote adds a ballot with the next sequence.

    The newest ballot of each voter is the one counted (`is_current`); the database allows
    one current ballot per voter and poll, and one ballot per (voter, sequence).
    """

    __tablename__ = "roll_call_ballots"
    __table_args__ = (
        CheckConstraint(_in("choice", CHOICES), name="choice"),
        CheckConstraint(_in("method", METHODS), name="method"),
        UniqueConstraint("poll_id", "voter_id", "sequence", name="uq_roll_call_ballots_sequence"),
        Index(
            "uq_roll_call_ballots_current",
            "poll_id",
            "voter_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    choice: Mapped[str] = mapped_column(String(10))
    college: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(10))
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    voter = relationship("User", foreign_keys=[voter_id])
    cast_by = relationship("User", foreign_keys=[cast_by_id])

    def content(self) -> dict[str, Any]:
        """What the chain covers: all but the row id, the hashes and the derived `is_current`."""
        return {
            "poll_id": self.poll_id,
            "voter_id": self.voter_id,
            "sequence": self.sequence,
            "choice": self.choice,
            "college": self.college,
            "method": self.method,
            "cast_by_id": self.cast_by_id,
            "receipt_hash": self.receipt_hash,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
        }


class SecretBallot(db.Model):
    """A secret ballot: nothing here can lead back to the voter (see the module docstring)."""

    __tablename__ = "secret_ballots"
    __table_args__ = (
        CheckConstraint(_in("choice", CHOICES), name="choice"),
        # SQLite: no hidden rowid numbering the rows in the order they were inserted.
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4().hex
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    choice: Mapped[str] = mapped_column(String(10))
    college: Mapped[str] = mapped_column(String(20))
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)

    def content(self) -> dict[str, Any]:
        return {
            "poll_id": self.poll_id,
            "id": self.id,
            "choice": self.choice,
            "college": self.college,
            "receipt_hash": self.receipt_hash,
        }


class PollResult(db.Model):
    """What the close decided, with everything needed to check it later."""

    __tablename__ = "poll_results"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(10))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)  # tally.TallyResult.to_dict()
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)  # snapshot of Poll.rules
    rules_text_fr: Mapped[str] = mapped_column(Text)
    rules_text_en: Mapped[str] = mapped_column(Text)
    # [{"user_id", "name", "college"}] as they were when the poll opened.
    entitled: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    ballots: Mapped[int] = mapped_column(Integer)  # ballots counted
    seal: Mapped[str] = mapped_column(String(64))  # chain head over the counted ballots
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    poll = relationship("Poll", back_populates="result")

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])
