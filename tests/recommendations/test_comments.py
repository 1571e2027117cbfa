"""Members-only deliberation comments: threads two levels deep, edits kept, deletions traced."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.recommendations import services
from consult.recommendations.models import CommentRevision, DeliberationComment

from .. import factories
from ..conftest import login_as
from ..helpers import t
from .helpers import make_recommendation


@pytest.fixture
def rec(member, secretariat):
    return make_recommendation(member, state="deliberation", secretariat=secretariat)


def _comment(client, rec, **data):
    return client.post(f"/recommendations/{rec.reference}/comments/new", data=data)


def test_comment_on_a_paragraph_shows_author_organisation_and_college(client, rec):
    author = factories.MemberFactory(
        college="private_sector", organisation="Sahel Digital Services SARL"
    )
    login_as(client, author)
    response = _comment(client, rec, paragraph="2", stance="against", body="Trop coûteux.")
    assert response.status_code == 302
    page = client.get(f"/recommendations/{rec.reference}").get_data(as_text=True)
    assert "Trop coûteux." in page
    assert "Sahel Digital Services SARL" in page
    assert t("Private sector") in page
    assert t("Against") in page
    comment = db.session.scalar(select(DeliberationComment))
    assert (comment.paragraph, comment.version_id) == (2, rec.current_version_id)


def test_replies_go_two_levels_deep(app, rec, member, in_request):
    top = services.add_comment(member, rec, body="Question.", stance="neutral")
    reply = services.add_comment(member, rec, body="Réponse.", stance=None, parent=top)
    again = services.add_comment(member, rec, body="Précision.", stance=None, parent=reply)
    assert (top.depth, reply.depth, again.depth) == (0, 1, 2)
    with pytest.raises(services.RecommendationError) as excinfo:
        services.add_comment(member, rec, body="Trop profond.", stance=None, parent=again)
    assert str(excinfo.value) == t("Replies go two levels deep: answer higher in the thread.")


def test_reply_page_and_bad_input(client, rec, member):
    top = services.add_comment(member, rec, body="Question.", stance="neutral")
    db.session.commit()
    login_as(client, member)
    url = f"/recommendations/{rec.reference}/comments/new"
    assert "Question." in client.get(f"{url}?parent={top.id}").get_data(as_text=True)
    response = client.post(url, data={"parent_id": str(top.id), "body": "  "})
    assert response.status_code == 400
    assert t("Write your comment.") in response.get_data(as_text=True)
    response = client.post(url, data={"paragraph": "42", "stance": "for", "body": "Mon avis."})
    assert response.status_code == 400
    assert "Mon avis." in response.get_data(as_text=True)
    assert client.get(f"{url}?parent=999999").status_code == 404
    assert client.get(f"{url}?parent=abc").status_code == 404


def test_editing_marks_modified_and_keeps_the_earlier_text(client, rec, member, secretariat):
    comment = services.add_comment(member, rec, body="Première idée.", stance="for")
    db.session.commit()
    login_as(client, member)
    url = f"/recommendations/{rec.reference}/comments/{comment.id}/edit"
    response = client.post(url, data={"body": "Idée corrigée.", "stance": "neutral"})
    assert response.status_code == 302
    page = client.get(f"/recommendations/{rec.reference}").get_data(as_text=True)
    assert "Idée corrigée." in page and "Première idée." not in page
    assert t("Modified on %(date)s", date="").strip() in page
    revision = db.session.scalar(select(CommentRevision))
    assert (revision.body, revision.stance, revision.reason) == ("Première idée.", "for", "edit")
    history = f"/recommendations/{rec.reference}/comments/{comment.id}/history"
    assert client.get(history).status_code == 403  # members do not see earlier texts
    login_as(client, secretariat)
    assert "Première idée." in client.get(history).get_data(as_text=True)


def test_only_the_author_edits(client, rec, member):
    comment = services.add_comment(member, rec, body="Mon texte.", stance="for")
    db.session.commit()
    login_as(client, factories.MemberFactory())
    url = f"/recommendations/{rec.reference}/comments/{comment.id}/edit"
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("by", ["author", "secretariat"])
def test_deleting_leaves_a_visible_trace(client, rec, member, secretariat, by):
    comment = services.add_comment(member, rec, body="À retirer.", stance="against")
    db.session.commit()
    other = factories.MemberFactory()
    login_as(client, other)
    url = f"/recommendations/{rec.reference}/comments/{comment.id}/delete"
    assert client.post(url).status_code == 403
    login_as(client, member if by == "author" else secretariat)
    assert client.post(url).status_code == 302
    login_as(client, other)
    page = client.get(f"/recommendations/{rec.reference}").get_data(as_text=True)
    assert "À retirer." not in page
    message = (
        "Comment deleted by its author on %(date)s."
        if by == "author"
        else "Comment deleted by the secretariat on %(date)s."
    )
    assert t(message, date="").split("%")[0].strip(" .") in page
    comment = db.session.get(DeliberationComment, comment.id)
    assert comment.deleted_by_role == by
    assert db.session.scalar(select(CommentRevision.body)) == "À retirer."


def test_outsiders_never_reach_the_deliberation(client, member, secretariat):
    rec = make_recommendation(member, state="consultation", secretariat=secretariat)
    login_as(client, factories.UserFactory(role="participant"))
    url = f"/recommendations/{rec.reference}/comments/new"
    assert client.get(url).status_code == 403
    login_as(client, factories.MemberFactory())
    assert client.get(url).status_code == 403  # consultation: deliberation is closed
