"""Test-only Celery tasks on the suite's (eager) Celery app, to make failures and log lines on demand."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

# Keys whose task should now succeed: a "fix" an operator makes before pressing Retry.
FIXED: set[str] = set()


@pytest.fixture(scope="session")
def test_tasks(app: Flask) -> dict:
    celery = app.extensions["celery"]

    @celery.task(name="tests.ops.fragile")
    def fragile(key: str, *, note: str = "") -> str:
        if key not in FIXED:
            raise RuntimeError(f"the disk holding {key} is on fire")
        return "done"

    @celery.task(name="tests.ops.chatty")
    def chatty(word: str) -> str:
        logging.getLogger("consult.tests").info("inside a task: %s", word)
        return word

    return {"fragile": fragile, "chatty": chatty}


@pytest.fixture
def as_in_a_worker(app: Flask):
    """Eager tasks that fail are handled as a worker handles them (recorded, not raised to the caller)."""
    conf = app.extensions["celery"].conf
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _unfixed():
    FIXED.clear()
    yield
    FIXED.clear()
