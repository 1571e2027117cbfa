"""The catalogues are complete and up to date with the code and templates.

Fails when a message of the code or templates is missing from the French or English catalogue
(the catalogues are older than the strings), or is there but untranslated or fuzzy, or when a
translation loses or invents a placeholder.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "en")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def code_messages(tmp_path_factory) -> set:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def _catalog(lang: str):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_code_is_translated(lang, code_messages):
    catalog = _catalog(lang)
    translated = {
        m.id
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(map(str, code_messages - translated))
    assert not missing, (
        f"{len(missing)} messages untranslated, fuzzy or missing in {lang} "
        f"(run `flask translate update`, translate, then `flask translate compile`): {missing[:10]}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_their_placeholders(lang):
    wrong = []
    for message in _catalog(lang):
        if not message.id or not message.string:
            continue
        if isinstance(message.id, tuple):
            expected = set(PLACEHOLDER.findall(message.id[1]))
            forms = message.string
            # The singular form may say "one" instead of %(num)s.
            ok = set(PLACEHOLDER.findall(forms[-1])) == expected and all(
                set(PLACEHOLDER.findall(form)) <= expected for form in forms
            )
        else:
            ok = set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string))
        if not ok:
            wrong.append(message.id)
    assert not wrong, f"placeholders differ in {lang}: {wrong[:10]}"


def test_french_is_the_default_and_reads_french(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="fr"' in page
    assert "Se connecter" in page or "Connexion" in page
