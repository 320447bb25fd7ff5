"""Publishing a compiled summary: it becomes the round's public summary, its files are made again from the public
view (a draft's files name the organizations whose briefs are confidential), a closed round becomes
"summarized", the round's history records it, and the people who follow the project are told.

Flushes, never commits. Publishing is claimed with a conditional UPDATE (… WHERE state = 'draft'): two planners
clicking at once publish once and notify once.
"""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import update

from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.notifications.services import external_url, followers_of, notify
from consult.rounds.models import RoundEvent, RoundState
from consult.summaries.models import Summary, SummaryState
from consult.summaries.render.labels import LOCALES

log = logging.getLogger("consult.summaries.publishing")

# The round must have stopped taking input: a summary of an open round is a snapshot, not a result.
CLOSED_STATES = (RoundState.closed, RoundState.summarized, RoundState.published)


class PublishRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def problems(summary: Summary) -> list[str]:
    """Why this summary cannot be published now, in words for the planner (empty: it can)."""
    found: list[str] = []
    if summary.state is SummaryState.published:
        found.append(_("This summary is already published."))
        return found
    if not (summary.content or {}).get("themes_reviewed"):
        found.append(_("Some themes are still proposed and not reviewed. Review every theme (approve, rename, merge "
                       "or set it aside), then compile the round again: a summary is published only with reviewed "
                       "themes."))
    if summary.round.state not in CLOSED_STATES:
        found.append(_("The round is still taking input. A summary can be published once the round has closed."))
    return found


def publish(summary: Summary, user: User) -> bool:
    """Publish `summary`. Returns True when the round moved to "summarized". Raises PublishRefused."""
    reasons = problems(summary)
    if reasons:
        raise PublishRefused(" ".join(reasons))
    now = now_utc()
    claimed = db.session.execute(
        update(Summary).where(Summary.id == summary.id, Summary.state == SummaryState.draft)
        .values(state=SummaryState.published, published_at=now, published_by_id=user.id)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise PublishRefused(_("This summary is already published."))
    db.session.refresh(summary)

    round_ = summary.round
    moved = round_.state is RoundState.closed
    if moved:
        round_.state = RoundState.summarized
        round_.state_changed_at = now
    db.session.add(RoundEvent(round_id=round_.id, at=now, kind="summary_published", actor_id=user.id,
                              detail={"summary_id": summary.id, "number": summary.number, "summarized": moved}))
    db.session.flush()

    # The draft's files may name organizations whose briefs are confidential: make them again, public.
    from consult.summaries.render import store_files

    try:
        summary.files = store_files(summary)
    except Exception:
        # Never serve the draft's files once public; downloads render the public view on the spot instead.
        log.exception("summary %s: files could not be made again on publishing", summary.id)
        summary.files = {}
    db.session.flush()
    sent = notify_followers(summary)
    log.info("summary %s of round %s published by user %s; %d followers told", summary.id, round_.id, user.id, sent)
    return moved


def _context(summary: Summary, user: User) -> dict[str, Any]:
    round_ = summary.round
    with force_locale(LOCALES.get(user.locale, "fr_CA")):
        return {"title": round_.title, "project": round_.project.title,
                "establishment": round_.project.establishment.name, "number": summary.number,
                "url": external_url("summaries.round_summary", round_id=round_.id)}


def notify_followers(summary: Summary) -> int:
    """Tell the project's followers that the summary is out. Returns how many were told."""
    sent = 0
    for user in followers_of(summary.round.project_id):
        notify(user, "summaries/published", **_context(summary, user))
        sent += 1
    return sent
