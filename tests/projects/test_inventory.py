"""Step 2: the establishment proposes entries about organizations; each organization confirms, edits or
declines its own, and every change is kept with who made it."""

from __future__ import annotations

from sqlalchemy import select

from consult.core.db import db
from consult.projects.models import Listing, Service, ServiceChange
from tests.projects.conftest import add_need, publish


def _service_form(world, need, **extra):
    data = {"name": "Popote roulante", "description": "Repas livrés.", "provider_id": world.organization.id,
            "provider_kind": "community", "programme_id": world.programme.id, "area_ids": [world.areas[0].id],
            "capacity": "40 repas par semaine", "access_conditions": "65 ans et plus", "languages": "français",
            "need_ids": [need.id]}
    data.update(extra)
    return data


def _propose(client, planner, project, world):
    need = add_need(project)
    client.login(planner)
    response = client.post(f"/projects/{project.id}/work/service/new", data=_service_form(world, need))
    assert response.status_code == 302, response.text
    client.logout()
    return db.session.scalar(select(Service))


def test_an_entry_about_an_organization_waits_for_it(client, planner, representative, project, world):
    service = _propose(client, planner, project, world)
    assert service.listing is Listing.proposed
    client.login(representative)
    mine = client.get("/projects/my-entries")
    assert "Popote roulante" in mine.text and "Answer" in mine.text
    page = client.get(f"/projects/{project.id}/services/{service.id}/respond")
    assert page.status_code == 200 and "You decide what is said about your organization" in page.text
    answer = client.post(f"/projects/{project.id}/services/{service.id}/respond", data={
        "answer": "confirm", "name": "Popote roulante du Centre-Sud", "description": "Repas chauds livrés.",
        "capacity": "60 repas par semaine", "access_conditions": "", "languages": "français, anglais",
        "lock_version": service.lock_version})
    assert answer.status_code == 302
    db.session.refresh(service)
    assert service.listing is Listing.confirmed and service.capacity == "60 repas par semaine"
    history = client.get(f"/projects/{project.id}/services/{service.id}/history")
    assert history.status_code == 200
    assert "confirmed" in history.text and "proposed" in history.text
    assert "60 repas par semaine" in history.text and "40 repas par semaine" in history.text
    changes = db.session.scalars(select(ServiceChange).order_by(ServiceChange.id)).all()
    assert [(c.side, c.action) for c in changes] == [("establishment", "created"), ("organization", "confirmed")]
    assert changes[1].user_id == representative.id
    # The establishment changing what the organization confirmed sends it back to the organization.
    client.logout()
    client.login(planner)
    client.post(f"/projects/{project.id}/work/service/{service.id}",
                data=_service_form(world, service.needs[0], name=service.name, capacity="10 repas",
                                   lock_version=service.lock_version))
    db.session.refresh(service)
    assert service.listing is Listing.proposed and service.capacity == "10 repas"


def test_an_organization_may_decline_and_is_then_never_published(client, planner, representative, project,
                                                                 world):
    service = _propose(client, planner, project, world)
    client.login(representative)
    client.post(f"/projects/{project.id}/services/{service.id}/respond", data={
        "answer": "decline", "name": service.name, "lock_version": service.lock_version})
    db.session.refresh(service)
    assert service.listing is Listing.declined
    version = publish(project, 2)
    assert version.item_count == 0
    client.logout()
    page = client.get(f"/projects/{project.id}/steps/2/versions/1")
    assert "Popote roulante" not in page.text


def test_only_the_organizations_representatives_answer(client, planner, project, world, make_user):
    service = _propose(client, planner, project, world)
    for user in (planner, make_user("passant@exemple.ca")):
        client.login(user)
        assert client.get(f"/projects/{project.id}/services/{service.id}/respond").status_code == 403
        refused = client.post(f"/projects/{project.id}/services/{service.id}/respond",
                              data={"answer": "decline", "name": "x", "lock_version": service.lock_version})
        assert refused.status_code == 403
        client.logout()
    db.session.refresh(service)
    assert service.listing is Listing.proposed


def test_an_answer_on_a_stale_entry_is_refused(client, planner, representative, project, world):
    service = _propose(client, planner, project, world)
    opened = service.lock_version
    client.login(planner)
    client.post(f"/projects/{project.id}/work/service/{service.id}",
                data=_service_form(world, service.needs[0], capacity="50 repas", lock_version=opened))
    client.logout()
    client.login(representative)
    late = client.post(f"/projects/{project.id}/services/{service.id}/respond", data={
        "answer": "confirm", "name": "Autre nom", "lock_version": opened})
    assert late.status_code == 409
    assert "50 repas" in late.text
    db.session.refresh(service)
    assert service.name == "Popote roulante" and service.listing is Listing.proposed


def test_the_establishments_own_services_need_no_confirmation(client, planner, project, world):
    need = add_need(project)
    client.login(planner)
    client.post(f"/projects/{project.id}/work/service/new",
                data=_service_form(world, need, name="Soutien à domicile du CLSC", provider_id=0,
                                   provider_kind="public"))
    service = db.session.scalar(select(Service))
    assert service.listing is Listing.own and service.organization is None
    publish(project, 2)
    client.get("/lang/en")
    page = client.get(f"/projects/{project.id}/steps/2/versions/1")
    assert "Soutien à domicile du CLSC" in page.text and "CSSS du Centre-Est" in page.text
    assert "Loss of autonomy related to ageing (PALV)" in page.text
