def test_home_page_is_accessible(page, axe_check):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").first.is_visible()
    axe_check(page)
