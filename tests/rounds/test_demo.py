"""The demo holds an open round on the PALV needs portrait, with questions and invitations, loaded once
however many times it runs."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from consult.core.db import db
from consult.organizations import demo as organizations_demo
from consult.projects import demo as projects_demo
from consult.rounds import demo
from consult.rounds.models import ConsultationRound, InvitationState, RoundState
from consult.seed import Report, Seeder


def _load() -> Report:
    report = Seeder().run()
    projects_demo.load(report)
    organizations_demo.load(report)
    demo.load(report)
    db.session.commit()
    return report


def test_the_demo_round_is_open_and_loaded_once(client):
    assert _load().created["consultation rounds"] == 1
    second = _load()
    assert second.created["consultation rounds"] == 0 and second.existing["consultation rounds"] == 1
    assert db.session.scalar(select(func.count(ConsultationRound.id))) == 1
    round_ = db.session.scalar(select(ConsultationRound))
    assert round_.title == demo.TITLE and round_.state is RoundState.open and round_.is_open()
    assert 34 <= round_.days_left() <= 35
    assert [v.step.number for v in round_.versions] == [1]
    assert len(round_.questions) == len(demo.QUESTIONS)
    states = {i.party_name: i.state for i in round_.invitations}
    assert states["CSSS du Centre-Est de Montréal"] is InvitationState.took_part
    assert states[demo.CARREFOUR] is InvitationState.took_part
    assert InvitationState.invited in states.values()

    page = client.get(f"/rounds/{round_.id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Portrait des besoins — consultation d'automne 2026" in text
    assert "Le portrait décrit-il bien la réalité" in text
    assert "Isolement social des aînés vivant seuls" in text
    assert "Répit Proches aidants du Canal" in text
    assert demo.TITLE in html.unescape(client.get("/rounds").text)


def test_the_demo_planner_sees_the_history(client):
    from consult.seed import DEMO_PASSWORD

    _load()
    round_ = db.session.scalar(select(ConsultationRound))
    client.post("/login", data={"email": demo.PLANNER, "password": DEMO_PASSWORD})
    client.get("/lang/en")  # the demo planner reads French by default; these assertions are on the English wording
    history = client.get(f"/rounds/{round_.id}/history")
    assert history.status_code == 200
    assert "automatically, by the scheduler" in history.text and "Invitation answered" in history.text
    assert "an account since deleted" not in history.text
    for path in ("/invitations", "/questions", "/extend"):
        assert client.get(f"/rounds/{round_.id}{path}").status_code == 200, path
    assert client.get(f"/projects/{round_.project_id}/rounds").status_code == 200
