from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..accounts.services import set_locale
from ..extensions import db
from ..i18n import supported
from ..security import safe_local_path

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template("main/index.html")


@bp.route("/language", methods=["POST"])
def set_language():
    form = ConfirmForm()
    lang = request.form.get("lang", "")
    if not form.validate_on_submit() or lang not in supported():
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated and current_user.locale != lang:
        set_locale(current_user._get_current_object(), lang)
        db.session.commit()
    return redirect(safe_local_path(request.form.get("next"), "/"))


@bp.route("/about")
def about():
    return render_template("main/about.html")


@bp.route("/health")
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok", "council": current_app.config["COUNCIL_ACRONYM"]}
