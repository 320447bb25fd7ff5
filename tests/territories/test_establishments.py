"""Establishments in the admin pages: add, edit, the rules on names, regions and territories, and the
establishment page listing its planners and moderators."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.core.db import db
from consult.territories.models import Establishment, Level, TerritoryNode


def count_establishments() -> int:
    return db.session.scalar(select(func.count(Establishment.id)))


def valid(tree, **changes) -> dict:
    data = {"name": "CSSS de Chicoutimi", "kind": "CSSS", "region_id": tree.other_region.id,
            "territory_ids": [tree.other_rls.id], "formed_voluntarily": "y"}
    data.update(changes)
    return data


def test_admin_adds_an_establishment_and_sees_it_everywhere(admin_client, tree):
    form = admin_client.get("/admin/establishments/new")
    assert form.status_code == 200
    assert '<datalist id="establishment-kinds">' in form.text
    for kind in ("CSSS", "CISSS", "CIUSSS"):
        assert f'<option value="{kind}">' in form.text
    response = admin_client.post("/admin/establishments/new", data=valid(tree))
    assert response.status_code == 302
    created = db.session.scalar(select(Establishment).filter_by(name="CSSS de Chicoutimi"))
    assert created.region_id == tree.other_region.id
    assert [t.code for t in created.territories] == ["0221"]
    assert created.formed_voluntarily is True
    page = admin_client.get(response.headers["Location"])
    assert "CSSS de Chicoutimi" in page.text and "RLS du Haut-Saguenay" in page.text
    assert "Yes, by its members rather than by decree" in page.text
    listing = admin_client.get("/admin/establishments")
    assert "CSSS de Chicoutimi" in listing.text and "Saguenay–Lac-Saint-Jean" in listing.text


def test_the_type_is_free_text(admin_client, tree):
    response = admin_client.post("/admin/establishments/new", data=valid(tree, kind="Centre régional"))
    assert response.status_code == 302
    assert db.session.scalar(select(Establishment.kind)) == "Centre régional"


def test_a_name_is_unique_whatever_its_case(admin_client, tree, establishment):
    response = admin_client.post("/admin/establishments/new", data=valid(tree, name="csss du centre-est"))
    assert response.status_code == 422
    assert "An establishment named CSSS du Centre-Est already exists. Choose another name." in response.text
    assert count_establishments() == 1


def test_missing_fields_each_get_a_message(admin_client, tree):
    response = admin_client.post("/admin/establishments/new", data={"name": " ", "kind": "", "region_id": ""})
    assert response.status_code == 422
    for message in ("Enter the name of the establishment.",
                    "Enter the type of establishment, for example CSSS.",
                    "Choose the administrative region of the establishment."):
        assert message in response.text
    assert count_establishments() == 0


def test_territories_must_lie_in_the_region(admin_client, tree):
    response = admin_client.post("/admin/establishments/new", data=valid(tree, territory_ids=[tree.rls.id]))
    assert response.status_code == 422
    assert "0611 RLS du Centre-Est is not in the region Saguenay–Lac-Saint-Jean." in response.text
    assert count_establishments() == 0


def test_only_rls_and_clsc_territories_can_be_chosen(admin_client, tree):
    response = admin_client.post("/admin/establishments/new", data=valid(
        tree, region_id=tree.region.id, territory_ids=[tree.neighbourhood.id]))
    assert response.status_code == 422
    assert "Choose territories from the list." in response.text
    not_a_region = admin_client.post("/admin/establishments/new", data=valid(tree, region_id=tree.rls.id))
    assert not_a_region.status_code == 422
    assert "Choose a region from the list." in not_a_region.text
    assert count_establishments() == 0


def test_editing_changes_territories_and_the_voluntary_flag(admin_client, tree, establishment):
    form = admin_client.get(f"/admin/establishments/{establishment.id}/edit")
    assert 'value="CSSS du Centre-Est"' in form.text
    assert f'<option selected value="{tree.clsc.id}">' in form.text
    response = admin_client.post(f"/admin/establishments/{establishment.id}/edit", data={
        "name": "CSSS du Centre-Est", "kind": "CIUSSS", "region_id": tree.region.id,
        "territory_ids": [tree.clsc.id]})
    assert response.status_code == 302
    db.session.refresh(establishment)
    assert establishment.kind == "CIUSSS"
    assert [t.code for t in establishment.territories] == ["06111"]
    assert establishment.formed_voluntarily is False


def test_keeping_its_own_name_is_not_a_duplicate(admin_client, tree, establishment):
    response = admin_client.post(f"/admin/establishments/{establishment.id}/edit", data={
        "name": "CSSS du centre-est", "kind": "CSSS", "region_id": tree.region.id})
    assert response.status_code == 302
    db.session.refresh(establishment)
    assert establishment.name == "CSSS du centre-est" and establishment.territories == []


def test_establishment_page_lists_planners_and_moderators_with_links(admin_client, make_user, establishment):
    planner = make_user("planif@exemple.ca", name="Geneviève Lavoie", planner=establishment)
    moderator = make_user("mod@exemple.ca", moderator=establishment)
    make_user("citoyen@exemple.ca")
    page = admin_client.get(f"/admin/establishments/{establishment.id}")
    assert page.status_code == 200
    assert "Geneviève Lavoie" in page.text and "Planner" in page.text
    assert "mod@exemple.ca" in page.text and "Moderator" in page.text
    assert "citoyen@exemple.ca" not in page.text
    assert f'href="/admin/users/{planner.id}"' in page.text
    assert f'href="/admin/users/{moderator.id}"' in page.text
    assert page.text.index("Geneviève Lavoie") < page.text.index("mod@exemple.ca")  # planners first


def test_a_territory_in_use_keeps_its_level(admin_client, tree, establishment):
    clsc = TerritoryNode(code="06112", name="CLSC du Plateau", level=Level.clsc, parent=tree.rls)
    db.session.add(clsc)
    establishment.territories.append(clsc)
    db.session.commit()
    response = admin_client.post(f"/admin/territories/{clsc.id}", data={
        "level": "municipality", "parent_id": tree.clsc.id, "code": "06112", "name": "CLSC du Plateau"})
    assert response.status_code == 422
    assert "This territory is used by CSSS du Centre-Est; its level cannot change." in response.text
    db.session.refresh(clsc)
    assert clsc.level is Level.clsc


def test_unknown_establishment_is_a_404(admin_client):
    assert admin_client.get("/admin/establishments/999").status_code == 404
    assert admin_client.get("/admin/establishments/999/edit").status_code == 404
