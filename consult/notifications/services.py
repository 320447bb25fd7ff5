"""Tell people what happened, the way each chose: at once, in a daily digest, or not at all.

Other modules call notify() for notices (a co-signature request, an answer to one's input, a round
opening on a followed project). Mail a person asked for (a receipt, account mail) goes through
consult.mail.services.send directly and ignores these settings.

Every notice carries `unsubscribe_url`, a one-click link that stops notices; templates print it with
{% include "emails/_notice_footer.txt" %}.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale, gettext
from jinja2 import TemplateNotFound
from sqlalchemy import Select, delete, select, update
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.mail import services as mail
from consult.notifications import tokens
from consult.notifications.models import Delivery, Follow, NotificationSetting, PendingNotice

log = logging.getLogger("consult.notifications")


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for e-mail: from the request under way, else from CONSULT_BASE_URL (in a worker).
    `_anchor` adds a #fragment, as with url_for."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    anchor = values.pop("_anchor", None)
    base = urlsplit(current_app.config["CONSULT_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


def unsubscribe_url(user: User) -> str:
    return external_url("notifications.unsubscribe", token=tokens.make(user))


def delivery_of(user: User) -> Delivery:
    setting = db.session.get(NotificationSetting, user.id)
    return setting.delivery if setting else Delivery.immediate


def set_delivery(user: User, delivery: Delivery) -> None:
    setting = db.session.get(NotificationSetting, user.id)
    if setting is None:
        db.session.add(NotificationSetting(user_id=user.id, delivery=delivery))
    elif setting.delivery is not delivery:
        setting.delivery = delivery
    db.session.flush()


def notify(user: User, template: str, **context: Any) -> None:
    """Send templates/emails/<template>.txt to `user` now, or keep it for the digest, or drop it.

    `context` must hold plain values (str, int, float, bool, None, lists/dicts of them): a digest renders
    it later, in another process. Unverified and deleted accounts get nothing. The template also
    receives `unsubscribe_url`.
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
    context.setdefault("unsubscribe_url", unsubscribe_url(user))
    mail.send(user.email, template, lang=user.locale, user_id=user.id, **context)


# Following projects ---------------------------------------------------------------------------------


def followers_of(project_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Follow, Follow.user_id == User.id).where(Follow.project_id == project_id)
        .where(User.deleted_at.is_(None)).order_by(User.id)))


def is_following(user: Any, project_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(Follow.id).where(Follow.user_id == user.id,
                                                     Follow.project_id == project_id)) is not None


def follow(user: User, project_id: int) -> bool:
    """Follow a project; True if this made a new follow, False if it was already followed."""
    if is_following(user, project_id):
        return False
    try:
        with db.session.begin_nested():  # a double click from two tabs: the unique constraint keeps one
            db.session.add(Follow(user_id=user.id, project_id=project_id))
    except IntegrityError:
        return False
    return True


def unfollow(user: User, project_id: int) -> bool:
    """Stop following; True if a follow was removed."""
    result = db.session.execute(delete(Follow).where(Follow.user_id == user.id, Follow.project_id == project_id))
    return bool(result.rowcount)


def follows_of(user: User) -> Select:
    from consult.projects.models import ClinicalProject

    return (select(ClinicalProject).join(Follow, Follow.project_id == ClinicalProject.id)
            .where(Follow.user_id == user.id).order_by(ClinicalProject.title, ClinicalProject.id))


# The daily digest -------------------------------------------------------------------------------------


def users_with_pending_notices() -> list[int]:
    return list(db.session.scalars(select(PendingNotice.user_id).where(PendingNotice.sent_at.is_(None))
                                   .distinct().order_by(PendingNotice.user_id)))


def claim(user_id: int) -> list[PendingNotice]:
    """Mark this person's unsent notices as sent and return them; whatever another run claimed first is not
    returned. The conditional UPDATE is the lock: on PostgreSQL a concurrent run waits for this
    transaction, then finds `sent_at` set and claims nothing; SQLite serializes writers."""
    ids = list(db.session.scalars(
        update(PendingNotice).where(PendingNotice.user_id == user_id, PendingNotice.sent_at.is_(None))
        .values(sent_at=now_utc()).returning(PendingNotice.id).execution_options(synchronize_session=False)))
    if not ids:
        return []
    return list(db.session.scalars(select(PendingNotice).where(PendingNotice.id.in_(ids))
                                   .order_by(PendingNotice.created_at, PendingNotice.id)
                                   .execution_options(populate_existing=True)))


def _without_greeting(body: str) -> str:
    """A notice's own "Hello," and sign-off, said once by the digest instead of once per notice."""
    greeting, signoff = gettext("Hello,"), gettext("The consult team")
    if body.startswith(greeting):
        body = body[len(greeting):].lstrip()
    if body.endswith(signoff):
        body = body[:-len(signoff)].rstrip()
    return body


def send_digest(user_id: int) -> bool:
    """Gather one person's waiting notices into one e-mail; True if an e-mail was queued. Flushes only:
    the claim and the e-mail are committed together by the caller, so a failure loses nothing."""
    notices = claim(user_id)
    if not notices:
        return False
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted or user.email_verified_at is None or delivery_of(user) is Delivery.none:
        return False  # they stopped notices since, or left: the claimed notices are dropped
    parts = []
    with force_locale(mail.LOCALES.get(user.locale, "fr_CA")):
        for notice in notices:
            try:
                rendered = render_template(f"emails/{notice.template}.txt",
                                           **{**(notice.context or {}), "unsubscribe_url": None})
            except TemplateNotFound:
                log.error("digest: notice %s names a template that no longer exists: %s", notice.id,
                          notice.template)
                continue
            subject, _sep, body = rendered.strip().partition("\n")
            parts.append({"subject": subject.strip(), "body": _without_greeting(body.strip())})
    if not parts:
        return False
    mail.send(user.email, "notifications/digest", lang=user.locale, user_id=user.id, notices=parts,
              unsubscribe_url=unsubscribe_url(user), settings_url=external_url("notifications.settings"))
    return True
