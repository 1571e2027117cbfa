from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, DateTime, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

GENESIS = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    actor = relationship("User", lazy="joined")

    def content(self) -> dict[str, Any]:
        """What the hash covers: every column but the hashes themselves."""
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "data": self.data or {},
            "ip_address": self.ip_address,
        }

    def compute_hash(self) -> str:
        return entry_hash(self.prev_hash, self.content())


class AuditHead(db.Model):
    """One row naming the newest entry: locked by each writer, and catches a deleted tail."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


def entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _refuse_change(_mapper, _connection, target: AuditEntry) -> None:
    raise RuntimeError(f"Audit entry {target.id} is append-only: it cannot be changed or deleted.")


# Append-only from the application's side; `flask consult verify-audit` catches the rest.
event.listen(AuditEntry, "before_update", _refuse_change)
event.listen(AuditEntry, "before_delete", _refuse_change)

# Databases made by create_all() (tests) get the head row as migrations insert it.
event.listen(
    AuditHead.__table__,
    "after_create",
    DDL(f"INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '{GENESIS}')"),  # noqa: S608
)
