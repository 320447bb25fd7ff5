"""Rows the route × role test needs for the consultation pages: an open round on the published needs
portrait of the world's project, a draft brief of its organization (with an attachment and a position),
a comment and a proposed need by the citizen."""

from __future__ import annotations

from datetime import timedelta

from consult.core.db import db, now_utc
from consult.participation.models import Brief, BriefAttachment, BriefPosition, Comment, ProposedNeed, Stance
from consult.projects.models import StepVersion
from consult.rounds.models import Audience, ConsultationRound, ParticipationLevel, RoundState
from consult.sampledata.pdf import make_pdf
from consult.storage import get_storage


def participation_route_values(organization, users: dict, values: dict) -> dict:
    """`values` holds the project's sample values (project_id, version_id, uid); returns round_id, brief_id,
    attachment_id, position_id, cosigner_id, comment_id, proposed_need_id, target_id, input_id."""
    version = db.session.get(StepVersion, values["version_id"])
    now = now_utc()
    round_ = ConsultationRound(project_id=values["project_id"], title="Consultation", mandate="Mandat.",
                               participation_level=ParticipationLevel.consultation, audience=Audience.both,
                               opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=30),
                               state=RoundState.open, versions=[version])
    db.session.add(round_)
    db.session.flush()
    brief = Brief(round_id=round_.id, organization_id=organization.id, author_id=users["representative"].id,
                  title="Mémoire", summary="Résumé", body="Texte")
    db.session.add(brief)
    db.session.flush()
    data = make_pdf(["Mémoire"])
    attachment = BriefAttachment(brief_id=brief.id, storage_key=get_storage().put_bytes(data),
                                 filename="memoire.pdf", media_type="application/pdf", size=len(data))
    position = BriefPosition(brief_id=brief.id, version_id=version.id, item_uid=values["uid"], item_kind="need",
                             stance=Stance.support)
    comment = Comment(round_id=round_.id, version_id=version.id, item_uid=values["uid"], item_kind="need",
                      author_id=users["citizen"].id, body="Un commentaire.")
    proposed = ProposedNeed(round_id=round_.id, version_id=version.id, author_id=users["citizen"].id,
                            title="Besoin manquant", description="Description.")
    db.session.add_all([attachment, position, comment, proposed])
    db.session.flush()
    comment.root_id = comment.id
    db.session.commit()
    return {"round_id": round_.id, "brief_id": brief.id, "attachment_id": attachment.id,
            "position_id": position.id, "cosigner_id": 999999, "comment_id": comment.id,
            "proposed_need_id": proposed.id, "target_id": 999999, "input_id": 999999}
