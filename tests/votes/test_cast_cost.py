"""Casting a ballot is the page 300 members load at once: it stays short.

Each cast is measured through the route with a fresh session, as in production: the number
of SQL statements is fixed (whatever the number of members and ballots already cast), and
nothing is read again after the commit (the receipt page shows what was just written).
See bench/votes.py for the same path under load.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from consult.accounts.models import User
from consult.extensions import db
from consult.votes import services
from consult.votes.models import Poll
from tests.conftest import login_as

from .conftest import make_poll, vote

# The member's session (their account), the poll read under its lock, the voter's entitlement,
# participation and proxy (one statement), the participation, the ballot (and, in a roll call,
# the chain head), and the audit entry with its head (three statements).
BUDGET = {"roll_call": 9, "secret": 8}


@contextmanager
def counting():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statement = " ".join(statement.split()).upper()
        if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE
            statements.append(statement)

    def commit(_conn):
        statements.append("COMMIT")

    event.listen(db.engine, "before_cursor_execute", count)
    event.listen(db.engine, "commit", commit)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        event.remove(db.engine, "commit", commit)


def cast(client, poll_id: int, choice: str, voter_id: int | None = None) -> list[str]:
    db.session.remove()  # a fresh session, as each production request has
    data = {"choice": choice, "voter": str(voter_id or "")}
    with counting() as statements:
        response = client.post(f"/polls/{poll_id}/cast", data=data)
    assert response.status_code == 200, response.headers.get("Location")
    assert "receipt-code" in response.get_data(as_text=True)
    return statements


def _without_commit(statements: list[str]) -> list[str]:
    assert statements.count("COMMIT") == 1
    assert statements[-1] == "COMMIT", "nothing is read again after the commit"
    return statements[:-1]


@pytest.mark.parametrize("mode", ["roll_call", "secret"])
def test_a_ballot_costs_a_fixed_number_of_statements(
    client, council, secretariat, recommendation, mode
):
    poll_id = make_poll(secretariat, recommendation, mode=mode).id
    first_id, later_id = council["state"][0].id, council["private_sector"][0].id
    others = [m.id for m in council["civil_society"] + council["state"][1:]]
    login_as(client, council["state"][0])
    few = _without_commit(cast(client, poll_id, "for"))

    # More ballots cast meanwhile: the same statements.
    poll = db.session.get(Poll, poll_id)
    for member_id in others:
        vote(poll, db.session.get(User, member_id), "against")
    login_as(client, db.session.get(User, later_id))
    many = _without_commit(cast(client, poll_id, "abstain"))

    assert len(few) == len(many) <= BUDGET[mode], few
    assert [s.split(" ")[0] for s in few] == [s.split(" ")[0] for s in many]
    assert first_id != later_id


def test_a_change_of_vote_and_a_proxy_ballot_cost_little_more(
    client, council, secretariat, recommendation
):
    holder, delegator = council["state"][0], council["state"][1]
    delegator_id = delegator.id
    poll = make_poll(secretariat, recommendation, mode="roll_call")
    services.give_proxy(delegator, poll, holder)
    db.session.commit()
    poll_id = poll.id
    login_as(client, holder)

    _without_commit(cast(client, poll_id, "for"))
    change = _without_commit(cast(client, poll_id, "against"))
    # The counted ballot is found and superseded; the participation is there already.
    assert len(change) <= BUDGET["roll_call"] + 1, change

    by_proxy = _without_commit(cast(client, poll_id, "for", voter_id=delegator_id))
    # The delegator's account, the proxy (marked as used) and its audit entry.
    assert len(by_proxy) <= BUDGET["roll_call"] + 7, by_proxy
