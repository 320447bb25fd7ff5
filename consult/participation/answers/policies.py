"""Who answers a round's inputs and who reads the answers.

The establishment's planners answer; administrators read the answer queue without changing it. "What we
heard, what we did" is public once the round has closed; before that its planners (and administrators)
see it as a preview and everyone else gets a 404, as for a page that does not exist yet.
"""

from __future__ import annotations

from typing import Any

from consult.core.permissions import can, rule
from consult.projects.policies import plans
from consult.rounds.models import ConsultationRound


def _admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


@rule("participation.answer")
def _answer(user, round_: ConsultationRound) -> bool:
    return plans(user, round_.establishment_id)


@rule("participation.answers.view")
def _queue(user, round_: ConsultationRound) -> bool:
    return plans(user, round_.establishment_id) or _admin(user)


@rule("participation.heard.view")
def _heard(user, round_: ConsultationRound) -> bool:
    return round_.has_closed or can(user, "participation.answers.view", round_)
