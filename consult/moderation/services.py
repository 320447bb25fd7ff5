"""Moderation rules: report content, hide it with a public reason, restore it, dismiss flags.

Content is never deleted or edited here: hiding sets `hidden_at` and a public reason that readers see in
place of the text, and every decision closes the target's open flags and adds a row to the log.
Services flush; the view commits.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.core import permissions
from consult.core.db import db, now_utc
from consult.moderation.models import Decision, Flag, FlagReason, ModerationAction, TargetKind
from consult.participation.models import Brief, Comment, ProposedNeed

Target = Comment | ProposedNeed | Brief
MODELS: dict[TargetKind, type[Comment] | type[ProposedNeed] | type[Brief]] = {
    TargetKind.comment: Comment,
    TargetKind.proposed_need: ProposedNeed,
    TargetKind.brief: Brief,
}
# Longest excerpt of the content quoted to its author in the "hidden" notice.
EXCERPT_CHARS = 300


class ModerationError(Exception):
    """A refused request, with a message for the person who made it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def kind_of(value: str) -> TargetKind | None:
    try:
        return TargetKind(value)
    except ValueError:
        return None


def load_target(kind: TargetKind, target_id: int) -> Target | None:
    return db.session.get(MODELS[kind], target_id)


def kind_of_target(target: Target) -> TargetKind:
    return next(kind for kind, model in MODELS.items() if isinstance(target, model))


def establishment_id_of(target: Target) -> int:
    return target.round.project.establishment_id


def text_of(target: Target) -> str:
    """The words a reader would see, for the queue and the notice to the author."""
    if isinstance(target, Comment):
        return target.body
    if isinstance(target, ProposedNeed):
        return f"{target.title}\n\n{target.description}"
    return "\n\n".join(part for part in (target.title, target.summary, target.body) if part)


def title_of(target: Target) -> str | None:
    return target.title if isinstance(target, ProposedNeed | Brief) else None


def is_visible_to(user: User, target: Target) -> bool:
    """Whether this person may see the item at all (hidden or not): what only the establishment or the
    organization sees cannot be reported by others, and saying it exists would already say too much."""
    if isinstance(target, Brief):
        return permissions.can(user, "brief.view", target)  # the participation module's rule
    return target.round.is_public


def context_url(target: Target, external: bool = False) -> str:
    """The link to the content where readers see it (absolute for e-mail)."""
    if isinstance(target, Comment):
        endpoint, values = "participation.item", {"round_id": target.round_id, "version_id": target.version_id,
                                                  "uid": target.item_uid, "_anchor": f"comment-{target.id}"}
    elif isinstance(target, ProposedNeed):
        endpoint, values = "participation.proposed_need", {"proposed_need_id": target.id}
    else:
        endpoint, values = "participation.brief", {"brief_id": target.id}
    if external:
        from consult.notifications.services import external_url

        return external_url(endpoint, **values)
    return url_for(endpoint, **values)


def open_flags(kind: TargetKind, target_id: int) -> list[Flag]:
    return list(db.session.scalars(
        select(Flag).where(Flag.target_kind == kind, Flag.target_id == target_id, Flag.resolved_at.is_(None))
        .order_by(Flag.created_at, Flag.id)))


def has_flagged(user: User, kind: TargetKind, target_id: int) -> bool:
    return db.session.scalar(select(func.count()).select_from(Flag).where(
        Flag.target_kind == kind, Flag.target_id == target_id, Flag.reporter_id == user.id)) > 0


class OwnContent(ModerationError):
    pass


def check_flag(reporter: User, target: Target) -> None:
    """Raise ModerationError when `reporter` may not report `target` (again)."""
    if target.author_id == reporter.id:
        raise OwnContent(_("You cannot report what you wrote yourself. You can change or withdraw it where "
                           "you published it, while the round allows."))
    if target.is_hidden:
        raise ModerationError(_("This content is already hidden by moderation."))
    if has_flagged(reporter, kind_of_target(target), target.id):
        raise ModerationError(_("You already reported this content. Moderators will look at it."))


def flag(reporter: User, target: Target, reason: FlagReason, note: str | None) -> Flag:
    """Report `target`. One flag per person per target, never on one's own content."""
    check_flag(reporter, target)
    made = Flag(target_kind=kind_of_target(target), target_id=target.id,
                establishment_id=establishment_id_of(target), reporter_id=reporter.id, reason=reason,
                note=note or None)
    try:
        with db.session.begin_nested():  # two simultaneous clicks: the unique constraint keeps one
            db.session.add(made)
    except IntegrityError:
        raise ModerationError(_("You already reported this content. Moderators will look at it.")) from None
    return made


def decide(moderator: User, target: Target, decision: Decision, public_reason: str | None = None,
           note: str | None = None) -> ModerationAction:
    """Hide, restore, or dismiss the flags of `target`; close its open flags and log the decision."""
    kind = kind_of_target(target)
    now = now_utc()
    public_reason = (public_reason or "").strip() or None
    if decision is Decision.hide:
        if target.is_hidden:
            raise ModerationError(_("This content is already hidden."))
        if not public_reason:
            raise ModerationError(_("Give the public reason shown to readers in place of the content."))
        target.hidden_at = now
        target.hidden_reason = public_reason
    elif decision is Decision.restore:
        if not target.is_hidden:
            raise ModerationError(_("This content is not hidden: there is nothing to restore."))
        target.hidden_at = None
        target.hidden_reason = None
        public_reason = None
    else:
        public_reason = None
        if not open_flags(kind, target.id):
            raise ModerationError(_("This content has no open flags to dismiss."))
    db.session.execute(update(Flag).where(Flag.target_kind == kind, Flag.target_id == target.id,
                                          Flag.resolved_at.is_(None))
                       .values(resolved_at=now, resolved_by_id=moderator.id)
                       .execution_options(synchronize_session=False))
    action = ModerationAction(target_kind=kind, target_id=target.id, establishment_id=establishment_id_of(target),
                              moderator_id=moderator.id, decision=decision, public_reason=public_reason,
                              note=note or None, at=now)
    db.session.add(action)
    db.session.flush()
    if decision is Decision.hide and target.author is not None:
        _tell_author(target, kind, public_reason or "")
    return action


def _tell_author(target: Target, kind: TargetKind, reason: str) -> None:
    from consult.notifications.services import notify

    text = text_of(target)
    excerpt = text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rstrip() + "…"
    notify(target.author, "notifications/content_hidden", kind=kind.value, reason=reason, excerpt=excerpt,
           round_title=target.round.title, url=context_url(target, external=True))
