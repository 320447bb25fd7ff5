"""Read helpers for briefs: the items a brief may take a position on, the lists of a round's briefs and of
one person's briefs (paginated, eager-loaded), and co-signer suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, false, func, select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import User
from consult.core.db import db
from consult.core.pagination import paginate
from consult.organizations.models import (
    CoalitionMembership,
    CoalitionStatus,
    MemberRole,
    Organization,
    OrganizationMember,
    fold,
)
from consult.participation.models import (
    Brief,
    BriefCosigner,
    BriefState,
    BriefVisibility,
    CosignState,
)
from consult.projects.models import StepVersion, VersionItem
from consult.rounds.models import ConsultationRound

# The kinds of item a brief may take a position on.
POSITION_KINDS = ("need", "gap", "model", "offer")
SUGGESTIONS = 10


def items_in_consultation(round_: ConsultationRound) -> list[VersionItem]:
    """Needs, gaps, models and offer elements of the round's versions, in the versions' order."""
    version_ids = [v.id for v in round_.versions]
    if not version_ids:
        return []
    order = {vid: n for n, vid in enumerate(version_ids)}
    kinds = {kind: n for n, kind in enumerate(POSITION_KINDS)}
    found = list(db.session.scalars(select(VersionItem).where(
        VersionItem.version_id.in_(version_ids), VersionItem.kind.in_(POSITION_KINDS))))
    return sorted(found, key=lambda i: (order[i.version_id], kinds[i.kind], i.position))


def item_in_consultation(round_: ConsultationRound, version_id: int, uid: str) -> VersionItem | None:
    if not round_.covers(version_id):
        return None
    return db.session.scalar(select(VersionItem).where(
        VersionItem.version_id == version_id, VersionItem.uid == uid, VersionItem.kind.in_(POSITION_KINDS)))


def items_of(brief: Brief) -> dict[tuple[int, str], VersionItem]:
    """The items the brief's positions point to, in one query."""
    keys = [(p.version_id, p.item_uid) for p in brief.positions]
    if not keys:
        return {}
    rows = db.session.scalars(select(VersionItem).where(
        tuple_(VersionItem.version_id, VersionItem.uid).in_(keys)))
    return {(i.version_id, i.uid): i for i in rows}


def versions_of(round_: ConsultationRound) -> dict[int, StepVersion]:
    return {v.id: v for v in round_.versions}


def brief_by_token(token: str) -> Brief | None:
    return db.session.scalar(select(Brief).where(Brief.form_token == token))


def represented_by(user: User) -> list[Organization]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(
        select(Organization).join(OrganizationMember)
        .where(OrganizationMember.user_id == user.id, OrganizationMember.role == MemberRole.representative)
        .order_by(Organization.name_key, Organization.id)))


def _asked(brief: Brief) -> set[int]:
    return {brief.organization_id, *(c.organization_id for c in brief.cosigners)}


def cosigner_suggestions(brief: Brief) -> list[Organization]:
    """The coalitions and round tables the organization is a confirmed member of, not asked yet: the
    co-signers a brief most often has."""
    stmt = (select(Organization).join(CoalitionMembership, CoalitionMembership.coalition_id == Organization.id)
            .where(CoalitionMembership.member_id == brief.organization_id,
                   CoalitionMembership.status == CoalitionStatus.confirmed)
            .order_by(Organization.name_key))
    asked = _asked(brief)
    return [o for o in db.session.scalars(stmt) if o.id not in asked]


def search_organizations(brief: Brief, text: str | None) -> list[Organization]:
    """Organizations of the registry whose name matches, not asked yet (a few; refine to find others)."""
    needle = fold(text)
    if not needle:
        return []
    stmt = (select(Organization).where(Organization.name_key.contains(needle, autoescape=True),
                                       Organization.id.not_in(_asked(brief)))
            .order_by(Organization.name_key, Organization.id).limit(SUGGESTIONS))
    return list(db.session.scalars(stmt))


def _with_children(stmt: Select) -> Select:
    return stmt.options(joinedload(Brief.organization), selectinload(Brief.positions),
                        selectinload(Brief.attachments),
                        selectinload(Brief.cosigners).joinedload(BriefCosigner.organization))


def round_briefs(round_: ConsultationRound, *, everything: bool, planner: bool) -> Pagination:
    """Submitted briefs of a round. The establishment (`everything`) sees confidential ones at any time,
    and planners also see the withdrawn ones; the public sees public briefs once the round has closed."""
    stmt = select(Brief).where(Brief.round_id == round_.id)
    if everything:
        states = [BriefState.submitted, BriefState.withdrawn] if planner else [BriefState.submitted]
        stmt = stmt.where(Brief.state.in_(states))
    elif round_.has_closed:
        stmt = stmt.where(Brief.state == BriefState.submitted, Brief.visibility == BriefVisibility.public)
    else:
        stmt = stmt.where(false())  # nothing before closing: briefs stay with the establishment
    stmt = _with_children(stmt).order_by(Brief.submitted_at, Brief.id)
    return paginate(stmt)


@dataclass
class RoundCounts:
    submitted: int = 0
    withdrawn: int = 0
    confidential: int = 0


def round_counts(round_: ConsultationRound) -> RoundCounts:
    """For the establishment's view of the list; the public sees the list itself."""
    rows = db.session.execute(
        select(Brief.state, Brief.visibility, func.count(Brief.id)).where(Brief.round_id == round_.id)
        .group_by(Brief.state, Brief.visibility)).all()
    counts = RoundCounts()
    for state, visibility, number in rows:
        if state is BriefState.submitted:
            counts.submitted += number
            if visibility is BriefVisibility.confidential:
                counts.confidential += number
        elif state is BriefState.withdrawn:
            counts.withdrawn += number
    return counts


def my_briefs(user: User) -> Pagination:
    """The briefs of every organization `user` belongs to, across rounds, newest first."""
    mine = select(OrganizationMember.organization_id).where(OrganizationMember.user_id == user.id)
    stmt = (select(Brief).where(Brief.organization_id.in_(mine))
            .options(joinedload(Brief.round), joinedload(Brief.organization), selectinload(Brief.cosigners))
            .order_by(Brief.created_at.desc(), Brief.id.desc()))
    return paginate(stmt)


def waiting_cosign_requests(user: User, limit: int = 20) -> tuple[list[BriefCosigner], int]:
    """Co-signature requests addressed to organizations `user` represents and not answered yet: the
    first few, and how many there are."""
    represented = select(OrganizationMember.organization_id).where(
        OrganizationMember.user_id == user.id, OrganizationMember.role == MemberRole.representative)
    where = (BriefCosigner.organization_id.in_(represented), BriefCosigner.state == CosignState.requested,
             Brief.state != BriefState.withdrawn)
    total = db.session.scalar(select(func.count(BriefCosigner.id)).join(BriefCosigner.brief).where(*where)) or 0
    rows = list(db.session.scalars(
        select(BriefCosigner).join(BriefCosigner.brief).where(*where)
        .options(joinedload(BriefCosigner.organization),
                 joinedload(BriefCosigner.brief).joinedload(Brief.organization),
                 joinedload(BriefCosigner.brief).joinedload(Brief.round))
        .order_by(BriefCosigner.created_at.desc(), BriefCosigner.id.desc()).limit(limit)))
    return rows, total
