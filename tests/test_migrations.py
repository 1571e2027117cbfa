"""One migration history serves SQLite and PostgreSQL, and matches the models exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from consult import create_app
from consult.extensions import db

from .conftest import PostgresDatabase

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    database = PostgresDatabase(server, prefix="consult_migrations")
    url = database.create()
    try:
        yield url
    finally:
        database.drop()


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": True, "include_object": _modelled},
        )
        return compare_metadata(context, db.metadata)


def _modelled(obj, name, type_, reflected, compare_to) -> bool:
    """The SQLite FTS5 table and its shadow tables are raw DDL (as in migrations/env.py)."""
    return not (type_ == "table" and reflected and name.startswith("recommendation_fts"))


# SQLite cannot reflect the PostgreSQL-only expression index, and Alembic says so.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression")
def test_upgrade_to_head_matches_the_models_and_downgrades_to_nothing(empty_database):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="head")
        assert _tables() >= {t.name for t in db.metadata.sorted_tables}
        assert _differences() == []
        from consult.audit.models import AuditHead

        assert db.session.get(AuditHead, 1) is not None  # the chain's head row is seeded
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="base")
        assert {t for t in _tables() if "_fts" not in t} == set()
        upgrade(directory=MIGRATIONS, revision="head")
        assert _differences() == []
        db.session.remove()
        db.engine.dispose()
