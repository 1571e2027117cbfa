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
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
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
AMENDMENT_STATES = ("proposed", "accepted", "rejected", "withdrawn", "put_to_vote")

recommendation_themes = Table(
    "recommendation_themes",
    db.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id"), primary_key=True),
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
        UniqueConstraint("year", "sequence", name="uq_recommendations_year_sequence"),
    )
    audit_type = "recommendation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # R-2026-007
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(250))
    summary: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    rapporteur_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The newest version; every version stays in recommendation_versions.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendation_versions.id", use_alter=True, name="fk_recommendations_current_version")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
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
        "Sponsorship", back_populates="recommendation", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


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
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id"), index=True
    )
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


class StateChange(db.Model):
    """The public timeline of a recommendation."""

    __tablename__ = "state_changes"
    audit_type = "state_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation_versions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor = relationship("User", lazy="joined")


class Amendment(db.Model):
    __tablename__ = "amendments"
    __table_args__ = (
        CheckConstraint(_in("kind", AMENDMENT_KINDS), name="kind"),
        CheckConstraint(_in("state", AMENDMENT_STATES), name="state"),
    )
    audit_type = "amendment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id"), index=True
    )
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
