"""The participation dashboard of a round: by kind of party, never by name.

- Invitations: how many parties of each kind (the establishment included) are invited without an answer
  yet, took part, declined or withdrew. Every kind is listed, in a fixed order, zeros included: who is
  missing shows too.
- Drafting or implementation, per step of the project: for each kind of organization, how many took part in
  *drafting* the step in this round (a submitted brief, as author or confirmed co-signer, with a position on
  an item of the step — a brief with no position counts for every step in consultation — or a comment on an
  item of the step by one of its representatives), and how many appear only in its *implementation* (named
  in the working copy as a provider of an inventory service, a partner of a care model, a provider of an
  offer element or an actor carrying out a responsibility). The establishment drafts every step it puts in
  consultation.
- Speaking share: visible comments (replies included) by kind of speaker (the establishment's staff, the
  representatives of organizations, everyone else), and among everyone but the staff, by gender and age
  band of their consented profile ("not stated" when there is none). Counts of 1 to 4 people are hidden,
  with their comments.

Nothing here names an organization or a person, and no table is ordered by a count: there is no ranking.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from consult.accounts.models import EstablishmentRole
from consult.core.db import db
from consult.equity.representativeness import Cell, people, profiles, protect
from consult.organizations.models import (
    KIND_LABELS,
    MemberRole,
    Organization,
    OrganizationKind,
    OrganizationMember,
)
from consult.participation.models import (
    Brief,
    BriefCosigner,
    BriefPosition,
    BriefState,
    Comment,
    CosignState,
    ParticipantProfile,
)
from consult.projects.models import (
    STEP_TITLES,
    CareModel,
    CareResponsibility,
    CareRoleAssignment,
    Listing,
    ModelKind,
    OfferElement,
    OfferProvider,
    RoleLevel,
    Service,
    model_partners,
)
from consult.rounds.models import INVITATION_STATE_LABELS, ConsultationRound, InvitationState

ESTABLISHMENT = "establishment"
ESTABLISHMENT_LABEL = _l("The establishment")
STEPS = tuple(range(1, 7))


def party_kinds() -> list[tuple[str, str]]:
    """(key, label) of every kind of party, the establishment first."""
    return [(ESTABLISHMENT, str(ESTABLISHMENT_LABEL))] + [(k.value, str(KIND_LABELS[k])) for k in OrganizationKind]


# --------------------------------------------------------------------------------------------- invitations


@dataclass
class InvitationRow:
    key: str
    label: str
    counts: dict[InvitationState, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def invitations(round_: ConsultationRound) -> list[InvitationRow]:
    rows = {key: InvitationRow(key, label, {state: 0 for state in InvitationState}) for key, label in party_kinds()}
    for invitation in round_.invitations:
        key = invitation.organization.kind.value if invitation.organization is not None else ESTABLISHMENT
        rows[key].counts[invitation.state] += 1
    return list(rows.values())


def invitation_states() -> list[tuple[InvitationState, str]]:
    return [(state, str(INVITATION_STATE_LABELS[state])) for state in InvitationState]


# ------------------------------------------------------------------------------------------ involvement


@dataclass
class StepCell:
    in_round: bool
    drafting: int = 0              # organizations of the kind that took part in drafting this step here
    implementation_only: int = 0   # organizations named in its implementation that did not draft it

    @property
    def status(self) -> str:
        if self.drafting:
            return "drafting"
        if self.implementation_only:
            return "implementation"
        return "none" if self.in_round else "not_in_round"


STATUS_LABELS = {
    "drafting": _l("Took part in drafting"),
    "implementation": _l("Only in implementation"),
    "none": _l("Neither"),
    "not_in_round": _l("Not in this round"),
}


@dataclass
class InvolvementRow:
    key: str
    label: str
    cells: dict[int, StepCell]


def _drafting(round_: ConsultationRound) -> dict[int, set[int]]:
    """step number → ids of the organizations that took part in drafting it in this round."""
    steps_in_round = {v.step.number for v in round_.versions}
    version_steps = {v.id: v.step.number for v in round_.versions}  # inputs on other versions are not this round's
    found: dict[int, set[int]] = {n: set() for n in STEPS}
    briefs = list(db.session.execute(select(Brief.id, Brief.organization_id).where(
        Brief.round_id == round_.id, Brief.state == BriefState.submitted)))
    signers: dict[int, set[int]] = {brief_id: {organization_id} for brief_id, organization_id in briefs}
    for brief_id, organization_id in db.session.execute(
            select(BriefCosigner.brief_id, BriefCosigner.organization_id).where(
                BriefCosigner.brief_id.in_(list(signers)), BriefCosigner.state == CosignState.confirmed)):
        signers[brief_id].add(organization_id)
    positioned: dict[int, set[int]] = {}
    for brief_id, version_id in db.session.execute(select(BriefPosition.brief_id, BriefPosition.version_id).where(
            BriefPosition.brief_id.in_(list(signers)))):
        step = version_steps.get(version_id)
        if step is not None:
            positioned.setdefault(brief_id, set()).add(step)
    for brief_id, organizations in signers.items():
        for step in positioned.get(brief_id) or steps_in_round:
            found[step].update(organizations)
    represented: dict[int, set[int]] = {}
    for user_id, organization_id in db.session.execute(
            select(OrganizationMember.user_id, OrganizationMember.organization_id)
            .join(Comment, Comment.author_id == OrganizationMember.user_id)
            .where(Comment.round_id == round_.id, OrganizationMember.role == MemberRole.representative).distinct()):
        represented.setdefault(user_id, set()).add(organization_id)
    for author_id, version_id in db.session.execute(
            select(Comment.author_id, Comment.version_id).where(Comment.round_id == round_.id,
                                                                Comment.hidden_at.is_(None),
                                                                Comment.author_id.in_(list(represented)))
            .distinct()):
        step = version_steps.get(version_id)
        if step is not None:
            found[step].update(represented[author_id])
    return found


def _implementation(project_id: int) -> tuple[dict[int, set[int]], set[int]]:
    """step number → organizations named in its implementation; and the steps where the establishment is."""
    found: dict[int, set[int]] = {n: set() for n in STEPS}
    establishment: set[int] = set()
    for organization_id in db.session.scalars(select(Service.organization_id).where(
            Service.project_id == project_id, Service.listing != Listing.declined)):
        if organization_id is None:
            establishment.add(2)
        else:
            found[2].add(organization_id)
    for kind, organization_id in db.session.execute(
            select(CareModel.kind, model_partners.c.organization_id)
            .join(model_partners, model_partners.c.care_model_id == CareModel.id)
            .where(CareModel.project_id == project_id)):
        found[4 if kind is ModelKind.keep else 5].add(organization_id)
    for organization_id in db.session.scalars(
            select(OfferProvider.organization_id).join(OfferElement, OfferElement.id == OfferProvider.offer_element_id)
            .where(OfferElement.project_id == project_id)):
        if organization_id is None:
            establishment.add(6)
        else:
            found[6].add(organization_id)
    for organization_id in db.session.scalars(
            select(CareRoleAssignment.organization_id)
            .join(CareResponsibility, CareResponsibility.id == CareRoleAssignment.responsibility_id)
            .where(CareResponsibility.project_id == project_id, CareRoleAssignment.level == RoleLevel.carries_out)):
        if organization_id is None:
            establishment.add(6)
        else:
            found[6].add(organization_id)
    return found, establishment


def involvement(round_: ConsultationRound) -> list[InvolvementRow]:
    steps_in_round = {v.step.number for v in round_.versions}
    drafting = _drafting(round_)
    implementing, establishment_steps = _implementation(round_.project_id)
    ids = set().union(*drafting.values(), *implementing.values())
    kinds = dict(db.session.execute(select(Organization.id, Organization.kind).where(Organization.id.in_(ids))).all()) \
        if ids else {}
    rows = []
    for key, label in party_kinds():
        cells = {}
        for step in STEPS:
            cell = StepCell(in_round=step in steps_in_round)
            if key == ESTABLISHMENT:
                cell.drafting = 1 if cell.in_round else 0
                cell.implementation_only = 1 if not cell.in_round and step in establishment_steps else 0
            else:
                drafted = {o for o in drafting[step] if kinds.get(o) and kinds[o].value == key}
                named = {o for o in implementing[step] if kinds.get(o) and kinds[o].value == key}
                cell.drafting = len(drafted)
                cell.implementation_only = len(named - drafted)
            cells[step] = cell
        rows.append(InvolvementRow(key, label, cells))
    return rows


def step_titles() -> dict[int, str]:
    return {n: str(STEP_TITLES[n]) for n in STEPS}


# ------------------------------------------------------------------------------------------ speaking share


@dataclass
class SpeakingRow:
    key: str | None
    label: str
    people: Cell
    comments: Cell
    share: float | None = None     # of all visible comments; None when hidden


SPEAKER_LABELS = {
    "staff": _l("Staff of the establishment"),
    "representative": _l("Representatives of organizations"),
    "other": _l("Citizens and members"),
}


def _rows(people_by: Counter, comments_by: Counter, keys: list[str | None], labels: dict, total: int,
          ) -> list[SpeakingRow]:
    rows = [SpeakingRow(key, str(labels.get(key, key)) if key is not None else str(_l("Not stated")),
                        people(people_by[key]), Cell(comments_by[key], comments_by[key]))
            for key in keys]
    protect([r.people for r in rows])
    for row in rows:
        if row.people.suppressed:
            row.comments = Cell(row.comments.raw, None, "with_people")  # shown as "not shown"
        elif total:
            row.share = row.comments.raw / total
    return rows


@dataclass
class Speaking:
    total: int
    by_speaker: list[SpeakingRow]
    by_gender: list[SpeakingRow]
    by_age: list[SpeakingRow]


def speaking(round_: ConsultationRound) -> Speaking:
    counts = dict(db.session.execute(
        select(Comment.author_id, func.count()).where(Comment.round_id == round_.id, Comment.hidden_at.is_(None),
                                                      Comment.author_id.is_not(None))
        .group_by(Comment.author_id)).all())
    total = sum(counts.values())
    staff = set(db.session.scalars(select(EstablishmentRole.user_id).where(
        EstablishmentRole.establishment_id == round_.establishment_id)))
    representatives = set(db.session.scalars(select(OrganizationMember.user_id).where(
        OrganizationMember.role == MemberRole.representative,
        OrganizationMember.user_id.in_(list(counts))))) if counts else set()
    speaker_people: Counter = Counter()
    speaker_comments: Counter = Counter()
    gender_people: Counter = Counter()
    gender_comments: Counter = Counter()
    age_people: Counter = Counter()
    age_comments: Counter = Counter()
    found = profiles([uid for uid in counts if uid not in staff])
    for uid, number in counts.items():
        kind = "staff" if uid in staff else "representative" if uid in representatives else "other"
        speaker_people[kind] += 1
        speaker_comments[kind] += number
        if kind == "staff":
            continue
        profile = found.get(uid)
        gender = profile.gender if profile is not None else None
        age = profile.age_band if profile is not None else None
        gender_people[gender] += 1
        gender_comments[gender] += number
        age_people[age] += 1
        age_comments[age] += number
    not_staff = sum(n for uid, n in counts.items() if uid not in staff)
    genders: list[str | None] = [*ParticipantProfile.GENDERS, None]
    ages: list[str | None] = [*ParticipantProfile.AGE_BANDS, None]
    return Speaking(
        total=total,
        by_speaker=_rows(speaker_people, speaker_comments, list(SPEAKER_LABELS), SPEAKER_LABELS, total),
        by_gender=_rows(gender_people, gender_comments, genders, ParticipantProfile.GENDERS, not_staff),
        by_age=_rows(age_people, age_comments, ages, ParticipantProfile.AGE_BANDS, not_staff))
