"""Hand a message to SMTP, or write it into the outbox folder when no SMTP server is configured."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from consult.mail.models import Email


def build(email: Email) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["CONSULT_MAIL_FROM"]
    msg["To"] = email.to_addr
    msg["Subject"] = email.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=str(email.id), domain="consult")
    msg.set_content(email.body_text)
    return msg


def outbox_dir() -> Path:
    return Path(current_app.config["CONSULT_DATA_DIR"]) / "outbox"


def transmit(email: Email) -> None:
    msg = build(email)
    cfg = current_app.config
    if not cfg["CONSULT_MAIL_SERVER"]:
        # Named by id: writing it again on a redelivery replaces the same file, never duplicates it.
        path = outbox_dir() / f"{email.id:08d}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(bytes(msg))
        tmp.replace(path)
        return
    with smtplib.SMTP(cfg["CONSULT_MAIL_SERVER"], cfg["CONSULT_MAIL_PORT"], timeout=30) as smtp:
        if cfg["CONSULT_MAIL_STARTTLS"]:
            smtp.starttls()
        if cfg["CONSULT_MAIL_USERNAME"]:
            smtp.login(cfg["CONSULT_MAIL_USERNAME"], cfg["CONSULT_MAIL_PASSWORD"] or "")
        smtp.send_message(msg)
