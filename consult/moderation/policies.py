"""Who may report content, work the moderation queue and read the moderation log.

Moderators of an establishment (and platform administrators) decide about content posted in that
establishment's rounds; its planners read the log but do not decide, so that the people who answer
inputs are not the ones who hide them. Nobody edits another person's content: a decision only hides,
restores or dismisses flags.
"""

from __future__ import annotations

from typing import Any

from consult.core.permissions import rule


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def moderates(user: Any, establishment_id: int) -> bool:
    return _signed_in(user) and (bool(user.is_admin) or establishment_id in user.establishment_ids("moderator"))


@rule("moderation.flag")
def _flag(user, _target) -> bool:
    # Whether this target may be flagged by this person (own content, already hidden…) is a service
    # rule with its own message; the permission is only "signed in with a confirmed address".
    return _signed_in(user) and user.is_verified


@rule("moderation.queue")
def _queue(user, establishment_id: int) -> bool:
    return moderates(user, establishment_id)


@rule("moderation.decide")
def _decide(user, establishment_id: int) -> bool:
    return moderates(user, establishment_id)


@rule("moderation.log")
def _log(user, establishment_id: int) -> bool:
    return moderates(user, establishment_id) or (
        _signed_in(user) and establishment_id in user.establishment_ids("planner"))
