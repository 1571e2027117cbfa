"""Time: stored as naive UTC everywhere; shown in Africa/Bamako by Flask-Babel."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BAMAKO = ZoneInfo("Africa/Bamako")


def utcnow() -> datetime:
    """Now, as naive UTC (the form every DateTime column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc(local: datetime) -> datetime:
    """A naive Bamako wall-clock time (as typed in a form) to naive UTC."""
    return local.replace(tzinfo=BAMAKO).astimezone(UTC).replace(tzinfo=None)
