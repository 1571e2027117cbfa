"""Who may open each recommendations page: every route × visitor, participant, member, secretariat.

The "member" is an ordinary council member: neither the rapporteur nor a co-sponsor of the
recommendations used, but the author of one comment and one amendment (so that what only an
author may do shows). The main recommendation is in consolidation: public, text still
editable, amendments open. GET where the route answers GET; POST (with its usual fields) for
the action-only routes. 302 for a visitor is the login page (checked below); 302 for a
logged-in person is the page they acted on.
"""

from __future__ import annotations

import pytest
from flask import url_for

from consult.extensions import db
from consult.recommendations import services

from .. import factories
from ..helpers import ROLES, statuses_by_role
from .helpers import make_recommendation


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _council(status: int, participant: int = 403) -> dict[str, int]:
    return {"visitor": 302, "participant": participant, "member": status, "secretariat": status}


def _secretariat_only(status: int) -> dict[str, int]:
    return {"visitor": 302, "participant": 403, "member": 403, "secretariat": status}


EXPECTED = {
    # reading: public from consultation on
    "recommendations.index": _all(200),
    "recommendations.detail": _all(200),
    "recommendations.versions": _all(200),
    "recommendations.version": _all(200),
    "recommendations.compare": _all(200),
    "recommendations.sponsors": _all(200),
    # writing
    "recommendations.new": _council(200),
    "recommendations.edit": _secretariat_only(200),  # the rapporteur's, and the secretariat's
    "recommendations.transition": _secretariat_only(302),  # consolidation -> voting
    # co-sponsors, on a recommendation in deliberation (hidden from participants)
    "recommendations.remove_sponsor": {
        "visitor": 302,
        "participant": 404,
        "member": 403,
        "secretariat": 302,
    },
    # amendments: the council's deliberation
    "recommendations.amendments": _council(200),
    "recommendations.new_amendment": _council(200),
    "recommendations.amendment": _council(200),
    "recommendations.accept_amendment": _secretariat_only(302),
    "recommendations.reject_amendment": _secretariat_only(302),
    "recommendations.withdraw_amendment": {  # the member's own amendment
        "visitor": 302,
        "participant": 403,
        "member": 302,
        "secretariat": 403,
    },
    "recommendations.amendment_to_vote": _secretariat_only(302),
    # deliberation comments
    "recommendations.new_comment": _council(200),
    "recommendations.edit_comment": {  # the member's own comment
        "visitor": 302,
        "participant": 403,
        "member": 200,
        "secretariat": 403,
    },
    "recommendations.delete_comment": _secretariat_only(302),  # someone else's comment
    "recommendations.comment_history": _secretariat_only(200),
    # themes
    "recommendations.themes": _secretariat_only(200),
    "recommendations.edit_theme": _secretariat_only(200),
}

LOGIN_FIRST = {e for e, statuses in EXPECTED.items() if statuses["visitor"] == 302}


@pytest.fixture
def requests_by_endpoint(app, member, secretariat):
    rapporteur = factories.MemberFactory(college="state")
    sponsor = factories.MemberFactory(college="private_sector")
    other = factories.MemberFactory(college="civil_society")
    rec = make_recommendation(rapporteur, state="consolidation", secretariat=secretariat)
    deliberating = make_recommendation(
        rapporteur, state="deliberation", secretariat=secretariat, sponsors=[sponsor]
    )
    base = rec.current_version
    own_comment = services.add_comment(member, rec, body="Mon avis.", stance="for")
    their_comment = services.add_comment(other, rec, body="Autre avis.", stance="against")
    services.edit_comment(other, their_comment, body="Autre avis, corrigé.", stance="against")

    def amend(author):
        return services.propose_amendment(
            author,
            rec,
            base_version=base,
            paragraph=1,
            kind="replace",
            text="Le Conseil recommande un registre national ouvert.",
            justification="Ouverture des données.",
        )

    own_amendment, their_amendment = amend(member), amend(other)
    db.session.commit()
    ref = rec.reference
    theme_id = rec.themes[0].id
    with app.test_request_context():
        u = url_for
        get = {
            "recommendations.index": u("recommendations.index"),
            "recommendations.detail": u("recommendations.detail", ref=ref),
            "recommendations.versions": u("recommendations.versions", ref=ref),
            "recommendations.version": u("recommendations.version", ref=ref, number=1),
            "recommendations.compare": u("recommendations.compare", ref=ref, to=1),
            "recommendations.sponsors": u("recommendations.sponsors", ref=ref),
            "recommendations.new": u("recommendations.new"),
            "recommendations.edit": u("recommendations.edit", ref=ref),
            "recommendations.amendments": u("recommendations.amendments", ref=ref),
            "recommendations.new_amendment": u("recommendations.new_amendment", ref=ref),
            "recommendations.amendment": u(
                "recommendations.amendment", ref=ref, amendment_id=their_amendment.id
            ),
            "recommendations.new_comment": u("recommendations.new_comment", ref=ref),
            "recommendations.edit_comment": u(
                "recommendations.edit_comment", ref=ref, comment_id=own_comment.id
            ),
            "recommendations.comment_history": u(
                "recommendations.comment_history", ref=ref, comment_id=their_comment.id
            ),
            "recommendations.themes": u("recommendations.themes"),
            "recommendations.edit_theme": u("recommendations.edit_theme", theme_id=theme_id),
        }

        def on(endpoint, **kw):
            return u(endpoint, ref=ref, **kw)

        post = {
            "recommendations.transition": (
                on("recommendations.transition"),
                {"to_state": "voting", "reason": ""},
            ),
            "recommendations.remove_sponsor": (
                u(
                    "recommendations.remove_sponsor",
                    ref=deliberating.reference,
                    user_id=sponsor.id,
                ),
                {},
            ),
            "recommendations.accept_amendment": (
                on("recommendations.accept_amendment", amendment_id=their_amendment.id),
                {},
            ),
            "recommendations.reject_amendment": (
                on("recommendations.reject_amendment", amendment_id=their_amendment.id),
                {"reason": "Hors sujet."},
            ),
            "recommendations.withdraw_amendment": (
                on("recommendations.withdraw_amendment", amendment_id=own_amendment.id),
                {},
            ),
            "recommendations.amendment_to_vote": (
                on("recommendations.amendment_to_vote", amendment_id=their_amendment.id),
                {},
            ),
            "recommendations.delete_comment": (
                on("recommendations.delete_comment", comment_id=their_comment.id),
                {},
            ),
        }
    requests = {endpoint: ("GET", url, None) for endpoint, url in get.items()}
    requests.update({endpoint: ("POST", url, data) for endpoint, (url, data) in post.items()})
    return requests


def test_every_recommendations_endpoint_has_a_request(app, requests_by_endpoint):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("recom")}
    assert set(requests_by_endpoint) == set(EXPECTED) == endpoints


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_access_matrix(endpoint, client, as_user, requests_by_endpoint):
    method, url, data = requests_by_endpoint[endpoint]
    seen = statuses_by_role(client, as_user, method, url, data, login_first=endpoint in LOGIN_FIRST)
    assert seen == EXPECTED[endpoint]
