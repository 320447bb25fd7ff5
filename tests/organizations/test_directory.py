"""The public directory: search by name, filter by type, territory and programme, paginated."""

from __future__ import annotations

import re

from consult.core.db import db
from consult.organizations.models import Organization, OrganizationKind, OrganizationProgramme


def names(page) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/organizations/\d+">([^<]+)</a>', page.text)


def add(name: str, kind: OrganizationKind, territories=(), programmes=()) -> Organization:
    organization = Organization(name=name, kind=kind, territories=list(territories),
                                programmes=[OrganizationProgramme(programme_code=c) for c in programmes])
    db.session.add(organization)
    db.session.commit()
    return organization


def test_search_ignores_case_and_accents(world, as_user):
    add("Société Saint-Vincent", OrganizationKind.community)
    client = as_user(None)
    assert names(client.get("/organizations?q=AINES")) == ["Carrefour des aînés"]
    assert names(client.get("/organizations?q=societe saint")) == ["Société Saint-Vincent"]
    empty = client.get("/organizations?q=%25")  # a SQL wildcard is a plain character
    assert names(empty) == [] and "No organization matches this search." in empty.text


def test_filters_by_type_programme_and_territory(world, as_user):
    add("Popote du Centre-Sud", OrganizationKind.community, [world.neighbourhood], ["palv"])
    add("Table régionale", OrganizationKind.round_table, [world.region], ["mental_health"])
    add("Entraide du Fjord", OrganizationKind.community, [world.other_region], ["palv"])
    client = as_user(None)
    assert names(client.get("/organizations?kind=round_table")) == ["Table régionale"]
    assert names(client.get("/organizations?programme=palv")) == ["Entraide du Fjord", "Popote du Centre-Sud"]
    # A CLSC territory finds those serving a place inside it and those serving the whole region around it.
    assert names(client.get(f"/organizations?territory={world.clsc.id}")) == ["Popote du Centre-Sud",
                                                                              "Table régionale"]
    assert names(client.get(f"/organizations?territory={world.clsc.id}&programme=palv")) == ["Popote du Centre-Sud"]
    page = client.get("/organizations?kind=nonsense&territory=abc&programme=zzz")
    assert page.status_code == 200 and len(names(page)) == 4
    assert 'id="territory"' in page.text and "Centre-Sud" in page.text


def test_the_directory_pages_and_keeps_its_filters(world, as_user, app, monkeypatch):
    for n in range(3):
        add(f"Groupe {n}", OrganizationKind.community, programmes=["youth"])
    monkeypatch.setitem(app.config, "CONSULT_PAGE_SIZE", 2)
    client = as_user(None)
    page = client.get("/organizations?programme=youth")
    assert "3 organizations match" in page.text and "Page 1 of 2" in page.text
    assert 'href="/organizations?page=2&amp;programme=youth"' in page.text
    assert names(client.get("/organizations?programme=youth&page=2")) == ["Groupe 2"]
    assert client.get("/organizations?page=9").status_code == 404


def test_each_row_links_to_a_public_page(world, as_user):
    page = as_user(None).get("/organizations")
    assert page.status_code == 200 and "<caption>" in page.text
    assert f'href="/organizations/{world.organization.id}"' in page.text
    assert "Autonomous community organization (ACA)" in page.text


def test_programmes_follow_the_clinical_projects_list_when_there_is_one(world, as_user):
    from consult.projects.models import Programme

    db.session.add_all([Programme(code="palv", name_fr="PALV (liste locale)", name_en="PALV (local list)",
                                  position=1),
                        Programme(code="housing", name_fr="Habitation", name_en="Housing", position=2),
                        Programme(code="youth", name_fr="Jeunes", name_en="Youth", position=3, active=False)])
    db.session.commit()
    client = as_user(world.representative)
    form = client.get(f"/organizations/{world.organization.id}/edit").text
    assert '<option value="housing">Housing</option>' in form and "PALV (local list)" in form
    assert 'value="youth"' not in form and 'value="mental_health"' not in form
    saved = client.post(f"/organizations/{world.organization.id}/edit", data={
        "name": "Carrefour des aînés", "kind": "community", "programme_codes": ["housing"]})
    assert saved.status_code == 302
    assert "Housing" in as_user(None).get("/organizations?programme=housing").text
