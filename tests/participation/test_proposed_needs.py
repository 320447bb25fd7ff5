"""Proposed needs: a participant proposes a missing need with its local area; planners accept it into the
working copy of the needs portrait (the link is kept, to the working need for planners and to the
published need once a later version carries it) or decline it; only while the portrait is editable."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.core.db import db
from consult.participation.models import ProposedNeed, ProposedNeedState
from consult.projects import services as projects
from consult.projects.models import Determinant, Level3, Need
from consult.rounds.models import RoundState
from consult.territories.models import Level, TerritoryNode


def english(client) -> None:
    client.get("/lang/en")


def proposed_count() -> int:
    return db.session.scalar(select(func.count(ProposedNeed.id)))


def propose(client, c, **data):
    values = {"title": "Répit pour les proches aidants", "description": "Le soir, personne ne prend le relais.",
              "area_id": str(c.area.id)}
    values.update(data)
    return client.post(f"/rounds/{c.round.id}/proposed-needs/new", data=values)


def _proposed(c) -> ProposedNeed:
    return db.session.scalar(select(ProposedNeed).order_by(ProposedNeed.id.desc()))


def test_a_citizen_proposes_a_need_in_a_local_area_of_the_project(client, consultation):
    c = consultation
    client.login(c.citizen)
    english(client)
    form = client.get(f"/rounds/{c.round.id}/proposed-needs/new")
    assert form.status_code == 200
    assert "Centre-Sud" in form.text and "CSSS" not in form.text.split("<form")[1].split("</form>")[0]
    posted = propose(client, c)
    assert posted.status_code == 302
    made = _proposed(c)
    assert posted.headers["Location"].endswith(f"/proposed-needs/{made.id}")
    assert (made.title, made.area_id, made.version_id, made.state) == (
        "Répit pour les proches aidants", c.area.id, c.needs_version.id, ProposedNeedState.proposed)
    listing = client.get(f"/rounds/{c.round.id}/proposed-needs")
    assert listing.status_code == 200 and "Répit pour les proches aidants" in listing.text
    page = client.get(f"/proposed-needs/{made.id}")
    assert "Le soir, personne ne prend le relais." in page.text and "Centre-Sud" in page.text
    assert "Accept into the portrait" not in page.text


def test_an_area_outside_the_projects_territory_and_empty_fields_are_refused(client, consultation):
    c = consultation
    elsewhere = TerritoryNode(code="02", name="Saguenay–Lac-Saint-Jean", level=Level.region)
    db.session.add(elsewhere)
    db.session.commit()
    client.login(c.citizen)
    english(client)
    outside = propose(client, c, area_id=str(elsewhere.id))
    assert outside.status_code == 422 and "Choose a local area from the list." in outside.text
    empty = propose(client, c, title="  ", description="")
    assert empty.status_code == 422
    assert "Name the need in a few words." in empty.text and "Describe the need" in empty.text
    too_long = propose(client, c, title="x" * 301)
    assert too_long.status_code == 422 and "A title has at most 300 characters." in too_long.text
    assert proposed_count() == 0
    no_area = propose(client, c, area_id="")
    assert no_area.status_code == 302 and _proposed(c).area_id is None


def test_a_closed_round_takes_no_proposed_need(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    client.login(c.citizen)
    english(client)
    refused = propose(client, c)
    assert refused.status_code in (403, 422) and "This consultation is closed" in refused.text
    assert proposed_count() == 0
    assert client.get(f"/rounds/{c.round.id}/proposed-needs").status_code == 200  # still readable


def test_a_round_without_the_needs_portrait_has_no_proposed_needs(client, consultation):
    c = consultation
    c.round.versions = [c.gaps_version]
    db.session.commit()
    client.login(c.citizen)
    assert client.get(f"/rounds/{c.round.id}/proposed-needs/new").status_code == 404
    assert client.get(f"/rounds/{c.round.id}/proposed-needs").status_code == 404


def test_the_planner_accepts_a_proposed_need_and_the_link_is_kept(client, consultation):
    c = consultation
    client.login(c.citizen)
    propose(client, c)
    made = _proposed(c)
    client.logout()

    client.login(c.citizen)
    english(client)
    assert client.post(f"/proposed-needs/{made.id}/accept", data={}).status_code == 403
    client.logout()

    client.login(c.planner)
    english(client)
    page = client.get(f"/proposed-needs/{made.id}")
    assert "Accept into the portrait" in page.text and "Do not add it" in page.text
    accepted = client.post(f"/proposed-needs/{made.id}/accept", data={"determinant": "other", "priority": "high"})
    assert accepted.status_code == 302
    db.session.expire_all()
    made = db.session.get(ProposedNeed, made.id)
    need = db.session.scalar(select(Need).where(Need.title == "Répit pour les proches aidants"))
    assert need is not None and need.project_id == c.project.id
    assert need.description == "Le soir, personne ne prend le relais."
    assert [a.id for a in need.areas] == [c.area.id]
    assert (need.determinant, need.priority) == (Determinant.other, Level3.high)
    assert made.state is ProposedNeedState.accepted and made.accepted_need_uid == need.uid
    assert made.accepted_by_id == c.planner.id and made.accepted_at is not None
    page = client.get(f"/proposed-needs/{made.id}")
    assert f"/projects/{c.project.id}/work/items/{need.uid}" in page.text
    assert "Accept into the portrait" not in page.text
    again = client.post(f"/proposed-needs/{made.id}/accept", data={"determinant": "other", "priority": "medium"})
    assert again.status_code == 422 and "already added" in again.text
    assert db.session.scalar(select(func.count(Need.id)).where(Need.title == made.title)) == 1
    client.logout()

    # Readers see no working-copy link; once the portrait's next version carries the need, everyone is led to it.
    english(client)
    public = client.get(f"/proposed-needs/{made.id}")
    assert "/work/items/" not in public.text and "It will be public with the portrait" in public.text
    step = c.project.step(1)
    projects.transition(step, "close", c.planner)
    version = projects.transition(step, "adopt", c.planner)
    db.session.commit()
    public = client.get(f"/proposed-needs/{made.id}")
    assert f"/projects/versions/{version.id}/items/{need.uid}" in public.text


def test_default_determinant_and_priority_and_a_decline(client, consultation):
    c = consultation
    client.login(c.citizen)
    propose(client, c, title="Premier besoin")
    first = _proposed(c)
    propose(client, c, title="Second besoin", area_id="")
    second = _proposed(c)
    client.logout()
    client.login(c.planner)
    english(client)
    form = client.get(f"/proposed-needs/{first.id}")
    assert '<option selected value="other">' in form.text and '<option selected value="medium">' in form.text
    client.post(f"/proposed-needs/{first.id}/accept", data={"determinant": "other", "priority": "medium"})
    declined = client.post(f"/proposed-needs/{second.id}/decline", follow_redirects=True)
    assert declined.status_code == 200 and "Not added" in declined.text
    db.session.expire_all()
    assert db.session.get(ProposedNeed, second.id).state is ProposedNeedState.declined
    assert db.session.get(ProposedNeed, second.id).accepted_need_uid is None
    need = db.session.scalar(select(Need).where(Need.title == "Premier besoin"))
    assert (need.determinant, need.priority) == (Determinant.other, Level3.medium)
    assert db.session.scalar(select(func.count(Need.id)).where(Need.title == "Second besoin")) == 0
    twice = client.post(f"/proposed-needs/{second.id}/decline")
    assert twice.status_code == 422 and "already made" in twice.text


def test_no_acceptance_once_the_portrait_is_adopted(client, consultation):
    c = consultation
    client.login(c.citizen)
    propose(client, c)
    made = _proposed(c)
    step = c.project.step(1)
    projects.transition(step, "close", c.planner)
    projects.transition(step, "adopt", c.planner)
    db.session.commit()
    client.logout()
    client.login(c.planner)
    english(client)
    page = client.get(f"/proposed-needs/{made.id}")
    assert "The needs portrait is adopted" in page.text
    refused = client.post(f"/proposed-needs/{made.id}/accept", data={"determinant": "other", "priority": "medium"})
    assert refused.status_code == 422 and "The needs portrait is adopted" in refused.text
    db.session.expire_all()
    assert db.session.get(ProposedNeed, made.id).state is ProposedNeedState.proposed
    assert db.session.scalar(select(func.count(Need.id)).where(Need.title == made.title)) == 0


def test_planners_of_another_establishment_do_not_decide(client, consultation, make_user):
    c = consultation
    client.login(c.citizen)
    propose(client, c)
    made = _proposed(c)
    client.logout()
    stranger = make_user("ailleurs@exemple.ca", planner=c.other_establishment)
    client.login(stranger)
    assert client.post(f"/proposed-needs/{made.id}/accept", data={"determinant": "other",
                                                                  "priority": "medium"}).status_code == 403
    assert client.post(f"/proposed-needs/{made.id}/decline").status_code == 403
    db.session.expire_all()
    assert db.session.get(ProposedNeed, made.id).state is ProposedNeedState.proposed


def test_a_hidden_proposed_need_shows_its_reason(client, consultation):
    from consult.core.db import now_utc

    c = consultation
    client.login(c.citizen)
    propose(client, c, description="Texte à masquer")
    made = _proposed(c)
    made.hidden_at, made.hidden_reason = now_utc(), "Renseignements personnels"
    db.session.commit()
    client.logout()
    english(client)
    for url in (f"/proposed-needs/{made.id}", f"/rounds/{c.round.id}/proposed-needs"):
        page = client.get(url)
        assert "Hidden by moderation: Renseignements personnels" in page.text
        assert "Texte à masquer" not in page.text and "Répit pour les proches aidants" not in page.text
