"""Read helpers: paginated, eager-loaded lists of projects, of a version's items and of indicator charts,
and the two sources the computed views (grid, traceability, coverage) read from: the working copy, or
the latest published version of each step."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from consult.core.db import db
from consult.core.pagination import paginate
from consult.organizations.queries import ScopeCheck, declared_scope_check
from consult.projects import charts
from consult.projects.kinds import KINDS, STEP_KINDS, group_key, working_items
from consult.projects.models import (
    CareResponsibility,
    ClinicalProject,
    Gap,
    Indicator,
    Listing,
    Need,
    OfferElement,
    OfferProvider,
    Programme,
    ProjectStep,
    Service,
    StepVersion,
    VersionItem,
    model_gaps,
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
#
# Both sources answer the same questions with (uid, frozen data) pairs, so the grid, the roles matrix,
# traceability and coverage are computed alike on either. A page of them reads one page of rows and then
# only the rows linked to that page (`referring`), never a whole step: a project of 200 needs and 1,000
# services costs the same handful of statements per page as a small one.

Pairs = list[tuple[str, dict[str, Any]]]
# Fields of the frozen data that hold a list of references (the others, "need" and "offer", hold one).
LIST_REFS = frozenset({"needs", "services", "gaps", "models"})
# The relationship behind a reference field, where its name differs from the field's.
_RELATIONS = {"offer": "offer_element"}


def _page_of(stmt: Select, first: bool, per_page: int | None) -> Pagination:
    if first:  # a preview (the coverage report's first rows): page 1 whatever ?page says
        return db.paginate(stmt, page=1, per_page=per_page or current_app.config["CONSULT_PAGE_SIZE"],
                           error_out=False)
    return paginate(stmt, per_page=per_page)


class _Source(ABC):
    """What the working copy and the published versions share: items and pages as (uid, data) pairs."""

    @abstractmethod
    def select(self, kind: str, step: int | None = None) -> Select: ...

    @abstractmethod
    def pairs(self, kind: str, rows: Iterable[Any]) -> Pairs: ...

    def items(self, kind: str, step: int | None = None) -> Pairs:
        return self.pairs(kind, db.session.scalars(self.select(kind, step)))

    def page(self, kind: str, stmt: Select | None = None, *, first: bool = False,
             per_page: int | None = None) -> Pagination:
        """A page of `stmt` (by default every item of `kind`) whose items are (uid, data) pairs."""
        found = _page_of(self.select(kind) if stmt is None else stmt, first, per_page)
        found.items = self.pairs(kind, found.items)
        return found


class WorkingSource(_Source):
    published = False

    def __init__(self, project: ClinicalProject) -> None:
        self.project = project

    def select(self, kind: str, step: int | None = None) -> Select:
        """The working items of `kind`, eager-loaded, in order; declined inventory entries are left out."""
        stmt = working_items(self.project.id, kind, step)
        if kind == "service":
            stmt = stmt.where(Service.listing != Listing.declined)
        return stmt

    def pairs(self, kind: str, rows: Iterable[Any]) -> Pairs:
        return [(i.uid, KINDS[kind].serialize(i)) for i in rows]

    def count(self, kind: str) -> int:
        return db.session.scalar(select(func.count()).select_from(self.select(kind).order_by(None).subquery()))

    def referring(self, kind: str, field: str, uids: list[str]) -> Pairs:
        """The items of `kind` whose reference `field` names one of `uids`."""
        if not uids:
            return []
        attr = getattr(KINDS[kind].model, _RELATIONS.get(field, field))
        target = attr.property.mapper.class_
        test = attr.any(target.uid.in_(uids)) if attr.property.uselist else attr.has(target.uid.in_(uids))
        return self.pairs(kind, db.session.scalars(self.select(kind).where(test)))

    # The coverage report's three lists, as statements to paginate.

    def needs_without_gap(self) -> Select:
        return self.select("need").where(~Need.gaps.any())

    def gaps_without_model(self) -> Select:
        return self.select("gap").where(~exists().where(model_gaps.c.gap_id == Gap.id))

    def offers_without_actor(self) -> Select:
        return self.select("offer").where(~OfferElement.responsibilities.any(CareResponsibility.assignments.any()))

    def versions(self) -> dict[int, StepVersion]:
        return {}


def _refers(field: str, uids: list[str]) -> Any:
    """Whether the list of references `field` of a frozen item names one of `uids`. The database reads the
    list's elements (json_array_elements on PostgreSQL, json_each on SQLite): one parse of each item,
    where a text search per uid would read a thousand services twenty-five times."""
    if db.engine.dialect.name == "postgresql":
        refs = func.json_array_elements(VersionItem.data[field]).table_valued("value").alias("ref")
        uid = refs.c.value.op("->>")("uid")
    else:
        refs = func.json_each(VersionItem.data, f"$.{field}").table_valued("value").alias("ref")
        uid = func.json_extract(refs.c.value, "$.uid")
    return exists(select(1).select_from(refs).where(uid.in_(uids)))


class PublishedSource(_Source):
    """The latest published version of each step."""

    published = True

    def __init__(self, project: ClinicalProject) -> None:
        self.project = project
        self._versions = {s.number: s.latest_version for s in project.steps if s.latest_version is not None}

    def versions(self) -> dict[int, StepVersion]:
        return self._versions  # type: ignore[return-value]

    def _version_ids(self, kind: str, step: int | None = None) -> list[int]:
        numbers = [step] if step else [n for n, kinds in STEP_KINDS.items() if kind in kinds]
        return [self._versions[n].id for n in numbers if n in self._versions]

    def select(self, kind: str, step: int | None = None, item: Any = VersionItem) -> Select:
        return (select(item).where(item.version_id.in_(self._version_ids(kind, step) or [-1]), item.kind == kind)
                .order_by(item.version_id, item.position))

    def pairs(self, kind: str, rows: Iterable[Any]) -> Pairs:
        return [(row.uid, row.data) for row in rows]

    def count(self, kind: str) -> int:
        return db.session.scalar(select(func.count(VersionItem.id)).where(
            VersionItem.version_id.in_(self._version_ids(kind) or [-1]), VersionItem.kind == kind))

    def referring(self, kind: str, field: str, uids: list[str]) -> Pairs:
        """The items of `kind` whose reference `field` names one of `uids`, found by the database in the
        frozen JSON (a list of references is read element by element)."""
        if not uids:
            return []
        test = (_refers(field, uids) if field in LIST_REFS
                else VersionItem.data[(field, "uid")].as_string().in_(uids))
        return self.pairs(kind, db.session.scalars(self.select(kind).where(test)))

    def needs_without_gap(self) -> Select:
        gap = aliased(VersionItem)
        analysed = self.select("gap", item=gap).with_only_columns(gap.data[("need", "uid")].as_string()).where(
            gap.data[("need", "uid")].as_string().is_not(None)).order_by(None)
        return self.select("need").where(VersionItem.uid.not_in(analysed))

    def gaps_without_model(self) -> Select:
        model = aliased(VersionItem)
        addressed = {ref["uid"] for refs in db.session.scalars(
            self.select("model", item=model).with_only_columns(model.data["gaps"]).order_by(None))
            for ref in refs or []}
        return self.select("gap").where(VersionItem.uid.not_in(sorted(addressed)))

    def offers_without_actor(self) -> Select:
        duty = aliased(VersionItem)
        staffed = {offer for offer, actors in db.session.execute(
            self.select("responsibility", item=duty).with_only_columns(
                duty.data[("offer", "uid")].as_string(), duty.data["assignments"]).order_by(None)) if actors}
        return self.select("offer").where(VersionItem.uid.not_in(sorted(staffed)))


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
