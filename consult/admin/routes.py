from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, or_, select

from ..accounts import services
from ..accounts.forms import ConfirmForm, EditMemberForm, InviteForm
from ..accounts.models import COLLEGE_LABELS, COLLEGES, AccountToken, User
from ..extensions import db
from ..pagination import paginate
from ..security import secretariat_required

bp = Blueprint("admin", __name__, url_prefix="/secretariat")


def _load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _matches(q: str, *columns):
    """Any of `columns` contains `q`, ignoring case; % and _ are literal characters."""
    needle = q.lower()
    return or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns))


@bp.route("/")
@secretariat_required
def dashboard():
    return redirect(url_for("admin.members"))


@bp.route("/members")
@secretariat_required
def members():
    college = request.args.get("college", "")
    status = request.args.get("status", "")
    q = (request.args.get("q") or "").strip()[:100]
    query = select(User).where(User.role.in_(("member", "secretariat")))
    if college in COLLEGES:
        query = query.where(User.college == college)
    if status == "active":
        query = query.where(User.active.is_(True), User.password_hash.is_not(None))
    elif status == "invited":
        query = query.where(User.password_hash.is_(None), User.active.is_(True))
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    if q:
        query = query.where(_matches(q, User.display_name, User.email, User.organisation))
    # The secretariat first, then the colleges in the council's order (State, private
    # sector, civil society), then by name.
    college_order = case({code: rank for rank, code in enumerate(COLLEGES)}, value=User.college)
    query = query.order_by(User.role.desc(), college_order, func.lower(User.display_name))
    page = paginate(query, per_page=50)
    return render_template(
        "admin/members.html",
        page=page,
        counts=_college_counts(),
        college_labels=COLLEGE_LABELS,
        filters={"college": college, "status": status, "q": q},
    )


def _college_counts() -> dict[str, dict[str, int]]:
    """Active members (invitation accepted) and pending invitations, per college."""
    rows = db.session.execute(
        select(User.college, User.password_hash.is_not(None), func.count())
        .where(User.role == "member", User.active.is_(True))
        .group_by(User.college, User.password_hash.is_not(None))
    ).all()
    counts = {kind: dict.fromkeys(COLLEGES, 0) for kind in ("active", "invited")}
    for college, accepted, number in rows:
        counts["active" if accepted else "invited"][college] += number
    return counts


@bp.route("/members/invite", methods=["GET", "POST"])
@secretariat_required
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        if form.role.data == "member" and not form.college.data:
            form.college.errors.append(_("A member must belong to a college."))
        else:
            try:
                user = services.invite(
                    current_user,
                    email=form.email.data,
                    display_name=form.display_name.data,
                    role=form.role.data,
                    college=form.college.data or None,
                    organisation=form.organisation.data,
                    position=form.position.data,
                    locale=form.locale.data,
                )
            except services.AccountError as error:
                form.email.errors.append(str(error.message))
            else:
                db.session.commit()
                flash(_("Invitation sent to %(email)s.", email=user.email), "success")
                return redirect(url_for("admin.member", user_id=user.id))
    return render_template("admin/invite.html", form=form)


@bp.route("/members/<int:user_id>", methods=["GET", "POST"])
@secretariat_required
def member(user_id: int):
    user = _load_user(user_id)
    if user.role == "participant":
        return redirect(url_for("admin.participants", q=user.email))
    form = EditMemberForm(obj=user)
    if user.role != "member":
        del form.college  # only members belong to a college
    if form.validate_on_submit():
        try:
            services.update_member(
                current_user,
                user,
                display_name=form.display_name.data,
                college=form.college.data if "college" in form else None,
                organisation=form.organisation.data,
                position=form.position.data,
            )
        except services.AccountError as error:
            (form.college if "college" in form else form.display_name).errors.append(
                str(error.message)
            )
        else:
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("admin.member", user_id=user.id))
    invitations = db.session.scalars(
        select(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == "invite")
        .order_by(AccountToken.created_at.desc())
    ).all()
    return render_template(
        "admin/member.html",
        user=user,
        form=form,
        confirm=ConfirmForm(),
        invitations=invitations,
        pending=services.invitation_pending(user),
    )


def _member_action(user_id: int, action) -> object:
    user = _load_user(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        message = action(user)
    except services.AccountError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(message, "success")
    if user.role == "participant":
        return redirect(url_for("admin.participants"))
    return redirect(url_for("admin.member", user_id=user.id))


@bp.route("/members/<int:user_id>/resend", methods=["POST"])
@secretariat_required
def resend(user_id: int):
    def action(user):
        services.resend_invitation(current_user, user)
        return _("A new invitation has been sent to %(email)s.", email=user.email)

    return _member_action(user_id, action)


@bp.route("/members/<int:user_id>/revoke", methods=["POST"])
@secretariat_required
def revoke(user_id: int):
    def action(user):
        services.revoke_invitation(current_user, user)
        return _("The invitation has been cancelled.")

    return _member_action(user_id, action)


@bp.route("/members/<int:user_id>/deactivate", methods=["POST"])
@secretariat_required
def deactivate(user_id: int):
    def action(user):
        services.set_active(current_user, user, False)
        return _("%(name)s can no longer log in. Their history is kept.", name=user.display_name)

    return _member_action(user_id, action)


@bp.route("/members/<int:user_id>/reactivate", methods=["POST"])
@secretariat_required
def reactivate(user_id: int):
    def action(user):
        services.set_active(current_user, user, True)
        return _("%(name)s can log in again.", name=user.display_name)

    return _member_action(user_id, action)


@bp.route("/members/<int:user_id>/reset-second-factor", methods=["POST"])
@secretariat_required
def reset_second_factor(user_id: int):
    def action(user):
        services.reset_totp(current_user, user)
        return _(
            "The second factor of %(name)s is removed. They can set up a new one.",
            name=user.display_name,
        )

    return _member_action(user_id, action)


@bp.route("/participants")
@secretariat_required
def participants():
    q = (request.args.get("q") or "").strip()[:100]
    verified = request.args.get("verified", "")
    query = select(User).where(User.role == "participant")
    if q:
        query = query.where(_matches(q, User.display_name, User.email))
    if verified == "yes":
        query = query.where(User.email_verified_at.is_not(None))
    elif verified == "no":
        query = query.where(User.email_verified_at.is_(None))
    page = paginate(query.order_by(User.created_at.desc()), per_page=50)
    return render_template(
        "admin/participants.html",
        page=page,
        confirm=ConfirmForm(),
        filters={"q": q, "verified": verified},
    )
