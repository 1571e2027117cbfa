"""Recommendation pages. Thin: load (404) -> authorise (403) -> validate -> service -> commit.

Every page runs a fixed number of queries whatever the amount of data (tests count them):
lists are paginated, related rows come in one query each, nothing is loaded per row.
"""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload, lazyload

from ..accounts.forms import ConfirmForm
from ..accounts.models import COLLEGES, User
from ..extensions import db
from ..forms import select_choices as choices
from ..pagination import Page, page_number
from ..security import login_required, member_required, secretariat_required
from . import lifecycle, permissions, presenters, search, services
from .forms import (
    AmendmentForm,
    CommentEditForm,
    CommentForm,
    EditThemeForm,
    ReasonForm,
    RecommendationForm,
    SponsorForm,
    ThemeForm,
    TransitionForm,
)
from .models import (
    AMENDMENT_STATE_LABELS,
    AMENDMENT_STATES,
    STATE_LABELS,
    STATES,
    Amendment,
    CommentRevision,
    DeliberationComment,
    Recommendation,
    RecommendationVersion,
    StateChange,
    Theme,
)

bp = Blueprint("recommendations", __name__)
PREFIX = "/recommendations"
# Ids beyond a 32-bit integer are "not found", never a database error.
ID = "int(max=2147483647)"
AMENDMENT = PREFIX + "/<ref>/amendments/<" + ID + ":amendment_id>"
COMMENT = PREFIX + "/<ref>/comments/<" + ID + ":comment_id>"
REFERENCE = re.compile(r"^\s*R-\d{4}-\d{1,6}\s*$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


def _load(ref: str) -> Recommendation:
    """The recommendation named by `ref` (any case), or 404 if absent or not for this reader."""
    if len(ref) > 20:
        abort(404)
    rec = db.session.scalar(
        select(Recommendation)
        .where(Recommendation.reference == ref.strip().upper())
        # Nearly every page of a recommendation shows or uses its current version.
        .options(joinedload(Recommendation.current_version))
    )
    if rec is None or not permissions.can_view(current_user, rec):
        abort(404)
    return rec


def _canonical(rec: Recommendation, ref: str):
    """Send r-2026-007 to R-2026-007, so that every page has one address."""
    if request.method == "GET" and ref != rec.reference:
        args = {**request.view_args, "ref": rec.reference, **request.args.to_dict()}
        return redirect(url_for(request.endpoint, **args), code=301)
    return None


def _version(rec: Recommendation, version_id) -> RecommendationVersion | None:
    try:
        version_id = int(version_id)
    except (TypeError, ValueError):
        return None
    version = db.session.get(RecommendationVersion, version_id)
    return version if version is not None and version.recommendation_id == rec.id else None


def _active_themes(extra: list[Theme] = ()) -> list[Theme]:
    themes = list(
        db.session.scalars(
            select(Theme).where(Theme.active.is_(True)).order_by(Theme.position, Theme.id)
        )
    )
    ids = {t.id for t in themes}
    return themes + [t for t in extra if t.id not in ids]


def _offered_themes(extra: list[Theme] = ()) -> list[Theme]:
    """The active themes; a new database gets the default ones the first time they are needed."""
    themes = _active_themes(extra)
    if not themes and db.session.scalar(select(Theme.id).limit(1)) is None:
        services.ensure_default_themes(current_user)
        db.session.commit()
        themes = _active_themes(extra)
    return themes


def _theme_choices(themes: list[Theme]) -> list[tuple[int, str]]:
    locale = _locale()
    return choices((t.id, t.name(locale)) for t in themes)


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale())


# ---------------------------------------------------------------------------------------
# Lists and search
# ---------------------------------------------------------------------------------------


@bp.app_template_global()
def latest_recommendations(limit: int = 5) -> list[Recommendation]:
    """For the home page: the newest public recommendations."""
    return list(
        db.session.scalars(
            select(Recommendation)
            .where(Recommendation.audience == "public")
            .order_by(Recommendation.updated_at.desc())
            .limit(limit)
            .options(lazyload(Recommendation.sponsors))
        )
    )


@bp.app_template_filter("theme_name")
def theme_name(theme: Theme) -> str:
    return theme.name(_locale())


@bp.route(PREFIX + "/")
def index():
    q = (request.args.get("q") or "").strip()[:200]
    state = request.args.get("state", "")
    college = request.args.get("college", "")
    theme_raw = request.args.get("theme", "")
    theme_id = int(theme_raw) if theme_raw.isdigit() and len(theme_raw) < 10 else None

    if q and REFERENCE.match(q):
        rec = db.session.scalar(
            select(Recommendation).where(Recommendation.reference == q.strip().upper())
        )
        if rec is not None and permissions.can_view(current_user, rec):
            return redirect(url_for(".detail", ref=rec.reference))

    query = select(Recommendation).where(permissions.visible_clause(current_user))
    if state in STATES:
        query = query.where(Recommendation.state == state)
    if college in COLLEGES:
        query = query.where(
            Recommendation.rapporteur_id.in_(select(User.id).where(User.college == college))
        )
    if theme_id is not None:
        from .models import recommendation_themes as link

        query = query.where(
            Recommendation.id.in_(
                select(link.c.recommendation_id).where(link.c.theme_id == theme_id)
            )
        )
    words = search.terms(q) if q else []
    relevance = bool(words) and request.args.get("sort") == "relevance"
    matches = query.where(search.matching(words)) if words else query
    if relevance:
        page = _page(search.by_relevance(query, words), count=matches)
    else:
        newest = matches.order_by(Recommendation.updated_at.desc(), Recommendation.id.desc())
        page = _page(newest, count=matches)
    themes = list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    locale = _locale()
    return render_template(
        "recommendations/index.html",
        # Labels translated once per page rather than once per row.
        theme_names={t.id: t.name(locale) for t in themes},
        page=page,
        themes=themes,
        filters={"q": q, "state": state, "college": college, "theme": theme_id},
        searched=bool(words),
        relevance=relevance,
        empty_query=bool(q) and not words,
        state_labels={code: str(label) for code, label in STATE_LABELS.items()},
        can_create=permissions.can_create(current_user),
    )


def _page(query, *, count) -> Page:
    """One page of `query`; the total is counted on `count`, the same rows without ordering.

    The page's ids come first, from the indexes alone, then their rows: a deep page then
    skips index entries, not whole rows (5,000 recommendations: 20 ms -> 1 ms on SQLite).
    """
    per_page = current_app.config["PAGE_SIZE"]
    number = page_number()
    total = db.session.scalar(
        select(func.count()).select_from(
            count.with_only_columns(Recommendation.id).order_by(None).subquery()
        )
    )
    ids = list(
        db.session.scalars(
            query.with_only_columns(Recommendation.id)
            .limit(per_page)
            .offset((number - 1) * per_page)
        )
    )
    rows = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.id.in_(ids))
        .options(lazyload(Recommendation.sponsors))  # lists never show co-sponsors
    )
    by_id = {rec.id: rec for rec in rows}
    return Page([by_id[i] for i in ids], number, per_page, total or 0)


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------


def _preview(form: RecommendationForm):
    return presenters.rendered_paragraphs(form.body.data or "")


@bp.route(PREFIX + "/new", methods=["GET", "POST"])
@member_required
def new():
    themes = _offered_themes()
    form = RecommendationForm()
    form.themes.choices = _theme_choices(themes)
    preview = None
    if request.method == "POST" and form.preview.data:
        form.validate()
        preview = _preview(form)
    elif form.validate_on_submit():
        try:
            rec = services.create(
                current_user,
                title=form.title.data,
                summary=form.summary.data,
                body=form.body.data,
                theme_ids=form.themes.data,
                change_note=form.change_note.data,
            )
        except services.RecommendationError as error:
            form.body.errors = [*form.body.errors, str(error.message)]
        else:
            db.session.commit()
            flash(
                _(
                    "Draft %(ref)s saved. Only you, its co-sponsors and the secretariat "
                    "can see it.",
                    ref=rec.reference,
                ),
                "success",
            )
            return redirect(url_for(".detail", ref=rec.reference))
    status = 400 if form.errors and request.method == "POST" else 200
    return render_template(
        "recommendations/edit.html", form=form, rec=None, preview=preview
    ), status


@bp.route(PREFIX + "/<ref>/edit", methods=["GET", "POST"])
@login_required
def edit(ref):
    rec = _load(ref)
    if not permissions.can_edit_text(current_user, rec):
        abort(403)
    current = rec.current_version
    form = RecommendationForm(
        data=None
        if request.method == "POST"
        else {
            "title": current.title,
            "summary": current.summary,
            "body": current.body,
            "themes": [t.id for t in rec.themes],
            "base_version_id": current.id,
        }
    )
    form.themes.choices = _theme_choices(_offered_themes(rec.themes))
    amendment = None
    amendment_raw = request.values.get("amendment_id") or request.args.get("amendment")
    if amendment_raw:
        amendment = _amendment_or_none(rec, amendment_raw)
        if amendment is None or not permissions.can_decide_amendment(current_user, amendment, rec):
            flash(_("This amendment can no longer be accepted."), "error")
            amendment = None
        else:
            form.amendment_id.data = str(amendment.id)
    conflict = services.locate(amendment, current) if amendment else None
    preview = stale = None
    status = 200
    if request.method == "POST" and form.preview.data:
        form.validate()
        preview = _preview(form)
    elif form.validate_on_submit():
        base_id = _int(form.base_version_id.data)
        try:
            version = services.edit(
                current_user,
                rec,
                title=form.title.data,
                summary=form.summary.data,
                body=form.body.data,
                theme_ids=form.themes.data,
                change_note=form.change_note.data,
                base_version_id=base_id,
                amendment=amendment,
            )
        except services.StaleVersionError as error:
            db.session.rollback()
            rec = _load(rec.reference)
            current = rec.current_version
            stale = {
                "base": error.base,
                "current": current,
                "comparison": presenters.compare(error.base, current) if error.base else None,
                "message": error.message,
            }
            # Saving again after reading the changes is a deliberate choice, not an accident.
            form.base_version_id.data = str(current.id)
            status = 409
        except services.RecommendationError as error:
            form.body.errors = [*form.body.errors, str(error.message)]
            status = 400
        else:
            db.session.commit()
            if version is None:
                flash(_("The text is unchanged: no new version was made."), "info")
            elif amendment is not None:
                flash(
                    _("Version %(v)s saved; the amendment is accepted.", v=version.label), "success"
                )
            else:
                flash(_("Version %(v)s saved.", v=version.label), "success")
            return redirect(url_for(".detail", ref=rec.reference))
    if request.method == "POST" and form.errors and status == 200:
        status = 400
    return render_template(
        "recommendations/edit.html",
        form=form,
        rec=rec,
        current=current,
        preview=preview,
        stale=stale,
        amendment=amendment,
        conflict=conflict,
    ), status


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------


def _detail_context(rec: Recommendation) -> dict:
    user = current_user
    can = permissions.abilities(user, rec)
    current = rec.current_version
    # Amendments and comments are the council's deliberation: members and secretariat only.
    amendments, comments = [], []
    if can.read_deliberation:
        amendments = list(
            db.session.scalars(
                select(Amendment)
                .where(Amendment.recommendation_id == rec.id)
                .order_by(Amendment.created_at, Amendment.id)
                .options(joinedload(Amendment.decided_by))
            )
        )
        comments = list(
            db.session.scalars(
                select(DeliberationComment)
                .where(DeliberationComment.recommendation_id == rec.id)
                .order_by(DeliberationComment.created_at, DeliberationComment.id)
            )
        )
    other_ids = {a.base_version_id for a in amendments} | {c.version_id for c in comments}
    other_ids.discard(current.id)
    # The version list, with the texts when comments or amendments point into earlier ones
    # (one query either way).
    all_versions = _version_list(rec, with_body=bool(other_ids))
    others = [v for v in all_versions if v.id in other_ids]
    maps = presenters.version_maps(current, others)
    placed = presenters.Placed()
    for amendment in amendments:
        number = presenters.current_number(
            amendment.base_version_id, amendment.paragraph, current.id, maps
        )
        if number is None:
            placed.unplaced_amendments.append(amendment)
        else:
            placed.amendments[number].append(amendment)
    threads = presenters.threads(comments)
    for thread in threads:
        thread.paragraph_now = presenters.current_number(
            thread.comment.version_id, thread.comment.paragraph, current.id, maps
        )
    # General threads first, then by paragraph of the current text, oldest first within each.
    threads.sort(key=lambda t: (t.paragraph_now or 0, t.comment.created_at, t.comment.id))
    paragraph_threads: dict[int, dict] = {}
    for thread in threads:
        if thread.paragraph_now is not None:
            entry = paragraph_threads.setdefault(
                thread.paragraph_now, {"count": 0, "first": thread.comment.id}
            )
            entry["count"] += 1
    changes = list(
        db.session.scalars(
            select(StateChange)
            .where(StateChange.recommendation_id == rec.id)
            .order_by(StateChange.created_at, StateChange.id)
        )
    )
    version_numbers = {v.id: v.number for v in all_versions}
    # The forms only where the page shows them (most readers of a public text see none).
    comment_form = None
    if can.comment:
        comment_form = CommentForm(formdata=None)
        comment_form.paragraph.choices = _paragraph_choices(current.body, general=True)
    return {
        "rec": rec,
        "current": current,
        "paragraphs": presenters.rendered_paragraphs(current.body),
        "can": can,
        "amendments": amendments,
        "placed": placed,
        "threads": threads,
        "comment_count": len(comments),
        "paragraph_threads": paragraph_threads,
        "timeline": presenters.timeline(changes, all_versions, rec.sponsors, amendments, comments),
        "version_numbers": version_numbers,
        # Members have every amendment loaded already; the public needs only the accepted.
        "accepted": _accepted(amendments) if can.read_deliberation else _accepted_amendments(rec),
        "balance": rec.college_balance(),
        "state_labels": STATE_LABELS,
        "comment_form": comment_form,
        "transition_form": TransitionForm(formdata=None) if can.moves else None,
        "confirm_form": ConfirmForm(formdata=None),
    }


@bp.route(PREFIX + "/<ref>")
def detail(ref):
    rec = _load(ref)
    redirect_to = _canonical(rec, ref)
    if redirect_to:
        return redirect_to
    return render_template("recommendations/detail.html", **_detail_context(rec))


@bp.route(PREFIX + "/<ref>/transition", methods=["POST"])
@login_required
def transition(ref):
    rec = _load(ref)
    form = TransitionForm()
    to_state = form.to_state.data or ""
    if not lifecycle.can_move(current_user, rec, to_state):
        abort(403)
    if form.validate_on_submit():
        try:
            lifecycle.transition(current_user, rec, to_state, form.reason.data or "")
        except lifecycle.TransitionError as error:
            form.reason.errors = [*form.reason.errors, str(error.message)]
        else:
            db.session.commit()
            flash(
                _("%(ref)s is now: %(state)s.", ref=rec.reference, state=rec.state_label),
                "success",
            )
            return redirect(url_for(".detail", ref=rec.reference))
    db.session.rollback()
    rec = _load(rec.reference)
    context = _detail_context(rec)
    context["transition_form"] = form
    context["failed_move"] = to_state
    return render_template("recommendations/detail.html", **context), 400


@bp.route(PREFIX + "/<ref>/versions")
def versions(ref):
    rec = _load(ref)
    redirect_to = _canonical(rec, ref)
    if redirect_to:
        return redirect_to
    rows = _version_list(rec)
    return render_template(
        "recommendations/versions.html",
        rec=rec,
        versions=rows,
        accepted=_accepted_amendments(rec),
    )


def _accepted_amendments(rec: Recommendation) -> dict[int, list[int]]:
    """Version id -> the amendments it accepted."""
    return _accepted(
        db.session.execute(
            select(Amendment.id, Amendment.result_version_id)
            .where(Amendment.recommendation_id == rec.id, Amendment.result_version_id.is_not(None))
            .order_by(Amendment.id)
        )
    )


def _accepted(amendments) -> dict[int, list[int]]:
    """Version id -> ids of the amendments it accepted, from (id, result_version_id) rows."""
    accepted: dict[int, list[int]] = {}
    for amendment in sorted(amendments, key=lambda a: a.id):
        if amendment.result_version_id is not None:
            accepted.setdefault(amendment.result_version_id, []).append(amendment.id)
    return accepted


def _version_list(rec: Recommendation, *, with_body: bool = False) -> list[RecommendationVersion]:
    """The versions, newest first (their texts only if asked: a list does not show them)."""
    query = (
        select(RecommendationVersion)
        .where(RecommendationVersion.recommendation_id == rec.id)
        .order_by(RecommendationVersion.number.desc())
    )
    if not with_body:
        query = query.options(defer(RecommendationVersion.body))
    return list(db.session.scalars(query))


@bp.route(PREFIX + "/<ref>/versions/<" + ID + ":number>")
def version(ref, number):
    rec = _load(ref)
    redirect_to = _canonical(rec, ref)
    if redirect_to:
        return redirect_to
    row = db.session.scalar(
        select(RecommendationVersion).where(
            RecommendationVersion.recommendation_id == rec.id,
            RecommendationVersion.number == number,
        )
    )
    if row is None:
        abort(404)
    return render_template(
        "recommendations/version.html",
        rec=rec,
        version=row,
        paragraphs=presenters.rendered_paragraphs(row.body),
    )


@bp.route(PREFIX + "/<ref>/compare")
def compare(ref):
    rec = _load(ref)
    redirect_to = _canonical(rec, ref)
    if redirect_to:
        return redirect_to
    latest = rec.current_version.number if rec.current_version_id else 1
    raw_from = request.args.get("from", "")
    raw_to = request.args.get("to", "")
    rows = _version_list(rec)
    error = None
    status = 200
    numbers = []
    for raw, default in ((raw_from, max(1, latest - 1)), (raw_to, latest)):
        raw = raw.strip().lstrip("vV")
        if not raw:
            numbers.append(default)
        elif raw.isdigit() and len(raw) < 7:
            numbers.append(int(raw))
        else:
            numbers.append(None)
    if None in numbers:
        error = _("Choose the two versions to compare from the lists below.")
        status = 400
    else:
        found = {
            v.number: v
            for v in db.session.scalars(
                select(RecommendationVersion).where(
                    RecommendationVersion.recommendation_id == rec.id,
                    RecommendationVersion.number.in_(numbers),
                )
            )
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            error = _(
                "There is no version %(number)s of this recommendation: it has %(count)s.",
                number=missing[0],
                count=latest,
            )
            status = 404
    comparison = old = new_version = None
    if error is None:
        old, new_version = found[numbers[0]], found[numbers[1]]
        comparison = presenters.compare(old, new_version)
    return render_template(
        "recommendations/compare.html",
        rec=rec,
        versions=rows,
        old=old,
        new=new_version,
        comparison=comparison,
        error=error,
        selected=numbers,
    ), status


# ---------------------------------------------------------------------------------------
# Co-sponsors
# ---------------------------------------------------------------------------------------


def _sponsor_form(rec: Recommendation) -> SponsorForm:
    form = SponsorForm()
    taken = rec.sponsor_ids | {rec.rapporteur_id}
    candidates = db.session.scalars(
        select(User)
        .where(User.role == "member", User.active.is_(True))
        .order_by(User.college, User.display_name)
    )
    form.user_id.choices = choices(
        [("", "—")]
        + [
            (u.id, f"{u.display_name} — {u.organisation or ''} ({u.college_label})")
            for u in candidates
            if u.id not in taken
        ]
    )
    return form


@bp.route(PREFIX + "/<ref>/sponsors", methods=["GET", "POST"])
def sponsors(ref):
    rec = _load(ref)
    redirect_to = _canonical(rec, ref)
    if redirect_to:
        return redirect_to
    can_manage = permissions.can_manage_sponsors(current_user, rec)
    form = _sponsor_form(rec) if can_manage else None
    status = 200
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path))
        if not can_manage:
            abort(403)
        if form.validate_on_submit():
            try:
                services.add_sponsor(current_user, rec, db.session.get(User, form.user_id.data))
            except services.RecommendationError as error:
                form.user_id.errors = [*form.user_id.errors, str(error.message)]
            else:
                db.session.commit()
                flash(_("Co-sponsor added."), "success")
                return redirect(url_for(".sponsors", ref=rec.reference))
        status = 400
    return render_template(
        "recommendations/sponsors.html",
        rec=rec,
        form=form,
        can_manage=can_manage,
        balance=rec.college_balance(),
        confirm_form=ConfirmForm(formdata=None),
    ), status


@bp.route(PREFIX + "/<ref>/sponsors/<" + ID + ":user_id>/remove", methods=["POST"])
@login_required
def remove_sponsor(ref, user_id):
    rec = _load(ref)
    if not permissions.can_manage_sponsors(current_user, rec):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_sponsor(current_user, rec, user_id)
    except services.RecommendationError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Co-sponsor removed."), "success")
    return redirect(url_for(".sponsors", ref=rec.reference))


# ---------------------------------------------------------------------------------------
# Amendments
# ---------------------------------------------------------------------------------------


def _amendment_or_none(rec: Recommendation, raw) -> Amendment | None:
    amendment_id = _int(raw)
    amendment = db.session.get(Amendment, amendment_id) if amendment_id else None
    return amendment if amendment and amendment.recommendation_id == rec.id else None


def _load_amendment(rec: Recommendation, amendment_id: int) -> Amendment:
    amendment = _amendment_or_none(rec, amendment_id)
    if amendment is None or not permissions.can_read_deliberation(current_user, rec):
        abort(404)
    return amendment


def _paragraph_choices(body: str, general: bool = False) -> list:
    pairs = [("", _("The text as a whole"))] if general else [("", "—")]
    for number, text in enumerate(presenters.paragraphs(body), start=1):
        excerpt = " ".join(text.split())
        if len(excerpt) > 70:
            excerpt = excerpt[:69] + "…"
        pairs.append((number, _("§ %(n)s — %(excerpt)s", n=number, excerpt=excerpt)))
    return choices(pairs)


@bp.route(PREFIX + "/<ref>/amendments")
@member_required
def amendments(ref):
    rec = _load(ref)
    if not permissions.can_read_deliberation(current_user, rec):
        abort(404)
    redirect_to = _canonical(rec, ref)
    if redirect_to:
        return redirect_to
    state = request.args.get("state", "")
    query = select(Amendment).where(Amendment.recommendation_id == rec.id)
    if state in AMENDMENT_STATES:
        query = query.where(Amendment.state == state)
    rows = list(db.session.scalars(query.order_by(Amendment.paragraph, Amendment.id)))
    base_versions = {
        v.id: v
        for v in db.session.scalars(
            select(RecommendationVersion)
            .where(RecommendationVersion.recommendation_id == rec.id)
            .options(defer(RecommendationVersion.body))
        )
    }
    return render_template(
        "recommendations/amendments.html",
        rec=rec,
        amendments=rows,
        versions=base_versions,
        diffs={a.id: presenters.word_diff(a.original_text, a.text) for a in rows},
        state=state,
        amendment_state_labels=AMENDMENT_STATE_LABELS,
        can=permissions.abilities(current_user, rec),
    )


@bp.route(PREFIX + "/<ref>/amendments/new", methods=["GET", "POST"])
@member_required
def new_amendment(ref):
    rec = _load(ref)
    if not permissions.can_read_deliberation(current_user, rec):
        abort(404)
    if not permissions.can_propose_amendment(current_user, rec):
        abort(403)
    form = AmendmentForm()
    base = _version(rec, form.base_version_id.data) or rec.current_version
    form.base_version_id.data = str(base.id)
    form.paragraph.choices = _paragraph_choices(base.body)
    if request.method == "GET":
        number = _int(request.args.get("paragraph"))
        form.paragraph.data = number if number and number < len(form.paragraph.choices) else None
    status = 200
    if form.validate_on_submit():
        try:
            amendment = services.propose_amendment(
                current_user,
                rec,
                base_version=base,
                paragraph=form.paragraph.data,
                kind=form.kind.data,
                text=form.text.data,
                justification=form.justification.data,
            )
        except services.RecommendationError as error:
            form.text.errors = [*form.text.errors, str(error.message)]
        else:
            db.session.commit()
            flash(_("Amendment no. %(id)s proposed.", id=amendment.id), "success")
            return redirect(url_for(".amendment", ref=rec.reference, amendment_id=amendment.id))
    if request.method == "POST":
        status = 400
    return render_template(
        "recommendations/new_amendment.html",
        rec=rec,
        form=form,
        base=base,
        paragraphs=presenters.rendered_paragraphs(base.body),
    ), status


def _amendment_page(rec, amendment, *, status=200, reject_form=None, conflict=None):
    current = rec.current_version
    placement = conflict
    if placement is None and amendment.is_open:
        placement = services.locate(amendment, current)
    return render_template(
        "recommendations/amendment.html",
        rec=rec,
        amendment=amendment,
        current=current,
        diff=presenters.word_diff(amendment.original_text, amendment.text),
        placement=placement,
        can_decide=permissions.can_decide_amendment(current_user, amendment, rec),
        can_withdraw=permissions.can_withdraw_amendment(current_user, amendment),
        can_vote=permissions.can_put_amendment_to_vote(current_user, amendment),
        reject_form=reject_form or ReasonForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
    ), status


@bp.route(AMENDMENT)
@member_required
def amendment(ref, amendment_id):
    rec = _load(ref)
    redirect_to = _canonical(rec, ref)
    if redirect_to:
        return redirect_to
    return _amendment_page(rec, _load_amendment(rec, amendment_id))


@bp.route(AMENDMENT + "/accept", methods=["POST"])
@member_required
def accept_amendment(ref, amendment_id):
    rec = _load(ref)
    amendment = _load_amendment(rec, amendment_id)
    if not permissions.can_decide_amendment(current_user, amendment, rec):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        version = services.accept_amendment(current_user, amendment)
    except services.AmendmentConflict as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _amendment_page(rec, amendment, status=409, conflict=error.placement)
    except services.RecommendationError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _amendment_page(rec, amendment, status=400)
    db.session.commit()
    flash(_("Amendment accepted: version %(v)s contains it.", v=version.label), "success")
    return redirect(url_for(".amendment", ref=rec.reference, amendment_id=amendment.id))


@bp.route(AMENDMENT + "/reject", methods=["POST"])
@member_required
def reject_amendment(ref, amendment_id):
    rec = _load(ref)
    amendment = _load_amendment(rec, amendment_id)
    if not permissions.can_decide_amendment(current_user, amendment, rec):
        abort(403)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.reject_amendment(current_user, amendment, form.reason.data)
        except services.RecommendationError as error:
            form.reason.errors = [*form.reason.errors, str(error.message)]
        else:
            db.session.commit()
            flash(_("Amendment rejected."), "success")
            return redirect(url_for(".amendment", ref=rec.reference, amendment_id=amendment.id))
    return _amendment_page(rec, amendment, status=400, reject_form=form)


def _amendment_action(ref, amendment_id, allowed, operation, message):
    """A button on an amendment page: check, confirm (CSRF), act, commit, back to the page."""
    rec = _load(ref)
    amendment = _load_amendment(rec, amendment_id)
    if not allowed(current_user, amendment):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operation(current_user, amendment)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".amendment", ref=rec.reference, amendment_id=amendment.id))


@bp.route(AMENDMENT + "/withdraw", methods=["POST"])
@member_required
def withdraw_amendment(ref, amendment_id):
    return _amendment_action(
        ref,
        amendment_id,
        permissions.can_withdraw_amendment,
        services.withdraw_amendment,
        _("Amendment withdrawn."),
    )


@bp.route(AMENDMENT + "/put-to-vote", methods=["POST"])
@secretariat_required
def amendment_to_vote(ref, amendment_id):
    return _amendment_action(
        ref,
        amendment_id,
        permissions.can_put_amendment_to_vote,
        services.put_amendment_to_vote,
        _("The amendment will be put to the vote."),
    )


# ---------------------------------------------------------------------------------------
# Deliberation comments
# ---------------------------------------------------------------------------------------


def _load_comment(rec: Recommendation, comment_id) -> DeliberationComment:
    comment_id = _int(comment_id)
    comment = db.session.get(DeliberationComment, comment_id) if comment_id else None
    if (
        comment is None
        or comment.recommendation_id != rec.id
        or not permissions.can_read_deliberation(current_user, rec)
    ):
        abort(404)
    return comment


@bp.route(PREFIX + "/<ref>/comments/new", methods=["GET", "POST"])
@member_required
def new_comment(ref):
    rec = _load(ref)
    if not permissions.can_read_deliberation(current_user, rec):
        abort(404)
    if not permissions.can_comment(current_user, rec):
        abort(403)
    form = CommentForm()
    parent_raw = form.parent_id.data or request.args.get("parent")
    parent = _load_comment(rec, parent_raw) if parent_raw else None
    form.parent_id.data = str(parent.id) if parent else ""
    form.paragraph.choices = _paragraph_choices(rec.current_version.body, general=True)
    if request.method == "GET":
        number = _int(request.args.get("paragraph"))
        form.paragraph.data = number if number and number < len(form.paragraph.choices) else None
    if form.validate_on_submit():
        try:
            comment = services.add_comment(
                current_user,
                rec,
                body=form.body.data,
                stance=None if parent else form.stance.data,
                paragraph=None if parent else form.paragraph.data,
                parent=parent,
            )
        except services.RecommendationError as error:
            form.body.errors = [*form.body.errors, str(error.message)]
        else:
            db.session.commit()
            flash(_("Your comment is posted."), "success")
            return redirect(url_for(".detail", ref=rec.reference, _anchor=f"comment-{comment.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "recommendations/comment_form.html", rec=rec, form=form, parent=parent, comment=None
    ), status


@bp.route(COMMENT + "/edit", methods=["GET", "POST"])
@member_required
def edit_comment(ref, comment_id):
    rec = _load(ref)
    comment = _load_comment(rec, comment_id)
    if not permissions.can_edit_comment(current_user, comment, rec):
        abort(403)
    form = CommentEditForm(
        data=None if request.method == "POST" else {"body": comment.body, "stance": comment.stance}
    )
    if comment.depth > 0:
        del form.stance
    if form.validate_on_submit():
        try:
            changed = services.edit_comment(
                current_user,
                comment,
                body=form.body.data,
                stance=form.stance.data if comment.depth == 0 else None,
            )
        except services.RecommendationError as error:
            form.body.errors = [*form.body.errors, str(error.message)]
        else:
            db.session.commit()
            if changed:
                flash(_("Your comment is updated; it is marked as modified."), "success")
            return redirect(url_for(".detail", ref=rec.reference, _anchor=f"comment-{comment.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "recommendations/comment_form.html",
        rec=rec,
        form=form,
        parent=None,
        comment=comment,
        confirm_form=ConfirmForm(formdata=None),
    ), status


@bp.route(COMMENT + "/delete", methods=["POST"])
@member_required
def delete_comment(ref, comment_id):
    rec = _load(ref)
    comment = _load_comment(rec, comment_id)
    if not permissions.can_delete_comment(current_user, comment, rec):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_comment(current_user, comment)
    db.session.commit()
    flash(_("The comment is deleted; a trace remains in the discussion."), "success")
    return redirect(url_for(".detail", ref=rec.reference, _anchor=f"comment-{comment.id}"))


@bp.route(COMMENT + "/history")
@secretariat_required
def comment_history(ref, comment_id):
    rec = _load(ref)
    comment = _load_comment(rec, comment_id)
    revisions = list(
        db.session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment.id)
            .order_by(CommentRevision.id)
        )
    )
    return render_template(
        "recommendations/comment_history.html", rec=rec, comment=comment, revisions=revisions
    )


# ---------------------------------------------------------------------------------------
# Themes (secretariat)
# ---------------------------------------------------------------------------------------


@bp.route("/secretariat/themes", methods=["GET", "POST"])
@secretariat_required
def themes():
    _offered_themes()
    form = ThemeForm()
    status = 200
    if form.validate_on_submit():
        try:
            theme = services.create_theme(
                current_user, name_fr=form.name_fr.data, name_en=form.name_en.data
            )
        except services.RecommendationError as error:
            form.name_fr.errors = [*form.name_fr.errors, str(error.message)]
        else:
            db.session.commit()
            flash(_("Theme “%(name)s” added.", name=theme.name(_locale())), "success")
            return redirect(url_for(".themes"))
    if request.method == "POST":
        status = 400
    from .models import recommendation_themes as link

    usage = dict(
        db.session.execute(select(link.c.theme_id, func.count()).group_by(link.c.theme_id)).all()
    )
    rows = list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    return render_template(
        "recommendations/themes.html", themes=rows, form=form, usage=usage
    ), status


@bp.route("/secretariat/themes/<" + ID + ":theme_id>", methods=["GET", "POST"])
@secretariat_required
def edit_theme(theme_id):
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    form = EditThemeForm(obj=theme)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_theme(
                current_user,
                theme,
                name_fr=form.name_fr.data,
                name_en=form.name_en.data,
                active=form.active.data,
            )
        except services.RecommendationError as error:
            form.name_fr.errors = [*form.name_fr.errors, str(error.message)]
        else:
            db.session.commit()
            flash(_("Theme saved."), "success")
            return redirect(url_for(".themes"))
    if request.method == "POST":
        status = 400
    return render_template("recommendations/theme_edit.html", theme=theme, form=form), status


@bp.cli.command("seed-themes")
def seed_themes_command() -> None:
    """Create the default themes that are missing (safe to run again)."""
    import click

    created = services.ensure_default_themes()
    db.session.commit()
    click.echo(f"{created} theme(s) created.")
