"""Demo polls, through the services, on the texts the recommendations demo leaves to a vote.

- The contested amendment of « Clauses numériques types dans la commande publique » was put
  to the vote in a session two days ago: roll call, proxies, a show of hands, a change of
  vote; the result is recorded and waits for the rapporteur to write it into the text.
- « Hébergement des données publiques et souveraineté numérique » had a secret remote vote
  last week that was void (quorum not met); a second secret vote is open now.
- If the recommendations demo leaves « Charte du Conseil supérieur du numérique » or
  « Enseignement obligatoire de l'informatique… » in voting, the charter is adopted by a
  roll call and the school text is rejected by a secret ballot.

`seed(secretariat, members)`: members are 30 users, 10 per college (state, private sector,
civil society, in that order).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from fractions import Fraction

from sqlalchemy import func, select

from ..extensions import db
from ..recommendations.models import Amendment, Recommendation
from ..timeutil import utcnow
from . import services
from .models import Poll

# The remote votes use the rules every poll starts from (simple majority of the votes
# expressed, all members together, half of them voting); the council's own texts need a
# majority in each college, with a third of each voting.
REMOTE = services.DEFAULT_RULES
EACH_COLLEGE = replace(REMOTE, college_quorum=Fraction(1, 3), college_rule="each_college")
OFFSET = {"state": 0, "private_sector": 10, "civil_society": 20}


def _rec(title_start: str, state: str = "voting") -> Recommendation | None:
    return db.session.scalars(
        select(Recommendation).where(
            Recommendation.title.startswith(title_start), Recommendation.state == state
        )
    ).first()


def _votes(members, pattern: dict[str, str]) -> list[tuple[object, str]]:
    """pattern: college -> a string of f/a/s/- (for, against, abstain, no vote) per member."""
    codes = {"f": "for", "a": "against", "s": "abstain"}
    ballots = []
    for college, marks in pattern.items():
        for index, mark in enumerate(marks):
            if mark in codes:
                ballots.append((members[OFFSET[college] + index], codes[mark]))
    return ballots


def _cast_all(poll, ballots, when, skip=()) -> None:
    for offset, (member, choice) in enumerate(ballots):
        if member in skip:
            continue
        services.cast(member, poll, member, choice, now=when + timedelta(minutes=offset))


def _amendment_session(secretariat, members, now) -> None:
    amendment = db.session.scalars(
        select(Amendment)
        .join(Recommendation, Amendment.recommendation_id == Recommendation.id)
        .where(
            Amendment.state == "put_to_vote",
            Recommendation.title.startswith("Clauses numériques types"),
        )
    ).first()
    if amendment is None:
        return
    day = now - timedelta(days=2, hours=3)
    poll = services.create_poll(
        secretariat, amendment=amendment, mode="roll_call", rules=EACH_COLLEGE, now=day
    )
    services.open_poll(secretariat, poll, now=day + timedelta(minutes=5))
    # Two members absent from the session gave a proxy to a colleague of their college.
    services.give_proxy(members[8], poll, members[1], now=day + timedelta(minutes=6))
    services.give_proxy(members[27], poll, members[21], now=day + timedelta(minutes=7))
    ballots = _votes(
        members,
        {
            "state": "ffaff-fs-f",
            "private_sector": "afafsa-ff-",
            "civil_society": "ff-fafs---",
        },
    )
    _cast_all(poll, ballots, day + timedelta(minutes=10))
    services.cast(members[1], poll, members[8], "for", now=day + timedelta(minutes=30))
    services.cast(members[21], poll, members[27], "against", now=day + timedelta(minutes=31))
    # One member changes their mind during the debate.
    services.cast(members[12], poll, members[12], "for", now=day + timedelta(minutes=40))
    # Three members without a device vote by show of hands.
    services.record_show_of_hands(
        secretariat,
        poll,
        {members[5].id: "for", members[19].id: "abstain", members[28].id: "for"},
        now=day + timedelta(minutes=45),
    )
    services.close_poll(secretariat, poll, now=day + timedelta(minutes=50))


def _hosting_remote_votes(secretariat, members, now) -> None:
    rec = _rec("Hébergement des données publiques")
    if rec is None:
        return
    # Last week: a remote secret vote that too few members took part in.
    start = now - timedelta(days=9)
    void = services.create_poll(
        secretariat,
        recommendation=rec,
        mode="secret",
        rules=REMOTE,
        opens_at=start + timedelta(hours=1),
        closes_at=start + timedelta(days=3),
        now=start,
    )
    services.open_poll(None, void, now=start + timedelta(hours=1))
    ballots = _votes(
        members,
        {"state": "ff-f---a--", "private_sector": "-f--a--f--", "civil_society": "f--sf-----"},
    )
    _cast_all(void, ballots, start + timedelta(hours=5))
    services.close_poll(None, void, now=start + timedelta(days=3))
    # Now: a second remote secret vote, open until the end of the week.
    start = now - timedelta(days=2)
    poll = services.create_poll(
        secretariat,
        recommendation=rec,
        mode="secret",
        rules=REMOTE,
        opens_at=start,
        closes_at=now + timedelta(days=5),
        now=start - timedelta(hours=2),
    )
    services.open_poll(None, poll, now=start)
    services.give_proxy(members[14], poll, members[16], now=start + timedelta(hours=1))
    services.give_proxy(members[3], poll, members[7], now=start + timedelta(hours=2))
    ballots = _votes(
        members,
        {"state": "fsf-f-ff-a", "private_sector": "f-af--f-f-", "civil_society": "ff-f-af---"},
    )
    _cast_all(poll, ballots, start + timedelta(hours=3))
    services.cast(members[16], poll, members[14], "for", now=start + timedelta(hours=20))


def _charter_and_school(secretariat, members, now) -> None:
    charter = _rec("Charte du Conseil supérieur du numérique")
    if charter is not None:
        day = now - timedelta(days=12)
        poll = services.create_poll(
            secretariat, recommendation=charter, mode="roll_call", rules=EACH_COLLEGE, now=day
        )
        services.open_poll(secretariat, poll, now=day + timedelta(minutes=2))
        ballots = _votes(
            members,
            {
                "state": "fffff-ffaf",
                "private_sector": "ffsff-fff-",
                "civil_society": "fff-ffafff",
            },
        )
        _cast_all(poll, ballots, day + timedelta(minutes=5))
        services.close_poll(secretariat, poll, now=day + timedelta(minutes=40))
    school = _rec("Enseignement obligatoire de l'informatique")
    if school is not None:
        start = now - timedelta(days=20)
        poll = services.create_poll(
            secretariat,
            recommendation=school,
            mode="secret",
            rules=EACH_COLLEGE,
            opens_at=start,
            closes_at=start + timedelta(days=4),
            now=start - timedelta(days=1),
        )
        services.open_poll(None, poll, now=start)
        ballots = _votes(
            members,
            {
                "state": "aafaa-asaf",
                "private_sector": "afa-fasaf-",
                "civil_society": "ffaf-fa-fs",
            },
        )
        _cast_all(poll, ballots, start + timedelta(hours=2))
        services.close_poll(None, poll, now=start + timedelta(days=4))


def seed(secretariat, members) -> dict:
    now = utcnow().replace(microsecond=0)
    services.set_defaults(secretariat, EACH_COLLEGE, services.DEFAULT_MAX_PROXIES)
    _charter_and_school(secretariat, members, now)
    _amendment_session(secretariat, members, now)
    _hosting_remote_votes(secretariat, members, now)
    db.session.flush()
    return {"polls": db.session.scalar(select(func.count(Poll.id)))}
