"""Demo data (every state, through the services) and the secretariat's themes."""

from __future__ import annotations

from sqlalchemy import func, select

from consult import demo as council_demo
from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.recommendations import services
from consult.recommendations.models import (
    AMENDMENT_STATES,
    STATES,
    Amendment,
    CommentRevision,
    DeliberationComment,
    Recommendation,
    RecommendationVersion,
    StateChange,
    Theme,
)
from consult.recommendations.text import split_paragraphs

from ..conftest import login_as
from ..helpers import t


def test_demo_covers_every_state_through_the_services(client, app):
    council_demo.seed()
    db.session.commit()
    recs = db.session.scalars(select(Recommendation)).all()
    assert {r.state for r in recs} == set(STATES)
    assert {a.state for a in db.session.scalars(select(Amendment))} == set(AMENDMENT_STATES)
    versions = dict(
        db.session.execute(
            select(RecommendationVersion.recommendation_id, func.count()).group_by(
                RecommendationVersion.recommendation_id
            )
        ).all()
    )
    assert sum(1 for n in versions.values() if n > 1) >= 3
    comments = db.session.scalars(select(DeliberationComment)).all()
    assert any(c.depth == 2 for c in comments)
    assert {c.deleted_by_role for c in comments} >= {"author", "secretariat"}
    assert db.session.scalar(select(func.count()).select_from(CommentRevision)) >= 3
    for rec in recs:
        assert len(split_paragraphs(rec.current_version.body)) >= 3, rec.reference
        # every state was reached by a recorded move
        last = db.session.scalar(
            select(StateChange.to_state)
            .where(StateChange.recommendation_id == rec.id)
            .order_by(StateChange.id.desc())
            .limit(1)
        )
        assert last == rec.state
    moves = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "recommendation.transition")
    ).all()
    assert any(e.actor_id is None and e.data["to"] == "adopted" for e in moves)
    assert all(e.actor_id is not None for e in moves if e.data["to"] == "published")

    # Every page of every recommendation renders for the secretariat.
    from consult.accounts.models import User

    login_as(client, db.session.scalar(select(User).where(User.role == "secretariat")))
    for rec in recs:
        for suffix in ("", "/versions", "/compare", "/amendments", "/sponsors"):
            response = client.get(f"/recommendations/{rec.reference}{suffix}")
            assert response.status_code == 200, (rec.reference, suffix)
    for amendment in db.session.scalars(select(Amendment)):
        rec = db.session.get(Recommendation, amendment.recommendation_id)
        url = f"/recommendations/{rec.reference}/amendments/{amendment.id}"
        assert client.get(url).status_code == 200

    # Running it again changes nothing.
    council_demo.seed()
    assert db.session.scalar(select(func.count()).select_from(Recommendation)) == len(recs)


def test_default_themes_are_idempotent(app):
    services.ensure_default_themes()
    services.ensure_default_themes()
    themes = db.session.scalars(select(Theme)).all()
    assert len(themes) == len(services.DEFAULT_THEMES) == 11
    assert {t.name_fr for t in themes} >= {"Santé numérique", "Finance numérique"}
    assert {t.name_en for t in themes} >= {"E-government", "Digital agriculture"}


def test_a_new_database_gets_the_default_themes_when_writing(client, member):
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 0
    login_as(client, member)
    page = client.get("/recommendations/new").get_data(as_text=True)
    assert "Santé numérique" in page or "Digital health" in page
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 11
    assert db.session.scalar(select(AuditEntry.action)) == "theme.seed"


def test_secretariat_adds_renames_and_deactivates_themes(client, secretariat, member):
    services.ensure_default_themes()
    db.session.commit()
    login_as(client, secretariat)
    response = client.post(
        "/secretariat/themes", data={"name_fr": "Cartographie", "name_en": "Mapping"}
    )
    assert response.status_code == 302
    theme = db.session.scalar(select(Theme).where(Theme.name_en == "Mapping"))
    assert theme.code == "mapping" and theme.active
    duplicate = client.post(
        "/secretariat/themes", data={"name_fr": "cartographie", "name_en": "Maps"}
    )
    assert duplicate.status_code == 400
    assert t("A theme with this name already exists.") in duplicate.get_data(as_text=True)
    response = client.post(
        f"/secretariat/themes/{theme.id}",
        data={"name_fr": "Géomatique", "name_en": "Geomatics"},  # active unticked
    )
    assert response.status_code == 302
    db.session.expire_all()
    theme = db.session.get(Theme, theme.id)
    assert (theme.name_fr, theme.active) == ("Géomatique", False)
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.startswith("theme."))
        .order_by(AuditEntry.id)
    ).all()
    assert actions[-2:] == ["theme.create", "theme.deactivate"]
    # A deactivated theme is no longer offered to writers.
    login_as(client, member)
    page = client.get("/recommendations/new").get_data(as_text=True)
    assert "Géomatique" not in page
    assert client.get("/secretariat/themes/999999").status_code == 403
