"""`flask consult tally`, `flask consult verify-poll`, `flask consult close-due-polls`."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask.cli import AppGroup


class InputError(ValueError):
    """An input file that cannot be used; the message is one line."""


def register_commands(group: AppGroup) -> None:
    group.add_command(tally_command)
    group.add_command(verify_poll)
    group.add_command(close_due_polls)


def _fail(message: str, code: int = 2) -> None:
    click.echo("error: " + " ".join(str(message).split()), err=True)
    sys.exit(code)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise InputError(f"duplicate key: {', '.join(repr(k) for k in duplicated)}")
    return dict(pairs)


def _refuse_constant(name: str) -> None:
    raise InputError(f"{name} is not a number JSON allows")


def read_json(path: str, what: str) -> Any:
    """Parse a JSON file ('-' for standard input); InputError with one line otherwise."""
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise InputError(f"cannot read {what} file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InputError(f"{what} file {path} is not UTF-8 text") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{what} file {path} is not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno})"
        ) from None
    except InputError as error:
        raise InputError(f"{what} file {path}: {error}") from None


@click.command("tally")
@click.option(
    "--rules",
    "rules_path",
    required=True,
    metavar="RULES.json",
    help="Voting rules (quorum, basis, threshold, college_rule).",
)
@click.option(
    "--counts",
    "counts_path",
    required=True,
    metavar="COUNTS.json",
    help="Per college: entitled, for, against, abstain.",
)
def tally_command(rules_path: str, counts_path: str) -> None:
    """Count a vote from two JSON files and print the result as JSON.

    Exits 2 with a one-line message on any bad input.
    """
    from .tally import CountsError, Rules, RulesError, counts_from_dict, tally

    try:
        rules = Rules.from_dict(read_json(rules_path, "rules"))
        entitled, ballots = counts_from_dict(read_json(counts_path, "counts"))
        result = tally(entitled, ballots, rules)
    except (InputError, RulesError, CountsError) as error:
        _fail(str(error))
        return
    click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))


def _find_poll(reference: str):
    from sqlalchemy import select

    from ..extensions import db
    from .models import Poll

    if reference.isdigit():
        return db.session.get(Poll, int(reference))
    return db.session.scalars(select(Poll).where(Poll.reference == reference.upper())).first()


@click.command("verify-poll")
@click.argument("poll_id")
def verify_poll(poll_id: str) -> None:
    """Recompute a poll's ballot chain and tally and compare them with the stored result.

    POLL_ID is the number or the reference (S-2026-001). Exits 1 on any discrepancy.
    """
    from ..extensions import db
    from . import integrity, services

    poll = _find_poll(poll_id)
    if poll is None:
        _fail(f"no poll {poll_id}")
        return
    if services.refresh(poll):
        db.session.commit()
    report = integrity.verify(poll)
    if report.ok:
        what = "the stored result" if poll.state == "closed" else "each other (poll not closed)"
        click.echo(
            f"Poll {poll.reference} intact: {report.checked} ballots checked; "
            f"chain, participations and tally match {what}."
        )
        return
    click.echo(f"Poll {poll.reference}: {len(report.problems)} problem(s) found.", err=True)
    for problem in report.problems:
        click.echo(f"- {problem}", err=True)
    sys.exit(1)


@click.command("close-due-polls")
def close_due_polls() -> None:
    """Open and close the polls whose scheduled time has passed (run it from cron)."""
    from ..extensions import db
    from . import services

    opened = closed = 0
    for poll in services.due_polls():
        before = poll.state
        services.refresh(poll)
        db.session.commit()
        if before == "draft" and poll.state == "open":
            opened += 1
        elif before == "open" and poll.state == "closed":
            closed += 1
        elif poll.problem:
            click.echo(f"Poll {poll.reference} could not open: {poll.problem}", err=True)
    click.echo(f"{opened} poll(s) opened, {closed} poll(s) closed.")
