"""The beat scheduler's tick opens and closes rounds on time, tells followers and invited organizations
once, and changes nothing when run again or when two ticks race; input is refused once closing time
has passed even before the tick runs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from consult.core.db import db, now_utc
from consult.notifications.models import Follow
from consult.rounds import services, tasks
from consult.rounds.models import ConsultationRound, RoundEvent, RoundInvitation, RoundState
from tests.rounds.conftest import mails, mails_to


def _count(kind: str, round_id: int) -> int:
    return db.session.scalar(select(func.count(RoundEvent.id)).where(RoundEvent.round_id == round_id,
                                                                     RoundEvent.kind == kind))


def _due_scheduled(c) -> ConsultationRound:
    """A scheduled round whose opening time has just passed, with Carrefour invited and one follower."""
    c.round.opens_at = now_utc() - timedelta(minutes=1)
    c.round.invitations.append(RoundInvitation(organization=c.organization))
    db.session.add(Follow(user_id=c.citizen.id, project_id=c.project.id))
    db.session.commit()
    return c.round


def test_the_tick_opens_a_due_round_and_tells_people_once(make_consultation):
    c = make_consultation(round_state=RoundState.scheduled)
    round_ = _due_scheduled(c)
    lock = round_.lock_version
    result = tasks.tick.apply().get()  # the Celery task, run eagerly, owns its commit
    assert result == {"opened": [round_.id], "closed": []}
    db.session.expire_all()
    assert round_.state is RoundState.open and round_.is_open()
    assert round_.lock_version == lock + 1  # a planner's form opened before is now stale
    opened = db.session.scalar(select(RoundEvent).where(RoundEvent.round_id == round_.id,
                                                        RoundEvent.kind == "opened"))
    assert opened.actor_id is None
    to_citizen = mails_to("citoyen@exemple.ca")
    # The citizen reads French: "Une consultation est ouverte : …" with Québec's no-break space before the colon.
    assert [m.subject for m in to_citizen] == ["Une consultation est ouverte\u00a0: Consultation sur le portrait "
                                               "des besoins"]
    assert f"/rounds/{round_.id}" in to_citizen[0].body_text
    # The representative had not been told of the invitation yet: one message, the invitation, which
    # already says the round is open; the opening notice is not sent on top of it.
    to_representative = [m.subject for m in mails_to("rep@exemple.ca")]
    assert len(to_representative) == 1 and "is invited to a consultation" in to_representative[0]
    sent = len(mails())
    assert tasks.tick.apply().get() == {"opened": [], "closed": []}
    assert len(mails()) == sent and _count("opened", round_.id) == 1


def test_the_notice_is_in_the_recipients_language(make_consultation):
    c = make_consultation(round_state=RoundState.scheduled)
    round_ = _due_scheduled(c)
    db.session.add(Follow(user_id=c.planner.id, project_id=c.project.id))  # the planner reads English
    db.session.commit()
    services.tick()
    db.session.commit()
    english = mails_to("planif@exemple.ca")[0].body_text
    assert "is open until" in english and "Budgets are not in scope." in english
    assert round_.closes_at.strftime("%Y") in english


def test_the_tick_closes_a_round_whose_time_has_come(consultation):
    round_ = consultation.round
    round_.closes_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    # Before the tick runs, the round already takes no input: the clock decides, not only the state.
    assert round_.state is RoundState.open and not round_.is_open()
    assert services.tick() == {"opened": [], "closed": [round_.id]}
    db.session.commit()
    db.session.refresh(round_)
    assert round_.state is RoundState.closed and round_.has_closed
    assert services.tick() == {"opened": [], "closed": []}
    assert _count("closed", round_.id) == 1


def test_nothing_happens_before_time(make_consultation):
    scheduled = make_consultation(round_state=RoundState.scheduled)
    assert services.tick() == {"opened": [], "closed": []}
    db.session.refresh(scheduled.round)
    assert scheduled.round.state is RoundState.scheduled and not scheduled.round.is_open()
    assert mails() == []


def test_two_ticks_racing_open_and_notify_once(make_consultation):
    c = make_consultation(round_state=RoundState.scheduled)
    round_ = _due_scheduled(c)
    now = now_utc()
    # A second tick saw the round as due, then the first tick opened it and committed.
    seen_by_second = services._due(RoundState.scheduled, ConsultationRound.opens_at <= now)
    assert seen_by_second == [round_.id]
    services.tick(now)
    db.session.commit()
    sent = len(mails())
    # The second tick's claim finds the round no longer scheduled: it does nothing.
    assert services._claim(round_.id, RoundState.scheduled, RoundState.open,
                           ConsultationRound.opens_at <= now, now) is None
    assert services.open_due(now) == []
    db.session.commit()
    assert _count("opened", round_.id) == 1 and len(mails()) == sent


def test_an_extension_racing_the_closing_tick_wins(consultation):
    round_ = consultation.round
    now = now_utc()
    round_.closes_at = now - timedelta(seconds=1)
    db.session.commit()
    seen_by_tick = services._due(RoundState.open, ConsultationRound.closes_at <= now)
    services.extend(round_, consultation.planner, round_.lock_version, now + timedelta(days=3))
    db.session.commit()
    assert seen_by_tick == [round_.id]
    assert services._claim(round_.id, RoundState.open, RoundState.closed,
                           ConsultationRound.closes_at <= now, now) is None
    db.session.refresh(round_)
    assert round_.state is RoundState.open and round_.is_open()


def test_a_round_whose_whole_period_passed_opens_and_closes_silently(make_consultation):
    c = make_consultation(round_state=RoundState.scheduled)
    _due_scheduled(c)
    c.round.opens_at = now_utc() - timedelta(days=3)
    c.round.closes_at = now_utc() - timedelta(days=1)
    db.session.commit()
    assert services.tick() == {"opened": [c.round.id], "closed": [c.round.id]}
    db.session.commit()
    db.session.refresh(c.round)
    assert c.round.state is RoundState.closed
    assert mails() == []  # nobody is invited to something already over


def test_declined_organizations_are_not_told_of_the_opening(make_consultation):
    c = make_consultation(round_state=RoundState.scheduled)
    round_ = _due_scheduled(c)
    invitation = next(i for i in round_.invitations if i.organization_id == c.organization.id)
    services.notify_invitations(round_, now_utc())
    db.session.commit()
    services.answer_invitation(invitation, c.representative, "decline", "Pas cette fois.")
    db.session.commit()
    before = len(mails_to("rep@exemple.ca"))
    services.tick()
    db.session.commit()
    assert len(mails_to("rep@exemple.ca")) == before
    assert len(mails_to("citoyen@exemple.ca")) == 1
