"""Recommendations, their immutable versions, themes, timeline and amendments."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..i18n import label as translated
from ..timeutil import utcnow

STATES = (
    "draft",
    "deliberation",
    "consultation",
    "consolidation",
    "voting",
    "adopted",
    "rejected",
    "published",
    "withdrawn",
)
STATE_LABELS = {
    "draft": _l("Draft"),
    "deliberation": _l("Deliberation"),
    "consultation": _l("Public consultation"),
    "consolidation": _l("Consolidation"),
    "voting": _l("Voting"),
    "adopted": _l("Adopted"),
    "rejected": _l("Not adopted"),
    "published": _l("Published"),
    "withdrawn": _l("Withdrawn"),
}
AMENDMENT_KINDS = ("replace", "insert_after", "delete")
AMENDMENT_KIND_LABELS = {
    "replace": _l("Replace the paragraph"),
    "insert_after": _l("Insert a new paragraph after it"),
    "delete": _l("Delete the paragraph"),
}
AMENDMENT_STATES = ("proposed", "accepted", "rejected", "withdrawn", "put_to_vote")
AMENDMENT_STATE_LABELS = {
    "proposed": _l("Proposed"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn by its author"),
    "put_to_vote": _l("Put to the vote"),
}
# Who may read a recommendation follows from its state (see lifecycle.AUDIENCE_BY_STATE):
# "authors" = rapporteur, co-sponsors and secretariat; "members" = council; "public" = anyone.
AUDIENCES = ("authors", "members", "public")
STANCES = ("for", "against", "neutral")
STANCE_LABELS = {"for": _l("For"), "against": _l("Against"), "neutral": _l("Neutral")}
# A comment, its reply, and a reply to the reply: no deeper.
MAX_COMMENT_DEPTH = 2

recommendation_themes = Table(
    "recommendation_themes",
    db.metadata,
    Column(
        "recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("theme_id", ForeignKey("themes.id"), primary_key=True),
    # Filtering a list by theme starts from the theme.
    Index("ix_recommendation_themes_theme", "theme_id", "recommendation_id"),
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Theme(db.Model):
    """A theme the secretariat manages; names in each language (codes are not translated)."""

    __tablename__ = "themes"
    audit_type = "theme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_fr: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, locale: str) -> str:
        return self.name_en if str(locale).startswith("en") else self.name_fr


class Recommendation(db.Model):
    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint(_in("audience", AUDIENCES), name="audience"),
        UniqueConstraint("year", "sequence", name="uq_recommendations_year_sequence"),
        # The lists: what a reader may see, newest first.
        Index("ix_recommendations_audience_updated", "audience", "updated_at"),
        # A member's lists (public, members' and their own drafts), newest first: the index
        # holds every column the visibility test reads, so a deep page or the count walks the
        # index, not the rows (which carry the whole search document). 5,000 recommendations
        # on SQLite: 5.5 ms -> 0.3 ms for page 200 and for the count.
        Index(
            "ix_recommendations_updated_visibility",
            "updated_at",
            "id",
            "audience",
            "rapporteur_id",
        ),
        # PostgreSQL full-text search (SQLite uses an FTS5 table, see search.py).
        Index(
            "ix_recommendations_search_fr",
            func.to_tsvector(literal_column("'french'"), literal_column("search_document")),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )
    audit_type = "recommendation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # R-2026-007
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(250))
    summary: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # Kept by lifecycle.transition(): a withdrawn text keeps the audience it had.
    audience: Mapped[str] = mapped_column(String(10), default="authors")
    # Accent-folded, lower-cased plain text of the reference, title, summary and current
    # text: what full-text search indexes (kept by services.refresh_search_document()).
    # Deferred: written by the services, read only by the database's search (never by pages).
    search_document: Mapped[str] = mapped_column(Text, default="", deferred=True)
    rapporteur_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The newest version; every version stays in recommendation_versions.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "recommendation_versions.id", use_alter=True, name="fk_recommendations_current_version"
        )
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    state_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    rapporteur = relationship("User", foreign_keys=[rapporteur_id], lazy="joined")
    current_version = relationship(
        "RecommendationVersion", foreign_keys=[current_version_id], post_update=True
    )
    versions = relationship(
        "RecommendationVersion",
        foreign_keys="RecommendationVersion.recommendation_id",
        back_populates="recommendation",
        order_by="RecommendationVersion.number",
        lazy="select",
    )
    themes = relationship("Theme", secondary=recommendation_themes, lazy="selectin")
    sponsors = relationship(
        "Sponsorship",
        back_populates="recommendation",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def state_label(self) -> str:
        return translated(STATE_LABELS, self.state)

    @property
    def sponsor_ids(self) -> set[int]:
        return {s.user_id for s in self.sponsors}

    def college_balance(self) -> dict[str, int]:
        """Rapporteur and co-sponsors per college (secretariat rapporteurs count in none)."""
        from ..accounts.models import COLLEGES

        counts = dict.fromkeys(COLLEGES, 0)
        for user in [self.rapporteur, *(s.user for s in self.sponsors)]:
            if user is not None and user.college in counts:
                counts[user.college] += 1
        return counts

    # Permissions live in permissions.py; these are the names templates and other domains use.
    def can_view(self, user) -> bool:
        from . import permissions

        return permissions.can_view(user, self)

    def can_edit(self, user) -> bool:
        from . import permissions

        return permissions.can_edit_text(user, self)

    def can_comment(self, user) -> bool:
        from . import permissions

        return permissions.can_comment(user, self)

    def __repr__(self) -> str:
        return f"<Recommendation {self.reference} {self.state}>"


class Sponsorship(db.Model):
    """A co-sponsor of a recommendation (a member of any college)."""

    __tablename__ = "sponsorships"

    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    recommendation = relationship("Recommendation", back_populates="sponsors")
    user = relationship("User", lazy="joined")


class RecommendationVersion(db.Model):
    """An immutable text: never updated once written (see the before_update guard)."""

    __tablename__ = "recommendation_versions"
    __table_args__ = (
        UniqueConstraint("recommendation_id", "number", name="uq_recommendation_versions_number"),
    )
    audit_type = "recommendation_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # v1, v2, …
    title: Mapped[str] = mapped_column(String(250))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)  # normalised Markdown
    content_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of body
    change_note: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    recommendation = relationship(
        "Recommendation", foreign_keys=[recommendation_id], back_populates="versions"
    )
    author = relationship("User", lazy="joined")

    @property
    def label(self) -> str:
        return f"v{self.number}"


@event.listens_for(RecommendationVersion, "before_update")
def _versions_are_immutable(_mapper, _connection, version) -> None:
    raise ImmutableVersionError(f"version {version.id} is immutable")


@event.listens_for(RecommendationVersion, "before_delete")
def _versions_are_never_deleted(_mapper, _connection, version) -> None:
    raise ImmutableVersionError(f"version {version.id} cannot be deleted")


class ImmutableVersionError(RuntimeError):
    """A version was about to be changed or deleted: a programming error, never a user's."""


@event.listens_for(RecommendationVersion.__table__, "after_create")
def _install_database_objects(_target, connection, **_kw) -> None:
    """create_all() also gets the FTS5 table and the triggers (migrations call the same)."""
    from .search import install

    install(connection)


class StateChange(db.Model):
    """The public timeline of a recommendation."""

    __tablename__ = "state_changes"
    audit_type = "state_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation_versions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor = relationship("User", lazy="joined")

    @property
    def to_label(self) -> str:
        return translated(STATE_LABELS, self.to_state)


class Amendment(db.Model):
    __tablename__ = "amendments"
    __table_args__ = (
        CheckConstraint(_in("kind", AMENDMENT_KINDS), name="kind"),
        CheckConstraint(_in("state", AMENDMENT_STATES), name="state"),
        CheckConstraint("paragraph >= 1", name="paragraph"),
    )
    audit_type = "amendment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("recommendation_versions.id"))
    paragraph: Mapped[int] = mapped_column(Integer)  # 1-based number in the base version
    # The paragraph's text in the base version, to detect and show conflicts later.
    original_text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    justification: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    result_version_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation_versions.id"))

    recommendation = relationship("Recommendation")
    base_version = relationship("RecommendationVersion", foreign_keys=[base_version_id])
    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    result_version = relationship("RecommendationVersion", foreign_keys=[result_version_id])

    @property
    def state_label(self) -> str:
        return translated(AMENDMENT_STATE_LABELS, self.state)

    @property
    def kind_label(self) -> str:
        return translated(AMENDMENT_KIND_LABELS, self.kind)

    @property
    def is_open(self) -> bool:
        return self.state in ("proposed", "put_to_vote")


class DeliberationComment(db.Model):
    """A members-only comment made during deliberation; never silently edited or removed."""

    __tablename__ = "deliberation_comments"
    __table_args__ = (
        CheckConstraint("stance IS NULL OR " + _in("stance", STANCES), name="stance"),
        CheckConstraint(f"depth >= 0 AND depth <= {MAX_COMMENT_DEPTH}", name="depth"),
        CheckConstraint(
            "deleted_by_role IS NULL OR deleted_by_role IN ('author', 'secretariat')",
            name="deleted_by_role",
        ),
        CheckConstraint("paragraph IS NULL OR paragraph >= 1", name="paragraph"),
        Index("ix_deliberation_comments_recommendation", "recommendation_id", "created_at"),
    )
    audit_type = "deliberation_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"))
    # The version the author was reading; `paragraph` is a number in that version.
    version_id: Mapped[int] = mapped_column(ForeignKey("recommendation_versions.id"))
    paragraph: Mapped[int | None] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("deliberation_comments.id"))
    depth: Mapped[int] = mapped_column(Integer, default=0)
    stance: Mapped[str | None] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Copied when written: a later change of college or organisation never rewrites history.
    author_college: Mapped[str | None] = mapped_column(String(20))
    author_organisation: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_by_role: Mapped[str | None] = mapped_column(String(20))

    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    version = relationship("RecommendationVersion")
    revisions = relationship(
        "CommentRevision",
        back_populates="comment",
        order_by="CommentRevision.id",
        lazy="select",
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def stance_label(self) -> str:
        return translated(STANCE_LABELS, self.stance) if self.stance else ""


class CommentRevision(db.Model):
    """An earlier text of a deliberation comment, kept for the secretariat when it changes."""

    __tablename__ = "deliberation_comment_revisions"
    audit_type = "deliberation_comment_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("deliberation_comments.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    stance: Mapped[str | None] = mapped_column(String(10))
    written_at: Mapped[datetime] = mapped_column(DateTime)  # when this text was written
    replaced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # "edit" (the author changed it) or "delete" (the text removed from view)
    reason: Mapped[str] = mapped_column(String(10), default="edit")

    comment = relationship("DeliberationComment", back_populates="revisions")
    replaced_by = relationship("User", lazy="joined")
