"""Compilation jobs of a round: the compile button, the progress bar people watch, cancel, and the history."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult.core import permissions
from consult.core.db import db
from consult.core.errors import acting_user
from consult.core.pagination import paginate
from consult.rounds.models import ConsultationRound
from consult.summaries import jobs
from consult.summaries.blueprint import bp
from consult.summaries.models import Summary, SummaryJob


def _round(round_id: int, action: str = "summaries.oversee") -> ConsultationRound:
    round_ = db.get_or_404(ConsultationRound, round_id)
    permissions.require(current_user, action, round_)
    return round_


def _job(job_id: int, action: str = "summaries.oversee") -> SummaryJob:
    job = db.get_or_404(SummaryJob, job_id)
    permissions.require(current_user, action, job.round)
    return job


def status(job: SummaryJob) -> dict:
    """What the progress bar shows; also the JSON the page polls."""
    summary = db.session.scalar(select(Summary.id).where(Summary.job_id == job.id))
    return {
        "id": job.id, "state": job.state.value, "state_label": job.state_label, "active": job.active,
        "stage": job.stage, "stage_label": job.stage_label, "progress": job.progress, "done": job.done,
        "total": job.total, "outcome": job.outcome, "error": job.error,
        "cancel_requested": job.cancel_requested_at is not None,
        "summary_url": url_for("summaries.summary", summary_id=summary) if summary else None,
    }


@bp.get("/rounds/<int:round_id>/compilations", endpoint="jobs")
def jobs_page(round_id: int):
    round_ = _round(round_id)
    active = jobs.active_job(round_)
    history = paginate(select(SummaryJob).where(SummaryJob.round_id == round_.id)
                       .order_by(SummaryJob.id.desc()), per_page=20)
    summaries = db.session.scalars(select(Summary).where(Summary.round_id == round_.id)
                                   .order_by(Summary.number.desc()).limit(20)).all()
    by_job = {summary.job_id: summary for summary in summaries}
    return render_template("summaries/jobs/index.html", round=round_, active=active,
                           active_status=status(active) if active else None, history=history,
                           summaries=summaries, by_job=by_job,
                           may_manage=permissions.can(current_user, "summaries.manage", round_))


@bp.post("/rounds/<int:round_id>/compile")
def compile(round_id: int):
    round_ = _round(round_id, "summaries.manage")
    try:
        _job, created = jobs.request(round_, acting_user())
    except jobs.JobError as refused:
        flash(str(refused), "error")
        return redirect(url_for("summaries.jobs", round_id=round_.id))
    db.session.commit()
    if created:
        flash(_("The compilation has started. This page shows its progress."), "success")
    else:
        flash(_("A compilation of this round is already under way: here is its progress."), "info")
    return redirect(url_for("summaries.jobs", round_id=round_.id, _anchor="progress"))


@bp.post("/summaries/jobs/<int:job_id>/cancel")
def cancel_job(job_id: int):
    job = _job(job_id, "summaries.manage")
    try:
        jobs.cancel(job, acting_user())
    except jobs.JobError as refused:
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("The compilation is cancelled.") if not job.active
              else _("The compilation will stop in a few seconds."), "success")
    return redirect(url_for("summaries.jobs", round_id=job.round_id))


@bp.get("/summaries/jobs/<int:job_id>/status")
def job_status(job_id: int):
    job = _job(job_id)
    response = jsonify(status(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/summaries/jobs/<int:job_id>")
def job(job_id: int):
    found = _job(job_id)
    return redirect(url_for("summaries.jobs", round_id=found.round_id, _anchor=f"job-{found.id}"))
