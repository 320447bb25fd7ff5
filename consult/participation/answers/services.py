"""Answering a round's inputs and publishing "What we heard, what we did".

Every input gets one answer (a Disposition): an outcome and a reason in plain text. Answering again
changes the same row, and each answer given or changed is told to the input's author. Publishing the
results is allowed with inputs still unanswered: the page says how many, so nobody can hide them.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.notifications.services import external_url, notify
from consult.participation.answers import queries
from consult.participation.models import Disposition, InputKind, Outcome
from consult.rounds.models import ConsultationRound, RoundEvent, RoundState

REASON_MAX = 5000

# From the moment a round opens, its inputs can be answered (and answers corrected after publication).
ANSWERABLE = (RoundState.open, RoundState.closed, RoundState.summarized, RoundState.published)
PUBLISHABLE = (RoundState.closed, RoundState.summarized)


class AnswerRefused(Exception):
    """A rule said no; the message is for the person, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_reason(text: str | None) -> str:
    """Composed Unicode, line breaks kept, other control characters dropped (PostgreSQL refuses NUL and
    nobody means to type an escape sequence), trimmed."""
    value = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def author_of(kind: InputKind, target: Any) -> User | None:
    """Who is told about the answer: a brief's submitting author, a thread's first comment's author, a
    proposed need's author. None when the account is gone."""
    return target.author


def answer(round_: ConsultationRound, kind: InputKind, target: Any, outcome: Outcome, reason: str,
           planner: User, *, notify_author: bool = True) -> tuple[Disposition, bool]:
    """Give or change the answer to one input. Returns the answer and whether anything changed; the
    author is notified when it did (loading demo data passes notify_author=False: nobody is mailed)."""
    if round_.state not in ANSWERABLE:
        raise AnswerRefused(_("Inputs can be answered once the round has opened."))
    reason = clean_reason(reason)
    if not reason:
        raise AnswerRefused(_("Give the reason for this answer."))
    if len(reason) > REASON_MAX:
        raise AnswerRefused(_("Use at most %(max)d characters for the reason.", max=REASON_MAX))
    disposition = queries.disposition_of(kind, target.id)
    is_new = disposition is None
    if disposition is None:
        disposition = Disposition(round_id=round_.id, input_kind=kind, input_id=target.id)
        db.session.add(disposition)
    elif disposition.outcome is outcome and disposition.reason == reason:
        return disposition, False
    disposition.outcome = outcome
    disposition.reason = reason
    disposition.answered_by_id = planner.id
    disposition.answered_at = now_utc()
    db.session.flush()
    if notify_author:
        _tell_author(round_, kind, target, disposition, changed=not is_new)
    return disposition, True


def _tell_author(round_: ConsultationRound, kind: InputKind, target: Any, disposition: Disposition,
                 changed: bool) -> None:
    author = author_of(kind, target)
    if author is None:
        return
    title = queries.excerpt(target.body, 120) if kind is InputKind.comment else target.title
    notify(author, "participation/answered", kind=kind.value, title=title, round_title=round_.title,
           project_title=round_.project.title, outcome=disposition.outcome.value, reason=disposition.reason,
           changed=changed, url=_notice_url(round_, kind, target))


def _notice_url(round_: ConsultationRound, kind: InputKind, target: Any) -> str | None:
    """The page where the author sees the answer: "What we heard" once public, otherwise the input."""
    if round_.has_closed:
        return external_url("participation.heard", round_id=round_.id, kind=kind.value,
                            _anchor=f"{kind.value}-{target.id}")
    if kind is InputKind.brief:
        return external_url("participation.brief", brief_id=target.id)
    if kind is InputKind.comment:
        return external_url("participation.item", round_id=round_.id, version_id=target.version_id,
                            uid=target.item_uid, _anchor=f"comment-{target.id}")
    return external_url("participation.proposed_needs", round_id=round_.id)


def publish(round_: ConsultationRound, planner: User) -> int:
    """Publish the results of a closed (or summarized) round. Returns how many inputs are still
    unanswered: publishing is not refused for them, the page shows them."""
    if round_.state is RoundState.published:
        raise AnswerRefused(_("The results of this round are already published."))
    if round_.state not in PUBLISHABLE:
        raise AnswerRefused(_("The results can be published once the round has closed."))
    found = queries.counts(round_)
    now = now_utc()
    round_.state = RoundState.published
    round_.state_changed_at = now
    db.session.add(RoundEvent(round_id=round_.id, at=now, kind="published", actor_id=planner.id,
                              detail={"inputs": found.total, "unanswered": found.unanswered}))
    db.session.flush()
    return found.unanswered


def published_at(round_: ConsultationRound):
    """When the results were published (the round's last state change), or None."""
    return round_.state_changed_at if round_.state is RoundState.published else None
