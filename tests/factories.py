"""factory_boy factories. Passwords are hashed once per run: argon2 is slow on purpose."""

from __future__ import annotations

from functools import cache

import factory
from factory.alchemy import SQLAlchemyModelFactory

from consult.accounts.models import User
from consult.extensions import db
from consult.timeutil import utcnow

PASSWORD = "correct horse battery"  # noqa: S105


@cache
def password_hash() -> str:
    from consult.accounts.services import hash_password

    return hash_password(PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name", locale="fr_FR")
    role = "participant"
    locale = "fr"
    active = True
    password_hash = factory.LazyFunction(password_hash)
    email_verified_at = factory.LazyFunction(utcnow)


class MemberFactory(UserFactory):
    role = "member"
    college = factory.Iterator(["state", "private_sector", "civil_society"])
    organisation = factory.Sequence(lambda n: f"Organisation {n}")


class SecretariatFactory(UserFactory):
    role = "secretariat"
    # A second factor is set: secretariat accounts cannot work without one.
    totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    totp_enabled = True
