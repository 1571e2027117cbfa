"""Poll pages, casting, proxies, the secretariat's console, the simulator and the JSON API.

Routes are thin: load (404) -> touch the clock (a poll past its time opens or closes now) ->
authorise (403) -> validate -> service -> commit -> redirect. Until a poll closes, no page,
export or API response carries a count per choice: only the turnout.
"""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from ..accounts.forms import ConfirmForm
from ..accounts.models import COLLEGE_LABELS, User
from ..extensions import db
from ..forms import select_choices
from ..pagination import paginate
from ..recommendations.models import Amendment, Recommendation
from ..recommendations.permissions import visible_clause
from ..security import role_required, secretariat_required
from ..timeutil import BAMAKO, to_utc, utcnow
from . import chart, integrity, permissions, services
from .forms import BallotForm, DefaultsForm, PollForm, ProxyForm, ReceiptForm, SimulatorForm
from .models import CHOICE_LABELS, OUTCOME_LABELS, Poll
from .services import VoteError
from .tally import Counts, explain, tally

bp = Blueprint("votes", __name__)

member_only = role_required("member")


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _touch(poll: Poll) -> None:
    """A poll past its scheduled time opens or closes on this access (once, under a lock)."""
    if services.refresh(poll):
        db.session.commit()


def _poll_or_404(poll_id: int) -> Poll:
    # The recommendation comes along for the permission check, without its themes and
    # co-sponsors (loaded only if a page uses them): casting a ballot must stay short.
    poll = db.session.scalars(
        select(Poll)
        .where(Poll.id == poll_id)
        .options(
            joinedload(Poll.recommendation).options(
                lazyload(Recommendation.themes),
                lazyload(Recommendation.sponsors),
                lazyload(Recommendation.rapporteur),
            )
        )
    ).first()
    if poll is None:
        abort(404)
    _touch(poll)
    if not permissions.can_view(current_user, poll):
        abort(404)
    return poll


def _poll_for_cast(poll_id: int) -> Poll:
    """_poll_or_404() for a ballot, in one statement that also takes the poll's lock; a poll
    the clock must open or close first goes the usual way, then is locked."""
    poll = services.lock_for_cast(poll_id)
    if poll is None:
        abort(404)
    if poll.due(utcnow()) is not None:
        db.session.rollback()
        poll = services.lock(_poll_or_404(poll_id))
    if not permissions.can_view(current_user, poll):
        abort(404)
    return poll


FAILED = object()


def _attempt(operation, error_field=None):
    """Run a service call and commit; on a refusal, roll back and say why. FAILED then."""
    try:
        result = operation()
    except VoteError as error:
        db.session.rollback()
        if error_field is not None:
            error_field.errors.append(str(error.message))
        else:
            flash(str(error.message), "error")
        return FAILED
    db.session.commit()
    return result


@contextmanager
def _kept_after_commit():
    """Objects stay loaded after the commit: the page that follows shows what the transaction
    has just written (the poll, the voter, the member), so reading it again is wasted."""
    session = db.session()
    previous = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = previous


def _touch_due() -> None:
    for poll in services.due_polls():
        _touch(poll)


def _college_names() -> dict[str, str]:
    return {code: str(label) for code, label in COLLEGE_LABELS.items()}


def _locale() -> str:
    return str(get_locale() or "fr")


def _visible_polls():
    """Polls whose recommendation the reader may see, drafts for the council only."""
    query = (
        select(Poll)
        .join(Recommendation, Poll.recommendation_id == Recommendation.id)
        .options(
            contains_eager(Poll.recommendation),
            selectinload(Poll.version),
            selectinload(Poll.result),
        )
        .where(visible_clause(current_user))
    )
    if not permissions.is_secretariat(current_user):
        query = query.where(Poll.state != "cancelled")
    if not permissions.is_council(current_user):
        query = query.where(Poll.state != "draft")
    return query


def _results_context(result, rules, rules_text) -> dict:
    names = _college_names()
    return {
        "result": result,
        "explanation": explain(result, rules, _, names, ngettext),
        "chart": chart.build(result, names),
        "rules_text": rules_text,
        "college_names": names,
    }


# --------------------------------------------------------------------------------------------
# Public pages
# --------------------------------------------------------------------------------------------


@bp.route("/polls")
def index():
    _touch_due()
    base = _visible_polls()
    open_polls = db.session.scalars(
        base.where(Poll.state == "open").order_by(Poll.closes_at.is_(None), Poll.closes_at)
    ).all()
    upcoming = []
    if permissions.is_council(current_user):
        upcoming = db.session.scalars(
            base.where(Poll.state == "draft").order_by(Poll.opens_at.is_(None), Poll.opens_at)
        ).all()
    closed = paginate(base.where(Poll.state == "closed").order_by(Poll.closed_at.desc()))
    voted = set()
    if permissions.is_member(current_user) and open_polls:
        voted = services.polls_voted(current_user, [p.id for p in open_polls])
    return render_template(
        "votes/index.html", open_polls=open_polls, upcoming=upcoming, closed=closed, voted=voted
    )


@bp.route("/polls/<int:poll_id>")
def poll(poll_id: int):
    poll = _poll_or_404(poll_id)
    context = {
        "poll": poll,
        "confirm": ConfirmForm(),
        "rules_text": services.stored_rules_text(poll, _locale()),
    }
    if poll.state in ("open", "closed"):
        context["turnout"] = services.turnout(poll)
    if permissions.results_public(poll):
        context.update(
            _results_context(
                services.result_of(poll), services.rules_of(poll), context["rules_text"]
            )
        )
        if poll.mode == "roll_call":
            context["roll_call"] = services.roll_call(poll)
    if permissions.is_council(current_user) and poll.state in ("draft", "open"):
        context["proxies"] = services.active_proxies(poll)
    if permissions.is_member(current_user):
        context.update(_member_context(poll, current_user))
    if permissions.is_secretariat(current_user) and poll.problem:
        context["problem"] = services.OPENING_PROBLEMS.get(poll.problem)
    return render_template("votes/poll.html", **context)


def _member_context(poll: Poll, user) -> dict:
    entitled = services.voter_college(poll, user) is not None
    return {
        "entitled": entitled,
        "has_voted": entitled and services.has_voted(poll, user),
        "my_ballot": services.current_ballot(poll, user) if poll.state == "open" else None,
        "options": services.ballot_options(poll, user),
        "given": services.proxy_given(poll, user),
        "held": services.proxies_held(poll, user),
        "can_give_proxy": (
            entitled
            and poll.state in ("draft", "open")
            and poll.max_proxies > 0
            and not services.has_voted(poll, user)
            and services.proxy_given(poll, user) is None
            and not services.proxies_held(poll, user)
        ),
    }


@bp.route("/polls/<int:poll_id>/ballots")
def ballots(poll_id: int):
    poll = _poll_or_404(poll_id)
    published = permissions.results_public(poll)
    return render_template(
        "votes/ballots.html",
        poll=poll,
        published=published,
        ballots=services.public_ballots(poll) if published else [],
        superseded=services.superseded_count(poll) if published else 0,
        shown=integrity.FINGERPRINT_SHOWN,
        form=ReceiptForm(),
    )


@bp.route("/polls/<int:poll_id>/receipt", methods=["GET", "POST"])
def check_receipt(poll_id: int):
    poll = _poll_or_404(poll_id)
    form = ReceiptForm()
    check = None
    published = permissions.results_public(poll)
    if published and form.validate_on_submit():
        if not integrity.is_receipt_shaped(form.code.data):
            form.code.errors.append(
                _("A receipt code has 16 letters and digits, such as ABCD-EFGH-JKLM-NPQR.")
            )
        else:
            check = services.check_receipt(poll, form.code.data)
    return render_template(
        "votes/receipt_check.html",
        poll=poll,
        form=form,
        check=check,
        published=published,
        shown=integrity.FINGERPRINT_SHOWN,
    )


@bp.route("/polls/<int:poll_id>/results.csv")
def export_csv(poll_id: int):
    """Per college: while open, entitled and turnout only; once closed, the full result."""
    poll = _poll_or_404(poll_id)
    if poll.state == "draft" or poll.state == "cancelled":
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out)
    if permissions.results_public(poll):
        result = poll.result.result
        writer.writerow(
            [
                "college",
                "entitled",
                "ballots",
                "for",
                "against",
                "abstain",
                "quorum_met",
                "threshold_met",
            ]
        )
        rows = [*result["colleges"].items(), ("overall", result["overall"])]
        for code, row in rows:
            writer.writerow(
                [
                    code,
                    row["entitled"],
                    row["ballots"],
                    row["for"],
                    row["against"],
                    row["abstain"],
                    _flag(row["quorum_met"]),
                    _flag(row["threshold_met"]),
                ]
            )
        writer.writerow(["outcome", result["outcome"]])
    else:
        turnout = services.turnout(poll)
        writer.writerow(["college", "entitled", "ballots"])
        for code, (entitled, voted) in turnout.colleges.items():
            writer.writerow([code, entitled, voted])
        writer.writerow(["overall", turnout.entitled, turnout.voted])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={poll.reference}.csv"
    return response


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


# --------------------------------------------------------------------------------------------
# Voting
# --------------------------------------------------------------------------------------------


def _option_for(poll: Poll, voter_id: str | None):
    """The ballot option (self or a delegator) the member chose, or None."""
    options = services.ballot_options(poll, current_user)
    wanted = int(voter_id) if voter_id and str(voter_id).isdigit() else current_user.id
    for option in options:
        if option.voter.id == wanted:
            return option
    return None


def _no_option(poll: Poll):
    given = services.proxy_given(poll, current_user)
    if poll.state != "open":
        flash(_("This poll is not open for voting."), "error")
    elif given is not None and given.used_at is None:
        flash(_("You gave a proxy for this poll: revoke it first to vote yourself."), "error")
    elif services.voter_college(poll, current_user) is None:
        flash(_("You are not entitled to vote in this poll."), "error")
    else:
        flash(_("You have already voted in this poll: a secret ballot is final."), "error")
    return redirect(url_for("votes.poll", poll_id=poll.id))


@bp.route("/polls/<int:poll_id>/vote", methods=["GET", "POST"])
@member_only
def vote(poll_id: int):
    """Step 1, choose; its POST is step 2, the confirmation page. Casting is votes.cast."""
    poll = _poll_or_404(poll_id)
    form = BallotForm()
    option = _option_for(
        poll, form.voter.data if request.method == "POST" else request.args.get("for")
    )
    if option is None:
        return _no_option(poll)
    form.voter.data = str(option.voter.id)
    current = services.current_ballot(poll, option.voter)
    if request.method == "GET" and current is not None:
        form.choice.data = current.choice
    if "back" not in request.form and form.validate_on_submit():
        return render_template(
            "votes/confirm.html",
            poll=poll,
            form=form,
            option=option,
            choice_label=CHOICE_LABELS[form.choice.data],
        )
    return render_template("votes/vote.html", poll=poll, form=form, option=option, current=current)


@bp.route("/polls/<int:poll_id>/cast", methods=["POST"])
@member_only
def cast(poll_id: int):
    form = BallotForm()
    if not form.validate_on_submit():
        flash(_("Your vote was not recorded: please choose again."), "error")
        return redirect(url_for("votes.vote", poll_id=poll_id))
    # The hot path: the poll is read once, under its lock, and services.cast() checks
    # entitlement and proxies under that lock, so nothing is checked twice here.
    poll = _poll_for_cast(poll_id)
    raw = form.voter.data or ""
    if raw and not raw.isdigit():
        abort(400)
    voter = (
        current_user if not raw or int(raw) == current_user.id else db.session.get(User, int(raw))
    )
    if voter is None:
        abort(400)
    with _kept_after_commit():
        code = _attempt(
            lambda: services.cast(current_user, poll, voter, form.choice.data, locked=True)
        )
        if code is FAILED:
            return redirect(url_for("votes.poll", poll_id=poll.id))
        # The receipt exists only in this response: never stored, never cached, never redirected.
        response = make_response(
            render_template(
                "votes/receipt.html",
                poll=poll,
                voter=voter,
                by_proxy=voter.id != current_user.id,
                code=code,
                choice_label=CHOICE_LABELS[form.choice.data],
                fingerprint=integrity.receipt_fingerprint(code)[: integrity.FINGERPRINT_SHOWN],
            )
        )
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------------------------
# Proxies
# --------------------------------------------------------------------------------------------


@bp.route("/polls/<int:poll_id>/proxy", methods=["GET", "POST"])
@member_only
def proxy(poll_id: int):
    poll = _poll_or_404(poll_id)
    form = ProxyForm()
    candidates = services.proxy_candidates(poll, current_user)
    form.holder.choices = select_choices((user.id, user.display_name) for user in candidates)
    given = services.proxy_given(poll, current_user)
    if form.validate_on_submit():
        holder = db.session.get(User, form.holder.data)
        if (
            _attempt(lambda: services.give_proxy(current_user, poll, holder), form.holder)
            is not FAILED
        ):
            flash(_("Your proxy is given to %(name)s.", name=holder.display_name), "success")
            return redirect(url_for("votes.poll", poll_id=poll.id))
    return render_template(
        "votes/proxy.html",
        poll=poll,
        form=form,
        given=given,
        candidates=candidates,
        confirm=ConfirmForm(),
    )


@bp.route("/polls/<int:poll_id>/proxy/revoke", methods=["POST"])
@member_only
def revoke_proxy(poll_id: int):
    poll = _poll_or_404(poll_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    given = services.proxy_given(poll, current_user)
    if given is None:
        flash(_("You have no proxy to revoke in this poll."), "error")
        return redirect(url_for("votes.poll", poll_id=poll.id))
    if _attempt(lambda: services.revoke_proxy(current_user, given)) is not FAILED:
        flash(_("Your proxy is revoked: you can vote yourself."), "success")
    return redirect(url_for("votes.poll", poll_id=poll.id))


# --------------------------------------------------------------------------------------------
# The secretariat
# --------------------------------------------------------------------------------------------


@bp.route("/secretariat/polls")
@secretariat_required
def manage():
    _touch_due()
    page = paginate(select(Poll).order_by(Poll.id.desc()))
    subjects = _subject_choices()
    return render_template("votes/manage.html", page=page, subjects=subjects)


def _subject_choices() -> list[tuple[str, str]]:
    """Texts that can be put to a vote now: recommendations in voting, amendments put to it."""
    choices = []
    for rec in db.session.scalars(
        select(Recommendation)
        .where(Recommendation.state == "voting")
        .order_by(Recommendation.reference)
    ):
        if services.pending_poll(rec.id, None) is None:
            choices.append(
                (
                    f"r{rec.id}",
                    _("%(reference)s — %(title)s", reference=rec.reference, title=rec.title),
                )
            )
    for amendment in db.session.scalars(
        select(Amendment).where(Amendment.state == "put_to_vote").order_by(Amendment.id)
    ):
        rec = amendment.recommendation
        if services.pending_poll(rec.id, amendment.id) is None:
            choices.append(
                (
                    f"a{amendment.id}",
                    _(
                        "Amendment %(number)s to %(reference)s, paragraph %(paragraph)s",
                        number=amendment.id,
                        reference=rec.reference,
                        paragraph=amendment.paragraph,
                    ),
                )
            )
    return choices


def _subject(value: str):
    """(recommendation, amendment) named by a subject choice, or (None, None)."""
    if value.startswith("r") and value[1:].isdigit():
        return db.session.get(Recommendation, int(value[1:])), None
    if value.startswith("a") and value[1:].isdigit():
        amendment = db.session.get(Amendment, int(value[1:]))
        return (amendment.recommendation if amendment else None), amendment
    return None, None


def _schedule(form: PollForm) -> tuple[datetime | None, datetime | None]:
    opens = to_utc(form.opens_at.data) if form.opens_at.data else None
    closes = to_utc(form.closes_at.data) if form.closes_at.data else None
    return opens, closes


def _local(value: datetime | None) -> datetime | None:
    """Naive UTC to the Bamako wall-clock time shown in a form."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(BAMAKO).replace(tzinfo=None)


@bp.route("/secretariat/polls/new", methods=["GET", "POST"])
@secretariat_required
def create():
    form = PollForm()
    form.subject.choices = select_choices(_subject_choices())
    if request.method == "GET":
        form.load_rules(services.default_rules())
        form.mode.data = "roll_call"
        wanted = request.args.get("subject", "")
        if any(choice.value == wanted for choice in form.subject.choices):
            form.subject.data = wanted
    if form.validate_on_submit():
        rules = form.rules()
        recommendation, amendment = _subject(form.subject.data)
        if rules is not None and recommendation is not None:
            opens, closes = _schedule(form)
            poll = _attempt(
                lambda: services.create_poll(
                    current_user,
                    recommendation=recommendation,
                    amendment=amendment,
                    mode=form.mode.data,
                    rules=rules,
                    opens_at=opens,
                    closes_at=closes,
                ),
                form.subject,
            )
            if poll is not FAILED:
                flash(_("Poll %(reference)s created.", reference=poll.reference), "success")
                return redirect(url_for("votes.poll", poll_id=poll.id))
    return render_template("votes/poll_form.html", form=form, poll=None)


@bp.route("/secretariat/polls/<int:poll_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit(poll_id: int):
    poll = _poll_or_404(poll_id)
    if poll.state != "draft":
        flash(_("A poll can be changed only before it opens."), "error")
        return redirect(url_for("votes.poll", poll_id=poll.id))
    form = PollForm()
    label = poll.recommendation.reference
    form.subject.choices = select_choices([("current", label)])
    if request.method == "GET":
        form.load_rules(services.rules_of(poll))
        form.mode.data = poll.mode
        form.subject.data = "current"
        form.opens_at.data = _local(poll.opens_at)
        form.closes_at.data = _local(poll.closes_at)
    if form.validate_on_submit():
        rules = form.rules()
        if rules is not None:
            opens, closes = _schedule(form)
            if (
                _attempt(
                    lambda: services.update_poll(
                        current_user,
                        poll,
                        mode=form.mode.data,
                        rules=rules,
                        opens_at=opens,
                        closes_at=closes,
                    ),
                    form.closes_at,
                )
                is not FAILED
            ):
                flash(_("The changes have been saved."), "success")
                return redirect(url_for("votes.poll", poll_id=poll.id))
    return render_template("votes/poll_form.html", form=form, poll=poll)


def _poll_action(poll_id: int, action, message: str):
    poll = _poll_or_404(poll_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if _attempt(lambda: action(current_user, poll)) is not FAILED:
        flash(message, "success")
    return redirect(url_for("votes.poll", poll_id=poll.id))


@bp.route("/secretariat/polls/<int:poll_id>/open", methods=["POST"])
@secretariat_required
def open_poll(poll_id: int):
    return _poll_action(poll_id, services.open_poll, _("The poll is open."))


@bp.route("/secretariat/polls/<int:poll_id>/close", methods=["POST"])
@secretariat_required
def close_poll(poll_id: int):
    return _poll_action(poll_id, services.close_poll, _("The poll is closed and counted."))


@bp.route("/secretariat/polls/<int:poll_id>/cancel", methods=["POST"])
@secretariat_required
def cancel_poll(poll_id: int):
    return _poll_action(poll_id, services.cancel_poll, _("The poll is cancelled."))


@bp.route("/secretariat/polls/<int:poll_id>/record", methods=["GET", "POST"])
@secretariat_required
def record(poll_id: int):
    """Votes taken by show of hands in a session (roll-call polls)."""
    poll = _poll_or_404(poll_id)
    if poll.mode != "roll_call" or poll.state != "open":
        flash(_("Votes by show of hands can be recorded only in an open roll-call vote."), "error")
        return redirect(url_for("votes.poll", poll_id=poll.id))
    form = ConfirmForm()
    listing = services.roll_call(poll)
    typed = {}
    if form.validate_on_submit():
        typed = {
            int(key[5:]): value
            for key, value in request.form.items()
            if key.startswith("vote-") and key[5:].isdigit() and value
        }
        added = _attempt(lambda: services.record_show_of_hands(current_user, poll, typed))
        if added is not FAILED:
            flash(ngettext("%(num)s vote recorded.", "%(num)s votes recorded.", added), "success")
            return redirect(url_for("votes.poll", poll_id=poll.id))
    return render_template(
        "votes/record.html",
        poll=poll,
        form=form,
        listing=listing,
        typed=typed,
        choices=CHOICE_LABELS,
    )


@bp.route("/secretariat/votes/rules", methods=["GET", "POST"])
@secretariat_required
def defaults():
    form = DefaultsForm()
    if request.method == "GET":
        form.load_rules(services.default_rules())
        form.max_proxies.data = services.default_max_proxies()
    if form.validate_on_submit():
        rules = form.rules()
        if rules is not None:
            services.set_defaults(current_user, rules, form.max_proxies.data)
            db.session.commit()
            flash(_("The default rules are saved. New polls start from them."), "success")
            return redirect(url_for("votes.defaults"))
    current = services.default_rules()
    return render_template(
        "votes/defaults.html", form=form, rules_text=services.rules_text(current)
    )


@bp.route("/secretariat/votes/simulator", methods=["GET", "POST"])
@secretariat_required
def simulator():
    form = SimulatorForm()
    context = {}
    if request.method == "GET":
        form.load_rules(services.default_rules())
    if form.validate_on_submit():
        rules = form.rules()
        counts = form.counts()
        if rules is not None and counts is not None:
            entitled = {code: row["entitled"] for code, row in counts.items()}
            ballots = {
                code: Counts(row["for"], row["against"], row["abstain"])
                for code, row in counts.items()
            }
            result = tally(entitled, ballots, rules)
            context = _results_context(result, rules, services.rules_text(rules))
    return render_template("votes/simulator.html", form=form, **context)


# --------------------------------------------------------------------------------------------
# JSON API (read-only, public)
# --------------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _poll_json(poll: Poll, *, detail: bool = False) -> dict:
    data = {
        "id": poll.id,
        "reference": poll.reference,
        "state": poll.state,
        "mode": poll.mode,
        "recommendation": {
            "reference": poll.recommendation.reference,
            "title": poll.recommendation.title,
        },
        "version": {"number": poll.version.number, "content_hash": poll.version.content_hash},
        "amendment_id": poll.amendment_id,
        "rules": poll.rules,
        "opens_at": _iso(poll.opens_at),
        "closes_at": _iso(poll.closes_at),
        "opened_at": _iso(poll.opened_at),
        "closed_at": _iso(poll.closed_at),
        "url": url_for("votes.poll", poll_id=poll.id, _external=True),
    }
    if poll.state in ("open", "closed"):
        turnout = services.turnout(poll)
        data["turnout"] = {
            "entitled": turnout.entitled,
            "ballots": turnout.voted,
            "colleges": {
                code: {"entitled": e, "ballots": v} for code, (e, v) in turnout.colleges.items()
            },
        }
    if permissions.results_public(poll):
        data["outcome"] = poll.result.outcome
        if detail:
            data["result"] = poll.result.result
            data["rules_text"] = {"fr": poll.result.rules_text_fr, "en": poll.result.rules_text_en}
            data["seal"] = poll.result.seal
            data["ballots"] = [_ballot_json(poll, b) for b in services.public_ballots(poll)]
    return data


def _ballot_json(poll: Poll, ballot) -> dict:
    row = {
        "fingerprint": ballot.receipt_hash[: integrity.FINGERPRINT_SHOWN],
        "choice": ballot.choice,
        "college": ballot.college,
    }
    if poll.mode == "roll_call":
        row["voter"] = ballot.voter.display_name
    return row


@bp.route("/api/v1/polls")
def api_polls():
    _touch_due()
    polls = db.session.scalars(
        _visible_polls().where(Poll.state.in_(("open", "closed"))).order_by(Poll.id.desc())
    ).all()
    return jsonify(polls=[_poll_json(poll) for poll in polls])


@bp.route("/api/v1/polls/<int:poll_id>")
def api_poll(poll_id: int):
    poll = _poll_or_404(poll_id)
    if poll.state not in ("open", "closed"):
        abort(404)
    return jsonify(_poll_json(poll, detail=True))


# --------------------------------------------------------------------------------------------
# For other domains' templates
# --------------------------------------------------------------------------------------------


@bp.app_template_global()
def polls_for(recommendation, amendment=None) -> list[Poll]:
    """The polls on a recommendation (or one amendment) the current reader may see."""
    return [
        poll
        for poll in services.polls_on(recommendation, amendment)
        if permissions.can_view(current_user, poll)
    ]


@bp.app_template_global()
def open_polls_now(limit: int = 5) -> list[Poll]:
    """Open polls for the home page (a poll past its closing time is left out)."""
    now = utcnow()
    query = _visible_polls().where(
        Poll.state == "open", (Poll.closes_at.is_(None)) | (Poll.closes_at > now)
    )
    return list(db.session.scalars(query.order_by(Poll.closes_at).limit(limit)))


@bp.app_context_processor
def _labels() -> dict:
    return {
        "outcome_labels": OUTCOME_LABELS,
        "choice_labels": CHOICE_LABELS,
        "can_manage_polls": permissions.can_manage(current_user),
    }
