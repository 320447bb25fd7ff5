"""Rules of organizations: self-registration, profiles, members and representatives, invitations,
requests to join, coalitions. Services flush and raise OrganizationError with the field to blame;
the view shows the message and commits.

The rule that matters most here: an organization never ends up without a representative through
these services. Role changes take a row lock on the organization (PostgreSQL; SQLite serialises
writers anyway) and count representatives in the database, so two representatives stepping down at
the same moment cannot both succeed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.accounts.services import find_by_email, normalize_email
from consult.core.db import db, now_utc
from consult.mail import services as mail
from consult.organizations.models import (
    MEMBER_ROLE_LABELS,
    CoalitionMembership,
    CoalitionStatus,
    InvitationStatus,
    JoinRequest,
    MemberRole,
    Organization,
    OrganizationInvitation,
    OrganizationKind,
    OrganizationMember,
    OrganizationProgramme,
    RequestStatus,
    fold,
)
from consult.organizations.programmes import programme_choices
from consult.territories.models import TerritoryNode

# How long an invitation link stays valid, unless CONSULT_INVITATION_DAYS says otherwise.
INVITATION_DAYS = 14


class OrganizationError(Exception):
    """A rule was broken. `field` names the form field to show the message next to (None: the page)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# Names and numbers -------------------------------------------------------------------------------------


def normalize_neq(raw: str | None) -> str | None:
    """The enterprise number without its spaces; None when left empty."""
    if raw is None:
        return None
    digits = "".join(raw.split())
    return digits or None


def neq_problem(raw: str | None) -> str | None:
    neq = normalize_neq(raw)
    if neq is None:
        return None
    if len(neq) != 10 or not neq.isascii() or not neq.isdigit():
        return _("A Québec enterprise number (NEQ) has exactly 10 digits, for example 1145678901 "
                 "(spaces are allowed). Leave it empty if the organization has none.")
    return None


def similar_organizations(name: str, neq: str | None = None, except_id: int | None = None,
                          limit: int = 5) -> list[Organization]:
    """Organizations that may be the same one: the same name ignoring case, accents and punctuation,
    or the same enterprise number."""
    key = fold(name)
    conditions = []
    if key:
        conditions.append(Organization.name_key == key)
    neq = normalize_neq(neq)
    if neq:
        conditions.append(Organization.neq == neq)
    if not conditions:
        return []
    stmt = select(Organization).where(db.or_(*conditions)).order_by(Organization.name).limit(limit)
    if except_id is not None:
        stmt = stmt.where(Organization.id != except_id)
    return list(db.session.scalars(stmt))


# Profiles -------------------------------------------------------------------------------------------


@dataclass
class Profile:
    name: str
    kind: OrganizationKind
    legal_name: str | None = None
    neq: str | None = None
    mission: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    website: str | None = None
    address: str | None = None
    territories: tuple[TerritoryNode, ...] = ()
    programme_codes: tuple[str, ...] = ()


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _apply(organization: Organization, profile: Profile) -> None:
    problem = neq_problem(profile.neq)
    if problem:
        raise OrganizationError(problem, "neq")
    name = (profile.name or "").strip()
    if not name:
        raise OrganizationError(_("Enter the name of the organization."), "name")
    offered = {code for code, _name in programme_choices()}
    unknown = [code for code in profile.programme_codes if code not in offered]
    if unknown:
        raise OrganizationError(_("Choose programmes from the list."), "programme_codes")
    organization.name = name
    organization.name_key = fold(name)
    organization.kind = profile.kind
    organization.legal_name = _blank_to_none(profile.legal_name)
    organization.neq = normalize_neq(profile.neq)
    organization.mission = _blank_to_none(profile.mission)
    organization.contact_email = _blank_to_none(profile.contact_email)
    if organization.contact_email:
        organization.contact_email = normalize_email(organization.contact_email)
    organization.contact_phone = _blank_to_none(profile.contact_phone)
    organization.website = _blank_to_none(profile.website)
    organization.address = _blank_to_none(profile.address)
    organization.territories = sorted(set(profile.territories), key=lambda t: t.code)
    wanted = list(dict.fromkeys(profile.programme_codes))
    kept = [p for p in organization.programmes if p.programme_code in wanted]
    have = {p.programme_code for p in kept}
    organization.programmes = kept + [OrganizationProgramme(programme_code=code) for code in wanted
                                      if code not in have]


def create_organization(founder: User, profile: Profile) -> Organization:
    """Self-registration: whoever creates the organization becomes its first representative."""
    if not founder.is_verified:
        raise OrganizationError(_("Confirm your e-mail address before registering an organization."))
    organization = Organization(created_by_id=founder.id)
    _apply(organization, profile)
    organization.members.append(OrganizationMember(user=founder, role=MemberRole.representative))
    db.session.add(organization)
    db.session.flush()
    return organization


def update_profile(organization: Organization, profile: Profile) -> Organization:
    _apply(organization, profile)
    db.session.flush()
    return organization


def set_verified(organization: Organization, admin: User, verified: bool) -> None:
    if verified and organization.verified_at is None:
        organization.verified_at = now_utc()
        organization.verified_by_id = admin.id
    elif not verified:
        organization.verified_at = None
        organization.verified_by_id = None
    db.session.flush()


def find_territories(ids: Iterable[int]) -> list[TerritoryNode]:
    ids = list(ids)
    if not ids:
        return []
    return list(db.session.scalars(select(TerritoryNode).where(TerritoryNode.id.in_(ids))))


# Members and representatives ------------------------------------------------------------------------


def _lock(organization: Organization) -> None:
    """Serialise role changes of one organization (a no-op on SQLite, which has one writer)."""
    db.session.execute(select(Organization.id).where(Organization.id == organization.id).with_for_update())


def _representative_count(organization: Organization) -> int:
    return db.session.scalar(select(func.count(OrganizationMember.id)).where(
        OrganizationMember.organization_id == organization.id,
        OrganizationMember.role == MemberRole.representative)) or 0


def _last_representative_message() -> str:
    return _("An organization always keeps at least one representative. Name another representative "
             "first, then try again.")


def _refuse_if_last_representative(membership: OrganizationMember) -> None:
    if membership.role is MemberRole.representative and _representative_count(membership.organization) <= 1:
        raise OrganizationError(_last_representative_message())


def membership_of(organization: Organization, user: User) -> OrganizationMember | None:
    return db.session.scalar(select(OrganizationMember).filter_by(organization_id=organization.id,
                                                                 user_id=user.id))


def change_role(membership: OrganizationMember, role: MemberRole) -> None:
    _lock(membership.organization)
    if membership.role is role:
        return
    if role is MemberRole.member:
        _refuse_if_last_representative(membership)
    membership.role = role
    db.session.flush()


def transfer_representative(organization: Organization, giver: User, target: OrganizationMember) -> None:
    """The representative role goes to `target`; `giver` stays a member."""
    _lock(organization)
    mine = membership_of(organization, giver)
    if mine is None or mine.role is not MemberRole.representative:
        raise OrganizationError(_("Only a representative can hand over the representative role."))
    if target.organization_id != organization.id or target.id == mine.id:
        raise OrganizationError(_("Choose another member of the organization."))
    target.role = MemberRole.representative
    db.session.flush()
    mine.role = MemberRole.member
    db.session.flush()


def remove_member(membership: OrganizationMember) -> None:
    _lock(membership.organization)
    _refuse_if_last_representative(membership)
    db.session.delete(membership)
    db.session.flush()


def leave(organization: Organization, user: User) -> None:
    _lock(organization)
    membership = membership_of(organization, user)
    if membership is None:
        raise OrganizationError(_("You are not a member of this organization."))
    if membership.role is MemberRole.representative and _representative_count(organization) <= 1:
        raise OrganizationError(_("You are the only representative of %(name)s, so you cannot leave it "
                                  "yet. Name another representative first on the members page.",
                                  name=organization.name))
    db.session.delete(membership)
    db.session.flush()


def _add_member(organization: Organization, user: User, role: MemberRole) -> OrganizationMember:
    membership = membership_of(organization, user)
    if membership is None:
        membership = OrganizationMember(organization=organization, user=user, role=role)
        db.session.add(membership)
    elif role is MemberRole.representative:
        membership.role = role  # an invitation as representative raises an existing member
    db.session.flush()
    return membership


# Invitations ----------------------------------------------------------------------------------------


class InvitationInvalid(Exception):
    pass


class InvitationExpired(Exception):
    pass


class InvitationClosed(Exception):
    """Already accepted, declined or withdrawn."""

    def __init__(self, invitation: OrganizationInvitation) -> None:
        super().__init__(invitation.status.value)
        self.invitation = invitation


def invitation_days() -> int:
    return int(current_app.config.get("CONSULT_INVITATION_DAYS", INVITATION_DAYS))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="consult.organization-invitation")


def invitation_token(invitation: OrganizationInvitation) -> str:
    return _serializer().dumps({"i": invitation.id, "n": invitation.nonce})


def read_invitation(token: str) -> OrganizationInvitation:
    try:
        data = _serializer().loads(token, max_age=invitation_days() * 86400)
    except SignatureExpired:
        raise InvitationExpired from None
    except BadSignature:
        raise InvitationInvalid from None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        raise InvitationInvalid
    invitation = db.session.get(OrganizationInvitation, data["i"])
    if invitation is None or invitation.nonce != data.get("n"):
        raise InvitationInvalid  # withdrawn and deleted, or replaced by a newer link
    if invitation.status is not InvitationStatus.pending:
        raise InvitationClosed(invitation)
    return invitation


def invite(organization: Organization, email: str, role: MemberRole, inviter: User,
           lang: str) -> OrganizationInvitation:
    """E-mail an invitation; inviting the same address again sends a new link that replaces the old."""
    email = normalize_email(email)
    existing_user = find_by_email(email)
    if existing_user is not None and membership_of(organization, existing_user) is not None:
        raise OrganizationError(_("%(email)s is already a member of the organization.", email=email), "email")
    invitation = db.session.scalar(select(OrganizationInvitation).filter_by(
        organization_id=organization.id, email=email, status=InvitationStatus.pending))
    if invitation is None:
        invitation = OrganizationInvitation(organization=organization, email=email)
        db.session.add(invitation)
    invitation.role = role
    invitation.nonce = secrets.token_hex(16)
    invitation.invited_by_id = inviter.id
    invitation.sent_at = now_utc()
    db.session.flush()
    recipient_lang = existing_user.locale if existing_user is not None else lang
    mail.send(email, "organizations/invitation", lang=recipient_lang,
              user_id=existing_user.id if existing_user else None,
              organization=organization.name, inviter=inviter.public_name,
              role=str(MEMBER_ROLE_LABELS[role]).lower(), days=invitation_days(),
              url=url_for("organizations.invitation", token=invitation_token(invitation), _external=True))
    return invitation


def accept_invitation(invitation: OrganizationInvitation, user: User) -> OrganizationMember:
    if invitation.status is not InvitationStatus.pending:
        raise OrganizationError(_("This invitation was already answered or withdrawn."))
    if normalize_email(user.email) == invitation.email:
        if not user.is_verified:
            user.email_verified_at = now_utc()  # following a link sent to the address proves it
    elif not user.is_verified:
        raise OrganizationError(_("Confirm your e-mail address first: we sent you a link when you created "
                                  "your account. Then follow the invitation link again."))
    membership = _add_member(invitation.organization, user, invitation.role)
    invitation.status = InvitationStatus.accepted
    invitation.answered_at = now_utc()
    invitation.answered_by_id = user.id
    db.session.flush()
    return membership


def decline_invitation(invitation: OrganizationInvitation, user: User) -> None:
    invitation.status = InvitationStatus.declined
    invitation.answered_at = now_utc()
    invitation.answered_by_id = user.id
    db.session.flush()


def revoke_invitation(invitation: OrganizationInvitation) -> None:
    if invitation.status is not InvitationStatus.pending:
        raise OrganizationError(_("This invitation was already answered or withdrawn."))
    invitation.status = InvitationStatus.revoked
    db.session.flush()


# Requests to join ---------------------------------------------------------------------------------------


def request_to_join(organization: Organization, user: User, message: str | None) -> JoinRequest:
    if membership_of(organization, user) is not None:
        raise OrganizationError(_("You are already a member of this organization."))
    pending = db.session.scalar(select(JoinRequest).filter_by(
        organization_id=organization.id, user_id=user.id, status=RequestStatus.pending))
    if pending is not None:
        raise OrganizationError(_("You already asked to join this organization. A representative will "
                                  "answer your request."))
    request = JoinRequest(organization=organization, user=user, message=_blank_to_none(message))
    db.session.add(request)
    db.session.flush()
    link = url_for("organizations.members", organization_id=organization.id, _external=True)
    for representative in organization.representatives():
        mail.send(representative.user.email, "organizations/join_request", lang=representative.user.locale,
                  user_id=representative.user_id, organization=organization.name, person=user.public_name,
                  message=request.message or "", url=link)
    return request


def decide_request(request: JoinRequest, decider: User, approve: bool) -> None:
    if request.status is not RequestStatus.pending:
        raise OrganizationError(_("This request was already answered."))
    request.status = RequestStatus.approved if approve else RequestStatus.refused
    request.decided_by_id = decider.id
    request.decided_at = now_utc()
    if approve:
        _add_member(request.organization, request.user, MemberRole.member)
    db.session.flush()
    mail.send(request.user.email, "organizations/join_decided", lang=request.user.locale,
              user_id=request.user_id, organization=request.organization.name, approved=approve,
              url=url_for("organizations.show", organization_id=request.organization_id, _external=True))


# Coalitions -----------------------------------------------------------------------------------------


def list_in_coalition(coalition: Organization, member: Organization, actor: User) -> CoalitionMembership:
    """The coalition lists an organization as its member; it counts once that organization confirms."""
    if not coalition.is_grouping:
        raise OrganizationError(_("Only a coalition or a round table can list member organizations."))
    if member.id == coalition.id:
        raise OrganizationError(_("An organization cannot be a member of itself."))
    link = db.session.scalar(select(CoalitionMembership).filter_by(coalition_id=coalition.id,
                                                                   member_id=member.id))
    if link is not None and link.status in (CoalitionStatus.pending, CoalitionStatus.confirmed):
        raise OrganizationError(_("%(member)s is already listed as a member of %(coalition)s.",
                                  member=member.name, coalition=coalition.name))
    if link is None:
        link = CoalitionMembership(coalition=coalition, member=member)
        db.session.add(link)
    link.status = CoalitionStatus.pending
    link.listed_by_id = actor.id
    link.answered_by_id = None
    link.answered_at = None
    db.session.flush()
    url = url_for("organizations.coalitions", organization_id=member.id, _external=True)
    for representative in member.representatives():
        mail.send(representative.user.email, "organizations/coalition_request", lang=representative.user.locale,
                  user_id=representative.user_id, coalition=coalition.name, member=member.name, url=url)
    return link


def answer_coalition(link: CoalitionMembership, actor: User, confirm: bool) -> None:
    if link.status is not CoalitionStatus.pending:
        raise OrganizationError(_("This membership is not waiting for an answer."))
    link.status = CoalitionStatus.confirmed if confirm else CoalitionStatus.declined
    link.answered_by_id = actor.id
    link.answered_at = now_utc()
    db.session.flush()


def withdraw_coalition(link: CoalitionMembership, actor: User) -> None:
    if link.status not in (CoalitionStatus.pending, CoalitionStatus.confirmed):
        raise OrganizationError(_("This membership has already ended."))
    link.status = CoalitionStatus.withdrawn
    link.answered_by_id = actor.id
    link.answered_at = now_utc()
    db.session.flush()
