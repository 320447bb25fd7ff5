"""Pages of consultation rounds: the public list and round page (with its banner, questions, items in
consultation and invitation list, where each party answers its own line), and the planners' pages:
a project's rounds, the round form, guiding questions, invitations, state changes, extension, history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from consult.accounts.forms import EmptyForm
from consult.core import permissions
from consult.core.db import db, now_utc
from consult.core.timefmt import datetime_filter
from consult.i18n.locale import current_lang
from consult.organizations.models import Organization
from consult.projects import queries as project_queries
from consult.projects.kinds import KINDS, STEP_KINDS
from consult.projects.models import STEP_TITLES, ClinicalProject, StepVersion
from consult.rounds import queries, services
from consult.rounds.forms import (
    AnswerForm,
    EditQuestionForm,
    ExtendForm,
    InviteForm,
    QuestionForm,
    RoundForm,
    TransitionForm,
)
from consult.rounds.models import (
    Audience,
    ConsultationRound,
    GuidingQuestion,
    ParticipationLevel,
    RoundInvitation,
    RoundState,
)
from consult.territories.forms import one_line

bp = Blueprint("rounds", __name__)

ITEMS_PER_KIND = 10  # on the round page; the rest is one click away, paginated


# Loading and authorizing -----------------------------------------------------------------------------


def _visible(round_id: int) -> ConsultationRound:
    """A round the current person may read; a draft is 404 for anyone but its planners and admins."""
    round_ = queries.load_round(round_id)
    if not permissions.can(current_user, "rounds.view", round_):
        abort(404)
    return round_


def _overseen(round_id: int) -> ConsultationRound:
    round_ = _visible(round_id)
    permissions.require(current_user, "rounds.oversee", round_)
    return round_


def _managed(round_id: int) -> ConsultationRound:
    round_ = _visible(round_id)
    permissions.require(current_user, "rounds.manage", round_)
    return round_


def _form_error(form, error: services.RoundError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
        form._errors = None  # WTForms caches form.errors after validate(); the summary must see this one
    else:
        flash(error.message, "error")


def _flash_short(round_: Any) -> None:
    warning = services.short_round_warning(round_)
    if warning:
        flash(warning, "warning")


# Public pages ----------------------------------------------------------------------------------------


@bp.get("/rounds")
def index():
    establishment_id = request.args.get("establishment", type=int)
    project_id = request.args.get("project", type=int)
    page = queries.public_rounds(establishment_id, project_id)
    project = db.session.get(ClinicalProject, project_id) if project_id else None
    return render_template("rounds/index.html", page=page, establishments=queries.establishments_with_rounds(),
                           establishment_id=establishment_id, project=project, group_of=queries.group_of)


def _render_show(round_: ConsultationRound, failed: tuple[int, AnswerForm] | None = None, status: int = 200):
    questions: dict[int, list[GuidingQuestion]] = {}
    for question in round_.questions:
        questions.setdefault(question.step_number, []).append(question)
    answerable = {invitation.id: services.possible_answers(invitation) for invitation in round_.invitations
                  if permissions.can(current_user, "rounds.answer_invitation", invitation)}
    may_manage = permissions.can(current_user, "rounds.manage", round_)
    return render_template(
        "rounds/show.html", round=round_, questions=questions, step_titles=STEP_TITLES,
        # Read only when the section is not kept already (templates: fragment "round-items").
        consultation_blocks=lambda: queries.consultation_items(round_, ITEMS_PER_KIND), item_label=queries.item_label,
        answerable={k: v for k, v in answerable.items() if v}, answer_labels=services.answer_labels(),
        failed=failed, may_manage=may_manage, may_oversee=permissions.can(current_user, "rounds.oversee", round_),
        actions=services.possible_actions(round_) if may_manage else [], labels=services.transition_labels(),
        short_warning=services.short_round_warning(round_) if may_manage and round_.is_editable else None,
        schedule_problems=services.schedule_problems(round_, now_utc()) if may_manage and round_.is_editable
        else [], counts=queries.invitation_counts(round_), lang=current_lang(),
        published_summary=queries.published_summary(round_)), status


@bp.get("/rounds/<int:round_id>")
def show(round_id: int):
    return _render_show(_visible(round_id))


@bp.get("/rounds/<int:round_id>/versions/<int:version_id>")
def items(round_id: int, version_id: int):
    """Every item of one version in consultation, paginated, each with its links."""
    round_ = _visible(round_id)
    version = next((v for v in round_.versions if v.id == version_id), None)
    if version is None:
        abort(404)
    kinds = STEP_KINDS[version.step.number]
    kind = request.args.get("kind", kinds[0])
    if kind not in kinds:
        abort(404)
    return render_template("rounds/items.html", round=round_, version=version, kind=kind, kinds=kinds,
                           spec=KINDS[kind], page=queries.version_items(version, kind),
                           item_label=queries.item_label)


@bp.post("/rounds/<int:round_id>/invitations/<int:invitation_id>/answer")
@login_required
def answer(round_id: int, invitation_id: int):
    round_ = _visible(round_id)
    invitation = next((i for i in round_.invitations if i.id == invitation_id), None)
    if invitation is None:
        abort(404)
    permissions.require(current_user, "rounds.answer_invitation", invitation)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer_invitation(invitation, current_user, form.answer.data, form.reason.data)
        except services.RoundError as error:
            form.answer.errors = [*form.answer.errors, error.message]
            form._errors = None
        else:
            db.session.commit()
            flash(_("Your answer is recorded: %(party)s — %(state)s.", party=invitation.party_name,
                    state=invitation.state_label), "success")
            return redirect(url_for("rounds.show", round_id=round_.id, _anchor="invitations"))
    return _render_show(round_, (invitation.id, form), 422)


# A project's rounds and the round form -----------------------------------------------------------------


@bp.get("/projects/<int:project_id>/rounds")
def manage(project_id: int):
    project = project_queries.load_project(project_id)
    permissions.require(current_user, "rounds.oversee", project)
    return render_template("rounds/manage.html", project=project, page=queries.project_rounds(project),
                           may_manage=permissions.can(current_user, "rounds.manage", project))


def _version_label(version: StepVersion) -> str:
    return _("Step %(n)d: %(title)s — version %(version)d (%(purpose)s, published on %(date)s)",
             n=version.step.number, title=version.step.title, version=version.number,
             purpose=version.purpose_label, date=version.published_at.strftime("%Y-%m-%d"))


def _round_form(project: ClinicalProject, round_: ConsultationRound | None, current: bool = False) -> RoundForm:
    """The form, filled from the request when one was posted; `current` shows the round as saved."""
    data: dict[str, Any] = {}
    if round_ is not None:
        data = {"title": round_.title, "mandate": round_.mandate,
                "participation_level": round_.participation_level.value,
                "budgets_in_scope": "yes" if round_.budgets_in_scope else "no", "audience": round_.audience.value,
                "opens_at": services.utc_to_local(round_.opens_at),
                "closes_at": services.utc_to_local(round_.closes_at),
                "version_ids": [v.id for v in round_.versions], "lock_version": round_.lock_version}
    elif request.method == "GET":
        # A suggestion that respects the recommended minimum: tomorrow 9:00 until 17:00 that many days later.
        start = services.utc_to_local(now_utc()).replace(hour=9, minute=0) + timedelta(days=1)
        end = (start + timedelta(days=current_app.config["CONSULT_ROUND_MIN_DAYS"])).replace(hour=17)
        data = {"opens_at": start, "closes_at": end,
                "version_ids": [v.id for v in queries.latest_versions(project)]}
    form = RoundForm(formdata=None, data=data) if current else RoundForm(data=data)
    form.version_ids.choices = [(v.id, _version_label(v)) for v in queries.published_versions(project)]
    return form


def _round_data(form: RoundForm, project: ClinicalProject) -> services.RoundData:
    return services.RoundData(
        title=form.title.data, mandate=form.mandate.data or "",
        participation_level=ParticipationLevel(form.participation_level.data),
        budgets_in_scope=form.budgets_in_scope.data == "yes", audience=Audience(form.audience.data),
        opens_at=services.local_to_utc(form.opens_at.data), closes_at=services.local_to_utc(form.closes_at.data),
        versions=queries.versions_by_ids(project, form.version_ids.data or []))


@bp.route("/projects/<int:project_id>/rounds/new", methods=["GET", "POST"])
@login_required
def new(project_id: int):
    project = project_queries.load_project(project_id)
    permissions.require(current_user, "rounds.manage", project)
    form = _round_form(project, None)
    if not form.version_ids.choices:
        flash(_("No step of this project is published yet. Publish a step before putting it in consultation."),
              "warning")
    status = 200
    if form.validate_on_submit():
        data = _round_data(form, project)
        try:
            round_ = services.create_round(project, current_user, data)
        except services.RoundError as error:
            _form_error(form, error)
        else:
            db.session.commit()
            flash(_("The round “%(title)s” was created as a draft. Add its guiding questions and invitations, "
                    "then schedule it.", title=round_.title), "success")
            _flash_short(round_)
            return redirect(url_for("rounds.show", round_id=round_.id))
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("rounds/form.html", form=form, project=project, round=None), status


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
def edit(round_id: int):
    round_ = _managed(round_id)
    project = round_.project
    if not round_.is_editable:
        flash(_("This round can no longer be edited: it is “%(state)s”.",
                state=round_.state_label), "warning")
        return redirect(url_for("rounds.show", round_id=round_.id))
    form = _round_form(project, round_ if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_round(round_, current_user, form.lock_version.data, _round_data(form, project))
        except services.RoundError as error:
            db.session.rollback()  # a refused change may have been half applied to the loaded round
            _form_error(form, error)
        except services.StaleRound:
            db.session.rollback()
            round_ = queries.load_round(round_id)
            flash(services.stale_message(), "error")
            return render_template("rounds/form.html", form=_round_form(project, round_, current=True),
                                   project=project, round=round_), 409
        else:
            db.session.commit()
            flash(_("The round was saved."), "success")
            _flash_short(round_)
            return redirect(url_for("rounds.show", round_id=round_.id))
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("rounds/form.html", form=form, project=project, round=round_), status


# State changes and extension ---------------------------------------------------------------------------


@bp.post("/rounds/<int:round_id>/transition")
def transition(round_id: int):
    round_ = _managed(round_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    action = form.action.data
    try:
        services.transition(round_, action, current_user, form.lock_version.data)
    except services.RoundError as error:
        db.session.rollback()
        flash(error.message, "error")
    except services.StaleRound:
        db.session.rollback()
        flash(services.stale_message(), "error")
    else:
        db.session.commit()
        flash(_("The round is now “%(state)s”.", state=round_.state_label), "success")
        if action in ("schedule", "open"):
            _flash_short(round_)
    return redirect(url_for("rounds.show", round_id=round_id))


@bp.route("/rounds/<int:round_id>/extend", methods=["GET", "POST"])
def extend(round_id: int):
    round_ = _managed(round_id)
    if round_.state not in (RoundState.open, RoundState.closed):
        flash(_("A round can be extended while it is open, or after it closed as long as it has not been "
                "summarized."), "warning")
        return redirect(url_for("rounds.show", round_id=round_.id))
    form = ExtendForm(data={"lock_version": round_.lock_version,
                            "closes_at": services.utc_to_local(round_.closes_at + timedelta(days=7))})
    status = 200
    if form.validate_on_submit():
        try:
            reopened = services.extend(round_, current_user, form.lock_version.data,
                                       services.local_to_utc(form.closes_at.data), form.reason.data)
        except services.RoundError as error:
            _form_error(form, error)
        except services.StaleRound:
            db.session.rollback()
            flash(services.stale_message(), "error")
            return redirect(url_for("rounds.extend", round_id=round_id))
        else:
            db.session.commit()
            closing = datetime_filter(round_.closes_at)
            if reopened:
                flash(_("The round reopened; it now closes on %(date)s, for everyone.", date=closing), "success")
            else:
                flash(_("The closing moved to %(date)s, for everyone.", date=closing), "success")
            return redirect(url_for("rounds.show", round_id=round_.id))
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("rounds/extend.html", form=form, round=round_), status


@bp.get("/rounds/<int:round_id>/history")
def history(round_id: int):
    round_ = _overseen(round_id)
    return render_template("rounds/history.html", round=round_, page=queries.events_page(round_),
                           labels=queries.event_labels(), describe=queries.describe)


# Guiding questions -----------------------------------------------------------------------------------


def _question_form(round_: ConsultationRound) -> QuestionForm:
    form = QuestionForm()
    form.step_number.choices = [(n, _("Step %(n)d: %(title)s", n=n, title=STEP_TITLES[n]))
                                for n in services.steps_in_consultation(round_)]
    return form


@bp.route("/rounds/<int:round_id>/questions", methods=["GET", "POST"])
def questions(round_id: int):
    round_ = _overseen(round_id)
    may_manage = permissions.can(current_user, "rounds.manage", round_)
    form = _question_form(round_)
    status = 200
    if request.method == "POST":
        permissions.require(current_user, "rounds.manage", round_)
        if form.validate_on_submit():
            try:
                services.add_question(round_, current_user, form.step_number.data, form.text.data)
            except services.RoundError as error:
                _form_error(form, error)
            else:
                db.session.commit()
                flash(_("The question was added."), "success")
                return redirect(url_for("rounds.questions", round_id=round_.id))
        status = 422
    grouped: dict[int, list[GuidingQuestion]] = {}
    for question in round_.questions:
        grouped.setdefault(question.step_number, []).append(question)
    return render_template("rounds/questions.html", round=round_, form=form, grouped=grouped,
                           step_titles=STEP_TITLES, may_manage=may_manage), status


def _question(round_: ConsultationRound, question_id: int) -> GuidingQuestion:
    question = next((q for q in round_.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return question


@bp.route("/rounds/<int:round_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit_question(round_id: int, question_id: int):
    round_ = _managed(round_id)
    question = _question(round_, question_id)
    form = EditQuestionForm(data={"text": question.text})
    status = 200
    if form.validate_on_submit():
        try:
            services.edit_question(question, current_user, form.text.data)
        except services.RoundError as error:
            _form_error(form, error)
        else:
            db.session.commit()
            flash(_("The question was saved."), "success")
            return redirect(url_for("rounds.questions", round_id=round_.id))
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("rounds/question_form.html", round=round_, question=question, form=form,
                           step_title=STEP_TITLES[question.step_number]), status


@bp.post("/rounds/<int:round_id>/questions/<int:question_id>/move")
def move_question(round_id: int, question_id: int):
    round_ = _managed(round_id)
    question = _question(round_, question_id)
    if not EmptyForm().validate_on_submit() or request.form.get("direction") not in ("up", "down"):
        abort(400)
    try:
        services.move_question(question, current_user, request.form["direction"])
    except services.RoundError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
    return redirect(url_for("rounds.questions", round_id=round_.id, _anchor=f"question-{question_id}"))


@bp.post("/rounds/<int:round_id>/questions/<int:question_id>/delete")
def delete_question(round_id: int, question_id: int):
    round_ = _managed(round_id)
    question = _question(round_, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.remove_question(question, current_user)
    except services.RoundError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The question was removed."), "success")
    return redirect(url_for("rounds.questions", round_id=round_.id))


# Invitations -----------------------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/invitations", methods=["GET", "POST"])
def invitations(round_id: int):
    round_ = _overseen(round_id)
    may_manage = permissions.can(current_user, "rounds.manage", round_)
    form = InviteForm()
    if request.method == "POST":
        permissions.require(current_user, "rounds.manage", round_)
        if not form.validate_on_submit():
            abort(400)
        try:
            if "include_establishment" in request.form:
                services.include_establishment(round_, current_user)
                db.session.commit()
                flash(_("The establishment is on the list: its planners answer for it."), "success")
            else:
                ids = [i for i in (form.organization_ids.data or []) if isinstance(i, int)]
                chosen = list(db.session.scalars(select(Organization).where(Organization.id.in_(ids or [-1]))))
                if not chosen:
                    flash(_("Tick at least one organization to invite."), "error")
                else:
                    added = services.invite_organizations(round_, current_user, chosen)
                    db.session.commit()
                    flash(_("%(count)d organization(s) invited.", count=added), "success")
        except services.RoundError as error:
            db.session.rollback()
            flash(error.message, "error")
        return redirect(url_for("rounds.invitations", round_id=round_.id, q=request.args.get("q") or None))
    text = (one_line(request.args.get("q")) or "")[:200]
    return render_template("rounds/invitations.html", round=round_, form=form, q=text,
                           page=queries.registry_page(round_, text) if may_manage and not round_.has_closed
                           else None, may_manage=may_manage,
                           has_establishment=any(i.establishment_id for i in round_.invitations))


@bp.post("/rounds/<int:round_id>/invitations/<int:invitation_id>/remove")
def uninvite(round_id: int, invitation_id: int):
    round_ = _managed(round_id)
    invitation: RoundInvitation | None = next((i for i in round_.invitations if i.id == invitation_id), None)
    if invitation is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.uninvite(invitation, current_user)
    except services.RoundError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The invitation was taken back."), "success")
    return redirect(url_for("rounds.invitations", round_id=round_.id))
