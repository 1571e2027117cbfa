"""The timeline on a recommendation's page: every step, oldest first; deliberation for members."""

from __future__ import annotations

import re
from html import unescape

from consult.extensions import db
from consult.recommendations import lifecycle, services

from .. import factories
from ..conftest import login_as
from .helpers import BODY, make_recommendation, new_version


def _timeline_in_english(client, url: str) -> list[str]:
    with client.session_transaction() as session:
        session["lang"] = "en"
    html = client.get(url).get_data(as_text=True)
    section = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r"<li[^>]*>(.*?)</li>", section, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


def _journey(secretariat):
    rapporteur = factories.MemberFactory(college="state", display_name="Awa Diarra")
    sponsor = factories.MemberFactory(college="private_sector", display_name="Ibrahim Touré")
    member = factories.MemberFactory(college="civil_society", display_name="Mariam Sangaré")
    rec = make_recommendation(rapporteur, secretariat=secretariat, sponsors=[sponsor])
    new_version(rec, rapporteur, BODY + "\n\nUn quatrième paragraphe.", "Ajout d'un paragraphe")
    lifecycle.transition(rapporteur, rec, "deliberation")
    amendment = services.propose_amendment(
        member,
        rec,
        base_version=rec.current_version,
        paragraph=3,
        kind="replace",
        text="Sa tenue est confiée à l'autorité de régulation.",
        justification="Plus court.",
    )
    rejected = services.propose_amendment(
        member,
        rec,
        base_version=rec.current_version,
        paragraph=1,
        kind="delete",
        text="",
        justification="Inutile.",
    )
    services.add_comment(member, rec, body="D'accord.", stance="for", paragraph=2)
    services.accept_amendment(rapporteur, amendment)
    services.reject_amendment(rapporteur, rejected, "Le premier paragraphe est essentiel.")
    lifecycle.transition(secretariat, rec, "consultation")
    db.session.commit()
    return rec, rapporteur, amendment, rejected


def test_members_see_every_step_in_order(client, secretariat):
    rec, rapporteur, amendment, rejected = _journey(secretariat)
    login_as(client, rapporteur)
    steps = _timeline_in_english(client, f"/recommendations/{rec.reference}")
    expected = [
        "Created as a draft (Awa Diarra) · v1",
        "New co-sponsor: Ibrahim Touré (Private sector)",
        "Version v2: Ajout d'un paragraphe · changes from v1 to v2 (Awa Diarra)",
        "Draft → Deliberation (Awa Diarra) · v2",
        f"Amendment no. {amendment.id} proposed on § 3 of v2 (Mariam Sangaré)",
        f"Amendment no. {rejected.id} proposed on § 1 of v2 (Mariam Sangaré)",
        "Comment posted on § 2 of v2 (Mariam Sangaré)",
        f"Version v3: amendment no. {amendment.id} accepted · changes from v2 to v3 (Awa Diarra)",
        f"Amendment no. {rejected.id}: Rejected (Awa Diarra)",
        "Deliberation → Public consultation",
    ]
    assert len(steps) == len(expected), steps
    for step, text in zip(steps, expected, strict=True):
        assert text in step, (text, step)


def test_the_public_sees_moves_versions_and_sponsors_not_the_deliberation(client, secretariat):
    rec, *_ = _journey(secretariat)
    steps = _timeline_in_english(client, f"/recommendations/{rec.reference}")
    assert len(steps) == 6, steps
    assert not any("Amendment no." in s or "Comment" in s for s in steps)
    assert "amendment no." in steps[4] and "v3" in steps[4]
