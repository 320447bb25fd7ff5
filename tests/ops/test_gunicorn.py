"""deploy/gunicorn.conf.py serves the app with several processes, and /metrics adds up all of them."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.services import ROOT, free_port, stop_process, wait_until, worker_env

pytestmark = pytest.mark.integration
TOKEN = "gunicorn-metrics-token"


def test_requests_answered_by_every_gunicorn_process_are_counted(app, tmp_path: Path):
    port = free_port()
    env = worker_env(database_url=app.config["SQLALCHEMY_DATABASE_URI"], data_dir=tmp_path / "data",
                     redis_url=None, secret_key="gunicorn-test-secret-key")
    env.update({"CONSULT_WEB_BIND": f"127.0.0.1:{port}", "CONSULT_WEB_WORKERS": "3", "CONSULT_WEB_THREADS": "2",
                "CONSULT_METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")})
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "stale_from_last_run.db").write_bytes(b"")  # emptied at start
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = (tmp_path / "web.log").open("wb")
    web = subprocess.Popen([gunicorn, "-c", "deploy/gunicorn.conf.py"], cwd=ROOT, env=env, stdout=log,
                           stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def answers() -> bool:
            with contextlib.suppress(OSError), urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                return response.status == 200
            return False

        wait_until(answers, timeout=30, what="gunicorn to answer")
        assert not (tmp_path / "metrics" / "stale_from_last_run.db").exists()
        for _ in range(30):
            with urllib.request.urlopen(base + "/", timeout=5) as response:
                assert response.status == 200
        request = urllib.request.Request(base + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            text = response.read().decode()
    finally:
        stop_process(web, timeout=10)
        log.close()
    served = [sample.value for family in text_string_to_metric_families(text) for sample in family.samples
              if sample.name == "consult_http_requests_total" and sample.labels.get("endpoint") == "main.home"]
    assert served == [30.0], (text[-2000:], (tmp_path / "web.log").read_text()[-2000:])
