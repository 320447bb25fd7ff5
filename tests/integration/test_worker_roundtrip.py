"""A real task, end to end: a message queued by the web app is written out by a real Celery worker,
over Redis and over the embedded filesystem transport."""

from __future__ import annotations

from collections.abc import Callable
from email import parser as email_parser
from email import policy
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader

from consult.core.db import db
from consult.mail import services
from consult.mail.models import Email, EmailStatus
from tests.fixtures.services import current_celery, wait_until

pytestmark = pytest.mark.integration

SECRET = "integration-secret-key-shared-with-the-worker"
TEMPLATE = "Inscription confirmée\nBonjour {{ name }}, votre inscription à la consultation est confirmée."


@pytest.fixture
def live_app(app: Flask, make_app, tmp_path: Path) -> Callable[..., Flask]:
    """An app like production's: not eager, on the suite's database, with its own data folder."""

    def build(redis_url: str | None) -> Flask:
        live = make_app({
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "CONSULT_DATA_DIR": str(tmp_path / "data"),
            "REDIS_URL": redis_url,
            "CELERY_EAGER": False,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "localhost",
        })
        # A message template of the test's own, so the round trip does not hang on wording elsewhere.
        live.jinja_loader = ChoiceLoader([
            DictLoader({"emails/roundtrip.txt": TEMPLATE}),
            live.jinja_loader,
        ])
        return live

    return build


def roundtrip(live: Flask, start_worker, **broker) -> None:
    data_dir = Path(live.config["CONSULT_DATA_DIR"])
    start_worker(database_url=live.config["SQLALCHEMY_DATABASE_URI"], data_dir=data_dir,
                 secret_key=SECRET, **broker)
    with live.test_request_context(), current_celery(live):
        email = services.send("lea.tremblay@exemple.ca", "roundtrip", lang="fr", name="Léa")
        db.session.commit()  # mail.deliver is sent to the broker only now
        email_id = email.id

        def delivered() -> bool:
            db.session.expire_all()
            return db.session.get(Email, email_id).status is EmailStatus.sent

        wait_until(delivered, timeout=30, what=f"the worker to deliver e-mail {email_id}")
        row = db.session.get(Email, email_id)
        assert row.attempts == 1
        assert row.sent_at is not None
        db.session.remove()

    raw = (data_dir / "outbox" / f"{email_id:08d}.eml").read_bytes()
    message = email_parser.BytesParser(policy=policy.default).parsebytes(raw)
    assert message["To"] == "lea.tremblay@exemple.ca"
    assert message["Subject"] == "Inscription confirmée"
    assert "Bonjour Léa, votre inscription" in message.get_body().get_content()


def test_worker_delivers_a_queued_message_over_redis(live_app, celery_worker, redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # nothing left over from another test
    live = live_app(redis_url)
    assert live.extensions["celery"].conf.broker_url == redis_url
    roundtrip(live, celery_worker, redis_url=redis_url)


def test_worker_delivers_a_queued_message_over_the_filesystem_transport(live_app, celery_worker):
    live = live_app(None)
    assert live.extensions["celery"].conf.broker_url == "filesystem://"
    roundtrip(live, celery_worker)
    queue = Path(live.config["CONSULT_DATA_DIR"]) / "broker" / "queue"
    assert list(queue.iterdir()) == []  # the message was consumed and acknowledged


def test_a_rollback_sends_nothing_to_the_broker(live_app):
    live = live_app(None)
    data_dir = Path(live.config["CONSULT_DATA_DIR"])
    with live.test_request_context(), current_celery(live):
        services.send("personne@exemple.ca", "roundtrip", name="Personne")
        db.session.rollback()
        db.session.remove()
    assert list((data_dir / "broker" / "queue").iterdir()) == []
    assert list((data_dir / "outbox").glob("*.eml")) == []
