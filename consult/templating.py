"""Jinja globals and filters: the council's settings, dates in the reader's locale, labels."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel import dates
from flask import Flask, current_app, has_request_context, request
from flask_babel import format_decimal, format_percent, get_locale, get_timezone

from .accounts.models import COLLEGE_LABELS, ROLE_LABELS
from .i18n import LANGUAGE_NAMES, install_template_gettext, label, localised


def register(app: Flask) -> None:
    install_template_gettext(app)

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

    # What flask_babel.format_date() and format_datetime() do (in the council's time zone,
    # in the reader's language), with the locale and zone looked up once per request: lists
    # show dozens of dates.
    @app.template_filter("date")
    def _date(value: date | datetime | None, fmt: str = "long") -> str:
        if not value:
            return ""
        locale, zone = _locale_and_zone()
        if isinstance(value, datetime):
            value = _as_utc(value).astimezone(zone)
        return dates.format_date(value, fmt, locale=locale)

    @app.template_filter("datetime")
    def _datetime(value: datetime | None, fmt: str = "medium") -> str:
        if not value:
            return ""
        # A page often shows the same moment twice (a comment and its timeline step).
        seen = localised("_consult_datetime_seen", dict)
        key = (value, fmt)
        if key not in seen:
            seen[key] = _format_datetime(value, fmt)
        return seen[key]

    def _format_datetime(value: datetime, fmt: str) -> str:
        locale, zone = _locale_and_zone()
        if fmt not in _DATETIME_PATTERNS:
            return dates.format_datetime(_as_utc(value), fmt, tzinfo=zone, locale=locale)
        # babel.dates.format_datetime() for these formats, without finding the patterns
        # again at each call (a page shows a date and time per comment and timeline step).
        local = _as_utc(value).astimezone(zone)
        joiner, date_pattern, time_pattern = localised(
            f"_consult_datetime_{fmt}",
            lambda: (
                str(locale.datetime_formats[fmt]).replace("'", ""),
                locale.date_formats[fmt],
                locale.time_formats[fmt],
            ),
        )
        return joiner.replace("{0}", time_pattern.apply(local, locale)).replace(
            "{1}", date_pattern.apply(local, locale)
        )

    @app.template_filter("number")
    def _number(value) -> str:
        return format_decimal(value) if value is not None else ""

    @app.template_filter("percent")
    def _percent(value) -> str:
        return format_percent(value, "#,##0.#%") if value is not None else ""

    @app.template_filter("college")
    def _college(code: str | None) -> str:
        return label(COLLEGE_LABELS, code) if code in COLLEGE_LABELS else ""

    @app.template_filter("iso")
    def _iso(value: datetime | None) -> str:
        return value.isoformat(timespec="seconds") + "Z" if value else ""


# Named formats whose time part has no time-zone field (those go through babel as they are).
_DATETIME_PATTERNS = ("short", "medium")


def _locale_and_zone():
    return localised("_consult_locale_and_zone", lambda: (get_locale(), get_timezone()))


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
