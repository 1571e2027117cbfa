"""Form pieces shared by every domain."""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, EqualTo, ValidationError


class Form(FlaskForm):
    """Every form of the application: a FlaskForm whose WTForms messages ("Not a valid
    choice"...) come from WTForms' catalogue loaded once per language and process; Flask-WTF
    reads and parses that file again at every request (half a millisecond)."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            if not has_request_context():  # as Flask-WTF: no reader, no language
                return None
            return _wtforms_catalogue(str(get_locale()))


@lru_cache(maxsize=8)
def _wtforms_catalogue(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class StrongPassword:
    """Long enough, not all one character class of the obvious kind, not the e-mail."""

    def __call__(self, form, field) -> None:
        value = field.data or ""
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if len(value) < minimum:
            raise ValidationError(
                _l("Your password must have at least %(n)s characters.", n=minimum)
            )
        if len(value) > 200:
            raise ValidationError(_l("Your password must have at most 200 characters."))
        if len(set(value)) < 4:
            raise ValidationError(_l("This password is too easy to guess."))
        email = getattr(getattr(form, "email", None), "data", None)
        if email and value.lower() in email.lower():
            raise ValidationError(_l("Your password must not contain your e-mail address."))


def new_password_fields():
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), StrongPassword()],
        description=_l("At least 10 characters. A short sentence is easy to remember."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def select_choices(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
