"""Bad input gets a clear message in the page, the typed text back, and never a server error."""

from __future__ import annotations

import pytest

from ..conftest import login_as
from ..helpers import html_t, login_with_form, text

LONG = "x" * 5000
VALID_EMAIL = "Enter a valid e-mail address, such as name@example.org."


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login", {"email": LONG + "@example.org", "password": LONG}),
        ("/login", {"email": "", "password": ""}),
        ("/login", {"email": "a@b@c", "password": "whatever"}),
        ("/login", {"email": "\x00@example.org", "password": "\x00"}),
        ("/register", {"display_name": LONG, "email": LONG, "password": LONG, "confirm": "y"}),
        ("/register", {"display_name": "‮ évil ", "email": "é@é", "password": "🙂" * 12}),
        ("/password/forgot", {"email": LONG}),
        ("/password/forgot", {"email": "no-at-sign"}),
        ("/login/code", {"code": LONG}),
        ("/verify/" + "A" * 3000, {}),
        ("/invitation/%00%ff", {"password": LONG, "confirm": LONG}),
        ("/password/reset/../../etc", {}),
    ],
)
def test_never_a_server_error(client, path, data):
    response = client.post(path, data=data)
    assert response.status_code != 500
    assert response.status_code in (200, 302, 400, 404)


@pytest.mark.parametrize("email", ["not-an-address", "name@", "@example.org", "a b@example.org"])
def test_malformed_address_is_explained_and_kept(client, email):
    response = client.post("/password/forgot", data={"email": email})
    assert response.status_code == 200
    assert html_t(VALID_EMAIL) in text(response)
    assert html_t("Please correct the following:") in text(response)


def test_over_long_name_is_explained_and_kept(client):
    name = "N" * 121
    response = client.post(
        "/register",
        data={
            "display_name": name,
            "email": "n@example.org",
            "password": "long enough password",
            "confirm": "long enough password",
            "accept": "y",
        },
    )
    assert response.status_code == 200
    assert 'id="display_name-error"' in text(response)
    assert f'value="{name}"' in text(response)


def test_over_long_email_on_login(client):
    response = login_with_form(client, "a" * 250 + "@example.org", "whatever")
    assert response.status_code == 200
    assert 'id="email-error"' in text(response)


def test_over_long_totp_code_when_setting_it_up(client, member):
    login_as(client, member)
    client.get("/account/second-factor")
    response = client.post("/account/second-factor", data={"code": "1" * 50})
    assert response.status_code == 200
    assert 'id="code-error"' in text(response)


def test_html_in_a_name_is_shown_as_text(client, secretariat, outbox):
    login_as(client, secretariat)
    client.post(
        "/secretariat/members/invite",
        data={
            "display_name": "<script>alert(1)</script>",
            "email": "x@example.org",
            "role": "member",
            "college": "state",
            "locale": "fr",
        },
        follow_redirects=False,
    )
    # The raw HTML, not text(): escaping is exactly what is under test here.
    page = client.get("/secretariat/members").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("POST", "/register", {"display_name": "a\x00b", "email": "nul@example.org"}),
        ("POST", "/login", {"email": "nul@example.org", "password": "a\x00b"}),
        ("GET", "/secretariat/members?q=a%00b", None),
        ("GET", "/secretariat/audit/?action=x&action=%00", None),
        ("GET", "/invitation/a%00b", None),
    ],
)
def test_nul_characters_are_a_clear_400_on_every_database(client, as_user, method, path, data):
    """PostgreSQL cannot store NUL: refused up front instead of failing in the database."""
    as_user("secretariat")
    response = client.open(path, method=method, data=data)
    assert response.status_code == 400
    assert html_t("The request could not be understood. Please go back and try again.") in text(
        response
    )
