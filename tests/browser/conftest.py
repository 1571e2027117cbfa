"""Browser tests: Debian's chromium driven by Playwright against a real Consult server.

- Every test here carries the `browser` marker. Without /usr/bin/chromium (or Playwright) they
  are skipped with a visible reason, unless CONSULT_REQUIRE_BROWSER=1 (CI), where they fail.
- `live_server`: a real app (CSRF on, mail in memory, its own SQLite file) served by werkzeug
  in a thread; `live_server.url`, `.app`, `.run(fn)`, `.create_user(...)`, `.outbox()`,
  `.link_in(mail)`.
- `browser` (session) and `page` (per test, locale fr-FR). Playwright never downloads a
  browser here: `playwright install` is not needed and must not be run.
- `axe_check(page)`: axe-core (WCAG 2.0/2.1 A and AA) must find no violation.
- `login(page, email, password, totp_secret=None)`: logs in through the real form.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

CHROMIUM = "/usr/bin/chromium"
REQUIRE_BROWSER = os.environ.get("CONSULT_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
HERE = Path(__file__).resolve().parent

# Every URL checked by axe during the run, and the violations found (reported at the end).
AXE_PAGES: list[str] = []
AXE_FAILURES: list[str] = []


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not os.path.exists(CHROMIUM):
        return f"chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


def pytest_collection_modifyitems(config, items):
    missing = _missing_browser()
    for item in items:
        if HERE not in Path(str(item.fspath)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if missing and not REQUIRE_BROWSER:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {missing}"))


def pytest_report_header(config):
    missing = _missing_browser()
    if missing:
        mode = "FAIL (CONSULT_REQUIRE_BROWSER=1)" if REQUIRE_BROWSER else "skipped"
        return [f"browser: {mode}: {missing}"]
    return [f"browser: {CHROMIUM}"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not AXE_PAGES:
        return
    terminalreporter.write_line(
        f"axe: {len(AXE_PAGES)} pages checked, {len(AXE_FAILURES)} violations"
    )


# --- the live server ------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: object
    server: object

    def run(self, fn, *args, **kwargs):
        """Call fn inside the app context; return plain values (ORM objects get detached)."""
        from consult.extensions import db

        with self.app.app_context():
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.remove()

    def create_user(self, kind: str = "UserFactory", **fields) -> SimpleNamespace:
        """A user made by tests.factories (UserFactory, MemberFactory, SecretariatFactory).

        Returns a plain record: id, email, display_name, role, college, totp_secret, and the
        factories' password.
        """
        from tests import factories

        def make():
            user = getattr(factories, kind)(**fields)
            return SimpleNamespace(
                id=user.id,
                email=user.email,
                display_name=user.display_name,
                role=user.role,
                college=user.college,
                totp_secret=user.totp_secret,
                password=factories.PASSWORD,
            )

        return self.run(make)

    def gettext(self, msgid: str, locale: str = "fr", **variables) -> str:
        """What the interface shows for msgid in this locale (follows the catalogues)."""
        from flask_babel import force_locale, gettext

        with self.app.test_request_context(), force_locale(locale):
            return gettext(msgid, **variables)

    def outbox(self) -> list:
        """Every mail the server has sent so far (oldest first)."""
        return list(self.app.extensions.setdefault("consult_outbox", []))

    def mails_to(self, address: str) -> list:
        return [m for m in self.outbox() if address.lower() in str(m["To"]).lower()]

    def link_in(self, msg, path_part: str = "") -> str:
        """The first link to this server in a mail (containing path_part if given)."""
        body = msg.get_content()
        for link in re.findall(r"https?://\S+", body):
            if link.startswith(self.url) and path_part in link:
                return link
        raise AssertionError(f"no link to {self.url} containing {path_part!r} in:\n{body}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from werkzeug.serving import make_server

    from consult import create_app
    from consult.extensions import db

    if _missing_browser() and REQUIRE_BROWSER:
        pytest.fail(f"CONSULT_REQUIRE_BROWSER=1 but {_missing_browser()}")
    base = tmp_path_factory.mktemp("live")
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{base / 'consult-browser.db'}",
        MAIL_BACKEND="memory",
        MAIL_OUTBOX_DIR=str(base / "outbox"),
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=False,
    )
    with app.app_context():
        db.create_all()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["SERVER_BASE_URL"] = url  # links in mails point to this server
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=url, app=app, server=server)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    missing = _missing_browser()
    if missing:
        if REQUIRE_BROWSER:
            pytest.fail(f"CONSULT_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(f"browser tests skipped: {missing}")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, live_server):
    """A fresh context (no cookies) in French, with base_url set to the live server.

    Console errors (a Content-Security-Policy violation, a failed resource) fail the test.
    """
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    try:
        yield page
    finally:
        context.close()
    # 4xx pages visited on purpose log "Failed to load resource"; anything else is a bug.
    unexpected = [e for e in errors if not e.startswith("Failed to load resource")]
    assert not unexpected, "browser console errors:\n" + "\n".join(unexpected)


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe: {len(violations)} accessibility violation(s) on {url}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} <{v.get('helpUrl', '')}>")
        for node in v["nodes"]:
            target = ", ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def axe_check(_axe):
    """axe_check(page): no WCAG 2.1 A/AA violation on the page as it is now."""

    def check(page, context=None):
        results = _axe.run(
            page,
            context=context,
            options={
                "runOnly": {"type": "tag", "values": AXE_TAGS},
                "resultTypes": ["violations"],
            },
        )
        AXE_PAGES.append(page.url)
        violations = results.response["violations"]
        if violations:
            message = _format_violations(page.url, violations)
            AXE_FAILURES.extend(v["id"] for v in violations)
            pytest.fail(message, pytrace=False)
        return results

    return check


@pytest.fixture
def login(live_server):
    """login(page, email, password, totp_secret=None): the real login form (and 2FA step)."""

    def do_login(page, email, password, totp_secret=None):
        page.goto("/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(password)
        page.locator("main form button[type=submit]").click()
        if totp_secret:
            import pyotp

            page.wait_for_url(re.compile(r"/login/code"))
            page.locator("#code").fill(pyotp.TOTP(totp_secret).now())
            page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)

    return do_login
