"""Fixtures for the votes domain: a small council, recommendations in voting, polls."""

from __future__ import annotations

import hashlib
import itertools
from fractions import Fraction

import pytest

from consult.extensions import db
from consult.recommendations.models import Amendment, Recommendation, RecommendationVersion
from consult.timeutil import utcnow
from consult.votes import services
from consult.votes.tally import Rules
from tests import factories

_numbers = itertools.count(1)

SIMPLE = Rules(
    basis="expressed", threshold_kind="more_than", threshold=Fraction(1, 2), college_rule="per_head"
)


def make_recommendation(rapporteur, state: str = "voting", title: str | None = None):
    """A recommendation with one version, straight into `state` (no lifecycle needed)."""
    n = next(_numbers)
    rec = Recommendation(
        reference=f"R-2026-{n:03d}",
        year=2026,
        sequence=n,
        title=title or f"Recommandation sur la fibre optique {n}",
        summary="Résumé.",
        state=state,
        rapporteur_id=rapporteur.id,
    )
    if hasattr(Recommendation, "audience"):
        rec.audience = "members" if state in ("deliberation", "consolidation") else "public"
    db.session.add(rec)
    db.session.flush()
    body = "Premier paragraphe.\n\nDeuxième paragraphe."
    version = RecommendationVersion(
        recommendation_id=rec.id,
        number=1,
        title=rec.title,
        summary=rec.summary,
        body=body,
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
        author_id=rapporteur.id,
    )
    db.session.add(version)
    db.session.flush()
    rec.current_version_id = version.id
    db.session.commit()
    return rec


def make_amendment(recommendation, author, state: str = "put_to_vote"):
    amendment = Amendment(
        recommendation_id=recommendation.id,
        base_version_id=recommendation.current_version_id,
        paragraph=2,
        original_text="Deuxième paragraphe.",
        kind="replace",
        text="Deuxième paragraphe, amendé.",
        justification="Plus clair.",
        state=state,
        author_id=author.id,
    )
    db.session.add(amendment)
    db.session.commit()
    return amendment


def make_poll(
    secretariat,
    recommendation=None,
    *,
    amendment=None,
    mode="roll_call",
    rules: Rules = SIMPLE,
    open_it=True,
    **schedule,
):
    poll = services.create_poll(
        secretariat,
        recommendation=recommendation,
        amendment=amendment,
        mode=mode,
        rules=rules,
        **schedule,
    )
    if open_it:
        services.open_poll(secretariat, poll)
    db.session.commit()
    return poll


def make_scheduled_poll(secretariat, recommendation, opens_in, closes_in, *, open_it=False):
    """A remote vote: opening and closing times from now (timedelta, negative for the past)."""
    now = utcnow()
    return make_poll(
        secretariat,
        recommendation,
        open_it=open_it,
        opens_at=now + opens_in,
        closes_at=now + closes_in,
    )


def vote(poll, voter, choice, actor=None):
    code = services.cast(actor or voter, poll, voter, choice)
    db.session.commit()
    return code


@pytest.fixture(autouse=True)
def _votes_context(request):
    """A request context (messages are translated lazily), and a clean teardown.

    recommendations.current_version_id and recommendation_versions refer to each other:
    the link is cut before the shared teardown empties the tables.
    """
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.test_request_context():
        yield
    db.session.rollback()
    db.session.execute(Recommendation.__table__.update().values(current_version_id=None))
    db.session.commit()


@pytest.fixture
def council(app, member):
    """Nine members, three per college; `member` (civil society) is the first civil one."""
    people = {"state": [], "private_sector": [], "civil_society": [member]}
    for college in ("state", "private_sector", "civil_society"):
        while len(people[college]) < 3:
            people[college].append(factories.MemberFactory(college=college))
    return people


@pytest.fixture
def recommendation(app, secretariat):
    return make_recommendation(secretariat)


@pytest.fixture
def roll_call_poll(council, secretariat, recommendation):
    return make_poll(secretariat, recommendation, mode="roll_call")


@pytest.fixture
def secret_poll(council, secretariat, recommendation):
    return make_poll(secretariat, recommendation, mode="secret")
