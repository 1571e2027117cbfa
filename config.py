"""Configuration read from the environment.

Every setting a deployment may change is read here, once, with a documented default
(see the README's configuration table). Production refuses to start without SECRET_KEY.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CONSULT_INSTANCE_DIR", BASE_DIR / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(url: str | None) -> str:
    """Accept a plain postgresql:// URL and select psycopg 3 for it."""
    if not url:
        return "sqlite:///" + str(INSTANCE_DIR / "consult.db")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    INSTANCE_DIR = str(INSTANCE_DIR)  # noqa: PLW0127

    # Languages: French is the reference language.
    LANGUAGES = ("fr", "en")
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Africa/Bamako"
    # Flask-Babel resolves relative paths against the package, so give an absolute one.
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    # The council as it is constituted: settings, not code.
    COUNCIL_NAME = os.environ.get("CONSULT_COUNCIL_NAME", "Conseil supérieur du numérique")
    COUNCIL_ACRONYM = os.environ.get("CONSULT_COUNCIL_ACRONYM", "CSN")
    DECISION_PREFIX = os.environ.get("CONSULT_DECISION_PREFIX", "CSN")
    SERVER_BASE_URL = os.environ.get("CONSULT_BASE_URL", "http://127.0.0.1:5000")

    # Accounts
    INVITATION_HOURS = int(os.environ.get("CONSULT_INVITATION_HOURS", "72"))
    VERIFICATION_HOURS = int(os.environ.get("CONSULT_VERIFICATION_HOURS", "72"))
    RESET_HOURS = int(os.environ.get("CONSULT_RESET_HOURS", "2"))
    REQUIRE_SECRETARIAT_2FA = _bool("CONSULT_REQUIRE_SECRETARIAT_2FA", True)
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PASSWORD_MIN_LENGTH = 10

    # Rate limits (Flask-Limiter). In memory unless RATELIMIT_STORAGE_URI names Redis.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("CONSULT_LOGIN_RATE_LIMIT", "5 per minute;20 per hour")
    POST_RATE_LIMIT = os.environ.get("CONSULT_POST_RATE_LIMIT", "10 per minute;60 per hour")

    # Mail: "file" writes .eml files to instance/outbox; "smtp" sends; "memory" keeps them (tests).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Consult <no-reply@csn.example>")
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", os.path.join(INSTANCE_DIR, "outbox"))

    # Reverse proxies in front of the app (0: none). With 1 or more, their X-Forwarded-For,
    # -Proto and -Host headers are trusted: rate limits and the audit log see each client's
    # address instead of the proxy's. Never set it when clients reach the app directly.
    PROXY_COUNT = int(os.environ.get("CONSULT_PROXY_COUNT", "0"))
    PREFERRED_URL_SCHEME = "http"
    SECURITY_HSTS = False
    WTF_CSRF_TIME_LIMIT = None
    PAGE_SIZE = 20


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105
    WTF_CSRF_ENABLED = False
    MAIL_BACKEND = "memory"
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_MIN_LENGTH = 10
    SERVER_NAME = None
    # argon2's cost protects stored passwords, not test databases: the cheapest profile here.
    ARGON2_PROFILE = "CHEAPEST"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SECURITY_HSTS = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in the environment in production.")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
