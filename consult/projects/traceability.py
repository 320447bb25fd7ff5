"""What follows from each need: the gaps analysed on it, the care models addressing those gaps, the offer
elements answering the gaps or models, and the actors responsible for those offer elements. Also the
coverage report (needs with no gap analysis, gaps with no model, offer elements with no responsible actor)
and the needs × resources grid. Computed on the working copy or on the published versions alike.

Pages read a page of needs and what is linked to it (`trace_page`, `grid_page`, `coverage_lists`): a
project of 200 needs and 1,000 resources costs them the same few statements as a small one. The CSV
exports read the whole project (`graph`)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import literal, null, select, union_all
from sqlalchemy.orm import load_only, raiseload

from consult.core.db import db
from consult.core.pagination import paginate
from consult.organizations.models import Organization
from consult.projects.kinds import label
from consult.projects.models import (
    CareModel,
    CareResponsibility,
    CareRoleAssignment,
    ClinicalProject,
    Gap,
    Need,
    OfferElement,
    ProviderKind,
    model_gaps,
    offer_gaps,
    offer_models,
)
from consult.projects.queries import PublishedSource, WorkingSource, models_of

Source = WorkingSource | PublishedSource


@dataclass
class Trace:
    uid: str
    need: dict[str, Any]
    gaps: list[tuple[str, dict]] = field(default_factory=list)
    models: list[tuple[str, dict]] = field(default_factory=list)
    offers: list[tuple[str, dict]] = field(default_factory=list)
    actors: list[tuple[str, str]] = field(default_factory=list)  # (actor, level)


@dataclass
class Coverage:
    needs_without_gap: list[tuple[str, dict]]
    gaps_without_model: list[tuple[str, dict]]
    offers_without_actor: list[tuple[str, dict]]

    @property
    def complete(self) -> bool:
        return not (self.needs_without_gap or self.gaps_without_model or self.offers_without_actor)


@dataclass
class Graph:
    needs: list[tuple[str, dict]]
    gaps: list[tuple[str, dict]]
    models: list[tuple[str, dict]]
    offers: list[tuple[str, dict]]
    responsibilities: list[tuple[str, dict]]


def graph(source: Source) -> Graph:
    """The whole project, for the CSV exports (a download holds everything; pages read `trace_page`)."""
    return Graph(source.items("need"), source.items("gap"), models_of(source), source.items("offer"),
                 source.items("responsibility"))


def trace_page(source: Source) -> Pagination:
    """A page of needs (?page=N), each with its Trace. Only what follows from the needs of the page is
    read: their gaps, the models addressing those, the offer elements answering either, and the
    responsibilities of those offer elements."""
    if not source.published:
        return _working_trace_page(source.project)
    page = source.page("need")
    gaps = source.referring("gap", "need", [uid for uid, _need in page.items])
    gap_uids = [uid for uid, _gap in gaps]
    models = source.referring("model", "gaps", gap_uids)
    offers = _unique(source.referring("offer", "gaps", gap_uids)
                     + source.referring("offer", "models", [uid for uid, _model in models]))
    duties = source.referring("responsibility", "offer", [uid for uid, _offer in offers])
    page.items = traces(Graph(page.items, gaps, models, offers, duties))
    return page


def _working_trace_page(project: ClinicalProject) -> Pagination:
    """`trace_page` on the working copy, reading only the columns the page shows and the links between
    the rows of the page, as tuples: serializing every item whole (an offer element with its providers
    and their proposals, a model with all its gaps) cost thousands of ORM objects for a page of 25 needs.
    The dicts hold the fields `traces` reads, so both sources are traced by the same code."""
    page = paginate(select(Need).where(Need.project_id == project.id)
                    .options(load_only(Need.uid, Need.title, Need.priority), raiseload("*"))
                    .order_by(Need.position, Need.id))
    need_uids = {need.id: need.uid for need in page.items}
    needs = [(need.uid, {"title": need.title, "priority": need.priority.value}) for need in page.items]

    gaps: dict[int, tuple[str, dict]] = {}
    for gap_id, uid, title, dimension, need_id in db.session.execute(
            select(Gap.id, Gap.uid, Gap.title, Gap.dimension, Gap.need_id)
            .where(Gap.need_id.in_(list(need_uids))).order_by(Gap.position, Gap.id)):
        gaps[gap_id] = (uid, {"title": title, "dimension": dimension.value, "need": {"uid": need_uids[need_id]}})

    models: dict[int, tuple[str, dict]] = {}
    for model_id, uid, name, decision, gap_id in db.session.execute(
            select(CareModel.id, CareModel.uid, CareModel.name, CareModel.decision, model_gaps.c.gap_id)
            .join(model_gaps, model_gaps.c.care_model_id == CareModel.id)
            .where(model_gaps.c.gap_id.in_(list(gaps))).order_by(CareModel.position, CareModel.id)):
        model = models.setdefault(model_id, (uid, {"name": name, "decision": decision.value, "gaps": []}))
        model[1]["gaps"].append({"uid": gaps[gap_id][0]})

    # The offer elements answering a gap of the page, then those answering one of its models only: the
    # order in which `trace_page` reads them on the published versions.
    via_gap = (select(literal(0).label("via"), OfferElement.position, OfferElement.id, OfferElement.uid,
                      OfferElement.name, offer_gaps.c.gap_id.label("gap_id"), null().label("model_id"))
               .join(offer_gaps, offer_gaps.c.offer_element_id == OfferElement.id)
               .where(offer_gaps.c.gap_id.in_(list(gaps))))
    via_model = (select(literal(1).label("via"), OfferElement.position, OfferElement.id, OfferElement.uid,
                        OfferElement.name, null().label("gap_id"), offer_models.c.care_model_id.label("model_id"))
                 .join(offer_models, offer_models.c.offer_element_id == OfferElement.id)
                 .where(offer_models.c.care_model_id.in_(list(models))))
    both = union_all(via_gap, via_model).subquery()
    offers: dict[int, tuple[str, dict]] = {}
    for _via, _position, offer_id, uid, name, gap_id, model_id in db.session.execute(
            select(both).order_by(both.c.via, both.c.position, both.c.id)):
        offer = offers.setdefault(offer_id, (uid, {"name": name, "gaps": [], "models": []}))
        if gap_id is not None:
            offer[1]["gaps"].append({"uid": gaps[gap_id][0]})
        else:
            offer[1]["models"].append({"uid": models[model_id][0]})

    duties: dict[int, tuple[str, dict]] = {}
    establishment = project.establishment.name
    for duty_id, uid, offer_id, organization, level in db.session.execute(
            select(CareResponsibility.id, CareResponsibility.uid, CareResponsibility.offer_element_id,
                   Organization.name, CareRoleAssignment.level)
            .join(CareRoleAssignment, CareRoleAssignment.responsibility_id == CareResponsibility.id)
            .outerjoin(Organization, Organization.id == CareRoleAssignment.organization_id)
            .where(CareResponsibility.offer_element_id.in_(list(offers)))
            .order_by(CareResponsibility.position, CareResponsibility.id, CareRoleAssignment.id)):
        duty = duties.setdefault(duty_id, (uid, {"offer": {"uid": offers[offer_id][0]}, "assignments": []}))
        duty[1]["assignments"].append({"actor": organization if organization is not None else establishment,
                                       "level": level.value})

    page.items = traces(Graph(needs, list(gaps.values()), list(models.values()), list(offers.values()),
                              list(duties.values())))
    return page


def _unique(pairs: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    seen, out = set(), []
    for uid, data in pairs:
        if uid not in seen:
            seen.add(uid)
            out.append((uid, data))
    return out


def traces(g: Graph) -> list[Trace]:
    gaps_by_need: dict[str, list] = defaultdict(list)
    for uid, gap in g.gaps:
        gaps_by_need[gap["need"]["uid"]].append((uid, gap))
    models_by_gap: dict[str, list] = defaultdict(list)
    for uid, model in g.models:
        for ref in model["gaps"]:
            models_by_gap[ref["uid"]].append((uid, model))
    offers_by_gap: dict[str, list] = defaultdict(list)
    offers_by_model: dict[str, list] = defaultdict(list)
    for uid, offer in g.offers:
        for ref in offer["gaps"]:
            offers_by_gap[ref["uid"]].append((uid, offer))
        for ref in offer["models"]:
            offers_by_model[ref["uid"]].append((uid, offer))
    actors_by_offer: dict[str, list] = defaultdict(list)
    for _uid, responsibility in g.responsibilities:
        for assignment in responsibility["assignments"]:
            actors_by_offer[responsibility["offer"]["uid"]].append((assignment["actor"], assignment["level"]))

    result = []
    for uid, need in g.needs:
        trace = Trace(uid, need, gaps=gaps_by_need.get(uid, []))
        models = [m for gap_uid, _gap in trace.gaps for m in models_by_gap.get(gap_uid, [])]
        trace.models = _unique(models)
        offers = [o for gap_uid, _gap in trace.gaps for o in offers_by_gap.get(gap_uid, [])]
        offers += [o for model_uid, _model in trace.models for o in offers_by_model.get(model_uid, [])]
        trace.offers = _unique(offers)
        actors = [a for offer_uid, _offer in trace.offers for a in actors_by_offer.get(offer_uid, [])]
        trace.actors = list(dict.fromkeys(actors))
        result.append(trace)
    return result


def coverage(g: Graph) -> Coverage:
    needs_with_gap = {gap["need"]["uid"] for _uid, gap in g.gaps}
    gaps_with_model = {ref["uid"] for _uid, model in g.models for ref in model["gaps"]}
    offers_with_actor = {r["offer"]["uid"] for _uid, r in g.responsibilities if r["assignments"]}
    return Coverage(
        needs_without_gap=[(u, d) for u, d in g.needs if u not in needs_with_gap],
        gaps_without_model=[(u, d) for u, d in g.gaps if u not in gaps_with_model],
        offers_without_actor=[(u, d) for u, d in g.offers if u not in offers_with_actor],
    )


def _names(pairs: list[tuple[str, dict]], key: str) -> str:
    return "; ".join(d[key] for _uid, d in pairs)


def traces_csv(rows: list[Trace]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Need uid"), _("Need"), _("Priority"), _("Gaps"), _("Care models"), _("Offer elements"),
                     _("Responsible actors")])
    for t in rows:
        writer.writerow([t.uid, t.need["title"], label("priority", t.need["priority"]), _names(t.gaps, "title"),
                         _names(t.models, "name"), _names(t.offers, "name"),
                         "; ".join(f"{actor} ({label('level', level)})" for actor, level in t.actors)])
    return "\ufeff" + out.getvalue()  # a BOM, so that Excel reads the accents


def coverage_csv(report: Coverage) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Problem"), _("Uid"), _("Item")])
    for uid, need in report.needs_without_gap:
        writer.writerow([_("Need with no gap analysis"), uid, need["title"]])
    for uid, gap in report.gaps_without_model:
        writer.writerow([_("Gap with no care model"), uid, gap["title"]])
    for uid, offer in report.offers_without_actor:
        writer.writerow([_("Offer element with no responsible actor"), uid, offer["name"]])
    return "\ufeff" + out.getvalue()


# Coverage, page by page: the report shows how many loose ends of each kind there are and the first of
# them; each list opens on its own, paginated (?list=needs|gaps|offers).
COVERAGE_LISTS = ("needs", "gaps", "offers")


@dataclass
class CoverageList:
    key: str            # needs, gaps or offers
    title_field: str    # the field naming an item
    page: Pagination    # its items are (uid, data) pairs


def coverage_lists(source: Source, only: str | None = None) -> list[CoverageList]:
    """The three lists of the coverage report; `only` one of them, paginated by ?page, else the first page
    of each."""
    found = []
    for key, kind, title_field, stmt in (("needs", "need", "title", source.needs_without_gap),
                                         ("gaps", "gap", "title", source.gaps_without_model),
                                         ("offers", "offer", "name", source.offers_without_actor)):
        if only in (None, key):
            found.append(CoverageList(key, title_field, source.page(kind, stmt(), first=only is None)))
    return found


# The needs × resources grid: a page of needs (rows); a column per kind of provider (public, community,
# social economy, private), each cell naming the resources of that kind answering the need. A column per
# resource cannot be read past a few dozen resources; by kind of provider the grid reads the same with
# 10 resources or 1,000, and still shows at a glance a need that only community organizations answer.
GRID_CELL_NAMES = 10  # resources named in one cell; the others are counted


@dataclass
class GridCell:
    names: list[str]
    more: int


@dataclass
class GridRow:
    uid: str
    need: dict[str, Any]
    total: int
    cells: dict[str, GridCell]


def grid_page(source: Source) -> Pagination:
    """A page of needs (?page=N) as GridRows; only the resources answering those needs are read."""
    page = source.page("need")
    answering: dict[str, list[dict]] = defaultdict(list)
    for _uid, service in source.referring("service", "needs", [uid for uid, _need in page.items]):
        for ref in service["needs"]:
            answering[ref["uid"]].append(service)
    rows = []
    for uid, need in page.items:
        by_kind: dict[str, list[str]] = {kind.value: [] for kind in ProviderKind}
        for service in answering.get(uid, []):
            by_kind.setdefault(service["provider_kind"], []).append(service["name"])
        cells = {kind: GridCell(sorted(names, key=str.lower)[:GRID_CELL_NAMES], max(0, len(names) - GRID_CELL_NAMES))
                 for kind, names in by_kind.items()}
        rows.append(GridRow(uid, need, len(answering.get(uid, [])), cells))
    page.items = rows
    return page
