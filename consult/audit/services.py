"""audit.record(): called by every operation that changes state, inside its transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..extensions import db
from ..timeutil import utcnow
from .models import GENESIS, AuditEntry, AuditHead


def record(
    action: str,
    actor=None,
    target=None,
    data: dict[str, Any] | None = None,
    *,
    target_type: str | None = None,
    target_id: Any = None,
) -> AuditEntry:
    """Append an entry. `action` is an untranslated code such as ``account.invite``.

    Written with three plain statements (lock the head, insert the entry, move the head)
    rather than through the session's unit of work: every change of state passes here, a
    ballot included. Returns the entry as written, not attached to the session (never add it:
    it is already stored).
    """
    # Pending objects first: a target created in this transaction gets its id.
    db.session.flush()
    actor, target = _unproxy(actor), _unproxy(target)
    if target is not None:
        target_type = target_type or getattr(target, "audit_type", None)
        target_type = target_type or target.__class__.__tablename__
        target_id = target_id if target_id is not None else getattr(target, "id", None)
    connection = db.session.connection()
    # The row lock on the head serialises writers of the chain until the transaction ends
    # (SQLite transactions already hold the write lock from BEGIN IMMEDIATE).
    last_id, last_hash = connection.execute(_LOCK_HEAD).one()
    entry = AuditEntry(
        id=last_id + 1,
        created_at=utcnow(),
        actor_id=getattr(actor, "id", actor),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        data=data or {},
        ip_address=request.remote_addr if has_request_context() else None,
        prev_hash=last_hash,
    )
    entry.hash = entry.compute_hash()
    connection.execute(_INSERT_ENTRY, {key: getattr(entry, key) for key in _ENTRY_COLUMNS})
    connection.execute(_MOVE_HEAD, {"new_id": entry.id, "new_hash": entry.hash})
    # An AuditHead already in the session would now be out of date.
    head = db.session.identity_map.get(identity_key(AuditHead, 1))
    if head is not None:
        set_committed_value(head, "last_id", entry.id)
        set_committed_value(head, "last_hash", entry.hash)
    return entry


# Built once (building an SQL expression costs more than sending it).
_ENTRIES = AuditEntry.__table__
_HEAD = AuditHead.__table__
_ENTRY_COLUMNS = [column.key for column in _ENTRIES.c]
_LOCK_HEAD = select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == 1).with_for_update()
_INSERT_ENTRY = insert(_ENTRIES)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(last_id=bindparam("new_id"), last_hash=bindparam("new_hash"))
)


def _unproxy(value):
    """The object behind `current_user` (a proxy), or the value itself."""
    getter = getattr(value, "_get_current_object", None)
    return getter() if callable(getter) else value


@dataclass
class VerifyReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str | None = None


def verify_chain() -> VerifyReport:
    """Recompute every hash in order; report the first entry that was changed, removed or added."""
    prev = GENESIS
    expected_id = 1
    checked = 0
    rows = db.session.execute(
        select(AuditEntry)
        .options(lazyload(AuditEntry.actor))
        .order_by(AuditEntry.id)
        .execution_options(yield_per=500)
    ).scalars()
    for entry in rows:
        if entry.id != expected_id:
            return VerifyReport(False, checked, expected_id, "missing entry")
        if entry.prev_hash != prev:
            return VerifyReport(False, checked, entry.id, "broken link to previous entry")
        if entry.compute_hash() != entry.hash:
            return VerifyReport(False, checked, entry.id, "content does not match its hash")
        prev = entry.hash
        expected_id += 1
        checked += 1
    head = db.session.get(AuditHead, 1)
    if head is None or head.last_id != checked or head.last_hash != prev:
        return VerifyReport(False, checked, checked + 1, "entries missing at the end of the log")
    return VerifyReport(True, checked)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0
