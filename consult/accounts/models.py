from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..timeutil import utcnow

ROLES = ("participant", "member", "secretariat")
ROLE_LABELS = {
    "participant": _l("Participant"),
    "member": _l("Council member"),
    "secretariat": _l("Secretariat"),
}
COLLEGES = ("state", "private_sector", "civil_society")
COLLEGE_LABELS = {
    "state": _l("State"),
    "private_sector": _l("Private sector"),
    "civil_society": _l("Civil society"),
}


def _new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('participant', 'member', 'secretariat')", name="role"),
        CheckConstraint(
            "college IS NULL OR college IN ('state', 'private_sector', 'civil_society')",
            name="college",
        ),
        CheckConstraint("role != 'member' OR college IS NOT NULL", name="member_college"),
    )
    audit_type = "user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    role: Mapped[str] = mapped_column(String(20), default="participant", index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    college: Mapped[str | None] = mapped_column(String(20), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    session_token: Mapped[str] = mapped_column(String(64), default=_new_session_token)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # Loaded when used (the account page, a login with a recovery code), not with every user
    # a page shows: most pages load users (authors, rapporteurs) and never need them.
    recovery_codes = relationship(
        "RecoveryCode", back_populates="user", cascade="all, delete-orphan", lazy="select"
    )

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        # Every path that sets an address goes through here: uniqueness is case-insensitive.
        return value.strip().lower()

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        self.session_token = _new_session_token()

    # Roles and permissions
    @property
    def is_secretariat(self) -> bool:
        return self.role == "secretariat"

    @property
    def is_member(self) -> bool:
        return self.role == "member"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def can_participate(self) -> bool:
        """Comment in public consultations, flag, follow: verified participants and council."""
        return self.active and (self.role in ("member", "secretariat") or self.is_verified)

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])

    @property
    def college_label(self) -> str:
        return str(COLLEGE_LABELS[self.college]) if self.college else ""

    def needs_second_factor_setup(self, required_for_secretariat: bool) -> bool:
        return required_for_secretariat and self.is_secretariat and not self.totp_enabled

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class AccountToken(db.Model):
    """A single-use link: invitation, e-mail verification or password reset.

    Only a hash of the token is stored; the link itself exists only in the e-mail.
    """

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint("purpose IN ('invite', 'verify', 'reset')", name="purpose"),)
    audit_type = "account_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id])

    def state(self, now: datetime | None = None) -> str:
        now = now or utcnow()
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "valid"


class RecoveryCode(db.Model):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User", back_populates="recovery_codes")
