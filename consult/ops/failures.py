"""Every task that fails for good becomes a FailedTask row; an admin can send it again."""

from __future__ import annotations

import json
import logging
from typing import Any

from celery import Celery
from flask import Flask, current_app

from consult.core.db import db, now_utc
from consult.core.tasking import enqueue_after_commit, queue_of
from consult.ops.models import FailedTask

log = logging.getLogger("consult.ops")
TRACEBACK_EXCERPT = 4000


def _as_json(value: Any) -> Any:
    """The value if it survives a JSON round trip unchanged, else None (then it cannot be retried)."""
    try:
        return value if json.loads(json.dumps(value)) == value else None
    except (TypeError, ValueError):
        return None


def record(flask_app: Flask, *, task_id: str, task_name: str, args: Any, kwargs: Any, exc: BaseException | None,
           traceback: str | None) -> None:
    """Write the failure in its own session and transaction; a database that is down loses only this row,
    never the task's own state, and is logged."""
    error = describe(exc)
    try:
        with flask_app.app_context():
            db.session.add(FailedTask(
                task_id=str(task_id)[:155], task_name=str(task_name)[:200], queue=queue_of(str(task_name)),
                args=_as_json(list(args or ())), kwargs=_as_json(dict(kwargs or {})),
                error=error[:2000], traceback=(traceback or "")[-TRACEBACK_EXCERPT:] or None,
            ))
            db.session.commit()
    except Exception:
        log.exception("could not record the failure of task %s (%s)", task_name, task_id)
    else:
        log.error("task %s failed for good: %s", task_name, error[:300], extra={"task_id": task_id})


def describe(exc: BaseException | None) -> str:
    """"RuntimeError: disk full", or just "SoftTimeLimitExceeded" when the exception says nothing more."""
    if exc is None:
        return "unknown error"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class _ByName:
    """A task known to the broker by name only (its module is not loaded in this process)."""

    def __init__(self, celery: Celery, name: str) -> None:
        self.celery, self.name = celery, name

    def apply_async(self, args: Any = None, kwargs: Any = None) -> Any:
        return self.celery.send_task(self.name, args=args, kwargs=kwargs)


def retry(failure: FailedTask, by_user_id: int | None) -> None:
    """Mark the failure as retried and send the task again by name once the caller commits."""
    if not failure.retryable:
        raise ValueError("arguments were not kept")
    celery: Celery = current_app.extensions["celery"]
    task = celery.tasks.get(failure.task_name) or _ByName(celery, failure.task_name)
    failure.retried_at = now_utc()
    failure.retried_by_id = by_user_id
    failure.retry_count += 1
    db.session.flush()
    enqueue_after_commit(task, *(failure.args or []), **(failure.kwargs or {}))
