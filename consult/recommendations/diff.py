"""Word-level red-line comparison between two versions of a recommendation.

Pure Python (no Flask). Articles are aligned with :func:`diff_paragraphs`, each changed
article is compared word by word (:func:`diff_words`) and shown with :func:`render_ops_html`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal, TypedDict

from markupsafe import Markup, escape

__all__ = [
    "DEFAULT_LABELS",
    "DiffStats",
    "Op",
    "OpKind",
    "ParagraphDiff",
    "ParagraphStatus",
    "diff_paragraphs",
    "diff_stats",
    "diff_words",
    "render_ops_html",
    "tokenize",
]

OpKind = Literal["equal", "insert", "delete"]
ParagraphStatus = Literal["unchanged", "changed", "added", "removed"]

# Combining diacritics are not \w in Python's re, but Bambara tone marks (ɛ̀, ɔ́…) have no
# precomposed form, so they must stay inside their word rather than split it.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = rf"(?:\w|[{_MARKS}])+"
_TOKEN_RE = re.compile(rf"{_WORD}|\s+|[^\w\s]", re.UNICODE)
_WORD_RE = re.compile(_WORD, re.UNICODE)
_INLINE_SPACE_RE = re.compile(r"[^\S\n]+")

# Token-pair budget for one word diff (about 1,000 changed words on each side). Beyond it,
# lines are aligned first; a region still over budget is shown as one deletion + insertion.
MAX_WORD_DIFF_CELLS = 4_000_000
# Paragraph pairing inside a "replace" block: below this word-overlap score two paragraphs
# are considered unrelated (shown as removed + added rather than as one rewritten article).
MIN_PAIRING_SIMILARITY = 0.5
# Beyond this many candidate pairs, fall back to positional pairing to bound the cost.
MAX_PAIRING_CELLS = 10_000

DEFAULT_LABELS: Mapping[str, str] = {
    "insert_start": "Insertion start",
    "insert_end": "Insertion end",
    "delete_start": "Deletion start",
    "delete_end": "Deletion end",
}

_MARK_TEMPLATES: Mapping[str, Markup] = {
    "insert": Markup(
        '<ins><span class="visually-hidden">[{start}] </span>{text}'
        '<span class="visually-hidden"> [{end}]</span></ins>'
    ),
    "delete": Markup(
        '<del><span class="visually-hidden">[{start}] </span>{text}'
        '<span class="visually-hidden"> [{end}]</span></del>'
    ),
}


@dataclass(frozen=True, slots=True)
class Op:
    """One run of the comparison: text kept, inserted or deleted."""

    kind: OpKind
    text: str


@dataclass(frozen=True, slots=True)
class ParagraphDiff:
    """Comparison of one article; numbers are 1-based, ``None`` when absent on that side."""

    status: ParagraphStatus
    old_number: int | None
    new_number: int | None
    ops: tuple[Op, ...]

    @property
    def old_text(self) -> str:
        return "".join(op.text for op in self.ops if op.kind != "insert")

    @property
    def new_text(self) -> str:
        return "".join(op.text for op in self.ops if op.kind != "delete")


class DiffStats(TypedDict):
    words_inserted: int
    words_deleted: int


def tokenize(text: str) -> list[str]:
    """Split into words, whitespace runs and single punctuation marks (lossless)."""
    return _TOKEN_RE.findall(text)


@dataclass(slots=True)
class _Change:
    deleted: str
    inserted: str


def _absorbable(text: str) -> bool:
    # Only same-line spacing: a newline is structure (list items, lines) worth keeping visible.
    return _INLINE_SPACE_RE.fullmatch(text) is not None


def _cleanup(raw: Iterable[tuple[OpKind, str]]) -> list[_Change | str]:
    """Group changes and fold lone spaces between two edits into the edit.

    Token diffs of a rewritten phrase otherwise alternate ~~a~~ x ~~b~~ y, which is hard
    to read; "~~a b~~ x y" is what a human red-line shows. Folding only happens when the
    merged change has both deletions and insertions, so pure insertions stay pure.
    """
    segments: list[_Change | str] = []
    for kind, text in raw:
        if kind == "equal":
            if segments and isinstance(segments[-1], str):
                segments[-1] += text
            else:
                segments.append(text)
            continue
        change = segments[-1] if segments else None
        if not isinstance(change, _Change):
            change = _Change("", "")
            segments.append(change)
        if kind == "delete":
            change.deleted += text
        else:
            change.inserted += text
        # Fold [change, spaces, change] into one change while that reads better.
        while len(segments) >= 3:
            left, space, right = segments[-3:]
            if not (
                isinstance(left, _Change)
                and isinstance(right, _Change)
                and isinstance(space, str)
                and _absorbable(space)
                and (left.deleted or right.deleted)
                and (left.inserted or right.inserted)
            ):
                break
            segments[-3:] = [
                _Change(
                    left.deleted + space + right.deleted, left.inserted + space + right.inserted
                )
            ]
    return segments


def _lines(tokens: list[str]) -> list[tuple[str, ...]]:
    """Group tokens into lines (a line ends with the whitespace token holding its newline)."""
    lines: list[tuple[str, ...]] = []
    start = 0
    for i, token in enumerate(tokens):
        if "\n" in token:
            lines.append(tuple(tokens[start : i + 1]))
            start = i + 1
    if start < len(tokens):
        lines.append(tuple(tokens[start:]))
    return lines


def _token_opcodes(
    a: list[str], b: list[str], *, by_lines: bool = True
) -> list[tuple[OpKind, str]]:
    """Raw equal/delete/insert runs; a "replace" becomes the deletion then the insertion."""
    # Trim the common head and tail first: SequenceMatcher without autojunk is quadratic in
    # frequent tokens (spaces), and a typical revision touches a few places of a long text.
    limit = min(len(a), len(b))
    prefix = 0
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    middle_a, middle_b = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]

    raw: list[tuple[OpKind, str]] = [("equal", "".join(a[:prefix]))]
    if len(middle_a) * len(middle_b) <= MAX_WORD_DIFF_CELLS:
        for tag, i1, i2, j1, j2 in SequenceMatcher(
            None, middle_a, middle_b, autojunk=False
        ).get_opcodes():
            if tag == "equal":
                raw.append(("equal", "".join(middle_a[i1:i2])))
                continue
            raw.append(("delete", "".join(middle_a[i1:i2])))
            raw.append(("insert", "".join(middle_b[j1:j2])))
    elif by_lines and (lines_a := _lines(middle_a)) and len(lines_a) > 1:
        # Too big for a word diff (e.g. a long list): align lines first, then word-diff the
        # changed runs of lines, which are usually small.
        lines_b = _lines(middle_b)
        for tag, i1, i2, j1, j2 in SequenceMatcher(
            None, lines_a, lines_b, autojunk=False
        ).get_opcodes():
            old_run = [token for line in lines_a[i1:i2] for token in line]
            new_run = [token for line in lines_b[j1:j2] for token in line]
            if tag == "equal":
                raw.append(("equal", "".join(old_run)))
            else:
                raw.extend(_token_opcodes(old_run, new_run, by_lines=False))
    else:
        # Huge rewritten region: a coarse but correct red-line beats tying up a worker.
        raw.append(("delete", "".join(middle_a)))
        raw.append(("insert", "".join(middle_b)))
    raw.append(("equal", "".join(a[len(a) - suffix :])))
    return [(kind, text) for kind, text in raw if text]


def diff_words(old: str, new: str) -> list[Op]:
    """Word-by-word comparison; equal+delete texts rebuild ``old``, equal+insert ``new``."""
    ops: list[Op] = []
    for segment in _cleanup(_token_opcodes(tokenize(old), tokenize(new))):
        if isinstance(segment, str):
            ops.append(Op("equal", segment))
            continue
        if segment.deleted:
            ops.append(Op("delete", segment.deleted))
        if segment.inserted:
            ops.append(Op("insert", segment.inserted))
    return ops


def _word_bag(text: str) -> Counter[str]:
    return Counter(word.casefold() for word in _WORD_RE.findall(text))


def _similarity(a: Counter[str], b: Counter[str]) -> float:
    """Dice coefficient on word multisets: cheap, and order-insensitive on purpose."""
    total = a.total() + b.total()
    if not total:
        return 1.0
    return 2 * (a & b).total() / total


def _pair_block(old: Sequence[str], new: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Order-preserving pairing of two runs of differing paragraphs.

    Pairs maximise total similarity (a weighted LCS) so that inserting an article just
    before an edited one pairs the edited one with its old version instead of with the
    new article; unrelated paragraphs stay unpaired (removed / added).
    """
    n, m = len(old), len(new)
    if n * m > MAX_PAIRING_CELLS:
        pairs: list[tuple[int | None, int | None]] = [(i, i) for i in range(min(n, m))]
        pairs += [(i, None) for i in range(m, n)] + [(None, j) for j in range(n, m)]
        return pairs
    old_bags = [_word_bag(p) for p in old]
    new_bags = [_word_bag(p) for p in new]
    sim = [[_similarity(ob, nb) for nb in new_bags] for ob in old_bags]
    # best[i][j]: best score aligning old[i:] with new[j:].
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            score = max(best[i + 1][j], best[i][j + 1])
            if sim[i][j] >= MIN_PAIRING_SIMILARITY:
                score = max(score, sim[i][j] + best[i + 1][j + 1])
            best[i][j] = score
    result: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= MIN_PAIRING_SIMILARITY and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            result.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            result.append((i, None))  # removals first, as a red-line reads
            i += 1
        else:
            result.append((None, j))
            j += 1
    result += [(k, None) for k in range(i, n)] + [(None, k) for k in range(j, m)]
    return result


def diff_paragraphs(
    old_paragraphs: Sequence[str], new_paragraphs: Sequence[str]
) -> list[ParagraphDiff]:
    """Align two versions article by article and word-diff the articles that changed."""
    matcher = SequenceMatcher(None, old_paragraphs, new_paragraphs, autojunk=False)
    result: list[ParagraphDiff] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                text = old_paragraphs[i1 + offset]
                result.append(
                    ParagraphDiff(
                        "unchanged", i1 + offset + 1, j1 + offset + 1, (Op("equal", text),)
                    )
                )
            continue
        old_block, new_block = old_paragraphs[i1:i2], new_paragraphs[j1:j2]
        for oi, nj in _pair_block(old_block, new_block):
            if oi is not None and nj is not None:
                ops = tuple(diff_words(old_block[oi], new_block[nj]))
                result.append(ParagraphDiff("changed", i1 + oi + 1, j1 + nj + 1, ops))
            elif oi is not None:
                ops = (Op("delete", old_block[oi]),) if old_block[oi] else ()
                result.append(ParagraphDiff("removed", i1 + oi + 1, None, ops))
            elif nj is not None:
                ops = (Op("insert", new_block[nj]),) if new_block[nj] else ()
                result.append(ParagraphDiff("added", None, j1 + nj + 1, ops))
    return result


def render_ops_html(ops: Iterable[Op], labels: Mapping[str, str] | None = None) -> Markup:
    """HTML red-line: escaped text, ``<ins>``/``<del>`` with screen-reader boundary labels.

    ``labels`` (keys ``insert_start``, ``insert_end``, ``delete_start``, ``delete_end``)
    lets the caller pass translated strings; missing keys fall back to English.
    """
    merged = {**DEFAULT_LABELS, **(labels or {})}
    # str(): lazy translation strings may define __html__, which would bypass escaping.
    text_labels = {key: str(value) for key, value in merged.items()}
    parts: list[Markup] = []
    for op in ops:
        if not op.text:
            continue
        if op.kind == "equal":
            parts.append(escape(op.text))
            continue
        # Markup.format escapes every argument.
        parts.append(
            _MARK_TEMPLATES[op.kind].format(
                start=text_labels[f"{op.kind}_start"],
                text=op.text,
                end=text_labels[f"{op.kind}_end"],
            )
        )
    return Markup("").join(parts)


def diff_stats(ops: Iterable[Op]) -> DiffStats:
    """Number of words inserted and deleted."""
    stats: DiffStats = {"words_inserted": 0, "words_deleted": 0}
    for op in ops:
        if op.kind == "insert":
            stats["words_inserted"] += len(_WORD_RE.findall(op.text))
        elif op.kind == "delete":
            stats["words_deleted"] += len(_WORD_RE.findall(op.text))
    return stats
