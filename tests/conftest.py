"""Fixtures: the app on SQLite (always) and PostgreSQL (when CONSULT_TEST_POSTGRES_URL is set).

Every test that uses `app` runs once per database. Tables are created once per database and
emptied after each test, so tests never see each other's rows. The PostgreSQL database is
created for the run and dropped at its end.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from consult import create_app
from consult.extensions import db, limiter, login_manager

from . import factories

POSTGRES_URL = os.environ.get("CONSULT_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("CONSULT_REQUIRE_POSTGRES") == "1"
SKIP_POSTGRES_REASON = "PostgreSQL tests skipped: CONSULT_TEST_POSTGRES_URL is not set"


def pytest_report_header(config):
    return [
        "databases: sqlite" + (f", postgresql ({POSTGRES_URL})" if POSTGRES_URL else ""),
        "" if POSTGRES_URL else SKIP_POSTGRES_REASON,
    ]


def pytest_sessionstart(session):
    if REQUIRE_POSTGRES and not POSTGRES_URL:
        raise pytest.UsageError("CONSULT_REQUIRE_POSTGRES=1 but CONSULT_TEST_POSTGRES_URL is unset")


def _psycopg_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


class PostgresDatabase:
    """A throw-away database on the server named by CONSULT_TEST_POSTGRES_URL."""

    def __init__(self, server_url: str, prefix: str = "consult_test") -> None:
        self.server_url = _psycopg_url(server_url)
        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        base, _, _db = self.server_url.rpartition("/")
        self.url = f"{base}/{self.name}"

    def _admin(self):
        return create_engine(self.server_url, isolation_level="AUTOCOMMIT")

    def create(self) -> str:
        engine = self._admin()
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as error:  # unreachable server
            engine.dispose()
            if REQUIRE_POSTGRES:
                pytest.fail(f"PostgreSQL unreachable at {self.server_url}: {error}")
            pytest.skip(f"PostgreSQL unreachable: {error}")
        engine.dispose()
        return self.url

    def drop(self) -> None:
        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_server():
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES_REASON)
    return POSTGRES_URL


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "consult-test.db"
        url = f"sqlite:///{path}"
        _create_schema(url)
        yield url
        return
    server = request.getfixturevalue("postgres_server")
    database = PostgresDatabase(server)
    url = database.create()
    try:
        _create_schema(url)
        yield url
    finally:
        database.drop()


def _create_schema(url: str) -> None:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def _empty_tables() -> None:
    from consult.audit.models import GENESIS

    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        )
    else:
        # Tables that point at each other (recommendations <-> versions): check at commit.
        db.session.execute(text("PRAGMA defer_foreign_keys=ON"))
        for name in reversed(tables):
            db.session.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608 (our own table names)
    db.session.execute(
        text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, :h)"), {"h": GENESIS}
    )
    db.session.commit()


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as in production.

    The `app` fixture keeps an app context open (for db.session) and Flask reuses it for each
    request of the test, so `g` would otherwise carry the logged-in user (Flask-Login), the
    locale (Flask-Babel) and the CSRF token from one request into the next.
    """

    def open(self, *args, **kwargs):
        for name in list(vars(g)):
            delattr(g, name)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=database_url,
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
    )
    app.test_client_class = FreshRequestClient
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    from consult import mail

    box = mail.outbox()
    box.clear()
    return box


def login_as(client, user) -> None:
    """Log a user in on the test client without the password form (argon2 is slow on purpose)."""
    # The identifier of the client's own requests (see accounts._browser_identifier): session
    # protection is "strong", so any other identifier would end the session at once.
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = login_manager._session_identifier_generator()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
        sess["_id"] = identifier


@pytest.fixture
def participant(app):
    return factories.UserFactory(role="participant")


@pytest.fixture
def unverified(app):
    return factories.UserFactory(role="participant", email_verified_at=None)


@pytest.fixture
def member(app):
    return factories.MemberFactory(college="civil_society")


@pytest.fixture
def secretariat(app):
    return factories.SecretariatFactory()


@pytest.fixture
def users(participant, member, secretariat):
    return {
        "visitor": None,
        "participant": participant,
        "member": member,
        "secretariat": secretariat,
    }


@pytest.fixture
def as_user(client, users):
    """as_user('member') logs the test client in with that role ('visitor' stays anonymous)."""

    def switch(role: str):
        with client.session_transaction() as sess:
            sess.clear()
        if users[role] is not None:
            login_as(client, users[role])
        return users[role]

    return switch
