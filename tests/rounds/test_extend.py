"""Extending a round moves its closing for everyone, is logged with the old and new times, reopens a
round that is only closed, and is refused when it would not extend anything."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.rounds import services
from consult.rounds.models import RoundEvent, RoundState
from tests.rounds.conftest import local


def _extended(round_id: int) -> list[RoundEvent]:
    return list(db.session.scalars(select(RoundEvent).where(RoundEvent.round_id == round_id,
                                                            RoundEvent.kind == "extended")))


def test_extending_an_open_round_is_logged_with_both_times(client, consultation):
    round_ = consultation.round
    old = round_.closes_at
    client.login(consultation.planner)
    form = client.get(f"/rounds/{round_.id}/extend")
    assert form.status_code == 200
    response = client.post(f"/rounds/{round_.id}/extend", data={
        "closes_at": local(timedelta(days=30)), "reason": "Plusieurs organismes ont demandé un délai.",
        "lock_version": round_.lock_version}, follow_redirects=True)
    assert response.status_code == 200 and "The closing moved to" in response.text
    db.session.refresh(round_)
    assert round_.closes_at > old + timedelta(days=9)
    [event] = _extended(round_.id)
    assert event.actor_id == consultation.planner.id
    assert event.detail["old"] == old.isoformat() and event.detail["new"] == round_.closes_at.isoformat()
    assert event.detail["reopened"] is False
    history = client.get(f"/rounds/{round_.id}/history").text
    assert "Closing extended" in history and "Plusieurs organismes ont demandé un délai." in history


def test_extending_a_closed_round_reopens_it_for_everyone(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    assert not c.round.is_open()
    client.login(c.planner)
    response = client.post(f"/rounds/{c.round.id}/extend", data={
        "closes_at": local(timedelta(days=7)), "lock_version": c.round.lock_version}, follow_redirects=True)
    assert "The round reopened; it now closes on" in response.text
    db.session.refresh(c.round)
    assert c.round.state is RoundState.open and c.round.is_open()
    assert _extended(c.round.id)[0].detail["reopened"] is True
    assert "The round had closed: it reopened for everyone." in client.get(f"/rounds/{c.round.id}/history").text
    # The next tick does not close it again before the new time.
    assert services.tick() == {"opened": [], "closed": []}


def test_an_earlier_or_past_closing_is_refused(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    client.login(c.planner)
    earlier = client.post(f"/rounds/{c.round.id}/extend", data={
        "closes_at": local(timedelta(days=-3)), "lock_version": c.round.lock_version})
    assert earlier.status_code == 422 and "The new closing must come after the current one" in earlier.text
    past = client.post(f"/rounds/{c.round.id}/extend", data={
        "closes_at": local(timedelta(hours=-2)), "lock_version": c.round.lock_version})
    assert past.status_code == 422 and "The new closing must be in the future." in past.text
    db.session.refresh(c.round)
    assert c.round.state is RoundState.closed and _extended(c.round.id) == []


def test_a_summarized_round_is_not_extended(client, make_consultation):
    c = make_consultation(round_state=RoundState.summarized)
    client.login(c.planner)
    page = client.get(f"/rounds/{c.round.id}/extend", follow_redirects=True)
    assert "as long as it has not been summarized" in page.text
    try:
        services.extend(c.round, c.planner, c.round.lock_version, now_utc() + timedelta(days=5))
    except services.RoundError as error:
        # Outside a request (a command, a worker), the message is in French, the default language.
        assert "tant que sa synthèse n'est pas faite" in error.message
    else:
        raise AssertionError("a summarized round was extended")
    assert c.round.state is RoundState.summarized


def test_only_planners_extend(client, consultation):
    for user in (consultation.citizen, consultation.representative, consultation.moderator):
        client.login(user)
        response = client.post(f"/rounds/{consultation.round.id}/extend", data={
            "closes_at": local(timedelta(days=60)), "lock_version": consultation.round.lock_version})
        assert response.status_code == 403
        client.logout()
    assert _extended(consultation.round.id) == []
