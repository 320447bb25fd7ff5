"""Who may do what with summaries.

The planners of the establishment that runs the round compile, watch and cancel jobs, review themes, and
publish summaries; administrators may read drafts and jobs but change nothing. Everyone who may read the
round reads its published summaries, and the public sources they quote.
"""

from __future__ import annotations

from typing import Any

from consult.core.permissions import can, rule
from consult.rounds.policies import plans
from consult.summaries.models import Summary, SummaryState


@rule("summaries.manage")
def _manage(user, round_) -> bool:
    """Compile, cancel, review themes, publish (obj: a round)."""
    return plans(user, round_)


@rule("summaries.oversee")
def _oversee(user, round_) -> bool:
    """Read jobs, drafts and the theme review (obj: a round): planners and administrators."""
    return can(user, "rounds.oversee", round_)


@rule("summaries.read")
def _read(user: Any, summary: Summary) -> bool:
    if summary.state is SummaryState.published:
        return can(user, "rounds.view", summary.round)
    return can(user, "summaries.oversee", summary.round)
