"""Who may read and do what, as a matrix (permissions.py), and what the pages answer."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from consult.extensions import db
from consult.recommendations import permissions
from consult.recommendations.models import STATES, Recommendation

from .. import factories
from ..conftest import login_as
from .helpers import make_recommendation

PEOPLE = ("rapporteur", "co-sponsor", "other member", "secretariat", "participant", "visitor")

# Who may read a recommendation in each state (issue 3, point 4).
AUTHORS = {"rapporteur", "co-sponsor", "secretariat"}
COUNCIL = {"rapporteur", "co-sponsor", "other member", "secretariat"}
EVERYONE = set(PEOPLE)
READERS = {
    "draft": AUTHORS,
    "deliberation": COUNCIL,
    **{state: EVERYONE for state in STATES if state not in ("draft", "deliberation")},
    # _rec() withdraws straight from draft: the text keeps its draft readers.
    "withdrawn": AUTHORS,
}
EDITORS = {"rapporteur", "secretariat"}
EDITABLE = {"draft", "deliberation", "consolidation"}


@pytest.fixture
def people(app):
    return {
        "rapporteur": factories.MemberFactory(college="state"),
        "co-sponsor": factories.MemberFactory(college="civil_society"),
        "other member": factories.MemberFactory(college="private_sector"),
        "secretariat": factories.SecretariatFactory(),
        "participant": factories.UserFactory(role="participant"),
        "visitor": AnonymousUserMixin(),
    }


def _rec(people, state):
    return make_recommendation(
        people["rapporteur"],
        secretariat=people["secretariat"],
        sponsors=[people["co-sponsor"]],
        state=state,
    )


@pytest.mark.parametrize("state", STATES)
def test_matrix(people, state):
    rec = _rec(people, state)
    for who in PEOPLE:
        user = people[who]
        assert permissions.can_view(user, rec) == (who in READERS[state]), (who, "view")
        assert permissions.can_edit_text(user, rec) == (who in EDITORS and state in EDITABLE), (
            who,
            "edit",
        )
        assert permissions.can_manage_sponsors(user, rec) == (
            who in EDITORS and state in ("draft", "deliberation")
        ), (who, "sponsors")
        deliberating = state in ("deliberation", "consolidation")
        council_reads = who in COUNCIL and who in READERS[state]
        assert permissions.can_read_deliberation(user, rec) == council_reads, (who, "read")
        assert permissions.can_comment(user, rec) == (council_reads and deliberating), who
        assert permissions.can_propose_amendment(user, rec) == (council_reads and deliberating), (
            who,
            "amend",
        )


def test_withdrawn_draft_stays_private(people):
    rec = _rec(people, "withdrawn")  # withdrawn straight from draft
    assert not permissions.can_view(people["other member"], rec)
    assert not permissions.can_view(people["visitor"], rec)
    assert permissions.can_view(people["co-sponsor"], rec)


def _visible_refs(user) -> set[str]:
    return set(
        db.session.scalars(select(Recommendation.reference).where(permissions.visible_clause(user)))
    )


def test_list_filter_agrees_with_can_view(people):
    recs = [_rec(people, state) for state in ("draft", "deliberation", "consultation")]
    outsider_draft = make_recommendation(secretariat=people["secretariat"])
    recs.append(outsider_draft)
    for who in PEOPLE:
        user = people[who]
        expected = {r.reference for r in recs if permissions.can_view(user, r)}
        assert _visible_refs(user) == expected, who


@pytest.mark.parametrize(
    ("state", "who", "status"),
    [
        ("draft", "visitor", 404),
        ("draft", "participant", 404),
        ("draft", "other member", 404),
        ("draft", "co-sponsor", 200),
        ("draft", "rapporteur", 200),
        ("draft", "secretariat", 200),
        ("deliberation", "visitor", 404),
        ("deliberation", "participant", 404),
        ("deliberation", "other member", 200),
        ("consultation", "visitor", 200),
        ("consultation", "participant", 200),
    ],
)
def test_detail_page_hides_what_the_reader_may_not_see(client, people, state, who, status):
    rec = _rec(people, state)
    if who != "visitor":
        login_as(client, people[who])
    for url in (
        f"/recommendations/{rec.reference}",
        f"/recommendations/{rec.reference}/versions",
        f"/recommendations/{rec.reference}/versions/1",
        f"/recommendations/{rec.reference}/compare?from=1&to=1",
    ):
        assert client.get(url).status_code == status, url
    listing = client.get("/recommendations/").get_data(as_text=True)
    assert (rec.reference in listing) == (status == 200)


def test_deliberation_is_hidden_from_the_public(client, people):
    from consult.recommendations import services

    rec = _rec(people, "deliberation")
    services.add_comment(
        people["other member"], rec, body="Avis réservé aux membres.", stance="for"
    )
    from consult.recommendations import lifecycle

    lifecycle.transition(people["secretariat"], rec, "consultation")
    db.session.commit()
    page = client.get(f"/recommendations/{rec.reference}").get_data(as_text=True)
    assert "Avis réservé aux membres." not in page
    login_as(client, people["other member"])
    page = client.get(f"/recommendations/{rec.reference}").get_data(as_text=True)
    assert "Avis réservé aux membres." in page


def test_reference_lookup_ignores_case(client, people):
    rec = _rec(people, "consultation")
    response = client.get(f"/recommendations/{rec.reference.lower()}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/recommendations/{rec.reference}")
    response = client.get("/recommendations/?q=" + rec.reference.lower())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/recommendations/{rec.reference}")


def test_reference_lookup_does_not_reveal_drafts(client, people):
    rec = _rec(people, "draft")
    assert client.get(f"/recommendations/{rec.reference.lower()}").status_code == 404
    response = client.get("/recommendations/?q=" + rec.reference)
    assert response.status_code == 200
    assert rec.title not in response.get_data(as_text=True)


def test_huge_or_odd_ids_are_not_found(client, people):
    rec = _rec(people, "deliberation")
    login_as(client, people["secretariat"])
    big = "99999999999999999999"
    for url in (
        f"/recommendations/{rec.reference}/versions/{big}",
        f"/recommendations/{rec.reference}/amendments/{big}",
        f"/recommendations/{rec.reference}/comments/{big}/edit",
        f"/recommendations/{rec.reference}/comments/{big}/history",
        f"/secretariat/themes/{big}",
        f"/recommendations/{'R-' + '9' * 40}",
        "/recommendations/R-2026-999999",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/recommendations/?theme=" + big + "&page=" + big).status_code == 200
