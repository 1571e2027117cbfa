"""A vote from start to finish in a real browser, with axe-core on every page visited.

The secretariat puts a recommendation to a roll-call vote and opens it; members of the three
colleges vote through the choose-confirm-cast pages (one of them through the proxy they gave
to a member of their college); the secretariat closes the poll; the results show the table by
college and the chart, and a member checks their receipt. A second journey does the same for
a secret ballot, where no name is ever shown next to a vote.
"""

from __future__ import annotations

import dataclasses
import re
import uuid

from playwright.sync_api import expect

from .test_accounts_flow import nav_link, unique_email
from .test_layout import NO_SIDEWAYS_SCROLL


def _recommendation_in_voting(secretariat_id: int, title: str) -> dict:
    """A recommendation taken to the voting stage through the services (text frozen, v1)."""
    from sqlalchemy import select

    from consult.accounts.models import User
    from consult.extensions import db
    from consult.recommendations import services as recommendations
    from consult.recommendations.lifecycle import transition
    from consult.recommendations.models import Theme

    secretariat = db.session.get(User, secretariat_id)
    recommendations.ensure_default_themes(secretariat)
    theme = db.session.scalars(select(Theme).order_by(Theme.id)).first()
    rec = recommendations.create(
        secretariat,
        title=title,
        summary="Ouvrir les points d'échange Internet du pays aux opérateurs régionaux.",
        body=(
            "Le Conseil recommande l'ouverture du point d'échange de Bamako.\n\n"
            "Les opérateurs régionaux y accèdent aux mêmes conditions que les nationaux."
        ),
        theme_ids=[theme.id],
    )
    transition(secretariat, rec, "deliberation")
    transition(secretariat, rec, "consolidation", "Texte déjà discuté en session plénière.")
    transition(secretariat, rec, "voting")
    db.session.commit()
    return {"id": rec.id, "reference": rec.reference, "title": rec.title}


def _open_roll_call_poll_id(recommendation_id: int) -> int:
    from sqlalchemy import select

    from consult.extensions import db
    from consult.votes.models import Poll

    return db.session.scalars(
        select(Poll.id).where(Poll.recommendation_id == recommendation_id)
    ).one()


def _open_secret_poll(secretariat_id: int, recommendation_id: int) -> int:
    from fractions import Fraction

    from consult.accounts.models import User
    from consult.extensions import db
    from consult.recommendations.models import Recommendation
    from consult.votes import services

    secretariat = db.session.get(User, secretariat_id)
    poll = services.create_poll(
        secretariat,
        recommendation=db.session.get(Recommendation, recommendation_id),
        mode="secret",
        # No quorum: the shared test database holds other members, entitled too.
        rules=dataclasses.replace(services.DEFAULT_RULES, quorum=Fraction(0)),
    )
    services.open_poll(secretariat, poll)
    db.session.commit()
    return poll.id


def _members(live_server, tag: str) -> dict:
    """One member in each college, and a second one in civil society (the proxy holder)."""
    people = {
        "aminata": ("state", "Aminata Keïta"),
        "boubacar": ("private_sector", "Boubacar Sidibé"),
        "fatoumata": ("civil_society", "Fatoumata Coulibaly"),
        "moussa": ("civil_society", "Moussa Dembélé"),
    }
    return {
        key: live_server.create_user(
            "MemberFactory",
            email=unique_email(f"{key}-{tag}"),
            college=college,
            display_name=f"{name} {tag}",
        )
        for key, (college, name) in people.items()
    }


def submit(page) -> None:
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def check_page(page, axe_check) -> None:
    """axe finds nothing, and the page fits the window's width (320 px on a phone)."""
    axe_check(page)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{page.url} scrolls sideways"


def choose_confirm_cast(page, live_server, axe_check, choice_msgid: str) -> str:
    """On the vote page: choose, continue, check the confirmation, cast. Returns the receipt."""
    t = live_server.gettext
    expect(page).to_have_url(re.compile(r"/polls/\d+/vote"))
    check_page(page, axe_check)
    page.get_by_label(t(choice_msgid), exact=True).check()
    page.get_by_role("button", name=t("Continue")).click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text(t("Confirm your vote"))
    expect(page.locator(".choice-big")).to_have_text(t(choice_msgid))
    check_page(page, axe_check)
    page.get_by_role("button", name=t("Cast my vote")).click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text(t("Your vote has been recorded"))
    check_page(page, axe_check)
    code = page.locator(".receipt-code code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code), code
    return code


def test_three_colleges_vote_one_by_proxy_and_a_member_checks_their_receipt(
    browser, page, live_server, axe_check, login
):
    t = live_server.gettext
    tag = uuid.uuid4().hex[:6]
    secretariat = live_server.create_user("SecretariatFactory", email=unique_email("sec"))
    rec = live_server.run(
        _recommendation_in_voting, secretariat.id, f"Points d'échange Internet {tag}"
    )
    members = _members(live_server, tag)

    # The secretariat puts the text to a roll-call vote (no quorum: the shared test database
    # holds other members, who are entitled too) and opens it.
    login(page, secretariat.email, secretariat.password, secretariat.totp_secret)
    subnav = page.get_by_role("navigation", name=t("Secretariat"))
    page.goto("/secretariat/members")
    subnav.get_by_role("link", name=t("Polls"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/secretariat/polls$"))
    axe_check(page)
    page.locator("main a", has_text=rec["reference"]).first.click()
    expect(page).to_have_url(re.compile(r"/secretariat/polls/new\?subject="))
    axe_check(page)
    page.get_by_label(t("Roll-call vote"), exact=True).check()
    page.locator("#quorum").fill("")
    page.get_by_role("button", name=t("Create the poll")).click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/polls/\d+$"))
    poll_url = page.url.removeprefix(live_server.url)
    axe_check(page)
    page.get_by_role("button", name=t("Open the poll now")).click()
    expect(page.locator(".flash-success")).to_have_text(t("The poll is open."))
    axe_check(page)
    page.get_by_role("link", name=t("Record votes taken by show of hands")).click()
    expect(page.locator("h1")).to_have_text(t("Record votes taken by show of hands"))
    axe_check(page)
    poll_id = live_server.run(_open_roll_call_poll_id, rec["id"])
    assert poll_url == f"/polls/{poll_id}"

    receipts = {}
    contexts = []

    def member_page(key, viewport=None):
        context = browser.new_context(locale="fr-FR", base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        member_page = context.new_page()
        person = members[key]
        login(member_page, person.email, person.password)
        return member_page

    try:
        # State: from the list of polls to the poll, then choose, confirm, cast.
        aminata = member_page("aminata")
        nav_link(aminata, live_server, "Votes", "fr").click()
        expect(aminata).to_have_url(re.compile(r"/polls$"))
        expect(aminata.locator("main")).to_contain_text(rec["title"])
        axe_check(aminata)
        aminata.get_by_role("link", name=rec["title"]).click()
        expect(aminata).to_have_url(re.compile(poll_url + "$"))
        expect(aminata.locator(".my-vote")).to_contain_text(t("You have not voted yet."))
        axe_check(aminata)
        aminata.locator(".my-vote").get_by_role("link", name=t("Vote"), exact=True).click()
        receipts["aminata"] = choose_confirm_cast(aminata, live_server, axe_check, "For")

        # Private sector: changes their mind on the confirmation page, then votes against.
        boubacar = member_page("boubacar")
        boubacar.goto(poll_url + "/vote")
        axe_check(boubacar)
        boubacar.get_by_label(t("For"), exact=True).check()
        boubacar.get_by_role("button", name=t("Continue")).click()
        expect(boubacar.locator(".choice-big")).to_have_text(t("For"))
        boubacar.get_by_role("button", name=t("Change my choice")).click()
        expect(boubacar.get_by_label(t("For"), exact=True)).to_be_checked()
        receipts["boubacar"] = choose_confirm_cast(boubacar, live_server, axe_check, "Against")
        boubacar.get_by_role("link", name=t("Back to the poll")).click()
        expect(boubacar.locator(".my-vote")).to_contain_text(
            t("Your vote: %(choice)s.", choice=t("Against"))
        )
        axe_check(boubacar)

        # Civil society: Fatoumata gives her proxy to Moussa, who votes for both of them.
        fatoumata = member_page("fatoumata")
        fatoumata.goto(poll_url)
        fatoumata.get_by_role("link", name=t("Give a proxy to a member of your college")).click()
        expect(fatoumata.locator("h1")).to_have_text(t("Give a proxy"))
        axe_check(fatoumata)
        fatoumata.locator("#holder").select_option(label=members["moussa"].display_name)
        fatoumata.get_by_role("button", name=t("Give my proxy")).click()
        expect(fatoumata.locator(".flash-success")).to_contain_text(members["moussa"].display_name)
        expect(fatoumata.locator(".my-vote").get_by_role("link", name=t("Vote"))).to_have_count(0)
        axe_check(fatoumata)

        # Moussa votes from a small phone: no page scrolls sideways.
        moussa = member_page("moussa", viewport={"width": 320, "height": 640})
        moussa.goto(poll_url)
        proxy_link = t("Vote for %(name)s (proxy)", name=members["fatoumata"].display_name)
        expect(moussa.get_by_role("link", name=proxy_link)).to_be_visible()
        check_page(moussa, axe_check)
        moussa.locator(".my-vote").get_by_role("link", name=t("Vote"), exact=True).click()
        receipts["moussa"] = choose_confirm_cast(moussa, live_server, axe_check, "Abstain")
        moussa.get_by_role("link", name=t("Back to the poll")).click()
        moussa.get_by_role("link", name=proxy_link).click()
        expect(moussa.locator("h1")).to_have_text(
            t("Vote for %(name)s", name=members["fatoumata"].display_name)
        )
        receipts["fatoumata"] = choose_confirm_cast(moussa, live_server, axe_check, "For")
        assert len(set(receipts.values())) == 4

        # While the poll is open, only the turnout shows.
        aminata.goto(poll_url)
        expect(aminata.locator("#turnout-title")).to_be_visible()
        expect(aminata.locator("#results")).to_have_count(0)
        axe_check(aminata)

        # The secretariat closes the poll from its page: the result by college and the chart.
        page.goto(poll_url)
        expect(page.get_by_role("cell", name=members["fatoumata"].display_name)).to_be_visible()
        page.get_by_role("button", name=t("Close the poll and count")).click()
        expect(page.locator(".flash-success")).to_have_text(t("The poll is closed and counted."))
        expect(page.locator(".outcome")).to_have_text(t("Adopted"))
        axe_check(page)
        page.goto("/secretariat/polls")
        axe_check(page)

        # Any member (here Aminata) reads the result: table by college, chart, roll call.
        aminata.goto(poll_url)
        table = aminata.get_by_role("table", name=t("Result by college"))
        rows = {
            "state": ["1", "1", "0", "0"],
            "private_sector": ["1", "0", "1", "0"],
            "civil_society": ["2", "1", "0", "1"],
        }
        for code, (ballots, for_, against, abstain) in rows.items():
            row = table.locator("tbody tr", has=aminata.locator("th", has_text=college(code, t)))
            cells = row.locator("td")
            expect(cells.nth(1)).to_have_text(ballots)
            expect(cells.nth(2)).to_have_text(for_)
            expect(cells.nth(3)).to_have_text(against)
            expect(cells.nth(4)).to_have_text(abstain)
        overall = table.locator("tfoot tr td")
        expect(overall.nth(1)).to_have_text("4")
        chart_title = t(
            "Ballots by college: for, against, abstaining, and entitled members who did not vote"
        )
        # The accessible name has ordinary spaces where French puts non-breaking ones.
        chart_title = chart_title.replace("\u00a0", " ").replace("\u202f", " ")
        chart = aminata.get_by_role("img", name=re.compile("^" + re.escape(chart_title)))
        expect(chart).to_be_visible()
        expect(aminata.locator(".chart svg rect").first).to_be_attached()
        roll_call = aminata.get_by_role("table", name=t("Civil society"))
        expect(roll_call).to_contain_text(
            t("By proxy: %(name)s", name=members["moussa"].display_name)
        )
        axe_check(aminata)

        # On a small phone, from here on: wide tables scroll in their own region, not the page.
        aminata.set_viewport_size({"width": 320, "height": 640})
        check_page(aminata, axe_check)

        # The public ballot list, then "check my receipt": counted, as cast.
        aminata.get_by_role("link", name=t("Public ballot list")).click()
        expect(aminata.locator("h1")).to_have_text(t("Public ballot list"))
        expect(aminata.locator("main table")).to_contain_text(members["aminata"].display_name)
        check_page(aminata, axe_check)
        aminata.get_by_role("link", name=t("Check my receipt")).click()
        expect(aminata.locator("h1")).to_have_text(t("Check my receipt"))
        check_page(aminata, axe_check)
        aminata.locator("#code").fill(receipts["aminata"])
        aminata.get_by_role("button", name=t("Check"), exact=True).click()
        expect(aminata.locator(".receipt-result")).to_contain_text(
            t("This ballot was counted, as: %(choice)s.", choice=t("For"))
        )
        check_page(aminata, axe_check)

        # A receipt that is not one of this poll's is not found, and said so.
        aminata.locator("#code").fill("ABCD-EFGH-JKLM-NPQR")
        aminata.get_by_role("button", name=t("Check"), exact=True).click()
        expect(aminata.locator(".receipt-result .flash-error")).to_be_visible()
        check_page(aminata, axe_check)
    finally:
        for context in contexts:
            context.close()


def test_secret_ballot_shows_counts_only_and_the_simulator_explains_rules(
    browser, page, live_server, axe_check, login
):
    t = live_server.gettext
    tag = uuid.uuid4().hex[:6]
    secretariat = live_server.create_user("SecretariatFactory", email=unique_email("sec"))
    rec = live_server.run(_recommendation_in_voting, secretariat.id, f"Données ouvertes {tag}")
    voter = live_server.create_user(
        "MemberFactory",
        email=unique_email(f"kadiatou-{tag}"),
        college="state",
        display_name=f"Kadiatou Traoré {tag}",
    )
    poll_id = live_server.run(_open_secret_poll, secretariat.id, rec["id"])
    poll_url = f"/polls/{poll_id}"

    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(10_000)
    member = context.new_page()
    try:
        login(member, voter.email, voter.password)
        member.goto(poll_url)
        axe_check(member)
        member.locator(".my-vote").get_by_role("link", name=t("Vote"), exact=True).click()
        expect(member.locator("main")).to_contain_text(
            t("Secret ballot: once cast, your vote is final.")
        )
        code = choose_confirm_cast(member, live_server, axe_check, "Against")
        member.goto(poll_url)
        expect(member.locator(".my-vote .voted")).to_be_visible()
        expect(member.locator(".my-vote").get_by_role("link", name=t("Vote"))).to_have_count(0)
        axe_check(member)

        login(page, secretariat.email, secretariat.password, secretariat.totp_secret)
        page.goto(poll_url)
        axe_check(page)
        page.get_by_role("button", name=t("Close the poll and count")).click()
        expect(page.locator(".flash-success")).to_have_text(t("The poll is closed and counted."))
        expect(page.get_by_role("table", name=t("Result by college"))).to_be_visible()
        expect(page.locator("#roll-call-title")).to_have_count(0)
        axe_check(page)

        # The ballot list has fingerprints and choices, never a name.
        member.goto(poll_url + "/ballots")
        listing = member.locator("main table")
        expect(listing).to_contain_text(t("Against"))
        expect(listing).not_to_contain_text(voter.display_name)
        axe_check(member)
        member.goto(poll_url + "/receipt")
        member.locator("#code").fill(code)
        member.get_by_role("button", name=t("Check"), exact=True).click()
        expect(member.locator(".receipt-result")).to_contain_text(
            t("This ballot was counted, as: %(choice)s.", choice=t("Against"))
        )
        axe_check(member)
    finally:
        context.close()

    # The secretariat tries rules on imagined counts: a result with its table and chart.
    page.goto("/secretariat/polls")
    expect(page.locator("main table")).to_contain_text(rec["title"])
    axe_check(page)
    subnav = page.get_by_role("navigation", name=t("Secretariat"))
    subnav.get_by_role("link", name=t("Simulator"), exact=True).click()
    expect(page.locator("h1")).to_have_text(t("Rule simulator"))
    axe_check(page)
    counts = {
        "state": (10, 6, 2, 1),
        "private_sector": (10, 3, 5, 0),
        "civil_society": (10, 7, 1, 1),
    }
    for code, values in counts.items():
        for key, value in zip(("entitled", "for", "against", "abstain"), values, strict=True):
            page.locator(f"#{key}_{code}").fill(str(value))
    page.get_by_label(t("The threshold must be met in each college"), exact=True).check()
    page.get_by_role("button", name=t("Count"), exact=True).click()
    expect(page.locator(".outcome")).to_have_text(t("Not adopted"))
    expect(page.get_by_role("table", name=t("Result by college"))).to_be_visible()
    axe_check(page)
    # A mistake in the counts is explained next to the field, and what was typed stays.
    page.locator("#for_state").fill("60")
    page.get_by_role("button", name=t("Count"), exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#for_state")).to_have_value("60")
    axe_check(page)
    subnav.get_by_role("link", name=t("Default rules"), exact=True).click()
    axe_check(page)


def college(code: str, t) -> str:
    names = {"state": "State", "private_sector": "Private sector", "civil_society": "Civil society"}
    return t(names[code])
