"""What the notifications module holds about a person, for "download my data" and "delete my account":
the delivery choice, the projects followed, and the notices kept for a digest. Erasing removes all of it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from consult.accounts.models import User
from consult.accounts.privacy import eraser, exporter
from consult.core.db import db
from consult.notifications.models import Follow, NotificationSetting, PendingNotice
from consult.notifications.services import delivery_of


@exporter("notifications")
def _export(user: User) -> dict[str, Any]:
    from consult.projects.models import ClinicalProject

    setting = db.session.get(NotificationSetting, user.id)
    follows = db.session.execute(
        select(ClinicalProject.id, ClinicalProject.title, Follow.created_at)
        .join(Follow, Follow.project_id == ClinicalProject.id).where(Follow.user_id == user.id)
        .order_by(Follow.id))
    notices = db.session.scalars(select(PendingNotice).where(PendingNotice.user_id == user.id)
                                 .order_by(PendingNotice.id))
    return {
        "delivery": delivery_of(user).value,
        "delivery_changed_at": setting.changed_at if setting else None,
        "followed_projects": [{"project_id": pid, "title": title, "since": since} for pid, title, since in follows],
        "notices_for_digest": [{"template": n.template, "context": n.context, "created_at": n.created_at,
                                "sent_at": n.sent_at} for n in notices],
    }


@eraser
def _erase(user: User) -> None:
    for model in (Follow, PendingNotice, NotificationSetting):
        db.session.execute(delete(model).where(model.user_id == user.id))
