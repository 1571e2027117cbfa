"""Shaping data for the pages: threads, paragraph placement, red-lines. No queries here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from flask_babel import gettext as _
from markupsafe import Markup

from .diff import diff_paragraphs, diff_stats, diff_words, render_ops_html
from .models import Amendment, DeliberationComment, RecommendationVersion, Sponsorship, StateChange
from .text import render_paragraphs, split_paragraphs


def diff_labels() -> dict[str, str]:
    """What screen readers announce around a change (the marks are also visible)."""
    return {
        "insert_start": _("Insertion start"),
        "insert_end": _("Insertion end"),
        "delete_start": _("Deletion start"),
        "delete_end": _("Deletion end"),
    }


@lru_cache(maxsize=512)
def _split(body: str) -> tuple[str, ...]:
    return tuple(split_paragraphs(body))


@lru_cache(maxsize=512)
def _rendered(body: str) -> tuple[Markup, ...]:
    return tuple(render_paragraphs(body))


def paragraphs(body: str) -> tuple[str, ...]:
    return _split(body)


def rendered_paragraphs(body: str) -> tuple[Markup, ...]:
    """Sanitised HTML of each numbered paragraph (cached: versions never change)."""
    return _rendered(body)


@dataclass
class ComparedParagraph:
    status: str
    old_number: int | None
    new_number: int | None
    html: Markup


@dataclass
class Comparison:
    title: Markup | None
    summary: Markup | None
    paragraphs: list[ComparedParagraph]
    words_inserted: int
    words_deleted: int

    @property
    def changed(self) -> int:
        return sum(1 for p in self.paragraphs if p.status != "unchanged")


def compare(old: RecommendationVersion, new: RecommendationVersion) -> Comparison:
    labels = diff_labels()
    inserted = deleted = 0
    rows = []
    for change in diff_paragraphs(list(_split(old.body)), list(_split(new.body))):
        stats = diff_stats(change.ops)
        inserted += stats["words_inserted"]
        deleted += stats["words_deleted"]
        rows.append(
            ComparedParagraph(
                change.status,
                change.old_number,
                change.new_number,
                render_ops_html(change.ops, labels),
            )
        )

    def line(a: str, b: str) -> Markup | None:
        return None if a == b else render_ops_html(diff_words(a, b), labels)

    return Comparison(
        line(old.title, new.title), line(old.summary, new.summary), rows, inserted, deleted
    )


def word_diff(old: str, new: str) -> Markup:
    return render_ops_html(diff_words(old, new), diff_labels())


def paragraph_map(old_body: str, new_body: str) -> dict[int, int | None]:
    """Old paragraph number -> its number in the new text (None when it was removed)."""
    if old_body == new_body:
        return {n: n for n in range(1, len(_split(old_body)) + 1)}
    return {
        change.old_number: change.new_number
        for change in diff_paragraphs(list(_split(old_body)), list(_split(new_body)))
        if change.old_number is not None
    }


@dataclass
class Placed:
    """Amendments and comment threads grouped by paragraph of the current version."""

    amendments: dict[int, list[Amendment]] = field(default_factory=lambda: defaultdict(list))
    threads: dict[int | None, list] = field(default_factory=lambda: defaultdict(list))
    unplaced_amendments: list[Amendment] = field(default_factory=list)


def current_number(
    version_id: int, number: int | None, current_id: int, maps: dict[int, dict]
) -> int | None:
    if number is None:
        return None
    if version_id == current_id:
        return number
    return maps.get(version_id, {}).get(number)


def version_maps(
    current: RecommendationVersion, others: list[RecommendationVersion]
) -> dict[int, dict[int, int | None]]:
    return {v.id: paragraph_map(v.body, current.body) for v in others if v.id != current.id}


@dataclass
class Thread:
    comment: DeliberationComment
    replies: list[Thread]
    paragraph_now: int | None = None


def threads(comments: list[DeliberationComment]) -> list[Thread]:
    """Build reply trees (comments ordered by creation); top-level threads in order."""
    nodes = {c.id: Thread(c, []) for c in comments}
    roots = []
    for comment in comments:
        node = nodes[comment.id]
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.replies.append(node)
    return roots


# Within the same instant: the move before the version it carries, then the rest.
_EVENT_ORDER = {"state": 0, "version": 1, "sponsor": 2, "amendment": 3, "decision": 4, "comment": 5}


@dataclass
class Event:
    """One step on a recommendation's timeline."""

    at: datetime
    kind: str  # state, version, sponsor, amendment, decision, comment
    subject: object
    actor: object = None


def timeline(
    changes: list[StateChange],
    versions: list[RecommendationVersion],
    sponsors: list[Sponsorship],
    amendments: list[Amendment] = (),
    comments: list[DeliberationComment] = (),
) -> list[Event]:
    """Every step, oldest first: moves, new versions (v1 is the creation), co-sponsors, and,
    for those who read the deliberation, amendments proposed and decided and comments.

    An accepted amendment is told by the version that contains it, not twice.
    """
    events = [Event(c.created_at, "state", c, c.actor) for c in changes]
    events += [Event(v.created_at, "version", v, v.author) for v in versions if v.number > 1]
    events += [Event(s.added_at, "sponsor", s) for s in sponsors]
    for amendment in amendments:
        events.append(Event(amendment.created_at, "amendment", amendment, amendment.author))
        if amendment.decided_at and amendment.state != "accepted":
            events.append(Event(amendment.decided_at, "decision", amendment, amendment.decided_by))
    events += [Event(c.created_at, "comment", c, c.author) for c in comments]
    events.sort(key=lambda e: (e.at, _EVENT_ORDER[e.kind]))
    return events
