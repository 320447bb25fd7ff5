"""Rows the API tests read or must not read: comments, proposed needs and briefs in any state, and the headers
of a token."""

from __future__ import annotations

from datetime import timedelta

from consult.core.db import db, now_utc
from consult.participation.models import (
    Brief,
    BriefAttachment,
    BriefPosition,
    BriefState,
    BriefVisibility,
    Comment,
    ProposedNeed,
    Stance,
)
from consult.sampledata.pdf import make_pdf
from consult.storage import get_storage

API = "/api/v1"


def bearer(secret: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}


def comment(c, author, body: str, *, parent: Comment | None = None, uid: str | None = None,
            hidden: str | None = None) -> Comment:
    """A comment row on the need (or `uid`) of the consultation's needs version."""
    made = Comment(round_id=c.round.id, version_id=c.needs_version.id, item_uid=uid or c.need_uid, item_kind="need",
                   author_id=author.id if author else None, body=body, reply_count=0,
                   parent_id=parent.id if parent else None)
    if hidden:
        made.hidden_at, made.hidden_reason = now_utc(), hidden
    db.session.add(made)
    db.session.flush()
    made.root_id = parent.root_id if parent else made.id
    if parent is not None:
        db.session.get(Comment, made.root_id).reply_count += 1
    db.session.commit()
    return made


def proposed(c, author, title: str, *, hidden: str | None = None) -> ProposedNeed:
    made = ProposedNeed(round_id=c.round.id, version_id=c.needs_version.id, author_id=author.id, title=title,
                        description=f"Description de {title}", area=c.area)
    if hidden:
        made.hidden_at, made.hidden_reason = now_utc(), hidden
    db.session.add(made)
    db.session.commit()
    return made


def brief(c, title: str, *, organization=None, state: BriefState = BriefState.submitted,
          visibility: BriefVisibility = BriefVisibility.public, hidden: str | None = None,
          attachment: bool = False) -> Brief:
    made = Brief(round_id=c.round.id, organization_id=(organization or c.organization).id,
                 author_id=c.representative.id, title=title, summary=f"Résumé de {title}", body=f"Texte de {title}",
                 visibility=visibility, state=state,
                 submitted_at=now_utc() - timedelta(days=2) if state is not BriefState.draft else None,
                 submitted_by_id=c.representative.id, digest="a" * 64)
    if hidden:
        made.hidden_at, made.hidden_reason = now_utc(), hidden
    db.session.add(made)
    db.session.flush()
    db.session.add(BriefPosition(brief_id=made.id, version_id=c.needs_version.id, item_uid=c.need_uid,
                                 item_kind="need", stance=Stance.amend, text=f"Libellé de {title}"))
    if attachment:
        data = make_pdf([title])
        db.session.add(BriefAttachment(brief_id=made.id, storage_key=get_storage().put_bytes(data),
                                       filename=f"{title}.pdf", media_type="application/pdf", size=len(data)))
    db.session.commit()
    return made
