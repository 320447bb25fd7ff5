"""Celery bound to the Flask app, and enqueueing only after the database commit.

The database is the source of truth; the broker only carries ids. A task is sent once the rows it
needs are committed, so a worker never looks for a row that is not there yet, and a rollback sends
nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask
from kombu import Exchange, Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

from consult.core.db import db

_PENDING = "consult_after_commit"

# Tasks are routed by the prefix of their name, so a flood of PDFs never delays a receipt: each kind of work
# has its own queue, and workers are started per queue group (docs/operations.md). Anything else: "default".
ROUTES: dict[str, str] = {
    "mail.*": "mail",
    "extraction.*": "extraction",
    "analysis.*": "analysis",
    "summaries.*": "compilation",
}


def queue_of(task_name: str) -> str:
    """The queue a task of this name is routed to."""
    for pattern, queue in ROUTES.items():
        if task_name.startswith(pattern[:-1]):
            return queue
    return "default"


class QueueLimits:
    """Celery annotation giving each task the time limits and rate limit of its queue (CONSULT_QUEUES).

    A worker started with --time-limit/--soft-time-limit uses those for tasks that have none; these
    per-queue values come first, so set them in configuration rather than on the command line.
    """

    def __init__(self, queues: dict[str, dict[str, Any]]) -> None:
        self.queues = queues

    def annotate(self, task: Task) -> dict[str, Any] | None:
        settings = self.queues.get(queue_of(task.name))
        if settings is None:
            return None
        limits = {"soft_time_limit": settings["soft_time_limit"], "time_limit": settings["time_limit"]}
        if settings.get("rate_limit"):
            limits["rate_limit"] = settings["rate_limit"]
        return limits

    def annotate_any(self) -> None:
        return None


def init_celery(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(_celery_settings(app))
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def _celery_settings(app: Flask) -> dict[str, Any]:
    cfg = app.config
    data = Path(cfg["CONSULT_DATA_DIR"])
    settings: dict[str, Any] = {
        "task_always_eager": cfg["CELERY_EAGER"],
        "task_eager_propagates": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": "default",
        # Declared, so that a worker started without -Q consumes every queue (as `make run` does).
        "task_queues": [Queue(name, Exchange(name), routing_key=name) for name in cfg["CONSULT_QUEUES"]],
        "task_routes": {pattern: {"queue": queue} for pattern, queue in ROUTES.items()},
        "task_annotations": [QueueLimits(cfg["CONSULT_QUEUES"])],
        # Per-queue worker settings, read by consult.ops when a worker starts (see worker_defaults_for).
        "consult_queues": cfg["CONSULT_QUEUES"],
        "broker_connection_retry_on_startup": True,
        "timezone": "America/Montreal",
        "enable_utc": True,
        "beat_schedule": {
            "mail-sweep": {"task": "mail.sweep", "schedule": 60.0},
            # Rounds open and close on time (within a minute); the tick is idempotent.
            "rounds-tick": {"task": "rounds.tick", "schedule": 60.0},
            # Summaries: recompile open rounds, compile closed ones once more, resend lost jobs.
            "summaries-tick": {"task": "summaries.tick", "schedule": 60.0},
            # Daily digests of notices, at the configured local hour (beat runs in America/Montreal).
            "notices-digest": {"task": "notifications.digest",
                               "schedule": crontab(minute=0, hour=cfg["CONSULT_DIGEST_HOUR"])},
        },
        "beat_schedule_filename": str(data / "celerybeat-schedule"),
    }
    if cfg.get("REDIS_URL"):
        settings["broker_url"] = cfg["REDIS_URL"]
        settings["result_backend"] = cfg["REDIS_URL"]
        timeout = cfg["CONSULT_REDIS_TIMEOUT"]
        settings["broker_transport_options"] = {
            # A task not acknowledged by then (its worker died) goes to another worker; it must outlast
            # the longest time limit, which the configuration checks.
            "visibility_timeout": cfg["CONSULT_BROKER_VISIBILITY_TIMEOUT"],
            "unacked_restore_interval": cfg["CONSULT_BROKER_RESTORE_INTERVAL"],
            "unacked_restore_throttle": 1,
            # A Redis that is down or unreachable fails fast instead of hanging a web request.
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
        }
        # Without this, sending a task while Redis is down blocks the request for about 20 s: the result
        # backend retries its subscription twenty times. Sending fails fast instead; the sweeper resends.
        settings["result_backend_transport_options"] = {
            "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        }
        settings["redis_socket_connect_timeout"] = timeout
        settings["redis_socket_timeout"] = timeout
        settings["broker_connection_timeout"] = timeout
    else:
        # A transport that needs no server: messages are files in the instance folder.
        folder = data / "broker"
        for sub in ("queue", "processed", "results", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        settings["broker_url"] = "filesystem://"
        settings["broker_transport_options"] = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            "polling_interval": 0.5,  # seconds between looks at the queue folder
            "control_folder": str(folder / "control"),  # else kombu writes it into the current directory
        }
        settings["result_backend"] = f"file://{folder / 'results'}"
    return settings


def worker_defaults_for(queues: list[str] | tuple[str, ...], settings: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Concurrency and memory limit of a worker consuming `queues`: the largest concurrency and the
    smallest memory limit among them (a process that outgrows any of its queues' limits is replaced)."""
    chosen = [settings[q] for q in queues if q in settings] or [settings["default"]]
    return {
        "worker_concurrency": max(s["concurrency"] for s in chosen),
        "worker_max_memory_per_child": min(s["max_memory_per_child"] for s in chosen),
    }


def enqueue_after_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send `task` once the current transaction commits; forget it if it rolls back."""
    db.session.info.setdefault(_PENDING, []).append((task, args, kwargs))


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for task, args, kwargs in pending:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # broker down: the row stays pending and the sweeper sends it later
            import logging

            logging.getLogger("consult.tasks").exception("could not enqueue %s; the sweeper will retry",
                                                         task.name)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
