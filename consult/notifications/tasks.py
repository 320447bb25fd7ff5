"""Celery task: the daily digest of notices (scheduled by beat at CONSULT_DIGEST_HOUR, local time)."""

from __future__ import annotations

import logging

from celery import shared_task

from consult.core.db import db
from consult.notifications import services

log = logging.getLogger("consult.notifications")


@shared_task(name="notifications.digest", acks_late=True)
def digest() -> int:
    """One e-mail per person with waiting notices. Idempotent: notices are claimed and the e-mail queued in
    one commit per person, so a second run (or one running at the same time) finds nothing to send."""
    sent = 0
    for user_id in services.users_with_pending_notices():
        try:
            sent += services.send_digest(user_id)
            db.session.commit()
        except Exception:
            db.session.rollback()  # this person's notices stay unsent for the next run; go on with the others
            log.exception("digest for user %s failed", user_id)
    return sent
