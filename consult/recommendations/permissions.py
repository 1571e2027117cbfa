"""Who may do what with a recommendation: every check of the domain, in one place.

Each function takes the person (a User, Flask-Login's anonymous user, or None for a visitor)
and the object, and answers yes or no. Routes turn "no" into 404 (when the person may not even
know the recommendation exists) or 403; templates use `abilities()` to show only the buttons
that will work. State changes are decided by lifecycle.py, which these functions do not repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, false, or_, select, true

from .lifecycle import DELIBERATION_STATES, EDITABLE_STATES, SPONSOR_STATES, available_moves
from .models import Amendment, DeliberationComment, Recommendation, Sponsorship


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.active)


def is_secretariat(user) -> bool:
    return _active(user) and user.role == "secretariat"


def is_council(user) -> bool:
    """Members and secretariat: the people who deliberate."""
    return _active(user) and user.role in ("member", "secretariat")


def is_rapporteur(user, rec: Recommendation) -> bool:
    return _active(user) and user.id == rec.rapporteur_id


def is_sponsor(user, rec: Recommendation) -> bool:
    return _active(user) and user.id in rec.sponsor_ids


def can_view(user, rec: Recommendation) -> bool:
    if rec.audience == "public":
        return True
    if rec.audience == "members":
        return is_council(user)
    return is_secretariat(user) or is_rapporteur(user, rec) or is_sponsor(user, rec)


def visible_clause(user):
    """The SQL condition matching the recommendations `user` may see (for lists and search)."""
    if is_secretariat(user):
        return true()
    public = Recommendation.audience == "public"
    if not _active(user):
        return public
    own = or_(
        Recommendation.rapporteur_id == user.id,
        exists(
            select(Sponsorship.user_id).where(
                Sponsorship.recommendation_id == Recommendation.id,
                Sponsorship.user_id == user.id,
            )
        ),
    )
    members = Recommendation.audience == "members" if is_council(user) else false()
    return or_(public, members, own)


def can_create(user) -> bool:
    return is_council(user)


def can_edit_text(user, rec: Recommendation) -> bool:
    """Rapporteur and secretariat, until the text is frozen for the vote."""
    return rec.state in EDITABLE_STATES and (is_rapporteur(user, rec) or is_secretariat(user))


def can_manage_sponsors(user, rec: Recommendation) -> bool:
    return rec.state in SPONSOR_STATES and (is_rapporteur(user, rec) or is_secretariat(user))


def can_read_deliberation(user, rec: Recommendation) -> bool:
    """Members-only comments: the council reads them once it may read the recommendation."""
    return is_council(user) and can_view(user, rec)


def can_comment(user, rec: Recommendation) -> bool:
    return rec.state in DELIBERATION_STATES and can_read_deliberation(user, rec)


def can_edit_comment(user, comment: DeliberationComment, rec: Recommendation) -> bool:
    """The author only, while deliberation is open, and not once it is deleted."""
    return (
        not comment.is_deleted
        and _active(user)
        and comment.author_id == user.id
        and can_comment(user, rec)
    )


def can_delete_comment(user, comment: DeliberationComment, rec: Recommendation) -> bool:
    if comment.is_deleted or not can_read_deliberation(user, rec):
        return False
    return is_secretariat(user) or (comment.author_id == user.id)


def can_see_comment_history(user) -> bool:
    """Earlier texts of edited or deleted comments: for the secretariat."""
    return is_secretariat(user)


def can_propose_amendment(user, rec: Recommendation) -> bool:
    return rec.state in DELIBERATION_STATES and can_read_deliberation(user, rec)


def can_decide_amendment(user, amendment: Amendment, rec: Recommendation) -> bool:
    """Accept or reject: the rapporteur (or the secretariat), while the text may change.

    An amendment put to the vote is still applied or rejected here, once the poll has given
    its result (the votes domain records it; it never rewrites the text itself).
    """
    return amendment.is_open and can_edit_text(user, rec)


def can_withdraw_amendment(user, amendment: Amendment) -> bool:
    return amendment.state == "proposed" and _active(user) and amendment.author_id == user.id


def can_put_amendment_to_vote(user, amendment: Amendment) -> bool:
    return amendment.state == "proposed" and is_secretariat(user)


@dataclass(frozen=True)
class Abilities:
    """What the person looking at a recommendation page may do there."""

    edit: bool
    manage_sponsors: bool
    read_deliberation: bool
    comment: bool
    amend: bool
    see_history: bool
    moves: list


def abilities(user, rec: Recommendation) -> Abilities:
    return Abilities(
        edit=can_edit_text(user, rec),
        manage_sponsors=can_manage_sponsors(user, rec),
        read_deliberation=can_read_deliberation(user, rec),
        comment=can_comment(user, rec),
        amend=can_propose_amendment(user, rec),
        see_history=can_see_comment_history(user),
        moves=available_moves(user, rec) if _active(user) else [],
    )
