"""Rules for comments, supports, proposed needs and participant profiles. Services flush, never commit.

A round takes input only while it is open (by state and by the clock); the message says so. A reply
keeps its thread's root and bumps the root's counter in one UPDATE, so two replies at once both count.
An edit keeps the earlier text. A support is given once: a double click finds the first one.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.participation.comments.policies import within_edit_window
from consult.participation.models import (
    Comment,
    CommentRevision,
    ParticipantProfile,
    ProposedNeed,
    ProposedNeedState,
    Support,
)
from consult.projects import services as projects
from consult.projects.kinds import KINDS
from consult.projects.models import Determinant, Level3, StepVersion, VersionItem
from consult.rounds.models import ConsultationRound
from consult.territories.models import TerritoryNode


class ParticipationError(Exception):
    """A rule was broken; the message is for the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def closed_reason(round_: ConsultationRound) -> str:
    if round_.has_closed or round_.closes_at <= now_utc():
        return _("This consultation is closed: it no longer takes comments, supports or proposed needs.")
    return _("This consultation is not open yet: it takes comments, supports and proposed needs once it opens.")


def require_open(round_: ConsultationRound) -> None:
    if not round_.is_open():
        raise ParticipationError(closed_reason(round_) + " " + _("Nothing was recorded."))


# Comments ------------------------------------------------------------------------------------------


def post_comment(round_: ConsultationRound, item: VersionItem, author: User, body: str) -> Comment:
    require_open(round_)
    comment = Comment(round_id=round_.id, version_id=item.version_id, item_uid=item.uid, item_kind=item.kind,
                      author_id=author.id, body=body, reply_count=0)
    db.session.add(comment)
    db.session.flush()
    comment.root_id = comment.id  # a first comment is its own thread's root
    db.session.flush()
    return comment


def post_reply(parent: Comment, author: User, body: str) -> Comment:
    require_open(parent.round)
    if parent.is_hidden:
        raise ParticipationError(_("This comment was hidden by moderation; it takes no new replies."))
    root_id = parent.root_id or parent.id
    reply = Comment(round_id=parent.round_id, version_id=parent.version_id, item_uid=parent.item_uid,
                    item_kind=parent.item_kind, parent_id=parent.id, root_id=root_id, author_id=author.id,
                    body=body, reply_count=0)
    db.session.add(reply)
    db.session.flush()
    # One UPDATE in the database: concurrent replies each add one, none overwrites another.
    db.session.execute(update(Comment).where(Comment.id == root_id)
                       .values(reply_count=Comment.reply_count + 1).execution_options(synchronize_session=False))
    db.session.expire(parent, ["reply_count"])
    _tell_author(parent, reply, author)
    return reply


def _tell_author(parent: Comment, reply: Comment, replier: User) -> None:
    recipient = parent.author
    if recipient is None or recipient.id == replier.id:
        return
    from consult.notifications.services import notify
    from consult.participation.comments.queries import page_of, version_item

    item = version_item(parent.version_id, parent.item_uid)
    title = KINDS[item.kind].label_of(item.data) if item is not None and item.kind in KINDS else ""
    url = url_for("participation.replies", comment_id=reply.root_id, page=page_of(reply),
                  _anchor=f"comment-{reply.id}", _external=True)
    excerpt = reply.body if len(reply.body) <= 600 else reply.body[:600].rstrip() + "…"
    notify(recipient, "participation/reply", replier=replier.public_name, item_title=title,
           round_title=parent.round.title, excerpt=excerpt, url=url)


def edit_comment(comment: Comment, author: User, body: str) -> bool:
    """Replace the text, keeping the earlier one. False when nothing changed."""
    if comment.author_id != author.id:
        raise ParticipationError(_("Only the author of a comment can change it."))
    if comment.is_hidden:
        raise ParticipationError(_("This comment was hidden by moderation; it can no longer be changed."))
    if not within_edit_window(comment):
        raise ParticipationError(_("The time to change this comment is over. You can add a reply instead."))
    require_open(comment.round)
    if body == comment.body:
        return False
    db.session.add(CommentRevision(comment=comment, body=comment.body,
                                   written_at=comment.edited_at or comment.created_at))
    comment.body = body
    comment.edited_at = now_utc()
    db.session.flush()
    return True


# Supports ------------------------------------------------------------------------------------------


def _support_of(user: User, item: VersionItem) -> Support | None:
    return db.session.scalar(select(Support).where(Support.version_id == item.version_id,
                                                   Support.item_uid == item.uid, Support.user_id == user.id))


def support(round_: ConsultationRound, item: VersionItem, user: User) -> bool:
    """Record the support; False when it was already there (a double click, another tab)."""
    require_open(round_)
    if _support_of(user, item) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Support(round_id=round_.id, version_id=item.version_id, item_uid=item.uid,
                                   item_kind=item.kind, user_id=user.id))
    except IntegrityError:  # the other click won the race: the support is there, once
        return False
    return True


def retract_support(round_: ConsultationRound, item: VersionItem, user: User) -> bool:
    require_open(round_)
    result = db.session.execute(delete(Support).where(Support.version_id == item.version_id,
                                                      Support.item_uid == item.uid, Support.user_id == user.id))
    return bool(result.rowcount)


# Proposed needs ------------------------------------------------------------------------------------


def propose_need(round_: ConsultationRound, version: StepVersion, author: User, *, title: str, description: str,
                 area: TerritoryNode | None) -> ProposedNeed:
    require_open(round_)
    proposed = ProposedNeed(round_id=round_.id, version_id=version.id, author_id=author.id, title=title,
                            description=description, area=area, state=ProposedNeedState.proposed)
    db.session.add(proposed)
    db.session.flush()
    return proposed


def accept_proposed_need(proposed: ProposedNeed, planner: User, *, determinant: Determinant = Determinant.other,
                         priority: Level3 = Level3.medium) -> Any:
    """Copy the proposed need into the working copy of the needs portrait; its next version carries it,
    and the proposed need keeps the uid to link to it."""
    if proposed.state is ProposedNeedState.accepted:
        raise ParticipationError(_("This proposed need was already added to the needs portrait."))
    project = proposed.round.project
    step = project.step(1)
    if not step.editable:
        raise ParticipationError(_("The needs portrait is adopted, so nothing can be added to it now. Reopen "
                                   "it for a new version first, then accept this proposed need."))
    try:
        need = projects.save_item(project, "need", None, {
            "title": proposed.title, "description": proposed.description, "population_groups": [],
            "areas": [proposed.area] if proposed.area is not None else [], "determinant": determinant,
            "priority": priority,
            "sources": _("Proposed by a participant during the consultation “%(round)s”.",
                         round=proposed.round.title)}, user=planner)
    except projects.ProjectError as error:
        raise ParticipationError(error.message) from None
    proposed.state = ProposedNeedState.accepted
    proposed.accepted_need_uid = need.uid
    proposed.accepted_at = now_utc()
    proposed.accepted_by_id = planner.id
    db.session.flush()
    return need


def decline_proposed_need(proposed: ProposedNeed, planner: User) -> None:
    if proposed.state is not ProposedNeedState.proposed:
        raise ParticipationError(_("A decision was already made on this proposed need."))
    proposed.state = ProposedNeedState.declined
    db.session.flush()


# The participant profile ---------------------------------------------------------------------------


def save_profile(user: User, *, age_band: str | None, gender: str | None, area: TerritoryNode | None,
                 population_group: str | None) -> ParticipantProfile:
    profile = db.session.get(ParticipantProfile, user.id)
    if profile is None:
        profile = ParticipantProfile(user_id=user.id, consented_at=now_utc())
        db.session.add(profile)
    profile.age_band = age_band or None
    profile.gender = gender or None
    profile.area = area
    profile.population_group = population_group or None
    db.session.flush()
    return profile


def withdraw_profile(user: User) -> bool:
    result = db.session.execute(delete(ParticipantProfile).where(ParticipantProfile.user_id == user.id))
    return bool(result.rowcount)
