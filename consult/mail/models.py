from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.db import Timestamps, UTCDateTime, db


class EmailStatus(enum.Enum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class Email(Timestamps, db.Model):
    __tablename__ = "emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept so that "delete my account" can erase the messages too.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    status: Mapped[EmailStatus] = mapped_column(Enum(EmailStatus, native_enum=False, length=10),
                                                default=EmailStatus.pending, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
