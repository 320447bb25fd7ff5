"""Read helpers for organizations and the partnership registry: paginated, with what pages show loaded
up front. Also what other modules ask of an organization: its members, its coalitions and whether an
offer element falls within the mission, programmes and territories it declared."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import User
from consult.core.db import db
from consult.core.pagination import paginate
from consult.organizations.models import (
    CoalitionMembership,
    CoalitionStatus,
    Handover,
    InvitationStatus,
    JoinRequest,
    MemberRole,
    MissionFunding,
    Organization,
    OrganizationInvitation,
    OrganizationKind,
    OrganizationMember,
    OrganizationProgramme,
    Relationship,
    RelationshipChange,
    RequestStatus,
    ServiceAgreement,
    fold,
    organization_territories,
)
from consult.territories.models import Establishment, TerritoryNode


def memberships_of(user: User) -> list[OrganizationMember]:
    stmt = (select(OrganizationMember).where(OrganizationMember.user_id == user.id)
            .options(joinedload(OrganizationMember.organization)).order_by(OrganizationMember.id))
    return list(db.session.scalars(stmt))


def paginate_as(stmt: Select, arg: str) -> Pagination:
    """Like core's paginate() but reading ?<arg>=N, for pages holding two paginated lists. A number
    past the end shows the last page instead of a 404: the other list on the page still matters."""
    per_page = current_app.config["CONSULT_PAGE_SIZE"]
    page = max(request.args.get(arg, 1, type=int) or 1, 1)
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    if not result.items and result.pages and page > result.pages:
        result = db.paginate(stmt, page=result.pages, per_page=per_page, error_out=False)
    return result


# The public directory ---------------------------------------------------------------------------------


def territory_scope(node: TerritoryNode) -> list[int]:
    """A territory, the territories inside it and those containing it: an organization serving the
    whole region serves each of its neighbourhoods, and one serving a neighbourhood is in the region."""
    from consult.territories.queries import descendants

    return [node.id, *(n.id for n in descendants(node)), *(n.id for n in node.ancestors())]


def directory(*, text: str | None = None, kind: OrganizationKind | None = None,
              territory: TerritoryNode | None = None, programme: str | None = None,
              coalition: Organization | None = None) -> Pagination:
    stmt = select(Organization)
    raw = (text or "").strip().lower()
    if raw:
        needle = fold(raw)
        # The folded name finds "aînés" from "AINES"; the raw text covers a search of only punctuation.
        by_name = Organization.name_key.contains(needle, autoescape=True) if needle else \
            func.lower(Organization.name).contains(raw, autoescape=True)
        stmt = stmt.where(or_(by_name, func.lower(Organization.legal_name).contains(raw, autoescape=True)))
    if kind is not None:
        stmt = stmt.where(Organization.kind == kind)
    if territory is not None:
        serving = select(organization_territories.c.organization_id).where(
            organization_territories.c.territory_id.in_(territory_scope(territory)))
        stmt = stmt.where(Organization.id.in_(serving))
    if programme:
        concerned = select(OrganizationProgramme.organization_id).where(
            OrganizationProgramme.programme_code == programme)
        stmt = stmt.where(Organization.id.in_(concerned))
    if coalition is not None:
        members = select(CoalitionMembership.member_id).where(
            CoalitionMembership.coalition_id == coalition.id,
            CoalitionMembership.status == CoalitionStatus.confirmed)
        stmt = stmt.where(Organization.id.in_(members))
    stmt = stmt.options(selectinload(Organization.territories), selectinload(Organization.programmes))
    return paginate(stmt.order_by(Organization.name_key, Organization.id))


def directory_territories() -> list[TerritoryNode]:
    """Territories some organization declares, and their ancestors, for the directory's filter."""
    used = set(db.session.scalars(select(organization_territories.c.territory_id).distinct()))
    nodes = list(db.session.scalars(select(TerritoryNode).where(TerritoryNode.id.in_(used)))) if used else []
    wanted = {n.id: n for n in nodes}
    for node in nodes:
        for up in node.ancestors():
            wanted.setdefault(up.id, up)
    return sorted(wanted.values(), key=lambda n: n.code)


# Members -------------------------------------------------------------------------------------------


def members_page(organization: Organization) -> Pagination:
    stmt = (select(OrganizationMember).join(OrganizationMember.user)
            .where(OrganizationMember.organization_id == organization.id)
            .options(joinedload(OrganizationMember.user))
            # Representatives first, then by name.
            .order_by(OrganizationMember.role != MemberRole.representative, User.display_name, User.email))
    return paginate(stmt)


def pending_requests(organization: Organization) -> list[JoinRequest]:
    stmt = (select(JoinRequest).where(JoinRequest.organization_id == organization.id,
                                      JoinRequest.status == RequestStatus.pending)
            .options(joinedload(JoinRequest.user)).order_by(JoinRequest.created_at))
    return list(db.session.scalars(stmt))


def pending_invitations(organization: Organization) -> list[OrganizationInvitation]:
    stmt = (select(OrganizationInvitation)
            .where(OrganizationInvitation.organization_id == organization.id,
                   OrganizationInvitation.status == InvitationStatus.pending)
            .options(joinedload(OrganizationInvitation.invited_by)).order_by(OrganizationInvitation.sent_at))
    return list(db.session.scalars(stmt))


def pending_request_of(organization: Organization, user: User) -> JoinRequest | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(JoinRequest).filter_by(organization_id=organization.id, user_id=user.id,
                                                           status=RequestStatus.pending))


def represented_by(user: User) -> list[Organization]:
    """The organizations `user` is a representative of."""
    if not getattr(user, "is_authenticated", False):
        return []
    stmt = (select(Organization).join(OrganizationMember)
            .where(OrganizationMember.user_id == user.id, OrganizationMember.role == MemberRole.representative)
            .order_by(Organization.name))
    return list(db.session.scalars(stmt))


# Coalitions -----------------------------------------------------------------------------------------


def coalition_members_page(coalition: Organization) -> Pagination:
    """Every organization the coalition listed, whatever the answer, for the coalition's own page."""
    stmt = (select(CoalitionMembership).join(CoalitionMembership.member)
            .where(CoalitionMembership.coalition_id == coalition.id)
            .options(joinedload(CoalitionMembership.member))
            .order_by(CoalitionMembership.status != CoalitionStatus.confirmed, Organization.name_key))
    return paginate_as(stmt, "members_page")


def confirmed_members(coalition: Organization, limit: int | None = None) -> list[Organization]:
    """The organizations that confirmed their membership: those a coalition's brief may name as
    co-signers (participation module)."""
    stmt = (select(Organization).join(CoalitionMembership, CoalitionMembership.member_id == Organization.id)
            .where(CoalitionMembership.coalition_id == coalition.id,
                   CoalitionMembership.status == CoalitionStatus.confirmed)
            .order_by(Organization.name_key))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def count_confirmed_members(coalition: Organization) -> int:
    return db.session.scalar(select(func.count(CoalitionMembership.id)).where(
        CoalitionMembership.coalition_id == coalition.id,
        CoalitionMembership.status == CoalitionStatus.confirmed)) or 0


def is_confirmed_member(coalition: Organization, organization: Organization) -> bool:
    return db.session.scalar(select(func.count(CoalitionMembership.id)).where(
        CoalitionMembership.coalition_id == coalition.id, CoalitionMembership.member_id == organization.id,
        CoalitionMembership.status == CoalitionStatus.confirmed)) == 1


def coalitions_of(organization: Organization, statuses: tuple[CoalitionStatus, ...] = (
        CoalitionStatus.confirmed,)) -> list[CoalitionMembership]:
    stmt = (select(CoalitionMembership).join(CoalitionMembership.coalition)
            .where(CoalitionMembership.member_id == organization.id, CoalitionMembership.status.in_(statuses))
            .options(joinedload(CoalitionMembership.coalition))
            .order_by(CoalitionMembership.status != CoalitionStatus.pending, Organization.name_key))
    return list(db.session.scalars(stmt))


def coalition_link(coalition: Organization, member: Organization) -> CoalitionMembership | None:
    return db.session.scalar(select(CoalitionMembership).filter_by(coalition_id=coalition.id,
                                                                   member_id=member.id))


# The partnership registry ------------------------------------------------------------------------------


def _relationship_options():
    return (joinedload(Relationship.establishment), joinedload(Relationship.organization),
            selectinload(Relationship.judgements), selectinload(Relationship.instruments))


def relationships_of_organization(organization: Organization) -> Pagination:
    stmt = (select(Relationship).join(Relationship.establishment)
            .where(Relationship.organization_id == organization.id)
            .options(*_relationship_options()).order_by(Establishment.name))
    return paginate(stmt)


def public_relationships(organization: Organization) -> list[Relationship]:
    """Shown on the public page only when the organization chose so; never with amounts."""
    if not organization.relationships_public:
        return []
    stmt = (select(Relationship).join(Relationship.establishment)
            .where(Relationship.organization_id == organization.id)
            .options(joinedload(Relationship.establishment)).order_by(Establishment.name))
    return list(db.session.scalars(stmt))


def relationships_of_establishment(establishment: Establishment) -> Pagination:
    stmt = (select(Relationship).join(Relationship.organization)
            .where(Relationship.establishment_id == establishment.id)
            .options(*_relationship_options()).order_by(Organization.name_key))
    return paginate(stmt)


def relationships_with(organization: Organization, establishment_ids: set[int]) -> dict[int, Relationship]:
    """The organization's records with these establishments, by establishment id."""
    if not establishment_ids:
        return {}
    stmt = select(Relationship).where(Relationship.organization_id == organization.id,
                                      Relationship.establishment_id.in_(establishment_ids))
    return {r.establishment_id: r for r in db.session.scalars(stmt)}


def history_page(relationship: Relationship) -> Pagination:
    stmt = (select(RelationshipChange).where(RelationshipChange.relationship_id == relationship.id)
            .options(joinedload(RelationshipChange.user))
            .order_by(RelationshipChange.created_at.desc(), RelationshipChange.id.desc()))
    return paginate(stmt)


def mission_funding_of(organization: Organization) -> Pagination:
    stmt = (select(MissionFunding).join(MissionFunding.relationship)
            .where(Relationship.organization_id == organization.id)
            .options(joinedload(MissionFunding.relationship).joinedload(Relationship.establishment))
            .order_by(MissionFunding.starts_on.desc(), MissionFunding.id.desc()))
    return paginate_as(stmt, "funding_page")


def service_agreements_of(organization: Organization) -> Pagination:
    stmt = (select(ServiceAgreement).join(ServiceAgreement.relationship)
            .where(Relationship.organization_id == organization.id)
            .options(joinedload(ServiceAgreement.relationship).joinedload(Relationship.establishment),
                     selectinload(ServiceAgreement.items))
            .order_by(ServiceAgreement.starts_on.desc(), ServiceAgreement.id.desc()))
    return paginate_as(stmt, "agreements_page")


def recent_handovers(establishment: Establishment, limit: int = 5) -> list[Handover]:
    stmt = (select(Handover).where(Handover.establishment_id == establishment.id)
            .options(joinedload(Handover.from_user), joinedload(Handover.to_user),
                     joinedload(Handover.recorded_by))
            .order_by(Handover.handed_over_on.desc(), Handover.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def handovers_page(establishment: Establishment) -> Pagination:
    stmt = (select(Handover).where(Handover.establishment_id == establishment.id)
            .options(joinedload(Handover.from_user), joinedload(Handover.to_user),
                     joinedload(Handover.recorded_by))
            .order_by(Handover.handed_over_on.desc(), Handover.id.desc()))
    return paginate(stmt)


def count_handovers(establishment: Establishment) -> int:
    return db.session.scalar(select(func.count(Handover.id)).where(
        Handover.establishment_id == establishment.id)) or 0


def establishments_planned_by(user: User) -> list[Establishment]:
    if not getattr(user, "is_authenticated", False):
        return []
    ids = user.establishment_ids("planner")
    if not ids:
        return []
    return list(db.session.scalars(select(Establishment).where(Establishment.id.in_(ids))
                                   .order_by(Establishment.name)))


# What step 6 (service offer and roles) will ask ------------------------------------------------------


@dataclass(frozen=True)
class ScopeCheck:
    """Whether an offer element attributed to an organization falls within what it declared. A notice,
    never a block: the organization may be right to stretch its mission."""

    outside_programme: bool
    outside_territory: bool

    @property
    def outside(self) -> bool:
        return self.outside_programme or self.outside_territory


def declared_scope_check(organization: Organization, *, programme_code: str | None = None,
                         territory: TerritoryNode | None = None) -> ScopeCheck:
    """An organization that declared no programme (or no territory) is never said to be outside it."""
    codes = set(organization.programme_codes)
    outside_programme = bool(programme_code and codes and programme_code not in codes)
    outside_territory = False
    if territory is not None and organization.territories:
        declared = {t.id for t in organization.territories}
        # Inside when the territory is one the organization declared or lies within one of them.
        outside_territory = not ({territory.id} | {n.id for n in territory.ancestors()}) & declared
    return ScopeCheck(outside_programme, outside_territory)
