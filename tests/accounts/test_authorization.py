"""Who may open each foundation page: every route × visitor, participant, member, secretariat.

GET where the route answers GET; POST (with its usual fields) for the action-only routes.
302 for a visitor on a protected page is the login page (checked below); 302 for a logged-in
reader is where the route sends them (home, their account, the page they acted on).
"""

from __future__ import annotations

import pytest
from flask import url_for

from consult.accounts import services
from consult.extensions import db

from .. import factories
from ..helpers import ROLES, html_t, statuses_by_role, text


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _secretariat_only(status: int) -> dict[str, int]:
    return {"visitor": 302, "participant": 403, "member": 403, "secretariat": status}


def _logged_in(status: int) -> dict[str, int]:
    return {"visitor": 302, "participant": status, "member": status, "secretariat": status}


def _anonymous_only() -> dict[str, int]:
    return {"visitor": 200, "participant": 302, "member": 302, "secretariat": 302}


EXPECTED = {
    # public pages
    "main.index": _all(200),
    "main.about": _all(200),
    "main.health": _all(200),
    "main.set_language": _all(302),
    # logging in and out
    "accounts.login": _anonymous_only(),
    "accounts.login_code": _all(302),  # nothing pending: back to the login form
    "accounts.logout": _all(302),
    "accounts.register": _anonymous_only(),
    "accounts.forgot_password": _all(200),
    # single-use links: whoever holds the link may open it
    "accounts.verify_email": _all(200),
    "accounts.accept_invitation": _all(200),
    "accounts.reset_password": _all(200),
    "accounts.resend_verification": _logged_in(302),
    # the account page
    "accounts.account": _logged_in(200),
    # the secretariat's factor is already on: back to the account page
    "accounts.totp_setup": {"visitor": 302, "participant": 200, "member": 200, "secretariat": 302},
    # without a second factor there are no codes to renew: back to the account page
    "accounts.recovery_codes": {
        "visitor": 302,
        "participant": 302,
        "member": 302,
        "secretariat": 200,
    },
    "accounts.totp_disable": _logged_in(302),
    # the secretariat's console
    "admin.dashboard": _secretariat_only(302),
    "admin.members": _secretariat_only(200),
    "admin.invite": _secretariat_only(200),
    "admin.member": _secretariat_only(200),
    "admin.resend": _secretariat_only(302),
    "admin.revoke": _secretariat_only(302),
    "admin.deactivate": _secretariat_only(302),
    "admin.reactivate": _secretariat_only(302),
    "admin.reset_second_factor": _secretariat_only(302),
    "admin.participants": _secretariat_only(200),
    "audit.index": _secretariat_only(200),
}

# A visitor is sent to the login page first (302 to /login?next=...).
LOGIN_FIRST = {
    "accounts.resend_verification",
    "accounts.account",
    "accounts.totp_setup",
    "accounts.recovery_codes",
    "accounts.totp_disable",
    *(endpoint for endpoint in EXPECTED if endpoint.startswith(("admin.", "audit."))),
}


@pytest.fixture
def requests_by_endpoint(app, member):
    """(method, url, form data) for each endpoint, with real ids and live single-use links."""
    invited = factories.MemberFactory(password_hash=None, email_verified_at=None)
    unverified = factories.UserFactory(email_verified_at=None)
    someone = factories.UserFactory()
    invite = services.issue_token(invited, "invite", 72)
    verify = services.issue_token(unverified, "verify", 72)
    reset = services.issue_token(someone, "reset", 2)
    db.session.commit()
    with app.test_request_context():
        get = {
            "main.index": url_for("main.index"),
            "main.about": url_for("main.about"),
            "main.health": url_for("main.health"),
            "accounts.login": url_for("accounts.login"),
            "accounts.login_code": url_for("accounts.login_code"),
            "accounts.register": url_for("accounts.register"),
            "accounts.forgot_password": url_for("accounts.forgot_password"),
            "accounts.verify_email": url_for("accounts.verify_email", token=verify),
            "accounts.accept_invitation": url_for("accounts.accept_invitation", token=invite),
            "accounts.reset_password": url_for("accounts.reset_password", token=reset),
            "accounts.account": url_for("accounts.account"),
            "accounts.totp_setup": url_for("accounts.totp_setup"),
            "admin.dashboard": url_for("admin.dashboard"),
            "admin.members": url_for("admin.members"),
            "admin.invite": url_for("admin.invite"),
            "admin.member": url_for("admin.member", user_id=member.id),
            "admin.participants": url_for("admin.participants"),
            "audit.index": url_for("audit.index"),
        }
        post = {
            "main.set_language": (url_for("main.set_language"), {"lang": "en", "next": "/"}),
            "accounts.logout": (url_for("accounts.logout"), {}),
            "accounts.resend_verification": (url_for("accounts.resend_verification"), {}),
            "accounts.recovery_codes": (url_for("accounts.recovery_codes"), {}),
            "accounts.totp_disable": (url_for("accounts.totp_disable"), {}),
            "admin.resend": (url_for("admin.resend", user_id=invited.id), {}),
            "admin.revoke": (url_for("admin.revoke", user_id=invited.id), {}),
            "admin.deactivate": (url_for("admin.deactivate", user_id=member.id), {}),
            "admin.reactivate": (url_for("admin.reactivate", user_id=member.id), {}),
            "admin.reset_second_factor": (
                url_for("admin.reset_second_factor", user_id=member.id),
                {},
            ),
        }
    requests = {endpoint: ("GET", url, None) for endpoint, url in get.items()}
    requests.update({endpoint: ("POST", url, data) for endpoint, (url, data) in post.items()})
    return requests


def test_every_foundation_endpoint_has_a_request(requests_by_endpoint):
    assert set(requests_by_endpoint) == set(EXPECTED)


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_access_matrix(endpoint, client, as_user, requests_by_endpoint):
    method, url, data = requests_by_endpoint[endpoint]
    seen = statuses_by_role(client, as_user, method, url, data, login_first=endpoint in LOGIN_FIRST)
    assert seen == EXPECTED[endpoint]


def test_forbidden_page_says_so(client, as_user):
    as_user("member")
    response = client.get("/secretariat/members")
    assert response.status_code == 403
    assert html_t("You do not have permission to see this page.") in text(response)
