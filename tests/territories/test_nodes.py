"""The territory tree in the admin pages: browse, search, add, edit, delete, and the rules of codes and
levels that keep the tree true."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.core.db import db
from consult.territories.models import Level, TerritoryNode
from tests.territories.conftest import node


def count_nodes() -> int:
    return db.session.scalar(select(func.count(TerritoryNode.id)))


def by_code(code: str) -> TerritoryNode | None:
    return db.session.scalar(select(TerritoryNode).filter_by(code=code))


def test_tree_shows_each_region_with_its_sub_territories_and_their_counts(admin_client, tree):
    page = admin_client.get("/admin/territories")
    assert page.status_code == 200
    text = page.text
    for item in (tree.region, tree.rls, tree.clsc, tree.neighbourhood, tree.other_region, tree.other_rls):
        assert item.code in text and item.name in text
    assert "Local services network (RLS)" in text and "Neighbourhood" in text
    assert "1 sub-territory" in text  # Montréal has one RLS
    assert text.index("Saguenay") < text.index("Montréal")  # regions in code order: 02 before 06


def test_tree_is_paginated_by_region(admin_client, app, monkeypatch):
    monkeypatch.setitem(app.config, "CONSULT_PAGE_SIZE", 2)
    for code, name in (("01", "Bas-Saint-Laurent"), ("02", "Saguenay"), ("03", "Capitale-Nationale")):
        node(code, name, Level.region)
    db.session.commit()
    first = admin_client.get("/admin/territories")
    assert "Bas-Saint-Laurent" in first.text and "Capitale-Nationale" not in first.text
    assert "Page 1 of 2" in first.text
    second = admin_client.get("/admin/territories?page=2")
    assert "Capitale-Nationale" in second.text and "Bas-Saint-Laurent" not in second.text


def test_search_finds_by_code_or_name_and_shows_where_it_sits(admin_client, tree):
    by_name = admin_client.get("/admin/territories?q=faubourgs")
    assert "06111" in by_name.text and "CLSC des Faubourgs" in by_name.text
    assert "RLS du Centre-Est" in by_name.text  # the path above it
    assert "Saguenay" not in by_name.text
    by_code_page = admin_client.get("/admin/territories?q=0221")
    assert "RLS du Haut-Saguenay" in by_code_page.text and "Faubourgs" not in by_code_page.text
    nothing = admin_client.get("/admin/territories?q=%25")  # a literal %, not a wildcard
    assert "No territory has a code or name containing" in nothing.text


def test_admin_builds_a_branch_from_region_to_neighbourhood(admin_client):
    steps = [("region", "", "02", "Saguenay–Lac-Saint-Jean"), ("rls", "02", "0221", "RLS du Haut-Saguenay"),
             ("clsc", "0221", "02211", "CLSC de Chicoutimi"), ("municipality", "02211", "94068", "Saguenay"),
             ("neighbourhood", "02211", "chic-nord", "Chicoutimi-Nord")]
    for level, parent, code, name in steps:
        parent_id = by_code(parent).id if parent else ""
        response = admin_client.post("/admin/territories/new", data={
            "level": level, "parent_id": parent_id, "code": code, "name": name})
        assert response.status_code == 302, response.text
        created = by_code(code.upper())
        assert created is not None and created.level is Level(level)
        assert response.headers["Location"].endswith(f"/admin/territories/{created.id}")
    assert [n.code for n in by_code("CHIC-NORD").ancestors()] == ["02", "0221", "02211"]
    page = admin_client.get(f"/admin/territories/{by_code('02211').id}")
    assert "Saguenay" in page.text and "Chicoutimi-Nord" in page.text


def test_new_sub_territory_link_prefills_parent_and_level(admin_client, tree):
    page = admin_client.get(f"/admin/territories/new?parent_id={tree.rls.id}")
    assert f'<option selected value="{tree.rls.id}">' in page.text
    assert '<option selected value="clsc">' in page.text


@pytest.mark.parametrize(("level", "parent", "code", "expected"), [
    ("region", None, "6", "An administrative region code has 2 digits"),
    ("region", None, "MTL", "An administrative region code has 2 digits"),
    ("rls", "region", "061", "An RLS code has 4 digits: the code of its region followed by 2 digits, "
                             "for example 0611."),
    ("clsc", "rls", "0611", "A CLSC territory code has 5 digits: the code of its RLS followed by 1 digit, "
                            "for example 06111."),
    ("municipality", "clsc", "6602", "A municipality code is its 5-digit geographic code"),
    ("neighbourhood", "clsc", "centre sud!", "A neighbourhood code has 1 to 20 letters without accents"),
])
def test_a_malformed_code_is_refused_with_the_expected_format(admin_client, tree, level, parent, code,
                                                             expected):
    before = count_nodes()
    parent_id = getattr(tree, parent).id if parent else ""
    response = admin_client.post("/admin/territories/new", data={
        "level": level, "parent_id": parent_id, "code": code, "name": "Nouveau"})
    assert response.status_code == 422
    assert expected in response.text
    assert count_nodes() == before


def test_rls_code_must_start_with_its_region_code(admin_client, tree):
    response = admin_client.post("/admin/territories/new", data={
        "level": "rls", "parent_id": tree.region.id, "code": "0211", "name": "Ailleurs"})
    assert response.status_code == 422
    assert "The code must start with 06, the code of the parent territory." in response.text
    assert by_code("0211") is None


def test_level_must_fit_its_parent(admin_client, tree):
    response = admin_client.post("/admin/territories/new", data={
        "level": "clsc", "parent_id": tree.region.id, "code": "06112", "name": "CLSC mal placé"})
    assert response.status_code == 422
    assert ('A territory of level "CLSC territory" is placed under one of level "Local services network '
            '(RLS)", not under one of level "Administrative region".') in response.text.replace("&#34;", '"')
    assert by_code("06112") is None


def test_only_a_region_goes_without_parent_and_a_region_has_none(admin_client, tree):
    orphan = admin_client.post("/admin/territories/new", data={
        "level": "rls", "parent_id": "", "code": "0699", "name": "Orphelin"})
    assert orphan.status_code == 422
    assert "Choose the parent territory" in orphan.text
    nested = admin_client.post("/admin/territories/new", data={
        "level": "region", "parent_id": tree.region.id, "code": "07", "name": "Outaouais"})
    assert nested.status_code == 422
    assert "leave the parent territory empty" in nested.text
    assert by_code("0699") is None and by_code("07") is None


def test_a_code_is_unique(admin_client, tree):
    response = admin_client.post("/admin/territories/new", data={
        "level": "neighbourhood", "parent_id": tree.clsc.id, "code": "06111-01", "name": "Doublon"})
    assert response.status_code == 422
    assert "The code 06111-01 is already used by Centre-Sud." in response.text


def test_empty_fields_and_unknown_choices_get_messages(admin_client, tree):
    response = admin_client.post("/admin/territories/new", data={
        "level": "continent", "parent_id": "abc", "code": "", "name": ""})
    assert response.status_code == 422
    for message in ("Choose a level from the list.", "Choose a parent territory from the list.",
                    "Enter the code.", "Enter the name."):
        assert message in response.text


def test_a_territory_cannot_be_placed_under_itself_or_below_itself(admin_client, tree):
    for parent in (tree.rls, tree.clsc):
        response = admin_client.post(f"/admin/territories/{tree.rls.id}", data={
            "level": "rls", "parent_id": parent.id, "code": "0611", "name": "RLS du Centre-Est"})
        assert response.status_code == 422
        assert "A territory cannot be placed under itself or under one of its own sub-territories." \
            in response.text
    db.session.refresh(tree.rls)
    assert tree.rls.parent_id == tree.region.id


def test_editing_a_name_keeps_the_rest(admin_client, tree):
    response = admin_client.post(f"/admin/territories/{tree.clsc.id}", data={
        "level": "clsc", "parent_id": tree.rls.id, "code": "06111", "name": "CLSC des Faubourgs-Est"})
    assert response.status_code == 302
    db.session.refresh(tree.clsc)
    assert tree.clsc.name == "CLSC des Faubourgs-Est" and tree.clsc.code == "06111"


def test_a_new_region_code_carries_down_to_rls_and_clsc_codes(admin_client, tree):
    response = admin_client.post(f"/admin/territories/{tree.region.id}", data={
        "level": "region", "parent_id": "", "code": "16", "name": "Montréal"}, follow_redirects=True)
    assert response.status_code == 200
    assert "The codes of 2 sub-territories were changed to match." in response.text
    assert by_code("1611") is not None and by_code("16111") is not None
    assert by_code("06111-01") is not None  # a neighbourhood's free code does not embed its parent's


def test_moving_an_rls_to_another_region_needs_a_matching_code(admin_client, tree):
    refused = admin_client.post(f"/admin/territories/{tree.rls.id}", data={
        "level": "rls", "parent_id": tree.other_region.id, "code": "0611", "name": "RLS du Centre-Est"})
    assert refused.status_code == 422
    assert "The code must start with 02" in refused.text
    moved = admin_client.post(f"/admin/territories/{tree.rls.id}", data={
        "level": "rls", "parent_id": tree.other_region.id, "code": "0212", "name": "RLS du Centre-Est"})
    assert moved.status_code == 302
    assert by_code("02121") is not None  # its CLSC followed


def test_a_level_change_that_would_strand_sub_territories_is_refused(admin_client, tree):
    response = admin_client.post(f"/admin/territories/{tree.clsc.id}", data={
        "level": "rls", "parent_id": tree.region.id, "code": "0612", "name": "CLSC des Faubourgs"})
    assert response.status_code == 422
    assert ('This territory has sub-territories of level "Neighbourhood", which cannot be placed under one '
            'of level "Local services network (RLS)". Move or delete them first.') \
        in response.text.replace("&#34;", '"')
    db.session.refresh(tree.clsc)
    assert tree.clsc.level is Level.clsc


def test_delete_is_refused_while_there_are_sub_territories(admin_client, tree):
    response = admin_client.post(f"/admin/territories/{tree.clsc.id}/delete")
    assert response.status_code == 422
    assert "This territory cannot be deleted because it has 1 sub-territory. Delete or move it first." \
        in response.text
    assert by_code("06111") is not None


def test_delete_is_refused_while_an_establishment_uses_the_territory(admin_client, tree, establishment):
    db.session.delete(tree.neighbourhood)
    db.session.commit()
    response = admin_client.post(f"/admin/territories/{tree.clsc.id}/delete")
    assert response.status_code == 422
    assert "it is used by CSSS du Centre-Est" in response.text
    assert by_code("06111") is not None


def test_a_leaf_is_deleted_and_its_parent_page_follows(admin_client, tree):
    response = admin_client.post(f"/admin/territories/{tree.neighbourhood.id}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert "The territory 06111-01 was deleted." in response.text
    assert "CLSC des Faubourgs" in response.text
    assert by_code("06111-01") is None


def test_an_unknown_territory_is_a_404(admin_client):
    assert admin_client.get("/admin/territories/999").status_code == 404


def test_a_code_change_that_would_collide_below_is_refused(admin_client, tree):
    node("16111", "Municipalité témoin", Level.municipality, tree.clsc)
    db.session.commit()
    response = admin_client.post(f"/admin/territories/{tree.region.id}", data={
        "level": "region", "parent_id": "", "code": "16", "name": "Montréal"})
    assert response.status_code == 422
    assert ("Changing this code would give the sub-territory 06111 the code 16111, which Municipalité "
            "témoin already uses.") in response.text
    assert by_code("06") is not None and by_code("0611") is not None
