"""Consultation rounds: preparing, scheduling, opening and closing on time, extending, invitations.

Services flush and never commit. A broken rule raises RoundError (with the form field to blame); a save
made on a stale copy of a round raises StaleRound. Every change adds a RoundEvent, with no actor when the
beat scheduler made it, so the round's history tells who did what and when.

Opening and closing by time (`tick`) claim each round with a conditional UPDATE (… WHERE state = …): two
ticks running at once, or a tick racing a planner's extension, never open, close or notify twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm.exc import StaleDataError

from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.core.timefmt import datetime_filter
from consult.notifications.services import followers_of, notify
from consult.organizations.models import Organization
from consult.projects.models import STEP_TITLES, ClinicalProject, StepVersion
from consult.rounds.models import (
    Audience,
    ConsultationRound,
    GuidingQuestion,
    InvitationState,
    ParticipationLevel,
    RoundEvent,
    RoundInvitation,
    RoundState,
)

LOCAL_ZONE = ZoneInfo("America/Montreal")
LOCALES = {"fr": "fr_CA", "en": "en_CA"}


class RoundError(Exception):
    """A rule was broken. `field` names the form field to show the message next to (None: the form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class StaleRound(Exception):
    """Someone (or the scheduler) changed the round since this copy of it was opened."""


def stale_message() -> str:
    return _("This round was changed since you opened it (by someone else or because it opened or closed on "
             "time). Nothing was saved: the current values are shown. Make your changes again on them if "
             "they are still needed.")


def check_fresh(round_: ConsultationRound, expected: Any) -> None:
    try:
        seen = int(expected) if expected not in (None, "") else None
    except (TypeError, ValueError):
        seen = None
    if seen is None or seen != round_.lock_version:
        raise StaleRound()


def _flush(round_: ConsultationRound) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleRound() from None


def _touch(round_: ConsultationRound) -> None:
    # Changing only a link table (the versions) issues no UPDATE of the row: bump it so the lock moves.
    round_.updated_at = now_utc()


def _event(round_: ConsultationRound, kind: str, actor: User | None, at: datetime | None = None,
           **detail: Any) -> RoundEvent:
    event = RoundEvent(round=round_, kind=kind, actor_id=actor.id if actor is not None else None,
                       at=at or now_utc(), detail=detail)
    db.session.add(event)
    return event


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


# Local time ------------------------------------------------------------------------------------------


def local_to_utc(value: datetime) -> datetime:
    """A date-time typed in a form (Montréal wall-clock time, naive) as an aware UTC datetime."""
    return value.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)


def utc_to_local(value: datetime) -> datetime:
    """The naive Montréal wall-clock time a form field shows for a stored UTC datetime."""
    return value.astimezone(LOCAL_ZONE).replace(tzinfo=None, second=0, microsecond=0)


# Preparing a round -----------------------------------------------------------------------------------


@dataclass
class RoundData:
    title: str
    mandate: str
    participation_level: ParticipationLevel
    budgets_in_scope: bool
    audience: Audience
    opens_at: datetime  # aware, UTC
    closes_at: datetime
    versions: list[StepVersion]


def _check(project: ClinicalProject, data: RoundData) -> None:
    if data.closes_at <= data.opens_at:
        raise RoundError(_("The closing must come after the opening."), "closes_at")
    if not data.versions:
        raise RoundError(_("Choose at least one published version to put in consultation."), "version_ids")
    steps = [version.step for version in data.versions]
    if any(step.project_id != project.id for step in steps):
        raise RoundError(_("Choose among the published versions of this project."), "version_ids")
    if len({step.number for step in steps}) != len(steps):
        raise RoundError(_("Choose one version per step: people comment on one text at a time."), "version_ids")


def short_round_warning(round_: ConsultationRound | RoundData) -> str | None:
    """A warning, not a refusal: rushed calendars exclude organizations that must consult their members."""
    minimum = current_app.config["CONSULT_ROUND_MIN_DAYS"]
    days = (round_.closes_at - round_.opens_at).total_seconds() / 86400
    if days >= minimum:
        return None
    return _("This round lasts %(days)s days, less than the %(minimum)d days recommended. Short periods "
             "exclude people: organizations need time to consult their members and their board. Consider "
             "a later closing date.", days=format_decimal(round(days, 1), format="#,##0.#"), minimum=minimum)


def schedule_problems(round_: ConsultationRound, now: datetime) -> list[str]:
    problems = []
    if not round_.versions:
        problems.append(_("Choose at least one published version to put in consultation."))
    if round_.closes_at <= now:
        problems.append(_("The closing time is already past: choose a later one."))
    if not (round_.mandate or "").strip():
        problems.append(_("Write the mandate: what is asked, what is decided elsewhere and what the "
                          "establishment will do with what it hears."))
    return problems


def _require_schedulable(round_: ConsultationRound, now: datetime) -> None:
    problems = schedule_problems(round_, now)
    if problems:
        raise RoundError(" ".join(problems))


def create_round(project: ClinicalProject, user: User, data: RoundData) -> ConsultationRound:
    """A draft round. The establishment's own line is on the invitation list from the start: its teams
    take part too, and the list shows whether they did."""
    _check(project, data)
    round_ = ConsultationRound(
        project=project, title=data.title, mandate=data.mandate or "",
        participation_level=data.participation_level, budgets_in_scope=data.budgets_in_scope,
        audience=data.audience, opens_at=data.opens_at, closes_at=data.closes_at, state=RoundState.draft,
        state_changed_at=now_utc(), created_by_id=user.id, versions=list(data.versions))
    db.session.add(round_)
    round_.invitations.append(RoundInvitation(establishment_id=project.establishment_id))
    _event(round_, "created", user)
    db.session.flush()
    return round_


_EDITABLE_FIELDS = ("title", "mandate", "participation_level", "budgets_in_scope", "audience", "opens_at",
                    "closes_at")


def update_round(round_: ConsultationRound, user: User, expected_lock: Any, data: RoundData) -> list[str]:
    """Save the planner's changes (only before the round opens); returns the names of changed fields."""
    check_fresh(round_, expected_lock)
    if not round_.is_editable:
        raise RoundError(_("This round can no longer be edited: it is “%(state)s”.", state=round_.state_label))
    _check(round_.project, data)
    changed: list[str] = []
    detail: dict[str, Any] = {}
    for name in _EDITABLE_FIELDS:
        value = getattr(data, name)
        if name == "mandate":
            value = value or ""
        if getattr(round_, name) != value:
            if name in ("opens_at", "closes_at"):
                detail[name] = {"old": _iso(getattr(round_, name)), "new": _iso(value)}
            changed.append(name)
            setattr(round_, name, value)
    if {v.id for v in round_.versions} != {v.id for v in data.versions}:
        changed.append("versions")
        round_.versions = list(data.versions)
        kept_steps = {v.step.number for v in data.versions}
        for question in list(round_.questions):
            if question.step_number not in kept_steps:
                round_.questions.remove(question)  # a question about a step no longer in consultation
    if round_.state is RoundState.scheduled:
        _require_schedulable(round_, now_utc())
    if changed:
        _touch(round_)
        _event(round_, "edited", user, fields=changed, **detail)
    _flush(round_)
    return changed


# The state machine -----------------------------------------------------------------------------------

# action → (states it starts from, state it leads to). Closing happens by time (tick); "published" is
# set by the "What we heard, what we did" page, which adds its own event.
TRANSITIONS: dict[str, tuple[tuple[RoundState, ...], RoundState]] = {
    "schedule": ((RoundState.draft,), RoundState.scheduled),
    "unschedule": ((RoundState.scheduled,), RoundState.draft),
    "open": ((RoundState.draft, RoundState.scheduled), RoundState.open),
    "summarize": ((RoundState.closed,), RoundState.summarized),
}


def transition_labels() -> dict[str, str]:
    return {"schedule": _("Schedule"), "unschedule": _("Back to draft"), "open": _("Open now"),
            "summarize": _("Mark as summarized")}


def possible_actions(round_: ConsultationRound) -> list[str]:
    return [name for name, (sources, _target) in TRANSITIONS.items() if round_.state in sources]


def _set_state(round_: ConsultationRound, state: RoundState, now: datetime) -> None:
    round_.state = state
    round_.state_changed_at = now


def transition(round_: ConsultationRound, action: str, user: User, expected_lock: Any = None) -> None:
    """Move the round along the state machine at a planner's request."""
    if expected_lock is not None:
        check_fresh(round_, expected_lock)
    if action not in TRANSITIONS or round_.state not in TRANSITIONS[action][0]:
        allowed = ", ".join(transition_labels()[a] for a in possible_actions(round_)) or _("none")
        raise RoundError(_("“%(action)s” is not possible while the round is “%(state)s”. Possible now: "
                           "%(allowed)s.", action=transition_labels().get(action, action),
                           state=round_.state_label, allowed=allowed))
    now = now_utc()
    if action == "schedule":
        _require_schedulable(round_, now)
        _set_state(round_, RoundState.scheduled, now)
        _event(round_, "scheduled", user, opens_at=_iso(round_.opens_at), closes_at=_iso(round_.closes_at))
        notify_invitations(round_, now)
    elif action == "unschedule":
        _set_state(round_, RoundState.draft, now)
        _event(round_, "unscheduled", user)
    elif action == "open":
        _require_schedulable(round_, now)
        if round_.opens_at > now:
            # Opened ahead of time: the stated opening is when it really opened.
            _event(round_, "opening_moved", user, old=_iso(round_.opens_at), new=_iso(now))
            round_.opens_at = now
        _set_state(round_, RoundState.open, now)
        _event(round_, "opened", user)
        told = notify_invitations(round_, now)
        notify_opened(round_, skip=told)
    elif action == "summarize":
        _set_state(round_, RoundState.summarized, now)
        _event(round_, "summarized", user)
    _flush(round_)


def extend(round_: ConsultationRound, user: User, expected_lock: Any, closes_at: datetime,
           reason: str | None = None) -> bool:
    """Move the closing later, for everyone. A round that is only `closed` (no summary yet) reopens.
    Returns True when it reopened."""
    check_fresh(round_, expected_lock)
    now = now_utc()
    if round_.state not in (RoundState.open, RoundState.closed):
        raise RoundError(_("A round can be extended while it is open, or after it closed as long as it has "
                           "not been summarized. This round is “%(state)s”.", state=round_.state_label))
    if closes_at <= round_.closes_at:
        raise RoundError(_("The new closing must come after the current one (%(current)s).",
                           current=datetime_filter(round_.closes_at)), "closes_at")
    if closes_at <= now:
        raise RoundError(_("The new closing must be in the future."), "closes_at")
    old = round_.closes_at
    reopened = round_.state is RoundState.closed
    round_.closes_at = closes_at
    if reopened:
        _set_state(round_, RoundState.open, now)
    _event(round_, "extended", user, old=_iso(old), new=_iso(closes_at), reopened=reopened,
           reason=reason or "")
    _flush(round_)
    return reopened


# Opening and closing on time -------------------------------------------------------------------------


def _due(state: RoundState, when: ColumnElement[bool]) -> list[int]:
    return list(db.session.scalars(select(ConsultationRound.id).where(ConsultationRound.state == state, when)
                                   .order_by(ConsultationRound.id)))


def _claim(round_id: int, source: RoundState, target: RoundState, when: ColumnElement[bool],
           now: datetime) -> ConsultationRound | None:
    """Move one round from `source` to `target` if it is still there and still due: the UPDATE's WHERE
    decides, so of two ticks (or a tick and an extension) only one wins."""
    result = db.session.execute(
        update(ConsultationRound)
        .where(ConsultationRound.id == round_id, ConsultationRound.state == source, when)
        .values(state=target, state_changed_at=now, updated_at=now,
                lock_version=ConsultationRound.lock_version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return None
    return db.session.get(ConsultationRound, round_id, populate_existing=True)


def open_due(now: datetime) -> list[int]:
    opened = []
    due = ConsultationRound.opens_at <= now
    for round_id in _due(RoundState.scheduled, due):
        round_ = _claim(round_id, RoundState.scheduled, RoundState.open, due, now)
        if round_ is None:
            continue
        _event(round_, "opened", None, at=now)
        if round_.closes_at > now:  # a round whose whole period passed while beat was down closes at once
            told = notify_invitations(round_, now)
            notify_opened(round_, skip=told)
        opened.append(round_id)
    db.session.flush()
    return opened


def close_due(now: datetime) -> list[int]:
    closed = []
    due = ConsultationRound.closes_at <= now
    for round_id in _due(RoundState.open, due):
        round_ = _claim(round_id, RoundState.open, RoundState.closed, due, now)
        if round_ is None:
            continue
        _event(round_, "closed", None, at=now, closes_at=_iso(round_.closes_at))
        closed.append(round_id)
    db.session.flush()
    return closed


def tick(now: datetime | None = None) -> dict[str, list[int]]:
    """Open the scheduled rounds whose opening has come and close the open ones whose closing has."""
    now = now or now_utc()
    return {"opened": open_due(now), "closed": close_due(now)}


# Guiding questions -----------------------------------------------------------------------------------


def _require_editable(round_: ConsultationRound) -> None:
    if not round_.is_editable:
        raise RoundError(_("The guiding questions can change only before the round opens."))


def steps_in_consultation(round_: ConsultationRound) -> list[int]:
    return sorted({version.step.number for version in round_.versions})


def add_question(round_: ConsultationRound, user: User, step_number: int, text: str) -> GuidingQuestion:
    _require_editable(round_)
    if step_number not in steps_in_consultation(round_):
        raise RoundError(_("Choose a step in consultation in this round."), "step_number")
    last = max((q.position for q in round_.questions if q.step_number == step_number), default=-1)
    question = GuidingQuestion(step_number=step_number, position=last + 1, text=text)
    round_.questions.append(question)
    _event(round_, "question_added", user, step=step_number)
    db.session.flush()
    return question


def edit_question(question: GuidingQuestion, user: User, text: str) -> None:
    _require_editable(question.round)
    if question.text != text:
        question.text = text
        _event(question.round, "question_edited", user, step=question.step_number)
    db.session.flush()


def move_question(question: GuidingQuestion, user: User, direction: str) -> None:
    round_ = question.round
    _require_editable(round_)
    siblings = sorted((q for q in round_.questions if q.step_number == question.step_number),
                      key=lambda q: (q.position, q.id))
    index = siblings.index(question)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(siblings):
        return  # already first or last: nothing to move
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    _event(round_, "question_moved", user, step=question.step_number)
    db.session.flush()


def remove_question(question: GuidingQuestion, user: User) -> None:
    round_ = question.round
    _require_editable(round_)
    round_.questions.remove(question)
    _event(round_, "question_removed", user, step=question.step_number)
    db.session.flush()


# Invitations -----------------------------------------------------------------------------------------


def _require_inviting(round_: ConsultationRound) -> None:
    if round_.has_closed:
        raise RoundError(_("The round is closed: its invitation list is now a record of who took part."))


def invite_organizations(round_: ConsultationRound, user: User, organizations: Iterable[Organization]) -> int:
    """Invite organizations not invited yet; their representatives are told unless the round is a draft
    (they are told when it is scheduled). Returns how many were added."""
    _require_inviting(round_)
    invited = {i.organization_id for i in round_.invitations}
    added = [o for o in organizations if o.id not in invited]
    for organization in added:
        round_.invitations.append(RoundInvitation(organization=organization))
    if added:
        _event(round_, "invited", user, parties=[o.name for o in added])
        if round_.state is not RoundState.draft:
            notify_invitations(round_, now_utc())
    db.session.flush()
    return len(added)


def include_establishment(round_: ConsultationRound, user: User) -> bool:
    _require_inviting(round_)
    if any(i.establishment_id is not None for i in round_.invitations):
        return False
    round_.invitations.append(RoundInvitation(establishment_id=round_.project.establishment_id))
    _event(round_, "invited", user, parties=[round_.project.establishment.name])
    db.session.flush()
    return True


def uninvite(invitation: RoundInvitation, user: User) -> None:
    """Take back an invitation made by mistake: only before the round opens and before any answer, so
    no answer and no participation is ever erased."""
    round_ = invitation.round
    if not round_.is_editable or invitation.state is not InvitationState.invited:
        raise RoundError(_("Only an invitation not answered yet, on a round not opened yet, can be taken back."))
    name = invitation.party_name
    round_.invitations.remove(invitation)
    _event(round_, "uninvited", user, parties=[name])
    db.session.flush()


# answer → (states it may come from, state it leads to). Declining has no consequence but the line.
ANSWERS: dict[str, tuple[tuple[InvitationState, ...], InvitationState]] = {
    "take_part": ((InvitationState.invited, InvitationState.declined, InvitationState.withdrew),
                  InvitationState.took_part),
    "decline": ((InvitationState.invited,), InvitationState.declined),
    "withdraw": ((InvitationState.took_part,), InvitationState.withdrew),
}


def answer_labels() -> dict[str, str]:
    return {"take_part": _("We take part"), "decline": _("We decline"), "withdraw": _("We withdraw")}


def possible_answers(invitation: RoundInvitation) -> list[str]:
    if invitation.round.state not in (RoundState.scheduled, RoundState.open):
        return []
    return [name for name, (sources, _target) in ANSWERS.items() if invitation.state in sources]


def answer_invitation(invitation: RoundInvitation, user: User, answer: str, reason: str | None = None) -> None:
    """A party's own answer: take part, decline (optional reason), or withdraw later (optional reason)."""
    if answer not in possible_answers(invitation):
        if invitation.round.state not in (RoundState.scheduled, RoundState.open):
            raise RoundError(_("Invitations are answered while the round is scheduled or open."))
        raise RoundError(_("This answer is not possible now: the invitation reads “%(state)s”.",
                           state=invitation.state_label), "answer")
    invitation.state = ANSWERS[answer][1]
    invitation.reason = (reason or None) if answer != "take_part" else None
    invitation.answered_at = now_utc()
    invitation.answered_by_id = user.id
    _event(invitation.round, "invitation_answered", user, party=invitation.party_name,
           state=invitation.state.value, reason=invitation.reason or "")
    db.session.flush()


def record_participation(round_: ConsultationRound, organization: Organization) -> RoundInvitation:
    """An organization took part (it submitted a brief): its line in the invitation list says so, and an
    organization that was not invited gets a line too, so the list shows everyone who took part."""
    invitation = db.session.query(RoundInvitation).filter_by(round_id=round_.id,
                                                             organization_id=organization.id).one_or_none()
    if invitation is None:
        invitation = RoundInvitation(round=round_, organization=organization)
        db.session.add(invitation)
    invitation.state = InvitationState.took_part
    invitation.answered_at = now_utc()
    db.session.flush()
    return invitation


# Notices ---------------------------------------------------------------------------------------------


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail, from a request or from a worker (CONSULT_BASE_URL)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = urlsplit(current_app.config["CONSULT_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def _context(round_: ConsultationRound, user: User) -> dict[str, Any]:
    """Plain values in the recipient's language: a digest renders them later, in another process."""
    with force_locale(LOCALES.get(user.locale, "fr_CA")):
        return {
            "title": round_.title, "project": round_.project.title,
            "establishment": round_.project.establishment.name,
            "level": round_.level_label, "level_meaning": round_.level_meaning,
            "budgets_in_scope": round_.budgets_in_scope, "audience": round_.audience_label,
            "opens_at": datetime_filter(round_.opens_at), "closes_at": datetime_filter(round_.closes_at),
            "steps": [str(STEP_TITLES[n]) for n in steps_in_consultation(round_)],
            "url": external_url("rounds.show", round_id=round_.id),
        }


def _representatives(organization: Organization) -> list[User]:
    return [m.user for m in organization.representatives() if not m.user.is_deleted]


def notify_invitations(round_: ConsultationRound, now: datetime) -> set[int]:
    """Tell the representatives of each invited organization not told yet. Returns who was told."""
    told: set[int] = set()
    for invitation in round_.invitations:
        if invitation.organization is None or invitation.notified_at is not None:
            continue
        for user in _representatives(invitation.organization):
            notify(user, "rounds/invited", organization=invitation.organization.name,
                   **_context(round_, user))
            told.add(user.id)
        invitation.notified_at = now
    return told


def notify_opened(round_: ConsultationRound, skip: set[int] | None = None) -> int:
    """The round opened: tell the project's followers and the representatives of invited organizations
    (not those that declined), each once."""
    skip = set(skip or ())
    recipients: dict[int, User] = {u.id: u for u in followers_of(round_.project_id)}
    for invitation in round_.invitations:
        if invitation.organization is not None and invitation.state in (InvitationState.invited,
                                                                        InvitationState.took_part):
            for user in _representatives(invitation.organization):
                recipients.setdefault(user.id, user)
    sent = 0
    for user_id, user in sorted(recipients.items()):
        if user_id in skip:
            continue
        notify(user, "rounds/opened", **_context(round_, user))
        sent += 1
    return sent
