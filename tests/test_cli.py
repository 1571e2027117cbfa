"""`flask consult create-secretariat` and `flask consult demo`."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.accounts.services import check_password, get_by_email
from consult.audit.models import AuditEntry
from consult.audit.services import verify_chain
from consult.extensions import db

PASSWORD = "a secretariat passphrase"


def _create(runner, email="staff@csn.example", name="Mariam Diarra", password=PASSWORD, again=None):
    answers = f"{email}\n{name}\n{password}\n{again if again is not None else password}\n"
    return runner.invoke(args=["consult", "create-secretariat"], input=answers)


class TestCreateSecretariat:
    def test_asks_for_everything_and_creates_the_account(self, runner):
        result = _create(runner, email="Staff@CSN.example")
        assert result.exit_code == 0, result.output
        assert PASSWORD not in result.output  # typed, never echoed
        user = get_by_email("staff@csn.example")
        assert (user.role, user.display_name, user.is_verified) == (
            "secretariat",
            "Mariam Diarra",
            True,
        )
        assert check_password(user, PASSWORD)
        assert not user.totp_enabled  # it will be set up at the first login
        entry = db.session.scalar(select(AuditEntry))
        assert (entry.action, entry.target_id) == ("account.created_by_command", str(user.id))

    def test_the_password_is_never_an_argument(self, runner):
        result = runner.invoke(args=["consult", "create-secretariat", "--help"])
        assert "--password" not in result.output
        result = runner.invoke(
            args=["consult", "create-secretariat", "--email", "a@b.org", "--password", "x"]
        )
        assert result.exit_code != 0

    def test_the_two_passwords_must_match(self, runner):
        result = _create(runner, again="something else")
        # click asks again after a mismatch; with no more input it stops.
        assert result.exit_code != 0
        assert get_by_email("staff@csn.example") is None

    def test_refuses_a_short_password(self, runner):
        result = _create(runner, password="short")
        assert result.exit_code == 1
        assert "at least 10 characters" in result.output
        assert get_by_email("staff@csn.example") is None

    def test_refuses_an_existing_address_and_a_malformed_one(self, runner, member):
        result = _create(runner, email=member.email.upper())
        assert result.exit_code == 1
        assert "already exists" in result.output
        result = _create(runner, email="not an address")
        assert result.exit_code == 1
        assert "Not a valid e-mail address" in result.output


def _counts() -> dict:
    by_role = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    by_college = dict(
        db.session.execute(
            select(User.college, func.count()).where(User.role == "member").group_by(User.college)
        ).all()
    )
    return {"roles": by_role, "colleges": by_college}


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["consult", "demo"])
    assert result.exit_code == 0, result.output
    return result


class TestDemo:
    def test_loads_a_working_council(self, runner, demo):
        counts = _counts()
        assert counts["roles"]["member"] == 30
        assert counts["roles"]["secretariat"] == 1
        assert 2 <= counts["roles"]["participant"] <= 10
        assert counts["colleges"] == {"state": 10, "private_sector": 10, "civil_society": 10}
        assert "consult-demo-2026" in demo.output  # the operator is told how to log in
        assert verify_chain().ok

        member = db.session.scalar(select(User).where(User.role == "member"))
        assert check_password(member, "consult-demo-2026")
        participants = db.session.scalars(select(User).where(User.role == "participant")).all()
        assert {p.is_verified for p in participants} == {True, False}  # one still to confirm

        # The secretariat's second factor is on, with a secret an app accepts (base32), and
        # `make totp` prints its current code.
        secretariat = get_by_email("secretariat@csn.example")
        assert secretariat.totp_enabled
        result = runner.invoke(args=["consult", "totp-code", "secretariat@csn.example"])
        assert result.exit_code == 0, result.output
        assert pyotp.TOTP(secretariat.totp_secret).verify(result.output.strip(), valid_window=1)

    def test_safe_to_run_twice(self, runner, demo):
        before = _counts()
        users = db.session.scalar(select(func.count()).select_from(User))
        entries = db.session.scalar(select(func.count()).select_from(AuditEntry))
        result = runner.invoke(args=["consult", "demo"])
        assert result.exit_code == 0, result.output
        assert "nothing changed" in result.output
        assert _counts() == before
        assert db.session.scalar(select(func.count()).select_from(User)) == users
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == entries

    def test_if_empty_does_nothing_on_a_database_with_accounts(self, runner, member):
        result = runner.invoke(args=["consult", "demo", "--if-empty"])
        assert result.exit_code == 0
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
