"""What participants give a round: briefs from organizations (with attachments, co-signers and positions
on items), comments and supports on published items, proposed needs, consented profiles, and the
establishment's answer (disposition) to each input.

Every input points to the exact frozen version it was written on: (version_id, item_uid). Nothing a
participant wrote is ever deleted by someone else: moderation hides with a public reason, withdrawal
hides and keeps for audit, and an edit keeps the earlier text.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import Timestamps, UTCDateTime, db, now_utc

if TYPE_CHECKING:
    from consult.accounts.models import User
    from consult.organizations.models import Organization
    from consult.projects.models import StepVersion
    from consult.rounds.models import ConsultationRound
    from consult.territories.models import TerritoryNode


def _enum(kind: type[enum.Enum], length: int = 30) -> Enum:
    return Enum(kind, native_enum=False, length=length)


class Moderated:
    """Columns of content a moderator may hide. Hidden content keeps its row and its place in a thread;
    readers see "hidden by moderation: <reason>" instead of the text."""

    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


# --------------------------------------------------------------------------------------------------
# Briefs


class BriefState(enum.Enum):
    draft = "draft"
    submitted = "submitted"
    withdrawn = "withdrawn"  # kept for audit, hidden from everyone but the establishment's planners


BRIEF_STATE_LABELS = {
    BriefState.draft: _l("Draft"),
    BriefState.submitted: _l("Submitted"),
    BriefState.withdrawn: _l("Withdrawn"),
}


class BriefVisibility(enum.Enum):
    public = "public"              # public once the round closes
    confidential = "confidential"  # read only by the establishment


BRIEF_VISIBILITY_LABELS = {
    BriefVisibility.public: _l("Public once the round closes"),
    BriefVisibility.confidential: _l("Confidential to the establishment"),
}


class Brief(Moderated, Timestamps, db.Model):
    __tablename__ = "briefs"
    __table_args__ = (Index("ix_briefs_round_state", "round_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="RESTRICT"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)  # Markdown, cleaned when shown
    visibility: Mapped[BriefVisibility] = mapped_column(_enum(BriefVisibility, 20),
                                                       default=BriefVisibility.public)
    state: Mapped[BriefState] = mapped_column(_enum(BriefState, 20), default=BriefState.draft)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who submitted and who withdrew (any representative may): the audit trail names a person.
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # SHA-256 of the submitted content (text fields, positions, attachment digests): the receipt quotes it.
    digest: Mapped[str | None] = mapped_column(String(64))
    # The one-time token of the form that created the draft: a double-clicked "create" makes one brief.
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    round: Mapped[ConsultationRound] = relationship()
    organization: Mapped[Organization] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    attachments: Mapped[list[BriefAttachment]] = relationship(back_populates="brief", cascade="all, delete-orphan",
                                                              order_by="BriefAttachment.position")
    cosigners: Mapped[list[BriefCosigner]] = relationship(back_populates="brief", cascade="all, delete-orphan",
                                                          order_by="BriefCosigner.id")
    positions: Mapped[list[BriefPosition]] = relationship(back_populates="brief", cascade="all, delete-orphan",
                                                          order_by="BriefPosition.id")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def state_label(self) -> str:
        return str(BRIEF_STATE_LABELS[self.state])

    @property
    def visibility_label(self) -> str:
        return str(BRIEF_VISIBILITY_LABELS[self.visibility])

    @property
    def is_draft(self) -> bool:
        return self.state is BriefState.draft

    @property
    def is_submitted(self) -> bool:
        return self.state is BriefState.submitted

    @property
    def is_withdrawn(self) -> bool:
        return self.state is BriefState.withdrawn

    @property
    def signatories(self) -> list[BriefCosigner]:
        """Only confirmed co-signers sign; a request waiting or declined signs nothing."""
        return [c for c in self.cosigners if c.state is CosignState.confirmed]


class BriefAttachment(db.Model):
    __tablename__ = "brief_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    storage_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of the bytes (consult.storage)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))  # from the bytes, never from the extension
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    brief: Mapped[Brief] = relationship(back_populates="attachments")


class CosignState(enum.Enum):
    requested = "requested"
    confirmed = "confirmed"
    declined = "declined"


COSIGN_STATE_LABELS = {
    CosignState.requested: _l("Waiting for confirmation"),
    CosignState.confirmed: _l("Confirmed"),
    CosignState.declined: _l("Declined"),
}


class BriefCosigner(Timestamps, db.Model):
    """Another organization (or a coalition) asked to sign a brief; it counts once its representative confirms."""

    __tablename__ = "brief_cosigners"
    __table_args__ = (UniqueConstraint("brief_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    state: Mapped[CosignState] = mapped_column(_enum(CosignState, 20), default=CosignState.requested)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    brief: Mapped[Brief] = relationship(back_populates="cosigners")
    organization: Mapped[Organization] = relationship()

    @property
    def state_label(self) -> str:
        return str(COSIGN_STATE_LABELS[self.state])


class Stance(enum.Enum):
    support = "support"
    oppose = "oppose"
    amend = "amend"


STANCE_LABELS = {
    Stance.support: _l("Support"),
    Stance.oppose: _l("Oppose"),
    Stance.amend: _l("Amend"),
}


class BriefPosition(db.Model):
    """A brief's position on one item in consultation (a need, gap, model or offer element)."""

    __tablename__ = "brief_positions"
    __table_args__ = (UniqueConstraint("brief_id", "version_id", "item_uid"),
                      Index("ix_brief_positions_item", "version_id", "item_uid"))

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("step_versions.id", ondelete="RESTRICT"))
    item_uid: Mapped[str] = mapped_column(String(36))
    item_kind: Mapped[str] = mapped_column(String(30))
    stance: Mapped[Stance] = mapped_column(_enum(Stance, 20))
    text: Mapped[str | None] = mapped_column(Text)  # required for "amend": the wording asked for

    brief: Mapped[Brief] = relationship(back_populates="positions")
    version: Mapped[StepVersion] = relationship()

    @property
    def stance_label(self) -> str:
        return str(STANCE_LABELS[self.stance])


# --------------------------------------------------------------------------------------------------
# Comments, supports, proposed needs


class Comment(Moderated, Timestamps, db.Model):
    """A comment on a published item, or a reply in its thread. `root_id` is the thread's first comment
    (itself for a first comment), so a thread loads in one query and replies load on demand."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_item", "version_id", "item_uid", "parent_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("step_versions.id", ondelete="RESTRICT"))
    item_uid: Mapped[str] = mapped_column(String(36))
    item_kind: Mapped[str] = mapped_column(String(30))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="RESTRICT"))
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)  # plain text: shown escaped, paragraphs kept
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply_count: Mapped[int] = mapped_column(Integer, default=0)  # kept by the service: threads list fast

    round: Mapped[ConsultationRound] = relationship()
    version: Mapped[StepVersion] = relationship()
    author: Mapped[User | None] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    revisions: Mapped[list[CommentRevision]] = relationship(back_populates="comment", cascade="all, delete-orphan",
                                                            order_by="CommentRevision.id")

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None


class CommentRevision(db.Model):
    """The text a comment had before an edit; the edit history is public."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when this earlier text was written

    comment: Mapped[Comment] = relationship(back_populates="revisions")


class Support(db.Model):
    """One person supports one item of one version, once; retracting deletes the row."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("version_id", "item_uid", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("step_versions.id", ondelete="RESTRICT"))
    item_uid: Mapped[str] = mapped_column(String(36))
    item_kind: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class ProposedNeedState(enum.Enum):
    proposed = "proposed"
    accepted = "accepted"  # copied into the working copy of the needs portrait; the link is kept
    declined = "declined"


PROPOSED_NEED_STATE_LABELS = {
    ProposedNeedState.proposed: _l("Proposed"),
    ProposedNeedState.accepted: _l("Accepted into the needs portrait"),
    ProposedNeedState.declined: _l("Not added"),
}


class ProposedNeed(Moderated, Timestamps, db.Model):
    """A need a participant finds missing from the portrait in consultation."""

    __tablename__ = "proposed_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("step_versions.id", ondelete="RESTRICT"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("territory_nodes.id", ondelete="SET NULL"))
    state: Mapped[ProposedNeedState] = mapped_column(_enum(ProposedNeedState, 20),
                                                     default=ProposedNeedState.proposed)
    # The working-copy need it became (projects.Need.uid): its next published version carries the same uid.
    accepted_need_uid: Mapped[str | None] = mapped_column(String(36), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round: Mapped[ConsultationRound] = relationship()
    version: Mapped[StepVersion] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    area: Mapped[TerritoryNode | None] = relationship()

    @property
    def state_label(self) -> str:
        return str(PROPOSED_NEED_STATE_LABELS[self.state])


class ParticipantProfile(Timestamps, db.Model):
    """Optional, consented, and used only in aggregate (cells under 5 are never shown). Withdrawing consent
    deletes the row."""

    __tablename__ = "participant_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    age_band: Mapped[str | None] = mapped_column(String(20))
    gender: Mapped[str | None] = mapped_column(String(30))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("territory_nodes.id", ondelete="SET NULL"))
    population_group: Mapped[str | None] = mapped_column(String(60))

    area: Mapped[TerritoryNode | None] = relationship()

    # The answers a person may give (stored value → label); short lists so that groups stay large enough
    # to be reported without identifying anyone.
    AGE_BANDS = {
        "under_18": _l("Under 18"), "18_34": _l("18 to 34"), "35_49": _l("35 to 49"),
        "50_64": _l("50 to 64"), "65_74": _l("65 to 74"), "75_plus": _l("75 and over"),
    }
    GENDERS = {
        "woman": _l("Woman"), "man": _l("Man"), "another": _l("Another gender identity"),
        "undisclosed": _l("Prefer not to say"),
    }
    POPULATION_GROUPS = {
        "seniors": _l("Seniors"), "caregivers": _l("Caregivers"), "disability": _l("People with a disability"),
        "newcomers": _l("Newcomers"), "indigenous": _l("Indigenous peoples"), "lgbtq": _l("LGBTQ+ people"),
        "low_income": _l("People living on low income"), "other": _l("Other"),
    }
    # Groups smaller than this are never shown in an aggregate.
    MIN_GROUP = 5

    @property
    def age_band_label(self) -> str:
        return str(self.AGE_BANDS.get(self.age_band or "", ""))

    @property
    def gender_label(self) -> str:
        return str(self.GENDERS.get(self.gender or "", ""))

    @property
    def population_group_label(self) -> str:
        return str(self.POPULATION_GROUPS.get(self.population_group or "", ""))


# --------------------------------------------------------------------------------------------------
# Answers


class Outcome(enum.Enum):
    retained = "retained"
    partly_retained = "partly_retained"
    not_retained = "not_retained"
    out_of_scope = "out_of_scope"


OUTCOME_LABELS = {
    Outcome.retained: _l("Retained"),
    Outcome.partly_retained: _l("Partly retained"),
    Outcome.not_retained: _l("Not retained"),
    Outcome.out_of_scope: _l("Out of scope"),
}


class InputKind(enum.Enum):
    brief = "brief"
    comment = "comment"  # a thread: answered on its first comment
    proposed_need = "proposed_need"


class Disposition(Timestamps, db.Model):
    """The establishment's answer to one input, with its reason. One per input; a change keeps the row
    and notifies the author again."""

    __tablename__ = "dispositions"
    __table_args__ = (UniqueConstraint("input_kind", "input_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="RESTRICT"), index=True)
    input_kind: Mapped[InputKind] = mapped_column(_enum(InputKind, 20))
    input_id: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome, 20))
    reason: Mapped[str] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    answered_by: Mapped[User | None] = relationship()

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])
