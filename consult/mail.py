"""One small mail service.

Operations queue messages with `mail.queue()`; they leave only when the transaction that
produced them commits (a rolled-back invitation never sends its link). Backends, chosen by
MAIL_BACKEND: "smtp", "file" (development: .eml files under instance/outbox, links logged)
and "memory" (tests).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session

from .timeutil import utcnow

_PENDING = "consult_pending_mail"


def build(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="consult.local")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)
    return msg


def render(to: str, locale: str, template: str, subject_fn, **context) -> EmailMessage:
    """Render `mail/<template>.txt` and the subject in the recipient's language."""
    with force_locale(locale):
        subject = str(subject_fn())
        body = render_template(f"mail/{template}.txt", **context)
    return build(to, subject, body)


def queue(msg: EmailMessage) -> None:
    from .extensions import db

    db.session.info.setdefault(_PENDING, []).append(msg)


def send_now(msg: EmailMessage) -> None:
    app = current_app._get_current_object()
    backend = app.config["MAIL_BACKEND"]
    if backend == "memory":
        app.extensions.setdefault("consult_outbox", []).append(msg)
    elif backend == "file":
        outbox = Path(app.config["MAIL_OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        name = utcnow().strftime("%Y%m%d-%H%M%S-%f") + ".eml"
        (outbox / name).write_bytes(bytes(msg))
        links = re.findall(r"https?://\S+", msg.get_content())
        app.logger.info("Mail to %s: %s (%s) %s", msg["To"], msg["Subject"], name, " ".join(links))
    elif backend == "smtp":
        cls = smtplib.SMTP_SSL if app.config["MAIL_USE_SSL"] else smtplib.SMTP
        with cls(app.config["MAIL_SERVER"], app.config["MAIL_PORT"], timeout=20) as smtp:
            if app.config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if app.config["MAIL_USERNAME"]:
                smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"] or "")
            smtp.send_message(msg)
    else:
        raise RuntimeError(f"Unknown MAIL_BACKEND {backend!r}")


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for msg in pending:
        try:
            send_now(msg)
        except Exception:  # a mail server outage must not undo a committed change
            current_app.logger.exception("Could not send mail to %s", msg["To"])


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def outbox() -> list[EmailMessage]:
    """Messages sent with the memory backend (tests)."""
    return current_app.extensions.setdefault("consult_outbox", [])
