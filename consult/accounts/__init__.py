"""Accounts: people, roles, colleges, invitations, verification, second factor."""

from hashlib import sha512

from flask import request

from ..extensions import db, login_manager
from .models import User

login_manager.login_view = "accounts.login"
login_manager.session_protection = "strong"


def _browser_identifier() -> str:
    """What "strong" session protection compares: the browser, not its network address.

    Flask-Login's default also hashes the IP address, and readers on mobile data change
    address often (carrier NAT): they would be logged out at every change. A session cookie
    replayed from another browser is still refused.
    """
    agent = request.headers.get("User-Agent", "")
    return sha512(agent.encode("utf-8", errors="replace")).hexdigest()


login_manager._session_identifier_generator = _browser_identifier


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    # The session carries "<id>:<session_token>"; rotating the token logs out every session.
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user
