"""Planners prepare a round (times typed in Montréal time), are warned about a short one, refused when
the dates or versions make no sense, and move it draft → scheduled → open → closed → summarized; each
step is in the history and a stale save never overwrites someone else's change."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.projects import services as projects
from consult.rounds import services
from consult.rounds.models import ConsultationRound, InvitationState, RoundEvent, RoundState
from tests.rounds.conftest import local, round_form


def _new_round() -> ConsultationRound:
    return db.session.scalar(select(ConsultationRound).where(
        ConsultationRound.title == "Deuxième consultation sur le portrait"))


def _events(round_id: int) -> list[str]:
    return list(db.session.scalars(select(RoundEvent.kind).where(RoundEvent.round_id == round_id)
                                   .order_by(RoundEvent.id)))


def test_a_planner_creates_a_draft_in_montreal_time(client, consultation):
    client.login(consultation.planner)
    form = client.get(f"/projects/{consultation.project.id}/rounds/new")
    assert form.status_code == 200
    # The latest published version of each step is ticked by default.
    ticked = re.findall(r'<input checked[^>]*value="(\d+)"', form.text)
    assert sorted(map(int, ticked)) == sorted([consultation.needs_version.id, consultation.gaps_version.id])
    response = client.post(f"/projects/{consultation.project.id}/rounds/new", data=round_form(
        consultation, opens_at="2026-10-01T09:00", closes_at="2026-11-15T17:00"))
    assert response.status_code == 302
    round_ = _new_round()
    assert round_.state is RoundState.draft
    # October 1 is daylight time (UTC−4); November 15 is standard time (UTC−5).
    assert round_.opens_at == datetime(2026, 10, 1, 13, 0, tzinfo=UTC)
    assert round_.closes_at == datetime(2026, 11, 15, 22, 0, tzinfo=UTC)
    assert [v.id for v in round_.versions] == [consultation.needs_version.id]
    # The establishment's own line is on the list from the start.
    assert [(i.establishment_id, i.state) for i in round_.invitations] == [
        (consultation.establishment.id, InvitationState.invited)]
    assert _events(round_.id) == ["created"]
    edit = client.get(f"/rounds/{round_.id}/edit")
    assert 'value="2026-10-01T09:00"' in edit.text and 'value="2026-11-15T17:00"' in edit.text


def test_closing_before_opening_and_no_version_are_refused(client, consultation):
    client.login(consultation.planner)
    url = f"/projects/{consultation.project.id}/rounds/new"
    backwards = client.post(url, data=round_form(consultation, closes_at=local(timedelta(days=1))))
    assert backwards.status_code == 422
    assert "The closing must come after the opening." in backwards.text
    none_chosen = client.post(url, data=round_form(consultation, version_ids=[]))
    assert none_chosen.status_code == 422
    assert "Choose at least one published version to put in consultation." in none_chosen.text
    foreign = client.post(url, data=round_form(consultation, version_ids=[999999]))
    assert foreign.status_code == 422
    assert "Choose among the published versions." in foreign.text
    assert _new_round() is None


def test_one_version_per_step(client, consultation):
    step = consultation.project.step(1)
    projects.transition(step, "close", consultation.planner)
    adopted = projects.transition(step, "adopt", consultation.planner)
    db.session.commit()
    client.login(consultation.planner)
    both = client.post(f"/projects/{consultation.project.id}/rounds/new", data=round_form(
        consultation, version_ids=[consultation.needs_version.id, adopted.id]))
    assert both.status_code == 422
    assert "Choose one version per step" in both.text
    form = client.get(f"/projects/{consultation.project.id}/rounds/new")
    ticked = re.findall(r'<input checked[^>]*value="(\d+)"', form.text)
    assert str(adopted.id) in ticked and str(consultation.needs_version.id) not in ticked


def test_a_short_round_is_saved_with_a_clear_warning(client, consultation):
    client.login(consultation.planner)
    response = client.post(f"/projects/{consultation.project.id}/rounds/new", data=round_form(
        consultation, opens_at=local(timedelta(days=1)), closes_at=local(timedelta(days=11))), follow_redirects=True)
    assert response.status_code == 200
    assert "This round lasts 10 days, less than the 30 days recommended." in response.text
    assert _new_round().state is RoundState.draft
    long_enough = client.post(f"/projects/{consultation.project.id}/rounds/new", data=round_form(
        consultation, title="Longue", opens_at=local(timedelta(days=1)), closes_at=local(timedelta(days=32))),
        follow_redirects=True)
    assert "less than the 30 days recommended" not in long_enough.text


def test_the_minimum_comes_from_configuration(app, consultation):
    app.config["CONSULT_ROUND_MIN_DAYS"] = 60
    try:
        with app.test_request_context():
            assert services.short_round_warning(consultation.round)  # 30 days (10 past + 20 left) < 60
            app.config["CONSULT_ROUND_MIN_DAYS"] = 20
            assert services.short_round_warning(consultation.round) is None
    finally:
        app.config["CONSULT_ROUND_MIN_DAYS"] = 30


def _transition(client, round_: ConsultationRound, action: str):
    db.session.refresh(round_)
    return client.post(f"/rounds/{round_.id}/transition", data={"action": action,
                                                                 "lock_version": round_.lock_version},
                       follow_redirects=True)


def test_scheduling_checks_mandate_versions_and_closing(client, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    client.login(c.planner)
    c.round.mandate = "   "
    c.round.closes_at = now_utc() - timedelta(hours=1)
    c.round.opens_at = now_utc() - timedelta(days=3)
    db.session.commit()
    refused = _transition(client, c.round, "schedule")
    assert "Write the mandate" in refused.text and "The closing time is already past" in refused.text
    db.session.refresh(c.round)
    assert c.round.state is RoundState.draft
    c.round.mandate = "Un mandat clair."
    c.round.closes_at = now_utc() + timedelta(days=40)
    c.round.versions = []
    db.session.commit()
    refused = _transition(client, c.round, "schedule")
    assert "Choose at least one published version" in refused.text
    db.session.refresh(c.round)
    assert c.round.state is RoundState.draft


def test_the_whole_life_of_a_round(client, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    client.login(c.planner)
    round_id = c.round.id
    scheduled = _transition(client, c.round, "schedule")
    assert "The round is now “Scheduled”." in scheduled.text
    back = _transition(client, c.round, "unschedule")
    assert "The round is now “Draft”." in back.text
    _transition(client, c.round, "schedule")
    # Summarizing is refused before the round has closed.
    refused = _transition(client, c.round, "summarize")
    assert "“Mark as summarized” is not possible while the round is “Scheduled”." in refused.text
    before = now_utc()
    _transition(client, c.round, "open")
    db.session.refresh(c.round)
    assert c.round.state is RoundState.open and c.round.is_open()
    # Opened ahead of time: its stated opening is when it really opened.
    assert before - timedelta(seconds=5) <= c.round.opens_at <= now_utc()
    services.tick(c.round.closes_at + timedelta(seconds=1))
    db.session.commit()
    db.session.refresh(c.round)
    assert c.round.state is RoundState.closed
    _transition(client, c.round, "summarize")
    db.session.refresh(c.round)
    assert c.round.state is RoundState.summarized
    assert _events(round_id) == ["scheduled", "unscheduled", "scheduled", "opening_moved", "opened", "closed",
                                 "summarized"]
    actors = db.session.execute(select(RoundEvent.kind, RoundEvent.actor_id).where(
        RoundEvent.round_id == round_id)).all()
    assert ("closed", None) in actors and ("opened", c.planner.id) in actors
    history = client.get(f"/rounds/{round_id}/history")
    assert "automatically, by the scheduler" in history.text and "Marked as summarized" in history.text


def test_published_rounds_set_elsewhere_are_shown_not_blocked(client, make_consultation):
    """The "What we heard" page publishes a round by setting its state and adding an event."""
    c = make_consultation(round_state=RoundState.summarized)
    c.round.state = RoundState.published
    db.session.add(RoundEvent(round=c.round, kind="published", actor_id=c.planner.id))
    db.session.commit()
    page = client.get(f"/rounds/{c.round.id}")  # a visitor sees the page in French
    assert page.status_code == 200 and "Résultats publiés" in page.text
    client.login(c.planner)
    assert "Results published" in client.get(f"/rounds/{c.round.id}/history").text


def test_only_a_draft_or_scheduled_round_is_edited(client, consultation):
    client.login(consultation.planner)
    round_ = consultation.round  # open
    page = client.get(f"/rounds/{round_.id}/edit")
    assert page.status_code == 302
    posted = client.post(f"/rounds/{round_.id}/edit", data=round_form(
        consultation, title="Changé", lock_version=round_.lock_version), follow_redirects=True)
    assert "can no longer be edited" in posted.text
    db.session.refresh(round_)
    assert round_.title == "Consultation sur le portrait des besoins"
    try:
        services.update_round(round_, consultation.planner, round_.lock_version, services.RoundData(
            "Changé", "m", round_.participation_level, False, round_.audience, round_.opens_at, round_.closes_at,
            list(round_.versions)))
    except services.RoundError as error:
        assert "ne peut plus être modifiée" in error.message  # outside a request: French, the default
    else:
        raise AssertionError("an open round was edited")


def test_a_stale_edit_is_refused_and_shows_the_current_values(client, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    client.login(c.planner)
    seen = c.round.lock_version
    first = client.post(f"/rounds/{c.round.id}/edit", data=round_form(c, title="Version A", lock_version=seen))
    assert first.status_code == 302
    second = client.post(f"/rounds/{c.round.id}/edit", data=round_form(c, title="Version B", lock_version=seen))
    assert second.status_code == 409
    assert "This round was changed since you opened it" in second.text
    assert 'value="Version A"' in second.text
    db.session.refresh(c.round)
    assert c.round.title == "Version A"
    edited = db.session.scalar(select(RoundEvent).where(RoundEvent.round_id == c.round.id,
                                                        RoundEvent.kind == "edited"))
    assert "title" in edited.detail["fields"]


def test_changing_versions_drops_questions_of_steps_left_out(client, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    services.add_question(c.round, c.planner, 3, "Les écarts sont-ils les bons?")
    services.add_question(c.round, c.planner, 1, "Le portrait est-il juste?")
    db.session.commit()
    client.login(c.planner)
    response = client.post(f"/rounds/{c.round.id}/edit", data=round_form(
        c, version_ids=[c.needs_version.id], lock_version=c.round.lock_version))
    assert response.status_code == 302
    db.session.refresh(c.round)
    assert [q.text for q in c.round.questions] == ["Le portrait est-il juste?"]
