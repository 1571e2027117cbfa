"""Accounts: people, roles, colleges, invitations, verification, second factor."""

from ..extensions import db, login_manager
from .models import User

login_manager.login_view = "accounts.login"
login_manager.session_protection = "strong"


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
