"""Celery task of rounds: the beat scheduler's tick (every 60 s) opens and closes rounds on time."""

from __future__ import annotations

from celery import shared_task

from consult.core.db import db
from consult.rounds import services


@shared_task(name="rounds.tick")
def tick() -> dict[str, list[int]]:
    """Idempotent and safe when two run at once: each round is claimed by a conditional UPDATE."""
    try:
        changed = services.tick()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return changed
