"""Markdown handling for recommendation texts: splitting into articles, rendering, hashing.

A recommendation is stored as one Markdown document whose top-level paragraphs are its
numbered articles. Everything here is pure Python (no Flask) so it can be used from
models, CLI commands and tests alike.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from markupsafe import Markup

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "ALLOWED_URL_SCHEMES",
    "content_hash",
    "join_paragraphs",
    "normalise",
    "plain_text",
    "render_markdown",
    "render_paragraphs",
    "split_paragraphs",
]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
        "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "ol": frozenset({"start"}),
    # markdown-it expresses table column alignment as style="text-align:…";
    # nh3 filters the style down to that single property below.
    "th": frozenset({"style"}),
    "td": frozenset({"style"}),
}
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"


def _render_image_as_link(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    """Render ``![alt](src)`` as a link: hot-linked images would leak readers' IPs to third
    parties and <img> is not in the allow-list, which would otherwise drop the alt text."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    src = str(token.attrGet("src") or "")
    return f'<a href="{escapeHtml(src)}">{escapeHtml(alt or src)}</a>'


def _build_parser() -> MarkdownIt:
    # html=False: raw HTML in the source is escaped as text, never passed through.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.add_render_rule("image", _render_image_as_link)
    return md


_MD = _build_parser()

_TRAILING_HARD_BREAK = "  "
_COLLAPSIBLE_SPACE = re.compile(r"\s+")
_NO_BREAK_SPACES = frozenset("\u00a0\u202f")


# --------------------------------------------------------------------------------------
# Normalisation and splitting
# --------------------------------------------------------------------------------------


def _normalise_source(markdown: str) -> str:
    """NFC, LF line endings, no trailing whitespace; two-space hard breaks become ``\\``."""
    # NFC so that the same text typed on different keyboards (é precomposed or e + U+0301)
    # is stored, hashed and diffed identically.
    text = unicodedata.normalize("NFC", markdown)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = text.split("\n")
    lines = [line.rstrip() for line in raw_lines]
    if not any(line.endswith(_TRAILING_HARD_BREAK) for line in raw_lines):
        return "\n".join(lines)  # no hard break to keep: no need to parse
    # Stripping trailing spaces would silently delete "two spaces" hard line breaks, so
    # rewrite those as the equivalent (and visible) backslash break. Only lines that are
    # inside a paragraph and not its last line can carry a hard break.
    for token in _MD.parse("\n".join(lines)):
        if token.type != "paragraph_open" or token.map is None:
            continue
        start, end = token.map
        for i in range(start, end - 1):
            if raw_lines[i].endswith(_TRAILING_HARD_BREAK) and not lines[i].endswith("\\"):
                lines[i] += "\\"
    return "\n".join(lines)


@dataclass(slots=True)
class _Unit:
    """A run of source lines that must not be split: one top-level block, or a run of
    lines the parser emits no token for (link reference definitions)."""

    start: int
    end: int  # exclusive
    heading: bool = False
    has_content: bool = True


def _units(lines: list[str], tokens: list[Token]) -> list[_Unit]:
    """Top-level blocks of the document (parsed into `tokens`) as line ranges, in order."""
    units: list[_Unit] = []
    covered = [False] * len(lines)
    for token in tokens:
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        # Lists (and a few other containers) report trailing blank lines in their map.
        while end > start and not lines[end - 1]:
            end -= 1
        units.append(_Unit(start, end, heading=token.type == "heading_open"))
        for i in range(start, end):
            covered[i] = True
    # Reference definitions produce no token; keep them (links elsewhere depend on them).
    i = 0
    while i < len(lines):
        if lines[i] and not covered[i]:
            start = i
            while i < len(lines) and lines[i] and not covered[i]:
                i += 1
            units.append(_Unit(start, i, has_content=False))
        else:
            i += 1
    units.sort(key=lambda unit: unit.start)
    return units


@dataclass(slots=True)
class _Analysis:
    """A document parsed once: its lines, tokens (and references), and its articles."""

    lines: list[str]
    tokens: list[Token]
    env: dict[str, Any]
    groups: list[list[_Unit]]
    paragraphs: list[str]


@lru_cache(maxsize=32)
def _analyse(markdown: str) -> _Analysis:
    """Parsed once for both the split and the rendering of the same text (a page does both).
    Callers must not change the result (the h1 -> h2 demotion of rendering is idempotent)."""
    lines = _normalise_source(markdown).split("\n")
    env: dict[str, Any] = {}
    tokens = _MD.parse("\n".join(lines), env)
    groups = _articles(_units(lines, tokens))
    paragraphs = []
    for group in groups:
        text = "\n".join(lines[group[0].start : group[0].end])
        for before, unit in pairwise(group):
            separator = "\n" if unit.start == before.end else "\n\n"
            text += separator + "\n".join(lines[unit.start : unit.end])
        paragraphs.append(text)
    return _Analysis(lines, tokens, env, groups, paragraphs)


def split_paragraphs(markdown: str) -> list[str]:
    """Split a Markdown document into its articles (top-level paragraphs).

    Articles are separated by blank lines; a list or fenced code block stays whole even if
    it contains blank lines, a heading is always an article of its own, and blocks that
    touch without a blank line (e.g. "intro:" directly followed by a list) stay together.
    """
    return list(_analyse(markdown).paragraphs)  # a copy: the analysis is shared


def _articles(units: list[_Unit]) -> list[list[_Unit]]:
    """The units grouped into articles."""
    groups: list[list[_Unit]] = []
    previous: _Unit | None = None
    for unit in units:
        starts_new = (
            previous is None
            or unit.start > previous.end  # a blank line separates them
            or unit.heading
            or previous.heading
        )
        if starts_new:
            groups.append([unit])
        else:
            groups[-1].append(unit)
        previous = unit

    # A group made only of reference definitions would render as an empty article, so
    # attach it to the previous article (or the next one when it comes first).
    merged: list[list[_Unit]] = []
    pending: list[_Unit] = []
    for group in groups:
        if not any(unit.has_content for unit in group):
            if merged:
                merged[-1].extend(group)
            else:
                pending.extend(group)
            continue
        merged.append(pending + group)
        pending = []
    if pending:
        merged.append(pending)
    return merged


_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


def join_paragraphs(paragraphs: Sequence[str]) -> str:
    """Join articles back into one document, separated by one blank line.

    Leading spaces of the first line are kept (they make an indented code block);
    surrounding blank lines and trailing whitespace are dropped, as are empty articles.
    """
    cleaned = (_LEADING_BLANK_LINES.sub("", p).rstrip() for p in paragraphs)
    return "\n\n".join(p for p in cleaned if p)


def normalise(markdown: str) -> str:
    """Canonical stored form of a document: ``join_paragraphs(split_paragraphs(markdown))``."""
    return join_paragraphs(split_paragraphs(markdown))


def content_hash(text: str) -> str:
    """SHA-256 hex digest of the UTF-8 encoding of the normalised text."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------


def _sanitise(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


def _render(source: str, env: dict[str, Any] | None = None) -> Markup:
    env = {} if env is None else env
    return _render_tokens(_MD.parse(source, env), env)


def _render_tokens(tokens: Sequence[Token], env: dict[str, Any]) -> Markup:
    # Articles sit under the page's own <h1>/<h2>: demote h1 so a recommendation can never
    # produce a second top-level heading on the page.
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
    raw_html = _MD.renderer.render(tokens, _MD.options, env)
    return Markup(_sanitise(raw_html))  # noqa: S704 - nh3 output, allow-listed tags only


def render_markdown(source: str) -> Markup:
    """Render Markdown to sanitised HTML (raw HTML escaped, only safe tags/URLs kept)."""
    return _render(source)


def render_paragraphs(markdown: str) -> list[Markup]:
    """Render each article of ``markdown`` separately, in order.

    Reference-style links resolve against definitions anywhere in the document.
    """
    analysis = _analyse(markdown)
    document = join_paragraphs(analysis.paragraphs)
    if document == markdown and "\n".join(analysis.lines) == markdown:
        # A stored text is in its normal form: render the articles from the one parse.
        return _render_articles(analysis)
    # Typed text (a preview): each article parsed on its own, references from the whole.
    document_env: dict[str, Any] = {}
    _MD.parse(document, document_env)
    references = document_env.get("references", {})
    return [_render(p, {"references": dict(references)}) for p in analysis.paragraphs]


def _render_articles(analysis: _Analysis) -> list[Markup]:
    """Each article's top-level tokens rendered apart: what parsing each article alone
    (with the document's references) gives, without parsing it again."""
    article_of_line: dict[int, int] = {}
    for number, group in enumerate(analysis.groups):
        for unit in group:
            for line in range(unit.start, unit.end):
                article_of_line[line] = number
    slices: list[list[Token]] = [[] for _ in analysis.groups]
    current = 0
    for token in analysis.tokens:
        if token.level == 0 and token.nesting != -1 and token.map is not None:
            current = article_of_line[token.map[0]]
        slices[current].append(token)
    return [_render_tokens(tokens, analysis.env) for tokens in slices]


def _collapse_space(match: re.Match[str]) -> str:
    run = match.group(0)
    # Keep French typographic no-break spaces (before ; : ! ? and inside « »), so an
    # excerpt never wraps between a word and its punctuation.
    return run if set(run) <= _NO_BREAK_SPACES else " "


def plain_text(markdown: str) -> str:
    """Text content without markup, whitespace collapsed: for search indexing and excerpts."""
    text = html.unescape(nh3.clean(str(render_markdown(markdown)), tags=set()))
    return _COLLAPSIBLE_SPACE.sub(_collapse_space, text).strip()
