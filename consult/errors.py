"""Error pages: HTML for people, JSON under /api/."""

from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .security import wants_json

TITLES = {
    400: _l("Bad request"),
    401: _l("Login required"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("File too large"),
    429: _l("Too many attempts"),
    500: _l("Server error"),
}

MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    401: _l("You need to log in to see this page."),
    403: _l("You do not have permission to see this page."),
    404: _l("This page does not exist, or is not public."),
    405: _l("This action is not available here."),
    409: _l("This action conflicts with the current state. Reload the page and try again."),
    413: _l("The file you sent is larger than allowed."),
    429: _l("Too many attempts in a short time. Please wait a few minutes before trying again."),
    500: _l("Something went wrong on our side. The error has been recorded."),
}


CSRF_TITLE = _l("Form expired")
CSRF_MESSAGE = _l(
    "This form has expired or did not come from this site. "
    "Go back, reload the page and send the form again."
)


def _respond(code: int, title=None, message=None):
    db.session.rollback()
    title = title or TITLES.get(code, TITLES[500])
    message = message or MESSAGES.get(code, MESSAGES[500])
    if wants_json():
        return jsonify(error=code, message=str(message)), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return _respond(400, CSRF_TITLE, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code not in TITLES:
            code = 400 if 400 <= code < 500 else 500
        return _respond(code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if app.config.get("TESTING") and not app.config.get("TEST_RENDER_500"):
            raise error  # let the test see the traceback
        app.logger.exception("Unhandled error")
        return _respond(500)
