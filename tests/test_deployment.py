"""Deployment behind a TLS reverse proxy (CONSULT_PROXY_COUNT)."""

from __future__ import annotations

from flask import request, url_for

from consult import create_app
from consult.extensions import _client_ip

PROXY = {"REMOTE_ADDR": "127.0.0.1"}
FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def _seen_by(app):
    """What the app believes about the request: client address, limiter key, scheme."""

    def seen():
        return {
            "ip": request.remote_addr,
            "limit_key": _client_ip(),
            "link": url_for("accounts.login", _external=True),
        }

    app.add_url_rule("/_seen", "seen", seen)
    return app.test_client().get("/_seen", environ_base=PROXY, headers=FORWARDED).get_json()


def test_behind_a_proxy_the_client_address_and_https_are_seen():
    app = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite://", PROXY_COUNT=1)
    seen = _seen_by(app)
    # Rate limits and the audit log count each client, not the proxy.
    assert seen["ip"] == "203.0.113.9"
    assert seen["limit_key"] == "203.0.113.9"
    assert seen["link"].startswith("https://")


def test_without_a_proxy_forwarded_headers_cannot_be_spoofed():
    app = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite://")
    seen = _seen_by(app)
    assert seen["ip"] == "127.0.0.1"
    assert seen["limit_key"] == "127.0.0.1"
    assert seen["link"].startswith("http://")
