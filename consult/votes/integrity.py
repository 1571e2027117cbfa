"""Receipts, the ballots' hash chains, and the check that recomputes a poll from its ballots.

Chains (documented in the README, section Votes):

- Roll-call polls chain their ballots in cast order, like the audit log: each ballot stores
  the hash of the previous one, the poll stores the newest (``chain_head``). Order is public
  there anyway (ballots carry their time).
- Secret polls cannot chain in cast order: the chain itself would remember the order, and
  with the participation log the order links ballots to voters. Their chain is built once,
  at the close, over the ballots sorted by receipt fingerprint (a canonical order that says
  nothing about who or when), and its head is stored as the result's ``seal`` and in the
  audit entry of the close, itself hash-chained.

A chain starts from a genesis hash bound to the poll, so ballots cannot be moved between polls.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from ..extensions import db

RECEIPT_GROUPS = 4
RECEIPT_GROUP_LENGTH = 4
_RECEIPT_CHARS = re.compile(r"[^A-Z2-7]")
FINGERPRINT_SHOWN = 16  # hex characters of the fingerprint in the public ballot list


def new_receipt() -> str:
    """A random receipt code: 16 base32 characters (80 bits) as 4 groups, e.g. ABCD-EFGH-…"""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + RECEIPT_GROUP_LENGTH] for i in range(0, len(raw), 4))


def normalise_receipt(code: str) -> str:
    """What the voter typed, without spaces, dashes or case; common look-alikes mapped."""
    upper = (code or "").upper().replace("0", "O").replace("1", "I").replace("8", "B")
    return _RECEIPT_CHARS.sub("", upper)


def receipt_fingerprint(code: str) -> str:
    """SHA-256 of the normalised code: the only trace of a receipt that is stored."""
    return hashlib.sha256(normalise_receipt(code).encode()).hexdigest()


def is_receipt_shaped(code: str) -> bool:
    return len(normalise_receipt(code)) == RECEIPT_GROUPS * RECEIPT_GROUP_LENGTH


def genesis(poll_id: int) -> str:
    return hashlib.sha256(f"consult-poll:{poll_id}".encode()).hexdigest()


def link_hash(prev_hash: str, content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def seal(poll_id: int, ballots: Iterable) -> str:
    """Head of the chain of secret ballots in canonical order (sorted by fingerprint)."""
    head = genesis(poll_id)
    for ballot in sorted(ballots, key=lambda b: (b.receipt_hash, b.id)):
        head = link_hash(head, ballot.content())
    return head


# --------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------


@dataclass
class Report:
    poll_id: int
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(poll) -> Report:
    """Recompute the chain and the tally of `poll` from its stored ballots (English report)."""
    from ..audit.models import AuditEntry
    from . import services
    from .models import Participation, PollVoter, RollCallBallot, SecretBallot

    report = Report(poll.id)
    problems = report.problems
    voters = dict(
        db.session.execute(
            select(PollVoter.user_id, PollVoter.college).where(PollVoter.poll_id == poll.id)
        ).all()
    )
    participants = set(
        db.session.scalars(select(Participation.voter_id).where(Participation.poll_id == poll.id))
    )
    for voter_id in sorted(participants - set(voters)):
        problems.append(f"participation of user {voter_id}, who is not entitled")

    if poll.mode == "roll_call":
        ballots = db.session.scalars(
            select(RollCallBallot)
            .where(RollCallBallot.poll_id == poll.id)
            .order_by(RollCallBallot.id)
        ).all()
        head = genesis(poll.id)
        latest: dict[int, RollCallBallot] = {}
        for ballot in ballots:
            report.checked += 1
            if ballot.prev_hash != head:
                problems.append(f"ballot {ballot.id}: broken link to the previous ballot")
            if link_hash(ballot.prev_hash, ballot.content()) != ballot.hash:
                problems.append(f"ballot {ballot.id}: content does not match its hash")
            head = ballot.hash
            if voters.get(ballot.voter_id) != ballot.college:
                problems.append(f"ballot {ballot.id}: voter not entitled, or college differs")
            previous = latest.get(ballot.voter_id)
            expected_sequence = previous.sequence + 1 if previous else 1
            if ballot.sequence != expected_sequence:
                problems.append(
                    f"ballot {ballot.id}: sequence {ballot.sequence}, expected {expected_sequence}"
                )
            latest[ballot.voter_id] = ballot
        if head != (poll.chain_head or genesis(poll.id)):
            problems.append(
                "the newest ballot is not the one the poll recorded (ballots "
                "missing or added at the end)"
            )
        current = {b.id for b in latest.values()}
        for ballot in ballots:
            if ballot.is_current != (ballot.id in current):
                problems.append(f"ballot {ballot.id}: wrongly marked as counted or superseded")
        if set(latest) != participants:
            problems.append(
                f"{len(latest)} voters have ballots but {len(participants)} "
                "participations are recorded"
            )
        chain_head = head
    else:
        ballots = db.session.scalars(
            select(SecretBallot).where(SecretBallot.poll_id == poll.id)
        ).all()
        report.checked = len(ballots)
        by_college: dict[str, int] = {}
        for ballot in ballots:
            by_college[ballot.college] = by_college.get(ballot.college, 0) + 1
        expected: dict[str, int] = {}
        for voter_id in participants:
            college = voters.get(voter_id)
            if college is not None:
                expected[college] = expected.get(college, 0) + 1
        if by_college != expected:
            problems.append(
                f"ballots per college {_counts(by_college)} differ from participations per "
                f"college {_counts(expected)}"
            )
        chain_head = seal(poll.id, ballots)

    result = poll.result
    if poll.state == "closed":
        if result is None:
            problems.append("the poll is closed but has no stored result")
            return report
        if result.seal != chain_head:
            problems.append("the ballots no longer match the seal stored at the close")
        closing = db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.action == "poll.closed",
                AuditEntry.target_type == "poll",
                AuditEntry.target_id == str(poll.id),
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).first()
        if closing is None or closing.data.get("seal") != result.seal:
            problems.append("the seal stored with the result differs from the audit log's")
        if result.rules != poll.rules:
            problems.append("the rules stored with the result differ from the poll's rules")
        try:
            recomputed = services.compute(poll).to_dict()
        except ValueError as error:
            problems.append(f"the stored ballots cannot be counted: {error}")
        else:
            if recomputed != result.result or recomputed["outcome"] != result.outcome:
                problems.append(
                    f"recounting gives {_summary(recomputed)}, the stored result says "
                    f"{_summary(result.result)}"
                )
        if result.ballots != _counted(poll):
            problems.append(f"{_counted(poll)} ballots counted now, {result.ballots} at the close")
    return report


def _counted(poll) -> int:
    from .models import RollCallBallot, SecretBallot

    if poll.mode == "roll_call":
        query = select(func.count()).where(
            RollCallBallot.poll_id == poll.id, RollCallBallot.is_current.is_(True)
        )
    else:
        query = select(func.count()).where(SecretBallot.poll_id == poll.id)
    return db.session.scalar(query) or 0


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "none"


def _summary(result: dict[str, Any]) -> str:
    overall = result.get("overall", {})
    return (
        f"{result.get('outcome')} ({overall.get('for')} for, {overall.get('against')} against, "
        f"{overall.get('abstain')} abstaining)"
    )
