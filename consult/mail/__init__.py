"""Outgoing e-mail: every message is a row first (nothing lost if the broker is down), then a worker
writes it to instance/outbox/ or hands it to SMTP."""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.mail import tasks  # noqa: F401  (registers the Celery tasks)
