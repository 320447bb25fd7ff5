"""What moderation holds about a person, for "download my data": the reports they raised, and the
decisions taken on their own content (the latter are read from the content's module, which exports it).
Reports stay on deletion (the reporter becomes unknown: reporter_id is set to NULL), so a moderation
history never loses its reasons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from consult.accounts.models import User
from consult.accounts.privacy import exporter
from consult.core.db import db
from consult.moderation.models import Flag


@exporter("moderation_reports")
def _export(user: User) -> list[dict[str, Any]]:
    flags = db.session.scalars(select(Flag).where(Flag.reporter_id == user.id).order_by(Flag.id))
    return [{"content": flag.target_kind.value, "content_id": flag.target_id, "reason": flag.reason.value,
             "note": flag.note, "reported_at": flag.created_at, "resolved_at": flag.resolved_at} for flag in flags]
