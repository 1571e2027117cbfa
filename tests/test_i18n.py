"""The reader's language: the switcher (session, and the profile when logged in), then the
browser's Accept-Language, then French. Dates and numbers follow the chosen language."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import select

from consult.audit.models import AuditEntry
from consult.extensions import db

from .conftest import login_as
from .helpers import login_with_form, text


def lang_of(response) -> str:
    page = text(response)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_french_when_nothing_else_is_known(client):
    assert lang_of(client.get("/")) == "fr"


def test_browser_language_when_no_choice_was_made(client):
    assert lang_of(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en"
    assert lang_of(client.get("/", headers={"Accept-Language": "fr-ML,fr;q=0.9,en;q=0.5"})) == "fr"


def test_french_when_the_browser_asks_for_an_unsupported_language(client):
    assert lang_of(client.get("/", headers={"Accept-Language": "bm,de;q=0.8"})) == "fr"


def test_switcher_wins_over_the_browser(client):
    response = client.post(
        "/language", data={"lang": "en", "next": "/about"}, headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 302
    assert lang_of(client.get("/about", headers={"Accept-Language": "fr"})) == "en"
    client.post("/language", data={"lang": "fr"})
    assert lang_of(client.get("/", headers={"Accept-Language": "en"})) == "fr"


def test_unknown_language_is_refused(client):
    response = client.post("/language", data={"lang": "xx"})
    assert response.status_code == 400
    assert lang_of(client.get("/")) == "fr"


def test_profile_language_applies_on_any_device(client, member):
    member.locale = "en"
    db.session.commit()
    login_as(client, member)  # a fresh browser: no switcher choice in its session
    assert lang_of(client.get("/", headers={"Accept-Language": "fr"})) == "en"


def test_switcher_of_a_logged_in_reader_is_saved_in_the_profile(client, member):
    login_as(client, member)
    client.post("/language", data={"lang": "en"})
    db.session.refresh(member)
    assert member.locale == "en"
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "account.profile_updated")
    )
    assert entry.data == {"locale": ["fr", "en"]}

    other_device = client.application.test_client()
    login_as(other_device, member)
    assert lang_of(other_device.get("/")) == "en"


def test_session_choice_wins_over_the_profile(client, member):
    login_as(client, member)  # profile: French
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    assert lang_of(client.get("/")) == "en"


def test_choice_made_before_logging_in_is_kept_and_remembered(client, member):
    client.post("/language", data={"lang": "en"})
    login_with_form(client, member.email)
    assert lang_of(client.get("/account")) == "en"
    db.session.refresh(member)
    assert member.locale == "en"


@pytest.mark.parametrize(("locale", "expected"), [("fr", "9 mars 2018"), ("en", "March 9, 2018")])
def test_dates_follow_the_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert render_template_string("{{ d|date }}", d=date(2018, 3, 9)) == expected


def test_date_times_are_shown_in_bamako_time_and_french_format(app):
    with app.test_request_context(), force_locale("fr"):
        shown = render_template_string("{{ d|datetime }}", d=datetime(2018, 3, 9, 14, 5))
    assert shown.startswith("9 mars 2018")
    assert "14:05" in shown  # Bamako is on UTC all year


def test_numbers_follow_the_language(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert render_template_string("{{ n|number }}", n=12345) == "12\u202f345"
        with force_locale("en"):
            assert render_template_string("{{ n|number }}", n=12345) == "12,345"


def test_a_mail_in_another_language_inside_a_request_keeps_both_languages_apart(app):
    # Translations, labels and date formats are looked up once per request and language.
    page = "{{ _('Log in') }} | {{ d|date }} | {{ d|datetime('short') }} | {{ 'state'|college }}"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        before = render_template_string(page, d=datetime(2018, 3, 9, 14, 5))
        with force_locale("en"):
            mail = render_template_string(page, d=datetime(2018, 3, 9, 14, 5))
        after = render_template_string(page, d=datetime(2018, 3, 9, 14, 5))
    assert before == after
    assert before.split(" | ")[1:] == ["9 mars 2018", "09/03/2018 14:05", "État"]
    assert mail.split(" | ") == ["Log in", "March 9, 2018", "3/9/18, 2:05\u202fPM", "State"]


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("fmt", ["short", "medium", "long", "full"])
def test_date_filters_say_what_flask_babel_says(app, locale, fmt):
    from flask_babel import format_date, format_datetime

    moments = [datetime(2026, 1, 1, 0, 0), datetime(2026, 11, 29, 23, 59, 59), date(2018, 3, 9)]
    with app.test_request_context(), force_locale(locale):
        for moment in moments:
            assert render_template_string("{{ d|date(f) }}", d=moment, f=fmt) == format_date(
                moment, fmt
            )
            if isinstance(moment, datetime):
                shown = render_template_string("{{ d|datetime(f) }}", d=moment, f=fmt)
                assert shown == format_datetime(moment, fmt)


@pytest.mark.parametrize(
    ("language", "message"),
    [("fr", "N'est pas un choix valide."), ("en", "Not a valid choice.")],
)
def test_wtforms_own_messages_follow_the_readers_language(app, language, message):
    """WTForms' messages come from its catalogue, loaded once per language and process:
    a French request after an English one still reads French, and the other way round."""
    from wtforms import SelectField

    from consult.forms import Form, select_choices

    class Pick(Form):
        colour = SelectField(choices=select_choices([("red", "Red")]))

    for lang, expected in [(language, message), ("en" if language == "fr" else "fr", None)]:
        # A request of its own, as the server makes it (the fixture holds an app context).
        with (
            app.app_context(),
            app.test_request_context(
                "/", method="POST", data={"colour": "blue"}, headers={"Accept-Language": lang}
            ),
        ):
            form = Pick(meta={"csrf": False})
            assert not form.validate()
            if expected:
                assert form.colour.errors == [expected]
            else:
                assert form.colour.errors != [message]


def test_a_form_made_outside_a_request_uses_wtforms_own_english(app):
    """A command or a test may build a form with no reader: no language to look up."""
    from wtforms import SelectField

    from consult.forms import Form, select_choices

    class Pick(Form):
        colour = SelectField(choices=select_choices([("red", "Red")]))

    app.config["WTF_CSRF_ENABLED"] = False
    form = Pick(formdata=None, data={"colour": "blue"})
    assert not form.validate()
    assert form.colour.errors == ["Not a valid choice."]
