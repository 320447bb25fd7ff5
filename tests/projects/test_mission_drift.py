"""Step 6 attributing an offer element outside what an organization declared shows a notice to both sides
and blocks nothing (the organization decides whether to stretch its mission)."""

from sqlalchemy import select

from consult.core.db import db
from consult.organizations.models import OrganizationProgramme
from consult.projects import queries
from consult.projects.models import OfferProvider
from consult.territories.models import Level, TerritoryNode
from tests.projects.test_gaps_models_offer import _offer

NOTICE = "Outside what the organization declared"


def _link(world) -> OfferProvider:
    return db.session.scalar(select(OfferProvider).where(OfferProvider.organization_id == world.organization.id))


def _declare(world, *codes: str, territories=()) -> None:
    world.organization.programmes = [OrganizationProgramme(programme_code=code) for code in codes]
    world.organization.territories = list(territories)
    db.session.commit()


def test_an_offer_outside_the_declared_programmes_shows_a_notice_to_both_sides(client, planner, representative,
                                                                               project, world):
    _declare(world, "mental_health")
    _offer(project, world)
    link = _link(world)
    assert queries.mission_drift(link).outside_programme
    for user in (planner, representative):
        client.login(user)
        client.get("/lang/en")
        page = client.get(f"/projects/{project.id}/agreements/{link.id}")
        assert page.status_code == 200
        assert NOTICE in page.text and "did not declare" in page.text
        client.logout()
    client.login(representative)
    client.get("/lang/en")
    assert "Outside your declared mission" in client.get("/projects/my-entries").text
    # A notice, not a block: the organization still writes its side of the agreement.
    answer = client.post(f"/projects/{project.id}/agreements/{link.id}/propose", data={
        "parameter": "response_times", "response_times-parameter": "response_times",
        "response_times-based_on": "0", "response_times-action": "amend",
        "response_times-text": "Sous 72 heures"})
    assert answer.status_code == 302


def test_an_offer_within_the_declared_programme_and_territory_shows_no_notice(client, representative, project,
                                                                             world):
    # The organization serves one neighbourhood inside the project's RLS: that overlaps.
    neighbourhood = TerritoryNode(code="06111-09", name="Sainte-Marie", level=Level.neighbourhood,
                                  parent=world.clsc)
    db.session.add(neighbourhood)
    _declare(world, "palv", territories=[neighbourhood])
    _offer(project, world)
    assert not queries.mission_drift(_link(world)).outside
    client.login(representative)
    client.get("/lang/en")
    assert NOTICE not in client.get(f"/projects/{project.id}/agreements/{_link(world).id}").text
    assert "Outside your declared mission" not in client.get("/projects/my-entries").text


def test_an_organization_of_another_territory_gets_the_territory_notice(client, planner, project, world):
    elsewhere = TerritoryNode(code="03", name="Capitale-Nationale", level=Level.region)
    db.session.add(elsewhere)
    _declare(world, territories=[elsewhere])
    _offer(project, world)
    drift = queries.mission_drift(_link(world))
    assert drift.outside_territory and not drift.outside_programme  # no programme declared: never outside it
    client.login(planner)
    client.get("/lang/en")
    assert "lies outside the territory" in client.get(f"/projects/{project.id}/agreements/{_link(world).id}").text


def test_an_organization_that_declared_nothing_is_never_outside(project, world):
    _declare(world)
    _offer(project, world)
    assert not queries.mission_drift(_link(world)).outside
