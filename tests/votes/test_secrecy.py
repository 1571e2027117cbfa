"""Secret ballots: who took part and what was chosen are stored apart, linked by nothing.

The schema is inspected (columns, keys, types), then the rows actually stored, then the
audit log, then what the database itself remembers of the insertion order.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import OperationalError

from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.votes import integrity, services
from consult.votes.models import SecretBallot

from .conftest import vote

FORBIDDEN = ("user", "voter", "member", "by", "time", "date", "_at", "created", "seq", "order")


def test_secret_ballot_table_has_no_column_that_leads_to_a_voter(app):
    inspector = inspect(db.engine)
    columns = {c["name"]: c for c in inspector.get_columns("secret_ballots")}
    assert set(columns) == {"id", "poll_id", "choice", "college", "receipt_hash"}
    for name in columns:
        assert not any(word in name for word in FORBIDDEN), name
    # No sequential number: the key is a random string, not an integer counter.
    assert inspector.get_pk_constraint("secret_ballots")["constrained_columns"] == ["id"]
    assert "CHAR" in str(columns["id"]["type"]).upper()
    # The only reference is to the poll.
    targets = {fk["referred_table"] for fk in inspector.get_foreign_keys("secret_ballots")}
    assert targets == {"polls"}


def test_participation_table_has_no_choice_and_a_coarse_date(app):
    inspector = inspect(db.engine)
    columns = {c["name"]: c for c in inspector.get_columns("participations")}
    assert set(columns) == {"poll_id", "voter_id", "cast_by_id", "method", "voted_on"}
    assert str(columns["voted_on"]["type"]).upper() == "DATE"
    targets = {fk["referred_table"] for fk in inspector.get_foreign_keys("participations")}
    assert targets == {"polls", "users"}
    # One participation per voter and poll: the primary key itself.
    assert set(inspector.get_pk_constraint("participations")["constrained_columns"]) == {
        "poll_id",
        "voter_id",
    }


@pytest.fixture
def cast_in_order(council, secret_poll):
    people = [m for ms in council.values() for m in ms][:6]
    choices = ["for", "against", "abstain", "for", "against", "for"]
    codes = [
        vote(secret_poll, person, choice) for person, choice in zip(people, choices, strict=True)
    ]
    return people, choices, codes


def test_stored_rows_hold_nothing_about_voters_or_time(secret_poll, cast_in_order, app):
    people, choices, codes = cast_in_order
    rows = db.session.execute(text("SELECT * FROM secret_ballots")).mappings().all()
    assert len(rows) == 6
    identities = set()
    for person in people:
        identities |= {str(person.id), person.email, person.display_name}
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{32}", row["id"])
        assert row["receipt_hash"] in {integrity.receipt_fingerprint(c) for c in codes}
        for name, value in row.items():
            if name == "poll_id":
                continue
            assert str(value) not in identities, (name, value)
            assert not re.search(r"\d{4}-\d{2}-\d{2}", str(value)), (name, value)
    assert sorted(r["choice"] for r in rows) == sorted(choices)
    participations = db.session.execute(text("SELECT * FROM participations")).mappings().all()
    assert {p["voter_id"] for p in participations} == {p.id for p in people}
    for participation in participations:
        assert len(str(participation["voted_on"])) == 10  # a date, no time of day
        assert set(participation) == {"poll_id", "voter_id", "cast_by_id", "method", "voted_on"}


def test_audit_log_never_links_voter_and_choice(secret_poll, cast_in_order):
    people, _choices, codes = cast_in_order
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("poll.%"))).all()
    participation = [e for e in entries if e.action == "poll.participation"]
    assert [e.actor_id for e in participation] == [p.id for p in people]
    ballot_ids = set(db.session.scalars(text("SELECT id FROM secret_ballots")))
    hashes = {integrity.receipt_fingerprint(c) for c in codes}
    for entry in entries:
        data = str(entry.data)
        assert not any(choice in data for choice in ("'for'", "'against'", "'abstain'"))
        assert not any(value in data for value in ballot_ids | hashes | set(codes))


def test_storage_order_does_not_remember_the_casting_order(secret_poll, cast_in_order, secretariat):
    people, choices, codes = cast_in_order
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        # WITHOUT ROWID: no hidden counter numbering the rows as they were inserted...
        with pytest.raises(OperationalError):
            db.session.execute(text("SELECT rowid FROM secret_ballots"))
        db.session.rollback()
        # ...and a plain scan returns them in key order (random), not in casting order.
        ids = [row.id for row in db.session.execute(text("SELECT id, choice FROM secret_ballots"))]
        assert ids == sorted(ids)
    services.close_poll(secretariat, secret_poll)
    db.session.commit()
    if dialect == "postgresql":
        # Rewritten at the close: one writing transaction for all, in fingerprint order.
        rows = db.session.execute(
            text("SELECT xmin::text AS xmin, receipt_hash FROM secret_ballots ORDER BY ctid")
        ).all()
        assert len({row.xmin for row in rows}) == 1
        assert [row.receipt_hash for row in rows] == sorted(row.receipt_hash for row in rows)
        participation_xmins = set(db.session.scalars(text("SELECT xmin::text FROM participations")))
        assert not participation_xmins & {rows[0].xmin}
    # Still counted and checkable after the rewrite.
    assert services.check_receipt(secret_poll, codes[1]).choice == choices[1]
    assert integrity.verify(secret_poll).ok


def test_secret_ballot_is_sealed_in_canonical_order(secret_poll, cast_in_order, secretariat):
    result = services.close_poll(secretariat, secret_poll)
    db.session.commit()
    ballots = db.session.scalars(select(SecretBallot)).all()
    assert result.seal == integrity.seal(secret_poll.id, list(reversed(ballots)))
    closing = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "poll.closed")).one()
    assert closing.data["seal"] == result.seal
