"""The audit log is append-only and hash-chained; `flask consult verify-audit` finds tampering."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from consult import audit
from consult.audit.models import GENESIS, AuditEntry, AuditHead, entry_hash
from consult.audit.services import verify_chain
from consult.extensions import db


@pytest.fixture
def five_entries(app, member):
    for number in range(5):
        audit.record("test.event", actor=member, target=member, data={"n": number, "é": "ü"})
    db.session.commit()
    return member


def _verify(runner):
    return runner.invoke(args=["consult", "verify-audit"])


def test_entries_are_chained(five_entries):
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [entry.id for entry in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
    head = db.session.get(AuditHead, 1)
    assert (head.last_id, head.last_hash) == (5, entries[-1].hash)


def test_intact_log_exits_zero(runner, five_entries):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "5 entries checked" in result.output


def test_empty_log_is_intact(runner, app):
    result = _verify(runner)
    assert result.exit_code == 0
    assert "0 entries checked" in result.output


def _rehash_entry_3() -> dict:
    """Change entry 3 and recompute its own hash, as a careful forger would."""
    entry = db.session.get(AuditEntry, 3)
    return {"h": entry_hash(entry.prev_hash, entry.content() | {"data": {"n": 99}})}


TAMPERING = {
    "changed data": (
        "UPDATE audit_entries SET data = '{\"n\": 99}' WHERE id = 3",
        None,
        "entry 3: content does not match its hash",
    ),
    "changed actor": (
        "UPDATE audit_entries SET actor_id = NULL WHERE id = 2",
        None,
        "entry 2: content does not match its hash",
    ),
    # The next entry still points at the old hash.
    "changed and rehashed": (
        "UPDATE audit_entries SET data = '{\"n\": 99}', hash = :h WHERE id = 3",
        _rehash_entry_3,
        "entry 4: broken link to previous entry",
    ),
    "deleted middle entry": ("DELETE FROM audit_entries WHERE id = 3", None, "entry 3: missing"),
    "deleted first entry": ("DELETE FROM audit_entries WHERE id = 1", None, "entry 1: missing"),
    "deleted last entry": (
        "DELETE FROM audit_entries WHERE id = 5",
        None,
        "entry 5: entries missing at the end",
    ),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_tampering_is_found_and_named(runner, five_entries, tampering):
    statement, params, expected = TAMPERING[tampering]
    db.session.execute(text(statement), params() if params else {})
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"Audit log damaged at {expected}" in result.output


def test_the_application_refuses_to_change_or_delete_an_entry(five_entries):
    entry = db.session.get(AuditEntry, 2)
    entry.action = "test.rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    entry = db.session.get(AuditEntry, 2)
    db.session.delete(entry)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert verify_chain().ok


def test_a_rolled_back_change_leaves_no_entry(app, member):
    audit.record("test.event", actor=member)
    db.session.rollback()
    audit.record("test.event", actor=member)
    db.session.commit()
    assert [entry.id for entry in db.session.scalars(select(AuditEntry))] == [1]
    assert verify_chain().ok


def test_record_notes_the_target_and_the_request_address(app, member, client):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        entry = audit.record("test.event", actor=member, target=member, data={"k": "v"})
    db.session.commit()
    assert (entry.target_type, entry.target_id, entry.ip_address) == (
        "user",
        str(member.id),
        "192.0.2.7",
    )
