"""Amendments: propose, accept (a new version contains it), reject, withdraw, vote, conflicts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.recommendations import services
from consult.recommendations.models import Amendment, Recommendation
from consult.recommendations.text import split_paragraphs

from .. import factories
from ..conftest import login_as
from ..helpers import t, text
from .helpers import BODY, make_recommendation, new_version

PARAGRAPHS = split_paragraphs(BODY)


@pytest.fixture
def rapporteur(app):
    return factories.MemberFactory(college="state")


@pytest.fixture
def author(app):
    return factories.MemberFactory(college="private_sector")


@pytest.fixture
def rec(rapporteur, secretariat):
    return make_recommendation(rapporteur, state="deliberation", secretariat=secretariat)


def _propose(rec, author, paragraph=2, kind="replace", text="Le registre est public et gratuit."):
    amendment = services.propose_amendment(
        author,
        rec,
        base_version=rec.current_version,
        paragraph=paragraph,
        kind=kind,
        text=text,
        justification="Transparence pour les usagers.",
    )
    db.session.commit()
    return amendment


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("replace", "Nouveau § 2.", [PARAGRAPHS[0], "Nouveau § 2.", PARAGRAPHS[2]]),
        ("insert_after", "Inséré.", [PARAGRAPHS[0], PARAGRAPHS[1], "Inséré.", PARAGRAPHS[2]]),
        ("delete", "", [PARAGRAPHS[0], PARAGRAPHS[2]]),
    ],
)
def test_accepting_makes_a_version_containing_it(rec, rapporteur, author, kind, text, expected):
    amendment = _propose(rec, author, kind=kind, text=text)
    version = services.accept_amendment(rapporteur, amendment)
    db.session.commit()
    assert version.number == 2
    assert split_paragraphs(version.body) == expected
    assert (amendment.state, amendment.result_version_id) == ("accepted", version.id)
    assert amendment.decided_by_id == rapporteur.id


def test_accepting_after_an_edit_elsewhere_applies_at_the_moved_paragraph(rec, rapporteur, author):
    amendment = _propose(rec, author, paragraph=2)
    # A paragraph is inserted before § 2: the target is now § 3, unchanged.
    new_version(rec, rapporteur, "Préambule.\n\n" + BODY)
    version = services.accept_amendment(rapporteur, amendment)
    assert split_paragraphs(version.body) == [
        "Préambule.",
        PARAGRAPHS[0],
        "Le registre est public et gratuit.",
        PARAGRAPHS[2],
    ]


def test_conflict_is_shown_and_nothing_is_merged(client, rec, rapporteur, author):
    amendment = _propose(rec, author, paragraph=2)
    changed = BODY.replace("domaines d'activité", "domaines d'activité et leurs effectifs")
    new_version(rec, rapporteur, changed)
    with pytest.raises(services.AmendmentConflict) as conflict:
        services.accept_amendment(rapporteur, amendment)
    assert conflict.value.placement.current_text.endswith("leurs effectifs.")
    db.session.rollback()

    login_as(client, rapporteur)
    url = f"/recommendations/{rec.reference}/amendments/{amendment.id}"
    response = client.post(url + "/accept")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    # The three texts side by side: original, current, proposed.
    assert PARAGRAPHS[1].replace("'", "&#39;") in page
    assert "leurs effectifs" in page
    assert "Le registre est public et gratuit." in page
    db.session.expire_all()
    assert db.session.get(Recommendation, rec.id).current_version.number == 2
    assert db.session.get(Amendment, amendment.id).state == "proposed"

    # The rapporteur resolves by editing: the version made accepts the amendment.
    edit = client.get(f"/recommendations/{rec.reference}/edit?amendment={amendment.id}")
    assert "leurs effectifs" in edit.get_data(as_text=True)
    rec = db.session.get(Recommendation, rec.id)
    resolved = changed.replace(
        PARAGRAPHS[1].replace("domaines d'activité", "domaines d'activité et leurs effectifs"),
        "Le registre, public et gratuit, indique aussi les effectifs.",
    )
    response = client.post(
        f"/recommendations/{rec.reference}/edit",
        data={
            "title": rec.title,
            "summary": rec.summary,
            "themes": [str(th.id) for th in rec.themes],
            "body": resolved,
            "base_version_id": str(rec.current_version_id),
            "amendment_id": str(amendment.id),
            "save": "1",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    amendment = db.session.get(Amendment, amendment.id)
    assert amendment.state == "accepted"
    assert amendment.result_version.number == 3
    assert "indique aussi les effectifs" in amendment.result_version.body


def test_reject_needs_a_reason(client, rec, rapporteur, author):
    amendment = _propose(rec, author)
    login_as(client, rapporteur)
    url = f"/recommendations/{rec.reference}/amendments/{amendment.id}/reject"
    response = client.post(url, data={"reason": "  "})
    assert response.status_code == 400
    assert t("Give a reason.") in response.get_data(as_text=True)
    assert db.session.get(Amendment, amendment.id).state == "proposed"
    response = client.post(url, data={"reason": "Hors du champ de la recommandation."})
    assert response.status_code == 302
    db.session.expire_all()
    amendment = db.session.get(Amendment, amendment.id)
    assert (amendment.state, amendment.decision_reason) == (
        "rejected",
        "Hors du champ de la recommandation.",
    )


def test_only_the_author_withdraws(client, rec, rapporteur, author, secretariat):
    amendment = _propose(rec, author)
    url = f"/recommendations/{rec.reference}/amendments/{amendment.id}/withdraw"
    for someone in (rapporteur, secretariat, factories.MemberFactory()):
        login_as(client, someone)
        assert client.post(url).status_code == 403
    login_as(client, author)
    assert client.post(url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Amendment, amendment.id).state == "withdrawn"
    # Once withdrawn, nobody may decide on it.
    login_as(client, rapporteur)
    accept = f"/recommendations/{rec.reference}/amendments/{amendment.id}/accept"
    assert client.post(accept).status_code == 403


def test_the_secretariat_puts_a_contested_amendment_to_the_vote(client, rec, author, secretariat):
    amendment = _propose(rec, author)
    url = f"/recommendations/{rec.reference}/amendments/{amendment.id}/put-to-vote"
    login_as(client, author)
    assert client.post(url).status_code == 403
    login_as(client, secretariat)
    assert client.post(url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Amendment, amendment.id).state == "put_to_vote"
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "amendment.put_to_vote" in actions


def test_proposing_through_the_form(client, rec, author):
    login_as(client, author)
    url = f"/recommendations/{rec.reference}/amendments/new"
    page = client.get(url + "?paragraph=2").get_data(as_text=True)
    assert '<option selected value="2">' in page or 'value="2" selected' in page
    base = str(rec.current_version_id)
    response = client.post(
        url,
        data={
            "paragraph": "2",
            "kind": "replace",
            "text": "Le registre est ouvert.",
            "justification": "Ouverture.",
            "base_version_id": base,
        },
    )
    assert response.status_code == 302
    amendment = db.session.scalar(select(Amendment))
    assert (amendment.paragraph, amendment.original_text) == (2, PARAGRAPHS[1])
    detail = client.get(f"/recommendations/{rec.reference}").get_data(as_text=True)
    assert f"/amendments/{amendment.id}" in detail  # listed beside its paragraph
    listing = client.get(f"/recommendations/{rec.reference}/amendments").get_data(as_text=True)
    assert "ouvert" in listing and "Ouverture." in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"paragraph": "9"}, "Choose a paragraph from the list."),
        ({"paragraph": "x"}, "Choose a paragraph from the list."),
        ({"paragraph": ""}, "Choose a paragraph."),
        ({"kind": "rewrite"}, "Choose what the amendment does."),
        ({"text": ""}, "Write the text the amendment proposes."),
        ({"justification": ""}, "Explain why you propose this amendment."),
    ],
)
def test_bad_amendments_are_refused_clearly(client, rec, author, data, message):
    login_as(client, author)
    form = {
        "paragraph": "2",
        "kind": "replace",
        "text": "Texte proposé.",
        "justification": "Ma justification détaillée.",
        "base_version_id": str(rec.current_version_id),
        **data,
    }
    response = client.post(f"/recommendations/{rec.reference}/amendments/new", data=form)
    page = text(response)
    assert response.status_code == 400
    assert t(message) in page
    if "justification" not in data:
        assert "Ma justification détaillée." in page
    assert db.session.scalar(select(Amendment.id)) is None


def test_amendments_are_closed_outside_deliberation(client, rapporteur, author, secretariat):
    rec = make_recommendation(rapporteur, state="consultation", secretariat=secretariat)
    login_as(client, author)
    assert client.get(f"/recommendations/{rec.reference}/amendments/new").status_code == 403


def test_after_the_vote_the_rapporteur_writes_the_result_in(client, rec, rapporteur, author):
    amendment = _propose(rec, author)
    services.put_amendment_to_vote(factories.SecretariatFactory(), amendment)
    db.session.commit()
    base = f"/recommendations/{rec.reference}/amendments/{amendment.id}"
    login_as(client, author)
    assert client.post(base + "/withdraw").status_code == 403  # the vote is under way
    login_as(client, rapporteur)
    assert client.post(base + "/accept").status_code == 302
    db.session.expire_all()
    assert db.session.get(Amendment, amendment.id).state == "accepted"
