"""Mail leaves only when its transaction commits: as .eml files in development, by SMTP in
production (tested against a real SMTP server on the loopback interface)."""

from __future__ import annotations

import email
import logging
import socket

import pytest
from aiosmtpd.controller import Controller

from consult import mail
from consult.accounts import services
from consult.extensions import db

from .conftest import login_as
from .helpers import links_in, only_link, path_of

INVITE = {
    "display_name": "Awa Traoré",
    "email": "awa.traore@example.ml",
    "role": "member",
    "college": "state",
    "organisation": "AGETIC",
    "position": "",
    "locale": "fr",
}


def test_nothing_is_sent_when_the_transaction_rolls_back(app, secretariat, outbox):
    services.invite(secretariat, email="x@example.org", display_name="X", college="state")
    db.session.rollback()
    assert outbox == []
    services.invite(secretariat, email="x@example.org", display_name="X", college="state")
    assert outbox == []  # queued, not sent
    db.session.commit()
    assert [msg["To"] for msg in outbox] == ["x@example.org"]


def test_development_writes_eml_files_and_logs_the_links(
    app, client, secretariat, tmp_path, caplog
):
    app.config.update(MAIL_BACKEND="file", MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))
    login_as(client, secretariat)
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        client.post("/secretariat/members/invite", data=INVITE)
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == "awa.traore@example.ml"
    (link,) = links_in(message)
    assert "/invitation/" in link
    assert link in caplog.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collect:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def test_invitation_goes_through_a_real_smtp_server(app, client, secretariat, smtp_server):
    controller, handler = smtp_server
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=controller.port,
        MAIL_DEFAULT_SENDER="Consult <no-reply@csn.example>",
    )
    login_as(client, secretariat)
    response = client.post("/secretariat/members/invite", data=INVITE)
    assert response.status_code == 302

    (sent,) = handler.messages
    mail_from, recipients, content = sent
    assert mail_from == "no-reply@csn.example"
    assert recipients == ["awa.traore@example.ml"]
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    assert "Awa Traoré" in message.get_content()
    (link,) = links_in(message)

    # The link that arrived by SMTP works.
    with client.session_transaction() as sess:
        sess.clear()
    assert client.get(path_of(link)).status_code == 200


def test_a_mail_server_outage_does_not_undo_the_change(app, client, secretariat, caplog):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    login_as(client, secretariat)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = client.post("/secretariat/members/invite", data=INVITE)
    assert response.status_code == 302
    assert services.get_by_email("awa.traore@example.ml") is not None
    assert "Could not send mail to awa.traore@example.ml" in caplog.text


def test_mail_can_be_rendered_outside_a_request(app, member, outbox):
    """Commands (reminders, notifications) render mail without any request."""
    message = mail.render(
        member.email, "en", "verify", lambda: "Subject", user=member, link="L", hours=1
    )
    assert "Hello" in message.get_content()


def test_verification_mail_in_the_registrants_language(client, outbox):
    client.post(
        "/register",
        data={
            "display_name": "Yacouba Sanogo",
            "email": "yacouba@example.ml",
            "password": "a sentence long enough",
            "confirm": "a sentence long enough",
            "accept": "y",
        },
        headers={"Accept-Language": "en"},
    )
    assert outbox[0]["Subject"] == "Confirm your e-mail address"
    assert only_link(outbox, "yacouba@example.ml").startswith("/verify/")
