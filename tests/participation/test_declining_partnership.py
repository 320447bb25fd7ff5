"""An organization that declines partnership with the establishment (stance "neither") takes part in
its consultations exactly like a partner or an organization with no relationship at all: invited,
answering its invitation, submitting a co-signed brief with a receipt, commenting through its members,
answered, and shown on "What we heard, what we did"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.mail.models import Email
from consult.organizations.models import Relationship, Stance
from consult.participation.models import Brief, BriefState, Comment, Disposition
from consult.rounds import services as rounds
from consult.rounds.models import InvitationState, RoundInvitation, RoundState
from tests.participation.test_briefs_helpers import sign_in, start_draft, write


def _journey(client, c) -> dict:
    """Everything the organization can do in a round, through the pages; returns what a reader would notice."""
    rounds.invite_organizations(c.round, c.planner, [c.organization])
    db.session.commit()
    line = db.session.scalar(select(RoundInvitation).filter_by(round_id=c.round.id, organization_id=c.organization.id))
    sign_in(client, c.representative)
    took_part = client.post(f"/rounds/{c.round.id}/invitations/{line.id}/answer", data={"answer": "take_part"})
    brief = start_draft(client, c, title="Mémoire sur les aînés isolés")
    write(client, brief, body="Nous demandons des visites le soir.")
    client.post(f"/briefs/{brief.id}/cosigners", data={"organization_id": c.other_organization.id})
    submitted = client.post(f"/briefs/{brief.id}/submit")
    sign_in(client, c.member)
    commented = client.post(f"/rounds/{c.round.id}/items/{c.needs_version.id}/{c.need_uid}/comments",
                            data={"body": "Notre organisme voit des aînés isolés chaque semaine."})
    comment = db.session.scalar(select(Comment).where(Comment.author_id == c.member.id))
    sign_in(client, c.planner)
    answered = client.post(f"/rounds/{c.round.id}/answers/brief/{brief.id}",
                           data={"outcome": "retained", "reason": "Ajouté au portrait."})
    c.round.state, c.round.closes_at = RoundState.closed, now_utc()
    db.session.commit()
    sign_in(client, None)
    heard = client.get(f"/rounds/{c.round.id}/heard")
    db.session.expire_all()
    brief = db.session.get(Brief, brief.id)
    return {
        "answer to the invitation": took_part.status_code,
        "invitation": db.session.get(RoundInvitation, line.id).state,
        "brief": (submitted.status_code, brief.state),
        "receipt": db.session.scalar(select(Email).where(Email.to_addr == c.representative.email,
                                                         Email.body_text.contains(brief.digest))) is not None,
        "co-signature asked": [s.organization_id for s in brief.cosigners],
        "comment": (commented.status_code, comment is not None),
        "answered": (answered.status_code, db.session.scalar(select(Disposition.outcome)) is not None),
        "on the results page": (heard.status_code, brief.title in heard.text and "Ajouté au portrait." in heard.text),
    }


def _relationship(c, stance: Stance | None) -> None:
    if stance is not None:
        db.session.add(Relationship(establishment_id=c.establishment.id, organization_id=c.organization.id,
                                    stance=stance, stance_set_at=now_utc()))
        db.session.commit()


@pytest.mark.parametrize("stance", [Stance.neither, Stance.partner])
def test_declining_partnership_changes_nothing_in_consultations(client, make_consultation, stance):
    c = make_consultation()
    _relationship(c, stance)
    seen = _journey(client, c)
    assert seen == {
        "answer to the invitation": 302,
        "invitation": InvitationState.took_part,
        "brief": (302, BriefState.submitted),
        "receipt": True,
        "co-signature asked": [c.other_organization.id],
        "comment": (302, True),
        "answered": (302, True),
        "on the results page": (200, True),
    }


def test_an_organization_with_no_relationship_gets_the_same(client, make_consultation):
    c = make_consultation()
    seen = _journey(client, c)
    assert seen["brief"] == (302, BriefState.submitted) and seen["on the results page"] == (200, True)
    assert seen["invitation"] is InvitationState.took_part and seen["receipt"]
