"""Sequential numbers per kind and year (R-2026-007, CSN/2026/001, …), never reused.

One counter row per (kind, year), incremented under a row lock in the caller's transaction:
two concurrent requests can never receive the same number, and a rolled-back transaction
gives its number back rather than leaving a gap.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


class Counter(db.Model):
    __tablename__ = "counters"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


def next_number(kind: str, year: int) -> int:
    counter = db.session.execute(
        select(Counter).where(Counter.kind == kind, Counter.year == year).with_for_update()
    ).scalar_one_or_none()
    if counter is None:
        counter = Counter(kind=kind, year=year, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    return counter.last
