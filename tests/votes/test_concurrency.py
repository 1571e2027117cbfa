"""Fifty members' browsers at once, some submitting twice: no ballot lost, none counted twice.

Each thread has its own application context, hence its own session and connection, against
the same database (SQLite takes its write lock at BEGIN IMMEDIATE and waits up to its busy
timeout; PostgreSQL takes row locks). The database constraints have the last word.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.audit.models import AuditEntry
from consult.audit.services import verify_chain
from consult.extensions import db
from consult.timeutil import utcnow
from consult.votes import integrity, services
from consult.votes.models import Participation, Poll, RollCallBallot, SecretBallot
from consult.votes.services import VoteError
from tests import factories

from .conftest import make_poll

VOTERS = 25  # each submits twice: 50 threads
CHOICES = ("for", "against", "abstain")


def run_threads(app, jobs):
    """Run each job (a function of nothing) in its own thread with its own app context."""
    # End this thread's transaction: on SQLite even a read holds the write lock (BEGIN IMMEDIATE).
    db.session.commit()
    barrier = threading.Barrier(len(jobs))
    outcomes, errors = [], []

    def worker(job):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                outcomes.append(job())
            except Exception as error:  # noqa: BLE001 - reported by the test below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    assert not errors, errors
    return outcomes


def cast_job(poll_id: int, voter_id: int, choice: str):
    def job():
        poll = db.session.get(Poll, poll_id)
        voter = db.session.get(User, voter_id)
        try:
            code = services.cast(voter, poll, voter, choice)
            db.session.commit()
        except (VoteError, IntegrityError):
            db.session.rollback()
            return ("refused", voter_id, choice, None)
        return ("cast", voter_id, choice, code)

    return job


@pytest.fixture
def crowd(app, secretariat, recommendation):
    members = [factories.MemberFactory() for _ in range(VOTERS)]
    return members


@pytest.mark.parametrize("mode", ["secret", "roll_call"])
def test_fifty_threads_cast_at_once(app, crowd, secretariat, recommendation, mode):
    poll = make_poll(secretariat, recommendation, mode=mode)
    jobs = []
    for i, member in enumerate(crowd):
        jobs.append(cast_job(poll.id, member.id, CHOICES[i % 3]))
        jobs.append(cast_job(poll.id, member.id, CHOICES[(i + 1) % 3]))  # a second click
    outcomes = run_threads(app, jobs)
    assert len(outcomes) == 2 * VOTERS
    cast = [o for o in outcomes if o[0] == "cast"]
    db.session.expire_all()

    participations = db.session.scalar(select(func.count()).where(Participation.poll_id == poll.id))
    assert participations == VOTERS
    entitled, counts = services.counts(poll)
    counted = sum(c.cast for c in counts.values())
    assert counted == VOTERS  # none lost, none counted twice

    if mode == "secret":
        assert len(cast) == VOTERS  # exactly one of each voter's two submissions went in
        assert Counter(o[1] for o in cast) == Counter({m.id: 1 for m in crowd})
        stored = Counter(db.session.scalars(select(SecretBallot.choice)))
        assert stored == Counter(o[2] for o in cast)
        for _status, _voter, choice, code in cast:
            assert services.check_receipt(poll, code).choice == choice
    else:
        assert len(cast) == 2 * VOTERS  # a second roll-call ballot supersedes the first
        ballots = db.session.scalars(
            select(RollCallBallot).where(RollCallBallot.poll_id == poll.id)
        ).all()
        assert len(ballots) == 2 * VOTERS
        current = [b for b in ballots if b.is_current]
        assert sorted(b.voter_id for b in current) == sorted(m.id for m in crowd)
        assert all(b.sequence == 2 for b in current)
        assert Counter(b.choice for b in current) == Counter(
            {choice: n for choice, n in _per_choice(counts).items() if n}
        )
    report = integrity.verify(poll)
    assert report.ok, report.problems
    services.close_poll(secretariat, poll)
    db.session.commit()
    assert integrity.verify(poll).ok
    assert poll.result.ballots == VOTERS
    assert verify_chain().ok


def _per_choice(counts):
    total = Counter()
    for c in counts.values():
        total.update({"for": c.for_, "against": c.against, "abstain": c.abstain})
    return total


def test_a_due_poll_is_closed_once_by_simultaneous_readers(app, crowd, secretariat, recommendation):
    poll = make_poll(
        secretariat, recommendation, mode="secret", closes_at=utcnow() + timedelta(hours=1)
    )
    poll.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    poll_id = poll.id

    def reader():
        changed = services.refresh(db.session.get(Poll, poll_id))
        db.session.commit()
        return changed

    outcomes = run_threads(app, [reader for _ in range(10)])
    assert outcomes.count(True) == 1
    closings = db.session.scalar(select(func.count()).where(AuditEntry.action == "poll.closed"))
    assert closings == 1
