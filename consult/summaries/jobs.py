"""Compilation jobs: requested once per round at a time, held by one worker, watched and cancelled by planners.

The job row is the truth; the broker only carries its id. A worker takes a job with a conditional UPDATE
(queued → running, or running with a heartbeat older than `stale_after()` → running again, when its worker
died), and from then on proves it still holds it at each heartbeat: an UPDATE that names the job *and* the
worker. A worker that finds its heartbeat refused has lost the job to another and stops without writing.
Together with the unique index on active jobs per round and the unique `Summary.job_id`, a job finishes
exactly once, whatever the number of deliveries.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from consult.core.db import db, now_utc
from consult.rounds.models import ConsultationRound
from consult.summaries.models import ACTIVE_JOB_STATES, STAGES, JobState, SummaryJob

# Where each stage starts and ends on the job's progress bar (percent).
STAGE_SPANS: dict[str, tuple[int, int]] = {
    "waiting": (0, 0), "extracting": (0, 40), "analysing": (40, 60), "assigning": (60, 70),
    "themes": (70, 85), "compiling": (85, 99), "rendering": (99, 100), "done": (100, 100),
}
assert set(STAGE_SPANS) == set(STAGES)


class JobError(Exception):
    """A refused request (e.g. compiling a draft round), with a message for planners."""


class Cancelled(Exception):
    """A planner cancelled the job: the worker stops at its next heartbeat, writing nothing more."""


class Lost(Exception):
    """Another worker took the job over (this one was thought dead): stop, write nothing."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def stale_after() -> timedelta:
    """A running job whose heartbeat is older than this is taken to have lost its worker."""
    return timedelta(seconds=current_app.config["CONSULT_JOB_STALE_SECONDS"])


def active_job(round_: ConsultationRound) -> SummaryJob | None:
    return db.session.scalar(select(SummaryJob).where(SummaryJob.round_id == round_.id,
                                                      SummaryJob.state.in_(ACTIVE_JOB_STATES)))


def request(round_: ConsultationRound, user, *, trigger: str = "manual") -> tuple[SummaryJob, bool]:
    """A job compiling `round_`: a new one (True) or the one already queued or running (False).

    The task is sent after the commit (consult.core.tasking); if the broker is down then, the job stays
    queued and beat's sweep sends it again."""
    from consult.rounds.models import RoundState

    if round_.state in (RoundState.draft, RoundState.scheduled):
        raise JobError(_("A round is compiled once it has opened: there is nothing to summarize yet."))
    existing = active_job(round_)
    if existing is not None:
        return existing, False
    job = SummaryJob(round_id=round_.id, trigger=trigger, requested_by_id=getattr(user, "id", None),
                     requested_at=now_utc())
    try:
        with db.session.begin_nested():
            db.session.add(job)
            db.session.flush()
    except IntegrityError:  # another request won the race for this round: use its job
        existing = active_job(round_)
        if existing is None:
            raise
        return existing, False
    _send_after_commit(job.id)
    return job, True


def _send_after_commit(job_id: int) -> None:
    from consult.core.tasking import enqueue_after_commit
    from consult.summaries.tasks import compile_round

    enqueue_after_commit(compile_round, job_id)


def claim(job_id: int, worker: str, now: datetime | None = None) -> bool:
    """Take the job for `worker`: True if it is now this worker's to run. Commits."""
    now = now or now_utc()
    stale = now - stale_after()
    taken = db.session.execute(
        update(SummaryJob)
        .where(SummaryJob.id == job_id,
               (SummaryJob.state == JobState.queued)
               | ((SummaryJob.state == JobState.running)
                  & ((SummaryJob.heartbeat_at.is_(None)) | (SummaryJob.heartbeat_at < stale))))
        .values(state=JobState.running, worker=worker, heartbeat_at=now, attempts=SummaryJob.attempts + 1,
                started_at=now, error=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()
    return taken


def heartbeat(job_id: int, worker: str, *, stage: str | None = None, done: int | None = None,
              total: int | None = None) -> None:
    """Record progress (committed at once) and prove the job is still this worker's.

    Raises Cancelled when a planner asked to stop, Lost when another worker holds the job now."""
    values: dict[str, object] = {"heartbeat_at": now_utc()}
    if stage is not None:
        values["stage"] = stage
    if done is not None:
        values["done"] = done
    if total is not None:
        values["total"] = total
    if stage is not None or done is not None:
        current = stage or db.session.scalar(select(SummaryJob.stage).where(SummaryJob.id == job_id))
        low, high = STAGE_SPANS.get(current, (0, 0))
        share = (done or 0) / total if total else 0.0
        values["progress"] = int(low + (high - low) * min(1.0, share))
    # Committed at once, with whatever the worker wrote since (cache rows only: the summary itself is
    # written in one transaction at the end, with no heartbeat in between).
    mine = (SummaryJob.id == job_id) & (SummaryJob.worker == worker) & (SummaryJob.state == JobState.running)
    held = db.session.execute(update(SummaryJob).where(mine).values(**values)
                              .execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    cancel = db.session.scalar(select(SummaryJob.cancel_requested_at).where(SummaryJob.id == job_id))
    if not held:
        raise Lost(job_id)
    if cancel is not None:
        raise Cancelled(job_id)


def finish(job_id: int, worker: str, *, state: JobState, outcome: str | None = None, error: str | None = None,
           input_digest: str | None = None) -> bool:
    """End the job (in the caller's transaction, committed by the caller with the summary it made)."""
    values: dict[str, object] = {"state": state, "finished_at": now_utc(), "heartbeat_at": now_utc()}
    if state is JobState.succeeded:
        values.update(stage="done", progress=100)
    if outcome is not None:
        values["outcome"] = outcome
    if error is not None:
        values["error"] = error[:2000]
    if input_digest is not None:
        values["input_digest"] = input_digest
    return db.session.execute(
        update(SummaryJob).where(SummaryJob.id == job_id, SummaryJob.worker == worker,
                                 SummaryJob.state == JobState.running).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def cancel(job: SummaryJob, user) -> None:
    """A queued job is cancelled at once; a running one at its worker's next heartbeat."""
    if not job.active:
        raise JobError(_("This compilation has already ended."))
    now = now_utc()
    db.session.execute(update(SummaryJob).where(SummaryJob.id == job.id, SummaryJob.state == JobState.queued)
                       .values(state=JobState.cancelled, finished_at=now, cancel_requested_at=now,
                               cancelled_by_id=user.id).execution_options(synchronize_session=False))
    db.session.execute(update(SummaryJob).where(SummaryJob.id == job.id, SummaryJob.state == JobState.running)
                       .values(cancel_requested_at=now, cancelled_by_id=user.id)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.refresh(job)


def sweep(now: datetime | None = None) -> list[int]:
    """Send again the jobs whose message may be lost: queued for a minute with no worker (the broker was down
    at the commit), or running with a stale heartbeat (the worker died and the broker has not redelivered)."""
    now = now or now_utc()
    ids = db.session.scalars(select(SummaryJob.id).where(
        ((SummaryJob.state == JobState.queued) & (SummaryJob.requested_at < now - timedelta(minutes=1)))
        | ((SummaryJob.state == JobState.running) & (SummaryJob.heartbeat_at < now - stale_after()))
    ).limit(100)).all()
    return list(ids)
