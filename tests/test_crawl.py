"""Every page reachable by following links from the home page, as each role, on the demo
council: none answers with a server error, and no link leads to a missing page."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from consult.accounts.models import User
from consult.demo import SECRETARIAT_EMAIL, member_email, seed
from consult.extensions import db

from .conftest import login_as

HREF = re.compile(r'href="([^"#]+)"')
# Links that leave the crawl: static files, downloads checked elsewhere, and endless filters.
SKIP = re.compile(r"^/(static/)|\.(csv|svg|ico)$|[?&]page=([3-9]|\d\d)")
LIMIT = 400


def _crawl(client, start: str = "/") -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < LIMIT:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        for href in HREF.findall(response.get_data(as_text=True)):
            href = href.replace("&amp;", "&")
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/") or SKIP.search(target):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen:
                queue.append(path)
    return seen


@pytest.mark.parametrize("role", ["visitor", "participant", "member", "secretariat"])
def test_no_link_of_the_demo_council_is_broken_or_fails(app, client, role):
    seed()
    db.session.commit()
    emails = {
        "participant": "fanta.diallo@example.ml",
        "member": member_email("Adama Kanté"),
        "secretariat": SECRETARIAT_EMAIL,
    }
    if role != "visitor":
        user = db.session.scalar(select(User).where(User.email == emails[role]))
        login_as(client, user)
    visited = _crawl(client)
    failures = {url: code for url, code in visited.items() if code >= 500 or code == 404}
    assert len(visited) > 5
    assert not failures, failures


def test_the_crawl_reaches_the_pages_of_each_domain(app, client):
    """Guards the crawl itself: as the secretariat it must see recommendations and polls."""
    seed()
    db.session.commit()
    login_as(client, db.session.scalar(select(User).where(User.email == SECRETARIAT_EMAIL)))
    visited = _crawl(client)
    assert any(url.startswith("/recommendations/R-") for url in visited)
    assert any(url.startswith("/polls/") for url in visited)
    assert any(url.startswith("/secretariat/") for url in visited)
