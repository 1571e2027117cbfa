"""Every votes route, for every role: visitors and participants see closed results only,
members vote if entitled, the secretariat manages."""

from __future__ import annotations

import pytest

from consult.extensions import db
from consult.votes import services

from ..helpers import ROLES
from .conftest import make_poll, make_recommendation, vote

ALL_200 = dict.fromkeys(ROLES, 200)
POST_ONLY = dict.fromkeys(ROLES, 405)
MEMBERS_ONLY = {"visitor": 302, "participant": 403, "member": 200, "secretariat": 403}
SECRETARIAT_ONLY = {"visitor": 302, "participant": 403, "member": 403, "secretariat": 200}

EXPECTED = {
    "votes.index": ALL_200,
    "votes.poll": ALL_200,
    "votes.ballots": ALL_200,
    "votes.check_receipt": ALL_200,
    "votes.export_csv": ALL_200,
    "votes.api_polls": ALL_200,
    "votes.api_poll": ALL_200,
    "votes.vote": MEMBERS_ONLY,
    "votes.cast": POST_ONLY,
    "votes.proxy": MEMBERS_ONLY,
    "votes.revoke_proxy": POST_ONLY,
    "votes.manage": SECRETARIAT_ONLY,
    "votes.create": SECRETARIAT_ONLY,
    "votes.edit": SECRETARIAT_ONLY,
    "votes.open_poll": POST_ONLY,
    "votes.close_poll": POST_ONLY,
    "votes.cancel_poll": POST_ONLY,
    "votes.record": SECRETARIAT_ONLY,
    "votes.defaults": SECRETARIAT_ONLY,
    "votes.simulator": SECRETARIAT_ONLY,
}


@pytest.fixture
def world(council, secretariat):
    """A closed roll-call poll, an open roll-call poll and a draft poll, on three texts."""
    closed = make_poll(secretariat, make_recommendation(secretariat), mode="roll_call")
    vote(closed, council["state"][0], "for")
    services.close_poll(secretariat, closed)
    db.session.commit()
    open_ = make_poll(secretariat, make_recommendation(secretariat), mode="roll_call")
    draft = make_poll(secretariat, make_recommendation(secretariat), open_it=False)
    return {"closed": closed, "open": open_, "draft": draft}


def url_for_endpoint(endpoint: str, world) -> str:
    closed, open_, draft = world["closed"].id, world["open"].id, world["draft"].id
    return {
        "votes.index": "/polls",
        "votes.poll": f"/polls/{closed}",
        "votes.ballots": f"/polls/{closed}/ballots",
        "votes.check_receipt": f"/polls/{closed}/receipt",
        "votes.export_csv": f"/polls/{closed}/results.csv",
        "votes.api_polls": "/api/v1/polls",
        "votes.api_poll": f"/api/v1/polls/{closed}",
        "votes.vote": f"/polls/{open_}/vote",
        "votes.cast": f"/polls/{open_}/cast",
        "votes.proxy": f"/polls/{open_}/proxy",
        "votes.revoke_proxy": f"/polls/{open_}/proxy/revoke",
        "votes.manage": "/secretariat/polls",
        "votes.create": "/secretariat/polls/new",
        "votes.edit": f"/secretariat/polls/{draft}/edit",
        "votes.open_poll": f"/secretariat/polls/{draft}/open",
        "votes.close_poll": f"/secretariat/polls/{open_}/close",
        "votes.cancel_poll": f"/secretariat/polls/{draft}/cancel",
        "votes.record": f"/secretariat/polls/{open_}/record",
        "votes.defaults": "/secretariat/votes/rules",
        "votes.simulator": "/secretariat/votes/simulator",
    }[endpoint]


def test_every_votes_endpoint_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("votes.")}
    assert endpoints == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(client, as_user, world, role):
    as_user(role)
    failures = []
    for endpoint, expected in EXPECTED.items():
        url = url_for_endpoint(endpoint, world)
        status = client.get(url).status_code
        if status != expected[role]:
            failures.append(f"{endpoint} {url}: {status}, expected {expected[role]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("role", "status"),
    [("visitor", 302), ("participant", 403), ("member", 403), ("secretariat", 302)],
)
@pytest.mark.parametrize("action", ["open", "cancel"])
def test_managing_a_poll_is_for_the_secretariat(client, as_user, world, role, status, action):
    as_user(role)
    response = client.post(f"/secretariat/polls/{world['draft'].id}/{action}")
    assert response.status_code == status
    if role == "visitor":
        assert "/login" in response.headers["Location"]
    db.session.refresh(world["draft"])
    expected_state = {"open": "open", "cancel": "cancelled"}[action]
    assert (world["draft"].state == expected_state) == (role == "secretariat")


@pytest.mark.parametrize(
    ("role", "status"),
    [("visitor", 302), ("participant", 403), ("member", 200), ("secretariat", 403)],
)
def test_casting_is_for_members(client, as_user, world, role, status):
    as_user(role)
    response = client.post(f"/polls/{world['open'].id}/cast", data={"choice": "for", "voter": ""})
    assert response.status_code == status
    assert (services.turnout(world["open"]).voted == 1) == (role == "member")


@pytest.mark.parametrize(
    ("role", "status"),
    [("visitor", 404), ("participant", 404), ("member", 200), ("secretariat", 200)],
)
def test_polls_not_open_yet_are_for_the_council(client, as_user, world, role, status):
    as_user(role)
    assert client.get(f"/polls/{world['draft'].id}").status_code == status
    assert client.get(f"/api/v1/polls/{world['draft'].id}").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("visitor", 404), ("participant", 404), ("member", 404), ("secretariat", 200)],
)
def test_cancelled_polls_are_for_the_secretariat(client, as_user, world, role, status):
    services.cancel_poll(as_user("secretariat"), world["draft"])
    db.session.commit()
    as_user(role)
    assert client.get(f"/polls/{world['draft'].id}").status_code == status


def test_unknown_poll_is_404(client, world):
    assert client.get("/polls/99999").status_code == 404
    assert client.get("/api/v1/polls/99999").status_code == 404
    assert client.get("/api/v1/polls/99999").is_json


def test_poll_on_a_members_only_text_is_hidden_from_the_public(
    client, as_user, council, secretariat
):
    from .conftest import make_amendment

    rec = make_recommendation(secretariat, state="deliberation")
    amendment = make_amendment(rec, council["state"][0])
    poll = make_poll(secretariat, amendment=amendment)
    as_user("visitor")
    assert client.get(f"/polls/{poll.id}").status_code == 404
    assert str(poll.id) not in client.get("/api/v1/polls").get_data(as_text=True)
    as_user("member")
    assert client.get(f"/polls/{poll.id}").status_code == 200
