"""gunicorn settings for the consult web app: `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be changed through the environment (CONSULT_WEB_*), so a systemd unit or a Procfile adapts
it without editing this file. See docs/operations.md.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

wsgi_app = "consult:create_app()"
bind = os.environ.get("CONSULT_WEB_BIND", "127.0.0.1:8000")  # the reverse proxy talks to this

# One thread per process, and more processes: the threads of a process share one interpreter lock, so a
# quick page waited behind a long one, and under threaded load a process died of a corrupted heap in C code
# (a core dump: pymalloc, psycopg's libpq calls in other threads; never seen with one thread). A process
# waits on PostgreSQL part of the time, hence 4 × cores + 1, capped so a big host does not open more
# PostgreSQL connections than the server allows (each process holds one per thread, up to
# CONSULT_DB_POOL_SIZE). gthread with one thread still keeps idle keep-alive connections out of the way.
workers = _int("CONSULT_WEB_WORKERS", min(4 * _cores + 1, 24))
worker_class = "gthread"
threads = _int("CONSULT_WEB_THREADS", 1)

# A request running longer than this is killed and its process replaced; uploads of 5 × 20 MB on a slow
# line stay within it because the proxy buffers the body first (see docs/operations.md).
timeout = _int("CONSULT_WEB_TIMEOUT", 60)
# On SIGTERM or a reload (SIGHUP), requests under way get this long to finish.
graceful_timeout = _int("CONSULT_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Replace each process after this many requests (with jitter), which bounds slow memory growth.
max_requests = _int("CONSULT_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# The proxy's address(es): X-Forwarded-* from elsewhere are ignored. The app itself trusts
# CONSULT_PROXIES hops through ProxyFix; set both.
forwarded_allow_ips = os.environ.get("CONSULT_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Each process loads the app itself: `systemctl reload` (SIGHUP) then starts processes on the new code and
# retires the old ones gracefully, with no dropped request.
preload_app = False

# The app writes one access line per request (consult.access); gunicorn's own would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("CONSULT_WEB_LOG_LEVEL", "info")
capture_output = True
proc_name = "consult-web"


def on_starting(server) -> None:
    # Metrics of processes from a previous run must not be added to this run's.
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
