"""The account page: name, language, password, second factor."""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.services import check_password
from consult.audit.models import AuditEntry
from consult.extensions import db

from ..conftest import login_as
from ..factories import PASSWORD
from ..helpers import html_t, login_with_form, text

NEW_PASSWORD = "another long passphrase"


def _change_password(client, current: str):
    return client.post(
        "/account",
        data={
            "password-current": current,
            "password-password": NEW_PASSWORD,
            "password-confirm": NEW_PASSWORD,
            "password-submit": "1",
        },
    )


def test_account_page_shows_who_i_am(client, member):
    login_as(client, member)
    page = text(client.get("/account"))
    assert member.email in page
    assert member.organisation in page
    assert html_t("Civil society") in page
    assert html_t("Set up a second factor") in page


def test_profile_name_and_language(client, member):
    login_as(client, member)
    response = client.post(
        "/account",
        data={"profile-display_name": "Hawa Ballo", "profile-locale": "en", "profile-submit": "1"},
    )
    assert response.status_code == 302
    db.session.refresh(member)
    assert (member.display_name, member.locale) == ("Hawa Ballo", "en")
    page = text(client.get("/account"))
    assert 'lang="en"' in page
    assert "My account" in page
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "account.profile_updated")
    )
    assert entry.data["locale"] == ["fr", "en"]


def test_profile_errors_are_explained(client, member):
    login_as(client, member)
    response = client.post(
        "/account",
        data={"profile-display_name": "x" * 121, "profile-locale": "xx", "profile-submit": "1"},
    )
    assert response.status_code == 200
    page = text(response)
    assert html_t("Please correct the following:") in page
    # WTForms' own messages, in the reader's language (French here).
    assert "120" in page
    assert 'id="profile-display_name-error"' in page
    assert 'id="profile-locale-error"' in page
    assert 'value="' + "x" * 121 + '"' in page


def test_change_password_keeps_this_session_and_ends_the_others(client, member):
    login_with_form(client, member.email)
    other = client.application.test_client()
    login_as(other, member)
    assert other.get("/account").status_code == 200

    response = _change_password(client, PASSWORD)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    db.session.refresh(member)
    assert check_password(member, NEW_PASSWORD)
    assert "account.password_changed" in db.session.scalars(select(AuditEntry.action)).all()


def test_change_password_needs_the_current_one(client, member):
    login_as(client, member)
    response = _change_password(client, "not my password")
    assert response.status_code == 200
    assert html_t("Your current password is not correct.") in text(response)
    db.session.refresh(member)
    assert check_password(member, PASSWORD)


def test_change_password_with_remember_me_keeps_the_cookie_valid(client, member):
    login_with_form(client, member.email, remember=True)
    response = _change_password(client, PASSWORD)
    assert any("remember_token=" in c for c in response.headers.getlist("Set-Cookie"))
    client.delete_cookie("session")
    assert client.get("/account").status_code == 200
