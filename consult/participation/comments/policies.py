"""Who may comment, support, propose a need, decide on a proposed need, and keep a participant profile.

Taking part needs a signed-in account with a confirmed address; a round open to organizations only takes
input from people who belong to an organization. Whether the round is open *now* is a rule of the
services (it gives its own message). Nobody edits another person's words: only the author edits a
comment, within the edit window, and planners or administrators get no exception.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import exists, select

from consult.core.db import db, now_utc
from consult.core.permissions import rule
from consult.participation.comments import privacy  # noqa: F401  (registers the Law 25 exporter and eraser)
from consult.participation.models import Comment, ProposedNeed
from consult.rounds.models import Audience, ConsultationRound


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def plans(user: Any, establishment_id: int) -> bool:
    return _signed_in(user) and establishment_id in user.establishment_ids("planner")


def belongs_to_an_organization(user: Any) -> bool:
    from consult.organizations.models import OrganizationMember

    return bool(db.session.scalar(select(exists().where(OrganizationMember.user_id == user.id))))


def round_visible(user: Any, round_: ConsultationRound) -> bool:
    """A draft round is the planners' (and administrators') business; every other state is public."""
    if round_.is_public:
        return True
    return plans(user, round_.establishment_id) or (_signed_in(user) and bool(user.is_admin))


def takes_part(user: Any, round_: ConsultationRound) -> bool:
    """May this person give input to this round at all (the round's dates aside)?"""
    if not _signed_in(user) or not user.is_verified or not round_visible(user, round_):
        return False
    if round_.audience is Audience.organizations:
        return belongs_to_an_organization(user)
    return True


def edit_deadline(comment: Comment):
    return comment.created_at + timedelta(minutes=current_app.config["CONSULT_COMMENT_EDIT_MINUTES"])


def within_edit_window(comment: Comment) -> bool:
    return now_utc() < edit_deadline(comment)


@rule("comments.post")
def _post(user, round_: ConsultationRound) -> bool:
    return takes_part(user, round_)


@rule("comments.author")
def _author(user, comment: Comment) -> bool:
    return _signed_in(user) and comment.author_id == user.id


@rule("comments.edit")
def _edit(user, comment: Comment) -> bool:
    """Shown as an "Edit" link: the author, within the window, on visible content of a round still open."""
    return (_author(user, comment) and within_edit_window(comment) and not comment.is_hidden
            and comment.round.is_open())


@rule("supports.give")
def _support(user, round_: ConsultationRound) -> bool:
    return takes_part(user, round_)


@rule("proposed_needs.propose")
def _propose(user, round_: ConsultationRound) -> bool:
    return takes_part(user, round_)


@rule("proposed_needs.decide")
def _decide(user, proposed: ProposedNeed) -> bool:
    return plans(user, proposed.round.establishment_id)


@rule("participant_profile.edit")
def _profile(user, _obj) -> bool:
    return _signed_in(user)
