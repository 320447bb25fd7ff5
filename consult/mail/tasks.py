"""Celery tasks: deliver one message by id; sweep messages whose enqueue was lost."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.mail import delivery
from consult.mail.models import Email, EmailStatus

log = logging.getLogger("consult.mail")
MAX_ATTEMPTS = 8


@shared_task(name="mail.deliver", bind=True, acks_late=True, max_retries=MAX_ATTEMPTS)
def deliver(self, email_id: int) -> str:
    email = db.session.get(Email, email_id)
    if email is None or email.status is not EmailStatus.pending:
        return "skipped"  # a redelivery of a message already sent is a no-op
    email.attempts += 1
    try:
        delivery.transmit(email)
    except Exception as exc:
        email.error = str(exc)[:2000]
        if email.attempts >= MAX_ATTEMPTS:
            email.status = EmailStatus.failed
        db.session.commit()
        log.warning("mail %s not delivered (attempt %s): %s", email_id, email.attempts, exc)
        if email.status is EmailStatus.pending:
            raise self.retry(exc=exc, countdown=min(600, 2 ** email.attempts * 5)) from exc
        return "failed"
    email.status = EmailStatus.sent
    email.sent_at = now_utc()
    email.error = None
    db.session.commit()
    return "sent"


@shared_task(name="mail.sweep")
def sweep() -> int:
    """Re-send messages left pending for fifteen minutes, longer than any retry delay (broker lost, worker died)."""
    cutoff = now_utc() - timedelta(minutes=15)
    ids = db.session.scalars(select(Email.id).where(Email.status == EmailStatus.pending,
                                                    Email.updated_at < cutoff).limit(500)).all()
    for email_id in ids:
        deliver.delay(email_id)
    return len(ids)
