"""Celery signal handlers: task metrics, failed tasks recorded, per-queue worker defaults and the worker's
metrics port. Connected once per process (dispatch_uid); each handler finds the Flask app through the Celery
app of the task (consult.ops.init_app sets `celery.flask_app`)."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import signals

from consult.core.tasking import queue_of, worker_defaults_for
from consult.ops import failures, metrics

log = logging.getLogger("consult.ops")


def _flask_app(task: Any):
    return getattr(getattr(task, "app", None), "flask_app", None)


@signals.task_prerun.connect(weak=False, dispatch_uid="consult.ops.task_prerun")
def _prerun(sender=None, task_id=None, **_: Any) -> None:
    metrics.task_started(task_id)


@signals.task_postrun.connect(weak=False, dispatch_uid="consult.ops.task_postrun")
def _postrun(sender=None, task_id=None, state=None, **_: Any) -> None:
    name = getattr(sender, "name", "?")
    metrics.task_finished(task_id, name, queue_of(name), state)


@signals.task_retry.connect(weak=False, dispatch_uid="consult.ops.task_retry")
def _retried(sender=None, **_: Any) -> None:
    name = getattr(sender, "name", "?")
    metrics.TASK_RETRIES.labels(name, queue_of(name)).inc()


@signals.task_failure.connect(weak=False, dispatch_uid="consult.ops.task_failure")
def _failed(sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **_: Any) -> None:
    # Sent only for a failure for good: a task that schedules a retry sends task_retry instead.
    name = getattr(sender, "name", "?")
    metrics.TASK_FAILURES.labels(name, queue_of(name)).inc()
    flask_app = _flask_app(sender)
    if flask_app is not None:
        failures.record(flask_app, task_id=task_id, task_name=name, args=args, kwargs=kwargs, exc=exception,
                        traceback=getattr(einfo, "traceback", None))


@signals.celeryd_init.connect(weak=False, dispatch_uid="consult.ops.worker_defaults")
def _worker_defaults(sender=None, conf=None, options=None, **_: Any) -> None:
    """A worker takes the concurrency and memory limit of the queues it consumes (CONSULT_QUEUES) unless
    --concurrency / --max-memory-per-child are given on its command line."""
    settings = getattr(conf, "consult_queues", None) if conf is not None else None
    if not settings:
        return
    options = options or {}
    queues = options.get("queues") or list(settings)
    if isinstance(queues, str):
        queues = [q.strip() for q in queues.split(",") if q.strip()]
    defaults = worker_defaults_for(queues, settings)
    if options.get("concurrency") in (None, 0):
        conf.worker_concurrency = defaults["worker_concurrency"]
    if options.get("max_memory_per_child") is None:
        conf.worker_max_memory_per_child = defaults["worker_max_memory_per_child"]


@signals.worker_ready.connect(weak=False, dispatch_uid="consult.ops.worker_metrics")
def _worker_metrics(sender=None, **_: Any) -> None:
    flask_app = getattr(getattr(sender, "app", None), "flask_app", None)
    if flask_app is None or not flask_app.config["CONSULT_WORKER_METRICS_PORT"]:
        return
    if not metrics.multiprocess_dir():
        log.warning("worker metrics: set PROMETHEUS_MULTIPROC_DIR, or the tasks run in pool processes "
                    "will not be counted")
    metrics.serve_worker_metrics(flask_app.config["CONSULT_WORKER_METRICS_ADDR"],
                                 flask_app.config["CONSULT_WORKER_METRICS_PORT"],
                                 flask_app.config["CONSULT_METRICS_TOKEN"])


@signals.worker_process_shutdown.connect(weak=False, dispatch_uid="consult.ops.worker_process_shutdown")
def _process_gone(pid=None, **_: Any) -> None:
    # The live counters of a replaced pool process are merged into the totals, not left as a gauge.
    if metrics.multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())
