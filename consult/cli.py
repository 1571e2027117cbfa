"""Command-line tools: `flask consult …` and `flask translate …`."""

from __future__ import annotations

import subprocess  # noqa: S404  (runs pybabel, a fixed command)
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

consult_cli = AppGroup("consult", help="Consult administration commands.")
translate_cli = AppGroup("translate", help="Translation workflow (pybabel).")

ROOT = Path(__file__).resolve().parent.parent


def register(app: Flask) -> None:
    app.cli.add_command(consult_cli)
    app.cli.add_command(translate_cli)
    from .demo import register_demo
    from .votes.cli import register_commands as register_votes_commands

    register_demo(consult_cli)
    register_votes_commands(consult_cli)


@consult_cli.command("create-secretariat")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
def create_secretariat(email: str, name: str) -> None:
    """Create a secretariat account. The password is asked for, never taken as an argument."""
    from email_validator import EmailNotValidError, validate_email
    from flask import current_app

    from .accounts import services
    from .accounts.models import User
    from .extensions import db
    from .timeutil import utcnow

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.ClickException(f"Not a valid e-mail address: {error}") from None
    if not name.strip() or len(name.strip()) > 120:
        raise click.ClickException("The name must have between 1 and 120 characters.")
    if services.get_by_email(email) is not None:
        raise click.ClickException("An account already exists with this e-mail address.")
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise click.ClickException(f"The password must have at least {minimum} characters.")
    user = User(
        email=services.normalise_email(email),
        display_name=name.strip(),
        role="secretariat",
        password_hash=services.hash_password(password),
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    from . import audit

    audit.record("account.created_by_command", target=user, data={"role": "secretariat"})
    db.session.commit()
    click.echo(
        f"Secretariat account {user.email} created. It will set up a second factor at login."
    )


@consult_cli.command("verify-audit")
def verify_audit() -> None:
    """Recompute the audit log's hash chain; exit 1 naming the first bad entry."""
    from .audit.services import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"Audit log intact: {report.checked} entries checked.")
        return
    click.echo(
        f"Audit log damaged at entry {report.first_bad_id}: {report.problem} "
        f"({report.checked} entries intact before it).",
        err=True,
    )
    sys.exit(1)


@consult_cli.command("totp-code")
@click.argument("email")
def totp_code(email: str) -> None:
    """Print the current second-factor code of an account (demo and development only)."""
    import pyotp
    from flask import current_app

    from .accounts import services

    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("Not available in production.")
    user = services.get_by_email(email)
    if user is None or not user.totp_secret:
        raise click.ClickException("No such account with a second factor.")
    click.echo(pyotp.TOTP(user.totp_secret).now())


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)  # noqa: S603


@translate_cli.command("extract")
def extract() -> None:
    """Extract the messages of the code and templates into translations/messages.pot."""
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--project",
        "Consult",
        "-o",
        str(ROOT / "translations/messages.pot"),
        str(ROOT),
    )


@translate_cli.command("update")
def update() -> None:
    """Extract, then merge new messages into every catalogue."""
    extract.callback()
    _pybabel(
        "update",
        "-i",
        str(ROOT / "translations/messages.pot"),
        "-d",
        str(ROOT / "translations"),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )
    fill_english(ROOT / "translations/en/LC_MESSAGES/messages.po")


def fill_english(path: Path) -> int:
    """The source strings are English: an empty English entry takes its msgid."""
    from babel.messages.pofile import read_po, write_po

    if not path.exists():
        return 0
    with path.open("rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False)
    return filled


@translate_cli.command("compile")
def compile_() -> None:
    """Compile the catalogues (.po to .mo)."""
    _pybabel("compile", "-d", str(ROOT / "translations"), "--statistics")


@translate_cli.command("init")
@click.argument("lang")
def init(lang: str) -> None:
    """Start a catalogue for a new language."""
    _pybabel(
        "init",
        "-i",
        str(ROOT / "translations/messages.pot"),
        "-d",
        str(ROOT / "translations"),
        "-l",
        lang,
    )
