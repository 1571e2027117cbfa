"""Logging in and out: the real form, remember me, session protection, throttling, `next`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult import create_app
from consult.audit.models import AuditEntry
from consult.extensions import db, limiter

from .. import factories
from ..helpers import html_t, login_with_form, text


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_login_with_the_form_then_logout(client, member):
    response = login_with_form(client, member.email.upper())  # the address ignores case
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200
    assert "account.login" in _actions()

    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part_is_wrong(client, member):
    wrong_password = login_with_form(client, member.email, "not the password at all")
    unknown_address = login_with_form(client, "nobody@example.org", "not the password at all")
    message = html_t("The e-mail address or the password is not correct.")
    for response in (wrong_password, unknown_address):
        assert response.status_code == 200
        assert message in text(response)
    assert client.get("/account").status_code == 302
    failed = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "account.login_failed")
    ).all()
    assert len(failed) == 2
    assert all("@" not in str(entry.data) for entry in failed)  # no address in the log


def test_remember_me_cookie_only_when_asked(client, member):
    response = login_with_form(client, member.email)
    assert not any("remember_token=" in c for c in response.headers.getlist("Set-Cookie"))
    client.post("/logout")

    response = login_with_form(client, member.email, remember=True)
    cookies = [c for c in response.headers.getlist("Set-Cookie") if "remember_token=" in c]
    assert len(cookies) == 1
    assert "HttpOnly" in cookies[0]


def test_remember_me_cookie_logs_back_in_after_the_session_ends(client, member):
    login_with_form(client, member.email, remember=True)
    client.delete_cookie("session")
    assert client.get("/account").status_code == 200


def test_session_from_another_browser_is_not_accepted(client, member):
    """Session protection "strong": a stolen session cookie does not work elsewhere."""
    login_with_form(client, member.email)
    assert client.get("/account").status_code == 200
    stolen = client.get("/account", headers={"User-Agent": "Another browser/1.0"})
    assert stolen.status_code == 302
    assert "/login" in stolen.headers["Location"]


def test_session_survives_a_change_of_network_address(client, member):
    """Mobile data changes a reader's address often: that alone does not log them out."""
    login_with_form(client, member.email)
    moved = client.get("/account", environ_base={"REMOTE_ADDR": "198.51.100.23"})
    assert moved.status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(client, member, target):
    response = login_with_form(client, member.email, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_within_the_site_is_followed(client, member):
    response = login_with_form(client, member.email, next="/account?tab=1")
    assert response.headers["Location"] == "/account?tab=1"


def test_login_page_keeps_next_through_the_login_required_redirect(client):
    response = client.get("/account")
    assert response.headers["Location"] == "/login?next=/account"


def test_language_switch_next_never_leaves_the_site(client):
    response = client.post("/language", data={"lang": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"
    response = client.post("/language", data={"lang": "en", "next": "/about"})
    assert response.headers["Location"] == "/about"


def test_deactivated_account_is_told_only_with_the_right_password(client, member):
    member.active = False
    db.session.commit()
    response = login_with_form(client, member.email, "not the password at all")
    assert html_t("The e-mail address or the password is not correct.") in text(response)
    response = login_with_form(client, member.email)
    assert response.status_code == 200
    assert html_t("This account has been deactivated. Please contact the secretariat.") in text(
        response
    )
    assert client.get("/account").status_code == 302


def test_invited_member_without_a_password_cannot_log_in(client):
    invited = factories.MemberFactory(password_hash=None)
    response = login_with_form(client, invited.email, "")
    assert response.status_code == 200
    assert client.get("/account").status_code == 302


class TestThrottling:
    """LOGIN_RATE_LIMIT is 5 per minute by default; only failed attempts count."""

    def test_repeated_failures_get_the_429_page_in_the_readers_language(self, client, member):
        for _ in range(5):
            response = login_with_form(client, member.email, "wrong password!")
            assert response.status_code == 200
        response = login_with_form(client, member.email, "wrong password!")
        assert response.status_code == 429
        page = text(response)
        assert html_t("Too many attempts", "fr") in page
        assert (
            html_t(
                "Too many attempts in a short time. Please wait a few minutes before trying again.",
                "fr",
            )
            in page
        )
        # Even the right password waits: that is what stops guessing.
        assert login_with_form(client, member.email).status_code == 429

        english = login_with_form(
            client, member.email, "wrong password!", headers={"Accept-Language": "en"}
        )
        assert english.status_code == 429
        assert "Too many attempts in a short time" in text(english)
        assert 'lang="en"' in text(english)

    def test_successful_logins_do_not_count(self, client, member):
        for _ in range(4):
            assert login_with_form(client, member.email, "wrong password!").status_code == 200
        for _ in range(3):
            assert login_with_form(client, member.email).status_code == 302
            client.post("/logout")
        # Still one failure left before the limit.
        assert login_with_form(client, member.email, "wrong password!").status_code == 200
        assert login_with_form(client, member.email, "wrong password!").status_code == 429


def test_throttling_counts_in_memory_by_default_and_in_redis_when_configured():
    """No server is contacted here: the storage is chosen from RATELIMIT_STORAGE_URI."""
    create_app("test")
    assert type(limiter.storage).__name__ == "MemoryStorage"
    try:
        create_app("test", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6399/0")
        assert type(limiter.storage).__name__ == "RedisStorage"
    finally:
        create_app("test")  # the shared limiter back in memory for the next tests
