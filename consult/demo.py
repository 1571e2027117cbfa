"""`flask consult demo`: a realistic French demo council. Safe to run twice."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

DEMO_PASSWORD = "consult-demo-2026"  # noqa: S105  (demo data only, printed to the operator)
# A fixed secret so the demo's secretariat can log in with any authenticator app
# (base32: letters and the digits 2 to 7 only).
DEMO_TOTP_SECRET = "CSNDEMOSECRETARIATMALIBAMAKOAAAA"  # noqa: S105  (demo data only)
SECRETARIAT_EMAIL = "secretariat@csn.example"

MEMBERS = {
    "state": [
        (
            "Aminata Traoré",
            "Ministère de la Communication, de l'Économie numérique "
            "et de la Modernisation de l'Administration",
            "Conseillère technique",
        ),
        (
            "Boubacar Diallo",
            "Autorité malienne de régulation des télécommunications, des TIC et des postes (AMRTP)",
            "Directeur de la réglementation",
        ),
        (
            "Fatoumata Keïta",
            "Agence des technologies de l'information et de la communication (AGETIC)",
            "Directrice générale adjointe",
        ),
        (
            "Moussa Coulibaly",
            "Ministère de l'Enseignement supérieur et de la Recherche scientifique",
            "Chargé de mission",
        ),
        (
            "Mariam Sissoko",
            "Autorité de protection des données à caractère personnel (APDP)",
            "Commissaire",
        ),
        (
            "Ibrahim Maïga",
            "Ministère de l'Économie et des Finances",
            "Chef de la cellule informatique",
        ),
        (
            "Kadiatou Samaké",
            "Direction nationale des Télécommunications",
            "Directrice nationale adjointe",
        ),
        (
            "Oumar Touré",
            "Agence pour la promotion de l'emploi des jeunes (APEJ)",
            "Responsable des programmes numériques",
        ),
        (
            "Rokia Dembélé",
            "Ministère de la Sécurité et de la Protection civile",
            "Officière cybersécurité",
        ),
        (
            "Seydou Konaté",
            "Centre national de la recherche scientifique et technologique (CNRST)",
            "Chercheur",
        ),
    ],
    "private_sector": [
        (
            "Abdoulaye Sangaré",
            "Organisation patronale des entreprises numériques du Mali (OPEN-Mali)",
            "Président",
        ),
        ("Awa Bagayoko", "Sahel Digital Services SARL", "Directrice générale"),
        ("Cheick Oumar Doumbia", "Bamako Tech Hub", "Fondateur"),
        ("Djénéba Cissé", "Groupement des opérateurs de télécommunications", "Secrétaire générale"),
        ("Hamadoun Guindo", "Niger Cloud SA", "Directeur technique"),
        ("Lalla Haïdara", "Association des prestataires informatiques du Mali", "Vice-présidente"),
        ("Mamadou Tangara", "Kènèya Informatique", "Gérant"),
        ("Nana Diakité", "Fintech Djoliba", "Directrice des opérations"),
        (
            "Souleymane Berthé",
            "Chambre de commerce et d'industrie du Mali, commission TIC",
            "Rapporteur",
        ),
        ("Youssouf Dicko", "Faso Kanu Solutions", "Ingénieur principal"),
    ],
    "civil_society": [
        (
            "Adama Kanté",
            "Université des sciences, des techniques et des technologies de Bamako (USTTB)",
            "Maître de conférences",
        ),
        (
            "Bintou Fofana",
            "Association malienne des consommateurs des télécommunications",
            "Présidente",
        ),
        ("Daouda Sidibé", "Réseau des femmes du numérique du Mali", "Coordinateur"),
        ("Hawa Ballo", "Wikimédiens du Mali", "Bénévole"),
        (
            "Issa Togola",
            "École nationale d'ingénieurs Abderhamane Baba Touré (ENI-ABT)",
            "Enseignant-chercheur",
        ),
        ("Kadidia Camara", "Association pour la protection de la vie privée en ligne", "Juriste"),
        ("Modibo Keïta", "Fédération nationale des associations de jeunes", "Chargé du numérique"),
        ("Oumou Sow", "Internet Society, chapitre du Mali", "Présidente"),
        ("Salif Koné", "Collectif des radios communautaires", "Secrétaire"),
        ("Tenin Diarra", "Université de Ségou", "Doyenne de la faculté des sciences"),
    ],
}

PARTICIPANTS = [
    ("Fanta Diallo", "fanta.diallo@example.ml", True),
    ("Yacouba Sanogo", "yacouba.sanogo@example.ml", True),
    ("Aïssata Coulibaly", "aissata.coulibaly@example.ml", False),
]

# Each domain with demo data has a `demo` module with `seed(secretariat, members)`, run in order.
DOMAIN_STEPS = ("recommendations", "votes")


def _slug(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return ".".join(part for part in plain.replace("'", " ").split() if part.isalnum())


def member_email(name: str) -> str:
    return f"{_slug(name)}@csn.example"


def seed() -> dict:
    """Create the demo council unless it exists; returns what was made (or found)."""
    from . import audit
    from .accounts.models import User
    from .accounts.services import hash_password
    from .extensions import db
    from .timeutil import utcnow

    existing = db.session.scalar(select(User).where(User.email == SECRETARIAT_EMAIL))
    if existing is not None:
        return {"created": False}
    password = hash_password(DEMO_PASSWORD)  # one hash: argon2 is slow on purpose
    now = utcnow()
    secretariat = User(
        email=SECRETARIAT_EMAIL,
        display_name="Mariam Diarra",
        position="Secrétaire permanente du CSN",
        role="secretariat",
        password_hash=password,
        email_verified_at=now,
        totp_secret=DEMO_TOTP_SECRET,
        totp_enabled=True,
    )
    db.session.add(secretariat)
    db.session.flush()
    members = []
    for college, people in MEMBERS.items():
        for name, organisation, position in people:
            user = User(
                email=member_email(name),
                display_name=name,
                role="member",
                college=college,
                organisation=organisation,
                position=position,
                password_hash=password,
                email_verified_at=now,
                invited_by_id=secretariat.id,
            )
            members.append(user)
    participants = [
        User(
            email=email,
            display_name=name,
            role="participant",
            password_hash=password,
            email_verified_at=now if verified else None,
        )
        for name, email, verified in PARTICIPANTS
    ]
    db.session.add_all(members + participants)
    db.session.flush()
    audit.record(
        "demo.accounts_created",
        actor=secretariat,
        data={"members": len(members), "participants": len(participants)},
    )
    import importlib
    import importlib.util

    for domain in DOMAIN_STEPS:
        if importlib.util.find_spec(f"consult.{domain}.demo") is not None:
            importlib.import_module(f"consult.{domain}.demo").seed(secretariat, members)
    return {"created": True, "members": len(members), "participants": len(participants)}


def print_logins() -> None:
    first_member = member_email(MEMBERS["civil_society"][0][0])
    click.echo(
        f"\nDemo accounts (password for all: {DEMO_PASSWORD})\n"
        f"  secretariat  {SECRETARIAT_EMAIL}  (second factor: add the secret "
        f"{DEMO_TOTP_SECRET} to an authenticator app,\n"
        "               or run `make totp` for the current code)\n"
        f"  member       {first_member}  (and 29 other members, see the secretariat's console)\n"
        f"  participant  {PARTICIPANTS[0][1]}\n"
    )


def register_demo(group: AppGroup) -> None:
    @group.command("demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no account yet.")
    def demo(if_empty: bool) -> None:
        """Load the French demo council (30 members, secretariat, participants)."""
        from .accounts.models import User
        from .extensions import db

        if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
            print_logins()
            return
        result = seed()
        db.session.commit()
        if result["created"]:
            click.echo(
                f"Demo data loaded: {result['members']} members, "
                f"{result['participants']} participants."
            )
        else:
            click.echo("Demo data already present; nothing changed.")
        print_logins()
