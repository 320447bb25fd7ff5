"""Log lines emitted inside a Celery task carry its task id and name (and a job id, once a task binds one),
the way lines emitted inside a web request carry the request id.

The task comes from Celery's own stack of running tasks, which its tracer pushes before task_prerun and
pops after task_postrun, in the worker's pool process and for eager calls alike; reading it there (rather
than keeping a copy set by the signals) cannot go stale when a task fails without task_postrun (an eager
call that propagates its error).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar

from celery._state import get_current_task

_job: ContextVar[int | str | None] = ContextVar("consult_job", default=None)


@contextlib.contextmanager
def bind_job(job_id: int | str) -> Iterator[None]:
    """Within the block, log lines also name the job row the task works on."""
    token = _job.set(job_id)
    try:
        yield
    finally:
        _job.reset(token)


def current() -> dict[str, object]:
    """task_id, task and job_id of the task running in this thread, or {} outside a task."""
    context: dict[str, object] = {}
    task = get_current_task()
    request = getattr(task, "request", None) if task is not None else None
    if request is not None and getattr(request, "id", None):
        context["task_id"] = request.id
        context["task"] = task.name
    job = _job.get()
    if job is not None:
        context["job_id"] = job
    return context


class TaskContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in current().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def install() -> None:
    """Add the filter to the handlers of the "consult" logger (set up by consult.core.logs), once."""
    for handler in logging.getLogger("consult").handlers:
        if not any(isinstance(f, TaskContextFilter) for f in handler.filters):
            handler.addFilter(TaskContextFilter())
