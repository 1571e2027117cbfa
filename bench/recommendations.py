"""Benchmark: server time of the recommendation pages, on SQLite, with 5,000 recommendations.

    .venv/bin/python bench/recommendations.py                     # the full run (make bench)
    .venv/bin/python bench/recommendations.py --recommendations 500 --requests 50   # quick
    .venv/bin/python bench/recommendations.py --profile detail     # where the time goes (cProfile)

What it does, in order:

1. creates a fresh SQLite file in a temporary folder (removed at the end unless --keep) and its
   schema: `flask db upgrade` when the migrations cover every table (`flask db check` passes),
   else `db.create_all()` (it says which);
2. writes the data in bulk with SQLAlchemy Core (executemany), as the services would have
   written it: 30 members (10 per college) and a secretariat, the default themes, and
   --recommendations recommendations in every state (mostly public ones), each with three
   versions (normalised Markdown of several paragraphs drawn from a French vocabulary, and
   the SHA-256 of each), its timeline of state changes, themes, co-sponsors and, once it has
   reached deliberation, --comments deliberation comments (some of them replies) pointing to
   real paragraphs of the version they were written on. The search document is built by the
   search module itself, and the FTS5 rows by the database's triggers. (The audit log is not
   written: no page measured here reads it.);
3. measures each kind of page as a visitor and as a member: a warm-up, then --requests
   requests, each one a WSGI call made in-process (`app(environ, start_response)`, the body
   read to its end), so that the figures are the server's time, without network or client;
   --rounds repeats the whole series, in turn, to see how steady the figures are;
4. prints p50, p95 and max in milliseconds per kind (wall clock, all rounds together), the
   median CPU time of this process per request (on a machine busy with other work the wall
   clock grows and the CPU time much less), the p95 of each round, and the load average
   before and after; exits 1 if a p95 is above --bar (30 ms).

The kinds: the list (page 1 and a deep page), a search ("registre", "données", and the two
words together, in turn), a recommendation's page (a random one each time) and the red-line
comparison of its v1 and v3. Talks to nothing outside this process.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from hashlib import sha512
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
USER_AGENT = "consult-bench/1"
COLLEGES = ("state", "private_sector", "civil_society")

# How the recommendations are spread over the states (most of them public).
STATE_SHARES = {
    "draft": 3,
    "deliberation": 7,
    "consultation": 20,
    "consolidation": 12,
    "voting": 8,
    "adopted": 15,
    "rejected": 5,
    "published": 27,
    "withdrawn": 3,
}
# The moves that bring a new draft to each state (as tests/recommendations/helpers.py).
PATHS = {
    "draft": [],
    "deliberation": ["deliberation"],
    "consultation": ["deliberation", "consultation"],
    "consolidation": ["deliberation", "consultation", "consolidation"],
    "voting": ["deliberation", "consultation", "consolidation", "voting"],
}
PATHS["adopted"] = [*PATHS["voting"], "adopted"]
PATHS["rejected"] = [*PATHS["voting"], "rejected"]
PATHS["published"] = [*PATHS["adopted"], "published"]
PATHS["withdrawn"] = ["deliberation", "consultation", "withdrawn"]

# --- French-ish text ------------------------------------------------------------------------

SUBJECTS = (
    "Le Conseil",
    "L'autorité de régulation",
    "Le ministère chargé de l'économie numérique",
    "Les opérateurs de télécommunications",
    "Les collectivités territoriales",
    "L'agence des technologies de l'information",
    "Les établissements d'enseignement supérieur",
    "Les jeunes entreprises du secteur",
    "Les banques et les institutions de microfinance",
    "La commission de protection des données personnelles",
    "Les administrations publiques",
    "Les organisations professionnelles",
)
VERBS = (
    "recommande",
    "veille à",
    "met en place",
    "publie chaque année",
    "encourage",
    "garantit",
    "renforce",
    "évalue",
    "harmonise",
    "soutient",
    "finance",
    "simplifie",
)
OBJECTS = (
    "un registre national des prestataires numériques",
    "la protection des données personnelles des usagers",
    "l'interopérabilité des systèmes d'information de l'État",
    "la couverture du réseau mobile dans les zones rurales",
    "la formation continue des agents publics",
    "l'hébergement local des données publiques",
    "la certification des compétences numériques",
    "les paiements mobiles et leur sécurité",
    "la cybersécurité des infrastructures critiques",
    "les normes techniques applicables aux équipements",
    "l'identifiant unique des entreprises",
    "la transparence des marchés publics du numérique",
    "le point d'échange Internet national",
    "l'accès des femmes aux métiers du numérique",
    "la qualité de service des fournisseurs d'accès",
    "la dématérialisation des procédures administratives",
    "le partage des infrastructures passives",
    "les centres de données de proximité",
    "la formation professionnelle aux métiers du développement",
    "l'ouverture des données publiques",
    "la protection des consommateurs en ligne",
    "le financement des incubateurs régionaux",
    "la labellisation des start-up",
    "l'archivage électronique des actes",
    "le commerce électronique transfrontalier",
    "la signature électronique des documents officiels",
    "la gestion des noms de domaine en .ml",
    "les tarifs de gros de la bande passante",
    "la télémédecine dans les centres de santé",
    "l'information des agriculteurs par téléphone mobile",
)
COMPLEMENTS = (
    "dans un délai de douze mois",
    "en concertation avec les trois collèges",
    "selon un calendrier rendu public",
    "avec un rapport annuel au Conseil",
    "dans chaque région du pays",
    "sur la base d'indicateurs mesurables",
    "en lien avec les partenaires techniques et financiers",
    "après une consultation publique",
    "dans le respect du code des communications électroniques",
    "au bénéfice des petites et moyennes entreprises",
    "y compris dans le district de Bamako",
    "en tenant compte des contraintes budgétaires",
)
TITLE_STEMS = (
    "Registre national des prestataires numériques",
    "Protection des données personnelles",
    "Interopérabilité des systèmes d'information publics",
    "Couverture mobile des zones rurales",
    "Compétences numériques des agents publics",
    "Hébergement local des données publiques",
    "Certification des compétences numériques",
    "Sécurité des paiements mobiles",
    "Cybersécurité des infrastructures critiques",
    "Normalisation des équipements",
    "Identifiant unique des entreprises",
    "Ouverture des données publiques",
    "Point d'échange Internet national",
    "Femmes et métiers du numérique",
    "Télémédecine et santé numérique",
    "Agriculture et information mobile",
)
TITLE_QUALIFIERS = (
    "principes et calendrier",
    "cadre de mise en œuvre",
    "première étape",
    "rôle des collectivités",
    "financement",
    "suivi et évaluation",
    "dispositions transitoires",
    "volet régional",
)
COMMENT_SENTENCES = (
    "Je soutiens ce paragraphe.",
    "Le délai proposé me paraît trop court pour les collectivités.",
    "Il faudrait préciser qui finance cette mesure.",
    "Les opérateurs ont déjà engagé des travaux sur ce point.",
    "Ce paragraphe rejoint la position de notre collège.",
    "La rédaction pourrait être plus précise sur les données concernées.",
    "Nous proposons d'ajouter un indicateur de suivi.",
    "Ce point devrait relever d'un décret plutôt que d'une recommandation.",
    "L'expérience d'autres pays de la sous-région va dans ce sens.",
    "Attention à la charge administrative pour les petites entreprises.",
    "Le registre doit rester gratuit pour les inscrits.",
    "Merci au rapporteur pour cette nouvelle version.",
)
CHANGE_NOTES = (
    "Précisions après la délibération",
    "Prise en compte des remarques du collège du secteur privé",
    "Calendrier revu",
    "Reformulation du dispositif",
    "Ajout d'un indicateur de suivi",
    "Corrections de forme",
)
ORGANISATIONS = {
    "state": (
        "Ministère de l'Économie numérique",
        "AMRTP",
        "Agence des TIC",
        "Direction du budget",
    ),
    "private_sector": (
        "Orange Mali",
        "Moov Africa Malitel",
        "OPI Numérique",
        "Banque de l'Habitat",
    ),
    "civil_society": (
        "Association des consommateurs",
        "Université de Bamako",
        "Réseau des femmes du numérique",
        "Ligue des droits numériques",
    ),
}


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"{rng.choice(COMPLEMENTS)}."
    )


def paragraph(rng: random.Random) -> str:
    if rng.random() < 0.12:  # a list
        items = [f"- {rng.choice(OBJECTS)} ;" for _ in range(rng.randint(2, 4))]
        return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} :\n" + "\n".join(items)
    text = " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
    if rng.random() < 0.2:  # some bold
        word = rng.choice(OBJECTS)
        text = text.replace(word, f"**{word}**", 1)
    return text


def three_bodies(rng: random.Random) -> list[list[str]]:
    """v1, v2 (a paragraph rewritten, sometimes one added), v3 (another rewritten or removed)."""
    v1 = [paragraph(rng) for _ in range(rng.randint(5, 8))]
    v2 = list(v1)
    v2[rng.randrange(len(v2))] = paragraph(rng)
    if rng.random() < 0.5:
        v2.insert(rng.randrange(len(v2) + 1), paragraph(rng))
    v3 = list(v2)
    if rng.random() < 0.3:
        del v3[rng.randrange(len(v3))]
    else:
        v3[rng.randrange(len(v3))] = paragraph(rng)
    return [v1, v2, v3]


# --- the database ---------------------------------------------------------------------------


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(BIN / "flask"), "--app", "wsgi.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def make_schema(url: str, app) -> str:
    """Migrations if they cover the models, else create_all() on the fresh file."""
    env = {**os.environ, "DATABASE_URL": url, "CONSULT_ENV": "development"}
    upgrade = flask(env, "db", "upgrade")
    check = flask(env, "db", "check") if upgrade.returncode == 0 else None
    if check is not None and check.returncode == 0:
        return "flask db upgrade (flask db check: the migrations cover every table)"
    from consult.extensions import db

    path = Path(url.removeprefix("sqlite:///"))
    path.unlink(missing_ok=True)
    with app.app_context():
        db.create_all()
    why = (upgrade.stderr if check is None else check.stdout + check.stderr).strip()
    return f"db.create_all() (migrations incomplete: {why.splitlines()[-1][:100] if why else '?'})"


@dataclass
class Data:
    members: list = field(default_factory=list)  # SimpleNamespace(id, college, organisation)
    secretariat_id: int = 0
    visible: dict = field(default_factory=dict)  # role -> references readable by that role
    pages: int = 0
    counts: dict = field(default_factory=dict)


def make_users(db, rng) -> tuple[list, int]:
    from consult.accounts.models import User

    members = []
    for college in COLLEGES:
        for i in range(10):
            members.append(
                User(
                    email=f"{college}-{i}@bench.example",
                    display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    role="member",
                    college=college,
                    organisation=ORGANISATIONS[college][i % 4],
                    locale="fr",
                    password_hash="not-used",  # noqa: S106
                    email_verified_at=datetime(2025, 1, 1),
                )
            )
    secretariat = User(
        email="secretariat@bench.example",
        display_name="Secrétariat permanent",
        role="secretariat",
        locale="fr",
        password_hash="not-used",  # noqa: S106
        email_verified_at=datetime(2025, 1, 1),
    )
    db.session.add_all([*members, secretariat])
    db.session.commit()
    plain = [
        SimpleNamespace(id=m.id, college=m.college, organisation=m.organisation) for m in members
    ]
    return plain, secretariat.id


FIRST_NAMES = ("Awa", "Ibrahim", "Mariam", "Moussa", "Fatoumata", "Boubacar", "Aminata", "Oumar")
LAST_NAMES = ("Diarra", "Touré", "Sangaré", "Keïta", "Coulibaly", "Traoré", "Sidibé", "Dembélé")


def fill(app, count: int, comments_each: int, seed: int) -> Data:
    """Write everything with executemany, as the services would have written it."""
    from sqlalchemy import bindparam, insert, select, update

    from consult.extensions import db
    from consult.numbering import Counter
    from consult.recommendations import services
    from consult.recommendations.lifecycle import AUDIENCE_BY_STATE
    from consult.recommendations.models import (
        DeliberationComment,
        Recommendation,
        RecommendationVersion,
        Sponsorship,
        StateChange,
        Theme,
        recommendation_themes,
    )
    from consult.recommendations.search import document_for
    from consult.recommendations.text import content_hash, join_paragraphs, split_paragraphs

    rng = random.Random(seed)
    data = Data()
    with app.app_context():
        data.members, data.secretariat_id = make_users(db, rng)
        services.ensure_default_themes()
        db.session.commit()
        theme_ids = list(db.session.scalars(select(Theme.id)))
        # Every SQLite transaction takes the write lock (BEGIN IMMEDIATE): end this one.
        db.session.remove()
        member_ids = [m.id for m in data.members]
        by_id = {m.id: m for m in data.members}

        states = [s for s, share in STATE_SHARES.items() for _ in range(share)]
        recs, versions, changes, links, sponsors, comments = [], [], [], [], [], []
        counters: dict[int, int] = {}
        version_id = comment_id = change_id = 0
        start = datetime(2025, 1, 6, 8, 0)
        span = (datetime(2026, 11, 20) - start).total_seconds()
        for rec_id in range(1, count + 1):
            state = rng.choice(states)
            created = start + timedelta(seconds=rng.random() * span * 0.8)
            sequence = counters[created.year] = counters.get(created.year, 0) + 1
            rapporteur = rng.choice(member_ids)
            title = f"{rng.choice(TITLE_STEMS)} : {rng.choice(TITLE_QUALIFIERS)}"
            summary = " ".join(sentence(rng) for _ in range(rng.randint(1, 2)))
            clock = created

            def later(hours: float = 72.0) -> datetime:
                nonlocal clock
                clock += timedelta(hours=rng.uniform(1, hours))
                return clock

            bodies = [join_paragraphs(split_paragraphs("\n\n".join(b))) for b in three_bodies(rng)]
            version_rows = []
            for number, body in enumerate(bodies, start=1):
                version_id += 1
                version_rows.append(
                    {
                        "id": version_id,
                        "recommendation_id": rec_id,
                        "number": number,
                        "title": title,
                        "summary": summary,
                        "body": body,
                        "content_hash": content_hash(body),
                        "change_note": "" if number == 1 else rng.choice(CHANGE_NOTES),
                        "author_id": rapporteur,
                        "created_at": created,
                    }
                )
            v1, v2, v3 = version_rows
            timeline = [(created, None, "draft", rapporteur, v1)]
            # v2 while a draft; then the deliberation, with the comments and v3 amid them.
            v2["created_at"] = later()
            path = PATHS[state]
            if not path:
                v3["created_at"] = later()
            else:
                opened = later()
                timeline.append((opened, "draft", "deliberation", rapporteur, v2))
                closed = later(24 * 30)
                v3["created_at"] = opened + (closed - opened) * rng.uniform(0.3, 0.8)
                comments += make_comments(
                    rng, comments_each, rec_id, (v2, v3), (opened, closed), comment_id, by_id
                )
                comment_id += comments_each
                previous = "deliberation"
                for to_state in path[1:]:
                    actor = {"withdrawn": rapporteur, "adopted": None, "rejected": None}.get(
                        to_state, data.secretariat_id
                    )
                    timeline.append((later(24 * 20), previous, to_state, actor, v3))
                    previous = to_state
            audience = "authors"
            for at, from_state, to_state, actor, version in timeline:
                change_id += 1
                changes.append(
                    {
                        "id": change_id,
                        "recommendation_id": rec_id,
                        "from_state": from_state,
                        "to_state": to_state,
                        "actor_id": actor,
                        "reason": "Motif présenté en séance." if to_state == "withdrawn" else "",
                        "version_id": version["id"],
                        "created_at": at,
                    }
                )
                audience = AUDIENCE_BY_STATE.get(to_state, audience)
            current = v3
            versions += version_rows
            reference = f"R-{created.year}-{sequence:03d}"
            document = document_for(
                SimpleNamespace(reference=reference, title=title, summary=summary), current["body"]
            )
            recs.append(
                {
                    "id": rec_id,
                    "reference": reference,
                    "year": created.year,
                    "sequence": sequence,
                    "title": title,
                    "summary": summary,
                    "state": state,
                    "audience": audience,
                    "search_document": document,
                    "rapporteur_id": rapporteur,
                    "current_version_id": None,
                    "created_at": created,
                    "updated_at": max(v3["created_at"], changes[-1]["created_at"]),
                    "state_changed_at": changes[-1]["created_at"],
                    "_current": current["id"],
                }
            )
            for theme_id in rng.sample(theme_ids, rng.randint(1, 3)):
                links.append({"recommendation_id": rec_id, "theme_id": theme_id})
            others = [m for m in member_ids if m != rapporteur]
            for user_id in rng.sample(others, rng.randint(0, 3)):
                sponsors.append(
                    {
                        "recommendation_id": rec_id,
                        "user_id": user_id,
                        "added_at": created + timedelta(minutes=rng.randint(5, 600)),
                    }
                )

        current_ids = [{"rid": r["id"], "vid": r.pop("_current")} for r in recs]
        with db.engine.begin() as conn:
            conn.execute(insert(Recommendation), recs)
            conn.execute(insert(RecommendationVersion), versions)
            conn.execute(
                update(Recommendation)
                .where(Recommendation.id == bindparam("rid"))
                .values(current_version_id=bindparam("vid")),
                current_ids,
            )
            conn.execute(insert(recommendation_themes), links)
            conn.execute(insert(Sponsorship), sponsors)
            conn.execute(insert(StateChange), changes)
            if comments:
                conn.execute(insert(DeliberationComment), comments)
            conn.execute(
                insert(Counter),
                [{"kind": "recommendation", "year": y, "last": n} for y, n in counters.items()],
            )
        db.session.remove()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()

        data.visible["visitor"] = [r["reference"] for r in recs if r["audience"] == "public"]
        data.visible["member"] = [
            r["reference"] for r in recs if r["audience"] in ("public", "members")
        ] + [
            r["reference"]
            for r in recs
            if r["audience"] == "authors" and r["rapporteur_id"] == data.members[0].id
        ]
        data.pages = -(-len(data.visible["visitor"]) // app.config["PAGE_SIZE"])
        data.counts = {
            "recommendations": len(recs),
            "versions": len(versions),
            "comments": len(comments),
            "state changes": len(changes),
        }
    return data


def make_comments(rng, n, rec_id, versions, window, first_id, by_id):
    """n comments (about a quarter of them replies) in the window, on real paragraphs of the
    version current when each was written (v2, then v3 once it exists)."""
    from consult.recommendations.text import split_paragraphs

    before, after = versions
    opened, closed = window
    counts = {v["id"]: len(split_paragraphs(v["body"])) for v in versions}
    rows = []
    span = (closed - opened).total_seconds()
    moments = sorted(opened + timedelta(seconds=rng.random() * span) for _ in range(n))
    for i, at in enumerate(moments):
        parent = rows[rng.randrange(len(rows))] if rows and rng.random() < 0.25 else None
        if parent is not None and parent["depth"] >= 2:
            parent = None
        author = rng.choice(list(by_id))
        if parent is None:
            version_id = (before if at < after["created_at"] else after)["id"]
            number = rng.randint(1, counts[version_id]) if rng.random() < 0.75 else None
            depth, stance = 0, rng.choice(("for", "against", "neutral"))
        else:
            version_id, number = parent["version_id"], parent["paragraph"]
            depth, stance = parent["depth"] + 1, None
        rows.append(
            {
                "id": first_id + i + 1,
                "recommendation_id": rec_id,
                "version_id": version_id,
                "paragraph": number,
                "parent_id": parent["id"] if parent else None,
                "depth": depth,
                "stance": stance,
                "body": " ".join(rng.sample(COMMENT_SENTENCES, rng.randint(1, 3))),
                "author_id": author,
                "author_college": by_id[author].college,
                "author_organisation": by_id[author].organisation,
                "created_at": at,
            }
        )
    return rows


# --- the measures ---------------------------------------------------------------------------


class Caller:
    """WSGI calls made in-process, with a browser's cookie kept from one request to the next."""

    def __init__(self, app, user=None):
        from werkzeug.test import EnvironBuilder

        self.app = app
        self.builder = EnvironBuilder
        self.cookie = ""
        if user is not None:
            session = {
                "_user_id": user.get_id(),
                "_fresh": True,
                "_id": sha512(USER_AGENT.encode()).hexdigest(),
            }
            signer = app.session_interface.get_signing_serializer(app)
            self.cookie = f"{app.config['SESSION_COOKIE_NAME']}={signer.dumps(session)}"

    def get(self, path: str) -> tuple[int, float, float]:
        """(status, wall-clock ms, CPU ms of this process) of one request."""
        headers = {"User-Agent": USER_AGENT, "Accept-Language": "fr"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        environ = self.builder(path=path, base_url="https://consult.example", headers=headers)
        environ = environ.get_environ()
        status = []

        def start_response(line, response_headers, exc_info=None):
            status.append(int(line.split()[0]))
            for name, value in response_headers:
                if name.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = value.split(";", 1)[0]

        begin, cpu = time.perf_counter(), time.process_time()
        body = self.app(environ, start_response)
        try:
            b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        wall, cpu = time.perf_counter() - begin, time.process_time() - cpu
        return status[0], wall * 1000, cpu * 1000


def kinds(data: Data, role: str, rng: random.Random) -> dict:
    refs = data.visible[role]
    deep = max(1, int(data.pages * 0.9))
    queries = ("registre", "donn%C3%A9es", "registre+donn%C3%A9es")
    counter = iter(range(10**9))
    return {
        "list, page 1": lambda: "/recommendations/",
        f"list, page {deep}": lambda: f"/recommendations/?page={deep}",
        "search": lambda: f"/recommendations/?q={queries[next(counter) % 3]}",
        "recommendation page": lambda: f"/recommendations/{rng.choice(refs)}",
        "compare v1 → v3": lambda: f"/recommendations/{rng.choice(refs)}/compare?from=1&to=3",
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(caller: Caller, make_path, warmup: int, requests: int) -> tuple[list, list]:
    """Wall-clock and CPU milliseconds of `requests` requests, after `warmup` unmeasured."""
    walls, cpus = [], []
    for number in range(warmup + requests):
        path = make_path()
        status, wall, cpu = caller.get(path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        if number >= warmup:
            walls.append(wall)
            cpus.append(cpu)
    return walls, cpus


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=5000)
    parser.add_argument("--comments", type=int, default=20, help="per recommendation")
    parser.add_argument("--requests", type=int, default=200, help="measured, per kind and role")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured, per kind and role")
    parser.add_argument("--bar", type=float, default=30.0, help="the p95 to stay under, in ms")
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every kind this many times, in turn"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    parser.add_argument(
        "--profile",
        metavar="KIND",
        help="profile the member's requests of the kinds containing this word, with cProfile",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("SECRET_KEY", os.urandom(16).hex())
    from consult import create_app
    from consult.accounts.models import User
    from consult.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    print(f"Consult benchmark: recommendation pages, {datetime.now():%Y-%m-%d %H:%M}")
    print(f"load average before: {load()}")
    try:
        app = create_app(
            "production",
            SQLALCHEMY_DATABASE_URI=url,
            MAIL_BACKEND="memory",
            RATELIMIT_ENABLED=False,
        )
        print(f"database: {url}; schema by {make_schema(url, app)}")
        begin = time.perf_counter()
        data = fill(app, args.recommendations, args.comments, args.seed)
        print(
            "data: "
            + ", ".join(f"{n:,} {what}" for what, n in data.counts.items())
            + f" ({time.perf_counter() - begin:.0f} s); "
            + f"{len(data.visible['visitor']):,} public ({data.pages} list pages)"
        )
        with app.app_context():
            member = db.session.get(User, data.members[0].id)
            callers = {"visitor": Caller(app), "member": Caller(app, member)}
            db.session.remove()

        rng = random.Random(args.seed)
        walls: dict = {}
        cpus: dict = {}
        round_p95: dict = {}
        for _round in range(args.rounds):
            for role in ("visitor", "member"):
                for kind, make_path in kinds(data, role, rng).items():
                    profiler = None
                    if args.profile and args.profile in kind and role == "member":
                        profiler = cProfile.Profile()
                        profiler.enable()
                    wall, cpu = measure(callers[role], make_path, args.warmup, args.requests)
                    if profiler is not None:
                        profiler.disable()
                        stats = pstats.Stats(profiler)
                        stats.sort_stats("cumulative").print_stats(30)
                        stats.sort_stats("tottime").print_stats(25)
                    walls.setdefault((kind, role), []).extend(wall)
                    cpus.setdefault((kind, role), []).extend(cpu)
                    round_p95.setdefault((kind, role), []).append(percentile(wall, 0.95))
        print(
            f"\n{args.requests} requests per line and round ({args.rounds} round(s)), after "
            f"{args.warmup} of warm-up each; server time in ms (wall clock; CPU: this process)"
        )
        print(
            f"{'page':<22} {'as':<8} {'p50':>6} {'p95':>6} {'max':>6} {'CPU p50':>8}"
            + ("  p95 by round" if args.rounds > 1 else "")
        )
        missed = []
        for (kind, role), wall in walls.items():
            p50, p95 = statistics.median(wall), percentile(wall, 0.95)
            by_round = " ".join(f"{x:.1f}" for x in round_p95[(kind, role)])
            print(
                f"{kind:<22} {role:<8} {p50:6.1f} {p95:6.1f} {max(wall):6.1f} "
                f"{statistics.median(cpus[(kind, role)]):8.1f}"
                + (f"  {by_round}" if args.rounds > 1 else "")
            )
            if p95 > args.bar:
                missed.append(f"{kind} ({role}): p95 {p95:.1f} ms")
        print(f"\nload average after: {load()}")
        if missed:
            print(f"above the bar of {args.bar:g} ms: " + "; ".join(missed))
            return 1
        print(f"every p95 under {args.bar:g} ms")
        return 0
    finally:
        if args.keep:
            print(f"kept: {folder / 'bench.db'}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
