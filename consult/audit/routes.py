from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..extensions import db
from ..pagination import paginate
from ..security import secretariat_required
from .models import AuditEntry
from .services import verify_chain

bp = Blueprint("audit", __name__, url_prefix="/secretariat/audit")


def _date(name: str) -> datetime | None:
    try:
        return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d")
    except ValueError:
        return None


@bp.route("/")
@secretariat_required
def index():
    action = (request.args.get("action") or "").strip()[:64]
    target = (request.args.get("target") or "").strip()[:40]
    target_id = (request.args.get("target_id") or "").strip()[:64]
    actor = request.args.get("actor", "")
    since, until = _date("since"), _date("until")
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if target:
        query = query.where(AuditEntry.target_type == target)
    if target_id:
        query = query.where(AuditEntry.target_id == target_id)
    if actor.isdigit():
        query = query.where(AuditEntry.actor_id == int(actor))
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if until:
        query = query.where(AuditEntry.created_at < until + timedelta(days=1))  # the whole day
    page = paginate(query.order_by(AuditEntry.id.desc()), per_page=50)
    check = verify_chain() if request.args.get("verify") == "1" else None
    target_types = db.session.scalars(
        select(AuditEntry.target_type)
        .where(AuditEntry.target_type.is_not(None))
        .distinct()
        .order_by(AuditEntry.target_type)
    ).all()
    return render_template(
        "audit/index.html",
        page=page,
        check=check,
        target_types=target_types,
        filters={
            "action": action,
            "target": target,
            "target_id": target_id,
            "actor": actor,
            "since": request.args.get("since", "")[:10],
            "until": request.args.get("until", "")[:10],
        },
    )
