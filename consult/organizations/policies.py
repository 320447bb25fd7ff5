"""Who may act for an organization, and for each side of a relationship.

An organization's representatives speak for it; members take part and see its private pages. The
establishment's side of a relationship is held by its planners. A platform administrator sees
everything but is neither side: it never writes a stance, a judgement or a relationship's description.
"""

from __future__ import annotations

from consult.core.permissions import rule
from consult.organizations.models import (
    AccountabilityItem,
    CoalitionMembership,
    MemberRole,
    Organization,
    Relationship,
)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _admin(user) -> bool:
    return _signed_in(user) and bool(user.is_admin)


def role_in(user, organization: Organization) -> MemberRole | None:
    if not _signed_in(user):
        return None
    for membership in organization.members:
        if membership.user_id == user.id:
            return membership.role
    return None


def represents(user, organization: Organization) -> bool:
    return role_in(user, organization) is MemberRole.representative


def plans_for(user, establishment_id: int) -> bool:
    return _signed_in(user) and establishment_id in user.establishment_ids("planner")


@rule("organization.represent")
def _represent(user, organization: Organization) -> bool:
    return represents(user, organization)


@rule("organization.member")
def _member(user, organization: Organization) -> bool:
    return role_in(user, organization) is not None


# Profiles ------------------------------------------------------------------------------------------


@rule("organizations.create")
def _create(user, _obj) -> bool:
    # Anyone with a confirmed address: the establishment does not choose who takes part.
    return _signed_in(user) and user.is_verified


@rule("organization.edit")
def _edit(user, organization: Organization) -> bool:
    return represents(user, organization)


@rule("organization.verify")
def _verify(user, _organization) -> bool:
    return _admin(user)


# Members ---------------------------------------------------------------------------------------------


@rule("organization.members.view")
def _members_view(user, organization: Organization) -> bool:
    return role_in(user, organization) is not None or _admin(user)


@rule("organization.members.manage")
def _members_manage(user, organization: Organization) -> bool:
    # An administrator steps in only for an organization left without a representative (say, after the
    # last one deleted their account), to approve a request or name one of its members.
    if represents(user, organization):
        return True
    return _admin(user) and not organization.representatives()


@rule("organization.leave")
def _leave(user, organization: Organization) -> bool:
    return role_in(user, organization) is not None


@rule("organization.join")
def _join(user, organization: Organization) -> bool:
    return _signed_in(user) and user.is_verified and role_in(user, organization) is None


# Coalitions ----------------------------------------------------------------------------------------


@rule("coalition.manage")
def _coalition_manage(user, coalition: Organization) -> bool:
    return coalition.is_grouping and represents(user, coalition)


@rule("coalition.answer")
def _coalition_answer(user, link: CoalitionMembership) -> bool:
    return represents(user, link.member)


@rule("coalition.withdraw")
def _coalition_withdraw(user, link: CoalitionMembership) -> bool:
    return represents(user, link.member) or represents(user, link.coalition)


# Relationships ---------------------------------------------------------------------------------------


@rule("organization.relationships.view")
def _org_relationships(user, organization: Organization) -> bool:
    return role_in(user, organization) is not None or _admin(user)


@rule("organization.relationships.manage")
def _org_relationships_manage(user, organization: Organization) -> bool:
    return represents(user, organization)


@rule("establishment.relationships")
def _establishment_relationships(user, establishment) -> bool:
    return plans_for(user, establishment.id) or _admin(user)


@rule("establishment.open_relationship")
def _establishment_open(user, establishment) -> bool:
    return plans_for(user, establishment.id)


@rule("establishment.handover")
def _handover(user, establishment) -> bool:
    return plans_for(user, establishment.id) or _admin(user)


@rule("relationship.view")
def _relationship_view(user, relationship: Relationship) -> bool:
    return (role_in(user, relationship.organization) is not None
            or plans_for(user, relationship.establishment_id) or _admin(user))


@rule("relationship.describe")
def _relationship_describe(user, relationship: Relationship) -> bool:
    return represents(user, relationship.organization) or plans_for(user, relationship.establishment_id)


@rule("relationship.stance")
def _stance(user, relationship: Relationship) -> bool:
    return represents(user, relationship.organization)


@rule("relationship.judge.establishment")
def _judge_establishment(user, relationship: Relationship) -> bool:
    return plans_for(user, relationship.establishment_id)


@rule("relationship.judge.organization")
def _judge_organization(user, relationship: Relationship) -> bool:
    return represents(user, relationship.organization)


# Funding registers ------------------------------------------------------------------------------------


@rule("funding.view")
def _funding_view(user, relationship: Relationship) -> bool:
    # Amounts: the organization's members, the establishment's planners, administrators; never public.
    return (role_in(user, relationship.organization) is not None
            or plans_for(user, relationship.establishment_id) or _admin(user))


@rule("funding.manage")
def _funding_manage(user, relationship: Relationship) -> bool:
    return plans_for(user, relationship.establishment_id)


@rule("accountability.report")
def _report(user, item: AccountabilityItem) -> bool:
    return represents(user, item.agreement.relationship.organization)
