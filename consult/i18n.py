"""Language selection and locale-aware formatting helpers."""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale  # noqa: F401
from flask_login import current_user


def supported() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """Switcher (session) first, then the profile, then Accept-Language, then French."""
    chosen = session.get("lang")
    if chosen in supported():
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.locale in supported():
            return current_user.locale
    return (
        request.accept_languages.best_match(supported())
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
