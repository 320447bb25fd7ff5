"""Is the database answering? Is the broker reachable? Each check is quick and bounded."""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from consult.core.db import db


def database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "engine": db.engine.dialect.name}
    except Exception as exc:
        db.session.rollback()
        return {"ok": False, "engine": db.engine.dialect.name, "error": type(exc).__name__}


def broker() -> dict:
    celery = current_app.extensions["celery"]
    url = celery.conf.broker_url
    if url.startswith("filesystem"):
        folder = Path(celery.conf.broker_transport_options["data_folder_in"])
        ok = folder.is_dir() and os.access(folder, os.W_OK)
        return {"ok": ok, "transport": "filesystem"}
    try:
        with celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return {"ok": True, "transport": conn.transport_cls}
    except Exception as exc:
        return {"ok": False, "transport": url.split(":", 1)[0], "error": type(exc).__name__}
