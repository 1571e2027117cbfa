"""audit.record(): called by every operation that changes state, inside its transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

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
    """Append an entry. `action` is an untranslated code such as ``account.invite``."""
    actor, target = _unproxy(actor), _unproxy(target)
    if target is not None:
        target_type = target_type or getattr(target, "audit_type", None)
        target_type = target_type or target.__class__.__tablename__
        target_id = target_id if target_id is not None else getattr(target, "id", None)
    db.session.flush()
    # The row lock on the head serialises writers of the chain until the transaction ends
    # (SQLite transactions already hold the write lock from BEGIN IMMEDIATE).
    head = db.session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    entry = AuditEntry(
        id=head.last_id + 1,
        created_at=utcnow(),
        actor_id=getattr(actor, "id", actor),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        data=data or {},
        ip_address=request.remote_addr if has_request_context() else None,
        prev_hash=head.last_hash,
    )
    entry.hash = entry.compute_hash()
    db.session.add(entry)
    head.last_id, head.last_hash = entry.id, entry.hash
    db.session.flush()
    return entry


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
