"""What comments, supports, proposed needs and the participant profile hold about a person (Law 25).

Export: every comment with its earlier texts, supports, proposed needs and the consented profile.
Erase: the profile and the supports go (they are about the person); comments and proposed needs stay
where they were written, shown as written by a former participant.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from consult.accounts.models import User
from consult.accounts.privacy import eraser, exporter
from consult.core.db import db
from consult.participation.models import Comment, ParticipantProfile, ProposedNeed, Support


@exporter("comments")
def _comments(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(select(Comment).where(Comment.author_id == user.id)
                              .options(selectinload(Comment.revisions)).order_by(Comment.id))
    return [{"id": c.id, "round": c.round_id, "version": c.version_id, "item": c.item_uid, "item_kind": c.item_kind,
             "in_reply_to": c.parent_id, "text": c.body, "written_at": c.created_at, "edited_at": c.edited_at,
             "hidden_by_moderation": c.hidden_reason if c.is_hidden else None,
             "earlier_texts": [{"text": r.body, "written_at": r.written_at} for r in c.revisions]}
            for c in rows]


@exporter("supports")
def _supports(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(select(Support).where(Support.user_id == user.id).order_by(Support.id))
    return [{"round": s.round_id, "version": s.version_id, "item": s.item_uid, "item_kind": s.item_kind,
             "given_at": s.created_at} for s in rows]


@exporter("proposed_needs")
def _proposed_needs(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(select(ProposedNeed).where(ProposedNeed.author_id == user.id)
                              .order_by(ProposedNeed.id))
    return [{"id": p.id, "round": p.round_id, "title": p.title, "description": p.description,
             "local_area": p.area.name if p.area else None, "state": p.state.value, "proposed_at": p.created_at,
             "hidden_by_moderation": p.hidden_reason if p.is_hidden else None} for p in rows]


@exporter("participant_profile")
def _profile(user: User) -> dict[str, Any] | None:
    profile = db.session.get(ParticipantProfile, user.id)
    if profile is None:
        return None
    return {"consented_at": profile.consented_at, "age_band": profile.age_band, "gender": profile.gender,
            "local_area": profile.area.name if profile.area else None,
            "population_group": profile.population_group}


@eraser
def _erase(user: User) -> None:
    db.session.execute(delete(ParticipantProfile).where(ParticipantProfile.user_id == user.id))
    db.session.execute(delete(Support).where(Support.user_id == user.id))
