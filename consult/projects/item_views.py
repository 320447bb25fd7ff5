"""Pages that edit the working copy: the items of every step (one set of generic pages driven by the kinds
table), the CSV import of indicators, the organizations' answers to their inventory entries, and the
service-agreement proposals of step 6."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.core import permissions
from consult.core.db import db
from consult.core.pagination import paginate
from consult.i18n.locale import current_lang
from consult.organizations.models import MemberRole, Organization, OrganizationMember
from consult.projects import csv_import, queries, services
from consult.projects.forms import FORMS, ImportForm, ProposalForm, RespondForm
from consult.projects.kinds import KINDS, number, step_of
from consult.projects.models import (
    PARAMETER_LABELS,
    CareModel,
    ClinicalProject,
    Decision,
    Determinant,
    Dimension,
    Gap,
    Level3,
    Listing,
    ModelKind,
    Need,
    OfferElement,
    OfferProvider,
    Parameter,
    Programme,
    ProposalAction,
    ProviderKind,
    RoleLevel,
    Service,
    ServiceChange,
)
from consult.projects.views import bp, form_error, load_editable, load_working
from consult.territories.forms import node_label
from consult.territories.models import Level, TerritoryNode
from consult.territories.queries import children_by_parent, nodes_of_levels

ESTABLISHMENT = 0  # the value standing for "the establishment itself" in provider and actor lists


def _kind_or_404(kind: str):
    spec = KINDS.get(kind)
    if spec is None:
        abort(404)
    return spec


def _item_or_404(project: ClinicalProject, kind: str, item_id: int):
    item = db.session.get(_kind_or_404(kind).model, item_id)
    if item is None or item.project_id != project.id:
        abort(404)
    return item


# Choices -------------------------------------------------------------------------------------------


def area_nodes(project: ClinicalProject) -> list[TerritoryNode]:
    """The project's territories and everything below them; the whole tree when it names none."""
    if not project.territories:
        return nodes_of_levels(*Level)
    nodes = list(project.territories)
    for group in children_by_parent([t.id for t in project.territories]).values():
        nodes += group
    unique = {n.id: n for n in nodes}
    return sorted(unique.values(), key=lambda n: n.code)


def _organizations() -> list[Organization]:
    return list(db.session.scalars(select(Organization).order_by(Organization.name)))


def _actors(project: ClinicalProject) -> list[tuple[int, str]]:
    return [(ESTABLISHMENT, project.establishment.name)] + [(o.id, o.name) for o in _organizations()]


def _titles(model, project: ClinicalProject, attr: str, *where) -> list[tuple[int, str]]:
    stmt = select(model.id, getattr(model, attr)).where(model.project_id == project.id, *where)
    return [(i, t) for i, t in db.session.execute(stmt.order_by(model.position, model.id))]


def fill_choices(form, project: ClinicalProject, kind: str) -> None:
    areas = [(n.id, node_label(n)) for n in area_nodes(project)]
    if "area_ids" in form:
        form.area_ids.choices = areas
    if kind == "indicator":
        form.territory_id.choices = [("", _("Choose the territory")), *areas]
    if kind == "service":
        form.provider_id.choices = _actors(project)
        lang = current_lang()
        form.programme_id.choices = [("", _("None"))] + [(p.id, p.name_for(lang))
                                                         for p in queries.programmes(active_only=False)]
        form.need_ids.choices = _titles(Need, project, "title")
    if kind == "gap":
        form.need_id.choices = [("", _("Choose the need")), *_titles(Need, project, "title")]
        form.service_ids.choices = _titles(Service, project, "name", Service.listing != Listing.declined)
    if kind == "model":
        form.partner_ids.choices = [(o.id, o.name) for o in _organizations()]
        form.gap_ids.choices = _titles(Gap, project, "title")
    if kind == "offer":
        form.gap_ids.choices = _titles(Gap, project, "title")
        form.model_ids.choices = _titles(CareModel, project, "name")
        form.provider_ids.choices = _actors(project)
    if kind == "responsibility":
        form.offer_element_id.choices = [("", _("Choose the offer element")), *_titles(OfferElement, project, "name")]
        for level in RoleLevel:
            form[level.value].choices = _actors(project)


# Form ↔ item -----------------------------------------------------------------------------------------


def _by_ids(model, ids: list[int] | None) -> list:
    if not ids:
        return []
    found = {o.id: o for o in db.session.scalars(select(model).where(model.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _actor_list(ids: list[int] | None) -> list[Organization | None]:
    ids = ids or []
    organizations = {o.id: o for o in _by_ids(Organization, [i for i in ids if i != ESTABLISHMENT])}
    return [None if i == ESTABLISHMENT else organizations[i] for i in ids
            if i == ESTABLISHMENT or i in organizations]


def values_from(form, kind: str) -> dict[str, Any]:
    d = form.data
    if kind == "need":
        groups = [g.strip() for g in (d["population_groups"] or "").split(",") if g.strip()]
        return {"title": d["title"], "description": d["description"], "population_groups": groups,
                "areas": _by_ids(TerritoryNode, d["area_ids"]), "determinant": Determinant(d["determinant"]),
                "priority": Level3(d["priority"]), "sources": d["sources"]}
    if kind == "indicator":
        return {"name": d["name"], "unit": d["unit"], "value": csv_import.parse_number(d["value"]),
                "year": d["year"], "territory": db.session.get(TerritoryNode, d["territory_id"]),
                "source": d["source"] or None}
    if kind == "service":
        organization = None if d["provider_id"] == ESTABLISHMENT else db.session.get(Organization,
                                                                                    d["provider_id"])
        return {"name": d["name"], "description": d["description"], "organization": organization,
                "provider_kind": ProviderKind(d["provider_kind"]),
                "programme": db.session.get(Programme, d["programme_id"]) if d["programme_id"] else None,
                "areas": _by_ids(TerritoryNode, d["area_ids"]), "capacity": d["capacity"] or None,
                "access_conditions": d["access_conditions"], "languages": d["languages"] or None,
                "needs": _by_ids(Need, d["need_ids"])}
    if kind == "gap":
        return {"title": d["title"], "description": d["description"], "need": db.session.get(Need, d["need_id"]),
                "services": _by_ids(Service, d["service_ids"]), "dimension": Dimension(d["dimension"]),
                "severity": Level3(d["severity"]), "evidence": d["evidence"],
                "areas": _by_ids(TerritoryNode, d["area_ids"])}
    if kind == "model":
        return {"kind": ModelKind(d["kind"]), "name": d["name"], "description": d["description"],
                "partners": _by_ids(Organization, d["partner_ids"]), "origin": d["origin"] or None,
                "gaps": _by_ids(Gap, d["gap_ids"]), "evidence": d["evidence"],
                "decision": Decision(d["decision"]), "decision_reason": d["decision_reason"]}
    if kind == "offer":
        return {"name": d["name"], "description": d["description"], "gaps": _by_ids(Gap, d["gap_ids"]),
                "models": _by_ids(CareModel, d["model_ids"]), "providers": _actor_list(d["provider_ids"])}
    if kind == "responsibility":
        return {"description": d["description"],
                "offer_element": db.session.get(OfferElement, d["offer_element_id"]),
                "assignments": {level: _actor_list(d[level.value]) for level in RoleLevel}}
    raise LookupError(kind)


def _ids(objects) -> list[int]:
    return [o.id for o in objects]


def initial(kind: str, item) -> dict[str, Any]:
    data: dict[str, Any] = {"lock_version": item.lock_version}
    if kind == "need":
        data |= {"title": item.title, "description": item.description,
                 "population_groups": ", ".join(item.population_groups or []), "area_ids": _ids(item.areas),
                 "determinant": item.determinant.value, "priority": item.priority.value,
                 "sources": item.sources}
    elif kind == "indicator":
        data |= {"name": item.name, "unit": item.unit, "value": number(item.value), "year": item.year,
                 "territory_id": item.territory_id, "source": item.source}
    elif kind == "service":
        data |= {"name": item.name, "description": item.description,
                 "provider_id": item.organization_id or ESTABLISHMENT, "provider_kind": item.provider_kind.value,
                 "programme_id": item.programme_id, "area_ids": _ids(item.areas), "capacity": item.capacity,
                 "access_conditions": item.access_conditions, "languages": item.languages,
                 "need_ids": _ids(item.needs)}
    elif kind == "gap":
        data |= {"title": item.title, "description": item.description, "need_id": item.need_id,
                 "service_ids": _ids(item.services), "dimension": item.dimension.value,
                 "severity": item.severity.value, "evidence": item.evidence, "area_ids": _ids(item.areas)}
    elif kind == "model":
        data |= {"kind": item.kind.value, "name": item.name, "description": item.description,
                 "partner_ids": _ids(item.partners), "origin": item.origin, "gap_ids": _ids(item.gaps),
                 "evidence": item.evidence, "decision": item.decision.value,
                 "decision_reason": item.decision_reason}
    elif kind == "offer":
        data |= {"name": item.name, "description": item.description, "gap_ids": _ids(item.gaps),
                 "model_ids": _ids(item.models),
                 "provider_ids": [p.organization_id or ESTABLISHMENT for p in item.providers]}
    elif kind == "responsibility":
        data |= {"description": item.description, "offer_element_id": item.offer_element_id}
        for level in RoleLevel:
            data[level.value] = [a.organization_id or ESTABLISHMENT for a in item.assignments
                                 if a.level is level]
    return data


def KINDS_number(value: float) -> str:
    from consult.projects.kinds import number

    return number(value)


# The generic pages ---------------------------------------------------------------------------------


def _list_step(kind: str) -> int | None:
    if kind != "model":
        return None
    return 5 if request.args.get("step", type=int) == 5 else 4


@bp.get("/projects/<int:project_id>/work/<kind>")
def items(project_id: int, kind: str):
    project = load_working(project_id)
    spec = _kind_or_404(kind)
    number = _list_step(kind) or step_of(kind)
    charts = page = None
    if kind == "indicator" and request.args.get("view") == "charts":
        page, charts = queries.working_charts_page(project)
    else:
        page = queries.working_page(project, kind, number if kind == "model" else None)
    serialized = [(item, spec.serialize(item)) for item in page.items] if charts is None else []
    return render_template("projects/items.html", project=project, spec=spec, kind=kind, page=page,
                           items=serialized, charts=charts, step=project.step(number), number=number,
                           editable=permissions.can(current_user, "projects.edit", project),
                           lang=current_lang())


def _render_form(project, kind, form, item, status=200, current=None):
    number = (5 if form.kind.data == "add" else 4) if kind == "model" else step_of(kind)
    return render_template("projects/item_form.html", project=project, kind=kind, spec=KINDS[kind], form=form,
                           item=item, current=current, step=project.step(number), lang=current_lang(),
                           fields=[f for f in form if f.name not in ("csrf_token", "lock_version")]), status


@bp.route("/projects/<int:project_id>/work/<kind>/new", methods=["GET", "POST"])
def new_item(project_id: int, kind: str):
    project = load_editable(project_id)
    _kind_or_404(kind)
    form = FORMS[kind]()
    fill_choices(form, project, kind)
    if not form.is_submitted() and kind == "model":
        form.kind.data = "add" if request.args.get("step", type=int) == 5 else "keep"
    if not form.is_submitted() and kind == "service":
        form.provider_id.data = ESTABLISHMENT
    if form.validate_on_submit():
        try:
            item = services.save_item(project, kind, None, values_from(form, kind), user=current_user)
        except services.ProjectError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            flash(_("“%(title)s” was added.", title=KINDS[kind].label_of(KINDS[kind].serialize(item))),
                  "success")
            return redirect(_list_url(project, kind, item))
    return _render_form(project, kind, form, None, 422 if form.is_submitted() else 200)


def _list_url(project: ClinicalProject, kind: str, item=None) -> str:
    if kind == "model" and item is not None:
        return url_for("projects.items", project_id=project.id, kind=kind, step=step_of(kind, item))
    return url_for("projects.items", project_id=project.id, kind=kind)


@bp.route("/projects/<int:project_id>/work/<kind>/<int:item_id>", methods=["GET", "POST"])
def edit_item(project_id: int, kind: str, item_id: int):
    project = load_working(project_id)
    item = _item_or_404(project, kind, item_id)
    if request.method == "POST":
        permissions.require(current_user, "projects.edit", project)
    form = FORMS[kind](data=initial(kind, item)) if request.method == "GET" else FORMS[kind]()
    fill_choices(form, project, kind)
    if form.validate_on_submit():
        try:
            services.save_item(project, kind, item, values_from(form, kind), form.lock_version.data,
                               user=current_user)
        except services.ProjectError as error:
            db.session.rollback()
            form_error(form, error)
        except services.StaleItem:
            db.session.rollback()
            item = _item_or_404(project, kind, item_id)
            form.lock_version.data = item.lock_version
            flash(services.stale_message(), "error")
            return _render_form(project, kind, form, item, 409, current=KINDS[kind].serialize(item))
        else:
            db.session.commit()
            flash(_("“%(title)s” was saved.", title=KINDS[kind].label_of(KINDS[kind].serialize(item))),
                  "success")
            return redirect(_list_url(project, kind, item))
    return _render_form(project, kind, form, item, 422 if form.is_submitted() else 200)


@bp.post("/projects/<int:project_id>/work/<kind>/<int:item_id>/delete")
def delete_item(project_id: int, kind: str, item_id: int):
    project = load_editable(project_id)
    item = _item_or_404(project, kind, item_id)
    back = _list_url(project, kind, item)
    title = KINDS[kind].label_of(KINDS[kind].serialize(item))
    try:
        services.delete_item(project, kind, item, request.form.get("lock_version"))
    except services.ProjectError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("projects.edit_item", project_id=project.id, kind=kind, item_id=item_id))
    except services.StaleItem:
        db.session.rollback()
        flash(services.stale_message(), "error")
        return redirect(url_for("projects.edit_item", project_id=project.id, kind=kind, item_id=item_id))
    db.session.commit()
    flash(_("“%(title)s” was removed from the working copy. Published versions keep it.", title=title),
          "success")
    return redirect(back)


# CSV import ----------------------------------------------------------------------------------------


@bp.route("/projects/<int:project_id>/indicators/import", methods=["GET", "POST"])
def import_indicators(project_id: int):
    project = load_editable(project_id)
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        refused, data = csv_import.read(form.file.data.stream)
        if refused:
            report = csv_import.ImportReport(refused=refused)
        elif not project.step(1).editable:
            report = csv_import.ImportReport(refused=_("The needs portrait is adopted. Reopen it to change "
                                                       "its indicators."))
        else:
            report, rows = csv_import.check(project, data)
            if report.ok:
                done = csv_import.apply(project, rows)
                db.session.commit()
                flash(_("%(rows)d rows imported: %(created)d new indicators, %(updated)d updated.",
                        rows=done.rows, created=done.created, updated=done.updated), "success")
                return redirect(url_for("projects.items", project_id=project.id, kind="indicator"))
            db.session.rollback()
    status = 422 if form.is_submitted() else 200
    return render_template("projects/import.html", project=project, form=form, report=report,
                           step=project.step(1)), status


# Inventory entries answered by organizations --------------------------------------------------------


def _represented_ids() -> list[int]:
    if not getattr(current_user, "is_authenticated", False):
        return []
    return list(db.session.scalars(select(OrganizationMember.organization_id).where(
        OrganizationMember.user_id == current_user.id, OrganizationMember.role == MemberRole.representative)))


@bp.get("/projects/my-entries")
@login_required
def my_entries():
    """What establishments listed about the organizations this person represents, and the agreements."""
    ids = _represented_ids()
    page = queries.items_for_organizations(ids)
    providers = list(db.session.scalars(
        select(OfferProvider).where(OfferProvider.organization_id.in_(ids or [-1]))
        .options(joinedload(OfferProvider.organization), joinedload(OfferProvider.offer_element)
                 .joinedload(OfferElement.project)).order_by(OfferProvider.id).limit(200)))
    drifts = {provider.id: queries.mission_drift(provider) for provider in providers}
    return render_template("projects/my_entries.html", page=page, providers=providers, drifts=drifts,
                           listing_proposed=Listing.proposed, represents=bool(ids))


@bp.route("/projects/<int:project_id>/services/<int:item_id>/respond", methods=["GET", "POST"])
@login_required
def respond_service(project_id: int, item_id: int):
    project = queries.load_project(project_id)
    service = _item_or_404(project, "service", item_id)
    permissions.require(current_user, "projects.service.respond", service)
    form = RespondForm(data={"name": service.name, "description": service.description,
                             "capacity": service.capacity, "access_conditions": service.access_conditions,
                             "languages": service.languages, "lock_version": service.lock_version}
                       if request.method == "GET" else None)
    status, current = 200, None
    if form.validate_on_submit():
        values = {k: form.data[k] or None for k in ("name", "description", "capacity", "access_conditions",
                                                     "languages")}
        try:
            services.respond_to_service(service, current_user, form.answer.data, form.lock_version.data,
                                        values)
        except services.StaleItem:
            db.session.rollback()
            service = _item_or_404(project, "service", item_id)
            form.lock_version.data = service.lock_version
            flash(services.stale_message(), "error")
            status, current = 409, KINDS["service"].serialize(service)
        except services.ProjectError as error:
            db.session.rollback()
            form_error(form, error)
            status = 422
        else:
            db.session.commit()
            flash(_("Thank you. The establishment will not list this entry.") if form.answer.data == "decline"
                  else _("Thank you. The entry is confirmed as you wrote it."), "success")
            return redirect(url_for("projects.my_entries"))
    elif form.is_submitted():
        status = 422
    return render_template("projects/respond.html", project=project, service=service, form=form,
                           data=KINDS["service"].serialize(service), current=current, lang=current_lang()), status


@bp.get("/projects/<int:project_id>/services/<int:item_id>/history")
@login_required
def service_history(project_id: int, item_id: int):
    project = queries.load_project(project_id)
    service = _item_or_404(project, "service", item_id)
    permissions.require(current_user, "projects.service.history", service)
    page = paginate(select(ServiceChange).where(ServiceChange.service_id == service.id)
                    .options(joinedload(ServiceChange.user)).order_by(ServiceChange.id.desc()))
    return render_template("projects/service_history.html", project=project, service=service, page=page,
                           fields=KINDS["service"].fields, lang=current_lang())


# Service agreements --------------------------------------------------------------------------------


def _provider_or_404(project: ClinicalProject, link_id: int) -> OfferProvider:
    provider = db.session.get(OfferProvider, link_id)
    if provider is None or provider.offer_element.project_id != project.id or provider.organization is None:
        abort(404)
    return provider


def _side(project: ClinicalProject) -> str:
    from consult.projects.policies import plans

    return "establishment" if plans(current_user, project.establishment_id) else "organization"


def _agreement_page(project, provider, forms=None, status=200):
    history: dict[Parameter, list] = {p: [] for p in Parameter}
    for proposal in provider.proposals:
        history[proposal.parameter].append(proposal)
    may_propose = permissions.can(current_user, "projects.agreement.propose", provider)
    forms = forms or {}
    for parameter in Parameter:
        latest = history[parameter][-1].revision if history[parameter] else 0
        if parameter not in forms:
            forms[parameter] = ProposalForm(prefix=parameter.value, data={"parameter": parameter.value,
                                                                          "based_on": latest})
    return render_template("projects/agreement.html", project=project, provider=provider, history=history,
                           labels=PARAMETER_LABELS, forms=forms, may_propose=may_propose,
                           drift=queries.mission_drift(provider), lang=current_lang(),
                           side=_side(project) if may_propose else None), status


@bp.get("/projects/<int:project_id>/agreements/<int:link_id>")
@login_required
def agreement(project_id: int, link_id: int):
    project = queries.load_project(project_id)
    provider = _provider_or_404(project, link_id)
    permissions.require(current_user, "projects.agreement.view", provider)
    return _agreement_page(project, provider)


@bp.post("/projects/<int:project_id>/agreements/<int:link_id>/propose")
@login_required
def propose(project_id: int, link_id: int):
    project = queries.load_project(project_id)
    provider = _provider_or_404(project, link_id)
    permissions.require(current_user, "projects.agreement.propose", provider)
    try:
        parameter = Parameter(request.form.get("parameter", ""))
    except ValueError:
        abort(400)
    form = ProposalForm(prefix=parameter.value)
    if form.validate_on_submit():
        try:
            based_on = int(form.based_on.data or 0)
        except ValueError:
            based_on = -1
        try:
            services.propose(provider, parameter, ProposalAction(form.action.data), form.text.data,
                             current_user, _side(project), based_on)
        except services.ProjectError as error:
            db.session.rollback()
            provider = _provider_or_404(project, link_id)
            form_error(form, error)
            latest = services.latest_proposal(provider, parameter)
            form.based_on.data = latest.revision if latest else 0
            return _agreement_page(project, provider, {parameter: form}, 409 if error.conflict else 422)
        db.session.commit()
        flash(_("Your version of “%(parameter)s” was recorded.", parameter=PARAMETER_LABELS[parameter]),
              "success")
        return redirect(url_for("projects.agreement", project_id=project.id, link_id=provider.id)
                        + f"#{parameter.value}")
    return _agreement_page(project, provider, {parameter: form}, 422)



@bp.get("/projects/<int:project_id>/work/items/<uid>")
def item_by_uid(project_id: int, uid: str):
    """The working item with this uid, wherever it lives (search results link here)."""
    project = load_working(project_id)
    for kind, spec in KINDS.items():
        item_id = db.session.scalar(select(spec.model.id).where(spec.model.uid == uid,
                                                                spec.model.project_id == project.id))
        if item_id is not None:
            return redirect(url_for("projects.edit_item", project_id=project.id, kind=kind, item_id=item_id))
    abort(404)
