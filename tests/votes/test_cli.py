"""`flask consult tally`, `verify-poll` and `close-due-polls`."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from consult.extensions import db
from consult.timeutil import utcnow
from consult.votes import services

from .conftest import make_poll, vote

RULES = {
    "quorum": "1/2",
    "basis": "expressed",
    "threshold": {"more_than": "1/2"},
    "college_rule": "per_head",
}
COUNTS = {
    "state": {"entitled": 10, "for": 6, "against": 2, "abstain": 1},
    "private_sector": {"entitled": 10, "for": 3, "against": 5, "abstain": 0},
    "civil_society": {"entitled": 10, "for": 4, "against": 4, "abstain": 2},
}


@pytest.fixture
def files(tmp_path):
    def write(rules=RULES, counts=COUNTS, raw_rules=None, raw_counts=None):
        rules_path, counts_path = tmp_path / "rules.json", tmp_path / "counts.json"
        rules_path.write_text(raw_rules if raw_rules is not None else json.dumps(rules))
        counts_path.write_text(raw_counts if raw_counts is not None else json.dumps(counts))
        return ["consult", "tally", "--rules", str(rules_path), "--counts", str(counts_path)]

    return write


def test_tally_prints_the_result_as_json(runner, files):
    result = runner.invoke(args=files())
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outcome"] == "adopted"
    assert data["overall"] == {
        "entitled": 30,
        "ballots": 27,
        "for": 13,
        "against": 11,
        "abstain": 3,
        "quorum_met": True,
        "threshold_met": True,
        "share_for": "13/24",
    }
    assert data["colleges"]["civil_society"]["threshold_met"] is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rules": {**RULES, "majority": "1/2"}}, "unknown rules key"),
        (
            {"counts": {"state": {"entitled": 3, "for": -1, "against": 0, "abstain": 0}}},
            "non-negative",
        ),
        (
            {"counts": {"state": {"entitled": 3, "for": 3, "against": 1, "abstain": 0}}},
            "exceed 3 entitled",
        ),
        (
            {
                "counts": {
                    "state": {"entitled": 3, "for": 1, "against": 0, "abstain": 0, "blank": 1}
                }
            },
            "unknown key",
        ),
        ({"rules": {**RULES, "threshold": {"more_than": "1/0"}}}, "fraction"),
        ({"rules": {**RULES, "quorum": "half"}}, "fraction"),
        ({"rules": {**RULES, "quorum": 0.5}}, "string"),
        ({"raw_rules": "{not json"}, "not valid JSON"),
        ({"raw_counts": '{"state": {"entitled": 1, "entitled": 2}}'}, "duplicate key"),
        (
            {"raw_counts": '{"state": {"entitled": NaN, "for": 0, "against": 0, "abstain": 0}}'},
            "NaN",
        ),
        ({"raw_rules": ""}, "not valid JSON"),
    ],
)
def test_tally_bad_input_exits_2_with_one_line(runner, files, change, message):
    result = runner.invoke(args=files(**change))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


def test_tally_unreadable_file(runner, files, tmp_path):
    args = files()
    args[3] = str(tmp_path / "missing.json")
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert "cannot read rules file" in result.stderr and result.stderr.count("\n") == 1
    args[3] = str(tmp_path)  # a directory
    assert runner.invoke(args=args).exit_code == 2


def test_tally_not_utf8(runner, files, tmp_path):
    args = files()
    (tmp_path / "counts.json").write_bytes(b"\xff\xfe{}")
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and "UTF-8" in result.stderr


# verify-poll --------------------------------------------------------------------------------


def closed_poll(secretariat, recommendation, council, mode):
    poll = make_poll(secretariat, recommendation, mode=mode)
    people = [m for ms in council.values() for m in ms]
    for person, choice in zip(
        people[:7], ["for", "for", "for", "against", "abstain", "for", "against"], strict=True
    ):
        vote(poll, person, choice)
    if mode == "roll_call":
        vote(poll, people[3], "for")  # a change of vote: the chain keeps both
    services.close_poll(secretariat, poll)
    db.session.commit()
    return poll


@pytest.fixture(params=["roll_call", "secret"])
def closed(request, council, secretariat, recommendation):
    return closed_poll(secretariat, recommendation, council, request.param)


def table(poll):
    return "roll_call_ballots" if poll.mode == "roll_call" else "secret_ballots"


def verify(runner, poll):
    return runner.invoke(args=["consult", "verify-poll", str(poll.id)])


def test_verify_poll_intact(runner, closed):
    result = verify(runner, closed)
    assert result.exit_code == 0, result.output
    assert "intact" in result.stdout
    by_reference = runner.invoke(args=["consult", "verify-poll", closed.reference])
    assert by_reference.exit_code == 0


def test_verify_poll_detects_a_changed_choice(runner, closed):
    db.session.execute(
        text(
            f"UPDATE {table(closed)} SET choice = 'against' WHERE choice = 'for' "  # noqa: S608
            f"AND receipt_hash = (SELECT MIN(receipt_hash) FROM {table(closed)} "
            "WHERE choice = 'for')"
        )
    )
    db.session.commit()
    result = verify(runner, closed)
    assert result.exit_code == 1
    assert "recounting gives" in result.stderr


def test_verify_poll_detects_a_deleted_ballot(runner, closed):
    db.session.execute(
        text(
            f"DELETE FROM {table(closed)} WHERE receipt_hash = "  # noqa: S608
            f"(SELECT MAX(receipt_hash) FROM {table(closed)})"
        )
    )
    db.session.commit()
    result = verify(runner, closed)
    assert result.exit_code == 1
    assert "problem(s) found" in result.stderr


def test_verify_poll_detects_an_inserted_ballot(runner, closed, council):
    outsider = council["state"][2]
    if closed.mode == "secret":
        db.session.execute(
            text(
                "INSERT INTO secret_ballots (id, poll_id, choice, college, receipt_hash) "
                "VALUES (:id, :poll, 'for', 'state', :h)"
            ),
            {"id": "f" * 32, "poll": closed.id, "h": "e" * 64},
        )
    else:
        db.session.execute(
            text(
                "INSERT INTO roll_call_ballots (poll_id, voter_id, sequence, is_current, choice, "
                "college, method, cast_by_id, receipt_hash, created_at, prev_hash, hash) VALUES "
                "(:poll, :voter, 5, false, 'for', 'state', 'online', :voter, :h, :now, :p, :h2)"
            ),
            {
                "poll": closed.id,
                "voter": outsider.id,
                "h": "e" * 64,
                "now": utcnow(),
                "p": "0" * 64,
                "h2": "d" * 64,
            },
        )
    db.session.commit()
    result = verify(runner, closed)
    assert result.exit_code == 1
    assert "no longer match the seal" in result.stderr


def test_verify_poll_unknown(runner, app):
    result = runner.invoke(args=["consult", "verify-poll", "999"])
    assert result.exit_code == 2 and "no poll" in result.stderr


# close-due-polls ----------------------------------------------------------------------------


def test_close_due_polls(runner, council, secretariat, recommendation):
    now = utcnow()
    poll = make_poll(
        secretariat,
        recommendation,
        open_it=False,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=1),
    )
    result = runner.invoke(args=["consult", "close-due-polls"])
    assert result.exit_code == 0 and "1 poll(s) opened, 0 poll(s) closed" in result.stdout
    db.session.refresh(poll)
    assert poll.state == "open"
    vote(poll, council["state"][0], "for")
    poll.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["consult", "close-due-polls"])
    assert "0 poll(s) opened, 1 poll(s) closed" in result.stdout
    db.session.refresh(poll)
    assert poll.state == "closed" and poll.result.ballots == 1
    assert runner.invoke(args=["consult", "close-due-polls"]).stdout.startswith("0 poll(s) opened")
