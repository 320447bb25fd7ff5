"""Following projects, notification settings, and one-click unsubscribe from a notice."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.core import permissions
from consult.core.db import db
from consult.core.errors import acting_user as _user
from consult.core.pagination import paginate
from consult.i18n.locale import safe_next
from consult.notifications import services, tokens
from consult.notifications.forms import DELIVERY_LABELS, FollowForm, SettingsForm
from consult.notifications.models import Delivery
from consult.projects.models import ClinicalProject

bp = Blueprint("notifications", __name__)


def _visible_project(project_id: int) -> ClinicalProject:
    project = db.get_or_404(ClinicalProject, project_id)
    if not permissions.can(current_user, "projects.view", project):
        abort(404)  # a project nobody may read yet: do not say it exists
    permissions.require(current_user, "notifications.follow", project)
    return project


def _back(form: FollowForm, project: ClinicalProject) -> str:
    fallback = url_for("projects.project", project_id=project.id)
    target = form.next.data or request.args.get("next")
    return safe_next(target) if target else fallback


@bp.post("/projects/<int:project_id>/follow")
@login_required
def follow(project_id: int):
    project = _visible_project(project_id)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    services.follow(_user(), project.id)  # a second click changes nothing and says the same
    db.session.commit()
    flash(_("You follow “%(title)s”: you will be told when a consultation round opens on it.",
            title=project.title), "success")
    return redirect(_back(form, project))


@bp.post("/projects/<int:project_id>/unfollow")
@login_required
def unfollow(project_id: int):
    project = db.get_or_404(ClinicalProject, project_id)
    permissions.require(current_user, "notifications.settings")
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    services.unfollow(_user(), project.id)
    db.session.commit()
    flash(_("You no longer follow “%(title)s”.", title=project.title), "success")
    return redirect(_back(form, project))


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings():
    permissions.require(current_user, "notifications.settings")
    form = SettingsForm()
    if form.validate_on_submit():
        services.set_delivery(_user(), form.delivery_value)
        db.session.commit()
        flash(_("Your notification settings were saved."), "success")
        return redirect(url_for("notifications.settings"))
    if not form.is_submitted():
        form.delivery.data = services.delivery_of(_user()).value
    page = paginate(services.follows_of(_user()))
    return render_template("notifications/settings.html", form=form, page=page,
                           follow_form=FollowForm()), 422 if form.is_submitted() else 200


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET only asks (mail scanners open links); the POST of its one button stops notices."""
    try:
        user = tokens.read(token)
    except tokens.LinkInvalid:
        return render_template("notifications/unsubscribe_invalid.html"), 400
    form = FollowForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        services.set_delivery(user, Delivery.none)
        db.session.commit()
        return render_template("notifications/unsubscribed.html", user=user)
    return render_template("notifications/unsubscribe.html", form=form, user=user,
                           current=DELIVERY_LABELS[services.delivery_of(user)],
                           already=services.delivery_of(user) is Delivery.none)
