"""Security headers and access decorators shared by every blueprint."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values if isinstance(value, str))


def _all_values(multidict) -> list:
    return [value for values in multidict.listvalues() for value in values]


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        """NUL is never typed by a person, and PostgreSQL cannot store it: a clear 400."""
        if (
            _has_nul((request.view_args or {}).values())
            or _has_nul(_all_values(request.args))
            or (request.method == "POST" and _has_nul(_all_values(request.form)))
        ):
            abort(400)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if current_app.config.get("SECURITY_HSTS"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response


def safe_local_path(target: str | None, default: str) -> str:
    r"""`target` if it is a path on this site, else `default` (no open redirect).

    Refused: absolute URLs, protocol-relative "//host", backslashes (browsers read "/\host"
    as "//host") and any whitespace or control character (browsers drop tabs and newlines,
    so "/<tab>/host" would become "//host").
    """
    target = target or ""
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target)
        or len(target) > 2000
    ):
        return default
    return target


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _deny_anonymous():
    if wants_json():
        abort(401)
    flash(_("Please log in to continue."), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def login_required(view: Callable) -> Callable:
    """Anonymous: the login page for a browser, 401 for JSON."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return _deny_anonymous()
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str) -> Callable:
    """Logged in with one of `roles`, else 403 (or the login page when anonymous)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _deny_anonymous()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


secretariat_required = role_required("secretariat")
member_required = role_required("member", "secretariat")
