"""Security headers, error pages (HTML for people, JSON under /api/), CSRF, production settings."""

from __future__ import annotations

import re

import pytest

from consult import create_app
from consult.extensions import db

from .conftest import login_as
from .helpers import html_t, t, text


class TestHeaders:
    def test_every_page_has_the_security_headers(self, client):
        for path in ("/", "/login", "/does-not-exist", "/api/v1/does-not-exist"):
            response = client.get(path)
            csp = response.headers["Content-Security-Policy"]
            directives = dict(
                (part.split(" ", 1) + [""])[:2] for part in csp.split("; ") if part.strip()
            )
            assert directives["script-src"] == "'self'", path
            assert "unsafe-inline" not in csp
            assert directives["frame-ancestors"] == "'none'"
            assert directives["object-src"] == "'none'"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "same-origin"
            assert "Strict-Transport-Security" not in response.headers  # only in production

    def test_pages_have_no_inline_script_or_style(self, client, as_user):
        pages = {
            "visitor": ["/", "/login", "/register", "/password/forgot", "/about"],
            "member": ["/account", "/account/second-factor"],
            "secretariat": [
                "/secretariat/members",
                "/secretariat/members/invite",
                "/secretariat/participants",
                "/secretariat/audit/",
            ],
        }
        for role, paths in pages.items():
            as_user(role)
            for path in paths:
                page = text(client.get(path))
                assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
                assert not re.search(r"\sstyle=", page), path
                assert not re.search(r"\son[a-z]+=", page), path  # no inline event handlers
                # Nothing loaded from another host.
                assert not re.search(
                    r'<(?:script|link|img|iframe|source)[^>]+(?:src|href)="(?:https?:)?//', page
                ), path


class TestErrorPages:
    def test_api_404_is_json(self, client):
        response = client.get("/api/v1/does-not-exist")
        assert response.status_code == 404
        assert response.is_json
        assert response.get_json() == {
            "error": 404,
            "message": t("This page does not exist, or is not public."),
        }
        response = client.get("/api/v1/does-not-exist", headers={"Accept-Language": "en"})
        assert response.get_json() == {
            "error": 404,
            "message": "This page does not exist, or is not public.",
        }

    def test_html_404(self, client):
        response = client.get("/nowhere", headers={"Accept-Language": "en"})
        assert response.status_code == 404
        assert "Page not found" in text(response)
        assert "This page does not exist, or is not public." in text(response)

    def test_405(self, client):
        response = client.get("/logout")
        assert response.status_code == 405
        assert html_t("This action is not available here.") in text(response)

    def test_403(self, client, as_user):
        as_user("participant")
        response = client.get("/secretariat/audit/")
        assert response.status_code == 403
        assert html_t("Access denied") in text(response)

    def test_500_is_a_page_not_a_traceback(self, app, client):
        app.config["TEST_RENDER_500"] = True

        @app.route("/boom")
        def boom():
            raise ZeroDivisionError

        response = client.get("/boom")
        assert response.status_code == 500
        assert html_t("Something went wrong on our side. The error has been recorded.") in text(
            response
        )
        assert "ZeroDivisionError" not in text(response)

    def test_400_for_a_bad_language_request(self, client):
        response = client.post("/language", data={"lang": "klingon"})
        assert response.status_code == 400
        assert html_t("Bad request") in text(response)


class TestCsrf:
    def test_form_without_its_token_is_refused_with_a_clear_page(self, app, client, member):
        app.config["WTF_CSRF_ENABLED"] = True
        refused = client.post("/password/forgot", data={"email": member.email})
        assert refused.status_code == 400
        page = text(refused)
        assert html_t("Form expired") in page
        assert (
            html_t(
                "This form has expired or did not come from this site. "
                "Go back, reload the page and send the form again."
            )
            in page
        )

        form = text(client.get("/password/forgot"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        accepted = client.post(
            "/password/forgot", data={"email": member.email, "csrf_token": token}
        )
        assert accepted.status_code == 200
        assert html_t("Check your e-mail") in text(accepted)

    def test_logout_and_admin_buttons_need_the_token_too(self, app, client, as_user, member):
        app.config["WTF_CSRF_ENABLED"] = True
        as_user("secretariat")
        assert client.post(f"/secretariat/members/{member.id}/deactivate").status_code == 400
        db.session.refresh(member)
        assert member.active
        assert client.post("/logout").status_code == 400
        assert client.get("/account").status_code == 200


class TestProduction:
    def test_refuses_to_start_without_a_secret_key(self, monkeypatch):
        monkeypatch.delenv("SECRET_KEY", raising=False)
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app("production")

    def test_hsts_and_secure_cookies(self, monkeypatch, database_url):
        monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-this-test")
        app = create_app("production", SQLALCHEMY_DATABASE_URI=database_url)
        assert app.config["SECRET_KEY"] == "a-production-secret-for-this-test"
        with app.app_context():
            client = app.test_client()
            response = client.get("/login")
            db.session.remove()
            db.engine.dispose()
        assert response.status_code == 200
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        (cookie,) = response.headers.getlist("Set-Cookie")  # the session, holding the CSRF key
        assert cookie.startswith("session=")
        for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
            assert flag in cookie
        assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
        assert app.config["WTF_CSRF_ENABLED"] is not False


def test_french_translation_helper_matches_the_page(client):
    """The page and the test read the same catalogue."""
    assert html_t("Log in") in text(client.get("/login"))
    assert t("Log in", "en") == "Log in"


def test_secretariat_page_needs_login_first(client):
    response = client.get("/secretariat/members")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/secretariat/members"


def test_json_401_under_api_for_protected_routes(app, client):
    from consult.security import login_required

    @app.route("/api/v1/private")
    @login_required
    def private():
        return {"ok": True}

    response = client.get("/api/v1/private")
    assert response.status_code == 401
    assert response.is_json


def test_logged_in_member_still_gets_403_json_under_api(app, client, member):
    from consult.security import secretariat_required

    @app.route("/api/v1/secret")
    @secretariat_required
    def secret():
        return {"ok": True}

    login_as(client, member)
    response = client.get("/api/v1/secret")
    assert response.status_code == 403
    assert response.get_json()["error"] == 403
