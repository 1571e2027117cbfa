"""Benchmark: 300 entitled members cast their ballots at once, over HTTP, on PostgreSQL.

    .venv/bin/python bench/votes.py                  # roll-call poll
    .venv/bin/python bench/votes.py --mode secret    # secret ballot
    .venv/bin/python bench/votes.py --double         # every member submits twice at once

What it does, in order:

1. creates a throw-away PostgreSQL database (a unique name on the server of --database-url,
   dropped at the end) and its schema: `flask db upgrade` when the migrations cover every
   table (`flask db check` passes), else `db.create_all()` (it says which);
2. creates 300 members (100 per college, one precomputed argon2 hash for all), a
   recommendation in the voting stage (through the recommendation services) and a poll on
   it, and opens it;
3. starts the application under gunicorn (two workers by default) on 127.0.0.1, with the
   production configuration pointed at that database (rate limits off, mail to a file);
4. before the clock starts: logs every member in (a session cookie made with the app's own
   key, exactly as Flask-Login writes it, so that argon2 is not measured) and fetches each
   member's CSRF token from their voting page;
5. the timed phase: all the `POST /polls/<id>/cast` requests (the last step of a vote, after
   the confirmation page) are released at once to a pool of client threads;
   Before that, for comparison, the same clients load two pages that write nothing, once per
   member: the health check (one SELECT 1, no session) and /about as a logged-in member
   (session, account, page): what this machine serves at most through the same stack;
6. closes the poll through the service (timed), then checks: one counted ballot per member,
   no duplicate, every receipt handed out found in the ballot list, the stored result equal
   to the ballots, the audit log's chain intact, and `flask consult verify-poll`.

Prints the figures: ballots per second (members / wall time of the casting phase), p50 and
p95 latency, errors; while casting, how many database sessions were busy and how many waited
for a row lock, and on what (the poll's row, the audit log's head); the CPU time per request
of the gunicorn workers, of PostgreSQL and of this client; the load average (other processes
on the machine count). Exits 1 if a bar is missed (an error, a lost or double ballot, fewer
than --bar ballots per second). Talks only to 127.0.0.1 (and to the PostgreSQL server named,
which must be on this machine). `--worker-class gthread --threads 4` tries threaded workers.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha512
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
COLLEGES = ("state", "private_sector", "civil_society")
CHOICES = ("for", "against", "abstain")
USER_AGENT = "consult-bench/1"
PASSWORD = "bench password not used to log in"  # noqa: S105
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RECEIPT = re.compile(r'<p class="receipt-code"><code>([A-Z2-7-]{19})</code>')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server URL: a fresh database is created next to the one it names",
    )
    parser.add_argument("--mode", choices=("roll_call", "secret"), default="roll_call")
    parser.add_argument("--double", action="store_true", help="each member submits twice at once")
    parser.add_argument("--members", type=int, default=300, help="entitled members (default 300)")
    parser.add_argument("--clients", type=int, default=100, help="client threads (default 100)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn worker class (sync, gthread)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--bar", type=float, default=300.0, help="ballots per second required")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and the server's log"
    )
    args = parser.parse_args(argv)
    if not 3 <= args.members <= 5000 or not 1 <= args.clients <= 500:
        parser.error("--members must be 3..5000 and --clients 1..500")
    return args


# --------------------------------------------------------------------------------------------
# The database
# --------------------------------------------------------------------------------------------


def _psycopg_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql+psycopg://", url)


def _plain_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", url)


class Database:
    """A database created for this run on the server of `server_url`, dropped by drop()."""

    def __init__(self, server_url: str) -> None:
        parts = urlsplit(_plain_url(server_url))
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("bench/votes.py only talks to a PostgreSQL server on this machine")
        self.name = f"consult_bench_{uuid.uuid4().hex[:10]}"
        self.server_url = _plain_url(server_url)
        self.url = self.server_url.rsplit("/", 1)[0] + "/" + self.name

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def app_env(db: Database, tmp: Path, secret_key: str) -> dict[str, str]:
    """The environment of every process of the run: production config on the bench DB."""
    env = dict(os.environ)
    env.update(
        CONSULT_ENV="production",
        FLASK_APP="wsgi.py",
        DATABASE_URL=db.url,
        SECRET_KEY=secret_key,
        RATELIMIT_ENABLED="false",
        MAIL_BACKEND="file",
        MAIL_OUTBOX_DIR=str(tmp / "outbox"),
        CONSULT_INSTANCE_DIR=str(tmp / "instance"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def create_schema(db: Database, env: dict[str, str]) -> str:
    """Migrations if they cover the models, else create_all() on a fresh database."""
    upgrade = flask(env, "db", "upgrade")
    check = flask(env, "db", "check") if upgrade.returncode == 0 else None
    if check is not None and check.returncode == 0:
        return "flask db upgrade (flask db check: the migrations cover every table)"
    why = (upgrade.stderr if check is None else check.stdout + check.stderr).strip().splitlines()
    db.drop()
    db.create()
    app = make_app(env)
    from consult.extensions import db as sqla

    with app.app_context():
        sqla.create_all()
        sqla.engine.dispose()
    detail = why[-1] if why else "failed"
    tables = detail.count("'add_table'")
    if tables:
        detail = f"{tables} tables not in the migrations yet"
    return f"db.create_all() (flask db check: {detail[:120]})"


def make_app(env: dict[str, str]):
    """The application in this process, configured as the gunicorn workers are."""
    from consult import create_app

    return create_app(
        "production",
        SQLALCHEMY_DATABASE_URI=_psycopg_url(env["DATABASE_URL"]),
        SECRET_KEY=env["SECRET_KEY"],
        RATELIMIT_ENABLED=False,
        MAIL_BACKEND="file",
        MAIL_OUTBOX_DIR=env["MAIL_OUTBOX_DIR"],
    )


# --------------------------------------------------------------------------------------------
# The council, the text and the poll
# --------------------------------------------------------------------------------------------


@dataclass
class Member:
    id: int
    college: str
    cookie: str = ""  # "session=..." as the browser sends it
    csrf: str = ""


def seed(app, n_members: int, mode: str) -> tuple[int, list[Member]]:
    """Members, a recommendation in voting, an open poll. Returns (poll id, members)."""
    from sqlalchemy import insert, select

    from consult.accounts.models import User
    from consult.accounts.services import hash_password
    from consult.extensions import db
    from consult.recommendations import services as recommendations
    from consult.recommendations.lifecycle import transition
    from consult.recommendations.models import Theme
    from consult.timeutil import utcnow
    from consult.votes import services

    with app.test_request_context():
        now = utcnow()
        one_hash = hash_password(PASSWORD)
        secretariat = User(
            email="secretariat@bench.example",
            display_name="Secrétariat du banc d'essai",
            role="secretariat",
            password_hash=one_hash,
            email_verified_at=now,
            totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
            totp_enabled=True,
        )
        db.session.add(secretariat)
        db.session.flush()
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"membre{i:04d}@bench.example",
                    "display_name": f"Membre {i:04d}",
                    "role": "member",
                    "college": COLLEGES[i % 3],
                    "organisation": f"Organisation {i:04d}",
                    "password_hash": one_hash,
                    "email_verified_at": now,
                    "locale": "fr",
                    "active": True,
                    "totp_enabled": False,
                    "session_token": uuid.uuid4().hex,
                    "created_at": now,
                }
                for i in range(n_members)
            ],
        )
        recommendations.ensure_default_themes(secretariat)
        theme = db.session.scalars(select(Theme).order_by(Theme.id)).first()
        rec = recommendations.create(
            secretariat,
            title="Ouverture du point d'échange Internet de Bamako",
            summary="Banc d'essai du vote.",
            body="Le Conseil recommande l'ouverture du point d'échange.\n\nAux mêmes conditions.",
            theme_ids=[theme.id],
        )
        transition(secretariat, rec, "deliberation")
        transition(secretariat, rec, "consolidation", "Banc d'essai.")
        transition(secretariat, rec, "voting")
        poll = services.create_poll(
            secretariat,
            recommendation=rec,
            mode=mode,
            rules=services.DEFAULT_RULES,  # quorum half, simple majority of votes expressed
        )
        services.open_poll(secretariat, poll)
        db.session.commit()
        rows = db.session.execute(
            select(User.id, User.college, User.session_token)
            .where(User.role == "member")
            .order_by(User.id)
        ).all()
        members = [Member(uid, college) for uid, college, _token in rows]
        cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
        signer = app.session_interface.get_signing_serializer(app)
        identifier = sha512(USER_AGENT.encode()).hexdigest()
        for member, (uid, _college, token) in zip(members, rows, strict=True):
            # What Flask-Login stores at login (strong session protection: the browser's id).
            value = signer.dumps({"_user_id": f"{uid}:{token}", "_fresh": True, "_id": identifier})
            member.cookie = f"{cookie_name}={value}"
        poll_id = poll.id
        db.session.remove()
        db.engine.dispose()
    return poll_id, members


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, cookie: str, body: str | None = None):
    """One request on a fresh connection: (status, headers, text, seconds)."""
    headers = {"User-Agent": USER_AGENT, "Cookie": cookie, "Host": f"127.0.0.1:{port}"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        return response.status, response, text, time.perf_counter() - started
    finally:
        conn.close()


def _session_cookie(response, name: str) -> str | None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith(name + "="):
            return value.split(";", 1)[0]
    return None


def start_gunicorn(env: dict[str, str], port: int, args: argparse.Namespace, tmp: Path):
    command = [
        str(BIN / "gunicorn"),
        "-w",
        str(args.workers),
        "-k",
        args.worker_class,
        "--threads",
        str(args.threads),
        "-b",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "wsgi:app",
    ]
    log = open(tmp / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped:\n" + (tmp / "gunicorn.log").read_text())
        with contextlib.suppress(OSError):
            if request(port, "GET", "/", "")[0] == 200:
                return process, " ".join(command[1:])
        time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn did not answer within 60 s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (the gunicorn workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                pids += [int(child) for child in handle.read().split()]
    for each in pids:
        with contextlib.suppress(OSError), open(f"/proc/{each}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def postgres_cpu_seconds() -> float | None:
    """CPU time of the local PostgreSQL server's processes (None if not readable)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, found = 0.0, False
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            with open(f"/proc/{entry}/comm") as handle:
                if handle.read().strip() not in ("postgres", "postmaster"):
                    continue
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            found = True
    return total if found else None


def stop(process) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log.close()


def prepare(port: int, poll_id: int, members: list[Member], cookie_name: str, clients: int):
    """Each member opens their voting page: checks the session, gets the CSRF token."""
    problems = []

    def one(member: Member) -> None:
        status, response, text, _seconds = request(
            port, "GET", f"/polls/{poll_id}/vote", member.cookie
        )
        match = CSRF_FIELD.search(text)
        if status != 200 or not match:
            problems.append(f"member {member.id}: GET vote page -> {status}")
            return
        member.csrf = match.group(1)
        member.cookie = _session_cookie(response, cookie_name) or member.cookie

    run_pool([lambda m=m: one(m) for m in members], clients)
    if problems:
        raise SystemExit("could not prepare the members:\n" + "\n".join(problems[:10]))


def run_pool(jobs: list, clients: int) -> float:
    """Run the jobs on `clients` threads, all released together; returns the wall time."""
    queue = list(reversed(jobs))
    lock = threading.Lock()
    start = threading.Barrier(min(clients, len(jobs)) + 1)

    def worker() -> None:
        start.wait()
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            job()

    threads = [threading.Thread(target=worker) for _ in range(min(clients, len(jobs)))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began


@dataclass
class Cast:
    member: Member
    choice: str
    status: int = 0
    seconds: float = 0.0
    receipt: str | None = None
    outcome: str = ""  # "cast", "refused", "error"
    detail: str = ""


class LockSampler:
    """Samples the bench database's sessions during the casting phase: how many are busy, and
    how many wait for a row lock, by what they wait on (the audit head, the poll row)."""

    def __init__(self, url: str, interval: float = 0.005) -> None:
        self.url, self.interval = url, interval
        self.samples = 0
        self.busy = 0
        self.waiting: Counter = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LockSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        sql = (
            "SELECT wait_event_type, query FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state = 'active'"
        )
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute(sql).fetchall()
                self.samples += 1
                self.busy += len(rows)
                for wait_type, query in rows:
                    if wait_type == "Lock":
                        self.waiting[_lock_target(query)] += 1
                time.sleep(self.interval)

    def summary(self) -> str:
        if not self.samples:
            return "no sample"
        n = self.samples
        waits = ", ".join(f"{what} {count / n:.2f}" for what, count in self.waiting.most_common())
        return (
            f"{self.busy / n:.2f} sessions busy on average, waiting for a row lock: "
            f"{sum(self.waiting.values()) / n:.2f} ({waits or 'none'})"
        )


def _lock_target(query: str) -> str:
    text = " ".join(query.split()).lower()
    if "from audit_head" in text or "update audit_head" in text:
        return "audit head"
    if "from polls" in text or "update polls" in text:
        return "poll row"
    if "insert into participations" in text:
        return "the same member's other ballot"
    return "other"


def fire(port: int, poll_id: int, casts: list[Cast], clients: int) -> float:
    def one(cast: Cast) -> None:
        body = f"csrf_token={cast.member.csrf}&voter={cast.member.id}&choice={cast.choice}"
        try:
            status, response, text, seconds = request(
                port, "POST", f"/polls/{poll_id}/cast", cast.member.cookie, body
            )
        except OSError as error:
            cast.outcome, cast.detail = "error", repr(error)
            return
        cast.status, cast.seconds = status, seconds
        match = RECEIPT.search(text)
        if status == 200 and match:
            cast.outcome, cast.receipt = "cast", match.group(1)
        elif status in (302, 303) and response.getheader("Location", "").endswith(
            f"/polls/{poll_id}"
        ):
            cast.outcome = "refused"  # a clear refusal (a second secret ballot): not an error
        else:
            cast.outcome, cast.detail = "error", f"{status} {response.getheader('Location', '')}"

    return run_pool([lambda c=c: one(c) for c in casts], clients)


def reference(port: int, path: str, members: list[Member], cookie: bool, clients: int, pid: int):
    """The same clients loading a page that writes nothing, once per member: what this machine
    serves at most through the same stack (pages per second, worker CPU per page)."""
    before = cpu_seconds(pid)
    wall = run_pool(
        [lambda m=m: request(port, "GET", path, m.cookie if cookie else "") for m in members],
        clients,
    )
    return len(members) / wall, (cpu_seconds(pid) - before) * 1000 / len(members)


# --------------------------------------------------------------------------------------------
# Closing and checking
# --------------------------------------------------------------------------------------------


@dataclass
class Checks:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def expect(self, ok: bool, text: str) -> None:
        self.lines.append(("ok    " if ok else "FAIL  ") + text)
        if not ok:
            self.failures.append(text)


def close_and_check(app, poll_id: int, casts: list[Cast], n_members: int) -> tuple[float, Checks]:
    from sqlalchemy import func, select

    from consult.accounts.models import User
    from consult.audit.models import AuditEntry
    from consult.audit.services import verify_chain
    from consult.extensions import db
    from consult.votes import services
    from consult.votes.models import Participation, Poll, RollCallBallot, SecretBallot

    checks = Checks()
    with app.test_request_context():
        secretariat = db.session.scalars(select(User).where(User.role == "secretariat")).one()
        poll = db.session.get(Poll, poll_id)
        started = time.perf_counter()
        result = services.close_poll(secretariat, poll)
        db.session.commit()
        close_seconds = time.perf_counter() - started

        accepted = [c for c in casts if c.outcome == "cast"]
        members_cast = {c.member.id for c in accepted}
        participations = db.session.scalar(
            select(func.count()).where(Participation.poll_id == poll_id)
        )
        if poll.mode == "roll_call":
            counted = db.session.execute(
                select(RollCallBallot.voter_id, RollCallBallot.choice).where(
                    RollCallBallot.poll_id == poll_id, RollCallBallot.is_current.is_(True)
                )
            ).all()
            stored = db.session.scalar(
                select(func.count()).where(RollCallBallot.poll_id == poll_id)
            )
            per_voter = Counter(voter for voter, _choice in counted)
            doubles = sum(1 for n in per_voter.values() if n > 1)
            checks.expect(
                stored == len(accepted),
                f"ballots stored (all, changes of vote included) {stored} == "
                f"receipts handed out {len(accepted)}",
            )
        else:
            counted = db.session.execute(
                select(SecretBallot.college, SecretBallot.choice).where(
                    SecretBallot.poll_id == poll_id
                )
            ).all()
            doubles = len(counted) - participations
            checks.expect(
                len(accepted) == n_members,
                f"receipts handed out {len(accepted)} == members {n_members} (one each)",
            )
        checks.expect(
            len(counted) == n_members,
            f"counted ballots {len(counted)} == members {n_members}",
        )
        checks.expect(members_cast == {c.member.id for c in casts}, "every member got a receipt")
        checks.expect(
            participations == n_members, f"participations {participations} == {n_members}"
        )
        checks.expect(doubles == 0, f"members counted twice: {doubles}")

        # Every receipt handed out is in the ballot list; one counted receipt per member.
        counted_receipts = Counter()
        unknown = 0
        for cast in accepted:
            status = services.check_receipt(poll, cast.receipt)
            if status.status == "unknown":
                unknown += 1
            elif status.status == "counted":
                counted_receipts[cast.member.id] += 1
                if status.choice != cast.choice:
                    unknown += 1
        checks.expect(unknown == 0, f"receipts missing or with another choice: {unknown}")
        checks.expect(
            len(counted_receipts) == n_members and set(counted_receipts.values()) == {1},
            "exactly one counted receipt per member",
        )

        # The stored result is the count of the stored ballots.
        by_choice = Counter(choice for _who, choice in counted)
        overall = result.result["overall"]
        checks.expect(
            (overall["for"], overall["against"], overall["abstain"])
            == (by_choice["for"], by_choice["against"], by_choice["abstain"])
            and overall["ballots"] == len(counted),
            f"result {overall['for']}/{overall['against']}/{overall['abstain']} "
            f"(for/against/abstain) == stored ballots "
            f"{by_choice['for']}/{by_choice['against']}/{by_choice['abstain']}",
        )
        audited = db.session.scalar(
            select(func.count()).where(
                AuditEntry.action.in_(("poll.ballot_cast", "poll.participation")),
                AuditEntry.target_id == str(poll_id),
            )
        )
        checks.expect(audited == len(accepted), f"audit entries for ballots {audited}")
        report = verify_chain()
        checks.expect(report.ok, f"audit chain intact ({report.checked} entries)")
        db.session.remove()
        db.engine.dispose()
    return close_seconds, checks


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    db = Database(args.database_url)
    tmp = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    env = app_env(db, tmp, secret_key=uuid.uuid4().hex)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "CONSULT_INSTANCE_DIR")})
    gunicorn = None
    print(f"bench/votes.py  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {os.cpu_count()} CPU(s)")
    db.create()
    try:
        schema = create_schema(db, env)
        print(f"database   {db.name} (dropped at the end); schema by {schema}")
        app = make_app(env)
        poll_id, members = seed(app, args.members, args.mode)
        n = len(members)
        print(f"poll       {args.mode}, {n} entitled members ({n // 3} per college), open")
        port = free_port()
        gunicorn, command = start_gunicorn(env, port, args, tmp)
        print(f"server     gunicorn {command}")
        cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
        prepare(port, poll_id, members, cookie_name, args.clients)

        rng = random.Random(args.seed)
        casts = []
        for member in members:
            first = rng.choice(CHOICES)
            casts.append(Cast(member, first))
            if args.double:
                casts.append(Cast(member, rng.choice([c for c in CHOICES if c != first])))
        for label, path, cookie in (
            ("GET /health (one SELECT 1, no session)", "/health", False),
            ("GET /about as a member (session, account, page)", "/about", True),
        ):
            pages, page_cpu = reference(port, path, members, cookie, args.clients, gunicorn.pid)
            print(f"compare    {label}: {pages:.0f} per second, {page_cpu:.1f} ms worker CPU each")
        load = os.getloadavg()[0]
        cpu_before = (cpu_seconds(gunicorn.pid), postgres_cpu_seconds(), time.process_time())
        with LockSampler(db.url) as sampler:
            wall = fire(port, poll_id, casts, args.clients)
        cpu_after = (cpu_seconds(gunicorn.pid), postgres_cpu_seconds(), time.process_time())
        stop(gunicorn)
        gunicorn = None

        latencies = [c.seconds for c in casts if c.seconds]
        outcomes = Counter(c.outcome for c in casts)
        errors = [c for c in casts if c.outcome == "error"]
        rate = n / wall
        print(
            f"casting    {len(casts)} requests ({'two' if args.double else 'one'} per member) "
            f"from {args.clients} client threads, released at once"
        )
        print(
            f"           wall time {wall:.3f} s  ->  {rate:.0f} ballots per second"
            + (f" ({len(casts) / wall:.0f} requests per second)" if args.double else "")
        )
        print(
            f"           latency p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
            f"max {max(latencies, default=0) * 1000:.0f} ms"
        )
        print(
            f"           receipts {outcomes['cast']}, refused {outcomes['refused']}, "
            f"errors {len(errors)}"
        )
        for cast in errors[:5]:
            print(f"           error: member {cast.member.id}: {cast.detail}")
        print(f"database   {sampler.summary()}")
        used = [
            None if b is None or a is None else (a - b) * 1000 / len(casts)
            for b, a in zip(cpu_before, cpu_after, strict=True)
        ]
        print(
            "cpu        per request: gunicorn workers "
            + " ms, PostgreSQL (all of it) ".join(
                "?" if u is None else f"{u:.1f}" for u in used[:2]
            )
            + f" ms, this client {used[2]:.1f} ms"
        )
        print(f"machine    load average {load:.1f} when the casting began (other processes count)")

        close_seconds, checks = close_and_check(app, poll_id, casts, n)
        print(f"closing    close and tally in {close_seconds * 1000:.0f} ms")
        verify = flask(env, "consult", "verify-poll", str(poll_id))
        checks.expect(
            verify.returncode == 0,
            "flask consult verify-poll: "
            + (verify.stdout + verify.stderr).strip().replace("\n", " | "),
        )
        checks.expect(not errors, f"no HTTP error ({len(errors)})")
        checks.expect(rate >= args.bar, f"{rate:.0f} ballots per second >= {args.bar:.0f}")
        for line in checks.lines:
            print("check      " + line)
        print("result     " + ("PASS" if not checks.failures else "FAIL"))
        return 0 if not checks.failures else 1
    finally:
        if gunicorn is not None:
            stop(gunicorn)
        if args.keep:
            print(f"kept       {db.url} and {tmp}")
        else:
            db.drop()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
