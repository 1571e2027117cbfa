"""Council-wide settings the secretariat changes at run time (key -> JSON), audited.

Configuration that a deployment fixes once lives in config.py; what the council decides
(default voting rules, how many proxies a member may hold, ...) lives here, one row per key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from . import audit
from .extensions import db
from .timeutil import utcnow


class CouncilSetting(db.Model):
    __tablename__ = "council_settings"
    audit_type = "setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def get_setting(key: str, default: Any = None) -> Any:
    row = db.session.get(CouncilSetting, key)
    return default if row is None else row.value


def set_setting(actor, key: str, value: Any) -> CouncilSetting:
    """Store a value and audit the change (old and new). Flushes, never commits."""
    row = db.session.get(CouncilSetting, key)
    old = None if row is None else row.value
    if row is None:
        row = CouncilSetting(key=key)
        db.session.add(row)
    row.value = value
    row.updated_at = utcnow()
    row.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        "setting.changed",
        actor=actor,
        target_type="setting",
        target_id=key,
        data={"key": key, "old": old, "new": value},
    )
    return row
