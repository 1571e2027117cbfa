"""A recommendation from a blank page to an accepted amendment, in a real browser.

A member of the State college drafts a recommendation (title, summary, themes, Markdown text),
previews it, saves the draft, adds a co-sponsor from the private sector, edits the text into a
second version with a change note, reads the versions and the red-line from v1 to v2, and opens
it to deliberation. A civil-society member proposes an amendment to a paragraph and comments on
another. The rapporteur accepts the amendment: version 3 contains it, and the timeline shows
every step. axe-core checks every page visited.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from .test_accounts_flow import nav_link, unique_email
from .test_layout import NO_SIDEWAYS_SCROLL

BODY_V1 = """Le Conseil recommande la création d'un **registre national** des prestataires \
de services numériques.

Le registre recense les données d'identification des entreprises, leurs domaines d'activité \
et leurs certifications.

Sa tenue est confiée à l'autorité de régulation, qui publie chaque année :
- le nombre d'entreprises inscrites ;
- la répartition par région."""

BODY_V2 = BODY_V1.replace(
    "leurs domaines d'activité et leurs certifications.",
    "leurs domaines d'activité, leurs certifications et leurs effectifs.",
)
AMENDED_PARAGRAPH_3 = (
    "Sa tenue est confiée à l'autorité de régulation, qui en publie un extrait ouvert, "
    "réutilisable par tous, chaque trimestre."
)
# The rapporteur, the co-sponsor and the member who amends and comments: three colleges.
PEOPLE = (
    ("state", "Awa Diarra", "Ministère de la Communication et de l'Économie numérique"),
    ("private_sector", "Ibrahim Touré", "Organisation patronale des industries du numérique"),
    ("civil_society", "Mariam Sangaré", "Association des consommateurs du Mali"),
)


def check(page, axe_check) -> None:
    """axe finds nothing, and the page does not scroll sideways."""
    page.wait_for_load_state()
    axe_check(page)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{page.url} scrolls sideways"


def new_member_page(browser, live_server, login, person, contexts, viewport=None):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, viewport=viewport)
    context.set_default_timeout(10_000)
    contexts.append(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    login(page, person.email, person.password)
    return page


def test_member_drafts_versions_and_accepts_an_amendment(
    browser, page, live_server, axe_check, login
):
    t = live_server.gettext
    tag = uuid.uuid4().hex[:6]
    title = f"Registre national des prestataires numériques {tag}"
    rapporteur, sponsor, commenter = (
        live_server.create_user(
            "MemberFactory",
            email=unique_email(f"{name.split()[0].lower()}-{tag}"),
            college=college,
            display_name=f"{name} {tag}",
            organisation=organisation,
        )
        for college, name, organisation in PEOPLE
    )

    # --- The rapporteur drafts the text from a blank page, with a server-side preview.
    login(page, rapporteur.email, rapporteur.password)
    check(page, axe_check)
    nav_link(page, live_server, "Recommendations", "fr").click()
    expect(page.locator("h1")).to_have_text(t("Recommendations"))
    check(page, axe_check)
    page.get_by_role("link", name=t("Draft a recommendation")).click()
    expect(page.locator("h1")).to_have_text(t("Draft a recommendation"))
    check(page, axe_check)

    page.locator("#title").fill(title)
    page.locator("#summary").fill(
        "Identifier les prestataires du numérique pour mieux les accompagner et les protéger."
    )
    page.locator("#body").fill(BODY_V1)
    # Saved without a theme: refused, explained, and nothing typed is lost.
    page.get_by_role("button", name=t("Save")).click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text(t("Choose at least one theme."))
    expect(page.locator("#themes-error")).to_have_text(t("Choose at least one theme."))
    expect(page.locator("#body")).to_have_value(BODY_V1)
    check(page, axe_check)
    summary.get_by_role("link", name=t("Themes")).click()
    expect(page).to_have_url(re.compile(r"#themes$"))
    page.get_by_label("Régulation", exact=True).check()
    page.get_by_label("Protection des données et cybersécurité", exact=True).check()
    page.get_by_role("button", name=t("Preview")).click()
    preview = page.locator("section.preview")
    expect(preview.locator("h2")).to_have_text(t("Preview"))
    expect(preview.locator("ol.articles > li")).to_have_count(3)
    expect(preview.locator("strong")).to_have_text("registre national")
    expect(preview.locator("ul li")).to_have_count(2)
    # What was typed stays in the form.
    expect(page.locator("#title")).to_have_value(title)
    expect(page.locator("#body")).to_have_value(BODY_V1)
    expect(page.get_by_label("Régulation", exact=True)).to_be_checked()
    check(page, axe_check)

    page.get_by_role("button", name=t("Save")).click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/recommendations/R-\d{4}-\d{3,}(#themes)?$"))
    reference = page.locator(".rec-meta .ref").inner_text().strip()
    detail_url = f"/recommendations/{reference}"
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".rec-meta .badge")).to_have_text(t("Draft"))
    expect(page.locator("ol.articles > li")).to_have_count(3)
    check(page, axe_check)

    # --- A co-sponsor from another college.
    tabs = page.get_by_role("navigation", name=t("About this recommendation"))
    tabs.get_by_role("link", name=t("Co-sponsors")).click()
    expect(page.locator("h1")).to_have_text(t("Co-sponsors of %(ref)s", ref=reference))
    check(page, axe_check)
    option = page.locator("#user_id option", has_text=sponsor.display_name)
    page.locator("#user_id").select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name=t("Add"), exact=True).click()
    expect(page.locator(".flash-success")).to_have_text(t("Co-sponsor added."))
    expect(page.get_by_role("cell", name=sponsor.display_name, exact=True)).to_be_visible()
    balance = page.get_by_role("table", name=t("Balance of colleges (rapporteur and co-sponsors)"))
    expect(balance.locator("tbody td")).to_have_text(["1", "1", "0"])
    check(page, axe_check)

    # --- A second version, with a change note.
    page.goto(detail_url)
    check(page, axe_check)
    page.get_by_role("link", name=t("Edit the text")).click()
    expect(page.locator("h1")).to_have_text(t("Edit the text"))
    check(page, axe_check)
    expect(page.locator("#body")).to_have_value(BODY_V1)
    page.locator("#body").fill(BODY_V2)
    page.locator("#change_note").fill("Ajout des effectifs au registre")
    page.get_by_role("button", name=t("Save")).click()
    expect(page.locator(".flash-success")).to_have_text(t("Version %(v)s saved.", v="v2"))
    expect(page.locator("#p-2")).to_contain_text("leurs effectifs")
    check(page, axe_check)

    # --- The list of versions and the red-line from v1 to v2.
    tabs.get_by_role("link", name=t("Versions")).click()
    expect(page.locator("h1")).to_have_text(t("Versions of %(ref)s", ref=reference))
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Ajout des effectifs au registre")
    expect(rows.last).to_contain_text(t("First version"))
    check(page, axe_check)
    rows.first.get_by_role("link", name=t("Compare with v%(n)s", n=1)).click()
    expect(page.locator("h1")).to_have_text(
        t("Changes from %(old)s to %(new)s", old="v1", new="v2")
    )
    changed = page.locator(".redline-changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("ins").filter(has_text="effectifs")).to_have_count(1)
    expect(changed.locator("del")).to_have_count(1)
    expect(page.locator(".redline-unchanged")).to_have_count(2)
    check(page, axe_check)

    # --- Open to the members' deliberation.
    page.goto(detail_url)
    page.get_by_role("button", name=t("Open to members' deliberation")).click()
    expect(page.locator(".flash-success")).to_have_text(
        t("%(ref)s is now: %(state)s.", ref=reference, state=t("Deliberation"))
    )
    check(page, axe_check)

    # --- Another member amends paragraph 3 and comments on paragraph 2.
    contexts = []
    try:
        # She uses a small phone: no page scrolls sideways.
        mariam = new_member_page(
            browser, live_server, login, commenter, contexts, {"width": 320, "height": 640}
        )
        mariam.goto(detail_url)
        expect(mariam.locator("h1")).to_have_text(title)
        check(mariam, axe_check)
        mariam.get_by_role("link", name=t("Amend § %(n)s", n=3)).click()
        expect(mariam.locator("h1")).to_have_text(t("Propose an amendment"))
        expect(mariam.locator("#paragraph")).to_have_value("3")
        check(mariam, axe_check)
        mariam.get_by_label(t("Replace the paragraph"), exact=True).check()
        mariam.locator("#text").fill(AMENDED_PARAGRAPH_3)
        mariam.locator("#justification").fill(
            "Un extrait ouvert et fréquent sert mieux les usagers qu'un rapport annuel."
        )
        mariam.get_by_role("button", name=t("Propose the amendment")).click()
        expect(mariam.locator(".flash-success")).to_be_visible()
        expect(mariam).to_have_url(re.compile(r"/amendments/\d+$"))
        amendment_id = int(mariam.url.rsplit("/", 1)[1])
        expect(mariam.locator("h1")).to_contain_text(t("Proposed"))
        expect(mariam.locator(".redline ins").first).to_be_visible()
        check(mariam, axe_check)

        mariam.goto(detail_url)
        mariam.get_by_role("link", name=t("Comment on § %(n)s", n=2)).click()
        expect(mariam.locator("h1")).to_have_text(t("Add a comment"))
        expect(mariam.locator("#paragraph")).to_have_value("2")
        check(mariam, axe_check)
        mariam.get_by_label(t("For"), exact=True).check()
        mariam.locator("#body").fill("Les effectifs aideront à mesurer l'emploi dans le secteur.")
        mariam.get_by_role("button", name=t("Post")).click()
        expect(mariam.locator(".flash-success")).to_have_text(t("Your comment is posted."))
        comment = mariam.locator("article.comment").filter(has_text="mesurer l'emploi")
        expect(comment).to_contain_text(commenter.display_name)
        expect(comment).to_contain_text(t("on § %(n)s", n=2))
        check(mariam, axe_check)
        assert not mariam.console_errors, mariam.console_errors
    finally:
        for context in contexts:
            context.close()

    # --- The rapporteur accepts the amendment: version 3 contains it.
    page.goto(detail_url)
    side = page.locator("#p-3 .article-side")
    expect(side).to_contain_text(t("Amendment no. %(id)s", id=amendment_id))
    expect(page.locator("#p-2 .article-side")).to_contain_text(
        t("%(num)s comment thread", num=1).replace("%(num)s", "1")
    )
    check(page, axe_check)
    tabs.get_by_role("link", name=t("Amendments")).click()
    expect(page.locator("h1")).to_have_text(t("Amendments to %(ref)s", ref=reference))
    check(page, axe_check)
    page.get_by_role("link", name=t("Amendment no. %(id)s", id=amendment_id)).click()
    check(page, axe_check)
    page.get_by_role("button", name=t("Accept: make a new version containing it")).click()
    expect(page.locator(".flash-success")).to_have_text(
        t("Amendment accepted: version %(v)s contains it.", v="v3")
    )
    expect(page.locator("h1")).to_contain_text(t("Accepted"))
    check(page, axe_check)

    page.goto(detail_url)
    expect(page.locator("#p-3")).to_contain_text("extrait ouvert")
    expect(page.locator(".rec-meta")).to_contain_text("v3")
    check(page, axe_check)
    tabs.get_by_role("link", name=t("Versions")).click()
    expect(page.locator("main table tbody tr")).to_have_count(3)
    expect(page.locator("main table tbody tr").first).to_contain_text(
        t("Amendment no. %(id)s accepted", id=amendment_id)
    )
    check(page, axe_check)

    # --- The timeline shows every step, oldest first.
    page.goto(detail_url)
    timeline = page.locator("ol.timeline > li")
    steps = [
        t("Created as a draft"),
        t(
            "New co-sponsor: %(name)s (%(college)s)",
            name=sponsor.display_name,
            college=t("Private sector"),
        ),
        t("Version %(v)s", v="v2") + ": Ajout des effectifs au registre",
        t("%(from)s → %(to)s", **{"from": t("Draft"), "to": t("Deliberation")}),
        t("Amendment no. %(id)s", id=amendment_id)
        + " "
        + t("proposed on § %(n)s of %(v)s", n=3, v="v2"),
        t("Comment posted on § %(n)s of %(v)s", n=2, v="v2"),
        t("Version %(v)s", v="v3") + ": " + t("amendment no. %(id)s accepted", id=amendment_id),
    ]
    expect(timeline).to_have_count(len(steps))
    for item, step in zip(timeline.all(), steps, strict=True):
        expect(item).to_contain_text(step)
    actors = [rapporteur, sponsor, rapporteur, rapporteur, commenter, commenter, rapporteur]
    for item, actor in zip(timeline.all(), actors, strict=True):
        expect(item).to_contain_text(actor.display_name)
    check(page, axe_check)

    # On a small phone: the text, its versions and a red-line fit the screen.
    page.set_viewport_size({"width": 320, "height": 640})
    check(page, axe_check)
    tabs.get_by_role("link", name=t("Versions")).click()
    check(page, axe_check)
    page.locator("#cmp-from").select_option("1")
    page.locator("#cmp-to").select_option("3")
    page.get_by_role("button", name=t("Compare"), exact=True).click()
    expect(page.locator("h1")).to_have_text(
        t("Changes from %(old)s to %(new)s", old="v1", new="v3")
    )
    expect(page.locator(".redline-changed")).to_have_count(2)
    check(page, axe_check)
