"""The foundation's journeys in a real browser, with axe-core on every page visited."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

NEW_PASSWORD = "un mot de passe solide 2026"  # noqa: S105


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.org"


def submit(page) -> None:
    """Press the main form's button (the one in <main>, not the language switch)."""
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def nav_link(page, live_server, msgid: str, locale: str):
    menu = page.get_by_role("navigation", name=live_server.gettext("Main menu", locale))
    return menu.get_by_role("link", name=live_server.gettext(msgid, locale), exact=True)


def test_invited_member_sets_a_password_logs_in_and_switches_language(
    browser, page, live_server, axe_check, login
):
    secretariat = live_server.create_user("SecretariatFactory", email=unique_email("sec"))
    invited = unique_email("aminata")

    # The secretariat sends the invitation through its console.
    login(page, secretariat.email, secretariat.password, secretariat.totp_secret)
    axe_check(page)
    page.goto("/secretariat/members/invite")
    axe_check(page)
    page.locator("#display_name").fill("Aminata Traoré")
    page.locator("#email").fill(invited)
    page.locator("#role").select_option("member")
    page.locator("#college").select_option("civil_society")
    page.locator("#organisation").fill("Association malienne des consommateurs")
    page.locator("#locale").select_option("fr")
    submit(page)
    expect(page).to_have_url(re.compile(r"/secretariat/members/\d+$"))
    expect(page.locator(".flash-success")).to_contain_text(invited)
    axe_check(page)

    # The invited member opens the link from the mail, in their own browser.
    [mail] = live_server.mails_to(invited)
    link = live_server.link_in(mail, "/invitation/")
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    member = context.new_page()
    try:
        member.goto(link)
        expect(member.locator("main")).to_contain_text(invited)
        axe_check(member)
        member.locator("#password").fill(NEW_PASSWORD)
        member.locator("#confirm").fill(NEW_PASSWORD)
        submit(member)
        expect(member).to_have_url(re.compile(r"/login$"))
        expect(member.locator(".flash-success")).to_be_visible()
        axe_check(member)

        login(member, invited, NEW_PASSWORD)
        expect(member.locator(".flash-success")).to_contain_text("Aminata Traoré")
        axe_check(member)
        expect(member.locator("html")).to_have_attribute("lang", "fr")
        expect(nav_link(member, live_server, "My account", "fr")).to_be_visible()

        # English, then back to French: the page's language and its menu follow.
        french_label = live_server.gettext("My account", "fr")
        assert french_label != "My account"  # the catalogue is there: the change is visible
        expect(member.get_by_role("link", name=french_label, exact=True)).to_be_visible()
        member.get_by_role("button", name="English").click()
        member.wait_for_load_state()
        expect(member.locator("html")).to_have_attribute("lang", "en")
        expect(nav_link(member, live_server, "My account", "en")).to_be_visible()
        expect(member.get_by_role("link", name="My account", exact=True)).to_be_visible()
        expect(member.get_by_role("button", name="English")).to_have_attribute(
            "aria-current", "true"
        )
        axe_check(member)
        member.get_by_role("button", name="Français").click()
        member.wait_for_load_state()
        expect(member.locator("html")).to_have_attribute("lang", "fr")
        expect(nav_link(member, live_server, "My account", "fr")).to_be_visible()
        expect(member.get_by_role("button", name="Français")).to_have_attribute(
            "aria-current", "true"
        )
        axe_check(member)

        # The same link cannot be used twice.
        member.goto(link)
        expect(member.locator("h1")).to_have_text(live_server.gettext("Link not valid"))
        axe_check(member)
    finally:
        context.close()


def test_participant_registers_confirms_the_address_and_can_take_part(page, live_server, axe_check):
    email = unique_email("fanta")
    not_confirmed = live_server.gettext(
        "Your e-mail address is not confirmed yet: you can read everything, but you can take "
        "part only once it is confirmed."
    )

    page.goto("/")
    nav_link(page, live_server, "Create an account", "fr").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    axe_check(page)
    page.locator("#display_name").fill("Fanta Diallo")
    page.locator("#email").fill(email)
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.locator("#accept").check()
    submit(page)
    expect(page.locator("main")).to_contain_text(email)
    axe_check(page)

    # The account exists but is not confirmed: logging in shows the notice.
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(NEW_PASSWORD)
    submit(page)
    expect(page.locator(".notice")).to_contain_text(not_confirmed)
    axe_check(page)

    [mail] = live_server.mails_to(email)
    page.goto(live_server.link_in(mail, "/verify/"))
    axe_check(page)
    submit(page)
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".notice")).to_have_count(0)
    assert not_confirmed not in page.locator("body").inner_text()
    axe_check(page)

    page.goto("/account")
    expect(page.locator("main dl")).not_to_contain_text(live_server.gettext("not confirmed"))
    axe_check(page)
    assert live_server.run(_can_participate, email)


def _can_participate(email: str) -> bool:
    from consult.accounts.services import get_by_email

    return get_by_email(email).can_participate()


def test_secretariat_logs_in_with_a_second_factor_and_visits_its_console(
    page, live_server, axe_check
):
    secretariat = live_server.create_user("SecretariatFactory", email=unique_email("sec"))
    live_server.create_user("MemberFactory", college="state", display_name="Boubacar Diallo")
    live_server.create_user("UserFactory", display_name="Yacouba Sanogo")

    page.goto("/login")
    axe_check(page)
    page.locator("#email").fill(secretariat.email)
    page.locator("#password").fill(secretariat.password)
    submit(page)
    expect(page).to_have_url(re.compile(r"/login/code"))
    axe_check(page)

    # A wrong code is refused with a message tied to the field.
    page.locator("#code").fill("000000")
    submit(page)
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)

    import pyotp

    page.locator("#code").fill(pyotp.TOTP(secretariat.totp_secret).now())
    submit(page)
    expect(page.locator(".flash-success")).to_be_visible()
    axe_check(page)

    nav_link(page, live_server, "Secretariat", "fr").click()
    expect(page).to_have_url(re.compile(r"/secretariat/members"))
    expect(page.locator("main table").last).to_contain_text("Boubacar Diallo")
    axe_check(page)

    page.goto("/secretariat/members?college=state&q=boubacar")
    expect(page.locator("#f-college")).to_have_value("state")
    axe_check(page)

    subnav = page.get_by_role("navigation", name=live_server.gettext("Secretariat"))
    subnav.get_by_role("link", name=live_server.gettext("Invite"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/secretariat/members/invite$"))
    axe_check(page)

    # The invitation form keeps what was typed and says what is wrong.
    page.locator("#display_name").fill("Sans Adresse")
    page.locator("#email").fill("pas-une-adresse")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#display_name")).to_have_value("Sans Adresse")
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    axe_check(page)

    subnav.get_by_role("link", name=live_server.gettext("Participants"), exact=True).click()
    expect(page.locator("main table")).to_contain_text("Yacouba Sanogo")
    axe_check(page)

    subnav.get_by_role("link", name=live_server.gettext("Audit log"), exact=True).click()
    expect(page.locator("main table")).to_contain_text("account.login")
    axe_check(page)
    page.get_by_role("link", name=live_server.gettext("Check the integrity of the log")).click()
    expect(page.locator(".flash-success")).to_be_visible()
    axe_check(page)


def test_error_pages_and_login_validation_are_accessible(page, live_server, axe_check):
    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text(live_server.gettext("Page not found"))
    axe_check(page)

    page.goto("/login")
    page.locator("#email").fill("not-an-address")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#email")).to_have_value("not-an-address")
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    axe_check(page)

    # A wrong password: one message, no hint about whether the address exists.
    page.locator("#email").fill("nobody@example.org")
    page.locator("#password").fill("wrong password here")
    submit(page)
    expect(page.locator(".error-summary")).to_contain_text(
        live_server.gettext("The e-mail address or the password is not correct.")
    )
    axe_check(page)

    # A visitor sent to a secretariat page is asked to log in first.
    page.goto("/secretariat/members")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    axe_check(page)


def test_forgotten_password_is_reset_through_the_mailed_link(page, live_server, axe_check, login):
    user = live_server.create_user("UserFactory", email=unique_email("yacouba"))

    page.goto("/login")
    page.get_by_role("link", name=live_server.gettext("Forgotten password?")).click()
    expect(page).to_have_url(re.compile(r"/password/forgot$"))
    axe_check(page)
    page.locator("#email").fill(user.email)
    submit(page)
    expect(page.locator("main")).to_contain_text(user.email)
    axe_check(page)

    [mail] = live_server.mails_to(user.email)
    page.goto(live_server.link_in(mail, "/password/reset/"))
    axe_check(page)
    # Two different passwords: refused, explained, nothing changed.
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD + " bis")
    submit(page)
    expect(page.locator("#confirm")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/login$"))
    axe_check(page)

    login(page, user.email, NEW_PASSWORD)
    expect(page.locator(".flash-success")).to_be_visible()


def test_new_secretariat_must_set_up_a_second_factor_first(page, live_server, axe_check, login):
    import pyotp

    secretariat = live_server.create_user(
        "SecretariatFactory", email=unique_email("sec"), totp_secret=None, totp_enabled=False
    )
    login(page, secretariat.email, secretariat.password)
    expect(page).to_have_url(re.compile(r"/account/second-factor$"))
    axe_check(page)

    # Nothing else is reachable before the second factor is on.
    page.goto("/secretariat/members")
    expect(page).to_have_url(re.compile(r"/account/second-factor$"))

    secret = page.locator("code.secret").inner_text().strip()
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    submit(page)
    codes = page.locator("ul.codes li")
    expect(codes.first).to_be_visible()
    assert codes.count() >= 8
    axe_check(page)

    page.get_by_role("link", name=live_server.gettext("I have saved them")).click()
    expect(page).to_have_url(re.compile(r"/account$"))
    axe_check(page)
    page.goto("/secretariat/members")
    expect(page.locator("h1")).to_have_text(live_server.gettext("Members of the council"))
