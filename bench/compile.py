"""Summary compilation of the scale round by real Celery workers: full with one worker, full with two (caches
emptied in between, workers fresh), then a periodic recompilation after 100 new comments. Peak memory is the
highest VmHWM seen among each worker's processes (the main process and its pool children), sampled while
it runs.

    .venv/bin/python -m bench.compile --database URL --redis URL --data DIR --round N   (called by bench.run)
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUEUES = "compilation,extraction"

# What the benchmark asks a worker to do, as a deployment would configure it (see docs/operations.md).
WORKER_ENV = {
    "CONSULT_QUEUES": json.dumps({
        "compilation": {"concurrency": 1, "soft_time_limit": 1500, "time_limit": 1800,
                        "max_memory_per_child": 2_000_000},
        "extraction": {"concurrency": 1, "soft_time_limit": 300, "time_limit": 360,
                       "max_memory_per_child": 2_000_000},
    }),
    "CONSULT_BROKER_VISIBILITY_TIMEOUT": "3600",
}


def _rss_peak_mb(pgid: int) -> float:
    peak = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError, ValueError):
            pid = int(status.parent.name)
            if os.getpgid(pid) != pgid:
                continue
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    return peak / 1024


class Sampler(threading.Thread):
    """Samples the peak resident memory of each worker's process group every 0.2 s."""

    def __init__(self, pgids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pgids = pgids
        self.peaks = {pgid: 0.0 for pgid in pgids}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            for pgid in self.pgids:
                self.peaks[pgid] = max(self.peaks[pgid], _rss_peak_mb(pgid))
            time.sleep(0.2)


@contextlib.contextmanager
def workers(count: int, env: dict[str, str], logs: Path) -> Iterator[list[subprocess.Popen]]:
    from tests.fixtures.services import stop_process

    started = []
    try:
        for number in range(count):
            log = logs / f"compile-worker-{count}-{number}.log"
            with log.open("wb") as sink:
                started.append(subprocess.Popen(
                    [str(BIN / "celery"), "-A", "workers.celery_app", "worker", "-Q", QUEUES, "--pool=prefork",
                     "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
                     "--loglevel=INFO", f"--hostname=bench{number}@%h"],
                    cwd=ROOT, env={**env, **WORKER_ENV}, stdout=sink, stderr=subprocess.STDOUT,
                    start_new_session=True))
            deadline = time.monotonic() + 60
            while b" ready." not in log.read_bytes():
                if time.monotonic() > deadline or started[-1].poll() is not None:
                    raise RuntimeError(f"worker did not start; see {log}")
                time.sleep(0.1)
        yield started
    finally:
        for process in started:
            stop_process(process, timeout=30)


def _app_script(env: dict[str, str], code: str) -> str:
    """Run `code` in an application context (the bench's database); returns what it prints."""
    script = ("from consult import create_app\nfrom consult.core.db import db\napp = create_app()\n"
              "with app.app_context():\n" + "".join(f"    {line}\n" for line in code.strip().splitlines()))
    return subprocess.run([str(BIN / "python"), "-c", script], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def _request(env: dict[str, str], round_id: int, trigger: str) -> int:
    return int(_app_script(env, f"""
from consult.rounds.models import ConsultationRound
from consult.summaries import jobs
job, created = jobs.request(db.session.get(ConsultationRound, {round_id}), None, trigger={trigger!r})
db.session.commit()
print(job.id)
"""))


def _wait(env: dict[str, str], job_id: int, timeout: float = 1800) -> dict:
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")) as connection:
        while time.monotonic() < deadline:
            row = connection.execute(
                "SELECT state, stage, progress, error, outcome, started_at, finished_at, requested_at "
                "FROM summary_jobs WHERE id = %s", (job_id,)).fetchone()
            connection.commit()
            if row and row[0] in ("succeeded", "failed", "cancelled"):
                return {"state": row[0], "error": row[3], "outcome": row[4],
                        "seconds": round((row[6] - row[7]).total_seconds(), 1)}
            time.sleep(0.2)
    raise RuntimeError(f"job {job_id} did not finish within {timeout:.0f}s")


def _forget_caches(env: dict[str, str], round_id: int) -> None:
    """Empty everything a compilation reuses, so that the next one reads and analyses from scratch."""
    _app_script(env, """
from sqlalchemy import delete
from consult.summaries.models import (AttachmentText, InputAnalysis, Summary, SummaryJob, Theme,
                                      ThemeAssignment, ThemeScorerState)
for model in (ThemeAssignment, Summary, ThemeScorerState, Theme, SummaryJob, AttachmentText, InputAnalysis):
    db.session.execute(delete(model))
db.session.commit()
""")


def _add_comments(env: dict[str, str], round_id: int, count: int) -> None:
    _app_script(env, f"""
import random
from sqlalchemy import select
from consult.participation.models import Comment
from consult.sampledata import texts
sample = db.session.scalars(select(Comment).where(Comment.round_id == {round_id}).limit(1)).one()
rng = random.Random(2026)
for number in range({count}):
    db.session.add(Comment(round_id={round_id}, version_id=sample.version_id, item_uid=sample.item_uid,
                           item_kind=sample.item_kind, author_id=sample.author_id, body=texts.comment(rng)))
db.session.commit()
""")


def compile_figures(env: dict[str, str], round_id: int, logs: Path) -> dict[str, object]:
    figures: dict[str, object] = {}
    peaks: list[float] = []
    for count in (1, 2):
        _forget_caches(env, round_id)
        with workers(count, env, logs) as processes:
            sampler = Sampler([process.pid for process in processes])
            sampler.start()
            job = _wait(env, _request(env, round_id, "manual"))
            if job["state"] != "succeeded":
                raise RuntimeError(f"full compilation with {count} worker(s): {job}")
            figures["full_one_worker_s" if count == 1 else "full_two_workers_s"] = job["seconds"]
            print(f"    full compilation, {count} worker(s): {job['seconds']} s")
            if count == 2:
                # Wait for the PDF/DOCX rendering the compilation queued, so it does not count in the next figure.
                time.sleep(5)
                _add_comments(env, round_id, 100)
                job = _wait(env, _request(env, round_id, "periodic"))
                if job["state"] != "succeeded":
                    raise RuntimeError(f"incremental compilation: {job}")
                figures["incremental_s"] = job["seconds"]
                print(f"    recompilation after 100 new comments: {job['seconds']} s")
            sampler.stopped.set()
            sampler.join()
            peaks.extend(sampler.peaks.values())
    figures["worker_peak_rss_mb"] = round(max(peaks), 1)
    print(f"    worker peak memory: {figures['worker_peak_rss_mb']} MB")
    return figures
