"""Full-text search over recommendations, on SQLite (FTS5) and PostgreSQL (tsvector).

Both databases index one column, ``recommendations.search_document``: the reference, title,
summary and current text as plain text, lower-cased and with accents removed in Python (so
"donnees" and "données" are the same word everywhere). The services keep it up to date.

- PostgreSQL: a GIN index on ``to_tsvector('french', search_document)``, declared on the
  model, queried with ``to_tsquery('french', 'word:*')``: French stemming and prefixes, so
  "héberger" also finds "hébergement" and "interop" finds "interopérabilité".
- SQLite: an external-content FTS5 table kept in step by triggers. FTS5 has no French stemmer;
  the ``unicode61 remove_diacritics 2`` tokenizer and prefix queries ("donnee*") stand in.

The FTS5 table and the database triggers cannot be expressed as SQLAlchemy tables, so they
are created by `install()` after `create_all()` makes the tables, and a migration calls
`statements(dialect)` to create the same objects.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Select, bindparam, column, func, literal_column, select, table, text

from ..extensions import db
from .models import Recommendation
from .text import plain_text

FTS_TABLE = "recommendation_fts"
MAX_TERMS = 12
_WORD = re.compile(r"\w+", re.UNICODE)
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})

SQLITE_STATEMENTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS recommendation_fts USING fts5(search_document, "
    "content='recommendations', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS recommendations_fts_insert AFTER INSERT ON recommendations "
    "BEGIN INSERT INTO recommendation_fts(rowid, search_document) "
    "VALUES (new.id, new.search_document); END",
    "CREATE TRIGGER IF NOT EXISTS recommendations_fts_delete AFTER DELETE ON recommendations "
    "BEGIN INSERT INTO recommendation_fts(recommendation_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); END",
    "CREATE TRIGGER IF NOT EXISTS recommendations_fts_update "
    "AFTER UPDATE OF search_document ON recommendations "
    "BEGIN INSERT INTO recommendation_fts(recommendation_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); "
    "INSERT INTO recommendation_fts(rowid, search_document) "
    "VALUES (new.id, new.search_document); END",
    # Versions are immutable in the database too, not only in the ORM.
    "CREATE TRIGGER IF NOT EXISTS recommendation_versions_immutable "
    "BEFORE UPDATE ON recommendation_versions "
    "BEGIN SELECT RAISE(ABORT, 'recommendation versions are immutable'); END",
)
POSTGRESQL_STATEMENTS = (
    "CREATE OR REPLACE FUNCTION consult_refuse_version_update() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'recommendation versions are immutable'; END; $$",
    "DROP TRIGGER IF EXISTS recommendation_versions_immutable ON recommendation_versions",
    "CREATE TRIGGER recommendation_versions_immutable BEFORE UPDATE ON recommendation_versions "
    "FOR EACH ROW EXECUTE FUNCTION consult_refuse_version_update()",
)


def statements(dialect: str) -> tuple[str, ...]:
    """The DDL create_all cannot express, for a migration: ``for s in statements(...)``."""
    if dialect == "sqlite":
        return SQLITE_STATEMENTS
    if dialect == "postgresql":
        return POSTGRESQL_STATEMENTS
    return ()


def install(connection) -> None:
    for statement in statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


def fold(value: str) -> str:
    """Lower case, no accents, no ligatures: "Données" -> "donnees", "Œuvre" -> "oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def document_for(rec: Recommendation, body: str) -> str:
    return fold(
        " ".join([rec.reference or "", rec.title or "", rec.summary or "", plain_text(body)])
    )


def terms(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:MAX_TERMS]


def _tsvector():
    return func.to_tsvector(literal_column("'french'"), Recommendation.search_document)


def _tsquery(words: list[str]):
    # Each word stemmed, then matched as a prefix ("interop" finds "interopérabilité").
    # The words are \w+ runs, so they carry no tsquery operators.
    return func.to_tsquery(
        literal_column("'french'"),
        bindparam("fts_query", " & ".join(f"{word}:*" for word in words)),
    )


def _fts_match(words: list[str]):
    # Every term must occur, as a word or the start of one (no stemming on SQLite).
    match = " ".join(f'"{word}"*' for word in words)
    return literal_column(FTS_TABLE).op("MATCH")(bindparam("fts_query", match))


def matching(words: list[str]):
    """The condition "contains all `words`", for a select() over Recommendation.

    On SQLite it is ``id + 0 IN (SELECT rowid FROM recommendation_fts WHERE … MATCH …)``:
    the matches become a lookup set, and the planner walks the list's own index (newest
    first) and stops after one page, where a join would rank every match first. The ``+ 0``
    keeps it from looking each match up by primary key instead (what ANALYZE statistics
    lead it to), which reads every matching row, large ones, and then sorts them.
    """
    if db.engine.dialect.name == "postgresql":
        return _tsvector().op("@@")(_tsquery(words))
    hits = select(literal_column("rowid")).select_from(text(FTS_TABLE)).where(_fts_match(words))
    return (Recommendation.id + 0).in_(hits)


def by_relevance(query: Select, words: list[str]) -> Select:
    """`query` (not yet restricted by `matching`) restricted to the matches, best first."""
    if db.engine.dialect.name == "postgresql":
        vector, tsquery = _tsvector(), _tsquery(words)
        return query.where(vector.op("@@")(tsquery)).order_by(
            func.ts_rank(vector, tsquery).desc(), Recommendation.updated_at.desc()
        )
    fts = table(FTS_TABLE, column("rowid"), column("rank"))
    return (
        query.join(fts, fts.c.rowid == Recommendation.id)
        .where(_fts_match(words))
        .order_by(fts.c.rank, Recommendation.updated_at.desc())
    )
