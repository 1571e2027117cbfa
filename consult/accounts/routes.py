from __future__ import annotations

import io
import time

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME
from markupsafe import Markup

from ..extensions import db, limiter
from ..security import login_required, safe_local_path
from . import services
from .forms import (
    ChangePasswordForm,
    ConfirmForm,
    EnableTotpForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    SecondFactorForm,
    SetPasswordForm,
)
from .models import User

bp = Blueprint("accounts", __name__)

_PENDING_2FA = "pending_2fa"
_TOTP_SETUP = "totp_setup_secret"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _post_limit() -> str:
    return current_app.config["POST_RATE_LIMIT"]


def _failed(response) -> bool:
    """Only failed attempts count against the login limit (a success redirects)."""
    return response.status_code != 302


def safe_next(default: str = "main.index") -> str:
    """The `next` page after logging in: only a path on this site (no open redirect)."""
    target = request.args.get("next") or request.form.get("next")
    return safe_local_path(target, url_for(default))


# How long the password step stays valid while the second-factor code is awaited.
_PENDING_2FA_SECONDS = 300


def _finish_login(user: User, remember: bool):
    login_user(user, remember=remember)
    # A language chosen with the switcher before logging in is kept and remembered.
    chosen = session.get("lang")
    if chosen:
        services.set_locale(user, chosen)
    services.record_login(user)
    db.session.commit()
    if user.needs_second_factor_setup(current_app.config["REQUIRE_SECRETARIAT_2FA"]):
        flash(_("Secretariat accounts must use a second factor. Please set it up now."), "info")
        return redirect(url_for("accounts.totp_setup"))
    flash(_("Welcome, %(name)s.", name=user.display_name), "success")
    return redirect(safe_next())


@bp.before_app_request
def require_second_factor_setup():
    """A secretariat account without its second factor can only set it up or log out."""
    if not current_user.is_authenticated or request.endpoint in _SETUP_ENDPOINTS:
        return None
    if current_user.needs_second_factor_setup(current_app.config["REQUIRE_SECRETARIAT_2FA"]):
        return redirect(url_for("accounts.totp_setup"))
    return None


_SETUP_ENDPOINTS = {
    "accounts.totp_setup",
    "accounts.logout",
    "main.set_language",
    "static",
    None,
}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.AccountError as error:
            return render_template("accounts/login.html", form=form, refusal=error.message)
        if user is None:
            services.record_failed_login(form.email.data)
            db.session.commit()
            form.password.errors.append(_("The e-mail address or the password is not correct."))
        elif user.totp_enabled:
            session[_PENDING_2FA] = {
                "id": user.get_id(),
                "remember": form.remember.data,
                "at": time.time(),
            }
            db.session.commit()  # a password hash upgraded on the way is kept
            return redirect(url_for("accounts.login_code", next=request.args.get("next")))
        else:
            return _finish_login(user, form.remember.data)
    return render_template("accounts/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def login_code():
    pending = session.get(_PENDING_2FA)
    if not pending:
        return redirect(url_for("accounts.login", next=request.args.get("next")))
    if time.time() - pending.get("at", 0) > _PENDING_2FA_SECONDS:
        session.pop(_PENDING_2FA, None)
        flash(_("Too much time has passed. Please log in again."), "info")
        return redirect(url_for("accounts.login", next=request.args.get("next")))
    user_id, _sep, token = pending["id"].partition(":")
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        session.pop(_PENDING_2FA, None)
        return redirect(url_for("accounts.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if services.check_second_factor(user, form.code.data):
            session.pop(_PENDING_2FA, None)
            return _finish_login(user, pending["remember"])
        form.code.errors.append(_("This code is not valid. Try the next code shown by your app."))
    return render_template("accounts/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.pop(_PENDING_2FA, None)
    flash(_("You are logged out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_post_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        services.register(
            email=form.email.data,
            display_name=form.display_name.data,
            password=form.password.data,
            locale=session.get("lang") or _current_locale(),
        )
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data)
    return render_template("accounts/register.html", form=form)


def _current_locale() -> str:
    from flask_babel import get_locale

    return str(get_locale())


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    # GET shows a button: mail scanners that follow links must not consume the token.
    form = ConfirmForm()
    try:
        services.find_token(token, "verify")
    except services.AccountError as error:
        return render_template("accounts/token_error.html", message=error.message), 400
    if form.validate_on_submit():
        services.verify_email(token)
        db.session.commit()
        flash(_("Thank you, your e-mail address is confirmed."), "success")
        # The link proves the mailbox, not the password (nor the second factor): no login here.
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login"))
        return redirect(url_for("main.index"))
    return render_template("accounts/verify.html", form=form)


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit(_post_limit)
def resend_verification():
    if current_user.is_verified:
        flash(_("Your e-mail address is already confirmed."), "info")
    else:
        services.send_verification(current_user)
        db.session.commit()
        flash(_("A new confirmation link has been sent to %(email)s.", email=current_user.email))
    return redirect(url_for("accounts.account"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_post_limit, methods=["POST"])
def accept_invitation(token: str):
    try:
        invitation = services.find_token(token, "invite")
    except services.AccountError as error:
        return render_template("accounts/token_error.html", message=error.message), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.accept_invitation(token, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Your password is set. You can now log in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/invitation.html", form=form, invited=invitation.user)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_post_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data, reset=True)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_post_limit, methods=["POST"])
def reset_password(token: str):
    try:
        services.find_token(token, "reset")
    except services.AccountError as error:
        return render_template("accounts/token_error.html", message=error.message), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Your password has been changed. You can now log in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


# --- the account page ---------------------------------------------------------------------


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    profile = ProfileForm(prefix="profile", obj=current_user)
    password = ChangePasswordForm(prefix="password")
    if request.method == "POST" and "profile-submit" in request.form:
        if profile.validate_on_submit():
            services.update_profile(
                current_user, display_name=profile.display_name.data, locale=profile.locale.data
            )
            session["lang"] = profile.locale.data
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("accounts.account"))
    elif request.method == "POST" and "password-submit" in request.form:
        if password.validate_on_submit():
            try:
                services.change_password(
                    current_user, password.current.data, password.password.data
                )
            except services.AccountError as error:
                password.current.errors.append(str(error.message))
            else:
                db.session.commit()
                # The session token changed, which ends every other session; keep this one.
                cookie = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
                login_user(current_user._get_current_object(), remember=cookie in request.cookies)
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html",
        profile=profile,
        password=password,
        remaining_codes=services.remaining_recovery_codes(current_user),
        confirm=ConfirmForm(),
        totp_required=current_user.is_secretariat and current_app.config["REQUIRE_SECRETARIAT_2FA"],
    )


def _qr_svg(data: str) -> Markup:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration so it can sit inside HTML
    # Decorative: the key is also printed as text next to it.
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    return Markup(svg)  # noqa: S704  (drawn here from the QR matrix: no user text in it)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def totp_setup():
    if current_user.totp_enabled:
        return redirect(url_for("accounts.account"))
    secret = session.get(_TOTP_SETUP) or services.new_totp_secret()
    session[_TOTP_SETUP] = secret
    form = EnableTotpForm()
    if form.validate_on_submit():
        try:
            codes = services.enable_totp(current_user, secret, form.code.data)
        except services.AccountError as error:
            form.code.errors.append(str(error.message))
        else:
            db.session.commit()
            session.pop(_TOTP_SETUP, None)
            flash(_("The second factor is on."), "success")
            return render_template("accounts/recovery_codes.html", codes=codes)
    uri = services.totp_uri(current_user, secret)
    return render_template(
        "accounts/totp_setup.html", form=form, secret=secret, qr=_qr_svg(uri), uri=uri
    )


@bp.route("/account/second-factor/recovery-codes", methods=["POST"])
@login_required
def recovery_codes():
    form = ConfirmForm()
    if not current_user.totp_enabled or not form.validate_on_submit():
        return redirect(url_for("accounts.account"))
    codes = services.regenerate_recovery_codes(current_user)
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.route("/account/second-factor/disable", methods=["POST"])
@login_required
def totp_disable():
    form = ConfirmForm()
    if form.validate_on_submit():
        required = current_user.is_secretariat and current_app.config["REQUIRE_SECRETARIAT_2FA"]
        try:
            services.disable_totp(current_user, required)
        except services.AccountError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The second factor is off."), "success")
    return redirect(url_for("accounts.account"))
