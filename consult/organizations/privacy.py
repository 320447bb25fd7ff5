"""What the organizations module holds about a person, for "download my data" and "delete my account".

Memberships, invitations received or sent, requests to join, and what the person wrote in the
partnership registry (stances, judgements, history entries, handovers naming them). On deletion the
memberships, the invitations addressed to them and their requests go; what they did for an
organization or an establishment stays with it, shown as done by a former participant.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select

from consult.accounts.models import User
from consult.accounts.privacy import eraser, exporter
from consult.core.db import db
from consult.organizations.models import (
    Handover,
    JoinRequest,
    OrganizationInvitation,
    RelationshipChange,
    RelationshipJudgement,
)
from consult.organizations.queries import memberships_of


@exporter("organization_memberships")
def _memberships(user: User) -> list[dict]:
    return [{"organization": m.organization.name, "role": m.role.value, "since": m.created_at}
            for m in memberships_of(user)]


@exporter("organization_invitations")
def _invitations(user: User) -> dict[str, list[dict]]:
    received = db.session.scalars(select(OrganizationInvitation).where(
        OrganizationInvitation.email == user.email.lower()).order_by(OrganizationInvitation.id))
    sent = db.session.scalars(select(OrganizationInvitation).where(
        OrganizationInvitation.invited_by_id == user.id).order_by(OrganizationInvitation.id))
    return {
        "received": [{"organization": i.organization.name, "role": i.role.value, "status": i.status.value,
                      "sent_at": i.sent_at, "answered_at": i.answered_at} for i in received],
        "sent": [{"organization": i.organization.name, "to": i.email, "role": i.role.value,
                  "status": i.status.value, "sent_at": i.sent_at} for i in sent],
    }


@exporter("organization_join_requests")
def _requests(user: User) -> list[dict]:
    rows = db.session.scalars(select(JoinRequest).where(JoinRequest.user_id == user.id).order_by(JoinRequest.id))
    return [{"organization": r.organization.name, "message": r.message, "status": r.status.value,
             "asked_at": r.created_at, "decided_at": r.decided_at} for r in rows]


@exporter("partnership_registry")
def _registry(user: User) -> dict[str, list[dict]]:
    changes = db.session.scalars(select(RelationshipChange).where(RelationshipChange.user_id == user.id)
                                 .order_by(RelationshipChange.id))
    judgements = db.session.scalars(select(RelationshipJudgement).where(RelationshipJudgement.set_by_id == user.id)
                                    .order_by(RelationshipJudgement.id))
    handovers = db.session.scalars(select(Handover).where(or_(
        Handover.from_user_id == user.id, Handover.to_user_id == user.id, Handover.recorded_by_id == user.id))
        .order_by(Handover.id))
    return {
        "changes_made": [{"relationship": c.relationship_id, "field": c.field, "old": c.old_value,
                          "new": c.new_value, "side": c.side.value, "at": c.created_at} for c in changes],
        "judgements_recorded": [{"relationship": j.relationship_id, "side": j.side.value,
                                 "quality": j.quality.value, "note": j.note} for j in judgements],
        "handovers": [{"establishment": h.establishment.name, "date": h.handed_over_on,
                       "leaving": h.from_user_id == user.id, "taking_over": h.to_user_id == user.id,
                       "recorded_by_you": h.recorded_by_id == user.id, "note": h.note} for h in handovers],
    }


@eraser
def _leave_organizations(user: User) -> None:
    for membership in memberships_of(user):
        db.session.delete(membership)
    db.session.execute(delete(OrganizationInvitation).where(OrganizationInvitation.email == user.email.lower()))
    db.session.execute(delete(JoinRequest).where(JoinRequest.user_id == user.id))
