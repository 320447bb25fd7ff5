"""Two Celery workers, as if on two hosts, share one database and one Redis. One of them is killed with
SIGKILL in the middle of a batch (a host that disappears): every message is still delivered, exactly once.

`WorkerProcess` / `start_workers` are meant for reuse by the cluster test that compiles a round (issue 11,
item 4): they start real `celery -A workers.celery_app worker` processes with settings of their own.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email import parser as email_parser
from email import policy
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select

from consult.core.db import db
from consult.mail import services
from consult.mail.models import Email, EmailStatus
from tests.fixtures.services import ROOT, celery_command, current_celery, stop_process, wait_until, worker_env

pytestmark = pytest.mark.integration

SECRET = "two-workers-secret-key-shared-by-every-process"
TEMPLATE = "Accusé de réception n° {{ number }}\nBonjour {{ name }}, votre mémoire n° {{ number }} a été reçu."
BATCH = 50

# Short enough for a test to see Redis hand a dead worker's tasks to the other one within seconds; every
# queue's time limit stays below the visibility timeout, as the configuration requires.
CLUSTER_ENV = {
    "CONSULT_BROKER_VISIBILITY_TIMEOUT": "8",
    "CONSULT_BROKER_RESTORE_INTERVAL": "1",
    "CONSULT_QUEUES": json.dumps({
        # 5 messages a second per worker: the batch lasts long enough to kill a worker in its middle.
        "mail": {"soft_time_limit": 5, "time_limit": 6, "rate_limit": "5/s"},
        **{q: {"soft_time_limit": 5, "time_limit": 6}
           for q in ("extraction", "analysis", "compilation", "default")},
    }),
}

_RECEIVED = re.compile(r"Task (\S+)\[([0-9a-f-]{36})\] received")
_SUCCEEDED = re.compile(r"Task (\S+)\[([0-9a-f-]{36})\] succeeded in [0-9.]+s: '(\w+)'")


@dataclass
class WorkerProcess:
    """A `celery worker` in its own process group: what a host would run."""

    name: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def received(self) -> list[str]:
        return [task_id for _, task_id in _RECEIVED.findall(self.output())]

    def succeeded(self) -> list[tuple[str, str]]:
        """(task id, return value) of every task this worker finished."""
        return [(task_id, result) for _, task_id, result in _SUCCEEDED.findall(self.output())]

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while " ready." not in self.output():
            if self.process.poll() is not None:
                pytest.fail(f"worker {self.name} exited with {self.process.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"worker {self.name} was not ready after {timeout:.0f}s:\n{self.output()}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL to the main process and its pool at once: no goodbye, no acknowledgement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@contextlib.contextmanager
def start_workers(names: list[str], *, database_url: str, data_dir: Path, redis_url: str, logs: Path,
                  env: dict[str, str] | None = None, queues: str | None = None) -> Iterator[dict[str, WorkerProcess]]:
    """Start one worker per name side by side (each `-Q default,mail --concurrency=1`, see celery_command, or
    the `queues` given), wait until all are ready, and stop whichever are still running at the end."""
    logs.mkdir(parents=True, exist_ok=True)
    workers: dict[str, WorkerProcess] = {}
    try:
        for name in names:
            log = logs / f"{name}.log"
            worker_environment = worker_env(database_url=database_url, data_dir=data_dir, redis_url=redis_url,
                                            secret_key=SECRET)
            worker_environment.update(env or {})
            command = [*celery_command(), f"--hostname={name}@%h"]  # the last --hostname (and -Q) wins
            if queues:
                command += ["-Q", queues]
            with log.open("wb") as sink:
                process = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
                                           env=worker_environment, start_new_session=True)
            workers[name] = WorkerProcess(name, process, log)
        for worker in workers.values():
            worker.wait_ready()
        yield workers
    finally:
        for worker in workers.values():
            stop_process(worker.process, timeout=15)


@pytest.fixture
def web(app: Flask, make_app, tmp_path: Path, redis_url: str) -> Flask:
    """The web side: not eager, on the suite's database and the test's Redis, with its own data folder."""
    live = make_app({
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "CONSULT_DATA_DIR": str(tmp_path / "data"),
        "REDIS_URL": redis_url,
        "CELERY_EAGER": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
    })
    live.jinja_loader = ChoiceLoader([DictLoader({"emails/receipt.txt": TEMPLATE}), live.jinja_loader])
    return live


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(web, redis_url, tmp_path):
    import redis

    broker = redis.Redis.from_url(redis_url)
    broker.flushdb()
    data_dir = Path(web.config["CONSULT_DATA_DIR"])
    outbox = data_dir / "outbox"

    with start_workers(["host-a", "host-b"], database_url=web.config["SQLALCHEMY_DATABASE_URI"],
                       data_dir=data_dir, redis_url=redis_url, logs=tmp_path / "logs", env=CLUSTER_ENV) as workers:
        host_a, host_b = workers["host-a"], workers["host-b"]
        with web.test_request_context(), current_celery(web):
            emails = [services.send(f"organisme{n}@exemple.ca", "receipt", name=f"Organisme {n}", number=n)
                      for n in range(BATCH)]
            db.session.commit()  # the 50 tasks are sent to Redis now
            ids = [email.id for email in emails]
            db.session.remove()

        # Kill host A once it has delivered a few messages and holds one it has not finished.
        def a_is_mid_batch() -> bool:
            done = {task_id for task_id, _ in host_a.succeeded()}
            return len(done) >= 3 and any(task_id not in done for task_id in host_a.received())

        wait_until(a_is_mid_batch, timeout=60, interval=0.02, what="host A to be in the middle of the batch")
        host_a.kill()
        a_done = {task_id for task_id, _ in host_a.succeeded()}
        abandoned = [task_id for task_id in host_a.received() if task_id not in a_done]
        assert abandoned, "host A held no unfinished task when it was killed"
        assert len(a_done) < BATCH

        def all_sent() -> bool:
            with web.app_context():
                statuses = db.session.scalars(select(Email.status).where(Email.id.in_(ids))).all()
                db.session.remove()
            return statuses.count(EmailStatus.sent) == BATCH

        # Redis hands A's unacknowledged tasks to B once the visibility timeout (8 s) has passed.
        wait_until(all_sent, timeout=90, interval=0.2, what="every message to be delivered after the kill")
        b_done = {task_id for task_id, _ in host_b.succeeded()}
        assert set(abandoned) <= b_done, "the tasks host A held were not taken over by host B"
        assert host_b.process.poll() is None  # B is still serving

    # Exactly once: one "sent" per message across both hosts, one file per message in the outbox.
    sent_results = Counter(task_id for w in workers.values() for task_id, result in w.succeeded()
                           if result == "sent")
    assert all(count == 1 for count in sent_results.values()), sent_results.most_common(3)
    files = sorted(outbox.glob("*.eml"))
    assert [f.name for f in files] == [f"{email_id:08d}.eml" for email_id in sorted(ids)]
    with web.app_context():
        rows = {e.id: e for e in db.session.scalars(select(Email).where(Email.id.in_(ids)))}
        assert all(row.status is EmailStatus.sent and row.sent_at is not None for row in rows.values())
        for path in files:
            message = email_parser.BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            row = rows[int(path.stem)]
            assert message["To"] == row.to_addr
            assert message["Subject"] == row.subject
        db.session.remove()
    # Nothing left behind in the broker: no task waiting, none unacknowledged.
    assert broker.llen("mail") == 0
    assert broker.hlen("unacked") == 0
