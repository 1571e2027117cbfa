"""Every list and detail page runs a fixed number of SQL queries, whatever the amount of data.

Each page is measured with 2 items, then again once 18 more exist (recommendations, versions,
comments, amendments, co-sponsors): the counts must be equal. The session is emptied before
each measured request, as it is for every request in production.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from consult.accounts.models import User
from consult.extensions import db
from consult.recommendations import services
from consult.recommendations.lifecycle import AUDIENCE_BY_STATE
from consult.recommendations.models import Recommendation

from .. import factories
from ..conftest import login_as
from .helpers import BODY, make_recommendation, new_version


@contextmanager
def counting():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries(client, url: str) -> int:
    db.session.remove()  # a fresh session, as each production request has
    with counting() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def _grow_list(secretariat_id, rapporteur_ids, n):
    secretariat = db.session.get(User, secretariat_id)
    rapporteurs = [db.session.get(User, i) for i in rapporteur_ids]
    for i in range(n):
        make_recommendation(
            rapporteurs[i % len(rapporteurs)],
            state="consultation",
            secretariat=secretariat,
            title=f"Données et registre numéro {i}",
            sponsors=[rapporteurs[(i + 1) % len(rapporteurs)]],
        )


@pytest.mark.parametrize("role", ["visitor", "member", "secretariat"])
def test_lists_and_search(client, secretariat, role):
    colleges = ("state", "private_sector", "civil_society")
    rapporteur_ids = [factories.MemberFactory(college=c).id for c in colleges]
    reader_id = {"visitor": None, "member": rapporteur_ids[0], "secretariat": secretariat.id}[role]
    secretariat_id = secretariat.id
    urls = [
        "/recommendations/",
        "/recommendations/?q=donnees",
        "/recommendations/?q=donnees&sort=relevance",
        "/recommendations/?q=registre&state=consultation&college=state",
        "/recommendations/?theme=1&page=1",
        "/",
    ]

    def measure():
        if reader_id is not None:
            login_as(client, db.session.get(User, reader_id))
        return {url: queries(client, url) for url in urls}

    _grow_list(secretariat_id, rapporteur_ids, 2)
    small = measure()
    _grow_list(secretariat_id, rapporteur_ids, 18)
    assert measure() == small


def _grow_rec(rec_id, rapporteur_id, member_ids, n, start):
    rec = db.session.get(Recommendation, rec_id)
    rapporteur = db.session.get(User, rapporteur_id)
    members = [db.session.get(User, i) for i in member_ids]
    for i in range(start, start + n):
        new_version(rec, rapporteur, BODY + f"\n\nParagraphe ajouté {i}.", f"Ajout {i}")
        author = members[i % len(members)]
        top = services.add_comment(author, rec, body=f"Avis {i}", stance="for", paragraph=1 + i % 3)
        services.add_comment(members[0], rec, body=f"Réponse {i}", stance=None, parent=top)
        services.propose_amendment(
            author,
            rec,
            base_version=rec.current_version,
            paragraph=1 + i % 3,
            kind="replace",
            text=f"Texte proposé {i}",
            justification="Plus précis.",
        )
        if i % 2:
            services.delete_comment(author, top)
    db.session.commit()


def _set_state(rec_id, state):
    rec = db.session.get(Recommendation, rec_id)
    rec.state, rec.audience = state, AUDIENCE_BY_STATE[state]
    db.session.commit()


@pytest.mark.parametrize("role", ["visitor", "member", "secretariat"])
def test_recommendation_pages(client, secretariat, role):
    rapporteur = factories.MemberFactory()
    members = [factories.MemberFactory() for _ in range(4)]
    rec = make_recommendation(
        rapporteur, state="deliberation", secretariat=secretariat, sponsors=members[:2]
    )
    ref, rec_id = rec.reference, rec.id
    ids = (rapporteur.id, [m.id for m in members])
    reader_id = {"visitor": None, "member": members[0].id, "secretariat": secretariat.id}[role]
    urls = [
        f"/recommendations/{ref}",
        f"/recommendations/{ref}/versions",
        f"/recommendations/{ref}/versions/1",
        f"/recommendations/{ref}/compare?from=1&to=2",
        f"/recommendations/{ref}/sponsors",
    ]
    if reader_id is not None:
        urls += [f"/recommendations/{ref}/amendments", f"/recommendations/{ref}/comments/new"]

    def measure():
        if reader_id is None:  # the public reads it once it is in consultation
            _set_state(rec_id, "consultation")
        else:
            login_as(client, db.session.get(User, reader_id))
        counts = {url: queries(client, url) for url in urls}
        if reader_id is None:
            _set_state(rec_id, "deliberation")
        return counts

    _grow_rec(rec_id, *ids, 2, 0)
    small = measure()
    _grow_rec(rec_id, *ids, 18, 2)
    assert measure() == small
