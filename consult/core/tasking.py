"""Celery bound to the Flask app, and enqueueing only after the database commit.

The database is the source of truth; the broker only carries ids. A task is sent once the rows it
needs are committed, so a worker never looks for a row that is not there yet, and a rollback sends
nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery import Celery, Task
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from consult.core.db import db

_PENDING = "consult_after_commit"


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
        "task_routes": {"mail.*": {"queue": "mail"}},
        "broker_connection_retry_on_startup": True,
        "timezone": "America/Montreal",
        "enable_utc": True,
        "beat_schedule": {
            "mail-sweep": {"task": "mail.sweep", "schedule": 60.0},
        },
        "beat_schedule_filename": str(data / "celerybeat-schedule"),
    }
    if cfg.get("REDIS_URL"):
        settings["broker_url"] = cfg["REDIS_URL"]
        settings["result_backend"] = cfg["REDIS_URL"]
        settings["broker_transport_options"] = {"visibility_timeout": 3600}
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
