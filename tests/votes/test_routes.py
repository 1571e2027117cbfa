"""The votes pages as people use them: voting, proxies, results, the secretariat's console."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from flask import render_template_string
from sqlalchemy import select

from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.settings import get_setting
from consult.timeutil import utcnow
from consult.votes import integrity, services
from consult.votes.models import Poll, PollResult, Proxy, RollCallBallot, SecretBallot
from tests.conftest import login_as
from tests.helpers import nt, t, text

from .conftest import make_poll, make_recommendation, make_scheduled_poll, vote


def fetch(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response


def page(client, url, **kwargs):
    """The page as a reader sees it (entities decoded), to compare with t(...)."""
    return text(fetch(client, url, **kwargs))


def body(client, url, **kwargs):
    """A CSV or JSON document, as sent."""
    return fetch(client, url, **kwargs).get_data(as_text=True)


def rules_sentence(college_rule: str, condition: str, share: str) -> str:
    """A sentence of the rules' description, as the default language (French) shows it."""
    return t(college_rule, condition=t(condition, share=t(share)))


def cast_through_the_pages(client, poll, choice, voter_id=None):
    """Choose, confirm, cast: the three steps a member goes through."""
    query = f"?for={voter_id}" if voter_id else ""
    assert 'name="choice"' in page(client, f"/polls/{poll.id}/vote{query}")
    voter = str(voter_id or "")
    confirm = client.post(f"/polls/{poll.id}/vote", data={"choice": choice, "voter": voter})
    assert confirm.status_code == 200
    html = text(confirm)
    assert t("Cast my vote") in html
    voter_field = re.search(r'name="voter" type="hidden" value="(\d+)"', html) or re.search(
        r'id="voter" name="voter" type="hidden" value="(\d+)"', html
    )
    assert voter_field, html
    return client.post(
        f"/polls/{poll.id}/cast", data={"choice": choice, "voter": voter_field.group(1)}
    )


# Voting ------------------------------------------------------------------------------------


def test_member_votes_with_a_confirmation_step_and_gets_a_receipt(
    client, council, roll_call_poll, member
):
    login_as(client, member)
    response = cast_through_the_pages(client, roll_call_poll, "against")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = text(response)
    code = re.search(r'<p class="receipt-code"><code>([A-Z2-7-]{19})</code>', html).group(1)
    ballot = db.session.scalars(select(RollCallBallot)).one()
    assert ballot.receipt_hash == integrity.receipt_fingerprint(code)
    assert ballot.choice == "against" and ballot.voter_id == member.id
    assert ballot.receipt_hash[:16] in html
    poll_page = page(client, f"/polls/{roll_call_poll.id}")
    assert t("You have voted.") in poll_page and t("Change my vote") in poll_page
    assert code not in poll_page


def test_confirm_page_lets_the_member_change_the_choice(client, council, secret_poll, member):
    login_as(client, member)
    confirm = client.post(f"/polls/{secret_poll.id}/vote", data={"choice": "for", "voter": ""})
    assert "formaction" in text(confirm)
    back = client.post(
        f"/polls/{secret_poll.id}/vote",
        data={"choice": "for", "voter": str(member.id), "back": "1"},
    )
    html = text(back)
    assert t("Continue") in html and re.search(
        r'value="for"[^>]*checked|checked[^>]*value="for"', html
    )
    assert services.turnout(secret_poll).voted == 0


def test_choosing_nothing_is_refused_with_a_message(client, council, secret_poll, member):
    login_as(client, member)
    html = text(client.post(f"/polls/{secret_poll.id}/vote", data={"voter": ""}))
    assert t("Choose for, against or abstain.") in html
    assert services.turnout(secret_poll).voted == 0


def test_secret_ballot_cannot_be_cast_twice_from_the_pages(client, council, secret_poll, member):
    login_as(client, member)
    assert cast_through_the_pages(client, secret_poll, "for").status_code == 200
    response = client.get(f"/polls/{secret_poll.id}/vote")
    assert response.status_code == 302
    again = client.post(
        f"/polls/{secret_poll.id}/cast",
        data={"choice": "against", "voter": str(member.id)},
        follow_redirects=True,
    )
    assert t(
        "A ballot has already been cast for this member: in a secret ballot it is final."
    ) in text(again)
    assert db.session.scalars(select(SecretBallot.choice)).all() == ["for"]


def test_member_not_entitled_is_told_so(client, council, secretariat, recommendation):
    poll = make_poll(secretariat, recommendation)
    from tests.factories import MemberFactory

    late = MemberFactory(college="state")
    login_as(client, late)
    html = page(client, f"/polls/{poll.id}")
    assert (
        t(
            "You are not entitled to vote in this poll (entitled voters are the members active "
            "when it opened)."
        )
        in html
    )
    response = client.get(f"/polls/{poll.id}/vote", follow_redirects=True)
    assert t("You are not entitled to vote in this poll.") in text(response)


# Proxies -----------------------------------------------------------------------------------


def test_proxy_given_used_and_shown(client, council, roll_call_poll):
    delegator, holder = council["state"][0], council["state"][1]
    login_as(client, delegator)
    form = page(client, f"/polls/{roll_call_poll.id}/proxy")
    assert holder.display_name in form
    assert council["civil_society"][1].display_name not in form  # other college
    response = client.post(
        f"/polls/{roll_call_poll.id}/proxy", data={"holder": holder.id}, follow_redirects=True
    )
    html = text(response)
    assert t("Your proxy is given to %(name)s.", name=holder.display_name) in html
    assert t("Proxies: who votes for whom") in html and t("Revoke my proxy") in html

    login_as(client, holder)
    html = page(client, f"/polls/{roll_call_poll.id}")
    assert t("Vote for %(name)s (proxy)", name=delegator.display_name) in html
    assert f">{t('Vote')}<" in html
    response = cast_through_the_pages(client, roll_call_poll, "abstain", voter_id=delegator.id)
    cast_for = t(
        "Vote cast for %(name)s: %(choice)s.", name=delegator.display_name, choice=t("Abstain")
    )
    assert cast_for in text(response)
    ballot = db.session.scalars(select(RollCallBallot)).one()
    assert (ballot.voter_id, ballot.cast_by_id, ballot.method) == (delegator.id, holder.id, "proxy")

    login_as(client, delegator)
    html = page(client, f"/polls/{roll_call_poll.id}")
    assert t("%(name)s has voted for you as your proxy.", name=holder.display_name) in html
    assert t("Revoke my proxy") not in html


def test_delegator_revokes_then_votes(client, council, secret_poll):
    delegator, holder = council["private_sector"][:2]
    services.give_proxy(delegator, secret_poll, holder)
    db.session.commit()
    login_as(client, delegator)
    assert client.get(f"/polls/{secret_poll.id}/vote").status_code == 302
    response = client.post(f"/polls/{secret_poll.id}/proxy/revoke", follow_redirects=True)
    assert t("Your proxy is revoked: you can vote yourself.") in text(response)
    assert db.session.scalars(select(Proxy)).one().revoked_at is not None
    assert cast_through_the_pages(client, secret_poll, "for").status_code == 200


def test_proxy_to_a_member_who_cannot_hold_one_is_refused(client, council, roll_call_poll):
    a, b, c = council["state"]
    services.give_proxy(a, roll_call_poll, b)
    db.session.commit()
    login_as(client, c)
    html = text(client.post(f"/polls/{roll_call_poll.id}/proxy", data={"holder": b.id}))
    assert "error-summary" in html
    assert len(db.session.scalars(select(Proxy)).all()) == 1


# Results hidden until the close ------------------------------------------------------------


def _keys(data):
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _keys(value)
    elif isinstance(data, list):
        for item in data:
            yield from _keys(item)


def test_only_turnout_shows_while_open(client, as_user, council, roll_call_poll, member):
    people = [m for ms in council.values() for m in ms]
    for person, choice in zip(
        people, ["for", "for", "for", "for", "against", "abstain"], strict=False
    ):
        vote(roll_call_poll, person, choice)
    poll_id = roll_call_poll.id
    for role in ("visitor", "participant", "secretariat"):
        as_user(role)
        html = page(client, f"/polls/{poll_id}")
        assert (
            nt(
                "%(num)s of %(total)s entitled member has voted",
                "%(num)s of %(total)s entitled members have voted",
                9,
                num=6,
                total=9,
            )
            in html
        )
        for marker in (
            'class="results"',
            "<svg",
            t("Result by college"),
            t("Roll call"),
            "outcome-",
            f">{t('Against')}<",
            f">{t('Abstain')}<",
            f">{t('For')}<",
            t("Threshold met"),
        ):
            assert marker not in html, (role, marker)
        for person in people[:6]:
            assert person.display_name not in html or role == "secretariat"
        ballots = page(client, f"/polls/{poll_id}/ballots")
        assert t("The ballot list is published when the poll closes.") in ballots
        assert "<code>" not in ballots
        assert t("Receipts can be checked once the poll has closed.") in page(
            client, f"/polls/{poll_id}/receipt"
        )
        csv_text = body(client, f"/polls/{poll_id}/results.csv")
        assert csv_text.splitlines()[0] == "college,entitled,ballots"
        assert csv_text.splitlines()[-1] == "overall,9,6"
        for url in (f"/api/v1/polls/{poll_id}", "/api/v1/polls"):
            data = json.loads(body(client, url))
            keys = set(_keys(data))
            assert not keys & {
                "for",
                "against",
                "abstain",
                "outcome",
                "result",
                "ballots_list",
                "seal",
                "share_for",
            }, keys
        assert json.loads(body(client, f"/api/v1/polls/{poll_id}"))["turnout"]["ballots"] == 6
    # The member sees their own vote, and nothing else.
    as_user("member")
    html = page(client, f"/polls/{poll_id}")
    assert 'class="results"' not in html and "<svg" not in html


def test_results_appear_at_the_close(
    client, as_user, council, roll_call_poll, secretariat, recommendation
):
    people = [m for ms in council.values() for m in ms]
    codes = [vote(roll_call_poll, p, "for") for p in people[:5]]
    vote(roll_call_poll, people[5], "against")
    as_user("secretariat")
    response = client.post(f"/secretariat/polls/{roll_call_poll.id}/close", follow_redirects=True)
    assert t("The poll is closed and counted.") in text(response)
    assert recommendation.state == "adopted"
    as_user("visitor")
    html = page(client, f"/polls/{roll_call_poll.id}")
    assert 'class="outcome outcome-adopted"' in html
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="chart-title chart-desc"', html)
    assert '<desc id="chart-desc">' in html and "style=" not in html
    assert t("Roll call") in html and people[5].display_name in html
    data = json.loads(body(client, f"/api/v1/polls/{roll_call_poll.id}"))
    assert data["outcome"] == "adopted" and data["result"]["overall"]["for"] == 5
    assert len(data["ballots"]) == 6 and data["ballots"][0]["voter"]
    csv_lines = body(client, f"/polls/{roll_call_poll.id}/results.csv").splitlines()
    assert csv_lines[0].startswith("college,entitled,ballots,for,against,abstain")
    assert "overall,9,6,5,1,0,yes,yes" in csv_lines
    ballots = page(client, f"/polls/{roll_call_poll.id}/ballots")
    assert integrity.receipt_fingerprint(codes[0])[:16] in ballots
    checked = client.post(f"/polls/{roll_call_poll.id}/receipt", data={"code": codes[0]})
    assert t("This ballot was counted, as: %(choice)s.", choice=t("For")) in text(checked)
    unknown = client.post(
        f"/polls/{roll_call_poll.id}/receipt", data={"code": "AAAA-BBBB-CCCC-DDDD"}
    )
    assert t(
        "No ballot of this poll has this receipt. Check the code, and that it is a receipt "
        "for this poll."
    ) in text(unknown)
    malformed = client.post(f"/polls/{roll_call_poll.id}/receipt", data={"code": "hello"})
    html = text(malformed)
    assert t("A receipt code has 16 letters and digits, such as ABCD-EFGH-JKLM-NPQR.") in html
    assert 'value="hello"' in html


def test_secret_results_list_fingerprints_without_names(client, council, secret_poll, secretariat):
    people = [m for ms in council.values() for m in ms]
    for person in people[:5]:
        vote(secret_poll, person, "against")
    services.close_poll(secretariat, secret_poll)
    db.session.commit()
    html = page(client, f"/polls/{secret_poll.id}/ballots")
    fingerprints = re.findall(r"<td><code>([0-9a-f]{16})</code></td>", html)
    assert len(fingerprints) == 5 and fingerprints == sorted(fingerprints)
    for person in people:
        assert person.display_name not in html
    assert t("Roll call") not in page(client, f"/polls/{secret_poll.id}")


# The clock ----------------------------------------------------------------------------------


def test_scheduled_poll_opens_and_closes_when_a_page_is_read(
    client, council, secretariat, recommendation
):
    now = utcnow()
    poll = make_poll(
        secretariat,
        recommendation,
        open_it=False,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=1),
    )
    poll_id = poll.id
    assert t("Open") in page(client, "/polls")
    assert db.session.get(Poll, poll_id).state == "open"
    vote(poll, council["state"][0], "for")
    poll.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    data = json.loads(body(client, f"/api/v1/polls/{poll_id}"))
    assert data["state"] == "closed" and data["outcome"] == "adopted"
    assert db.session.get(PollResult, poll_id) is not None


def test_a_ballot_sent_after_the_scheduled_close_is_refused_and_the_poll_closes(
    client, council, secretariat, recommendation
):
    """The member opened the voting page before the close and sends the ballot after it."""
    poll = make_scheduled_poll(
        secretariat, recommendation, -timedelta(hours=1), timedelta(hours=1), open_it=True
    )
    poll_id, early, late = poll.id, council["state"][0], council["state"][1]
    vote(poll, early, "for")
    poll.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    login_as(client, late)
    response = client.post(f"/polls/{poll_id}/cast", data={"choice": "against", "voter": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/polls/{poll_id}")
    assert t("This poll is not open for voting.") in page(client, f"/polls/{poll_id}")
    db.session.expire_all()
    assert db.session.get(Poll, poll_id).state == "closed"
    assert [b.voter_id for b in db.session.scalars(select(RollCallBallot))] == [early.id]
    assert db.session.get(PollResult, poll_id) is not None


def test_a_ballot_sent_once_a_scheduled_poll_should_be_open_opens_it_and_counts(
    client, council, secretariat, recommendation
):
    poll = make_scheduled_poll(secretariat, recommendation, timedelta(hours=1), timedelta(hours=2))
    poll_id, member = poll.id, council["civil_society"][0]
    poll.opens_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    login_as(client, member)
    response = client.post(f"/polls/{poll_id}/cast", data={"choice": "for", "voter": ""})
    assert response.status_code == 200
    assert "receipt-code" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Poll, poll_id).state == "open"
    assert [b.voter_id for b in db.session.scalars(select(RollCallBallot))] == [member.id]


# The secretariat ----------------------------------------------------------------------------


def test_secretariat_creates_edits_and_opens_a_poll(client, as_user, council, recommendation):
    as_user("secretariat")
    form = page(client, f"/secretariat/polls/new?subject=r{recommendation.id}")
    assert recommendation.reference in form
    data = {
        "subject": f"r{recommendation.id}",
        "mode": "secret",
        "quorum": "0,5",
        "college_quorum": "",
        "basis": "cast",
        "threshold": "other",
        "threshold_kind": "at_least",
        "threshold_other": "60 %",
        "college_rule": "each_college",
        "opens_at": "",
        "closes_at": "",
    }
    bad = client.post("/secretariat/polls/new", data={**data, "quorum": "deux tiers"})
    html = text(bad)
    assert t("Enter a share between 0 and 1, such as 1/2, 0,5 or 50 %.") in html
    assert 'value="deux tiers"' in html
    response = client.post("/secretariat/polls/new", data=data)
    assert response.status_code == 302
    poll = db.session.scalars(select(Poll)).one()
    assert poll.mode == "secret" and poll.rules == {
        "quorum": "1/2",
        "college_quorum": None,
        "basis": "cast",
        "threshold": {"at_least": "3/5"},
        "college_rule": "each_college",
    }
    html = page(client, f"/polls/{poll.id}")
    assert (
        rules_sentence(
            "Adopted if %(condition)s, in each college.",
            "at least %(share)s of the ballots cast, abstentions included, are for",
            "three fifths",
        )
        in html
    )

    edit = {
        **data,
        "subject": "current",
        "mode": "roll_call",
        "threshold": "at_least:2/3",
        "closes_at": (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    assert client.post(f"/secretariat/polls/{poll.id}/edit", data=edit).status_code == 302
    db.session.refresh(poll)
    assert poll.mode == "roll_call" and poll.rules["threshold"] == {"at_least": "2/3"}
    assert poll.closes_at is not None
    past = {**edit, "closes_at": "2020-01-01T10:00"}
    assert t("The closing time must be in the future.") in text(
        client.post(f"/secretariat/polls/{poll.id}/edit", data=past)
    )

    response = client.post(f"/secretariat/polls/{poll.id}/open", follow_redirects=True)
    assert t("The poll is open.") in text(response)
    db.session.refresh(poll)
    assert poll.state == "open"
    assert client.get(f"/secretariat/polls/{poll.id}/edit").status_code == 302
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert {"poll.created", "poll.updated", "poll.opened"} <= set(actions)


def test_secretariat_records_a_show_of_hands(client, as_user, council, roll_call_poll):
    as_user("secretariat")
    html = page(client, f"/secretariat/polls/{roll_call_poll.id}/record")
    a, b = council["state"][:2]
    assert a.display_name in html
    response = client.post(
        f"/secretariat/polls/{roll_call_poll.id}/record",
        data={f"vote-{a.id}": "for", f"vote-{b.id}": "against"},
        follow_redirects=True,
    )
    assert nt("%(num)s vote recorded.", "%(num)s votes recorded.", 2) in text(response)
    ballots = db.session.scalars(select(RollCallBallot)).all()
    assert {(x.voter_id, x.choice, x.method) for x in ballots} == {
        (a.id, "for", "recorded"),
        (b.id, "against", "recorded"),
    }


def test_default_rules_page(client, as_user, council):
    as_user("secretariat")
    html = page(client, "/secretariat/votes/rules")
    assert t("more than %(share)s of the votes expressed are for", share=t("half")) in html
    data = {
        "quorum": "2/3",
        "college_quorum": "1/3",
        "basis": "expressed",
        "threshold": "more_than:1/2",
        "threshold_kind": "more_than",
        "threshold_other": "",
        "college_rule": "majority_of_colleges",
        "max_proxies": "2",
    }
    response = client.post("/secretariat/votes/rules", data=data, follow_redirects=True)
    assert t("The default rules are saved. New polls start from them.") in text(response)
    assert get_setting(services.RULES_KEY)["college_rule"] == "majority_of_colleges"
    assert get_setting(services.MAX_PROXIES_KEY) == 2
    assert rules_sentence(
        "Adopted if %(condition)s, in a majority of the colleges.",
        "more than %(share)s of the votes expressed are for",
        "half",
    ) in page(client, "/secretariat/votes/rules")
    bad = client.post("/secretariat/votes/rules", data={**data, "max_proxies": "-1"})
    assert bad.status_code == 200 and "error-summary" in text(bad)


def test_simulator(client, as_user, app):
    as_user("secretariat")
    assert t("Counts by college") in page(client, "/secretariat/votes/simulator")
    data = {
        "quorum": "1/2",
        "college_quorum": "",
        "basis": "expressed",
        "threshold": "more_than:1/2",
        "threshold_kind": "more_than",
        "threshold_other": "",
        "college_rule": "each_college",
    }
    counts = {
        "state": (10, 6, 2, 1),
        "private_sector": (10, 3, 5, 0),
        "civil_society": (10, 4, 4, 2),
    }
    for college, (entitled, yes, no, abstain) in counts.items():
        data.update(
            {
                f"entitled_{college}": entitled,
                f"for_{college}": yes,
                f"against_{college}": no,
                f"abstain_{college}": abstain,
            }
        )
    html = text(client.post("/secretariat/votes/simulator", data=data))
    assert 'class="outcome outcome-rejected"' in html
    tie = t(
        "%(college)s: %(yes)s for, %(no)s against, %(abstain)s abstaining; "
        "a tie, so the threshold is not met.",
        college=t("Civil society"),
        yes=4,
        no=4,
        abstain=2,
    )
    assert tie in html and "<svg" in html
    data["for_state"] = 12
    html = text(client.post("/secretariat/votes/simulator", data=data))
    assert t("More ballots than entitled members in %(college)s.", college=t("State")) in html
    assert 'value="12"' in html
    assert "outcome-" not in html


def test_lists_and_menus(client, as_user, council, secretariat, roll_call_poll, member):
    draft = make_poll(secretariat, make_recommendation(secretariat), open_it=False)
    as_user("visitor")
    html = page(client, "/polls")
    assert roll_call_poll.recommendation.title in html
    assert draft.recommendation.title not in html
    home = page(client, "/")
    assert t("Open polls") in home and roll_call_poll.recommendation.title in home
    as_user("member")
    html = page(client, "/polls")
    assert t("Upcoming polls") in html and t("You have not voted yet.") in html
    as_user("secretariat")
    html = page(client, "/secretariat/polls")
    assert draft.reference in html
    assert f">{t('Default rules')}<" in html and f">{t('Simulator')}<" in html


def test_recommendation_partial(
    client, as_user, council, secretariat, roll_call_poll, recommendation
):
    other = make_recommendation(secretariat)
    template = '{% include "votes/_recommendation_polls.html" %}'
    as_user("secretariat")
    with client:  # keeps the request's context (and its logged-in user) for the rendering
        client.get("/")
        html = render_template_string(template, recommendation=recommendation)
        assert roll_call_poll.reference in html and t("Put this text to the vote") not in html
        html = render_template_string(template, recommendation=other)
        assert f"subject=r{other.id}" in html
