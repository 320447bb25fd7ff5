"""Who may act for an organization: its representatives speak for it; members take part."""

from consult.core.permissions import rule
from consult.organizations.models import MemberRole, Organization


def role_in(user, organization: Organization) -> MemberRole | None:
    if not getattr(user, "is_authenticated", False):
        return None
    for membership in organization.members:
        if membership.user_id == user.id:
            return membership.role
    return None


@rule("organization.represent")
def _represent(user, organization: Organization) -> bool:
    return role_in(user, organization) is MemberRole.representative


@rule("organization.member")
def _member(user, organization: Organization) -> bool:
    return role_in(user, organization) is not None
