"""Jinja globals and filters: the council's settings, dates in the reader's locale, labels."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale

from .accounts.models import COLLEGE_LABELS, ROLE_LABELS
from .i18n import LANGUAGE_NAMES


def register(app: Flask) -> None:
    @app.context_processor
    def inject():
        from .accounts.forms import ConfirmForm

        return {
            "council_name": current_app.config["COUNCIL_NAME"],
            "council_acronym": current_app.config["COUNCIL_ACRONYM"],
            "languages": LANGUAGE_NAMES,
            "current_lang": str(get_locale()),
            "college_labels": COLLEGE_LABELS,
            "role_labels": ROLE_LABELS,
            # E-mails are also rendered outside a request (commands): no form, no path there.
            "language_form": ConfirmForm() if has_request_context() else None,
            "current_path": request.full_path.rstrip("?") if has_request_context() else "/",
        }

    @app.template_filter("date")
    def _date(value: date | datetime | None, fmt: str = "long") -> str:
        return format_date(value, fmt) if value else ""

    @app.template_filter("datetime")
    def _datetime(value: datetime | None, fmt: str = "medium") -> str:
        return format_datetime(value, fmt) if value else ""

    @app.template_filter("number")
    def _number(value) -> str:
        return format_decimal(value) if value is not None else ""

    @app.template_filter("percent")
    def _percent(value) -> str:
        return format_percent(value, "#,##0.#%") if value is not None else ""

    @app.template_filter("college")
    def _college(code: str | None) -> str:
        return str(COLLEGE_LABELS.get(code, "")) if code else ""

    @app.template_filter("iso")
    def _iso(value: datetime | None) -> str:
        return value.isoformat(timespec="seconds") + "Z" if value else ""
