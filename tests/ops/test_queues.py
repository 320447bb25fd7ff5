"""Queues by kind of work: tasks routed by name, each queue's time limits, rate limit, concurrency and memory
limit taken from configuration."""

from __future__ import annotations

import json

import pytest
from celery import signals

from consult.config import ConfigError
from consult.core.tasking import worker_defaults_for


def routed(app, task_name: str) -> str:
    return app.extensions["celery"].amqp.router.route({}, task_name)["queue"].name


def test_each_kind_of_work_has_its_own_queue(app):
    assert routed(app, "mail.deliver") == "mail"
    assert routed(app, "extraction.pdf_text") == "extraction"
    assert routed(app, "analysis.keyphrases") == "analysis"
    assert routed(app, "summaries.compile") == "compilation"
    assert routed(app, "mail") == "default"  # a prefix, not a substring
    assert routed(app, "ops.anything") == "default"
    declared = {q.name for q in app.extensions["celery"].conf.task_queues}
    assert declared == {"mail", "extraction", "analysis", "compilation", "default"}


def test_a_task_gets_the_time_limits_of_its_queue(make_app):
    app = make_app(env={"CONSULT_QUEUES": json.dumps({"mail": {"soft_time_limit": 20, "time_limit": 30,
                                                               "rate_limit": "5/s"}})})
    from consult.mail import tasks  # noqa: F401  (registered on every app)

    deliver = app.extensions["celery"].tasks["mail.deliver"]
    assert (deliver.soft_time_limit, deliver.time_limit, deliver.rate_limit) == (20, 30, "5/s")
    # Only what was given changes; the rest of the queue and the other queues keep their defaults.
    assert app.config["CONSULT_QUEUES"]["mail"]["concurrency"] == 2
    assert app.config["CONSULT_QUEUES"]["compilation"]["time_limit"] == 1800


@pytest.mark.parametrize(("value", "message"), [
    ("{not json", "CONSULT_QUEUES must be JSON"),
    ('{"pdf": {"concurrency": 2}}', "unknown queues: pdf"),
    ('{"mail": {"threads": 2}}', "may only set"),
    ('{"mail": {"concurrency": 0}}', "at least 1"),
    ('{"mail": {"soft_time_limit": 90, "time_limit": 90}}', "soft_time_limit must be below time_limit"),
    ('{"compilation": {"time_limit": 4000, "soft_time_limit": 3900}}', "CONSULT_BROKER_VISIBILITY_TIMEOUT"),
])
def test_settings_that_would_lose_or_repeat_work_stop_the_start(make_app, value, message):
    with pytest.raises(ConfigError, match=message):
        make_app(env={"CONSULT_QUEUES": value})


def test_a_worker_takes_its_queues_concurrency_and_memory_limit():
    settings = {
        "mail": {"concurrency": 4, "max_memory_per_child": 200_000},
        "extraction": {"concurrency": 2, "max_memory_per_child": 600_000},
        "analysis": {"concurrency": 3, "max_memory_per_child": 900_000},
        "default": {"concurrency": 1, "max_memory_per_child": 100_000},
    }
    assert worker_defaults_for(["extraction", "analysis"], settings) == {
        "worker_concurrency": 3, "worker_max_memory_per_child": 600_000}
    assert worker_defaults_for(["mail"], settings)["worker_concurrency"] == 4


def test_the_command_line_wins_over_the_configured_worker_defaults(make_app):
    conf = make_app().extensions["celery"].conf
    signals.celeryd_init.send(sender="w1", instance=None, conf=conf,
                              options={"queues": ["compilation"], "concurrency": None,
                                       "max_memory_per_child": None})
    assert (conf.worker_concurrency, conf.worker_max_memory_per_child) == (1, 1_600_000)
    signals.celeryd_init.send(sender="w2", instance=None, conf=conf,
                              options={"queues": ["mail"], "concurrency": 6, "max_memory_per_child": 50_000})
    assert (conf.worker_concurrency, conf.worker_max_memory_per_child) == (1, 1_600_000)


def test_postgresql_gets_a_bounded_pool_and_a_connect_timeout(make_app):
    app = make_app(env={"DATABASE_URL": "postgresql://consult@db.cisss.example/consult",
                        "CONSULT_DB_POOL_SIZE": "8", "CONSULT_DB_CONNECT_TIMEOUT": "3"})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_size"] == 8
    assert options["max_overflow"] == 10
    assert options["pool_recycle"] == 1800
    assert options["pool_pre_ping"] is True
    assert options["connect_args"] == {"connect_timeout": 3, "gssencmode": "disable"}


def test_redis_waits_are_bounded(make_app):
    app = make_app(env={"REDIS_URL": "redis://cache.cisss.example:6379/0", "CONSULT_REDIS_TIMEOUT": "2"})
    transport = app.extensions["celery"].conf.broker_transport_options
    assert transport["socket_connect_timeout"] == 2
    assert transport["socket_timeout"] == 2
    assert transport["visibility_timeout"] == 3600
    assert app.config["RATELIMIT_STORAGE_OPTIONS"]["socket_connect_timeout"] == 2
