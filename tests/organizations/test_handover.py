"""Relationships belong to the establishment: when a planner leaves, another takes over and the
handover is logged where the relationships are read."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import EstablishmentRole
from consult.core.db import db
from consult.organizations import registry
from consult.organizations.models import Handover, Side


def test_a_planner_records_a_handover_shown_on_the_relationship_pages(world, as_user):
    relationship, _ = registry.open_relationship(world.establishment, world.organization, world.planner,
                                                 Side.establishment)
    db.session.commit()
    client = as_user(world.other_planner)
    page = client.get(f"/establishments/{world.establishment.id}/handovers")
    assert page.status_code == 200 and 'name="from_user_id"' in page.text
    saved = client.post(f"/establishments/{world.establishment.id}/handovers", data={
        "from_user_id": world.planner.id, "to_user_id": world.other_planner.id, "handed_over_on": "2025-01-13",
        "note": "Je reprends les ententes du PALV."})
    assert saved.status_code == 302
    handover = db.session.scalar(select(Handover))
    assert (handover.from_user_id, handover.to_user_id, handover.recorded_by_id) == (
        world.planner.id, world.other_planner.id, world.other_planner.id)
    for url in (f"/establishments/{world.establishment.id}/relationships", f"/relationships/{relationship.id}",
                f"/establishments/{world.establishment.id}/handovers"):
        text = client.get(url).text
        assert "Handovers" in text and "January 13, 2025" in text, url
        assert "Je reprends les ententes du PALV." in text and "Geneviève Planif" in text, url
    # The organization's side sees who took over on its record too.
    assert "Martin Planif" in as_user(world.representative).get(f"/relationships/{relationship.id}").text


def test_the_person_leaving_may_already_have_lost_the_planner_role(world, as_user):
    relationship, _ = registry.open_relationship(world.establishment, world.organization, world.planner,
                                                 Side.establishment)
    db.session.execute(db.delete(EstablishmentRole).where(EstablishmentRole.user_id == world.planner.id))
    db.session.commit()
    client = as_user(world.admin)
    page = client.get(f"/establishments/{world.establishment.id}/handovers")
    assert f'<option value="{world.planner.id}">' in page.text  # found in the relationship's history
    saved = client.post(f"/establishments/{world.establishment.id}/handovers", data={
        "from_user_id": world.planner.id, "to_user_id": world.other_planner.id, "handed_over_on": "2025-02-01"})
    assert saved.status_code == 302
    assert db.session.scalar(select(Handover.recorded_by_id)) == world.admin.id
    assert relationship.establishment_id == world.establishment.id


def test_the_person_taking_over_must_be_a_planner_and_someone_else(world, as_user):
    client = as_user(world.planner)
    same = client.post(f"/establishments/{world.establishment.id}/handovers", data={
        "from_user_id": world.planner.id, "to_user_id": world.planner.id, "handed_over_on": "2025-01-13"})
    assert same.status_code == 422 and "must be someone else" in same.text
    outsider = client.post(f"/establishments/{world.establishment.id}/handovers", data={
        "from_user_id": world.planner.id, "to_user_id": world.citizen.id, "handed_over_on": "2025-01-13"})
    assert outsider.status_code == 422 and "Choose a person from the list." in outsider.text
    assert db.session.scalar(select(func.count(Handover.id))) == 0


def test_only_planners_of_the_establishment_and_admins_record_handovers(world, as_user, make_user):
    stranger = make_user("ailleurs@exemple.ca", locale="en", planner=world.other_establishment)
    data = {"from_user_id": world.planner.id, "to_user_id": world.other_planner.id, "handed_over_on": "2025-01-13"}
    for person in (world.representative, world.member, world.citizen, stranger):
        client = as_user(person)
        assert client.get(f"/establishments/{world.establishment.id}/handovers").status_code == 403
        assert client.post(f"/establishments/{world.establishment.id}/handovers", data=data).status_code == 403
        assert client.get(f"/establishments/{world.establishment.id}/relationships").status_code == 403
    assert db.session.scalar(select(func.count(Handover.id))) == 0
