"""Who may do what with the equity lens, in one place.

- Tagging an input (and confirming or rejecting the tags suggested on it): its author — an organization's
  representatives for the organization's brief (a draft or a submitted one), the author of a comment or of
  a proposed need — and the planners of the establishment that runs the round (the analysts of the
  consultation), on any input of their rounds: a submitted brief (never a draft, which they do not read),
  every comment and proposed need. A withdrawn brief is tagged by nobody.
- Reviewing the suggested tags of a round: its planners; administrators read the list without changing it.
- The equity lens of a round (representativeness, participation dashboard, inputs by dimension, the chart
  downloads): planners and administrators, as for the other planning pages. Counts of people under 5 are
  suppressed there too.
- An establishment's local code lists: its planners add and retire tags; administrators read them.
- A project's reading rule for population figures: its planners.
"""

from __future__ import annotations

from typing import Any

from consult.core.permissions import can, rule
from consult.equity.models import Target
from consult.participation.briefs.policies import represents
from consult.participation.models import BriefState, InputKind
from consult.projects.models import ClinicalProject
from consult.rounds.models import ConsultationRound
from consult.territories.models import Establishment


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _admin(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_admin)


def plans(user: Any, establishment_id: int) -> bool:
    return _signed_in(user) and establishment_id in user.establishment_ids("planner")


def is_author(user: Any, target: Target) -> bool:
    if not _signed_in(user):
        return False
    if target.kind is InputKind.brief:
        return represents(user, target.obj.organization)
    return target.author_id == user.id


@rule("equity.tag")
def _tag(user, target: Target) -> bool:
    """Put, confirm or reject tags on one input (obj: a Target)."""
    if target.kind is InputKind.brief:
        state = target.obj.state
        if state is BriefState.withdrawn:
            return False
        if state is BriefState.draft:
            return is_author(user, target)
    return is_author(user, target) or plans(user, target.round.establishment_id)


@rule("equity.review")
def _review(user, round_: ConsultationRound) -> bool:
    """Confirm or reject the suggested tags of a whole round."""
    return plans(user, round_.establishment_id)


@rule("equity.oversee")
def _oversee(user, round_: ConsultationRound) -> bool:
    """Read the equity lens of a round and the list of suggested tags."""
    return plans(user, round_.establishment_id) or _admin(user)


@rule("equity.taxonomy.manage")
def _taxonomy_manage(user, establishment: Establishment) -> bool:
    return plans(user, establishment.id)


@rule("equity.taxonomy.view")
def _taxonomy_view(user, establishment: Establishment) -> bool:
    return plans(user, establishment.id) or _admin(user)


@rule("equity.settings")
def _settings(user, project: ClinicalProject) -> bool:
    return plans(user, project.establishment_id)


def may_tag(user: Any, target: Target) -> bool:
    return can(user, "equity.tag", target)
