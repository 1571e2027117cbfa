"""Full-text search and filters, on SQLite (FTS5) and PostgreSQL (French text search)."""

from __future__ import annotations

import pytest

from consult.extensions import db
from consult.recommendations import search
from consult.recommendations.models import Theme

from .. import factories
from .helpers import make_recommendation, new_version, theme_ids


@pytest.fixture
def corpus(app, secretariat):
    hosting = make_recommendation(
        state="consultation",
        secretariat=secretariat,
        title="Hébergement des données publiques",
        summary="Souveraineté numérique.",
        body="Les données des administrations sont hébergées au Mali.\n\nUn plan est publié.",
    )
    mobile = make_recommendation(
        state="adopted",
        secretariat=secretariat,
        title="Interopérabilité du mobile money",
        summary="Paiements entre opérateurs.",
        body="Les plateformes de paiement mobile deviennent interopérables.",
    )
    draft = make_recommendation(
        secretariat=secretariat,
        title="Brouillon sur les données",
        body="Texte confidentiel sur les données.",
    )
    return {"hosting": hosting, "mobile": mobile, "draft": draft}


def _found(client, query: str, **filters) -> set[str]:
    response = client.get("/recommendations/", query_string={"q": query, **filters})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {ref for ref in _refs(page)}


def _refs(page: str) -> list[str]:
    import re

    return re.findall(r'<span class="ref">(R-\d{4}-\d+)</span>', page)


@pytest.mark.parametrize("query", ["données", "donnees", "DONNÉES", "Donnee"])
def test_accents_and_case_do_not_matter(client, corpus, query):
    assert _found(client, query) == {corpus["hosting"].reference}


def test_prefixes_and_several_words(client, corpus):
    assert _found(client, "interop") == {corpus["mobile"].reference}
    assert _found(client, "paiement mobile") == {corpus["mobile"].reference}
    assert _found(client, "paiement hébergées") == set()


def test_search_covers_the_current_text_only(client, corpus, secretariat):
    rec = corpus["mobile"]
    assert _found(client, "plateformes") == {rec.reference}
    hosting = corpus["hosting"]
    hosting.state = "consolidation"
    db.session.commit()
    new_version(hosting, secretariat, "Un texte entièrement réécrit sur le cloud souverain.")
    assert _found(client, "hébergées") == set()
    assert _found(client, "cloud") == {hosting.reference}


def test_drafts_never_appear_in_results_for_others(client, corpus):
    assert corpus["draft"].reference not in _found(client, "brouillon")
    assert corpus["draft"].reference not in _found(client, "confidentiel")


def test_punctuation_only_or_odd_queries_do_not_break(client, corpus):
    for query in ['"', "*", "AND OR NOT", "données)", "-- ; DROP TABLE", "NEAR(a b)"]:
        response = client.get("/recommendations/", query_string={"q": query})
        assert response.status_code == 200, query


def test_stemming_on_postgresql(client, corpus):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("French stemming is PostgreSQL's; SQLite matches prefixes instead")
    # "héberger" shares its stem with "hébergées"; "publiques" with "public".
    assert _found(client, "héberger") == {corpus["hosting"].reference}
    assert _found(client, "publique") == {corpus["hosting"].reference}


def test_filters_by_state_theme_and_college(client, secretariat):
    ids = theme_ids()
    state_member = factories.MemberFactory(college="state")
    civil_member = factories.MemberFactory(college="civil_society")
    a = make_recommendation(
        state_member, state="consultation", themes=[ids[0]], secretariat=secretariat
    )
    b = make_recommendation(civil_member, state="voting", themes=[ids[1]], secretariat=secretariat)
    assert _found(client, "", state="voting") == {b.reference}
    assert _found(client, "", theme=str(ids[0])) == {a.reference}
    assert _found(client, "", college="civil_society") == {b.reference}
    assert _found(client, "", college="nowhere", theme="x", state="zzz") == {
        a.reference,
        b.reference,
    }


def test_pagination(client, secretariat, app):
    member = factories.MemberFactory()
    for i in range(app.config["PAGE_SIZE"] + 3):
        make_recommendation(
            member, state="consultation", title=f"Texte {i}", secretariat=secretariat
        )
    first = _refs(client.get("/recommendations/").get_data(as_text=True))
    second = _refs(client.get("/recommendations/?page=2").get_data(as_text=True))
    assert len(first) == app.config["PAGE_SIZE"] and len(second) == 3
    assert not set(first) & set(second)


def test_fold():
    assert search.fold("Données ŒUVRE Ségou") == "donnees oeuvre segou"
    assert search.terms("  L'État,  les données! ") == ["l", "etat", "les", "donnees"]


def test_deactivated_theme_stays_in_the_filter_list(client, corpus):
    theme = db.session.get(Theme, theme_ids()[0])
    theme.active = False
    db.session.commit()
    assert str(theme.id) in client.get("/recommendations/").get_data(as_text=True)


def test_best_match_first_on_request(client, secretariat):
    member = factories.MemberFactory()
    weak = make_recommendation(
        member,
        state="consultation",
        secretariat=secretariat,
        title="Connectivité rurale",
        body="Un mot sur le label.\n\nRien d'autre.\n\nFin.",
    )
    strong = make_recommendation(
        member,
        state="consultation",
        secretariat=secretariat,
        title="Label label label des prestataires",
        body="Le label qualité.\n\nLe label est public.\n\nLabel.",
    )
    newest_first = _refs(client.get("/recommendations/?q=label").get_data(as_text=True))
    assert newest_first == [strong.reference, weak.reference]
    db.session.get(type(weak), weak.id).updated_at = strong.updated_at.replace(year=2099)
    db.session.commit()
    newest_first = _refs(client.get("/recommendations/?q=label").get_data(as_text=True))
    best_first = _refs(
        client.get("/recommendations/?q=label&sort=relevance").get_data(as_text=True)
    )
    assert newest_first == [weak.reference, strong.reference]
    assert best_first == [strong.reference, weak.reference]
