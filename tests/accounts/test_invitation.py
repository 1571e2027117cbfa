"""Members are invited by the secretariat: a single-use link, valid 72 hours, to set a password."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.accounts import services
from consult.accounts.models import AccountToken, User
from consult.audit.models import AuditEntry
from consult.extensions import db

from .. import factories
from ..conftest import login_as
from ..helpers import html_t, login_with_form, logout, only_link, t, text

NEW_PASSWORD = "a long and new passphrase"
INVITE = {
    "display_name": "Awa Traoré",
    "email": "Awa.Traore@Example.ML",
    "role": "member",
    "college": "private_sector",
    "organisation": "Sahel Digital Services",
    "position": "Directrice",
    "locale": "fr",
}


def _invite(client, **changes):
    return client.post("/secretariat/members/invite", data={**INVITE, **changes})


def _actions_on(user: User) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.target_type == "user", AuditEntry.target_id == str(user.id))
            .order_by(AuditEntry.id)
        )
    )


def test_invitation_end_to_end(client, secretariat, outbox):
    login_as(client, secretariat)
    response = _invite(client)
    invited = db.session.scalar(select(User).where(User.email == "awa.traore@example.ml"))
    assert invited is not None
    assert response.status_code == 302
    assert response.headers["Location"] == f"/secretariat/members/{invited.id}"
    assert (invited.role, invited.college, invited.password_hash) == (
        "member",
        "private_sector",
        None,
    )

    # The e-mail: in the invitee's language, with a link valid 72 hours.
    (mail,) = outbox
    assert mail["To"] == "awa.traore@example.ml"
    assert mail["Subject"] == t(
        "Your invitation to %(council)s", council="Conseil supérieur du numérique"
    )
    assert "72" in mail.get_content()
    link = only_link(outbox, "awa.traore@example.ml")
    token = db.session.scalar(select(AccountToken).where(AccountToken.user_id == invited.id))
    assert abs(token.expires_at - token.created_at - timedelta(hours=72)) < timedelta(seconds=5)

    # The invitee opens the link, sees who they are, chooses a password.
    logout(client)
    page = client.get(link)
    assert page.status_code == 200
    assert "Awa Traoré" in text(page)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"

    # ... and logs in with it through the real login form.
    response = login_with_form(client, "awa.traore@example.ml", NEW_PASSWORD)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    db.session.refresh(invited)
    assert invited.is_verified
    assert _actions_on(invited) == ["account.invite", "account.invite_accepted", "account.login"]

    # The link works once.
    logout(client)
    reused = client.get(link)
    assert reused.status_code == 400
    assert html_t("This link has already been used. Each link works only once.") in text(reused)
    reused_post = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert reused_post.status_code == 400


def test_expired_invitation_link_is_refused(client, secretariat, outbox):
    login_as(client, secretariat)
    _invite(client)
    link = only_link(outbox, "awa.traore@example.ml")
    token = db.session.scalar(select(AccountToken))
    token.expires_at = token.created_at + timedelta(hours=72) - timedelta(days=4)
    db.session.commit()
    logout(client)
    response = client.get(link)
    assert response.status_code == 400
    assert html_t("This link has expired. Ask for a new one.") in text(response)


def test_revoked_invitation_link_is_refused(client, secretariat, outbox):
    login_as(client, secretariat)
    _invite(client)
    link = only_link(outbox, "awa.traore@example.ml")
    invited = db.session.scalar(select(User).where(User.role == "member"))
    response = client.post(f"/secretariat/members/{invited.id}/revoke")
    assert response.status_code == 302
    logout(client)
    response = client.get(link)
    assert response.status_code == 400
    assert html_t("This link has been cancelled. Ask for a new one.") in text(response)
    assert "account.invite_revoked" in _actions_on(invited)


def test_resending_cancels_the_old_link_and_sends_a_new_one(client, secretariat, outbox):
    login_as(client, secretariat)
    _invite(client)
    old_link = only_link(outbox, "awa.traore@example.ml")
    invited = db.session.scalar(select(User).where(User.role == "member"))
    outbox.clear()
    response = client.post(f"/secretariat/members/{invited.id}/resend", follow_redirects=True)
    assert html_t("A new invitation has been sent to %(email)s.", email=invited.email) in text(
        response
    )
    new_link = only_link(outbox, "awa.traore@example.ml")
    assert new_link != old_link
    logout(client)
    assert client.get(old_link).status_code == 400
    assert client.get(new_link).status_code == 200
    assert "account.invite_resent" in _actions_on(invited)


def test_resend_after_acceptance_is_refused_with_a_message(client, secretariat, member, outbox):
    login_as(client, secretariat)
    response = client.post(f"/secretariat/members/{member.id}/resend", follow_redirects=True)
    assert html_t("This person has already accepted the invitation.") in text(response)
    assert outbox == []


def test_invitation_to_an_existing_address_is_a_form_error(client, secretariat, member, outbox):
    login_as(client, secretariat)
    response = _invite(client, email=member.email.upper())
    assert response.status_code == 200
    assert html_t("An account already exists with this e-mail address.") in text(response)
    assert "Awa Traoré" in text(response)  # what was typed is kept
    assert outbox == []


def test_member_needs_a_college(client, secretariat, outbox):
    login_as(client, secretariat)
    response = _invite(client, college="")
    assert response.status_code == 200
    assert html_t("A member must belong to a college.") in text(response)
    assert db.session.scalar(select(User).where(User.role == "member")) is None


def test_secretariat_invitee_has_no_college_and_must_set_a_second_factor(
    client, secretariat, outbox
):
    login_as(client, secretariat)
    _invite(client, role="secretariat", college="state", email="new.staff@csn.example")
    staff = db.session.scalar(select(User).where(User.email == "new.staff@csn.example"))
    assert (staff.role, staff.college) == ("secretariat", None)
    link = only_link(outbox, "new.staff@csn.example")
    logout(client)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = login_with_form(client, "new.staff@csn.example", NEW_PASSWORD)
    assert response.headers["Location"] == "/account/second-factor"


def test_invitation_in_english_for_an_english_speaker(client, secretariat, outbox):
    login_as(client, secretariat)
    _invite(client, locale="en")
    (mail,) = outbox
    assert mail["Subject"] == "Your invitation to Conseil supérieur du numérique"
    assert "Hello Awa Traoré," in mail.get_content()


def test_weak_password_on_the_invitation_form_is_explained(client, secretariat, outbox):
    login_as(client, secretariat)
    _invite(client)
    link = only_link(outbox, "awa.traore@example.ml")
    logout(client)
    response = client.post(link, data={"password": "short", "confirm": "short"})
    assert response.status_code == 200
    assert html_t("Your password must have at least %(n)s characters.", n=10) in text(response)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": "something else"})
    assert html_t("The passwords differ.") in text(response)
    assert client.get(link).status_code == 200  # still usable


def test_deactivated_invitee_link_is_refused(client, secretariat, outbox):
    invited = factories.MemberFactory(password_hash=None)
    raw = services.issue_token(invited, "invite", 72)
    invited.active = False
    db.session.commit()
    response = client.get(f"/invitation/{raw}")
    assert response.status_code == 400
    assert html_t("This link has been cancelled. Ask for a new one.") in text(response)


def test_unknown_link_is_refused(client):
    response = client.get("/invitation/not-a-real-token")
    assert response.status_code == 400
    assert html_t("This link is not valid. Check that you copied it completely.") in text(response)
