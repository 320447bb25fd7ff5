from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from consult.main import health

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.get("/healthz")
def healthz():
    checks = {"database": health.database(), "broker": health.broker()}
    ok = all(check["ok"] for check in checks.values())
    # The backlog informs (a growing queue needs more workers) but never makes the service "unavailable".
    backlog = health.queue_backlog()["queues"] if checks["broker"]["ok"] else dict.fromkeys(
        health.queue_names(), "unknown")
    return jsonify({"status": "ok" if ok else "unavailable", **checks, "queues": backlog}), 200 if ok else 503
