"""Who follows which project, how each person wants to hear from the platform (at once, a daily digest,
or not at all), and the notices waiting for the next digest."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.db import UTCDateTime, db, now_utc


class Delivery(enum.Enum):
    immediate = "immediate"
    daily = "daily"  # one e-mail a day gathering every notice
    none = "none"    # unsubscribed: only mail a person asked for (receipts, account mail) still goes out


class NotificationSetting(db.Model):
    """A person's choice; no row means immediate delivery."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(Enum(Delivery, native_enum=False, length=20),
                                               default=Delivery.immediate)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, onupdate=now_utc)


class Follow(db.Model):
    """A person follows a clinical project: told when a round opens on it."""

    __tablename__ = "project_follows"
    __table_args__ = (UniqueConstraint("user_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("clinical_projects.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class PendingNotice(db.Model):
    """A notice kept for the recipient's next daily digest (rendered then, in the recipient's language)."""

    __tablename__ = "pending_notices"
    __table_args__ = (Index("ix_pending_notices_due", "user_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    template: Mapped[str] = mapped_column(String(100))  # the e-mail template the notice would have used
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
