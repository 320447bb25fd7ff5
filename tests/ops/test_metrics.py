"""GET /metrics: Prometheus text for whoever holds the token, nothing for anyone else."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from consult.ops import metrics
from tests.fixtures.services import ROOT, free_port

TOKEN = "s3cret-metrics-token-for-prometheus"


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def token(app, monkeypatch):
    monkeypatch.setitem(app.config, "CONSULT_METRICS_TOKEN", TOKEN)
    return {"Authorization": f"Bearer {TOKEN}"}


def test_without_a_configured_token_there_are_no_metrics(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


def test_a_wrong_or_missing_token_sees_nothing(client, token):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer not-the-token"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 404  # no scheme


def test_requests_and_latencies_are_counted_by_endpoint_and_status(client, token):
    before = client.get("/metrics", headers=token).text
    client.get("/")
    client.get("/")
    client.get("/no-such-page")
    after = client.get("/metrics", headers=token)
    assert after.status_code == 200
    assert after.headers["Content-Type"].startswith("text/plain")
    text = after.text
    name = "consult_http_requests_total"
    assert value(text, name, method="GET", endpoint="main.home", status="200") == \
        value(before, name, method="GET", endpoint="main.home", status="200") + 2
    assert value(text, name, method="GET", endpoint="unmatched", status="404") >= 1
    histogram = "consult_http_request_duration_seconds_count"
    assert value(text, histogram, method="GET", endpoint="main.home") >= 2
    assert "ops.metrics" not in text  # scrapes do not count themselves


def test_queue_lengths_and_waiting_failures_are_read_at_each_scrape(client, token, test_tasks, as_in_a_worker):
    text = client.get("/metrics", headers=token).text
    assert value(text, "consult_broker_up") == 1
    for queue in ("mail", "extraction", "analysis", "compilation", "default"):
        assert ("consult_queue_length", (("queue", queue),)) in samples(text)
    assert value(text, "consult_failed_tasks_waiting") == 0
    test_tasks["fragile"].delay("annexe-3")
    text = client.get("/metrics", headers=token).text
    assert value(text, "consult_failed_tasks_waiting") == 1


def test_task_durations_and_failures_are_counted(client, token, test_tasks, as_in_a_worker):
    before = client.get("/metrics", headers=token).text
    test_tasks["chatty"].delay("bonjour")
    test_tasks["fragile"].delay("annexe-4")
    text = client.get("/metrics", headers=token).text
    count = "consult_task_duration_seconds_count"
    assert value(text, count, task="tests.ops.chatty", queue="default", state="SUCCESS") == \
        value(before, count, task="tests.ops.chatty", queue="default", state="SUCCESS") + 1
    assert value(text, count, task="tests.ops.fragile", queue="default", state="FAILURE") == \
        value(before, count, task="tests.ops.fragile", queue="default", state="FAILURE") + 1
    failures = "consult_task_failures_total"
    assert value(text, failures, task="tests.ops.fragile", queue="default") == \
        value(before, failures, task="tests.ops.fragile", queue="default") + 1


def test_processes_sharing_a_multiprocess_folder_are_added_up(tmp_path, monkeypatch):
    # What gunicorn's workers do: each process writes its counters to the folder, a scrape sums them.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    script = ("from consult.ops import metrics\n"
              "metrics.HTTP_REQUESTS.labels('GET', 'main.home', '200').inc(3)\n")
    for _ in range(2):
        subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT)
    text = metrics.exposition(live=False).decode()
    assert value(text, "consult_http_requests_total", method="GET", endpoint="main.home", status="200") == 6


def test_a_worker_serves_its_own_metrics_behind_the_same_token():
    server = metrics.serve_worker_metrics("127.0.0.1", free_port(), TOKEN)
    url = f"http://127.0.0.1:{server.server_port}/metrics"
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=5)
        assert refused.value.code == 404
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read().decode()
        assert re.search(r"^# TYPE consult_task_duration_seconds histogram$", body, re.M)
    finally:
        server.shutdown()
        server.server_close()
