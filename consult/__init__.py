"""Consult: the application factory, made of small named steps."""

from __future__ import annotations

import logging
import os
import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import CONFIGS, ProductionConfig

from .extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config_name: str | None = None, **overrides) -> Flask:
    config_name = config_name or os.environ.get("CONSULT_ENV", "development")
    config_class = CONFIGS[config_name]
    if config_class is ProductionConfig:
        ProductionConfig.check()
    app = Flask(__name__, instance_path=config_class.INSTANCE_DIR, instance_relative_config=False)
    app.config.from_object(config_class)
    if config_class is ProductionConfig:
        # The key the environment has now, not the one it had when config.py was imported.
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    trust_proxies(app)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind CONSULT_PROXY_COUNT reverse proxies, see the client's address and scheme."""
    count = app.config.get("PROXY_COUNT", 0)
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def configure_logging(app: Flask) -> None:
    if not app.logger.handlers or app.config.get("TESTING"):
        return
    app.logger.setLevel(logging.INFO)


def register_extensions(app: Flask) -> None:
    from .i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    from . import accounts, models  # noqa: F401  (the user loader; every table)


def register_blueprints(app: Flask) -> None:
    from .accounts.routes import bp as accounts_bp
    from .admin.routes import bp as admin_bp
    from .audit.routes import bp as audit_bp
    from .main.routes import bp as main_bp
    from .recommendations.routes import bp as recommendations_bp
    from .votes.routes import bp as votes_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(recommendations_bp)
    app.register_blueprint(votes_bp)


def register_errorhandlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_security(app: Flask) -> None:
    from .security import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from .templating import register

    register(app)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys on, WAL, a busy timeout and memory-mapped reads, for every SQLite
    connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy issue BEGIN itself (see _sqlite_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Read through a memory map rather than SQLite's own 2 MB page cache: a list of
        # 5,000 recommendations otherwise rereads its table from the OS at each request.
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """SQLite: take the write lock at the start of each transaction.

    A deferred SQLite transaction that reads and then writes fails with SQLITE_BUSY when
    another writer committed in between; BEGIN IMMEDIATE makes writers queue instead.
    SQLite is the single-site default; production runs on PostgreSQL.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
