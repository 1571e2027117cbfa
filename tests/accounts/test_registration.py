"""Participants register, confirm their address by a link, and reset forgotten passwords."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from consult.accounts.models import AccountToken, User
from consult.audit.models import AuditEntry
from consult.extensions import db

from .. import factories
from ..conftest import login_as
from ..helpers import html_t, login_with_form, logout, only_link, t, text

PASSWORD = "a sentence that is long enough"
REGISTER = {
    "display_name": "Fanta Diallo",
    "email": "fanta.diallo@example.ml",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "accept": "y",
}
UNVERIFIED_NOTICE = (
    "Your e-mail address is not confirmed yet: you can read everything, "
    "but you can take part only once it is confirmed."
)


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _neutral_answer(response) -> str:
    """The answer page without the address typed (which it repeats)."""
    return text(response).replace("fanta.diallo@example.ml", "ADDRESS")


class TestRegistration:
    def test_register_verify_and_take_part(self, client, outbox):
        response = client.post("/register", data=REGISTER)
        assert response.status_code == 200
        assert html_t("Check your e-mail") in text(response)
        user = db.session.scalar(select(User).where(User.email == "fanta.diallo@example.ml"))
        assert user.role == "participant"
        assert not user.is_verified
        link = only_link(outbox, user.email)
        assert outbox[0]["Subject"] == t("Confirm your e-mail address")

        # Unverified: may log in and read, may not take part; the page says why.
        assert login_with_form(client, user.email, PASSWORD).status_code == 302
        assert not user.can_participate()
        assert html_t(UNVERIFIED_NOTICE) in text(client.get("/"))

        # The link shows a button (mail scanners must not use it up), the button confirms.
        assert client.get(link).status_code == 200
        db.session.refresh(user)
        assert not user.is_verified
        response = client.post(link)
        assert response.status_code == 302
        db.session.refresh(user)
        assert user.is_verified
        assert user.can_participate()
        assert html_t(UNVERIFIED_NOTICE) not in text(client.get("/"))

        # Used once only.
        reused = client.get(link)
        assert reused.status_code == 400
        assert html_t("This link has already been used. Each link works only once.") in text(reused)
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert {"account.register", "account.email_verified"} <= set(actions)

    def test_verification_link_does_not_log_in(self, client, outbox):
        client.post("/register", data=REGISTER)
        link = only_link(outbox, "fanta.diallo@example.ml")
        response = client.post(link)
        assert response.headers["Location"] == "/login"
        assert client.get("/account").status_code == 302

    def test_expired_verification_link(self, client, outbox):
        client.post("/register", data=REGISTER)
        link = only_link(outbox, "fanta.diallo@example.ml")
        token = db.session.scalar(select(AccountToken))
        token.expires_at = token.created_at - timedelta(seconds=1)
        db.session.commit()
        response = client.get(link)
        assert response.status_code == 400
        assert html_t("This link has expired. Ask for a new one.") in text(response)

    def test_asking_again_cancels_the_old_link(self, client, outbox):
        client.post("/register", data=REGISTER)
        old = only_link(outbox, "fanta.diallo@example.ml")
        user = db.session.scalar(select(User))
        login_as(client, user)
        outbox.clear()
        response = client.post("/verify/resend", follow_redirects=True)
        assert html_t(
            "A new confirmation link has been sent to %(email)s.", email=user.email
        ) in text(response)
        new = only_link(outbox, user.email)
        response = client.get(old)
        assert response.status_code == 400
        assert html_t("This link has been cancelled. Ask for a new one.") in text(response)
        assert client.get(new).status_code == 200
        sent = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "account.verification_sent")
        ).all()
        assert len(sent) == 2  # at registration, then on request

    def test_existing_address_gets_the_same_answer_and_its_owner_a_notice(self, client, outbox):
        first = client.post("/register", data=REGISTER)
        existing = db.session.scalar(select(User))
        outbox.clear()
        logout(client)
        again = client.post(
            "/register", data={**REGISTER, "email": "Fanta.Diallo@Example.ML", "display_name": "X"}
        )
        assert again.status_code == first.status_code == 200
        assert _neutral_answer(again).replace("Fanta.Diallo@Example.ML", "ADDRESS") == (
            _neutral_answer(first)
        )
        assert _users() == 1
        (notice,) = outbox
        assert notice["To"] == existing.email
        assert notice["Subject"] == t("Someone tried to register with your address")
        assert "/login" in notice.get_content()
        assert "/password/forgot" in notice.get_content()

    def test_registration_form_errors_keep_what_was_typed(self, client, outbox):
        response = client.post(
            "/register",
            data={**REGISTER, "email": "not an address", "accept": ""},
        )
        assert response.status_code == 200
        page = text(response)
        assert html_t("Enter a valid e-mail address, such as name@example.org.") in page
        assert html_t("Please confirm you have read the rules.") in page
        assert 'value="Fanta Diallo"' in page
        assert 'value="not an address"' in page
        assert _users() == 0
        assert outbox == []

    def test_password_must_not_be_the_address(self, client):
        response = client.post(
            "/register",
            data={
                **REGISTER,
                "email": "longaddress@example.org",
                "password": "longaddress@example.org",
                "confirm": "longaddress@example.org",
            },
        )
        assert html_t("Your password must not contain your e-mail address.") in text(response)


class TestPasswordReset:
    def test_reset_flow(self, client, outbox):
        user = factories.UserFactory(email="reset.me@example.org")
        other_session = client.application.test_client()
        login_as(other_session, user)
        assert other_session.get("/account").status_code == 200

        response = client.post("/password/forgot", data={"email": "Reset.Me@example.org"})
        assert response.status_code == 200
        link = only_link(outbox, "reset.me@example.org")
        assert outbox[0]["Subject"] == t("Reset your password")
        assert client.get(link).status_code == 200
        response = client.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
        assert response.headers["Location"] == "/login"

        # The new password works, the old one no longer does, other sessions are closed.
        assert other_session.get("/account").status_code == 302
        assert login_with_form(client, user.email).status_code == 200
        assert login_with_form(client, user.email, PASSWORD).status_code == 302

        logout(client)
        reused = client.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
        assert reused.status_code == 400
        assert html_t("This link has already been used. Each link works only once.") in text(reused)
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert {"account.reset_requested", "account.password_reset"} <= set(actions)

    def test_same_answer_whether_or_not_the_address_exists(self, client, outbox):
        factories.UserFactory(email="known@example.org")
        known = client.post("/password/forgot", data={"email": "known@example.org"})
        unknown = client.post("/password/forgot", data={"email": "unknown@example.org"})
        assert known.status_code == unknown.status_code == 200
        assert text(known).replace("known@", "X@") == text(unknown).replace("unknown@", "X@")
        assert [msg["To"] for msg in outbox] == ["known@example.org"]

    def test_no_link_for_a_deactivated_account(self, client, outbox):
        factories.UserFactory(email="gone@example.org", active=False)
        response = client.post("/password/forgot", data={"email": "gone@example.org"})
        assert response.status_code == 200
        assert outbox == []

    def test_expired_and_superseded_reset_links(self, client, outbox):
        factories.UserFactory(email="reset.me@example.org")
        client.post("/password/forgot", data={"email": "reset.me@example.org"})
        first = only_link(outbox, "reset.me@example.org")
        outbox.clear()
        client.post("/password/forgot", data={"email": "reset.me@example.org"})
        second = only_link(outbox, "reset.me@example.org")
        assert html_t("This link has been cancelled. Ask for a new one.") in text(client.get(first))
        token = db.session.scalars(select(AccountToken).order_by(AccountToken.id)).all()[-1]
        token.expires_at = token.created_at - timedelta(seconds=1)
        db.session.commit()
        response = client.post(second, data={"password": PASSWORD, "confirm": PASSWORD})
        assert response.status_code == 400
        assert html_t("This link has expired. Ask for a new one.") in text(response)

    def test_reset_also_confirms_the_address(self, client, outbox):
        user = factories.UserFactory(email="reset.me@example.org", email_verified_at=None)
        client.post("/password/forgot", data={"email": user.email})
        link = only_link(outbox, user.email)
        client.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
        db.session.refresh(user)
        assert user.is_verified
