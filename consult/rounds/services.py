"""Consultation rounds: preparing, scheduling, opening and closing on time, extending, invitations."""

from __future__ import annotations

from consult.core.db import db, now_utc
from consult.organizations.models import Organization
from consult.rounds.models import ConsultationRound, InvitationState, RoundInvitation


def record_participation(round_: ConsultationRound, organization: Organization) -> RoundInvitation:
    """An organization took part (it submitted a brief): its line in the invitation list says so, and an
    organization that was not invited gets a line too, so the list shows everyone who took part."""
    invitation = db.session.query(RoundInvitation).filter_by(round_id=round_.id,
                                                             organization_id=organization.id).one_or_none()
    if invitation is None:
        invitation = RoundInvitation(round=round_, organization=organization)
        db.session.add(invitation)
    invitation.state = InvitationState.took_part
    invitation.answered_at = now_utc()
    db.session.flush()
    return invitation
