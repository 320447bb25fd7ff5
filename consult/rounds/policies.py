"""Who may do what with consultation rounds.

The planners of the establishment that runs the project prepare, schedule, open, extend and mark rounds;
administrators may read the planning pages and the history but change nothing. Everyone, visitors
included, reads a round once it leaves the draft state. Each party answers its own invitation line: an
organization's representatives for the organization, the establishment's planners for the establishment.
"""

from __future__ import annotations

from typing import Any

from consult.core.permissions import can, rule
from consult.rounds.models import ConsultationRound, RoundInvitation


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _establishment_id(obj: Any) -> int:
    # A round or a clinical project: both know the establishment that runs them.
    return obj.establishment_id


def plans(user: Any, obj: Any) -> bool:
    return _signed_in(user) and _establishment_id(obj) in user.establishment_ids("planner")


@rule("rounds.manage")
def _manage(user, obj) -> bool:
    """Create, edit, schedule, open, extend, invite: planners of the establishment (obj: project or round)."""
    return plans(user, obj)


@rule("rounds.oversee")
def _oversee(user, obj) -> bool:
    """Read the planning pages (a project's rounds, a draft, the history): planners and administrators."""
    return plans(user, obj) or (_signed_in(user) and bool(user.is_admin))


@rule("rounds.view")
def _view(user, round_: ConsultationRound) -> bool:
    return round_.is_public or can(user, "rounds.oversee", round_)


@rule("rounds.answer_invitation")
def _answer(user, invitation: RoundInvitation) -> bool:
    if invitation.organization is not None:
        return can(user, "organization.represent", invitation.organization)
    return _signed_in(user) and invitation.establishment_id in user.establishment_ids("planner")
