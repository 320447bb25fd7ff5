from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.db import UTCDateTime, db, now_utc


class FailedTask(db.Model):
    """A Celery task that failed for good (its retries, if any, exhausted), kept until an admin retries it.

    The broker forgets a failed task; this row is what lets an operator see the error and send it again.
    """

    __tablename__ = "failed_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(155), index=True)
    task_name: Mapped[str] = mapped_column(String(200), index=True)
    queue: Mapped[str] = mapped_column(String(50))
    # Tasks take ids, so their arguments are JSON; None when they could not be kept (then no retry).
    args: Mapped[list[Any] | None] = mapped_column(JSON)
    kwargs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text)
    traceback: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retried_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    retry_count: Mapped[int] = mapped_column(default=0)

    @property
    def retryable(self) -> bool:
        return self.args is not None and self.kwargs is not None
