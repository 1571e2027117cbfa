"""Tests for consult.recommendations.diff (word red-line and article alignment)."""

from __future__ import annotations

from itertools import pairwise
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from consult.recommendations import diff as diff_module
from consult.recommendations.diff import (
    DEFAULT_LABELS,
    Op,
    ParagraphDiff,
    diff_paragraphs,
    diff_stats,
    diff_words,
    render_ops_html,
    tokenize,
)

PROPERTY = settings(database=None, deadline=None, max_examples=200)


def old_of(ops: list[Op] | tuple[Op, ...]) -> str:
    return "".join(op.text for op in ops if op.kind in ("equal", "delete"))


def new_of(ops: list[Op] | tuple[Op, ...]) -> str:
    return "".join(op.text for op in ops if op.kind in ("equal", "insert"))


def kinds(ops: list[Op] | tuple[Op, ...]) -> list[tuple[str, str]]:
    return [(op.kind, op.text) for op in ops]


# --------------------------------------------------------------------------------------
# tokenize
# --------------------------------------------------------------------------------------


def test_tokenize_separates_words_spaces_and_punctuation() -> None:
    assert tokenize("Le conseil, en 2024 : oui.") == [
        "Le", " ", "conseil", ",", " ", "en", " ", "2024", " ", ":", " ", "oui", ".",
    ]  # fmt: skip


def test_tokenize_french_apostrophes_and_accents() -> None:
    assert tokenize("l'État a élaboré") == ["l", "'", "État", " ", "a", " ", "élaboré"]
    assert tokenize("d’accès") == ["d", "’", "accès"]


def test_tokenize_guillemets_and_no_break_spaces() -> None:
    text = "«\u00a0vite\u00a0» ; quoi\u202f?"
    assert tokenize(text) == [
        "«",
        "\u00a0",
        "vite",
        "\u00a0",
        "»",
        " ",
        ";",
        " ",
        "quoi",
        "\u202f",
        "?",
    ]
    assert "".join(tokenize(text)) == text


def test_tokenize_keeps_combining_tone_marks_inside_words() -> None:
    # Bambara: ɛ/ɔ with tone marks have no precomposed form.
    assert tokenize("bɛ\u0301 ka\u0300") == ["bɛ\u0301", " ", "ka\u0300"]


# --------------------------------------------------------------------------------------
# diff_words
# --------------------------------------------------------------------------------------


def test_identical_texts_are_all_equal() -> None:
    text = "Le conseil recommande l'ouverture des données."
    assert diff_words(text, text) == [Op("equal", text)]


def test_both_empty() -> None:
    assert diff_words("", "") == []


def test_empty_old_text_is_one_insertion() -> None:
    assert diff_words("", "Nouveau texte.") == [Op("insert", "Nouveau texte.")]


def test_empty_new_text_is_one_deletion() -> None:
    assert diff_words("Ancien texte.", "") == [Op("delete", "Ancien texte.")]


def test_inserted_words() -> None:
    ops = diff_words("Le conseil recommande.", "Le conseil national recommande.")
    assert kinds(ops) == [
        ("equal", "Le conseil "),
        ("insert", "national "),
        ("equal", "recommande."),
    ]


def test_deleted_words() -> None:
    ops = diff_words("Le conseil national recommande.", "Le conseil recommande.")
    assert kinds(ops) == [
        ("equal", "Le conseil "),
        ("delete", "national "),
        ("equal", "recommande."),
    ]


def test_moved_words_show_as_deletion_and_insertion() -> None:
    old, new = "publier vite les données", "les données publier vite"
    ops = diff_words(old, new)
    assert old_of(ops) == old and new_of(ops) == new
    assert {op.kind for op in ops} == {"equal", "insert", "delete"}
    assert diff_stats(ops) == {"words_inserted": 2, "words_deleted": 2}


def test_accent_change_is_a_changed_word() -> None:
    ops = diff_words("Le texte élaboré par le conseil", "Le texte élaborée par le conseil")
    assert kinds(ops) == [
        ("equal", "Le texte "),
        ("delete", "élaboré"),
        ("insert", "élaborée"),
        ("equal", " par le conseil"),
    ]


def test_apostrophe_change_only_touches_the_apostrophe() -> None:
    ops = diff_words("l'État décide", "l’État décide")
    assert kinds(ops) == [
        ("equal", "l"),
        ("delete", "'"),
        ("insert", "’"),
        ("equal", "État décide"),
    ]


def test_no_break_space_typography_fix() -> None:
    ops = diff_words("« Pourquoi ? »", "«\u00a0Pourquoi\u00a0?\u00a0»")
    assert old_of(ops) == "« Pourquoi ? »"
    assert new_of(ops) == "«\u00a0Pourquoi\u00a0?\u00a0»"
    # Only spacing changed: every word and punctuation mark is kept as equal.
    assert all(op.text.isspace() for op in ops if op.kind != "equal")
    assert diff_stats(ops) == {"words_inserted": 0, "words_deleted": 0}


def test_rewritten_phrase_reads_as_one_replacement() -> None:
    ops = diff_words(
        "Le conseil doit publier vite ce texte.", "Le conseil doit examiner sans délai ce texte."
    )
    assert kinds(ops) == [
        ("equal", "Le conseil doit "),
        ("delete", "publier vite"),
        ("insert", "examiner sans délai"),
        ("equal", " ce texte."),
    ]


def test_pure_insertions_are_not_turned_into_replacements() -> None:
    ops = diff_words("a b", "a x b y")
    assert all(op.kind != "delete" for op in ops)
    assert new_of(ops) == "a x b y"


def test_newlines_are_not_folded_into_changes() -> None:
    ops = diff_words("- un\n- deux", "- one\n- two")
    assert ("equal", "\n- ") in kinds(ops)


def test_huge_rewrite_falls_back_to_one_replacement(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diff_module, "MAX_WORD_DIFF_CELLS", 10)
    ops = diff_words("Début un deux trois quatre fin", "Début cinq deux six quatre fin")
    assert kinds(ops) == [
        ("equal", "Début "),
        ("delete", "un deux trois"),
        ("insert", "cinq deux six"),
        ("equal", " quatre fin"),
    ]


def test_huge_multiline_text_is_aligned_by_lines_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diff_module, "MAX_WORD_DIFF_CELLS", 40)
    old = "- un a\n- deux b\n- trois c\n- quatre d\n- cinq e"
    new = "- un A\n- deux b\n- trois c\n- quatre d\n- cinq E"
    ops = diff_words(old, new)
    assert old_of(ops) == old and new_of(ops) == new
    assert diff_stats(ops) == {"words_inserted": 2, "words_deleted": 2}


def test_adjacent_ops_never_share_a_kind() -> None:
    ops = diff_words("un deux trois quatre", "un 2 trois 4 cinq")
    assert all(a.kind != b.kind for a, b in pairwise(ops))
    assert all(op.text for op in ops)


# --------------------------------------------------------------------------------------
# diff_paragraphs
# --------------------------------------------------------------------------------------

OLD = ["# Titre", "Article un.", "Article deux sur les données.", "Article trois."]


def statuses(diffs: list[ParagraphDiff]) -> list[tuple[str, int | None, int | None]]:
    return [(d.status, d.old_number, d.new_number) for d in diffs]


def test_identical_paragraphs_are_unchanged() -> None:
    diffs = diff_paragraphs(OLD, list(OLD))
    assert statuses(diffs) == [("unchanged", i, i) for i in range(1, 5)]
    assert all(d.ops == (Op("equal", p),) for d, p in zip(diffs, OLD, strict=True))


def test_paragraph_added_in_the_middle() -> None:
    new = [OLD[0], OLD[1], "Nouvel article.", OLD[2], OLD[3]]
    diffs = diff_paragraphs(OLD, new)
    assert statuses(diffs) == [
        ("unchanged", 1, 1),
        ("unchanged", 2, 2),
        ("added", None, 3),
        ("unchanged", 3, 4),
        ("unchanged", 4, 5),
    ]
    assert diffs[2].ops == (Op("insert", "Nouvel article."),)


def test_paragraph_removed() -> None:
    diffs = diff_paragraphs(OLD, [OLD[0], OLD[2], OLD[3]])
    assert statuses(diffs) == [
        ("unchanged", 1, 1),
        ("removed", 2, None),
        ("unchanged", 3, 2),
        ("unchanged", 4, 3),
    ]
    assert diffs[1].ops == (Op("delete", "Article un."),)


def test_paragraph_changed() -> None:
    new = [OLD[0], OLD[1], "Article deux sur les données ouvertes.", OLD[3]]
    diffs = diff_paragraphs(OLD, new)
    assert statuses(diffs)[2] == ("changed", 3, 3)
    assert diffs[2].old_text == OLD[2]
    assert diffs[2].new_text == new[2]
    assert Op("insert", " ouvertes") in diffs[2].ops


def test_added_paragraph_before_an_edited_one_pairs_by_similarity() -> None:
    # Positional pairing would compare the new article with "Article deux…".
    new = [
        OLD[0],
        OLD[1],
        "Un tout nouvel article.",
        "Article deux sur les données publiques.",
        OLD[3],
    ]
    diffs = diff_paragraphs(OLD, new)
    assert statuses(diffs) == [
        ("unchanged", 1, 1),
        ("unchanged", 2, 2),
        ("added", None, 3),
        ("changed", 3, 4),
        ("unchanged", 4, 5),
    ]


def test_unrelated_rewrite_is_removed_then_added() -> None:
    diffs = diff_paragraphs(["Alpha beta gamma."], ["Delta epsilon zeta."])
    assert statuses(diffs) == [("removed", 1, None), ("added", None, 1)]


def test_large_replace_block_falls_back_to_positional_pairing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(diff_module, "MAX_PAIRING_CELLS", 0)
    diffs = diff_paragraphs(["a", "b"], ["x", "y", "z"])
    assert statuses(diffs) == [
        ("changed", 1, 1),
        ("changed", 2, 2),
        ("added", None, 3),
    ]


def test_from_empty_document() -> None:
    diffs = diff_paragraphs([], ["Un.", "Deux."])
    assert statuses(diffs) == [("added", None, 1), ("added", None, 2)]
    assert diff_paragraphs([], []) == []


def test_to_empty_document() -> None:
    assert statuses(diff_paragraphs(["Un."], [])) == [("removed", 1, None)]


# --------------------------------------------------------------------------------------
# render_ops_html
# --------------------------------------------------------------------------------------


def test_render_ops_html_marks_and_labels() -> None:
    html = render_ops_html([Op("equal", "a "), Op("delete", "b"), Op("insert", "c")])
    assert isinstance(html, Markup)
    assert html == (
        "a "
        '<del><span class="visually-hidden">[Deletion start] </span>b'
        '<span class="visually-hidden"> [Deletion end]</span></del>'
        '<ins><span class="visually-hidden">[Insertion start] </span>c'
        '<span class="visually-hidden"> [Insertion end]</span></ins>'
    )


def test_render_ops_html_escapes_text() -> None:
    ops = diff_words("x", "<script>alert('x')</script> & co")
    html = render_ops_html(ops)
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "&amp; co" in html


def test_render_ops_html_translated_labels() -> None:
    labels = {
        "insert_start": "Début de l'insertion",
        "insert_end": "Fin de l'insertion",
        "delete_start": "Début de la suppression",
        "delete_end": "Fin de la suppression",
    }
    html = render_ops_html([Op("insert", "x"), Op("delete", "y")], labels)
    assert "[Début de l&#39;insertion] " in html
    assert " [Fin de la suppression]" in html
    assert "Insertion" not in html


def test_render_ops_html_partial_labels_fall_back_to_english() -> None:
    html = render_ops_html([Op("delete", "y")], {"delete_start": "Suppression"})
    assert "[Suppression] " in html and f" [{DEFAULT_LABELS['delete_end']}]" in html


def test_render_ops_html_escapes_labels_even_if_they_claim_to_be_html() -> None:
    class LazyLike:
        """Mimics a lazy translation string that says it is safe HTML."""

        def __str__(self) -> str:
            return "<b>start</b>"

        def __html__(self) -> str:
            return str(self)

    html = render_ops_html([Op("insert", "x")], {"insert_start": LazyLike()})  # type: ignore[dict-item]
    assert "<b>" not in html
    assert "&lt;b&gt;start&lt;/b&gt;" in html


def test_render_ops_html_of_nothing() -> None:
    assert render_ops_html([]) == Markup("")


# --------------------------------------------------------------------------------------
# diff_stats
# --------------------------------------------------------------------------------------


def test_diff_stats_counts_words() -> None:
    ops = diff_words("Le conseil a élaboré l'avis.", "Le conseil national a élaboré un avis, vite.")
    # "l" is deleted; "national", "un" and "vite" are inserted; "avis" is kept.
    assert diff_stats(ops) == {"words_inserted": 3, "words_deleted": 1}
    assert diff_stats([]) == {"words_inserted": 0, "words_deleted": 0}


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

VOCABULARY = [
    "le", "la", "conseil", "élaboré", "élaborée", "l", "État", "Mali", "données", "ɲɔgɔn",
    "bɛ\u0301", "2024", "'", "’", "«", "»", ",", ";", ":", "?", "!", ".", "<", "&",
    " ", " ", " ", "\u00a0", "\u202f", "\n", "\t",
]  # fmt: skip
texts = st.lists(st.sampled_from(VOCABULARY), max_size=40).map("".join)
any_texts = st.one_of(texts, st.text(max_size=40))


@PROPERTY
@given(any_texts, any_texts)
def test_diff_words_rebuilds_both_texts(old: str, new: str) -> None:
    ops = diff_words(old, new)
    assert old_of(ops) == old
    assert new_of(ops) == new
    assert all(op.text for op in ops)
    assert all(a.kind != b.kind for a, b in pairwise(ops))


@PROPERTY
@given(any_texts, any_texts, st.integers(0, 64))
def test_diff_words_fallbacks_rebuild_both_texts(old: str, new: str, budget: int) -> None:
    # A tiny budget exercises the line-level and whole-replacement fallbacks.
    with patch.object(diff_module, "MAX_WORD_DIFF_CELLS", budget):
        ops = diff_words(old, new)
    assert old_of(ops) == old
    assert new_of(ops) == new
    assert all(a.kind != b.kind for a, b in pairwise(ops))


@PROPERTY
@given(any_texts)
def test_diff_words_of_identical_texts(text: str) -> None:
    assert diff_words(text, text) == ([Op("equal", text)] if text else [])


@PROPERTY
@given(texts, texts)
def test_diff_stats_are_bounded(old: str, new: str) -> None:
    stats = diff_stats(diff_words(old, new))
    assert stats["words_deleted"] <= diff_stats([Op("delete", old)])["words_deleted"]
    assert stats["words_inserted"] <= diff_stats([Op("insert", new)])["words_inserted"]


@PROPERTY
@given(any_texts, any_texts)
def test_rendered_html_has_no_raw_markup_from_text(old: str, new: str) -> None:
    html = render_ops_html(diff_words(old, new))
    stripped = (
        str(html)
        .replace("<ins>", "")
        .replace("</ins>", "")
        .replace("<del>", "")
        .replace("</del>", "")
        .replace('<span class="visually-hidden">', "")
        .replace("</span>", "")
    )
    assert "<" not in stripped


paragraph_lists = st.lists(
    st.one_of(st.sampled_from(["Un.", "Deux.", "Trois.", "Quatre."]), texts), max_size=8
)


@PROPERTY
@given(paragraph_lists, paragraph_lists)
def test_diff_paragraphs_accounts_for_every_paragraph(old: list[str], new: list[str]) -> None:
    diffs = diff_paragraphs(old, new)
    assert [d.old_number for d in diffs if d.old_number is not None] == list(range(1, len(old) + 1))
    assert [d.new_number for d in diffs if d.new_number is not None] == list(range(1, len(new) + 1))
    for d in diffs:
        if d.old_number is not None:
            assert d.old_text == old[d.old_number - 1]
        if d.new_number is not None:
            assert d.new_text == new[d.new_number - 1]
        expected = {
            "unchanged": (True, True),
            "changed": (True, True),
            "added": (False, True),
            "removed": (True, False),
        }[d.status]
        assert (d.old_number is not None, d.new_number is not None) == expected
        if d.status == "unchanged":
            assert d.old_text == d.new_text
