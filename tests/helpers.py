"""Small helpers shared by the foundation tests: mail links, the real login form, TOTP codes."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlencode

import pyotp
from flask_babel import force_locale, get_translations, gettext

from .factories import PASSWORD

LINK = re.compile(r"https?://\S+")


def links_in(msg: EmailMessage) -> list[str]:
    return LINK.findall(msg.get_content())


def path_of(link: str) -> str:
    """The path of a link from an e-mail, for the test client."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def only_link(outbox: list[EmailMessage], to: str) -> str:
    """The path of the single link in the one message sent to `to`."""
    sent = [msg for msg in outbox if msg["To"] == to]
    assert len(sent) == 1, [msg["Subject"] for msg in sent]
    (link,) = [link for link in links_in(sent[0]) if "/login" not in link]
    return path_of(link)


def login_with_form(client, email: str, password: str = PASSWORD, **extra):
    """Log in through the real login form (argon2: keep these few)."""
    data = {"email": email, "password": password}
    if extra.pop("remember", False):
        data["remember"] = "y"
    url = "/login"
    if "next" in extra:
        url += "?" + urlencode({"next": extra.pop("next")})
    return client.post(url, data=data, headers=extra.pop("headers", None))


def logout(client) -> None:
    with client.session_transaction() as sess:
        sess.clear()


def text(response) -> str:
    """The page as a reader sees it: HTML entities decoded.

    Jinja escapes plain strings (an apostrophe becomes &#39;) but not translated lazy strings,
    so comparing escaped forms would depend on how each message reached the template.
    """
    return html.unescape(response.get_data(as_text=True))


def t(msgid: str, locale: str = "fr", **values) -> str:
    """`msgid` as the given language shows it (whatever the catalogue holds today)."""
    with force_locale(locale):
        return gettext(msgid, **values)


def nt(singular: str, plural: str, count: int, /, locale: str = "fr", **values) -> str:
    """As `t`, for a message with plural forms (ngettext); `count` chooses the form (and is
    `%(num)s` unless `num` is given)."""
    values.setdefault("num", count)
    with force_locale(locale):
        return get_translations().ungettext(singular, plural, count) % values


def html_t(msgid: str, locale: str = "fr", **values) -> str:
    """As `t`, to compare with `text(response)` (which decodes HTML entities)."""
    return t(msgid, locale, **values)


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30 * steps_ahead))


# The four kinds of reader, in the order the authorization matrices try them: the secretariat
# last, since its actions may change the target.
ROLES = ("visitor", "participant", "member", "secretariat")


def statuses_by_role(client, as_user, method: str, url: str, data, *, login_first: bool):
    """The status each role gets for one request; a visitor refused for not being logged in
    must be sent to the login page."""
    seen = {}
    for role in ROLES:
        as_user(role)
        response = client.open(url, method=method, data=data)
        seen[role] = response.status_code
        if role == "visitor" and login_first:
            assert "/login" in response.headers["Location"], response.headers["Location"]
    return seen
