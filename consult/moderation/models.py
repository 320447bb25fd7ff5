"""Flags raised by readers and the moderation log. Content is never deleted: a moderator hides it with a
public reason (participation.models.Moderated) and may restore it; every decision is logged."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import UTCDateTime, db, now_utc

if TYPE_CHECKING:
    from consult.accounts.models import User


def _enum(kind: type[enum.Enum], length: int = 30) -> Enum:
    return Enum(kind, native_enum=False, length=length)


class TargetKind(enum.Enum):
    """What can be flagged and hidden: every kind of participant content shown to the public."""

    comment = "comment"
    proposed_need = "proposed_need"
    brief = "brief"


class FlagReason(enum.Enum):
    abuse = "abuse"                  # insults, harassment, hate
    personal_information = "personal_information"
    spam = "spam"
    off_topic = "off_topic"
    other = "other"


FLAG_REASON_LABELS = {
    FlagReason.abuse: _l("Insults, harassment or hate"),
    FlagReason.personal_information: _l("Reveals someone's personal information"),
    FlagReason.spam: _l("Advertising or spam"),
    FlagReason.off_topic: _l("Unrelated to the consultation"),
    FlagReason.other: _l("Other reason"),
}


class Flag(db.Model):
    __tablename__ = "moderation_flags"
    __table_args__ = (Index("ix_moderation_flags_queue", "establishment_id", "resolved_at"),
                      Index("ix_moderation_flags_target", "target_kind", "target_id"),
                      db.UniqueConstraint("target_kind", "target_id", "reporter_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[TargetKind] = mapped_column(_enum(TargetKind, 20))
    target_id: Mapped[int] = mapped_column(Integer)
    # The establishment whose moderators see it in their queue (the round's project's establishment).
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[FlagReason] = mapped_column(_enum(FlagReason, 30))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])

    @property
    def reason_label(self) -> str:
        return str(FLAG_REASON_LABELS[self.reason])


class Decision(enum.Enum):
    hide = "hide"
    restore = "restore"
    dismiss = "dismiss"  # flags looked at; the content stays as it is


DECISION_LABELS = {
    Decision.hide: _l("Hidden"),
    Decision.restore: _l("Restored"),
    Decision.dismiss: _l("Flags dismissed"),
}


class ModerationAction(db.Model):
    """The moderation log: append-only, one row per decision."""

    __tablename__ = "moderation_actions"
    __table_args__ = (Index("ix_moderation_actions_target", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[TargetKind] = mapped_column(_enum(TargetKind, 20))
    target_id: Mapped[int] = mapped_column(Integer)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[Decision] = mapped_column(_enum(Decision, 20))
    public_reason: Mapped[str | None] = mapped_column(Text)  # shown in place of hidden content
    note: Mapped[str | None] = mapped_column(String(1000))   # for other moderators only
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    moderator: Mapped[User | None] = relationship()

    @property
    def decision_label(self) -> str:
        return str(DECISION_LABELS[self.decision])
