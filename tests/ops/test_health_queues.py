"""/healthz reports how many tasks wait in each queue, so an operator sees which kind of work is behind."""

from __future__ import annotations

import pytest

from tests.fixtures.services import free_port

QUEUES = {"mail", "extraction", "analysis", "compilation", "default"}


@pytest.fixture
def live(app, make_app, tmp_path):
    def build(**config):
        return make_app({"SECRET_KEY": "health-queues-secret-key",
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "CONSULT_DATA_DIR": str(tmp_path / "data"), "CELERY_EAGER": False, **config})

    return build


def send(live_app, name: str, count: int) -> None:
    celery = live_app.extensions["celery"]
    for number in range(count):
        celery.send_task(name, args=[number])


def test_the_backlog_of_each_queue_over_the_filesystem_transport(live):
    app = live()
    send(app, "mail.deliver", 3)
    send(app, "summaries.compile", 1)
    body = app.test_client().get("/healthz").json
    assert body["status"] == "ok"
    assert body["queues"] == {"mail": 3, "compilation": 1, "extraction": 0, "analysis": 0, "default": 0}


@pytest.mark.integration
def test_the_backlog_of_each_queue_over_redis(live, redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    app = live(REDIS_URL=redis_url)
    send(app, "mail.deliver", 2)
    send(app, "extraction.pdf_text", 4)
    body = app.test_client().get("/healthz").json
    assert body["status"] == "ok"
    assert body["queues"] == {"mail": 2, "extraction": 4, "analysis": 0, "compilation": 0, "default": 0}
    redis.Redis.from_url(redis_url).flushdb()


def test_the_backlog_is_unknown_when_redis_is_down(live):
    app = live(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["queues"] == dict.fromkeys(QUEUES, "unknown")
