"""Operations on recommendations. Each takes an explicit actor, checks the domain's rules,
flushes, writes its audit entry in the same transaction, and never commits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import audit
from ..extensions import db
from ..numbering import next_number
from ..timeutil import utcnow
from . import permissions
from .diff import diff_paragraphs
from .lifecycle import lock
from .models import (
    MAX_COMMENT_DEPTH,
    STANCES,
    Amendment,
    CommentRevision,
    DeliberationComment,
    Recommendation,
    RecommendationVersion,
    Sponsorship,
    StateChange,
    Theme,
)
from .search import document_for
from .text import content_hash, join_paragraphs, normalise, split_paragraphs

TITLE_MAX = 250
SUMMARY_MAX = 1000
BODY_MAX = 100_000
NOTE_MAX = 500
REASON_MAX = 2000
COMMENT_MAX = 10_000
AMENDMENT_TEXT_MAX = 20_000

# The themes every council starts with (DESIGN section 7: a setting the secretariat manages).
DEFAULT_THEMES = (
    ("standardisation", "Normalisation", "Standardisation"),
    ("professionalisation", "Professionnalisation", "Professionalisation"),
    ("regulation", "Régulation", "Regulation"),
    ("infrastructure", "Infrastructures et connectivité", "Infrastructure and connectivity"),
    ("e_government", "Administration électronique", "E-government"),
    ("digital_economy", "Économie numérique et start-up", "Digital economy and start-ups"),
    ("skills", "Compétences et éducation", "Skills and education"),
    ("digital_health", "Santé numérique", "Digital health"),
    ("digital_agriculture", "Agriculture numérique", "Digital agriculture"),
    ("digital_finance", "Finance numérique", "Digital finance"),
    (
        "data_protection",
        "Protection des données et cybersécurité",
        "Data protection and cybersecurity",
    ),
)


class RecommendationError(Exception):
    """A refusal the user can act on; `message` is translated."""

    def __init__(self, message) -> None:
        # Kept lazy: translated when shown, so services also work outside a request (CLI).
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(RecommendationError):
    pass


class StaleVersionError(RecommendationError):
    """The edit started from a version that is no longer the current one."""

    def __init__(self, base: RecommendationVersion | None, current: RecommendationVersion):
        super().__init__(
            _l(
                "The text was changed by someone else while you were editing it: it is now "
                "at version %(current)s. Your text is kept below; review what changed, then "
                "save again.",
                current=current.label,
            )
        )
        self.base = base
        self.current = current


@dataclass(frozen=True)
class Placement:
    """Where an amendment's paragraph is in the current text."""

    index: int | None  # 0-based position in the current text, None if the paragraph is gone
    current_text: str | None
    conflict: bool


class AmendmentConflict(RecommendationError):
    """The paragraph changed since the amendment was written: the rapporteur must resolve it."""

    def __init__(self, amendment: Amendment, placement: Placement) -> None:
        super().__init__(
            _l(
                "The paragraph this amendment targets has changed since it was proposed. "
                "Nothing was merged: compare the texts below and resolve by editing."
            )
        )
        self.amendment = amendment
        self.placement = placement


# ---------------------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------------------


def _slug(value: str) -> str:
    from .search import fold

    return re.sub(r"[^a-z0-9]+", "_", fold(value)).strip("_")[:60]


def ensure_default_themes(actor=None) -> int:
    """Create the default themes that do not exist yet (by code); returns how many. Idempotent."""
    existing = set(db.session.scalars(select(Theme.code)))
    created = 0
    for position, (code, name_fr, name_en) in enumerate(DEFAULT_THEMES, start=1):
        if code in existing:
            continue
        db.session.add(Theme(code=code, name_fr=name_fr, name_en=name_en, position=position))
        created += 1
    if created:
        db.session.flush()
        audit.record("theme.seed", actor=actor, data={"created": created})
    return created


def _check_theme_names(name_fr: str, name_en: str, theme: Theme | None = None) -> None:
    if not name_fr or not name_en:
        raise RecommendationError(_l("Give the theme's name in French and in English."))
    clash = db.session.scalar(
        select(Theme.id).where(
            (func.lower(Theme.name_fr) == name_fr.lower())
            | (func.lower(Theme.name_en) == name_en.lower())
        )
    )
    if clash is not None and (theme is None or clash != theme.id):
        raise RecommendationError(_l("A theme with this name already exists."))


def create_theme(actor, *, name_fr: str, name_en: str) -> Theme:
    if not permissions.is_secretariat(actor):
        raise NotAllowed(_l("Only the secretariat manages themes."))
    name_fr, name_en = name_fr.strip(), name_en.strip()
    _check_theme_names(name_fr, name_en)
    code = base = _slug(name_en) or "theme"
    taken = set(db.session.scalars(select(Theme.code).where(Theme.code.startswith(base))))
    suffix = 2
    while code in taken:
        code = f"{base[:55]}_{suffix}"
        suffix += 1
    position = (db.session.scalar(select(func.max(Theme.position))) or 0) + 1
    theme = Theme(code=code, name_fr=name_fr, name_en=name_en, position=position, active=True)
    db.session.add(theme)
    db.session.flush()
    audit.record(
        "theme.create", actor=actor, target=theme, data={"name_fr": name_fr, "name_en": name_en}
    )
    return theme


def update_theme(actor, theme: Theme, *, name_fr: str, name_en: str, active: bool) -> None:
    if not permissions.is_secretariat(actor):
        raise NotAllowed(_l("Only the secretariat manages themes."))
    name_fr, name_en = name_fr.strip(), name_en.strip()
    _check_theme_names(name_fr, name_en, theme)
    before = {"name_fr": theme.name_fr, "name_en": theme.name_en, "active": theme.active}
    theme.name_fr, theme.name_en, theme.active = name_fr, name_en, bool(active)
    after = {"name_fr": theme.name_fr, "name_en": theme.name_en, "active": theme.active}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return
    db.session.flush()
    action = "theme.update"
    if "active" in changes:
        action = "theme.activate" if theme.active else "theme.deactivate"
    audit.record(action, actor=actor, target=theme, data=changes)


def _themes(theme_ids, current: list[Theme] | None = None) -> list[Theme]:
    """The chosen themes; a theme already on the text may stay even once deactivated."""
    try:
        ids = {int(i) for i in theme_ids or ()}
    except (TypeError, ValueError):
        raise RecommendationError(_l("Choose the themes from the list.")) from None
    if not ids:
        raise RecommendationError(_l("Choose at least one theme."))
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(ids))))
    allowed = {t.id for t in current or ()}
    if len(themes) != len(ids) or any(not t.active and t.id not in allowed for t in themes):
        raise RecommendationError(_l("Choose the themes from the list."))
    return sorted(themes, key=lambda t: (t.position, t.id))


# ---------------------------------------------------------------------------------------
# Recommendations and their versions
# ---------------------------------------------------------------------------------------


def _clean_text(title: str, summary: str, body: str) -> tuple[str, str, str]:
    title = " ".join((title or "").split())
    summary = (summary or "").strip()
    if not title:
        raise RecommendationError(_l("Give the recommendation a title."))
    if len(title) > TITLE_MAX:
        raise RecommendationError(
            _l("The title must have at most %(max)s characters.", max=TITLE_MAX)
        )
    if len(summary) > SUMMARY_MAX:
        raise RecommendationError(
            _l("The summary must have at most %(max)s characters.", max=SUMMARY_MAX)
        )
    if len(body or "") > BODY_MAX:
        raise RecommendationError(
            _l("The text must have at most %(max)s characters.", max=BODY_MAX)
        )
    body = normalise(body or "")
    if not body:
        raise RecommendationError(_l("The text of the recommendation cannot be empty."))
    return title, summary, body


def _new_version(
    actor, rec: Recommendation, number: int, title: str, summary: str, body: str, note: str
) -> RecommendationVersion:
    version = RecommendationVersion(
        recommendation_id=rec.id,
        number=number,
        title=title,
        summary=summary,
        body=body,
        content_hash=content_hash(body),
        change_note=(note or "").strip()[:NOTE_MAX],
        author_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    rec.title, rec.summary = title, summary
    rec.current_version_id = version.id
    rec.current_version = version
    rec.updated_at = version.created_at
    rec.search_document = document_for(rec, body)
    return version


def _next_version(
    actor, rec: Recommendation, title: str, summary: str, body: str, note: str, **data
) -> RecommendationVersion:
    """The version after the current one, audited as an edit."""
    previous = rec.current_version
    version = _new_version(actor, rec, previous.number + 1, title, summary, body, note)
    audit.record(
        "recommendation.edit",
        actor=actor,
        target=rec,
        data={
            "version": version.number,
            "from_version": previous.number,
            "hash": version.content_hash,
            "note": version.change_note,
            **data,
        },
    )
    return version


def create(
    actor, *, title: str, summary: str, body: str, theme_ids, change_note: str = ""
) -> Recommendation:
    """A new draft, with its rapporteur (the actor), its reference and version 1."""
    if not permissions.can_create(actor):
        raise NotAllowed(_l("Only council members and the secretariat draft recommendations."))
    title, summary, body = _clean_text(title, summary, body)
    themes = _themes(theme_ids)
    now = utcnow()
    sequence = next_number("recommendation", now.year)
    rec = Recommendation(
        reference=f"R-{now.year}-{sequence:03d}",
        year=now.year,
        sequence=sequence,
        title=title,
        summary=summary,
        state="draft",
        audience="authors",
        rapporteur_id=actor.id,
        created_at=now,
        updated_at=now,
        state_changed_at=now,
    )
    rec.themes = themes
    db.session.add(rec)
    db.session.flush()
    # An empty note reads "First version" on the page, in the reader's language.
    version = _new_version(actor, rec, 1, title, summary, body, change_note)
    db.session.add(
        StateChange(
            recommendation_id=rec.id,
            from_state=None,
            to_state="draft",
            actor_id=actor.id,
            version_id=version.id,
            created_at=now,
        )
    )
    db.session.flush()
    audit.record(
        "recommendation.create",
        actor=actor,
        target=rec,
        data={
            "reference": rec.reference,
            "version": 1,
            "hash": version.content_hash,
            "themes": [t.code for t in themes],
        },
    )
    return rec


def edit(
    actor,
    rec: Recommendation,
    *,
    title: str,
    summary: str,
    body: str,
    theme_ids,
    change_note: str,
    base_version_id: int | None,
    amendment: Amendment | None = None,
) -> RecommendationVersion | None:
    """Save an edit made on `base_version_id`: a new version if the text changed, else None.

    Refused (StaleVersionError) when someone else saved a version since: nothing is
    overwritten silently. `amendment` marks an amendment accepted by this edit (the
    rapporteur resolving a conflict by editing).
    """
    lock(rec)
    if not permissions.can_edit_text(actor, rec):
        raise NotAllowed(_l("You may not change the text of this recommendation now."))
    title, summary, body = _clean_text(title, summary, body)
    themes = _themes(theme_ids, rec.themes)
    current = rec.current_version
    if base_version_id != current.id:
        base = db.session.get(RecommendationVersion, base_version_id) if base_version_id else None
        if base is not None and base.recommendation_id != rec.id:
            base = None
        raise StaleVersionError(base, current)
    if amendment is not None and (amendment.recommendation_id != rec.id or not amendment.is_open):
        raise RecommendationError(_l("This amendment can no longer be accepted."))
    old_theme_codes = [t.code for t in rec.themes]
    if [t.code for t in themes] != old_theme_codes:
        rec.themes = themes
        rec.updated_at = utcnow()
        db.session.flush()
        audit.record(
            "recommendation.themes",
            actor=actor,
            target=rec,
            data={"from": old_theme_codes, "to": [t.code for t in themes]},
        )
    if (title, summary, body) == (current.title, current.summary, current.body):
        if amendment is not None:
            raise RecommendationError(
                _l("The text is unchanged: edit it so that it contains the amendment.")
            )
        return None
    # An amendment's version is labelled from the amendment itself, in the reader's language.
    version = _next_version(actor, rec, title, summary, body, change_note)
    if amendment is not None:
        _mark_accepted(actor, amendment, version, resolved=True)
    return version


def add_sponsor(actor, rec: Recommendation, user) -> Sponsorship:
    if not permissions.can_manage_sponsors(actor, rec):
        raise NotAllowed(_l("You may not change the co-sponsors of this recommendation."))
    if user is None or user.role != "member" or not user.active:
        raise RecommendationError(_l("Co-sponsors are chosen among the active council members."))
    if user.id == rec.rapporteur_id:
        raise RecommendationError(_l("The rapporteur is already the author of this text."))
    if user.id in rec.sponsor_ids:
        raise RecommendationError(_l("This member is already a co-sponsor."))
    sponsorship = Sponsorship(recommendation_id=rec.id, user_id=user.id, added_at=utcnow())
    sponsorship.user = user
    rec.sponsors.append(sponsorship)
    db.session.flush()
    audit.record(
        "recommendation.sponsor_add",
        actor=actor,
        target=rec,
        data={"user_id": user.id, "college": user.college},
    )
    return sponsorship


def remove_sponsor(actor, rec: Recommendation, user_id: int) -> None:
    if not permissions.can_manage_sponsors(actor, rec):
        raise NotAllowed(_l("You may not change the co-sponsors of this recommendation."))
    sponsorship = next((s for s in rec.sponsors if s.user_id == user_id), None)
    if sponsorship is None:
        raise RecommendationError(_l("This member is not a co-sponsor."))
    rec.sponsors.remove(sponsorship)
    db.session.flush()
    audit.record(
        "recommendation.sponsor_remove", actor=actor, target=rec, data={"user_id": user_id}
    )


# ---------------------------------------------------------------------------------------
# Amendments
# ---------------------------------------------------------------------------------------


def propose_amendment(
    actor,
    rec: Recommendation,
    *,
    base_version: RecommendationVersion,
    paragraph: int,
    kind: str,
    text: str,
    justification: str,
) -> Amendment:
    if not permissions.can_propose_amendment(actor, rec):
        raise NotAllowed(_l("Amendments can be proposed by members during deliberation."))
    if base_version is None or base_version.recommendation_id != rec.id:
        raise RecommendationError(_l("This version does not belong to this recommendation."))
    paragraphs = split_paragraphs(base_version.body)
    if not isinstance(paragraph, int) or not 1 <= paragraph <= len(paragraphs):
        raise RecommendationError(
            _l("Choose a paragraph between 1 and %(max)s.", max=len(paragraphs))
        )
    if kind not in ("replace", "insert_after", "delete"):
        raise RecommendationError(_l("Choose what the amendment does."))
    text = normalise(text or "") if kind != "delete" else ""
    if kind != "delete" and not text:
        raise RecommendationError(_l("Write the text the amendment proposes."))
    if len(text) > AMENDMENT_TEXT_MAX:
        raise RecommendationError(
            _l("The proposed text must have at most %(max)s characters.", max=AMENDMENT_TEXT_MAX)
        )
    if kind == "replace" and text == paragraphs[paragraph - 1]:
        raise RecommendationError(_l("The proposed text is the same as the current paragraph."))
    justification = (justification or "").strip()
    if not justification:
        raise RecommendationError(_l("Explain why you propose this amendment."))
    if len(justification) > REASON_MAX * 2:
        raise RecommendationError(
            _l("The justification must have at most %(max)s characters.", max=REASON_MAX * 2)
        )
    amendment = Amendment(
        recommendation_id=rec.id,
        base_version_id=base_version.id,
        paragraph=paragraph,
        original_text=paragraphs[paragraph - 1],
        kind=kind,
        text=text,
        justification=justification,
        state="proposed",
        author_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(amendment)
    db.session.flush()
    audit.record(
        "amendment.propose",
        actor=actor,
        target=amendment,
        data={
            "recommendation": rec.reference,
            "version": base_version.number,
            "paragraph": paragraph,
            "kind": kind,
        },
    )
    return amendment


def locate(amendment: Amendment, current: RecommendationVersion) -> Placement:
    """Find the amendment's paragraph in the current text; a change there is a conflict."""
    if amendment.base_version_id == current.id:
        paragraphs = split_paragraphs(current.body)
        index = amendment.paragraph - 1
        return Placement(index, paragraphs[index], False)
    base = amendment.base_version
    for change in diff_paragraphs(split_paragraphs(base.body), split_paragraphs(current.body)):
        if change.old_number != amendment.paragraph:
            continue
        if change.new_number is None:
            return Placement(None, None, True)
        return Placement(change.new_number - 1, change.new_text, change.status != "unchanged")
    return Placement(None, None, True)  # pragma: no cover - every old paragraph is listed


def apply_amendment(paragraphs: list[str], index: int, kind: str, text: str) -> str:
    """The document with the amendment applied at `index` (0-based)."""
    result = list(paragraphs)
    inserted = split_paragraphs(text) if text else []
    if kind == "replace":
        result[index : index + 1] = inserted
    elif kind == "insert_after":
        result[index + 1 : index + 1] = inserted
    else:
        del result[index]
    return join_paragraphs(result)


def _check_decidable(actor, amendment: Amendment, rec: Recommendation) -> None:
    if not amendment.is_open:
        raise RecommendationError(_l("This amendment has already been dealt with."))
    if not permissions.can_decide_amendment(actor, amendment, rec):
        raise NotAllowed(
            _l("Only the rapporteur decides on amendments, while the text may change.")
        )


def _mark_accepted(actor, amendment: Amendment, version, *, resolved: bool = False) -> None:
    amendment.state = "accepted"
    amendment.decided_by_id = actor.id
    amendment.decided_at = utcnow()
    amendment.result_version_id = version.id
    db.session.flush()
    audit.record(
        "amendment.accept",
        actor=actor,
        target=amendment,
        data={"version": version.number, "resolved_by_editing": resolved},
    )


def accept_amendment(actor, amendment: Amendment) -> RecommendationVersion:
    """Apply the amendment in a new version; AmendmentConflict if its paragraph changed since."""
    rec = amendment.recommendation
    lock(rec)
    _check_decidable(actor, amendment, rec)
    current = rec.current_version
    placement = locate(amendment, current)
    if placement.conflict or placement.index is None:
        raise AmendmentConflict(amendment, placement)
    paragraphs = split_paragraphs(current.body)
    body = apply_amendment(paragraphs, placement.index, amendment.kind, amendment.text)
    if not body:
        raise RecommendationError(_l("Accepting this amendment would leave the text empty."))
    version = _next_version(
        actor, rec, current.title, current.summary, body, "", amendment=amendment.id
    )
    _mark_accepted(actor, amendment, version)
    return version


def reject_amendment(actor, amendment: Amendment, reason: str) -> None:
    rec = amendment.recommendation
    _check_decidable(actor, amendment, rec)
    reason = (reason or "").strip()
    if not reason:
        raise RecommendationError(_l("Give the reason for rejecting this amendment."))
    if len(reason) > REASON_MAX:
        raise RecommendationError(
            _l("The reason must have at most %(max)s characters.", max=REASON_MAX)
        )
    amendment.state = "rejected"
    amendment.decided_by_id = actor.id
    amendment.decided_at = utcnow()
    amendment.decision_reason = reason
    db.session.flush()
    audit.record("amendment.reject", actor=actor, target=amendment, data={"reason": reason})


def withdraw_amendment(actor, amendment: Amendment) -> None:
    if not permissions.can_withdraw_amendment(actor, amendment):
        raise NotAllowed(_l("Only its author may withdraw an amendment that is still proposed."))
    amendment.state = "withdrawn"
    amendment.decided_by_id = actor.id
    amendment.decided_at = utcnow()
    db.session.flush()
    audit.record("amendment.withdraw", actor=actor, target=amendment)


def put_amendment_to_vote(actor, amendment: Amendment, reason: str = "") -> None:
    """The secretariat sends a contested amendment to a vote (the votes domain runs the poll)."""
    if not permissions.can_put_amendment_to_vote(actor, amendment):
        raise NotAllowed(_l("Only the secretariat puts a proposed amendment to the vote."))
    amendment.state = "put_to_vote"
    amendment.decided_by_id = actor.id
    amendment.decided_at = utcnow()
    amendment.decision_reason = (reason or "").strip()[:REASON_MAX]
    db.session.flush()
    audit.record("amendment.put_to_vote", actor=actor, target=amendment)


# ---------------------------------------------------------------------------------------
# Deliberation comments
# ---------------------------------------------------------------------------------------


def _clean_comment(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise RecommendationError(_l("Write your comment."))
    if len(body) > COMMENT_MAX:
        raise RecommendationError(
            _l("A comment must have at most %(max)s characters.", max=COMMENT_MAX)
        )
    return body


def add_comment(
    actor,
    rec: Recommendation,
    *,
    body: str,
    stance: str | None,
    paragraph: int | None = None,
    parent: DeliberationComment | None = None,
) -> DeliberationComment:
    if not permissions.can_comment(actor, rec):
        raise NotAllowed(_l("Members comment here while the recommendation is in deliberation."))
    body = _clean_comment(body)
    stance = stance or None
    if stance is not None and stance not in STANCES:
        raise RecommendationError(_l("Choose for, against or neutral."))
    if parent is not None:
        if parent.recommendation_id != rec.id:
            raise RecommendationError(_l("This comment belongs to another recommendation."))
        if parent.is_deleted:
            raise RecommendationError(_l("This comment was deleted: it can no longer be answered."))
        if parent.depth >= MAX_COMMENT_DEPTH:
            raise RecommendationError(
                _l("Replies go two levels deep: answer higher in the thread.")
            )
        version_id, paragraph, depth = parent.version_id, parent.paragraph, parent.depth + 1
    else:
        if stance is None:
            raise RecommendationError(_l("Choose for, against or neutral."))
        version_id, depth = rec.current_version_id, 0
        if paragraph is not None:
            count = len(split_paragraphs(rec.current_version.body))
            if not 1 <= paragraph <= count:
                raise RecommendationError(
                    _l("Choose a paragraph between 1 and %(max)s.", max=count)
                )
    comment = DeliberationComment(
        recommendation_id=rec.id,
        version_id=version_id,
        paragraph=paragraph,
        parent_id=parent.id if parent else None,
        depth=depth,
        stance=stance,
        body=body,
        author_id=actor.id,
        author_college=actor.college,
        author_organisation=actor.organisation,
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    audit.record(
        "comment.create",
        actor=actor,
        target=comment,
        data={"recommendation": rec.reference, "paragraph": paragraph, "parent": comment.parent_id},
    )
    return comment


def _keep_revision(actor, comment: DeliberationComment, reason: str) -> None:
    db.session.add(
        CommentRevision(
            comment_id=comment.id,
            body=comment.body,
            stance=comment.stance,
            written_at=comment.edited_at or comment.created_at,
            replaced_at=utcnow(),
            replaced_by_id=actor.id,
            reason=reason,
        )
    )


def edit_comment(actor, comment: DeliberationComment, *, body: str, stance: str | None) -> bool:
    """Change a comment's text; the earlier one is kept for the secretariat. False if unchanged."""
    rec = db.session.get(Recommendation, comment.recommendation_id)
    if not permissions.can_edit_comment(actor, comment, rec):
        raise NotAllowed(_l("Only its author may edit a comment, while deliberation is open."))
    body = _clean_comment(body)
    stance = stance or None
    if comment.depth == 0 and stance not in STANCES:
        raise RecommendationError(_l("Choose for, against or neutral."))
    if stance is not None and stance not in STANCES:
        raise RecommendationError(_l("Choose for, against or neutral."))
    if (body, stance) == (comment.body, comment.stance):
        return False
    _keep_revision(actor, comment, "edit")
    comment.body, comment.stance = body, stance
    comment.edited_at = utcnow()
    db.session.flush()
    audit.record("comment.edit", actor=actor, target=comment)
    return True


def delete_comment(actor, comment: DeliberationComment) -> None:
    """Remove the text from view, leaving a dated trace; the secretariat keeps the text."""
    rec = db.session.get(Recommendation, comment.recommendation_id)
    if not permissions.can_delete_comment(actor, comment, rec):
        raise NotAllowed(_l("You may not delete this comment."))
    _keep_revision(actor, comment, "delete")
    comment.body = ""
    comment.deleted_at = utcnow()
    comment.deleted_by_id = actor.id
    comment.deleted_by_role = "author" if actor.id == comment.author_id else "secretariat"
    db.session.flush()
    audit.record(
        "comment.delete", actor=actor, target=comment, data={"by": comment.deleted_by_role}
    )
