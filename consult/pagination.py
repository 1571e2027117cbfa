"""Pagination of a select() with a page number from the query string."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from sqlalchemy import Select, func, select

from .extensions import db


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1


def paginate(query: Select, per_page: int | None = None, scalars: bool = True) -> Page:
    per_page = per_page or current_app.config["PAGE_SIZE"]
    number = page_number()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    result = db.session.execute(query.limit(per_page).offset((number - 1) * per_page))
    items = list(result.scalars().unique() if scalars else result.all())
    return Page(items, number, per_page, total or 0)
