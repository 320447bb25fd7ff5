"""Pages of the clinical project: the list of projects, a project and its six steps, the state machine,
the published versions (read by everyone), their comparison, and the administrators' programme list."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from consult.accounts.forms import EmptyForm
from consult.core import permissions
from consult.core.db import db
from consult.i18n.locale import current_lang
from consult.projects import queries, services
from consult.projects.diff import ListPage, compare, with_fields
from consult.projects.forms import ProgrammeForm, ProjectForm, StepSummaryForm, TransitionForm
from consult.projects.kinds import KINDS, STEP_KINDS
from consult.projects.models import ClinicalProject, Programme, ProjectStatus, ProjectStep, StepVersion, VersionItem
from consult.territories.forms import node_label
from consult.territories.models import Establishment, Level, TerritoryNode
from consult.territories.queries import nodes_of_levels

bp = Blueprint("projects", __name__)


# Helpers shared by the other view modules -----------------------------------------------------------


def load_visible(project_id: int) -> ClinicalProject:
    project = queries.load_project(project_id)
    permissions.require(current_user, "projects.view", project)
    return project


def load_working(project_id: int) -> ClinicalProject:
    project = queries.load_project(project_id)
    permissions.require(current_user, "projects.work.view", project)
    return project


def load_editable(project_id: int) -> ClinicalProject:
    project = queries.load_project(project_id)
    permissions.require(current_user, "projects.edit", project)
    return project


def step_or_404(project: ClinicalProject, number: int) -> ProjectStep:
    if number not in range(1, 7):
        abort(404)
    return project.step(number)


def form_error(form, error: services.ProjectError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
        form._errors = None  # WTForms caches form.errors after validate(); the summary must see this one
    else:
        flash(error.message, "error")


# Projects ------------------------------------------------------------------------------------------


@bp.get("/projects")
def index():
    return render_template("projects/index.html", page=queries.visible_projects(current_user),
                           may_create=permissions.can(current_user, "projects.create", None))


def _territory_choices() -> list[tuple[int, str]]:
    return [(n.id, node_label(n)) for n in nodes_of_levels(*Level)]


def _project_form(project: ClinicalProject | None) -> ProjectForm:
    data: dict[str, Any] = {}
    if project is not None:
        data = {"establishment_id": project.establishment_id, "programme_id": project.programme_id,
                "title": project.title, "summary": project.summary, "start_date": project.start_date,
                "end_date": project.end_date, "status": project.status.value,
                "territory_ids": [t.id for t in project.territories], "lock_version": project.lock_version}
    form = ProjectForm(data=data)
    lang = current_lang()
    establishments = db.session.scalars(select(Establishment).where(
        Establishment.id.in_(current_user.establishment_ids("planner") or [-1])).order_by(Establishment.name))
    form.establishment_id.choices = [("", _("Choose the establishment"))] + [(e.id, e.name)
                                                                           for e in establishments]
    active = queries.programmes(active_only=True)
    if project is not None and project.programme not in active:
        active.append(project.programme)
    form.programme_id.choices = [("", _("Choose the programme-services"))] + [(p.id, p.name_for(lang))
                                                                            for p in active]
    form.territory_ids.choices = _territory_choices()
    return form


def _territories(ids: list[int]) -> list[TerritoryNode]:
    if not ids:
        return []
    return list(db.session.scalars(select(TerritoryNode).where(TerritoryNode.id.in_(ids))))


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new_project():
    permissions.require(current_user, "projects.create", None)
    form = _project_form(None)
    if not form.programme_id.choices[1:]:
        flash(_("No programme-services is available yet. An administrator adds them in the administration."),
              "warning")
    if form.validate_on_submit():
        establishment = db.get_or_404(Establishment, form.establishment_id.data)
        permissions.require(current_user, "projects.create", establishment)
        programme = db.get_or_404(Programme, form.programme_id.data)
        try:
            project = services.create_project(
                establishment, programme, title=form.title.data, summary=form.summary.data,
                start_date=form.start_date.data, end_date=form.end_date.data,
                territories=_territories(form.territory_ids.data or []))
        except services.ProjectError as error:
            form_error(form, error)
        else:
            db.session.commit()
            flash(_("The project “%(title)s” was created with its six steps.", title=project.title), "success")
            return redirect(url_for("projects.project", project_id=project.id))
    return render_template("projects/project_form.html", form=form, project=None), (
        422 if form.is_submitted() else 200)


@bp.get("/projects/<int:project_id>")
def project(project_id: int):
    project = load_visible(project_id)
    working = permissions.can(current_user, "projects.work.view", project)
    return render_template("projects/project.html", project=project, working=working,
                           editable=permissions.can(current_user, "projects.edit", project),
                           programme=project.programme.name_for(current_lang()))


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
def edit_project(project_id: int):
    project = load_editable(project_id)
    form = _project_form(project)
    form.establishment_id.data = project.establishment_id  # the establishment of a project never changes
    status = 200
    if form.validate_on_submit():
        programme = db.get_or_404(Programme, form.programme_id.data)
        try:
            services.update_project(project, form.lock_version.data, programme=programme,
                                    title=form.title.data, summary=form.summary.data,
                                    start_date=form.start_date.data, end_date=form.end_date.data,
                                    status=ProjectStatus(form.status.data),
                                    territories=_territories(form.territory_ids.data or []))
        except services.ProjectError as error:
            form_error(form, error)
        except services.StaleItem:
            db.session.rollback()
            project = queries.load_project(project_id)
            flash(services.stale_message(), "error")
            form.lock_version.data = project.lock_version
            return render_template("projects/project_form.html", form=form, project=project,
                                   current=project), 409
        else:
            db.session.commit()
            flash(_("The project was saved."), "success")
            return redirect(url_for("projects.project", project_id=project.id))
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("projects/project_form.html", form=form, project=project), status


# Steps ---------------------------------------------------------------------------------------------


@bp.get("/projects/<int:project_id>/steps/<int:number>")
def step(project_id: int, number: int):
    project = load_working(project_id)
    step = step_or_404(project, number)
    counts = {}
    for kind in STEP_KINDS[number]:
        stmt = queries.working_items(project.id, kind, number)
        counts[kind] = db.session.scalar(select(db.func.count()).select_from(stmt.order_by(None).subquery()))
    summary_form = StepSummaryForm(data={"summary": step.summary, "lock_version": step.lock_version})
    return render_template("projects/step.html", project=project, step=step, counts=counts,
                           kinds=[KINDS[k] for k in STEP_KINDS[number]],
                           versions=queries.versions_of(step), summary_form=summary_form,
                           transitions=services.TRANSITIONS, labels=services.transition_labels(),
                           editable=permissions.can(current_user, "projects.edit", project),
                           transition_form=TransitionForm(data={"lock_version": step.lock_version}))


@bp.post("/projects/<int:project_id>/steps/<int:number>/summary")
def step_summary(project_id: int, number: int):
    project = load_editable(project_id)
    step = step_or_404(project, number)
    form = StepSummaryForm()
    if form.validate_on_submit():
        try:
            services.save_step_summary(step, form.lock_version.data, form.summary.data)
        except services.ProjectError as error:
            flash(error.message, "error")
        except services.StaleItem:
            db.session.rollback()
            flash(services.stale_message(), "error")
        else:
            db.session.commit()
            flash(_("The summary of the step was saved."), "success")
    else:
        flash(_("The summary could not be saved: %(problem)s",
                problem=" ".join(e for errs in form.errors.values() for e in errs)), "error")
    return redirect(url_for("projects.step", project_id=project.id, number=number))


@bp.post("/projects/<int:project_id>/steps/<int:number>/transition")
def transition(project_id: int, number: int):
    project = load_editable(project_id)
    step = step_or_404(project, number)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for("projects.step", project_id=project.id, number=number))
    try:
        version = services.transition(step, form.action.data, current_user, form.lock_version.data)
    except services.ProjectError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("projects.step", project_id=project.id, number=number))
    except services.StaleItem:
        db.session.rollback()
        flash(_("Someone else changed the state of this step since you opened the page. Nothing was done; "
                "here is its current state."), "error")
        return redirect(url_for("projects.step", project_id=project.id, number=number))
    db.session.commit()
    if version is not None:
        flash(_("Version %(n)d of “%(step)s” is published. It will never change; later changes go into a "
                "new version.", n=version.number, step=step.title), "success")
    else:
        flash(_("The step is now “%(state)s”.", state=step.state_label), "success")
    return redirect(url_for("projects.step", project_id=project.id, number=number))


# Published versions ----------------------------------------------------------------------------------


@bp.get("/projects/<int:project_id>/steps/<int:number>/versions")
def versions(project_id: int, number: int):
    project = load_visible(project_id)
    step = step_or_404(project, number)
    found = queries.versions_of(step)
    if not found and not permissions.can(current_user, "projects.work.view", project):
        abort(404)
    return render_template("projects/versions.html", project=project, step=step, versions=found)


def _version(project: ClinicalProject, number: int, version_number: int) -> tuple[ProjectStep, StepVersion]:
    step = step_or_404(project, number)
    version = queries.version_by_number(step, version_number)
    if version is None:
        abort(404)
    permissions.require(current_user, "projects.version.view", version)
    return step, version


@bp.get("/projects/<int:project_id>/steps/<int:number>/versions/<int:version>")
def version(project_id: int, number: int, version: int):
    project = load_visible(project_id)
    step, found = _version(project, number, version)
    kinds = STEP_KINDS[number]
    kind = request.args.get("kind", kinds[0])
    if kind not in kinds:
        abort(404)
    counts = queries.count_by_kind(found)
    chart_list = None
    if kind == "indicator":
        page, chart_list = queries.version_charts_page(found)
    else:
        page = queries.version_items_page(found, kind)
    latest = step.latest_version_id == found.id
    return render_template("projects/version.html", project=project, step=step, version=found, kind=kind,
                           kinds=kinds, counts=counts, page=page, charts=chart_list, latest=latest,
                           spec=KINDS[kind], lang=current_lang())


@bp.get("/projects/versions/<int:version_id>/items/<uid>")
def version_item(version_id: int, uid: str):
    """The stable address of one item of one version: what comments and briefs point to."""
    found = db.get_or_404(StepVersion, version_id)
    permissions.require(current_user, "projects.version.view", found)
    item = db.session.scalar(select(VersionItem).where(VersionItem.version_id == found.id,
                                                       VersionItem.uid == uid))
    if item is None:
        abort(404)
    step = found.step
    return render_template("projects/version_item.html", version=found, step=step, project=step.project,
                           item=item, spec=KINDS[item.kind], lang=current_lang())


@bp.get("/projects/<int:project_id>/steps/<int:number>/compare")
def compare_versions(project_id: int, number: int):
    project = load_visible(project_id)
    step = step_or_404(project, number)
    found = queries.versions_of(step)
    if len(found) < 2:
        return render_template("projects/compare.html", project=project, step=step, versions=found,
                               changes=None, page=None, old=None, new=None)
    by_number = {v.number: v for v in found}
    new = by_number.get(request.args.get("to", found[0].number, type=int)) or abort(404)
    old = by_number.get(request.args.get("from", new.number - 1 if new.number > 1 else found[-1].number,
                                         type=int)) or abort(404)
    changes = compare(old, new)
    page = ListPage(changes, request.args.get("page", 1, type=int))
    with_fields(page.items, old, new)
    return render_template("projects/compare.html", project=project, step=step, versions=found, old=old,
                           new=new, changes=changes, page=page, lang=current_lang())


# Programmes (administrators) -------------------------------------------------------------------------


@bp.route("/admin/programmes", methods=["GET", "POST"])
def programmes():
    permissions.require(current_user, "programmes.manage")
    form = EmptyForm()
    if form.validate_on_submit():
        added = services.add_default_programmes()
        db.session.commit()
        flash(_("%(n)d standard programme(s) added.", n=added) if added
              else _("Every standard programme is already in the list."), "success")
        return redirect(url_for("projects.programmes"))
    return render_template("projects/programmes.html", programmes=queries.programmes(active_only=False),
                           form=form, lang=current_lang())


def _save_programme(form: ProgrammeForm, programme):
    try:
        saved = services.save_programme(programme, code=form.code.data, name_fr=form.name_fr.data,
                                        name_en=form.name_en.data, position=form.position.data,
                                        active=form.active.data)
        db.session.commit()
    except services.ProjectError as error:
        db.session.rollback()
        form_error(form, error)
        return None
    return saved


@bp.route("/admin/programmes/new", methods=["GET", "POST"])
def new_programme():
    permissions.require(current_user, "programmes.manage")
    form = ProgrammeForm()
    if form.validate_on_submit() and _save_programme(form, None) is not None:
        flash(_("The programme was added."), "success")
        return redirect(url_for("projects.programmes"))
    return render_template("projects/programme_form.html", form=form, programme=None), (
        422 if form.is_submitted() else 200)


@bp.route("/admin/programmes/<int:programme_id>", methods=["GET", "POST"])
def edit_programme(programme_id: int):
    permissions.require(current_user, "programmes.manage")
    programme = db.get_or_404(Programme, programme_id)
    form = ProgrammeForm(obj=programme)
    if form.validate_on_submit() and _save_programme(form, programme) is not None:
        flash(_("The programme was saved."), "success")
        return redirect(url_for("projects.programmes"))
    return render_template("projects/programme_form.html", form=form, programme=programme), (
        422 if form.is_submitted() else 200)
