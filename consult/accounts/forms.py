from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms import Form, new_password_fields, select_choices
from .models import COLLEGE_LABELS

LANGUAGE_CHOICES = select_choices([("fr", "Français"), ("en", "English")])


def email_field(label=None):
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(),
            Length(max=254),
            Email(message=_l("Enter a valid e-mail address, such as name@example.org.")),
        ],
        render_kw={"autocomplete": "email"},
    )


def name_field():
    return StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )


def college_choices():
    return select_choices(COLLEGE_LABELS.items())


class LoginForm(Form):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))


class SecondFactorForm(Form):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("The 6-digit code from your authenticator app, or a recovery code."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "text"},
    )


class RegisterForm(Form):
    display_name = name_field()
    email = email_field()
    password, confirm = new_password_fields()
    accept = BooleanField(
        _l("I have read the moderation rules and the privacy notice"),
        validators=[DataRequired(message=_l("Please confirm you have read the rules."))],
    )


class SetPasswordForm(Form):
    password, confirm = new_password_fields()


class ForgotPasswordForm(Form):
    email = email_field()


class ProfileForm(Form):
    display_name = name_field()
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class ChangePasswordForm(Form):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields()


class EnableTotpForm(Form):
    code = StringField(
        _l("Code shown by your app"),
        validators=[DataRequired(), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ConfirmForm(Form):
    """A button and its CSRF token: for actions that take no input."""


class InviteForm(Form):
    display_name = name_field()
    email = email_field()
    role = SelectField(
        _l("Role"),
        choices=select_choices(
            [("member", _l("Council member")), ("secretariat", _l("Secretariat"))]
        ),
    )
    college = SelectField(_l("College"), choices=[*select_choices([("", "—")]), *college_choices()])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    locale = SelectField(_l("Language of the invitation"), choices=LANGUAGE_CHOICES)


class EditMemberForm(Form):
    display_name = name_field()
    college = SelectField(
        _l("College"),
        choices=college_choices(),
        description=_l(
            "A change of college never changes past votes: "
            "each ballot keeps the college of its time."
        ),
    )
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
