"""Who may write, read, co-sign, submit and withdraw a brief.

A draft is the organization's own working space: its representatives write it, its members read it,
and the organizations asked to co-sign read it to decide. Planners do not see drafts. Once submitted, a
brief is read by the establishment's planners and moderators, by the organization and its co-signers,
and by everyone else only after the round closes, and only if the organization chose "public". A
withdrawn brief is kept for audit and shown to the establishment's planners alone.
"""

from __future__ import annotations

from consult.core.db import db
from consult.core.permissions import rule
from consult.organizations.models import MemberRole, Organization, OrganizationMember
from consult.participation.models import Brief, BriefCosigner, BriefState, BriefVisibility
from consult.rounds.models import ConsultationRound


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _role_in(user, organization: Organization) -> MemberRole | None:
    if not _signed_in(user):
        return None
    for membership in organization.members:
        if membership.user_id == user.id:
            return membership.role
    return None


def represents(user, organization: Organization) -> bool:
    return _role_in(user, organization) is MemberRole.representative


def belongs_to(user, organization: Organization) -> bool:
    return _role_in(user, organization) is not None


def represents_any(user) -> bool:
    if not _signed_in(user):
        return False
    return db.session.query(OrganizationMember.id).filter_by(
        user_id=user.id, role=MemberRole.representative).first() is not None


def staff_of(user, round_: ConsultationRound, *roles: str) -> bool:
    """Planner (or moderator) of the establishment running the round."""
    return _signed_in(user) and round_.establishment_id in user.establishment_ids(*roles)


def is_planner(user, brief: Brief) -> bool:
    return staff_of(user, brief.round, "planner")


def is_staff(user, brief: Brief) -> bool:
    return staff_of(user, brief.round, "planner", "moderator")


def cosigner_rows_of(user, brief: Brief) -> list[BriefCosigner]:
    """The co-signature requests of this brief that `user` may answer (one per organization represented)."""
    if not _signed_in(user):
        return []
    return [c for c in brief.cosigners if represents(user, c.organization)]


def is_inside(user, brief: Brief) -> bool:
    """The organization's own people and those of the organizations asked to co-sign."""
    return belongs_to(user, brief.organization) or bool(cosigner_rows_of(user, brief))


@rule("brief.start")
def _start(user, round_: ConsultationRound) -> bool:
    return round_.welcomes_organizations() and round_.is_open() and represents_any(user)


@rule("brief.view")
def _view(user, brief: Brief) -> bool:
    """May open the brief's page (its content may still be hidden by moderation: see brief.read)."""
    if brief.state is BriefState.draft:
        return is_inside(user, brief)
    if brief.state is BriefState.withdrawn:
        return is_planner(user, brief)
    if is_staff(user, brief) or is_inside(user, brief):
        return True
    return brief.round.has_closed and brief.visibility is BriefVisibility.public


@rule("brief.read")
def _read(user, brief: Brief) -> bool:
    """May read the text and download the attachments: hidden content stays readable by the establishment
    and by the organization that wrote it, never by the public."""
    if not _view(user, brief):
        return False
    return not brief.is_hidden or is_staff(user, brief) or belongs_to(user, brief.organization)


@rule("brief.edit")
def _edit(user, brief: Brief) -> bool:
    return brief.state is BriefState.draft and represents(user, brief.organization)


@rule("brief.submit")
def _submit(user, brief: Brief) -> bool:
    # The state is checked by the service: a double-clicked "submit" lands on a clear message, not a 403.
    return brief.state is not BriefState.withdrawn and represents(user, brief.organization)


@rule("brief.withdraw")
def _withdraw(user, brief: Brief) -> bool:
    return brief.state is not BriefState.draft and represents(user, brief.organization)


@rule("brief.cosign")
def _cosign(user, cosigner: BriefCosigner) -> bool:
    return cosigner.brief.state is not BriefState.withdrawn and represents(user, cosigner.organization)


@rule("briefs.round")
def _round_briefs(user, round_: ConsultationRound) -> bool:
    """The list of a round's briefs: public once the round is announced (empty until it closes)."""
    return round_.is_public or staff_of(user, round_, "planner", "moderator")


@rule("briefs.all")
def _all_briefs(user, round_: ConsultationRound) -> bool:
    """Every submitted brief of the round, confidential ones included, before and after closing."""
    return staff_of(user, round_, "planner", "moderator")
