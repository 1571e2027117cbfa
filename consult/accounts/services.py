"""Account operations. Each takes an explicit actor, flushes, audits, and never commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import pyotp
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit, mail
from ..extensions import db
from ..timeutil import utcnow
from .models import AccountToken, RecoveryCode, User

_HASHERS: dict[str, tuple[PasswordHasher, str]] = {}


def _hasher() -> tuple[PasswordHasher, str]:
    """argon2 with the cost profile ARGON2_PROFILE names (argon2-cffi's own default unless
    set; the test configuration uses the cheapest), and a dummy hash of the same cost that is
    verified when no account matches, so a wrong e-mail costs as long as a wrong password."""
    name = (has_app_context() and current_app.config.get("ARGON2_PROFILE")) or "RFC_9106_LOW_MEMORY"
    if name not in _HASHERS:
        hasher = PasswordHasher.from_parameters(getattr(profiles, name))
        _HASHERS[name] = (hasher, hasher.hash("consult-timing-equaliser"))
    return _HASHERS[name]


class AccountError(Exception):
    """A refusal the user can act on; the message is translated."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def check_password(user: User | None, password: str) -> bool:
    hasher, dummy = _hasher()
    if user is None or user.password_hash is None:
        try:
            hasher.verify(dummy, password)
        except VerificationError:
            pass
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)  # the cost was raised since: upgrade
    return True


def get_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None. Same cost whether or not the e-mail exists.

    A deactivated account with the right password is told so (AccountError): only someone
    who knows the password learns that the account exists.
    """
    user = get_by_email(email)
    if not check_password(user, password):  # checks a dummy hash when there is no user
        return None
    if not user.active:
        raise AccountError(_l("This account has been deactivated. Please contact the secretariat."))
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    audit.record("account.login", actor=user, target=user)


def record_failed_login(email: str) -> None:
    # No account is named: the log must not become a list of addresses that exist.
    audit.record("account.login_failed", data={"email_hash": _sha(normalise_email(email))[:16]})


# --- single-use links ---------------------------------------------------------------------


def _sha(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, purpose: str, hours: int, created_by: User | None = None) -> str:
    raw = secrets.token_urlsafe(32)
    token = AccountToken(
        user_id=user.id,
        purpose=purpose,
        token_hash=_sha(raw),
        expires_at=utcnow() + timedelta(hours=hours),
        created_by_id=getattr(created_by, "id", None),
    )
    db.session.add(token)
    db.session.flush()
    return raw


TOKEN_ERRORS = {
    "invalid": _l("This link is not valid. Check that you copied it completely."),
    "expired": _l("This link has expired. Ask for a new one."),
    "used": _l("This link has already been used. Each link works only once."),
    "revoked": _l("This link has been cancelled. Ask for a new one."),
}


def find_token(raw: str, purpose: str) -> AccountToken:
    """The valid token for this link, or AccountError saying why not."""
    token = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == _sha(raw or ""), AccountToken.purpose == purpose
        )
    )
    if token is None:
        raise AccountError(TOKEN_ERRORS["invalid"])
    state = token.state()
    if state != "valid":
        raise AccountError(TOKEN_ERRORS[state])
    if not token.user.active:
        raise AccountError(TOKEN_ERRORS["revoked"])
    return token


def _revoke_open_tokens(user: User, purpose: str) -> int:
    now = utcnow()
    tokens = db.session.scalars(
        select(AccountToken).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.revoked_at.is_(None),
        )
    ).all()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


def site_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, from SERVER_BASE_URL (works outside a request too)."""
    base = current_app.config["SERVER_BASE_URL"].rstrip("/")
    return base + current_app.url_map.bind("consult").build(endpoint, values)


def _link(endpoint: str, raw: str) -> str:
    return site_url(endpoint, token=raw)


# --- invitations (members and secretariat) ------------------------------------------------


def invite(
    actor: User,
    *,
    email: str,
    display_name: str,
    role: str = "member",
    college: str | None = None,
    organisation: str | None = None,
    position: str | None = None,
    locale: str = "fr",
) -> User:
    email = normalise_email(email)
    if get_by_email(email) is not None:
        raise AccountError(_l("An account already exists with this e-mail address."))
    if role == "member" and not college:
        raise AccountError(_l("A member must belong to a college."))
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        college=college if role == "member" else None,
        organisation=(organisation or "").strip() or None,
        position=(position or "").strip() or None,
        locale=locale,
        invited_by_id=actor.id,
    )
    db.session.add(user)
    db.session.flush()
    _send_invitation(actor, user)
    audit.record(
        "account.invite",
        actor=actor,
        target=user,
        data={"role": role, "college": user.college, "organisation": user.organisation},
    )
    return user


def _send_invitation(actor: User, user: User) -> None:
    hours = current_app.config["INVITATION_HOURS"]
    raw = issue_token(user, "invite", hours, created_by=actor)
    mail.queue(
        mail.render(
            user.email,
            user.locale,
            "invitation",
            lambda: _l(
                "Your invitation to %(council)s", council=current_app.config["COUNCIL_NAME"]
            ),
            user=user,
            link=_link("accounts.accept_invitation", raw),
            hours=hours,
        )
    )


def invitation_pending(user: User) -> bool:
    return user.password_hash is None


def resend_invitation(actor: User, user: User) -> None:
    if not invitation_pending(user):
        raise AccountError(_l("This person has already accepted the invitation."))
    revoked = _revoke_open_tokens(user, "invite")
    _send_invitation(actor, user)
    audit.record("account.invite_resent", actor=actor, target=user, data={"revoked": revoked})


def revoke_invitation(actor: User, user: User) -> None:
    if not invitation_pending(user):
        raise AccountError(_l("This person has already accepted the invitation."))
    revoked = _revoke_open_tokens(user, "invite")
    audit.record("account.invite_revoked", actor=actor, target=user, data={"revoked": revoked})


def accept_invitation(raw: str, password: str) -> User:
    token = find_token(raw, "invite")
    user = token.user
    token.used_at = utcnow()
    user.password_hash = hash_password(password)
    user.email_verified_at = user.email_verified_at or utcnow()
    user.rotate_session_token()
    audit.record("account.invite_accepted", actor=user, target=user)
    return user


# --- self-registration and verification (participants) ------------------------------------


def register(*, email: str, display_name: str, password: str, locale: str) -> User | None:
    """Create a participant and send the verification link.

    When the address is taken, the owner gets a notice instead and the caller shows the same
    answer as for a new account, so the form cannot tell who is registered.
    """
    email = normalise_email(email)
    existing = get_by_email(email)
    if existing is not None:
        hash_password(password)  # the same cost as a new account: the timing tells nothing
        mail.queue(
            mail.render(
                existing.email,
                existing.locale,
                "already_registered",
                lambda: _l("Someone tried to register with your address"),
                user=existing,
                login=site_url("accounts.login"),
                reset=site_url("accounts.forgot_password"),
            )
        )
        return None
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role="participant",
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    send_verification(user)
    audit.record("account.register", actor=user, target=user)
    return user


def send_verification(user: User) -> None:
    hours = current_app.config["VERIFICATION_HOURS"]
    _revoke_open_tokens(user, "verify")
    raw = issue_token(user, "verify", hours)
    mail.queue(
        mail.render(
            user.email,
            user.locale,
            "verify",
            lambda: _l("Confirm your e-mail address"),
            user=user,
            link=_link("accounts.verify_email", raw),
            hours=hours,
        )
    )
    audit.record("account.verification_sent", actor=user, target=user)


def verify_email(raw: str) -> User:
    token = find_token(raw, "verify")
    token.used_at = utcnow()
    token.user.email_verified_at = utcnow()
    audit.record("account.email_verified", actor=token.user, target=token.user)
    return token.user


# --- passwords ----------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Send a reset link if the address belongs to an active account; say nothing either way."""
    user = get_by_email(email)
    if user is None or not user.active or user.password_hash is None:
        return
    hours = current_app.config["RESET_HOURS"]
    _revoke_open_tokens(user, "reset")
    raw = issue_token(user, "reset", hours)
    mail.queue(
        mail.render(
            user.email,
            user.locale,
            "reset",
            lambda: _l("Reset your password"),
            user=user,
            link=_link("accounts.reset_password", raw),
            hours=hours,
        )
    )
    audit.record("account.reset_requested", actor=user, target=user)


def reset_password(raw: str, password: str) -> User:
    token = find_token(raw, "reset")
    token.used_at = utcnow()
    user = token.user
    user.password_hash = hash_password(password)
    # The link reached the mailbox, which is what verification proves.
    user.email_verified_at = user.email_verified_at or utcnow()
    user.rotate_session_token()
    audit.record("account.password_reset", actor=user, target=user)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not check_password(user, current):
        raise AccountError(_l("Your current password is not correct."))
    user.password_hash = hash_password(new)
    user.rotate_session_token()
    _revoke_open_tokens(user, "reset")  # a reset link sent before is no longer wanted
    audit.record("account.password_changed", actor=user, target=user)


def update_profile(user: User, *, display_name: str, locale: str) -> None:
    before = {"display_name": user.display_name, "locale": user.locale}
    user.display_name = display_name.strip()
    user.locale = locale
    after = {"display_name": user.display_name, "locale": user.locale}
    if before != after:
        audit.record(
            "account.profile_updated", actor=user, target=user, data=_changes(before, after)
        )


def set_locale(user: User, locale: str) -> None:
    """The language switcher, for a logged-in reader: remembered in the profile."""
    if user.locale != locale:
        audit.record(
            "account.profile_updated",
            actor=user,
            target=user,
            data={"locale": [user.locale, locale]},
        )
        user.locale = locale


def _changes(before: dict, after: dict) -> dict:
    return {k: [before[k], after[k]] for k in before if before[k] != after[k]}


# --- second factor ------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    issuer = current_app.config["COUNCIL_ACRONYM"] + " Consult"
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _totp_counter(secret: str, code: str) -> int | None:
    """The time step this code belongs to (current one, or one step either side)."""
    code = code.replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    # Aware: pyotp reads a naive datetime as the server's local time, not UTC.
    now = datetime.now(UTC)
    for drift in (0, -1, 1):
        at = now + timedelta(seconds=30 * drift)
        if hmac.compare_digest(totp.at(at), code):
            return totp.timecode(at)
    return None


def enable_totp(user: User, secret: str, code: str) -> list[str]:
    counter = _totp_counter(secret, code)
    if counter is None:
        raise AccountError(_l("This code is not valid. Check your device's clock and try again."))
    user.totp_secret = secret
    user.totp_enabled = True
    user.totp_last_counter = counter
    codes = _new_recovery_codes(user)
    audit.record("account.totp_enabled", actor=user, target=user)
    return codes


def _new_recovery_codes(user: User, count: int = 10) -> list[str]:
    user.recovery_codes.clear()
    db.session.flush()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(count)]
    for code in codes:
        user.recovery_codes.append(RecoveryCode(code_hash=_sha(code)))
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    codes = _new_recovery_codes(user)
    audit.record("account.recovery_codes_regenerated", actor=user, target=user)
    return codes


def disable_totp(user: User, required: bool) -> None:
    if required:
        raise AccountError(_l("Secretariat accounts must keep a second factor."))
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_counter = None
    user.recovery_codes.clear()
    audit.record("account.totp_disabled", actor=user, target=user)


def reset_totp(actor: User, user: User) -> None:
    """The secretariat removes a second factor whose phone and codes are lost.

    The person logs in with the password alone (a secretariat account is then asked to set a
    new one up at once); every open session ends.
    """
    if user.id == actor.id:
        raise AccountError(_l("Use your own account page to change your second factor."))
    if not user.totp_enabled:
        raise AccountError(_l("This account has no second factor."))
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_counter = None
    user.recovery_codes.clear()
    user.rotate_session_token()
    audit.record("account.totp_reset", actor=actor, target=user)


def check_second_factor(user: User, code: str) -> bool:
    """A current TOTP code (never the same one twice) or an unused recovery code."""
    code = (code or "").strip().lower()
    if user.totp_secret:
        counter = _totp_counter(user.totp_secret, code)
        if counter is not None and (user.totp_last_counter or -1) < counter:
            user.totp_last_counter = counter
            return True
    digest = _sha(code)
    for recovery in user.recovery_codes:
        if recovery.used_at is None and hmac.compare_digest(recovery.code_hash, digest):
            recovery.used_at = utcnow()
            audit.record("account.recovery_code_used", actor=user, target=user)
            return True
    return False


def remaining_recovery_codes(user: User) -> int:
    return sum(1 for code in user.recovery_codes if code.used_at is None)


# --- administration by the secretariat ----------------------------------------------------


def update_member(
    actor: User,
    user: User,
    *,
    display_name: str,
    college: str | None,
    organisation: str | None,
    position: str | None,
) -> None:
    fields = ("display_name", "college", "organisation", "position")
    before = {f: getattr(user, f) for f in fields}
    user.display_name = display_name.strip()
    if user.role == "member":
        if not college:
            raise AccountError(_l("A member must belong to a college."))
        user.college = college
    user.organisation = (organisation or "").strip() or None
    user.position = (position or "").strip() or None
    after = {f: getattr(user, f) for f in fields}
    if before != after:
        audit.record("account.updated", actor=actor, target=user, data=_changes(before, after))


def set_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise AccountError(_l("You cannot deactivate your own account."))
    if user.active == active:
        return
    user.active = active
    if not active:
        user.rotate_session_token()  # ends every open session at once
    audit.record(
        "account.reactivated" if active else "account.deactivated", actor=actor, target=user
    )
