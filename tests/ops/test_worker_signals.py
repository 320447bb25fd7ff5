"""In a real worker process: a task that fails for good is recorded for /admin/jobs, and the worker serves
its task metrics (from every pool process) on its own port, behind the metrics token."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from consult.core.db import db
from consult.ops.models import FailedTask
from tests.fixtures.services import current_celery, free_port, wait_until
from tests.integration.test_two_workers import SECRET, start_workers

pytestmark = pytest.mark.integration
TOKEN = "worker-metrics-token"


def test_a_worker_records_failures_and_serves_its_metrics(app: Flask, make_app, tmp_path: Path):
    data_dir = tmp_path / "data"
    web = make_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                    "CONSULT_DATA_DIR": str(data_dir), "CELERY_EAGER": False})
    port = free_port()
    (tmp_path / "metrics").mkdir()
    env = {"CONSULT_WORKER_METRICS_PORT": str(port), "CONSULT_METRICS_TOKEN": TOKEN,
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    with start_workers(["metrics-host"], database_url=web.config["SQLALCHEMY_DATABASE_URI"], data_dir=data_dir,
                       redis_url=None, logs=tmp_path / "logs", env=env) as workers:
        with web.app_context(), current_celery(web):
            # A malformed message (one argument too many): it fails for good at once.
            web.extensions["celery"].send_task("mail.deliver", args=[999_999, "unexpected"])
            web.extensions["celery"].send_task("mail.deliver", args=[999_998])  # no such e-mail: skipped

        def recorded() -> FailedTask | None:
            db.session.expire_all()
            return db.session.scalar(select(FailedTask).where(FailedTask.task_name == "mail.deliver"))

        failure = wait_until(recorded, timeout=30, what="the worker to record the failure")
        assert failure.queue == "mail"
        assert failure.args == [999_999, "unexpected"]
        assert failure.error.startswith("TypeError")
        assert "Traceback" in (failure.traceback or "")

        def scrape() -> str | None:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                             headers={"Authorization": f"Bearer {TOKEN}"})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    text = response.read().decode()
            except OSError:
                return None  # not listening yet
            return text if "consult_task_failures_total" in text and 'state="SUCCESS"' in text else None

        text = wait_until(scrape, timeout=30, what="the worker's metrics to show both tasks")
        assert workers["metrics-host"].process.poll() is None
    values = {(s.name, tuple(sorted(s.labels.items()))): s.value
              for family in text_string_to_metric_families(text) for s in family.samples}
    assert values[("consult_task_failures_total", (("queue", "mail"), ("task", "mail.deliver")))] == 1
    assert values[("consult_task_duration_seconds_count",
                   (("queue", "mail"), ("state", "SUCCESS"), ("task", "mail.deliver")))] == 1
