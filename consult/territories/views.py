"""The territory tree and establishments: admin pages under /admin/territories and /admin/establishments,
and the public list of establishments at /establishments."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from consult.accounts.forms import EmptyForm
from consult.core import permissions
from consult.core.db import db
from consult.territories import queries, services
from consult.territories.forms import (
    EstablishmentForm,
    SearchForm,
    TerritoryNodeForm,
    grouped_choices,
    node_label,
)
from consult.territories.models import (
    ALLOWED_PARENT,
    ESTABLISHMENT_KINDS,
    LEVEL_LABELS,
    Establishment,
    Level,
    TerritoryNode,
)
from consult.territories.services import TerritoryError

bp = Blueprint("territories", __name__)
T = TypeVar("T")

PARENT_LEVELS = tuple(level for level in Level if level in set(ALLOWED_PARENT.values()))


def _manage(obj: object = None) -> None:
    permissions.require(current_user, "territories.manage", obj)


def _show_error(form: FlaskForm, error: TerritoryError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]  # type: ignore[assignment]
    else:
        flash(error.message, "error")


def _save(form: FlaskForm, change: Callable[[], T], field: str, taken: str) -> tuple[bool, T | None]:
    """Run a service and commit. A broken rule becomes a message next to its field; a unique constraint
    hit by a concurrent request (the service checked, then someone else saved) becomes `taken` on `field`."""
    try:
        result = change()
        db.session.commit()
    except TerritoryError as error:
        db.session.rollback()
        _show_error(form, error)
    except IntegrityError:
        db.session.rollback()
        _show_error(form, TerritoryError(taken, field))
    else:
        return True, result
    return False, None


# Public --------------------------------------------------------------------------------------------


@bp.get("/establishments")
def public_establishments():
    permissions.require(current_user, "territories.view")
    return render_template("territories/public_establishments.html", page=queries.establishments_page())


# Territory tree ------------------------------------------------------------------------------------


@bp.get("/admin/territories")
def nodes():
    _manage()
    form = SearchForm(request.args)
    if form.validate() and form.q.data:
        results = queries.search_nodes(form.q.data)
        counts = queries.children_counts(n.id for n in results.items)
        return render_template("territories/nodes.html", form=form, results=results, counts=counts)
    page = queries.regions_page()
    tree = queries.children_by_parent(n.id for n in page.items)
    return render_template("territories/nodes.html", form=form, page=page, tree_children=tree)


def _node_form(node: TerritoryNode | None = None) -> TerritoryNodeForm:
    defaults = {}
    if node is not None:
        defaults = {"code": node.code, "name": node.name, "level": node.level, "parent_id": node.parent_id}
    form = TerritoryNodeForm(data=defaults)
    form.parent_id.choices = grouped_choices(queries.nodes_of_levels(*PARENT_LEVELS),
                                             empty=_("None (administrative region)"))
    return form


def _code_taken(form: TerritoryNodeForm) -> str:
    return _("The code %(code)s is already used.", code=services.normalize_code(form.code.data))


def _parent_of(form: TerritoryNodeForm) -> TerritoryNode | None:
    return db.session.get(TerritoryNode, form.parent_id.data) if form.parent_id.data else None


@bp.route("/admin/territories/new", methods=["GET", "POST"])
def new_node():
    _manage()
    form = _node_form()
    if not form.is_submitted():
        parent = db.session.get(TerritoryNode, request.args.get("parent_id", 0, type=int) or 0)
        if parent is not None:
            form.parent_id.data = parent.id
            form.level.data = next((lvl for lvl, up in ALLOWED_PARENT.items() if up is parent.level), None)
    if form.validate_on_submit():
        done, node = _save(form, lambda: services.create_node(form.code.data, form.name.data, form.level.data,
                                                              _parent_of(form)), "code", _code_taken(form))
        if done and node is not None:
            flash(_("The territory %(code)s was added.", code=node.code), "success")
            return redirect(url_for("territories.node", node_id=node.id))
    return render_template("territories/node_form.html", form=form, node=None), (
        422 if form.is_submitted() else 200)


def _node_page(node: TerritoryNode, form: TerritoryNodeForm, status: int = 200,
               delete_error: str | None = None):
    children = queries.children_by_parent([node.id]).get(node.id, [])
    child_levels = [LEVEL_LABELS[lvl] for lvl, up in ALLOWED_PARENT.items() if up is node.level]
    return render_template("territories/node_form.html", form=form, node=node, children=children,
                           child_levels=child_levels,
                           counts=queries.children_counts(c.id for c in children),
                           used_by=queries.establishments_using(node), empty=EmptyForm(),
                           delete_error=delete_error), status


@bp.route("/admin/territories/<int:node_id>", methods=["GET", "POST"])
def node(node_id: int):
    node = db.get_or_404(TerritoryNode, node_id)
    _manage(node)
    form = _node_form(node)
    if form.validate_on_submit():
        done, renamed = _save(form, lambda: services.update_node(node, form.code.data, form.name.data,
                                                                 form.level.data, _parent_of(form)),
                              "code", _code_taken(form))
        if done:
            flash(_("The territory %(code)s was saved.", code=node.code), "success")
            if renamed:
                flash(ngettext("The code of %(num)d sub-territory was changed to match.",
                               "The codes of %(num)d sub-territories were changed to match.", renamed),
                      "info")
            return redirect(url_for("territories.node", node_id=node.id))
    return _node_page(node, form, 422 if form.is_submitted() else 200)


@bp.post("/admin/territories/<int:node_id>/delete")
def delete_node(node_id: int):
    node = db.get_or_404(TerritoryNode, node_id)
    _manage(node)
    if not EmptyForm().validate_on_submit():
        return _node_page(node, _node_form(node), 422, _("The form expired. Please send it again."))
    parent_id, code = node.parent_id, node.code
    try:
        services.delete_node(node)
    except TerritoryError as error:
        return _node_page(node, _node_form(node), 422, error.message)
    db.session.commit()
    flash(_("The territory %(code)s was deleted.", code=code), "success")
    if parent_id is not None:
        return redirect(url_for("territories.node", node_id=parent_id))
    return redirect(url_for("territories.nodes"))


# Establishments ------------------------------------------------------------------------------------


@bp.get("/admin/establishments")
def establishments():
    _manage()
    return render_template("territories/establishments.html", page=queries.establishments_page())


def _establishment_form(establishment: Establishment | None = None) -> EstablishmentForm:
    defaults = {}
    if establishment is not None:
        defaults = {"name": establishment.name, "kind": establishment.kind,
                    "region_id": establishment.region_id,
                    "territory_ids": [t.id for t in establishment.territories],
                    "formed_voluntarily": establishment.formed_voluntarily}
    form = EstablishmentForm(data=defaults)
    regions = queries.nodes_of_levels(Level.region)
    form.region_id.choices = [SelectChoice("", _("Choose a region")),
                              *(SelectChoice(str(r.id), node_label(r)) for r in regions)]
    # Grouped by region, so that choosing within the establishment's region is easy.
    choices = []
    for territory in queries.nodes_of_levels(*services.ESTABLISHMENT_LEVELS):
        chain = territory.ancestors()
        group = node_label(chain[0]) if chain else _("Without a region")
        choices.append(SelectChoice(str(territory.id), node_label(territory), optgroup=group))
    form.territory_ids.choices = sorted(choices, key=lambda c: (c.optgroup, c.label))
    return form


def _save_establishment(form: EstablishmentForm, establishment: Establishment | None) -> Establishment | None:
    region = db.session.get(TerritoryNode, form.region_id.data) if form.region_id.data else None
    _done, saved = _save(form, lambda: services.save_establishment(
        establishment, name=form.name.data, kind=form.kind.data, region=region,
        territories=services.find_nodes(form.territory_ids.data or []),
        formed_voluntarily=form.formed_voluntarily.data), "name",
        _("An establishment named %(name)s already exists. Choose another name.", name=form.name.data))
    return saved


@bp.route("/admin/establishments/new", methods=["GET", "POST"])
def new_establishment():
    _manage()
    form = _establishment_form()
    if form.validate_on_submit():
        saved = _save_establishment(form, None)
        if saved is not None:
            flash(_("The establishment %(name)s was added.", name=saved.name), "success")
            return redirect(url_for("territories.establishment", establishment_id=saved.id))
    return render_template("territories/establishment_form.html", form=form, establishment=None,
                           kinds=ESTABLISHMENT_KINDS), 422 if form.is_submitted() else 200


@bp.get("/admin/establishments/<int:establishment_id>")
def establishment(establishment_id: int):
    establishment = db.get_or_404(Establishment, establishment_id)
    _manage(establishment)
    return render_template("territories/establishment.html", establishment=establishment,
                           staff=queries.staff_of(establishment))


@bp.route("/admin/establishments/<int:establishment_id>/edit", methods=["GET", "POST"])
def edit_establishment(establishment_id: int):
    establishment = db.get_or_404(Establishment, establishment_id)
    _manage(establishment)
    form = _establishment_form(establishment)
    if form.validate_on_submit():
        saved = _save_establishment(form, establishment)
        if saved is not None:
            flash(_("The establishment %(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("territories.establishment", establishment_id=saved.id))
    return render_template("territories/establishment_form.html", form=form, establishment=establishment,
                           kinds=ESTABLISHMENT_KINDS), 422 if form.is_submitted() else 200
