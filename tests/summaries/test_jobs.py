"""Compilation jobs: one per round at a time, held by one worker, taken over when it dies, cancellable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.rounds.models import RoundState
from consult.summaries import jobs
from consult.summaries.models import JobState, SummaryJob
from consult.summaries.tasks import compile_round, tick


@pytest.fixture
def queued(consultation, monkeypatch):
    """A job left queued: nothing is sent to Celery, as when the broker is down at the commit."""
    monkeypatch.setattr(jobs, "_send_after_commit", lambda job_id: None)
    job, created = jobs.request(consultation.round, consultation.planner)
    db.session.commit()
    assert created
    return job


def test_one_round_has_at_most_one_active_job(consultation, queued):
    again, created = jobs.request(consultation.round, consultation.planner)
    assert not created and again.id == queued.id


def test_a_draft_round_cannot_be_compiled(make_consultation):
    draft = make_consultation(round_state=RoundState.draft)
    with pytest.raises(jobs.JobError):
        jobs.request(draft.round, draft.planner)


def test_a_job_is_claimed_by_one_worker_only(queued):
    assert jobs.claim(queued.id, "host-a:1")
    assert not jobs.claim(queued.id, "host-b:2"), "a live worker keeps its job"


def test_a_job_whose_worker_died_is_taken_over(app, queued):
    assert jobs.claim(queued.id, "host-a:1")
    later = now_utc() + timedelta(seconds=app.config["CONSULT_JOB_STALE_SECONDS"] + 1)
    assert jobs.claim(queued.id, "host-b:2", now=later)
    with pytest.raises(jobs.Lost):
        jobs.heartbeat(queued.id, "host-a:1", stage="analysing")
    job = db.session.get(SummaryJob, queued.id)
    assert job.worker == "host-b:2" and job.attempts == 2


def test_the_heartbeat_reports_progress(queued):
    jobs.claim(queued.id, "host-a:1")
    jobs.heartbeat(queued.id, "host-a:1", stage="analysing", done=50, total=100)
    job = db.session.get(SummaryJob, queued.id)
    db.session.refresh(job)
    assert job.stage == "analysing" and job.progress == 50     # halfway through 40–60 %


def test_cancelling_a_queued_job_ends_it_at_once(consultation, queued):
    jobs.cancel(queued, consultation.planner)
    db.session.commit()
    assert queued.state is JobState.cancelled
    with pytest.raises(jobs.JobError):
        jobs.cancel(queued, consultation.planner)


def test_cancelling_a_running_job_stops_it_at_its_next_heartbeat(consultation, queued):
    jobs.claim(queued.id, "host-a:1")
    job = db.session.get(SummaryJob, queued.id)
    jobs.cancel(job, consultation.planner)
    db.session.commit()
    with pytest.raises(jobs.Cancelled):
        jobs.heartbeat(queued.id, "host-a:1", done=1, total=2)


def test_a_cancelled_job_ends_as_cancelled_in_the_task(consultation, queued, monkeypatch):
    from consult.summaries import pipeline

    def cancelled_midway(job, worker):
        jobs.cancel(job, consultation.planner)
        db.session.commit()
        jobs.heartbeat(job.id, worker, stage="analysing")

    monkeypatch.setattr(pipeline, "compile_round", cancelled_midway)
    assert compile_round.apply(args=[queued.id]).get() == "cancelled"
    db.session.expire_all()
    assert db.session.get(SummaryJob, queued.id).state is JobState.cancelled


def test_a_duplicate_delivery_does_nothing(queued):
    jobs.claim(queued.id, "host-a:1")
    assert compile_round.apply(args=[queued.id]).get() == "skipped"


def test_an_unexpected_error_fails_the_job_with_a_message_for_planners(queued, monkeypatch):
    from consult.summaries import pipeline

    def broken(job, worker):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "compile_round", broken)
    assert compile_round.apply(args=[queued.id]).get() == "failed"
    db.session.expire_all()
    job = db.session.get(SummaryJob, queued.id)
    assert job.state is JobState.failed and "boom" not in job.error and job.error


def test_the_tick_resends_a_job_whose_message_was_lost(queued, monkeypatch):
    sent = []
    monkeypatch.setattr(compile_round, "delay", lambda job_id: sent.append(job_id))
    assert jobs.sweep() == []
    queued.requested_at = now_utc() - timedelta(minutes=2)
    db.session.commit()
    tick.apply().get()
    assert sent == [queued.id]


def test_the_tick_recompiles_open_rounds_and_compiles_closed_ones_once(make_consultation, monkeypatch):
    monkeypatch.setattr(jobs, "_send_after_commit", lambda job_id: None)
    open_round = make_consultation()
    result = tick.apply().get()
    assert result["started"] == [open_round.round.id]
    job = db.session.scalar(select(SummaryJob).where(SummaryJob.round_id == open_round.round.id))
    assert job.trigger == "periodic"
    assert tick.apply().get()["started"] == [], "an active job is not doubled"
    job.state = JobState.succeeded
    open_round.round.state = RoundState.closed
    db.session.commit()
    assert tick.apply().get()["started"] == [open_round.round.id]
    closing = db.session.scalars(select(SummaryJob).where(SummaryJob.round_id == open_round.round.id)
                                 .order_by(SummaryJob.id.desc())).first()
    assert closing.trigger == "closing"
    closing.state = JobState.succeeded
    db.session.commit()
    assert tick.apply().get()["started"] == [], "a closed round is compiled once by the tick"
