"""Second factor: TOTP with a QR code and single-use recovery codes; the secretariat must use it."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from consult.accounts import services
from consult.audit.models import AuditEntry
from consult.extensions import db

from .. import factories
from ..conftest import login_as
from ..helpers import html_t, login_with_form, logout, text, totp_code

WRONG_CODE = "This code is not valid. Try the next code shown by your app."


def _secret_in_setup_page(client) -> str:
    page = text(client.get("/account/second-factor"))
    assert "<svg" in page  # the QR code, drawn inline (no external image, no script)
    return re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)


def _enable(client) -> tuple[str, list[str]]:
    secret = _secret_in_setup_page(client)
    response = client.post("/account/second-factor", data={"code": totp_code(secret)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", text(response))
    return secret, codes


def _password_then_code(client, email: str, code: str):
    """Log out, pass the password step, send `code`."""
    logout(client)
    login_with_form(client, email)
    return client.post("/login/code", data={"code": code})


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_member_turns_the_second_factor_on_and_logs_in_with_it(client, member):
    login_as(client, member)
    secret, codes = _enable(client)
    assert len(codes) == 10
    db.session.refresh(member)
    assert member.totp_enabled
    assert "account.totp_enabled" in _actions()

    logout(client)
    response = login_with_form(client, member.email, next="/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/code")
    assert client.get("/account").status_code == 302  # not logged in yet

    wrong = client.post("/login/code?next=/account", data={"code": "12345"})
    assert wrong.status_code == 200
    assert html_t(WRONG_CODE) in text(wrong)

    # The setup used this step's code: the next one is accepted.
    response = client.post("/login/code?next=/account", data={"code": totp_code(secret, 1)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200


def test_a_totp_code_works_only_once(client, member):
    login_as(client, member)
    secret, _codes = _enable(client)
    code = totp_code(secret, 1)
    assert _password_then_code(client, member.email, code).status_code == 302
    replayed = _password_then_code(client, member.email, code)
    assert replayed.status_code == 200
    assert html_t(WRONG_CODE) in text(replayed)
    assert client.get("/account").status_code == 302


def test_recovery_code_works_once(client, member):
    login_as(client, member)
    _secret, codes = _enable(client)
    response = _password_then_code(client, member.email, codes[0].upper())
    assert response.status_code == 302
    assert "account.recovery_code_used" in _actions()
    account = text(client.get("/account"))
    assert html_t("The second factor is on. Unused recovery codes: %(n)s.", n=9) in account

    used = _password_then_code(client, member.email, codes[0])
    assert used.status_code == 200
    assert html_t(WRONG_CODE) in text(used)


def test_wrong_code_when_turning_it_on(client, member):
    login_as(client, member)
    secret = _secret_in_setup_page(client)
    response = client.post("/account/second-factor", data={"code": "000000x"})
    assert response.status_code == 200
    assert html_t("This code is not valid. Check your device's clock and try again.") in text(
        response
    )
    db.session.refresh(member)
    assert not member.totp_enabled
    # The same secret is offered again, so the app already set up keeps working.
    assert _secret_in_setup_page(client) == secret


def test_member_turns_it_off(client, member):
    login_as(client, member)
    _enable(client)
    response = client.post("/account/second-factor/disable", follow_redirects=True)
    assert html_t("The second factor is off.") in text(response)
    db.session.refresh(member)
    assert not member.totp_enabled
    assert member.totp_secret is None
    assert member.recovery_codes == []
    assert "account.totp_disabled" in _actions()


def test_new_recovery_codes_replace_the_old_ones(client, member):
    login_as(client, member)
    _secret, old = _enable(client)
    response = client.post("/account/second-factor/recovery-codes")
    new = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", text(response))
    assert len(new) == 10
    assert not set(new) & set(old)
    assert _password_then_code(client, member.email, old[0]).status_code == 200
    assert client.post("/login/code", data={"code": new[0]}).status_code == 302


def test_secretariat_cannot_turn_it_off(client, secretariat):
    login_as(client, secretariat)
    assert "/account/second-factor/disable" not in text(client.get("/account"))
    response = client.post("/account/second-factor/disable", follow_redirects=True)
    assert html_t("Secretariat accounts must keep a second factor.") in text(response)
    db.session.refresh(secretariat)
    assert secretariat.totp_enabled


def test_secretariat_without_it_is_sent_to_the_setup_page_everywhere(client):
    staff = factories.SecretariatFactory(totp_secret=None, totp_enabled=False)
    response = login_with_form(client, staff.email)
    assert response.headers["Location"] == "/account/second-factor"
    for path in ("/", "/account", "/secretariat/members", "/secretariat/audit/", "/about"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/second-factor", path
    # Logging out and switching the language still work.
    assert client.post("/language", data={"lang": "en"}).status_code == 302

    _enable(client)
    assert client.get("/secretariat/members").status_code == 200


def test_pending_password_step_expires(client, member):
    login_as(client, member)
    secret, _codes = _enable(client)
    logout(client)
    login_with_form(client, member.email)
    with client.session_transaction() as sess:
        sess["pending_2fa"] = {**sess["pending_2fa"], "at": sess["pending_2fa"]["at"] - 600}
    response = client.post("/login/code", data={"code": totp_code(secret, 1)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("timezone", ["Europe/Paris", "America/New_York"])
def test_codes_are_checked_in_utc_whatever_the_server_time_zone(app, member, monkeypatch, timezone):
    monkeypatch.setenv("TZ", timezone)
    time.tzset()
    try:
        secret = services.new_totp_secret()
        codes = services.enable_totp(member, secret, totp_code(secret))
        assert len(codes) == 10
        assert services.check_second_factor(member, totp_code(secret, 1))
    finally:
        monkeypatch.undo()
        time.tzset()


def test_secretariat_removes_a_lost_second_factor(client, member, secretariat):
    member_browser = client.application.test_client()
    login_as(member_browser, member)
    _enable(member_browser)
    login_as(client, secretariat)
    response = client.post(
        f"/secretariat/members/{member.id}/reset-second-factor", follow_redirects=True
    )
    assert html_t(
        "The second factor of %(name)s is removed. They can set up a new one.",
        name=member.display_name,
    ) in text(response)
    db.session.refresh(member)
    assert not member.totp_enabled
    assert member.recovery_codes == []
    assert member_browser.get("/account").status_code == 302  # logged out everywhere
    assert login_with_form(member_browser, member.email).headers["Location"] == "/"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.totp_reset"))
    assert (entry.actor_id, entry.target_id) == (secretariat.id, str(member.id))


def test_removing_a_second_factor_that_is_not_there_is_explained(client, member, secretariat):
    login_as(client, secretariat)
    response = client.post(
        f"/secretariat/members/{member.id}/reset-second-factor", follow_redirects=True
    )
    assert html_t("This account has no second factor.") in text(response)
    response = client.post(
        f"/secretariat/members/{secretariat.id}/reset-second-factor", follow_redirects=True
    )
    assert html_t("Use your own account page to change your second factor.") in text(response)
    db.session.refresh(secretariat)
    assert secretariat.totp_enabled
