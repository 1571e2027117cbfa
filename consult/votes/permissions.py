"""Who may see and do what with a poll: every check of the domain, in one place.

Visitors and participants see polls that have opened (only the turnout until the close,
then the result); members also see polls not open yet (to give a proxy ahead of a remote
vote); the secretariat sees everything, cancelled polls included, and manages them.
A poll is never more visible than the recommendation it concerns.
"""

from __future__ import annotations

from ..recommendations.permissions import can_view as can_view_recommendation
from .models import Poll


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.active)


def is_secretariat(user) -> bool:
    return _active(user) and user.role == "secretariat"


def is_council(user) -> bool:
    return _active(user) and user.role in ("member", "secretariat")


def is_member(user) -> bool:
    return _active(user) and user.role == "member"


def can_view(user, poll: Poll) -> bool:
    if poll.state == "cancelled" and not is_secretariat(user):
        return False
    if poll.state == "draft" and not is_council(user):
        return False
    return can_view_recommendation(user, poll.recommendation)


def can_manage(user) -> bool:
    return is_secretariat(user)


def results_public(poll: Poll) -> bool:
    """Counts per choice exist for nobody until the poll has closed."""
    return poll.state == "closed" and poll.result is not None
