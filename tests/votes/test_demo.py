"""The demo council's polls: made through the services, every one verifiable."""

from __future__ import annotations

from sqlalchemy import select

from consult.extensions import db
from consult.votes import integrity
from consult.votes.models import Poll


def test_demo_polls(app, runner):
    result = runner.invoke(args=["consult", "demo"])
    assert result.exit_code == 0, result.output
    polls = db.session.scalars(select(Poll).order_by(Poll.id)).all()
    by_title = {}
    for poll in polls:
        by_title.setdefault(poll.recommendation.title.split()[0], []).append(poll)
        assert integrity.verify(poll).ok, (poll.reference, integrity.verify(poll).problems)
    amendment_polls = [p for p in polls if p.amendment_id]
    assert [(p.mode, p.state, p.result.outcome) for p in amendment_polls] == [
        ("roll_call", "closed", "adopted")
    ]
    hosting = by_title["Hébergement"]
    assert [(p.mode, p.state) for p in hosting] == [("secret", "closed"), ("secret", "open")]
    assert hosting[0].result.outcome == "void"
    assert hosting[0].recommendation.state == "voting"
    for poll in polls:
        assert runner.invoke(args=["consult", "verify-poll", poll.reference]).exit_code == 0


def test_demo_pages(app, runner, client):
    assert runner.invoke(args=["consult", "demo"]).exit_code == 0
    assert client.get("/polls").status_code == 200
    for poll in db.session.scalars(select(Poll)):
        for url in (f"/polls/{poll.id}", f"/polls/{poll.id}/ballots", f"/api/v1/polls/{poll.id}"):
            assert client.get(url).status_code == 200, url
