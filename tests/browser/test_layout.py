"""The shared layout: keyboard use, where-am-I cues, small screens."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_keyboard_user_can_skip_to_the_content_and_sees_the_focus(page, live_server, axe_check):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the skip link stays off screen"
    axe_check(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"

    # The next stops are visibly focused.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_menus_mark_the_current_page(page, live_server, axe_check, login):
    menu = page.get_by_role("navigation", name=live_server.gettext("Main menu"))
    page.goto("/login")
    expect(menu.get_by_role("link", name=live_server.gettext("Log in"))).to_have_attribute(
        "aria-current", "page"
    )
    expect(menu.locator("[aria-current]")).to_have_count(1)

    secretariat = live_server.create_user(
        "SecretariatFactory", email=f"sec-{uuid.uuid4().hex[:8]}@example.org"
    )
    login(page, secretariat.email, secretariat.password, secretariat.totp_secret)
    page.goto("/secretariat/participants")
    axe_check(page)
    # The section in the main menu, the page in the secretariat's menu.
    expect(menu.get_by_role("link", name=live_server.gettext("Secretariat"))).to_have_attribute(
        "aria-current", "true"
    )
    subnav = page.get_by_role("navigation", name=live_server.gettext("Secretariat"))
    expect(subnav.get_by_role("link", name=live_server.gettext("Participants"))).to_have_attribute(
        "aria-current", "page"
    )
    expect(subnav.locator("[aria-current]")).to_have_count(1)


def test_pages_fit_a_small_phone_screen(browser, live_server, axe_check, login):
    secretariat = live_server.create_user(
        "SecretariatFactory", email=f"sec-{uuid.uuid4().hex[:8]}@example.org"
    )
    live_server.create_user(
        "MemberFactory",
        organisation="Autorité malienne de régulation des télécommunications et des postes",
    )
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, viewport={"width": 320, "height": 640}
    )
    page = context.new_page()
    try:
        for path in ("/", "/login", "/register", "/about"):
            page.goto(path)
            assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways at 320 px"
            axe_check(page)
        login(page, secretariat.email, secretariat.password, secretariat.totp_secret)
        for path in (
            "/secretariat/members",
            "/secretariat/members/invite",
            "/secretariat/participants",
            "/secretariat/audit/",
            "/account",
        ):
            page.goto(path)
            # Wide tables scroll inside their own (keyboard-focusable) region, not the page.
            assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways at 320 px"
            axe_check(page)
    finally:
        context.close()
