"""Consultation rounds: which published versions are in consultation, under what mandate and participation
level, for whom, between which dates, with which guiding questions, and who was invited and took part.

A round points to frozen step versions, never to a working copy: what people read and answer is fixed.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column, Enum, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import Timestamps, UTCDateTime, db, now_utc

if TYPE_CHECKING:
    from consult.accounts.models import User
    from consult.organizations.models import Organization
    from consult.projects.models import ClinicalProject, StepVersion
    from consult.territories.models import Establishment


def _enum(kind: type[enum.Enum], length: int = 30) -> Enum:
    return Enum(kind, native_enum=False, length=length)


class ParticipationLevel(enum.Enum):
    """How much say participants have, told at the top of every round page so nobody is misled."""

    information = "information"
    consultation = "consultation"
    concertation = "concertation"
    decision = "decision"


PARTICIPATION_LEVEL_LABELS = {
    ParticipationLevel.information: _l("Information"),
    ParticipationLevel.consultation: _l("Consultation"),
    ParticipationLevel.concertation: _l("Concertation"),
    ParticipationLevel.decision: _l("Shared decision"),
}

PARTICIPATION_LEVEL_MEANINGS = {
    ParticipationLevel.information: _l("The establishment informs you of its plans; your comments are read but "
                                       "the content is not open to change."),
    ParticipationLevel.consultation: _l("The establishment asks for your views before deciding; it decides, "
                                        "and answers every input with what it did and why."),
    ParticipationLevel.concertation: _l("The establishment and the participants work out the content together; "
                                        "agreements and lasting disagreements are recorded."),
    ParticipationLevel.decision: _l("Participants decide with the establishment; the decision is shared."),
}


class Audience(enum.Enum):
    organizations = "organizations"
    citizens = "citizens"
    both = "both"


AUDIENCE_LABELS = {
    Audience.organizations: _l("Organizations"),
    Audience.citizens: _l("Citizens"),
    Audience.both: _l("Organizations and citizens"),
}


class RoundState(enum.Enum):
    draft = "draft"            # being prepared by planners, not public
    scheduled = "scheduled"    # announced; opens by itself at opens_at
    open = "open"              # taking briefs, comments, supports and proposed needs
    closed = "closed"          # no more input; briefs become public (as their authors chose)
    summarized = "summarized"  # a summary has been compiled and is being answered
    published = "published"    # "What we heard, what we did" is final


ROUND_STATE_LABELS = {
    RoundState.draft: _l("Draft"),
    RoundState.scheduled: _l("Scheduled"),
    RoundState.open: _l("Open"),
    RoundState.closed: _l("Closed"),
    RoundState.summarized: _l("Summarized"),
    RoundState.published: _l("Results published"),
}


round_versions = Table(
    "round_versions",
    db.metadata,
    Column("round_id", ForeignKey("consultation_rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("version_id", ForeignKey("step_versions.id", ondelete="RESTRICT"), primary_key=True),
)


class ConsultationRound(Timestamps, db.Model):
    __tablename__ = "consultation_rounds"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opening"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("clinical_projects.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # What is being asked, what is decided elsewhere, and what the establishment commits to do with inputs
    # (Markdown, cleaned when shown).
    mandate: Mapped[str] = mapped_column(Text)
    participation_level: Mapped[ParticipationLevel] = mapped_column(_enum(ParticipationLevel))
    budgets_in_scope: Mapped[bool] = mapped_column(default=False)
    audience: Mapped[Audience] = mapped_column(_enum(Audience), default=Audience.both)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    state: Mapped[RoundState] = mapped_column(_enum(RoundState), default=RoundState.draft, index=True)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[ClinicalProject] = relationship()
    versions: Mapped[list[StepVersion]] = relationship(secondary=round_versions, order_by="StepVersion.step_id")
    questions: Mapped[list[GuidingQuestion]] = relationship(
        back_populates="round", cascade="all, delete-orphan",
        order_by="(GuidingQuestion.step_number, GuidingQuestion.position)")
    invitations: Mapped[list[RoundInvitation]] = relationship(back_populates="round", cascade="all, delete-orphan",
                                                              order_by="RoundInvitation.id")
    events: Mapped[list[RoundEvent]] = relationship(back_populates="round", cascade="all, delete-orphan",
                                                    order_by="RoundEvent.id")
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def establishment_id(self) -> int:
        return self.project.establishment_id

    @property
    def state_label(self) -> str:
        return str(ROUND_STATE_LABELS[self.state])

    @property
    def level_label(self) -> str:
        return str(PARTICIPATION_LEVEL_LABELS[self.participation_level])

    @property
    def level_meaning(self) -> str:
        return str(PARTICIPATION_LEVEL_MEANINGS[self.participation_level])

    @property
    def audience_label(self) -> str:
        return str(AUDIENCE_LABELS[self.audience])

    @property
    def is_public(self) -> bool:
        return self.state is not RoundState.draft

    def is_open(self, at: datetime | None = None) -> bool:
        """Taking input right now: open by state *and* by the clock (the beat tick may be a minute late)."""
        at = at or now_utc()
        return self.state is RoundState.open and self.opens_at <= at < self.closes_at

    @property
    def has_closed(self) -> bool:
        return self.state in (RoundState.closed, RoundState.summarized, RoundState.published)

    @property
    def is_editable(self) -> bool:
        """Title, mandate, dates, versions and questions change only before the round opens."""
        return self.state in (RoundState.draft, RoundState.scheduled)

    def days_left(self, at: datetime | None = None) -> int:
        """Whole days until closing, counting a started day (0 once closed)."""
        seconds = (self.closes_at - (at or now_utc())).total_seconds()
        return max(0, -int(-seconds // 86400))

    def welcomes_organizations(self) -> bool:
        return self.audience in (Audience.organizations, Audience.both)

    def welcomes_citizens(self) -> bool:
        return self.audience in (Audience.citizens, Audience.both)

    def covers(self, version_id: int) -> bool:
        return any(version.id == version_id for version in self.versions)

    def __repr__(self) -> str:
        return f"<ConsultationRound {self.id} {self.state.value}>"


class GuidingQuestion(db.Model):
    """A question the establishment asks about one step in consultation."""

    __tablename__ = "round_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="CASCADE"), index=True)
    step_number: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)

    round: Mapped[ConsultationRound] = relationship(back_populates="questions")


class InvitationState(enum.Enum):
    invited = "invited"
    took_part = "took_part"
    declined = "declined"
    withdrew = "withdrew"


INVITATION_STATE_LABELS = {
    InvitationState.invited: _l("Invited"),
    InvitationState.took_part: _l("Took part"),
    InvitationState.declined: _l("Declined"),
    InvitationState.withdrew: _l("Withdrew"),
}


class RoundInvitation(Timestamps, db.Model):
    """One party invited to a round: an organization, or the establishment itself (its own teams take part
    too, and the list says so). Declining is recorded and has no other consequence."""

    __tablename__ = "round_invitations"
    __table_args__ = (
        CheckConstraint("(organization_id IS NULL) <> (establishment_id IS NULL)", name="one_party"),
        # Named by hand: the naming convention only uses the first column, which both share.
        db.UniqueConstraint("round_id", "organization_id", name="uq_round_invitations_organization"),
        db.UniqueConstraint("round_id", "establishment_id", name="uq_round_invitations_establishment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                        index=True)
    establishment_id: Mapped[int | None] = mapped_column(ForeignKey("establishments.id", ondelete="CASCADE"))
    state: Mapped[InvitationState] = mapped_column(_enum(InvitationState, 20), default=InvitationState.invited)
    # In the party's own words, when it declines or withdraws (optional; shown with the list).
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When the organization's representatives were told of the invitation (never while the round is a draft).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[ConsultationRound] = relationship(back_populates="invitations")
    organization: Mapped[Organization | None] = relationship()
    establishment: Mapped[Establishment | None] = relationship()

    @property
    def party_name(self) -> str:
        return self.organization.name if self.organization else self.establishment.name  # type: ignore[union-attr]

    @property
    def state_label(self) -> str:
        return str(INVITATION_STATE_LABELS[self.state])


class RoundEvent(db.Model):
    """What happened to a round and who did it: scheduled, opened, closed, extended (old and new closing
    time), … Append-only; shown on the round's history page."""

    __tablename__ = "round_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    kind: Mapped[str] = mapped_column(String(30))
    # None when the beat scheduler did it.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    round: Mapped[ConsultationRound] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
