"""Tell people what happened, the way each chose: at once, in a daily digest, or not at all.

Other modules call notify() for notices (a co-signature request, an answer to one's input, a round
opening on a followed project). Mail a person asked for (a receipt, account mail) goes through
consult.mail.services.send directly and ignores these settings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from consult.accounts.models import User
from consult.core.db import db
from consult.mail import services as mail
from consult.notifications.models import Delivery, NotificationSetting, PendingNotice


def delivery_of(user: User) -> Delivery:
    setting = db.session.get(NotificationSetting, user.id)
    return setting.delivery if setting else Delivery.immediate


def notify(user: User, template: str, **context: Any) -> None:
    """Send templates/emails/<template>.txt to `user` now, or keep it for the digest, or drop it.

    `context` must hold plain values (str, int, float, bool, None, lists/dicts of them): a digest renders
    it later, in another process. Unverified and deleted accounts get nothing.
    """
    if user.is_deleted or user.email_verified_at is None:
        return
    delivery = delivery_of(user)
    if delivery is Delivery.none:
        return
    if delivery is Delivery.daily:
        db.session.add(PendingNotice(user_id=user.id, template=template, context=context))
        db.session.flush()
        return
    mail.send(user.email, template, lang=user.locale, user_id=user.id, **context)


def followers_of(project_id: int) -> list[User]:
    from consult.notifications.models import Follow

    return list(db.session.scalars(
        select(User).join(Follow, Follow.user_id == User.id).where(Follow.project_id == project_id)
        .where(User.deleted_at.is_(None)).order_by(User.id)))
