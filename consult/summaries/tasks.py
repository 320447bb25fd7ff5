"""Celery tasks of summaries: compile a round (compilation queue), read attachments alongside it (extraction
queue), render a summary's PDF and DOCX files, and beat's tick that recompiles open rounds, compiles rounds
once more when they close, and sends again the jobs whose message or worker was lost.

Every task is safe to receive twice (acks_late: a message is acknowledged once its work is done, so a worker
killed mid-run gets its message redelivered): the job row decides who runs (jobs.claim).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from consult.core.db import db, now_utc
from consult.storage import StorageError
from consult.summaries import jobs
from consult.summaries.models import JobState, Summary, SummaryJob

log = logging.getLogger("consult.summaries")
MAX_RETRIES = 5


@shared_task(name="summaries.compile", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def compile_round(self, job_id: int) -> str:
    from consult.summaries import pipeline

    worker = jobs.worker_name()
    if not jobs.claim(job_id, worker):
        return "skipped"    # ended, or held by a live worker: this delivery is a duplicate
    job = db.session.get(SummaryJob, job_id)
    log.info("compiling round %s (job %s, attempt %s)", job.round_id, job_id, job.attempts)
    try:
        return pipeline.compile_round(job, worker)
    except jobs.Cancelled:
        db.session.rollback()
        jobs.finish(job_id, worker, state=JobState.cancelled)
        db.session.commit()
        return "cancelled"
    except jobs.Lost:
        db.session.rollback()
        log.warning("job %s was taken over by another worker; this one stops", job_id)
        return "lost"
    except SoftTimeLimitExceeded:
        db.session.rollback()
        jobs.finish(job_id, worker, state=JobState.failed,
                    error=_("The compilation took longer than its time limit and was stopped."))
        db.session.commit()
        return "failed"
    except (OperationalError, StorageError) as exc:
        # The database or the storage is briefly unreachable: give the job back and try again later.
        db.session.rollback()
        if self.request.retries >= MAX_RETRIES:
            jobs.finish(job_id, worker, state=JobState.failed,
                        error=_("The database or the file storage could not be reached. Try again later."))
            db.session.commit()
            return "failed"
        _release(job_id, worker)
        raise self.retry(exc=exc, countdown=min(300, 2 ** self.request.retries * 10)) from exc
    except Exception:
        db.session.rollback()
        log.exception("compilation of job %s failed", job_id)
        jobs.finish(job_id, worker, state=JobState.failed,
                    error=_("An unexpected error stopped the compilation. The administrators can read its "
                            "details in the logs."))
        db.session.commit()
        return "failed"


def _release(job_id: int, worker: str) -> None:
    from sqlalchemy import update

    db.session.execute(update(SummaryJob).where(SummaryJob.id == job_id, SummaryJob.worker == worker,
                                                SummaryJob.state == JobState.running)
                       .values(state=JobState.queued, worker=None, heartbeat_at=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()


@shared_task(name="extraction.read_files", acks_late=True)
def read_files(keys: list[str]) -> int:
    """Help a compilation read its attachments: claim and read pending files until none is left."""
    from consult.summaries import extracting

    return extracting.run(keys, jobs.worker_name())


@shared_task(name="summaries.render", bind=True, acks_late=True, max_retries=3)
def render_summary(self, summary_id: int) -> str:
    """Produce and store a draft summary's PDF and DOCX files (once; a redelivery finds them there).

    Publishing renders the public files itself; a draft's files (which name confidential holders) are stored
    only while the summary is still a draft, so a late render never overwrites the public ones."""
    from sqlalchemy import update

    from consult.summaries.models import SummaryState
    from consult.summaries.render import store_files

    summary = db.session.get(Summary, summary_id)
    if summary is None or summary.state is not SummaryState.draft:
        return "skipped"
    if all(key in (summary.files or {}) for key in ("pdf:fr", "pdf:en", "docx:fr", "docx:en")):
        return "done"
    try:
        files = store_files(summary)
    except StorageError as exc:
        db.session.rollback()
        raise self.retry(exc=exc, countdown=30) from exc
    stored = db.session.execute(update(Summary).where(Summary.id == summary_id, Summary.state == SummaryState.draft)
                                .values(files=files).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return "rendered" if stored else "skipped"


@shared_task(name="summaries.tick")
def tick() -> dict[str, list[int]]:
    """Every minute (beat): recompile open rounds every CONSULT_RECOMPILE_SECONDS, compile once more the rounds
    closed since their last compilation, and send again the jobs whose message or worker was lost."""
    try:
        started = _start_due()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    resent = jobs.sweep()
    for job_id in resent:
        compile_round.delay(job_id)
    return {"started": started, "resent": resent}


def _start_due() -> list[int]:
    from sqlalchemy import func

    from consult.rounds.models import ConsultationRound, RoundState

    interval = current_app.config["CONSULT_RECOMPILE_SECONDS"]
    started: list[int] = []
    last_request = dict(db.session.execute(
        select(SummaryJob.round_id, func.max(SummaryJob.requested_at)).group_by(SummaryJob.round_id)).tuples().all())
    if interval > 0:
        cutoff = now_utc() - timedelta(seconds=interval)
        for round_ in db.session.scalars(select(ConsultationRound).where(ConsultationRound.state == RoundState.open)):
            last = last_request.get(round_.id)
            if last is None or _aware(last) < cutoff:
                _job, created = jobs.request(round_, None, trigger="periodic")
                if created:
                    started.append(round_.id)
    closing_done = set(db.session.scalars(select(SummaryJob.round_id).where(SummaryJob.trigger == "closing")))
    for round_ in db.session.scalars(select(ConsultationRound).where(ConsultationRound.state == RoundState.closed)):
        if round_.id in closing_done:
            continue
        _job, created = jobs.request(round_, None, trigger="closing")
        if created:
            started.append(round_.id)
    return started


def _aware(value):
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
