from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..extensions import db
from ..i18n import supported

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
        current_user.locale = lang
        db.session.commit()
    target = request.form.get("next") or "/"
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    return redirect(target)


@bp.route("/about")
def about():
    return render_template("main/about.html")


@bp.route("/health")
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok", "council": current_app.config["COUNCIL_ACRONYM"]}
