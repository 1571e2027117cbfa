"""The secretariat's console: members by college, edits, deactivation, participants."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.audit.models import AuditEntry
from consult.extensions import db

from .. import factories
from ..conftest import login_as
from ..helpers import html_t, login_with_form, text


@pytest.fixture
def council(app):
    """Seven members: 3 State, 2 private sector, 2 civil society (one deactivated, one invited)."""
    people = [
        factories.MemberFactory(college="state", display_name="Aminata Traoré"),
        factories.MemberFactory(college="state", display_name="Boubacar Diallo"),
        factories.MemberFactory(college="state", display_name="Fatoumata Keïta"),
        factories.MemberFactory(
            college="private_sector", display_name="Awa Bagayoko", organisation="Sahel 100% Net"
        ),
        factories.MemberFactory(college="private_sector", display_name="Nana Diakité"),
        factories.MemberFactory(college="civil_society", display_name="Hawa Ballo", active=False),
        factories.MemberFactory(
            college="civil_society", display_name="Oumou Sow", password_hash=None
        ),
    ]
    return {user.display_name: user for user in people}


def _names(response) -> list[str]:
    return re.findall(r'<a href="/secretariat/members/\d+">([^<]+)</a>', text(response))


def _counts(response) -> dict[str, list[str]]:
    """Row label -> the numbers per college (State, private sector, civil society) and total."""
    summary = text(response).split('<table class="summary">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th>((?:<td>[^<]*</td>)+)', summary)
    return {label: re.findall(r"<td>([^<]*)</td>", cells) for label, cells in rows}


def test_members_by_college_with_counts(client, secretariat, council):
    login_as(client, secretariat)
    response = client.get("/secretariat/members")
    assert response.status_code == 200
    # Per college (State, private sector, civil society) and in all; the deactivated member
    # is counted nowhere.
    assert _counts(response) == {
        html_t("Active"): ["3", "2", "0", "5"],
        html_t("Invitation pending"): ["0", "0", "1", "1"],
    }
    # The secretariat first, then the colleges in the council's order, then by name.
    assert _names(response) == [
        secretariat.display_name,
        "Aminata Traoré",
        "Boubacar Diallo",
        "Fatoumata Keïta",
        "Awa Bagayoko",
        "Nana Diakité",
        "Hawa Ballo",
        "Oumou Sow",
    ]


def test_members_filters(client, secretariat, council):
    login_as(client, secretariat)
    assert sorted(_names(client.get("/secretariat/members?college=private_sector"))) == [
        "Awa Bagayoko",
        "Nana Diakité",
    ]
    assert _names(client.get("/secretariat/members?status=inactive")) == ["Hawa Ballo"]
    assert _names(client.get("/secretariat/members?status=invited")) == ["Oumou Sow"]
    assert _names(client.get("/secretariat/members?q=keïta")) == ["Fatoumata Keïta"]
    # % is a literal character in the search, not a wildcard.
    assert _names(client.get("/secretariat/members?q=100%25")) == ["Awa Bagayoko"]
    assert _names(client.get("/secretariat/members?q=%25")) == ["Awa Bagayoko"]
    empty = client.get("/secretariat/members?college=state&q=nobody")
    assert html_t("No one matches these filters.") in text(empty)
    # Nonsense in the query string is ignored, never an error.
    assert client.get("/secretariat/members?college=mars&status=x&page=-3").status_code == 200


def test_edit_college_and_organisation(client, secretariat, council):
    member = council["Aminata Traoré"]
    login_as(client, secretariat)
    response = client.post(
        f"/secretariat/members/{member.id}",
        data={
            "display_name": "Aminata Traoré",
            "college": "civil_society",
            "organisation": "Université de Ségou",
            "position": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(member)
    assert (member.college, member.organisation, member.position) == (
        "civil_society",
        "Université de Ségou",
        None,
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.updated"))
    assert entry.actor_id == secretariat.id
    assert entry.data["college"] == ["state", "civil_society"]


def test_edit_refuses_bad_values_with_a_message(client, secretariat, council):
    member = council["Aminata Traoré"]
    login_as(client, secretariat)
    response = client.post(
        f"/secretariat/members/{member.id}",
        data={"display_name": "", "college": "the moon", "organisation": "o" * 201},
    )
    assert response.status_code == 200
    assert html_t("Please correct the following:") in text(response)
    assert 'id="college-error"' in text(response)
    assert 'id="organisation-error"' in text(response)
    db.session.refresh(member)
    assert member.college == "state"


def test_edit_a_secretariat_account(client, secretariat):
    """A secretariat account has no college: the form must not ask for one."""
    colleague = factories.SecretariatFactory(display_name="Mariam Diarra")
    login_as(client, secretariat)
    page = client.get(f"/secretariat/members/{colleague.id}")
    assert 'name="college"' not in text(page)
    response = client.post(
        f"/secretariat/members/{colleague.id}",
        data={"display_name": "Mariam Diarra", "position": "Secrétaire permanente"},
    )
    assert response.status_code == 302
    db.session.refresh(colleague)
    assert (colleague.position, colleague.college) == ("Secrétaire permanente", None)


def test_unknown_member_is_404(client, secretariat):
    login_as(client, secretariat)
    assert client.get("/secretariat/members/99999").status_code == 404


def test_deactivation_logs_out_at_once_and_keeps_history(client, secretariat, member):
    member_browser = client.application.test_client()
    assert login_with_form(member_browser, member.email, remember=True).status_code == 302
    history = db.session.scalars(
        select(AuditEntry.id).where(AuditEntry.actor_id == member.id)
    ).all()
    assert history

    login_as(client, secretariat)
    response = client.post(f"/secretariat/members/{member.id}/deactivate", follow_redirects=True)
    assert html_t(
        "%(name)s can no longer log in. Their history is kept.", name=member.display_name
    ) in text(response)

    # The open session and the remember-me cookie stop working on the next request.
    assert member_browser.get("/account").status_code == 302
    member_browser.delete_cookie("session")
    assert member_browser.get("/account").status_code == 302
    # The password no longer opens the account.
    refused = login_with_form(member_browser, member.email)
    assert refused.status_code == 200
    assert html_t("This account has been deactivated. Please contact the secretariat.") in text(
        refused
    )
    # The history stays, and the deactivation is part of it.
    assert set(history) <= set(
        db.session.scalars(select(AuditEntry.id).where(AuditEntry.actor_id == member.id))
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.deactivated"))
    assert (entry.actor_id, entry.target_id) == (secretariat.id, str(member.id))
    member_page = text(client.get(f"/secretariat/members/{member.id}"))
    assert html_t("Deactivated") in member_page

    # Reactivation: the member logs in again.
    response = client.post(f"/secretariat/members/{member.id}/reactivate", follow_redirects=True)
    assert html_t("%(name)s can log in again.", name=member.display_name) in text(response)
    assert login_with_form(member_browser, member.email).status_code == 302
    assert "account.reactivated" in db.session.scalars(select(AuditEntry.action)).all()


def test_the_secretariat_cannot_deactivate_itself(client, secretariat):
    login_as(client, secretariat)
    response = client.post(
        f"/secretariat/members/{secretariat.id}/deactivate", follow_redirects=True
    )
    assert html_t("You cannot deactivate your own account.") in text(response)
    db.session.refresh(secretariat)
    assert secretariat.active


def test_participants_list_and_filters(client, secretariat):
    factories.UserFactory(display_name="Fanta Diallo", email="fanta@example.ml")
    factories.UserFactory(
        display_name="Aïssata Coulibaly", email="aissata@example.ml", email_verified_at=None
    )
    login_as(client, secretariat)
    page = text(client.get("/secretariat/participants"))
    assert "Fanta Diallo" in page and "Aïssata Coulibaly" in page
    unverified = text(client.get("/secretariat/participants?verified=no"))
    assert "Aïssata Coulibaly" in unverified and "Fanta Diallo" not in unverified
    found = text(client.get("/secretariat/participants?q=FANTA"))
    assert "Fanta Diallo" in found and "Aïssata" not in found


def test_deactivate_a_participant_from_the_list(client, secretariat, participant):
    login_as(client, secretariat)
    response = client.post(f"/secretariat/members/{participant.id}/deactivate")
    assert response.headers["Location"] == "/secretariat/participants"
    db.session.refresh(participant)
    assert not participant.active
    assert not participant.can_participate()


def test_participant_page_leads_to_the_participants_list(client, secretariat, participant):
    login_as(client, secretariat)
    response = client.get(f"/secretariat/members/{participant.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/secretariat/participants")


def test_invite_form_refuses_bad_input_without_error_pages(client, secretariat, outbox):
    login_as(client, secretariat)
    response = client.post(
        "/secretariat/members/invite",
        data={
            "display_name": "N" * 121,
            "email": "not-an-address",
            "role": "member",
            "college": "state",
            "organisation": "O" * 201,
            "position": "P" * 201,
            "locale": "fr",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert html_t("Enter a valid e-mail address, such as name@example.org.") in page
    for field in ("display_name", "organisation", "position"):
        assert f'id="{field}-error"' in page
    assert 'value="not-an-address"' in page
    assert outbox == []
