"""JSON log lines written inside a Celery task carry the task's id and name."""

from __future__ import annotations

import io
import json
import logging

import pytest

from consult.core.logs import JsonFormatter
from consult.ops.logcontext import bind_job


@pytest.fixture
def json_log():
    """The consult logger's own handler, writing JSON to a buffer for the length of the test."""
    handler = logging.getLogger("consult").handlers[0]
    buffer = io.StringIO()
    previous_stream, previous_format = handler.setStream(buffer), handler.formatter
    handler.setFormatter(JsonFormatter())
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    handler.setStream(previous_stream)
    handler.setFormatter(previous_format)


def test_lines_logged_inside_a_task_name_the_task(json_log, test_tasks):
    result = test_tasks["chatty"].delay("bonjour")
    logging.getLogger("consult.tests").info("after the task")
    lines = json_log()
    inside = next(line for line in lines if line["msg"] == "inside a task: bonjour")
    assert inside["task_id"] == result.id
    after = next(line for line in lines if line["msg"] == "after the task")
    assert "task_id" not in after


def test_a_task_can_name_the_job_it_works_on(json_log):
    with bind_job(42):
        logging.getLogger("consult.tests").info("compiling")
    logging.getLogger("consult.tests").info("done")
    lines = json_log()
    assert lines[0]["job_id"] == 42
    assert "job_id" not in lines[1]
