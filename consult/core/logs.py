"""Structured logs: one line per event, with the request id (and the job id inside workers)."""

from __future__ import annotations

import json
import logging
import time
import uuid

from flask import Flask, g, has_request_context, request


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key in ("job_id", "task_id", "method", "path", "status", "ms"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def init_app(app: Flask) -> None:
    logger = logging.getLogger("consult")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.addFilter(_ContextFilter())
        if app.config["CONSULT_LOG_FORMAT"] == "json":
            handler.setFormatter(JsonFormatter())
        else:
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    access = logging.getLogger("consult.access")

    @app.before_request
    def _start() -> None:
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex[:16]
        g.started = time.perf_counter()

    @app.after_request
    def _done(response):
        ms = round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1)
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if not request.path.startswith("/static/"):
            access.info("%s %s %s", request.method, request.path, response.status_code,
                        extra={"method": request.method, "path": request.path,
                               "status": response.status_code, "ms": ms})
        return response
