"""Building recommendations for tests through the services, as users would."""

from __future__ import annotations

from consult.extensions import db
from consult.recommendations import lifecycle, services
from consult.recommendations.models import Theme

from .. import factories

BODY = (
    "Le Conseil recommande la création d'un registre national des entreprises du numérique.\n\n"
    "Le registre recense les données d'identification des entreprises et leurs domaines "
    "d'activité.\n\n"
    "Sa tenue est confiée à l'autorité de régulation, qui publie un rapport annuel."
)

# The moves that bring a new draft to each state, and who makes them.
PATHS = {
    "draft": [],
    "deliberation": [("deliberation", "rapporteur")],
    "consultation": [("deliberation", "rapporteur"), ("consultation", "secretariat")],
    "consolidation": [
        ("deliberation", "rapporteur"),
        ("consultation", "secretariat"),
        ("consolidation", "system"),
    ],
    "voting": [
        ("deliberation", "rapporteur"),
        ("consultation", "secretariat"),
        ("consolidation", "system"),
        ("voting", "secretariat"),
    ],
}
PATHS["adopted"] = [*PATHS["voting"], ("adopted", "system")]
PATHS["rejected"] = [*PATHS["voting"], ("rejected", "system")]
PATHS["published"] = [*PATHS["adopted"], ("published", "secretariat")]
PATHS["withdrawn"] = [("withdrawn", "rapporteur")]


def theme_ids() -> list[int]:
    services.ensure_default_themes()
    return [t.id for t in db.session.scalars(db.select(Theme).order_by(Theme.position))]


def make_recommendation(
    rapporteur=None,
    *,
    state: str = "draft",
    title: str = "Registre national des entreprises du numérique",
    summary: str = "Identifier les entreprises du secteur pour mieux les accompagner.",
    body: str = BODY,
    secretariat=None,
    sponsors=(),
    themes=None,
):
    rapporteur = rapporteur or factories.MemberFactory()
    secretariat = secretariat or factories.SecretariatFactory()
    rec = services.create(
        rapporteur,
        title=title,
        summary=summary,
        body=body,
        theme_ids=themes or theme_ids()[:2],
    )
    for user in sponsors:
        services.add_sponsor(rapporteur, rec, user)
    actors = {"rapporteur": rapporteur, "secretariat": secretariat, "system": None}
    for to_state, actor in PATHS[state]:
        reason = "Motif de test" if lifecycle.MOVES[(rec.state, to_state)].reason else ""
        lifecycle.transition(actors[actor], rec, to_state, reason)
    db.session.commit()
    return rec


def new_version(rec, actor, body: str, note: str = "Révision"):
    version = services.edit(
        actor,
        rec,
        title=rec.title,
        summary=rec.summary,
        body=body,
        theme_ids=[t.id for t in rec.themes],
        change_note=note,
        base_version_id=rec.current_version_id,
    )
    db.session.commit()
    return version
