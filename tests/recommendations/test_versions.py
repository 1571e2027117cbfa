"""Writing: new versions, their immutability, red-lines, the refused outdated edit, bad input."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy.exc
from sqlalchemy import select, text

from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.recommendations import services
from consult.recommendations.models import (
    ImmutableVersionError,
    Recommendation,
    RecommendationVersion,
)

from .. import factories
from ..conftest import login_as
from ..helpers import t
from ..helpers import text as page_text
from .helpers import BODY, make_recommendation, new_version, theme_ids


def _form(rec, **changes):
    data = {
        "title": rec.title,
        "summary": rec.summary,
        "themes": [str(t.id) for t in rec.themes],
        "body": rec.current_version.body,
        "change_note": "",
        "base_version_id": str(rec.current_version_id),
        "save": "1",
    }
    data.update(changes)
    return data


def test_each_change_makes_a_numbered_version(app, member):
    rec = make_recommendation(member)
    v2 = new_version(rec, member, BODY + "\n\nQuatrième paragraphe.", "Ajout du § 4")
    assert (v2.number, v2.change_note, v2.author_id) == (2, "Ajout du § 4", member.id)
    assert rec.current_version_id == v2.id
    unchanged = services.edit(
        member,
        rec,
        title=rec.title,
        summary=rec.summary,
        body=v2.body + "\n\n\n",  # only blank lines: the same text
        theme_ids=[t.id for t in rec.themes],
        change_note="rien",
        base_version_id=v2.id,
    )
    assert unchanged is None
    numbers = db.session.scalars(
        select(RecommendationVersion.number).where(
            RecommendationVersion.recommendation_id == rec.id
        )
    ).all()
    assert sorted(numbers) == [1, 2]
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("recommendation.edit") == 1


def test_hash_is_the_sha256_of_the_stored_text(app, member):
    rec = make_recommendation(member, body="Premier  paragraphe.\r\n\r\n\r\nSecond paragraphe.  ")
    version = rec.current_version
    assert version.body == "Premier  paragraphe.\n\nSecond paragraphe."
    assert version.content_hash == hashlib.sha256(version.body.encode()).hexdigest()


def test_versions_cannot_be_changed_through_the_orm(app, member):
    rec = make_recommendation(member)
    version = rec.current_version
    version.body = "Texte falsifié."
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ImmutableVersionError):
        db.session.delete(db.session.get(RecommendationVersion, version.id))
        db.session.flush()
    db.session.rollback()
    assert db.session.get(RecommendationVersion, version.id).body == BODY


def test_versions_cannot_be_changed_in_the_database_either(app, member):
    rec = make_recommendation(member)
    with pytest.raises(sqlalchemy.exc.DatabaseError, match="immutable"):
        db.session.execute(
            text("UPDATE recommendation_versions SET body = 'x' WHERE id = :id"),
            {"id": rec.current_version_id},
        )
    db.session.rollback()


def test_outdated_edit_is_refused_by_the_service(app, member, secretariat, in_request):
    rec = make_recommendation(member, state="deliberation", secretariat=secretariat)
    v1 = rec.current_version_id
    new_version(rec, secretariat, BODY.replace("rapport annuel", "rapport semestriel"))
    with pytest.raises(services.StaleVersionError) as refused:
        services.edit(
            member,
            rec,
            title=rec.title,
            summary=rec.summary,
            body=BODY + "\n\nMon ajout.",
            theme_ids=theme_ids()[:1],
            change_note="",
            base_version_id=v1,
        )
    assert refused.value.base.id == v1
    assert refused.value.current.number == 2
    assert "v2" in str(refused.value)


def test_outdated_edit_keeps_the_text_and_shows_what_changed(client, member, secretariat):
    rec = make_recommendation(member, state="deliberation", secretariat=secretariat)
    login_as(client, member)
    stale_form = _form(rec, body=BODY + "\n\nMon paragraphe ajouté.")
    new_version(rec, secretariat, BODY.replace("rapport annuel", "rapport semestriel"))
    response = client.post(f"/recommendations/{rec.reference}/edit", data=stale_form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Mon paragraphe ajouté." in page  # the user's text is still in the form
    assert "<del>" in page and "annuel" in page  # the red-line of what changed meanwhile
    assert "<ins>" in page and "semestriel" in page
    assert f'name="base_version_id" type="hidden" value="{rec.current_version_id}"' in page
    assert len(rec.versions) == 2
    # Having seen the changes, saving again is deliberate: it makes v3.
    response = client.post(
        f"/recommendations/{rec.reference}/edit",
        data={**stale_form, "base_version_id": str(rec.current_version_id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Recommendation, rec.id).current_version.number == 3


def test_preview_renders_without_saving(client, member):
    login_as(client, member)
    theme = str(theme_ids()[0])
    response = client.post(
        "/recommendations/new",
        data={"title": "Essai", "themes": [theme], "body": "**Gras**\n\nDeux", "preview": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>Gras</strong>" in page
    assert db.session.scalar(select(Recommendation.id)) is None


def test_writing_a_new_recommendation(client, member):
    login_as(client, member)
    theme = str(theme_ids()[0])
    response = client.post(
        "/recommendations/new",
        data={
            "title": "  Label  qualité des prestataires ",
            "summary": "Un label.",
            "themes": [theme],
            "body": "Premier.\n\nSecond <script>alert(1)</script>.",
            "save": "1",
        },
    )
    assert response.status_code == 302
    rec = db.session.scalar(select(Recommendation))
    assert rec.title == "Label qualité des prestataires"
    assert rec.reference.startswith("R-") and rec.reference.endswith("-001")
    assert (rec.state, rec.rapporteur_id) == ("draft", member.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_references_are_sequential(app, member):
    first = make_recommendation(member)
    second = make_recommendation(member)
    year = first.year
    assert (first.reference, second.reference) == (f"R-{year}-001", f"R-{year}-002")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "x" * 251}, None),
        ({"title": "   "}, "Give the recommendation a title."),
        ({"body": "  \n\n  "}, "The text of the recommendation cannot be empty."),
        ({"themes": ["999999"]}, "Choose the themes from the list."),
        ({"themes": ["abc"]}, "Choose the themes from the list."),
        ({"themes": []}, "Choose at least one theme."),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_the_text(client, member, changes, message):
    rec = make_recommendation(member)
    login_as(client, member)
    data = _form(rec, body=BODY + "\n\nTexte en cours de saisie.")
    data.update(changes)
    response = client.post(f"/recommendations/{rec.reference}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    if message:
        assert t(message) in page.replace("&#39;", "'")
    if "body" not in changes:
        assert "Texte en cours de saisie." in page
    assert len(rec.versions) == 1


def test_compare_two_versions_word_by_word(client, member):
    rec = make_recommendation(member, state="deliberation")
    new_version(rec, member, BODY.replace("rapport annuel", "rapport public annuel"))
    login_as(client, member)
    response = client.get(f"/recommendations/{rec.reference}/compare?from=1&to=2")
    assert response.status_code == 200
    assert "<ins>" in response.get_data(as_text=True) and "public" in page_text(response)
    assert t("Insertion start") in page_text(response)  # announced to screen readers


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("from=abc&to=2", 400),
        ("from=1&to=2;DROP", 400),
        ("from=-1&to=2", 400),
        ("from=1&to=99", 404),
        ("from=99999999999999999999&to=1", 400),
    ],
)
def test_compare_with_bad_version_numbers(client, member, query, status):
    rec = make_recommendation(member, state="consultation")
    response = client.get(f"/recommendations/{rec.reference}/compare?{query}")
    assert response.status_code == status
    assert "cmp-from" in response.get_data(as_text=True)  # the chooser is offered again


def test_version_page_and_list(client, member):
    rec = make_recommendation(member, state="consultation")
    page = client.get(f"/recommendations/{rec.reference}/versions").get_data(as_text=True)
    assert rec.current_version.content_hash[:12] in page
    page = client.get(f"/recommendations/{rec.reference}/versions/1").get_data(as_text=True)
    assert rec.current_version.content_hash in page
    assert client.get(f"/recommendations/{rec.reference}/versions/7").status_code == 404


def test_text_is_frozen_from_voting_on(client, member, secretariat):
    rec = make_recommendation(member, state="voting", secretariat=secretariat)
    login_as(client, member)
    assert client.get(f"/recommendations/{rec.reference}/edit").status_code == 403
    other = factories.MemberFactory()
    login_as(client, other)
    draft = make_recommendation(member, secretariat=secretariat)
    assert client.get(f"/recommendations/{draft.reference}/edit").status_code == 404
