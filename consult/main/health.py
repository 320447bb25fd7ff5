"""Is the database answering? Is the broker reachable? How many tasks wait in each queue? Each check is
quick and bounded."""

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


# Kombu's Redis transport keeps a queue's messages in one list per priority step: "<queue>" for priority 0,
# then "<queue>\x06\x16<step>" for the higher steps.
_REDIS_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def queue_names() -> list[str]:
    return list(current_app.config["CONSULT_QUEUES"])


def queue_backlog() -> dict:
    """Tasks waiting in each queue (not those a worker holds), or "unknown" for every queue when the
    broker cannot be asked; "error" then names what failed."""
    celery = current_app.extensions["celery"]
    names = queue_names()
    url = celery.conf.broker_url
    if url.startswith("filesystem"):
        # One file per message, named <time>_<uuid>.<queue>.msg; a worker removes it when it takes it.
        folder = Path(celery.conf.broker_transport_options["data_folder_in"])
        try:
            files = [entry.name for entry in os.scandir(folder) if entry.is_file()]
        except OSError as exc:
            return {"queues": dict.fromkeys(names, "unknown"), "error": type(exc).__name__}
        counts = dict.fromkeys(names, 0)
        for name in files:
            queue = name.partition(".")[2].removesuffix(".msg")
            if queue in counts:
                counts[queue] += 1
        return {"queues": counts}
    if url.startswith(("redis", "rediss", "unix")):
        import redis

        timeout = current_app.config["CONSULT_REDIS_TIMEOUT"]
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
            try:
                with client.pipeline(transaction=False) as pipe:
                    for name in names:
                        for suffix in _REDIS_PRIORITY_SUFFIXES:
                            pipe.llen(name + suffix)
                    lengths = pipe.execute()
            finally:
                client.close()
        except redis.RedisError as exc:
            return {"queues": dict.fromkeys(names, "unknown"), "error": type(exc).__name__}
        steps = len(_REDIS_PRIORITY_SUFFIXES)
        return {"queues": {name: sum(lengths[i * steps:(i + 1) * steps]) for i, name in enumerate(names)}}
    return {"queues": dict.fromkeys(names, "unknown")}
