"""Read helpers: paginated, eager-loaded lists of projects, of a version's items and of indicator charts,
and the two sources the computed views (grid, traceability, coverage) read from: the working copy, or
the latest published version of each step."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from consult.core.db import db
from consult.core.pagination import paginate
from consult.organizations.queries import ScopeCheck, declared_scope_check
from consult.projects import charts
from consult.projects.kinds import KINDS, STEP_KINDS, group_key, working_items
from consult.projects.models import (
    ClinicalProject,
    Indicator,
    OfferProvider,
    Programme,
    ProjectStep,
    Service,
    StepVersion,
    VersionItem,
)


def visible_projects(user: Any) -> Pagination:
    """Projects with a published step, plus, for planners and admins, the ones they may see unpublished."""
    public = select(ProjectStep.project_id).where(ProjectStep.latest_version_id.is_not(None))
    stmt = select(ClinicalProject).options(joinedload(ClinicalProject.establishment),
                                           joinedload(ClinicalProject.programme),
                                           selectinload(ClinicalProject.steps),
                                           selectinload(ClinicalProject.territories))
    if not (getattr(user, "is_authenticated", False) and user.is_admin):
        planned = list(user.establishment_ids("planner")) if getattr(user, "is_authenticated", False) else []
        stmt = stmt.where(or_(ClinicalProject.id.in_(public), ClinicalProject.establishment_id.in_(planned)))
    return paginate(stmt.order_by(ClinicalProject.title, ClinicalProject.id))


def programmes(active_only: bool = True) -> list[Programme]:
    stmt = select(Programme).order_by(Programme.position, Programme.code)
    if active_only:
        stmt = stmt.where(Programme.active.is_(True))
    return list(db.session.scalars(stmt))


def load_project(project_id: int) -> ClinicalProject:
    project = db.session.scalar(select(ClinicalProject).where(ClinicalProject.id == project_id).options(
        joinedload(ClinicalProject.establishment), joinedload(ClinicalProject.programme),
        selectinload(ClinicalProject.steps).joinedload(ProjectStep.latest_version),
        selectinload(ClinicalProject.territories)))
    if project is None:
        from flask import abort

        abort(404)
    return project


def versions_of(step: ProjectStep) -> list[StepVersion]:
    return list(db.session.scalars(select(StepVersion).where(StepVersion.step_id == step.id)
                                   .options(joinedload(StepVersion.published_by))
                                   .order_by(StepVersion.number.desc())))


def version_by_number(step: ProjectStep, number: int) -> StepVersion | None:
    return db.session.scalar(select(StepVersion).where(StepVersion.step_id == step.id,
                                                       StepVersion.number == number)
                             .options(joinedload(StepVersion.published_by)))


def version_items_page(version: StepVersion, kind: str) -> Pagination:
    return paginate(select(VersionItem).where(VersionItem.version_id == version.id, VersionItem.kind == kind)
                    .order_by(VersionItem.position))


def count_by_kind(version: StepVersion) -> dict[str, int]:
    return dict(db.session.execute(select(VersionItem.kind, func.count(VersionItem.id))
                                   .where(VersionItem.version_id == version.id).group_by(VersionItem.kind)).all())


def version_charts_page(version: StepVersion) -> tuple[Pagination, list[charts.Chart]]:
    """One chart per indicator group of a frozen version, paginated in SQL by group."""
    stmt = (select(VersionItem.group_key)
            .where(VersionItem.version_id == version.id, VersionItem.kind == "indicator")
            .group_by(VersionItem.group_key).order_by(func.min(VersionItem.position)))
    page = paginate(stmt, per_page=10)
    keys = list(page.items)
    rows = db.session.scalars(select(VersionItem).where(VersionItem.version_id == version.id,
                                                        VersionItem.kind == "indicator",
                                                        VersionItem.group_key.in_(keys))
                              .order_by(VersionItem.position))
    grouped: dict[str, list[VersionItem]] = defaultdict(list)
    for row in rows:
        grouped[row.group_key].append(row)  # type: ignore[index]
    return page, [charts.build(key, [r.data for r in grouped[key]], [r.uid for r in grouped[key]])
                  for key in keys if grouped[key]]


def working_charts_page(project: ClinicalProject) -> tuple[Pagination, list[charts.Chart]]:
    stmt = (select(func.min(Indicator.id)).where(Indicator.project_id == project.id)
            .group_by(Indicator.name, Indicator.unit, Indicator.year)
            .order_by(func.min(Indicator.position)))
    page = paginate(stmt, per_page=10)
    heads = list(db.session.scalars(select(Indicator).where(Indicator.id.in_(list(page.items)))))
    if not heads:
        return page, []
    wanted = or_(*(and_(Indicator.name == h.name, Indicator.unit == h.unit, Indicator.year == h.year)
                   for h in heads))
    rows = db.session.scalars(select(Indicator).where(Indicator.project_id == project.id, wanted)
                              .options(joinedload(Indicator.territory)).order_by(Indicator.position))
    grouped: dict[str, list[Indicator]] = defaultdict(list)
    for row in rows:
        data = KINDS["indicator"].serialize(row)
        grouped[group_key("indicator", data)].append(row)  # type: ignore[index]
    order = [group_key("indicator", KINDS["indicator"].serialize(h)) for h in
             sorted(heads, key=lambda h: h.position)]
    return page, [charts.build(key, [KINDS["indicator"].serialize(i) for i in grouped[key]],
                               [i.uid for i in grouped[key]]) for key in order if key in grouped]


def working_page(project: ClinicalProject, kind: str, step: int | None = None) -> Pagination:
    return paginate(working_items(project.id, kind, step))


def items_for_organizations(organization_ids: list[int]) -> Pagination:
    stmt = (select(Service).where(Service.organization_id.in_(organization_ids or [-1]))
            .options(*KINDS["service"].loaders).order_by(Service.listing, Service.name, Service.id))
    return paginate(stmt)


# Sources for computed views --------------------------------------------------------------------------


class WorkingSource:
    published = False

    def __init__(self, project: ClinicalProject) -> None:
        self.project = project

    def items(self, kind: str, step: int | None = None) -> list[tuple[str, dict[str, Any]]]:
        stmt = working_items(self.project.id, kind, step)
        if kind == "service":
            from consult.projects.models import Listing

            stmt = stmt.where(Service.listing != Listing.declined)
        return [(i.uid, KINDS[kind].serialize(i)) for i in db.session.scalars(stmt)]

    def versions(self) -> dict[int, StepVersion]:
        return {}


class PublishedSource:
    """The latest published version of each step."""

    published = True

    def __init__(self, project: ClinicalProject) -> None:
        self.project = project
        self._versions = {s.number: s.latest_version for s in project.steps if s.latest_version is not None}

    def versions(self) -> dict[int, StepVersion]:
        return self._versions  # type: ignore[return-value]

    def items(self, kind: str, step: int | None = None) -> list[tuple[str, dict[str, Any]]]:
        numbers = [step] if step else [n for n, kinds in STEP_KINDS.items() if kind in kinds]
        ids = [self._versions[n].id for n in numbers if n in self._versions]
        if not ids:
            return []
        rows = db.session.execute(select(VersionItem.uid, VersionItem.data)
                                  .where(VersionItem.version_id.in_(ids), VersionItem.kind == kind)
                                  .order_by(VersionItem.version_id, VersionItem.position))
        return [(uid, data) for uid, data in rows]


def models_of(source: WorkingSource | PublishedSource) -> list[tuple[str, dict[str, Any]]]:
    if source.published:
        return source.items("model")
    return source.items("model", 4) + source.items("model", 5)



def mission_drift(provider: OfferProvider) -> ScopeCheck | None:
    """Whether an offer element attributed to an organization lies outside the programmes and territory it
    declared: a notice shown to both sides, never a block. None for the establishment's own line.

    The territory is outside only when none of the project's territories overlaps a declared one, in
    either direction (an organization of one neighbourhood is inside an RLS-wide project)."""
    organization = provider.organization
    if organization is None:
        return None
    project = provider.offer_element.project
    check = declared_scope_check(organization, programme_code=project.programme.code)
    outside_territory = False
    if project.territories and organization.territories:
        declared = {node.id for node in organization.territories}
        within_declared = {mine.id: {a.id for a in mine.ancestors()} for mine in organization.territories}

        def overlaps(node) -> bool:
            return bool(declared & ({node.id} | {a.id for a in node.ancestors()})) or any(
                node.id in above for above in within_declared.values())

        outside_territory = not any(overlaps(node) for node in project.territories)
    return ScopeCheck(check.outside_programme, outside_territory)
