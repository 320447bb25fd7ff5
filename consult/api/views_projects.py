"""Clinical projects with a published step, their published (frozen) step versions and the items in them.

A working copy is never served: only what was published, exactly as it was frozen.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from consult.api import serializers
from consult.api.blueprint import bp
from consult.api.pagination import page, scope_of
from consult.api.schemas import ITEM_KINDS, identifier
from consult.api.spec import Param, operation
from consult.api.views_common import (
    LIST_PARAMS,
    check_uid,
    choice_arg,
    get_or_404,
    int_arg,
    not_found,
    one_line_arg,
)
from consult.core.db import db
from consult.i18n.locale import current_lang
from consult.projects.models import ClinicalProject, Programme, ProjectStep, StepVersion, VersionItem

TAG = "projects"


def _public_projects():
    published = select(ProjectStep.project_id).where(ProjectStep.latest_version_id.is_not(None))
    return select(ClinicalProject).where(ClinicalProject.id.in_(published))


def _project_loads() -> tuple:
    return (joinedload(ClinicalProject.establishment), joinedload(ClinicalProject.programme),
            selectinload(ClinicalProject.steps), selectinload(ClinicalProject.territories))


def public_project(project_id: int) -> ClinicalProject:
    project = get_or_404(ClinicalProject, project_id)
    if not project.is_public:
        raise not_found()
    return project


def public_version(version_id: int) -> StepVersion:
    # A published version is public by nature (projects.version.view); it exists only once published.
    return get_or_404(StepVersion, version_id)


def counts_of(version_ids: list[int]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {v: {} for v in version_ids}
    if version_ids:
        for version_id, kind, count in db.session.execute(
                select(VersionItem.version_id, VersionItem.kind, func.count(VersionItem.id))
                .where(VersionItem.version_id.in_(version_ids)).group_by(VersionItem.version_id, VersionItem.kind)):
            found[version_id][kind] = count
    return found


@bp.get("/projects")
@operation(operation_id="listProjects", tag=TAG, summary=_l("List clinical projects"),
           description=_l("Clinical projects with at least one published step."),
           params=(*LIST_PARAMS, Param("establishment_id", identifier(), _l("Only this establishment's projects.")),
                   Param("programme", {"type": "string", "maxLength": 40}, _l("Only this programme (its code)."))),
           response="Project", many=True, problems=(400,))
def projects():
    stmt = _public_projects().options(*_project_loads())
    establishment_id = int_arg("establishment_id")
    if establishment_id is not None:
        stmt = stmt.where(ClinicalProject.establishment_id == establishment_id)
    programme = one_line_arg("programme", 40)
    if programme is not None:
        stmt = stmt.where(ClinicalProject.programme_id.in_(select(Programme.id).where(Programme.code == programme)))
    lang = current_lang()
    return page(stmt, (ClinicalProject.id,), lambda p: (p.id,), lambda p: serializers.project(p, lang),
                scope_of(establishment_id, programme))


@bp.get("/projects/<int:project_id>")
@operation(operation_id="getProject", tag=TAG, summary=_l("One clinical project"),
           description=_l("The project, its six steps and the latest published version of each."),
           response="Project", problems=(404,))
def project(project_id: int):
    return serializers.project(public_project(project_id), current_lang())


@bp.get("/projects/<int:project_id>/versions")
@operation(operation_id="listProjectVersions", tag=TAG, summary=_l("List a project's published versions"),
           description=_l("Every published version of every step of the project, by step then number."),
           params=LIST_PARAMS, response="Version", many=True, problems=(400, 404))
def project_versions(project_id: int):
    found = public_project(project_id)
    stmt = (select(StepVersion).join(ProjectStep, ProjectStep.id == StepVersion.step_id)
            .where(ProjectStep.project_id == found.id)
            .options(joinedload(StepVersion.step).joinedload(ProjectStep.project)))
    result = page(stmt, (StepVersion.id,), lambda v: (v.id,), lambda v: v, scope_of(found.id))
    counts = counts_of([v.id for v in result["items"]])
    result["items"] = [serializers.version(v, counts[v.id]) for v in result["items"]]
    return result


@bp.get("/versions/<int:version_id>")
@operation(operation_id="getVersion", tag=TAG, summary=_l("One published version of a step"),
           response="Version", problems=(404,))
def version(version_id: int):
    found = public_version(version_id)
    return serializers.version(found, counts_of([found.id])[found.id])


@bp.get("/versions/<int:version_id>/items")
@operation(operation_id="listVersionItems", tag=TAG, summary=_l("List the items of a published version"),
           description=_l("Needs and indicators (step 1), services (2), gaps (3), care models (4 and 5), offer "
                          "elements and responsibilities (6), in their order."),
           params=(*LIST_PARAMS, Param("kind", {"type": "string", "enum": ITEM_KINDS}, _l("Only items of this kind."))),
           response="Item", many=True, problems=(400, 404))
def version_items(version_id: int):
    found = public_version(version_id)
    stmt = select(VersionItem).where(VersionItem.version_id == found.id)
    kind = choice_arg("kind", ITEM_KINDS)
    if kind is not None:
        stmt = stmt.where(VersionItem.kind == kind)
    return page(stmt, (VersionItem.position, VersionItem.id), lambda i: (i.position, i.id), serializers.item,
                scope_of(found.id, kind))


@bp.get("/versions/<int:version_id>/items/<uid>")
@operation(operation_id="getVersionItem", tag=TAG, summary=_l("One item of a published version"),
           response="Item", problems=(404,))
def version_item(version_id: int, uid: str):
    found = public_version(version_id)
    item = db.session.scalar(select(VersionItem).where(VersionItem.version_id == found.id,
                                                       VersionItem.uid == check_uid(uid)).limit(1))
    if item is None:
        raise not_found()
    return serializers.item(item)
