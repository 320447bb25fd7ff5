"""Moderation pages: report content, the establishment's queue, one target's decision page, the
moderation log, and a round's public count of hidden content."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from consult.core import permissions
from consult.core.db import db
from consult.core.errors import acting_user as _user
from consult.core.ratelimits import limit_posts
from consult.i18n.locale import safe_next
from consult.moderation import queries, services
from consult.moderation.forms import DecisionForm, FlagForm
from consult.moderation.models import DECISION_LABELS, Decision, TargetKind
from consult.moderation.services import ModerationError, OwnContent, Target
from consult.rounds.models import ConsultationRound, RoundState
from consult.territories.models import Establishment

bp = Blueprint("moderation", __name__)

KIND_LABELS = {
    TargetKind.comment: _l("Comment"),
    TargetKind.proposed_need: _l("Proposed need"),
    TargetKind.brief: _l("Brief"),
}


def _target_or_404(kind: str, target_id: int) -> Target:
    target_kind = services.kind_of(kind)
    target = services.load_target(target_kind, target_id) if target_kind else None
    if target is None:
        abort(404)
    return target


def _same_site(candidate: str | None) -> str | None:
    """A path on this site from `candidate` (a path, or an absolute URL on this very host), else None."""
    if not candidate:
        return None
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return None
        candidate = parts.path + (f"?{parts.query}" if parts.query else "")
    safe = safe_next(candidate)
    return safe if safe == candidate else None


def _back(form_next: str | None, fallback: str) -> str:
    """Where the person came from: the form's `next`, then ?next=, then the page that linked here."""
    for candidate in (form_next, request.args.get("next"), request.referrer):
        found = _same_site(candidate)
        if found and not found.startswith(request.path):
            return found
    return fallback


# Reporting -----------------------------------------------------------------------------------------


@bp.route("/report/<kind>/<int:target_id>", methods=["GET", "POST"])
@login_required
@limit_posts
def flag(kind: str, target_id: int):
    target = _target_or_404(kind, target_id)
    establishment_id = services.establishment_id_of(target)
    moderates = permissions.can(current_user, "moderation.decide", establishment_id)
    if not (moderates or services.is_visible_to(current_user, target)):
        abort(404)  # what only the establishment sees: do not say it exists
    permissions.require(current_user, "moderation.flag", target)
    form = FlagForm()
    back = _back(form.next.data, services.context_url(target) or url_for("main.home"))
    form.next.data = back
    try:
        services.check_flag(_user(), target)
    except OwnContent as refused:
        return _flag_page(None, target, back, refused.message), 403
    except ModerationError as refused:
        if form.is_submitted():  # a second click on "Report": say so, and go back
            flash(refused.message, "info")
            return redirect(back)
        return _flag_page(None, target, back, refused.message)
    if form.validate_on_submit():
        try:
            services.flag(_user(), target, form.reason_value, form.note.data)
        except ModerationError as refused:
            flash(refused.message, "info")
            return redirect(back)
        db.session.commit()
        flash(_("Thank you. Moderators of the establishment will look at what you reported."), "success")
        return redirect(back)
    return _flag_page(form, target, back), 422 if form.is_submitted() else 200


def _flag_page(form: FlagForm | None, target: Target, back: str, problem: str | None = None) -> str:
    return render_template("moderation/flag.html", form=form, target=target, text=services.text_of(target),
                           kind=services.kind_of_target(target), problem=problem, back=back)


# The queue and decisions -----------------------------------------------------------------------------


@bp.get("/establishments/<int:establishment_id>/moderation")
@login_required
def queue(establishment_id: int):
    establishment = db.get_or_404(Establishment, establishment_id)
    permissions.require(current_user, "moderation.queue", establishment.id)
    page, entries = queries.queue(establishment.id)
    return render_template("moderation/queue.html", establishment=establishment, page=page, entries=entries,
                           form=DecisionForm(), context_url=services.context_url, text_of=services.text_of,
                           kind_labels=KIND_LABELS)


@bp.route("/moderation/<kind>/<int:target_id>", methods=["GET", "POST"])
@login_required
def decide(kind: str, target_id: int):
    target = _target_or_404(kind, target_id)
    establishment_id = services.establishment_id_of(target)
    permissions.require(current_user, "moderation.decide", establishment_id)
    form = DecisionForm()
    queue_url = url_for("moderation.queue", establishment_id=establishment_id)
    if form.validate_on_submit():
        back = _back(form.next.data, queue_url)
        try:
            services.decide(_user(), target, form.decision_value, form.public_reason.data, form.note.data)
        except ModerationError as refused:  # e.g. a double-clicked "Hide": the first one did it
            flash(refused.message, "info")
            return redirect(back)
        db.session.commit()
        flash(_decided_message(form.decision_value), "success")
        return redirect(back)
    flags, actions = queries.history(services.kind_of_target(target), target.id)
    if not form.is_submitted():
        form.next.data = _back(None, queue_url)
    return render_template("moderation/target.html", form=form, target=target,
                           kind=services.kind_of_target(target), kind_labels=KIND_LABELS,
                           text=services.text_of(target), url=services.context_url(target), flags=flags,
                           actions=actions, establishment_id=establishment_id,
                           queue_url=queue_url), 422 if form.is_submitted() else 200


def _decided_message(decision: Decision) -> str:
    if decision is Decision.hide:
        return _("The content is hidden. Readers see the public reason in its place, and its author was told.")
    if decision is Decision.restore:
        return _("The content is shown again.")
    return _("The flags were dismissed; the content stays as it is.")


# The log and the public count ---------------------------------------------------------------------------


@bp.get("/establishments/<int:establishment_id>/moderation/log")
@login_required
def log(establishment_id: int):
    establishment = db.get_or_404(Establishment, establishment_id)
    permissions.require(current_user, "moderation.log", establishment.id)
    page, targets = queries.log(establishment.id)
    return render_template("moderation/log.html", establishment=establishment, page=page, targets=targets,
                           moderates=permissions.can(current_user, "moderation.decide", establishment.id),
                           context_url=services.context_url, kind_labels=KIND_LABELS)


@bp.get("/rounds/<int:round_id>/moderation")
def transparency(round_id: int):
    round_ = db.get_or_404(ConsultationRound, round_id)
    if round_.state is RoundState.draft:
        abort(404)  # not announced yet, and nothing posted
    return render_template("moderation/transparency.html", round=round_, hidden=queries.hidden_counts(round_.id),
                           decisions=queries.decision_counts(round_.id), kind_labels=KIND_LABELS,
                           decision_labels=DECISION_LABELS)
