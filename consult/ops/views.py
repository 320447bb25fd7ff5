"""Failed tasks for administrators (/admin/jobs), and the Prometheus endpoint (/metrics)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult.accounts.forms import EmptyForm
from consult.core import permissions
from consult.core.db import db
from consult.core.pagination import paginate
from consult.ops import failures, metrics
from consult.ops.models import FailedTask

bp = Blueprint("ops", __name__)


@bp.get("/admin/jobs")
def jobs():
    permissions.require(current_user, "jobs.manage")
    page = paginate(select(FailedTask).order_by(FailedTask.failed_at.desc(), FailedTask.id.desc()))
    return render_template("ops/jobs.html", page=page, form=EmptyForm())


@bp.post("/admin/jobs/<int:failure_id>/retry")
def retry_job(failure_id: int):
    permissions.require(current_user, "jobs.manage")
    failure = db.get_or_404(FailedTask, failure_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not failure.retryable:
        flash(_("This task cannot be sent again: its arguments were not kept."), "error")
        return redirect(url_for("ops.jobs", page=request.args.get("page", type=int)))
    failures.retry(failure, current_user.id)
    db.session.commit()  # the task is sent once this commit succeeds
    flash(_("The task %(name)s was sent again. If it fails again, it will appear at the top of this list.",
            name=failure.task_name), "success")
    return redirect(url_for("ops.jobs", page=request.args.get("page", type=int)))


@bp.get("/metrics", endpoint="metrics")
def metrics_page():
    # Not for the public: without CONSULT_METRICS_TOKEN, or without the right bearer token, there is nothing.
    if not metrics.token_matches(request.headers.get("Authorization"), current_app.config["CONSULT_METRICS_TOKEN"]):
        abort(404)
    return Response(metrics.exposition(), mimetype=None,
                    headers={"Content-Type": metrics.CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})
