"""Read helpers for rounds: the public list (open first, then upcoming, then past), a project's rounds,
a round with what its pages show, the published versions a round may put in consultation, the items in
consultation, the registry search for invitations and the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from consult.core.db import db
from consult.core.pagination import paginate
from consult.core.timefmt import datetime_filter
from consult.organizations.models import Organization, OrganizationMember, fold
from consult.projects.kinds import KINDS, STEP_KINDS
from consult.projects.models import STEP_TITLES, ClinicalProject, ProjectStep, StepVersion, VersionItem
from consult.rounds.models import (
    INVITATION_STATE_LABELS,
    ConsultationRound,
    InvitationState,
    RoundEvent,
    RoundInvitation,
    RoundState,
)
from consult.territories.models import Establishment

PAST = (RoundState.closed, RoundState.summarized, RoundState.published)


def _round_loads() -> tuple:
    return (joinedload(ConsultationRound.project).joinedload(ClinicalProject.establishment),
            selectinload(ConsultationRound.versions).joinedload(StepVersion.step))


def load_round(round_id: int) -> ConsultationRound:
    round_ = db.session.scalar(select(ConsultationRound).where(ConsultationRound.id == round_id).options(
        *_round_loads(), selectinload(ConsultationRound.questions),
        selectinload(ConsultationRound.invitations).joinedload(RoundInvitation.organization)
        .selectinload(Organization.members).joinedload(OrganizationMember.user),
        selectinload(ConsultationRound.invitations).joinedload(RoundInvitation.establishment)))
    if round_ is None:
        abort(404)
    return round_


def group_of(round_: ConsultationRound) -> str:
    if round_.state is RoundState.open:
        return "open"
    if round_.state is RoundState.scheduled:
        return "upcoming"
    return "past"


def public_rounds(establishment_id: int | None = None, project_id: int | None = None) -> Pagination:
    """Rounds out of draft: open ones first (closing soonest first), then upcoming (opening soonest
    first), then past ones (most recent first)."""
    group = case((ConsultationRound.state == RoundState.open, 0),
                 (ConsultationRound.state == RoundState.scheduled, 1), else_=2)
    soonest = case((ConsultationRound.state == RoundState.open, ConsultationRound.closes_at),
                   (ConsultationRound.state == RoundState.scheduled, ConsultationRound.opens_at))
    stmt = (select(ConsultationRound).where(ConsultationRound.state != RoundState.draft)
            .options(*_round_loads())
            .order_by(group, soonest, ConsultationRound.closes_at.desc(), ConsultationRound.id.desc()))
    if establishment_id is not None or project_id is not None:
        stmt = stmt.join(ClinicalProject, ClinicalProject.id == ConsultationRound.project_id)
        if establishment_id is not None:
            stmt = stmt.where(ClinicalProject.establishment_id == establishment_id)
        if project_id is not None:
            stmt = stmt.where(ClinicalProject.id == project_id)
    return paginate(stmt)


def establishments_with_rounds() -> list[Establishment]:
    """The establishments the public list can be filtered by: those with a round out of draft."""
    ids = (select(ClinicalProject.establishment_id).join(ConsultationRound,
                                                         ConsultationRound.project_id == ClinicalProject.id)
           .where(ConsultationRound.state != RoundState.draft))
    return list(db.session.scalars(select(Establishment).where(Establishment.id.in_(ids))
                                   .order_by(Establishment.name)))


def project_rounds(project: ClinicalProject) -> Pagination:
    stmt = (select(ConsultationRound).where(ConsultationRound.project_id == project.id)
            .options(*_round_loads()).order_by(ConsultationRound.opens_at.desc(), ConsultationRound.id.desc()))
    return paginate(stmt)


def published_versions(project: ClinicalProject) -> list[StepVersion]:
    """Every frozen version of the project's steps, by step, newest first."""
    return list(db.session.scalars(
        select(StepVersion).join(ProjectStep, ProjectStep.id == StepVersion.step_id)
        .where(ProjectStep.project_id == project.id).options(joinedload(StepVersion.step))
        .order_by(ProjectStep.number, StepVersion.number.desc())))


def latest_versions(project: ClinicalProject) -> list[StepVersion]:
    """The default choice: the latest published version of each step that has one."""
    latest = {s.latest_version_id for s in project.steps if s.latest_version_id is not None}
    return [v for v in published_versions(project) if v.id in latest]


def versions_by_ids(project: ClinicalProject, ids: list[int]) -> list[StepVersion]:
    if not ids:
        return []
    return [v for v in published_versions(project) if v.id in set(ids)]


@dataclass
class KindBlock:
    kind: str
    plural: str
    total: int
    items: list[VersionItem]


def consultation_items(round_: ConsultationRound, per_kind: int) -> dict[int, list[KindBlock]]:
    """For each version in consultation, the first items of each kind it holds and how many there are."""
    if not round_.versions:
        return {}
    ids = [v.id for v in round_.versions]
    counts: dict[tuple[int, str], int] = {
        (version_id, kind): count for version_id, kind, count in db.session.execute(
            select(VersionItem.version_id, VersionItem.kind, func.count(VersionItem.id))
            .where(VersionItem.version_id.in_(ids)).group_by(VersionItem.version_id, VersionItem.kind))}
    ranked = (select(VersionItem.id, func.row_number().over(
        partition_by=(VersionItem.version_id, VersionItem.kind), order_by=VersionItem.position).label("rank"))
        .where(VersionItem.version_id.in_(ids)).subquery())
    rows = db.session.scalars(select(VersionItem).join(ranked, ranked.c.id == VersionItem.id)
                              .where(ranked.c.rank <= per_kind).order_by(VersionItem.position))
    grouped: dict[tuple[int, str], list[VersionItem]] = {}
    for row in rows:
        grouped.setdefault((row.version_id, row.kind), []).append(row)
    blocks: dict[int, list[KindBlock]] = {}
    for version in round_.versions:
        blocks[version.id] = [KindBlock(kind, str(KINDS[kind].plural), counts[(version.id, kind)],
                                        grouped.get((version.id, kind), []))
                              for kind in STEP_KINDS[version.step.number] if counts.get((version.id, kind))]
    return blocks


def version_items(version: StepVersion, kind: str) -> Pagination:
    return paginate(select(VersionItem).where(VersionItem.version_id == version.id, VersionItem.kind == kind)
                    .order_by(VersionItem.position))


def item_label(item: VersionItem) -> str:
    label = KINDS[item.kind].label_of(item.data)
    if item.kind == "indicator":
        territory = item.data.get("territory") or {}
        return f"{label} — {territory.get('name', '')}, {item.data.get('year', '')}"
    return label


def registry_page(round_: ConsultationRound, text: str | None) -> Pagination:
    """Organizations of the registry not invited yet, found by name; paginated."""
    invited = select(RoundInvitation.organization_id).where(RoundInvitation.round_id == round_.id,
                                                            RoundInvitation.organization_id.is_not(None))
    stmt = select(Organization).where(Organization.id.not_in(invited))
    raw = (text or "").strip()
    if raw:
        needle = fold(raw)
        # The folded name finds "aînés" from "AINES"; the raw text covers a search of only punctuation.
        by_raw = func.lower(Organization.name).contains(raw.lower(), autoescape=True)
        stmt = stmt.where(or_(Organization.name_key.contains(needle, autoescape=True), by_raw) if needle
                          else by_raw)
    return paginate(stmt.order_by(Organization.name_key, Organization.id))


def invitation_counts(round_: ConsultationRound) -> list[tuple[str, int]]:
    """How many lines are in each state, to read beside the list (never a ranking)."""
    counts = {state: 0 for state in InvitationState}
    for invitation in round_.invitations:
        counts[invitation.state] += 1
    return [(str(INVITATION_STATE_LABELS[s]), n) for s, n in counts.items()]


# The history -----------------------------------------------------------------------------------------


def event_labels() -> dict[str, str]:
    return {
        "created": _("Round created"), "edited": _("Round edited"), "scheduled": _("Scheduled"),
        "unscheduled": _("Back to draft"), "opening_moved": _("Opening moved to now"), "opened": _("Opened"),
        "closed": _("Closed"), "extended": _("Closing extended"), "summarized": _("Marked as summarized"),
        "summary_published": _("Summary published"),
        "published": _("Results published"), "invited": _("Invited"), "uninvited": _("Invitation taken back"),
        "invitation_answered": _("Invitation answered"), "question_added": _("Guiding question added"),
        "question_edited": _("Guiding question edited"), "question_moved": _("Guiding questions reordered"),
        "question_removed": _("Guiding question removed"),
    }


def field_labels() -> dict[str, str]:
    return {"title": _("Title"), "mandate": _("Mandate"), "participation_level": _("Participation level"),
            "budgets_in_scope": _("Budgets in scope"), "audience": _("Audience"), "opens_at": _("Opening"),
            "closes_at": _("Closing"), "versions": _("Versions in consultation")}


def _when(value: Any) -> str:
    try:
        return datetime_filter(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return ""


def describe(event: RoundEvent) -> list[str]:
    """The details of one event as lines of plain text (escaped by the template)."""
    d = event.detail or {}
    lines: list[str] = []
    if event.kind in ("extended", "opening_moved"):
        lines.append(_("From %(old)s to %(new)s", old=_when(d.get("old")), new=_when(d.get("new"))))
        if d.get("reopened"):
            lines.append(_("The round had closed: it reopened for everyone."))
    elif event.kind == "scheduled":
        lines.append(_("Opens %(opens)s, closes %(closes)s", opens=_when(d.get("opens_at")),
                       closes=_when(d.get("closes_at"))))
    elif event.kind == "edited":
        names = field_labels()
        lines.append(_("Changed: %(fields)s", fields=", ".join(names.get(f, f) for f in d.get("fields", []))))
        for key in ("opens_at", "closes_at"):
            if key in d:
                lines.append(_("%(field)s: from %(old)s to %(new)s", field=names[key], old=_when(d[key]["old"]),
                               new=_when(d[key]["new"])))
    elif event.kind in ("invited", "uninvited"):
        lines.append(", ".join(d.get("parties", [])))
    elif event.kind == "invitation_answered":
        state = d.get("state")
        label = next((str(INVITATION_STATE_LABELS[s]) for s in InvitationState if s.value == state), state)
        lines.append(f"{d.get('party', '')}: {label}")
    elif event.kind.startswith("question_") and d.get("step") in STEP_TITLES:
        lines.append(_("Step %(n)d: %(title)s", n=d["step"], title=STEP_TITLES[d["step"]]))
    if d.get("reason"):
        lines.append(_("Reason given: %(reason)s", reason=d["reason"]))
    return lines


def events_page(round_: ConsultationRound) -> Pagination:
    return paginate(select(RoundEvent).where(RoundEvent.round_id == round_.id)
                    .options(joinedload(RoundEvent.actor)).order_by(RoundEvent.at.desc(), RoundEvent.id.desc()))


def published_summary(round_: ConsultationRound):
    """The round's latest published summary, or None."""
    from consult.summaries.models import Summary, SummaryState

    return db.session.scalar(select(Summary).where(Summary.round_id == round_.id,
                                                   Summary.state == SummaryState.published)
                             .order_by(Summary.number.desc()).limit(1))
