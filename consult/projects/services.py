"""Rules of the clinical project: creating projects, moving steps through their states, freezing versions,
saving working items without ever overwriting someone else's change, the inventory entries that
organizations confirm or decline, and the agreement proposals both sides write.

Services flush and never commit; a broken rule raises ProjectError (with the field to blame) and a save
made on a stale copy raises StaleItem, which the view turns into a message showing the current values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm.exc import StaleDataError

from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.organizations.models import Organization
from consult.projects import search
from consult.projects.kinds import KINDS, STEP_KINDS, group_key, step_of, working_items
from consult.projects.models import (
    AgreementProposal,
    CareResponsibility,
    CareRoleAssignment,
    ClinicalProject,
    Decision,
    Listing,
    ModelKind,
    Need,
    OfferElement,
    OfferProvider,
    Parameter,
    Programme,
    ProjectStatus,
    ProjectStep,
    ProposalAction,
    RoleLevel,
    Service,
    ServiceChange,
    StepState,
    StepVersion,
    VersionItem,
)
from consult.territories.models import Establishment, TerritoryNode


class ProjectError(Exception):
    """A rule was broken. `field` names the form field to show the message next to (None: the form)."""

    def __init__(self, message: str, field: str | None = None, conflict: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.conflict = conflict  # someone else wrote first: the page shows what is there now


class StaleItem(Exception):
    """Someone else saved the item since this copy of it was opened."""

    def __init__(self, item: Any) -> None:
        super().__init__("stale item")
        self.item = item


def stale_message() -> str:
    return _("This item was changed by someone else since you opened it. Nothing was saved: the current "
             "values are shown below. Make your changes again on them if they are still needed.")


def check_fresh(item: Any, expected: int | str | None) -> None:
    """Refuse a save made on an older copy than the one in the database."""
    try:
        seen = int(expected) if expected not in (None, "") else None
    except (TypeError, ValueError):
        seen = None
    if seen is None or seen != item.lock_version:
        raise StaleItem(item)


def flush_or_stale(item: Any) -> None:
    """Flush; a concurrent save that slipped between our read and our write fails the version check."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleItem(item) from None


def _touch(item: Any) -> None:
    # Changing only a link table issues no UPDATE of the row: bump it so the lock counter always moves.
    item.updated_at = now_utc()


# Programmes ----------------------------------------------------------------------------------------

# (code, French name, English name): the programme-services of the Québec network.
DEFAULT_PROGRAMMES = [
    ("palv", "Perte d'autonomie liée au vieillissement (PALV)", "Loss of autonomy related to ageing (PALV)"),
    ("mental_health", "Santé mentale", "Mental health"),
    ("youth", "Jeunes en difficulté", "Youth"),
    ("addiction", "Dépendances", "Addiction"),
    ("physical_health", "Santé physique", "Physical health"),
    ("intellectual_disability", "Déficience intellectuelle et trouble du spectre de l'autisme",
     "Intellectual disability and autism spectrum disorder"),
    ("physical_disability", "Déficience physique", "Physical disability"),
    ("public_health", "Santé publique", "Public health"),
]


def programme_by_code(code: str) -> Programme | None:
    return db.session.scalar(select(Programme).where(Programme.code == code))


def save_programme(programme: Programme | None, *, code: str, name_fr: str, name_en: str, position: int,
                   active: bool) -> Programme:
    code = code.strip().lower()
    other = programme_by_code(code)
    if other is not None and other is not programme:
        raise ProjectError(_("The code %(code)s is already used.", code=code), "code")
    if programme is None:
        programme = Programme()
        db.session.add(programme)
    programme.code, programme.name_fr, programme.name_en = code, name_fr, name_en
    programme.position, programme.active = position, active
    db.session.flush()
    return programme


def add_default_programmes() -> int:
    """Add the standard programme-services that are missing; returns how many were added."""
    added = 0
    for position, (code, name_fr, name_en) in enumerate(DEFAULT_PROGRAMMES, start=1):
        if programme_by_code(code) is None:
            db.session.add(Programme(code=code, name_fr=name_fr, name_en=name_en, position=position * 10))
            added += 1
    db.session.flush()
    return added


# Projects ------------------------------------------------------------------------------------------


def _check_period(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ProjectError(_("The end of the period comes before its start."), "end_date")


def create_project(establishment: Establishment, programme: Programme, *, title: str, summary: str | None,
                   start_date: date | None, end_date: date | None,
                   territories: Iterable[TerritoryNode]) -> ClinicalProject:
    _check_period(start_date, end_date)
    project = ClinicalProject(establishment=establishment, programme=programme, title=title, summary=summary,
                              start_date=start_date, end_date=end_date, territories=list(territories),
                              status=ProjectStatus.preparation)
    project.steps = [ProjectStep(number=n, state=StepState.draft) for n in range(1, 7)]
    db.session.add(project)
    db.session.flush()
    return project


def update_project(project: ClinicalProject, expected_lock: Any, *, programme: Programme, title: str,
                   summary: str | None, start_date: date | None, end_date: date | None,
                   status: ProjectStatus, territories: Iterable[TerritoryNode]) -> None:
    check_fresh(project, expected_lock)
    _check_period(start_date, end_date)
    project.programme, project.title, project.summary = programme, title, summary
    project.start_date, project.end_date, project.status = start_date, end_date, status
    project.territories = list(territories)
    _touch(project)
    flush_or_stale(project)


def save_step_summary(step: ProjectStep, expected_lock: Any, summary: str | None) -> None:
    check_fresh(step, expected_lock)
    if not step.editable:
        raise ProjectError(_("This step is adopted. Reopen it to change it."))
    step.summary = summary
    flush_or_stale(step)


# The state machine of a step -----------------------------------------------------------------------

# action → (from state, to state). Publishing and adopting freeze a version; reopening starts a new one.
TRANSITIONS: dict[str, tuple[StepState, StepState]] = {
    "publish": (StepState.draft, StepState.in_consultation),
    "close": (StepState.in_consultation, StepState.consolidating),
    "adopt": (StepState.consolidating, StepState.adopted),
    "reopen": (StepState.adopted, StepState.draft),
}


def transition_labels() -> dict[str, str]:
    return {"publish": _("Publish for consultation"), "close": _("Close the consultation"),
            "adopt": _("Adopt this step"), "reopen": _("Reopen for a new version")}


def refusal(step: ProjectStep, action: str) -> str:
    allowed = [name for name, (source, _to) in TRANSITIONS.items() if source is step.state]
    return _("“%(action)s” is not possible while the step is “%(state)s”. Possible now: %(allowed)s.",
             action=transition_labels().get(action, action), state=step.state_label,
             allowed=", ".join(transition_labels()[a] for a in allowed))


def transition(step: ProjectStep, action: str, user: User, expected_lock: Any = None) -> StepVersion | None:
    """Move `step` along the state machine. Returns the version frozen by publish or adopt."""
    if expected_lock is not None:
        check_fresh(step, expected_lock)
    if action not in TRANSITIONS or TRANSITIONS[action][0] is not step.state:
        raise ProjectError(refusal(step, action))
    step.state = TRANSITIONS[action][1]
    step.state_changed_at = now_utc()
    version = None
    if action in ("publish", "adopt"):
        version = freeze(step, user, "adopted" if action == "adopt" else "consultation")
    if step.project.status is ProjectStatus.preparation and action == "publish":
        step.project.status = ProjectStatus.in_progress
    flush_or_stale(step)
    return version


def snapshot(step: ProjectStep) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, uid, data) of every item the step shows, in order."""
    items: list[tuple[str, str, dict[str, Any]]] = []
    for kind in STEP_KINDS[step.number]:
        stmt = working_items(step.project_id, kind, step.number)
        if kind == "service":
            stmt = stmt.where(Service.listing != Listing.declined)
        for item in db.session.scalars(stmt):
            items.append((kind, item.uid, KINDS[kind].serialize(item)))
    return items


def digest_of(summary: str | None, items: list[tuple[str, str, dict[str, Any]]]) -> str:
    canonical = json.dumps([summary or "", items], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def freeze(step: ProjectStep, user: User | None, purpose: str = "consultation") -> StepVersion:
    """Write an immutable version of the step as it is now: one VersionItem per item."""
    items = snapshot(step)
    number = (db.session.scalar(select(func.max(StepVersion.number)).where(StepVersion.step_id == step.id))
              or 0) + 1
    version = StepVersion(step=step, number=number, purpose=purpose, published_at=now_utc(),
                          published_by=user, digest=digest_of(step.summary, items), summary=step.summary,
                          item_count=len(items))
    db.session.add(version)
    db.session.flush()
    positions: dict[str, int] = {}
    rows = []
    for kind, uid, data in items:
        positions[kind] = positions.get(kind, 0) + 1
        rows.append({"version_id": version.id, "kind": kind, "uid": uid, "position": positions[kind],
                     "group_key": group_key(kind, data), "data": data})
    if rows:
        db.session.execute(VersionItem.__table__.insert(), rows)
    search.index_version(step.project_id, version.id, items)
    step.latest_version_id = version.id
    db.session.flush()
    db.session.expire(step, ["latest_version"])
    return version


# Working items -------------------------------------------------------------------------------------


def _next_position(model: type, project_id: int) -> int:
    return (db.session.scalar(select(func.max(model.position)).where(model.project_id == project_id)) or 0) + 1


def _require_editable(project: ClinicalProject, kind: str, item: Any = None, model_kind: Any = None) -> None:
    number = step_of(kind, item) if model_kind is None else (4 if model_kind is ModelKind.keep else 5)
    step = project.step(number)
    if not step.editable:
        raise ProjectError(_("The step “%(step)s” is adopted. Reopen it to change its content.",
                             step=step.title))


def _assign(item: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(item, name, value)


def save_item(project: ClinicalProject, kind: str, item: Any | None, values: dict[str, Any],
              expected_lock: Any = None, user: User | None = None) -> Any:
    """Create (item None) or update a working item from resolved values (objects, not ids)."""
    spec = KINDS[kind]
    if item is not None:
        check_fresh(item, expected_lock)
    _require_editable(project, kind, item, values.get("kind") if kind == "model" else None)
    if kind == "model":
        _check_decision(values)
    if kind == "service":
        return _save_service(project, item, values, user)
    extra = values.pop("assignments", None) if kind == "responsibility" else None
    providers = values.pop("providers", None) if kind == "offer" else None
    if item is None:
        item = spec.model(project=project, position=_next_position(spec.model, project.id))
        db.session.add(item)
    _assign(item, values)
    if providers is not None:
        _set_providers(item, providers)
    if extra is not None:
        _set_assignments(item, extra)
    _touch(item)
    flush_or_stale(item)
    search.index_item(project.id, kind, item.uid, spec.serialize(item))
    db.session.flush()
    return item


def delete_item(project: ClinicalProject, kind: str, item: Any, expected_lock: Any = None) -> None:
    check_fresh(item, expected_lock)
    _require_editable(project, kind, item)
    if isinstance(item, Need) and item.gaps:
        raise ProjectError(_("This need is analysed by %(count)d gap(s). Remove or move those gaps first.",
                             count=len(item.gaps)))
    if isinstance(item, OfferElement) and item.responsibilities:
        raise ProjectError(_("This offer element has responsibilities. Remove them first."))
    search.remove_item(item.uid)
    db.session.delete(item)
    db.session.flush()


def _check_decision(values: dict[str, Any]) -> None:
    if values.get("decision") is Decision.set_aside and not (values.get("decision_reason") or "").strip():
        raise ProjectError(_("Give the reason why this model is set aside."), "decision_reason")


# Step 2: inventory entries and who changed them


def _service_side(service: Service, user: User | None) -> str:
    from consult.projects.policies import plans

    if user is not None and plans(user, service.project.establishment_id):
        return "establishment"
    return "organization"


def _log(service: Service, user: User | None, side: str, action: str, before: dict | None) -> None:
    after = KINDS["service"].serialize(service)
    changed = {k: [before.get(k) if before else None, v] for k, v in after.items()
               if before is None or before.get(k) != v}
    db.session.add(ServiceChange(service=service, user=user, side=side, action=action, changes=changed))


def _save_service(project: ClinicalProject, service: Service | None, values: dict[str, Any],
                  user: User | None) -> Service:
    creating = service is None
    before = None if creating else KINDS["service"].serialize(service)
    if creating:
        service = Service(project=project, position=_next_position(Service, project.id))
        db.session.add(service)
    organization = values.get("organization")
    previous_org = None if creating else service.organization_id
    _assign(service, values)
    # An entry naming an organization waits for that organization; a new provider starts over. What the
    # organization confirmed and the establishment then changes goes back to it; a refusal stands.
    new_provider = creating or organization is None or previous_org != organization.id
    changed_after_confirmation = (service.listing is Listing.confirmed
                                  and KINDS["service"].serialize(service) != before)
    if organization is None:
        service.listing = Listing.own
    elif new_provider or changed_after_confirmation:
        service.listing = Listing.proposed
    _touch(service)
    flush_or_stale(service)
    _log(service, user, "establishment", "created" if creating else "edited", before)
    search.index_item(project.id, "service", service.uid, KINDS["service"].serialize(service))
    db.session.flush()
    return service


def respond_to_service(service: Service, user: User, answer: str, expected_lock: Any,
                       values: dict[str, Any] | None = None) -> None:
    """The organization confirms its entry (with its own edits, if any) or declines to be listed."""
    check_fresh(service, expected_lock)
    before = KINDS["service"].serialize(service)
    if answer == "decline":
        service.listing = Listing.declined
        action = "declined"
    elif answer == "confirm":
        if values:
            _assign(service, values)
        service.listing = Listing.confirmed
        action = "confirmed"
    else:
        raise ProjectError(_("Choose whether to confirm the entry or not to be listed."), "answer")
    _touch(service)
    flush_or_stale(service)
    _log(service, user, "organization", action, before)
    if service.listing is Listing.declined:
        search.remove_item(service.uid)
    else:
        search.index_item(service.project_id, "service", service.uid, KINDS["service"].serialize(service))
    db.session.flush()


# Step 6: providers, agreement proposals, roles


def _set_providers(offer: OfferElement, organizations: list[Organization | None]) -> None:
    """Keep the relationships still named (their proposals with them); add the new ones."""
    wanted = {o.id if o is not None else None: o for o in organizations}
    for provider in list(offer.providers):
        if provider.organization_id not in wanted:
            offer.providers.remove(provider)
    present = {p.organization_id for p in offer.providers}
    for key, organization in wanted.items():
        if key not in present:
            offer.providers.append(OfferProvider(organization=organization))


def _set_assignments(responsibility: CareResponsibility,
                     assignments: dict[RoleLevel, list[Organization | None]]) -> None:
    responsibility.assignments.clear()
    db.session.flush()
    for level, actors in assignments.items():
        for actor in actors:
            responsibility.assignments.append(CareRoleAssignment(organization=actor, level=level))


def latest_proposal(provider: OfferProvider, parameter: Parameter) -> AgreementProposal | None:
    return db.session.scalar(select(AgreementProposal).where(
        AgreementProposal.provider_id == provider.id, AgreementProposal.parameter == parameter)
        .order_by(AgreementProposal.revision.desc()).limit(1))


def propose(provider: OfferProvider, parameter: Parameter, action: ProposalAction, text: str | None,
            user: User, side: str, based_on: int | None) -> AgreementProposal:
    """Add a version of one agreement parameter. `based_on` is the revision the person was looking at:
    if the other side wrote in between, nothing is saved and they are told."""
    latest = latest_proposal(provider, parameter)
    current = latest.revision if latest else 0
    if (based_on or 0) != current:
        raise ProjectError(_("The other side changed this parameter since you opened the page. Nothing was "
                             "saved: read the current version below, then answer it."), "text", conflict=True)
    step = provider.offer_element.project.step(6)
    if not step.editable:
        raise ProjectError(_("The step “%(step)s” is adopted. Reopen it to change its content.",
                             step=step.title))
    if action is ProposalAction.accept:
        if latest is None or latest.action is ProposalAction.accept:
            raise ProjectError(_("There is no proposal to accept yet."), "action")
        if latest.side == side:
            raise ProjectError(_("A proposal is accepted by the other side, not by the side that wrote it."),
                               "action")
        text = latest.text
    elif not (text or "").strip():
        raise ProjectError(_("Write the text you propose."), "text")
    elif action is ProposalAction.amend and latest is None:
        action = ProposalAction.propose
    elif action is ProposalAction.propose and latest is not None:
        action = ProposalAction.amend
    proposal = AgreementProposal(provider=provider, parameter=parameter, revision=current + 1, action=action,
                                 side=side, text=(text or "").strip(), user=user)
    db.session.add(proposal)
    try:
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise ProjectError(_("The other side changed this parameter at the same moment. Nothing was saved: "
                             "read the current version below, then answer it."), "text", conflict=True) from None
    offer = provider.offer_element
    search.index_item(offer.project_id, "offer", offer.uid, KINDS["offer"].serialize(offer))
    return proposal


def purge_working_index(project_id: int) -> None:
    db.session.execute(delete(search.SearchEntry).where(search.SearchEntry.project_id == project_id,
                                                        search.SearchEntry.version_id.is_(None)))

