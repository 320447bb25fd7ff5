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
    return jsonify({"status": "ok" if ok else "unavailable", **checks}), 200 if ok else 503
