"""The secretariat reads, filters and checks the audit log."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import text as sql

from consult import audit
from consult.extensions import db

from ..conftest import login_as
from ..helpers import html_t, text


@pytest.fixture
def log(app, member, secretariat, monkeypatch):
    # One older entry, written on 9 March 2018 (the clock is set back: the chain stays intact).
    monkeypatch.setattr("consult.audit.services.utcnow", lambda: datetime(2018, 3, 9, 10, 0))
    audit.record("account.login", actor=secretariat, target=secretariat)
    monkeypatch.undo()
    audit.record("account.invite", actor=secretariat, target=member)
    audit.record("account.login", actor=member, target=member)
    audit.record("recommendation.created", actor=member, target_type="recommendation", target_id=7)
    db.session.commit()
    return {"member": member, "secretariat": secretariat}


def _actions(response) -> list[str]:
    return re.findall(r"<td><code>([a-z_.]+)</code></td>", text(response))


def test_lists_newest_first_with_who_and_what(client, log):
    login_as(client, log["secretariat"])
    response = client.get("/secretariat/audit/")
    assert response.status_code == 200
    assert _actions(response) == [
        "recommendation.created",
        "account.login",
        "account.invite",
        "account.login",
    ]
    assert log["member"].display_name in text(response)
    assert "9 mars 2018" in text(response)


def test_target_kinds_offered_are_those_in_the_log(client, log):
    login_as(client, log["secretariat"])
    page = text(client.get("/secretariat/audit/?target=user"))
    select_box = page.split('<select id="a-target" name="target">', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="([a-z_]*)"', select_box) == ["", "recommendation", "user"]
    assert '<option value="user" selected>' in select_box


def test_filters(client, log):
    login_as(client, log["secretariat"])
    member, secretariat = log["member"], log["secretariat"]
    assert _actions(client.get("/secretariat/audit/?action=account.")) == [
        "account.login",
        "account.invite",
        "account.login",
    ]
    assert _actions(client.get(f"/secretariat/audit/?actor={secretariat.id}")) == [
        "account.invite",
        "account.login",
    ]
    assert _actions(client.get("/secretariat/audit/?target=recommendation")) == [
        "recommendation.created"
    ]
    assert _actions(client.get(f"/secretariat/audit/?target=user&target_id={member.id}")) == [
        "account.login",
        "account.invite",
    ]
    assert _actions(client.get("/secretariat/audit/?since=2018-03-09&until=2018-03-09")) == [
        "account.login"
    ]
    assert len(_actions(client.get("/secretariat/audit/?since=2019-01-01"))) == 3
    # Wildcards are literal, nonsense is ignored.
    assert _actions(client.get("/secretariat/audit/?action=%25")) == []
    response = client.get("/secretariat/audit/?since=yesterday&actor=me&page=abc")
    assert response.status_code == 200
    assert len(_actions(response)) == 4


def test_integrity_check_from_the_page(client, log):
    login_as(client, log["secretariat"])
    page = text(client.get("/secretariat/audit/?verify=1"))
    assert html_t("The log is intact: %(n)s entries checked.", n="4") in page
    db.session.execute(sql("DELETE FROM audit_entries WHERE id = 2"))
    db.session.commit()
    page = text(client.get("/secretariat/audit/?verify=1"))
    assert html_t("The log is damaged at entry %(id)s.", id=2) in page
