"""Language selection and locale-aware formatting helpers."""

from __future__ import annotations

from flask import current_app, g, has_app_context, request, session
from flask_babel import (  # noqa: F401
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
)
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


def localised(key: str, factory):
    """factory(), computed once per request and locale: the catalogue, translated labels.

    Flask-Babel keeps the request's locale in `g`; when it changes (force_locale(), a
    refresh()), the value is computed again.
    """
    if not has_app_context():
        return factory()
    store = vars(g._get_current_object())
    locale = getattr(store.get("_flask_babel"), "babel_locale", None)
    cached = store.get(key)
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    value = factory()
    store[key] = (getattr(store.get("_flask_babel"), "babel_locale", None), value)
    return value


def translations():
    """This request's catalogue. Flask-Babel finds the domain, the locale and the catalogue
    through several context proxies at every call: about 15 µs, a few hundred times a page.
    """
    return localised("_consult_translations", get_translations)


def label(mapping: dict, key) -> str:
    """mapping[key], a lazily translated label (STATE_LABELS…), translated once per request
    and language."""
    translated = localised(f"_consult_labels_{id(mapping)}", dict)
    try:
        return translated[key]
    except KeyError:
        value = translated[key] = str(mapping[key])
        return value


def install_template_gettext(app) -> None:
    """Templates' _(), ngettext() and pgettext() through the per-request catalogue."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
