"""Prometheus metrics: requests and latencies (web), task durations and failures (workers), and, computed
at each scrape, queue lengths and failed tasks awaiting a retry.

Multi-process: under gunicorn (or a prefork Celery worker) every process keeps its own counters. Set
PROMETHEUS_MULTIPROC_DIR to an empty folder, one per service, before the service starts: each process then
writes its counters there and a scrape adds them up (deploy/gunicorn.conf.py and the systemd units do it).
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
import time
from typing import Any

from flask import Flask, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger("consult.ops")

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "consult_http_requests", "HTTP requests answered, by method, endpoint and status.",
    ["method", "endpoint", "status"], registry=REGISTRY)
HTTP_LATENCY = Histogram(
    "consult_http_request_duration_seconds", "Time to answer an HTTP request, by method and endpoint.",
    ["method", "endpoint"], registry=REGISTRY,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
TASK_DURATION = Histogram(
    "consult_task_duration_seconds", "Run time of Celery tasks, by task, queue and final state.",
    ["task", "queue", "state"], registry=REGISTRY,
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0))
TASK_FAILURES = Counter(
    "consult_task_failures", "Celery tasks that failed for good, by task and queue.",
    ["task", "queue"], registry=REGISTRY)
TASK_RETRIES = Counter(
    "consult_task_retries", "Celery tasks scheduled for another attempt, by task and queue.",
    ["task", "queue"], registry=REGISTRY)

# task id -> start time, per process; a task runs in one process from prerun to postrun.
_started: dict[str, float] = {}


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def _recorded() -> CollectorRegistry:
    """This process's metrics, or every process's when they share a PROMETHEUS_MULTIPROC_DIR."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


class LiveCollector:
    """What is read at scrape time rather than counted: queue lengths and failures awaiting a retry."""

    def collect(self):
        from sqlalchemy import func, select

        from consult.core.db import db
        from consult.main import health
        from consult.ops.models import FailedTask

        backlog = health.queue_backlog()
        up = GaugeMetricFamily("consult_broker_up", "1 when the broker answered this scrape.")
        up.add_metric([], 0 if backlog.get("error") else 1)
        yield up
        lengths = GaugeMetricFamily("consult_queue_length", "Tasks waiting in each queue.", labels=["queue"])
        for queue, count in backlog["queues"].items():
            if isinstance(count, int):
                lengths.add_metric([queue], count)
        yield lengths
        try:
            waiting = db.session.scalar(select(func.count(FailedTask.id)).where(FailedTask.retried_at.is_(None)))
        except Exception:
            db.session.rollback()
            return
        failed = GaugeMetricFamily("consult_failed_tasks_waiting",
                                   "Failed tasks recorded and not retried yet (see /admin/jobs).")
        failed.add_metric([], waiting or 0)
        yield failed


def exposition(*, live: bool = True) -> bytes:
    output = generate_latest(_recorded())
    if live:
        registry = CollectorRegistry()
        registry.register(LiveCollector())
        output += generate_latest(registry)
    return output


def token_matches(authorization: str | None, token: str | None) -> bool:
    """Only `Authorization: Bearer <CONSULT_METRICS_TOKEN>` opens the metrics; no token set, no metrics."""
    if not token or not authorization:
        return False
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


# ---------------------------------------------------------------------------------------------------
# Web requests


def _count_kept_page(method: str, endpoint: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, endpoint, str(status)).inc()
    HTTP_LATENCY.labels(method, endpoint).observe(seconds)


def init_app(app: Flask) -> None:
    from consult.core import pagecache

    if _count_kept_page not in pagecache.HIT_LISTENERS:
        pagecache.HIT_LISTENERS.append(_count_kept_page)

    @app.before_request
    def _start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
        if endpoint not in ("static", "ops.metrics"):
            elapsed = time.perf_counter() - g.get("metrics_started", time.perf_counter())
            HTTP_REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
            HTTP_LATENCY.labels(request.method, endpoint).observe(elapsed)
        return response


# ---------------------------------------------------------------------------------------------------
# Celery tasks (connected in consult.ops.signals)


def task_started(task_id: str) -> None:
    _started[task_id] = time.perf_counter()


def task_finished(task_id: str, name: str, queue: str, state: str | None) -> None:
    started = _started.pop(task_id, None)
    if started is not None:
        TASK_DURATION.labels(name, queue, state or "UNKNOWN").observe(time.perf_counter() - started)


# ---------------------------------------------------------------------------------------------------
# A worker's own metrics port


def serve_worker_metrics(address: str, port: int, token: str | None) -> Any:
    """Serve this worker's task metrics on address:port in a daemon thread (same bearer-token rule)."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    def app(environ, start_response):
        if environ.get("PATH_INFO") != "/metrics" or not token_matches(environ.get("HTTP_AUTHORIZATION"),
                                                                        token):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [exposition(live=False)]

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = make_server(address, port, app, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, name="consult-metrics", daemon=True).start()
    log.info("worker metrics on http://%s:%s/metrics", address, server.server_port)
    return server
