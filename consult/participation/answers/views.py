"""The planners' answer queue, the answer form, and the public "What we heard, what we did" page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_percent, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.core import permissions
from consult.core.db import db
from consult.core.ratelimits import limit_posts
from consult.participation.answers import queries, services
from consult.participation.answers.forms import AnswerForm, FilterForm
from consult.participation.blueprint import bp
from consult.participation.models import OUTCOME_LABELS, InputKind
from consult.rounds.models import ConsultationRound


def _kind_or_404(kind: str) -> InputKind:
    try:
        return InputKind(kind)
    except ValueError:
        abort(404)


def _filtered() -> tuple[FilterForm, queries.Filters]:
    form = FilterForm(request.args)
    form.validate()
    return form, form.filters()


def unanswered_sentence(counts: queries.Counts) -> str:
    """The share of inputs still unanswered, in a sentence: never only a number."""
    if not counts.total:
        return _("This round received no input.")
    if not counts.unanswered:
        return ngettext("The establishment answered the only input.",
                        "The establishment answered all %(num)d inputs.", counts.total)
    return ngettext("%(num)d of %(total)d inputs is still unanswered (%(share)s).",
                    "%(num)d of %(total)d inputs are still unanswered (%(share)s).",
                    counts.unanswered, total=counts.total, share=format_percent(counts.unanswered_share))


def _context(round_: ConsultationRound) -> dict:
    return {"round": round_, "kinds": list(InputKind), "kind_plurals": queries.KIND_PLURALS,
            "outcomes": list(OUTCOME_LABELS), "outcome_labels": OUTCOME_LABELS}


@bp.get("/rounds/<int:round_id>/answers")
@login_required
def answers(round_id: int):
    round_ = db.get_or_404(ConsultationRound, round_id)
    permissions.require(current_user, "participation.answers.view", round_)
    form, filters = _filtered()
    page = queries.page_of_inputs(round_, filters)
    found = queries.counts(round_)
    return render_template("participation/answers/queue.html", form=form, filters=filters, page=page,
                           counts=found, sentence=unanswered_sentence(found),
                           may_answer=permissions.can(current_user, "participation.answer", round_),
                           **_context(round_))


@bp.route("/rounds/<int:round_id>/answers/<kind>/<int:input_id>", methods=["GET", "POST"])
@login_required
@limit_posts
def answer(round_id: int, kind: str, input_id: int):
    round_ = db.get_or_404(ConsultationRound, round_id)
    input_kind = _kind_or_404(kind)
    permissions.require(current_user, "participation.answers.view", round_)
    if request.method == "POST":
        permissions.require(current_user, "participation.answer", round_)
    target = queries.find_input(round_, input_kind, input_id)
    if target is None:
        abort(404)
    shown = queries.load_input(input_kind, target)
    current = shown.disposition
    form = AnswerForm(data={"outcome": current.outcome, "reason": current.reason}
                      if current is not None and request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            _disposition, changed = services.answer(round_, input_kind, target, form.outcome.data,
                                                    form.reason.data, current_user)
        except services.AnswerRefused as refusal:
            db.session.rollback()
            form.form_errors.append(refusal.message)
            status = 422
        else:
            db.session.commit()
            if not changed:
                flash(_("Nothing changed: this was already the answer."), "info")
            elif services.author_of(input_kind, target) is None:
                flash(_("The answer is saved. Its author's account no longer exists, so nobody is notified."),
                      "success")
            else:
                flash(_("The answer is saved and its author is notified."), "success")
            return redirect(url_for("participation.answers", round_id=round_.id, _anchor=shown.anchor))
    elif form.is_submitted():
        status = 422
    return render_template("participation/answers/answer.html", form=form, input=shown, current=current,
                           may_answer=permissions.can(current_user, "participation.answer", round_),
                           answerable=round_.state in services.ANSWERABLE, **_context(round_)), status


@bp.get("/rounds/<int:round_id>/heard")
def heard(round_id: int):
    round_ = db.get_or_404(ConsultationRound, round_id)
    if not permissions.can(current_user, "participation.heard.view", round_):
        abort(404)  # not public yet: as if the page did not exist
    form, filters = _filtered()
    page = queries.page_of_inputs(round_, filters)
    found = queries.counts(round_)
    may_answer = permissions.can(current_user, "participation.answer", round_)
    return render_template("participation/answers/heard.html", form=form, filters=filters, page=page,
                           counts=found, sentence=unanswered_sentence(found), preview=not round_.has_closed,
                           published_at=services.published_at(round_),
                           may_publish=may_answer and round_.state in services.PUBLISHABLE,
                           may_answer=may_answer, **_context(round_))


@bp.post("/rounds/<int:round_id>/heard/publish")
@login_required
def publish_heard(round_id: int):
    round_ = db.get_or_404(ConsultationRound, round_id)
    permissions.require(current_user, "participation.answer", round_)
    try:
        unanswered = services.publish(round_, current_user)
    except services.AnswerRefused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("participation.heard", round_id=round_.id))
    db.session.commit()
    if unanswered:
        flash(ngettext("The results are published. %(num)d input is still unanswered: the page says so, and "
                       "you can still answer it.",
                       "The results are published. %(num)d inputs are still unanswered: the page says so, and "
                       "you can still answer them.", unanswered), "warning")
    else:
        flash(_("The results are published."), "success")
    return redirect(url_for("participation.heard", round_id=round_.id))
