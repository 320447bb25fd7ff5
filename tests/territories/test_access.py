"""Who may open the territory pages: the admin pages are for platform administrators only; the public
list of establishments is for everyone, visitors included."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.core.db import db
from consult.territories.models import Establishment, TerritoryNode


def admin_pages(tree, establishment) -> list[str]:
    return ["/admin/territories", "/admin/territories?q=06", "/admin/territories/new",
            f"/admin/territories/{tree.clsc.id}", "/admin/establishments", "/admin/establishments/new",
            f"/admin/establishments/{establishment.id}", f"/admin/establishments/{establishment.id}/edit"]


def admin_posts(tree, establishment) -> list[tuple[str, dict]]:
    return [
        ("/admin/territories/new", {"level": "region", "parent_id": "", "code": "07", "name": "Outaouais"}),
        (f"/admin/territories/{tree.neighbourhood.id}",
         {"level": "neighbourhood", "parent_id": tree.clsc.id, "code": "X1", "name": "Pris"}),
        (f"/admin/territories/{tree.neighbourhood.id}/delete", {}),
        ("/admin/establishments/new", {"name": "CSSS pirate", "kind": "CSSS", "region_id": tree.region.id}),
        (f"/admin/establishments/{establishment.id}/edit",
         {"name": "Renommé", "kind": "CSSS", "region_id": tree.region.id}),
    ]


def snapshot() -> tuple:
    return (db.session.scalar(select(func.count(TerritoryNode.id))),
            sorted(db.session.scalars(select(TerritoryNode.code))),
            sorted(db.session.scalars(select(Establishment.name))))


@pytest.mark.parametrize("who", ["planner", "moderator", "citizen"])
def test_signed_in_non_admins_are_refused_and_change_nothing(client, make_user, tree, establishment, who):
    roles = {"planner": {"planner": establishment}, "moderator": {"moderator": establishment}}.get(who, {})
    client.login(make_user(**roles))
    for url in admin_pages(tree, establishment):
        assert client.get(url).status_code == 403, url
    before = snapshot()
    for url, data in admin_posts(tree, establishment):
        assert client.post(url, data=data).status_code == 403, url
    db.session.expire_all()
    assert snapshot() == before


def test_visitors_are_sent_to_sign_in(client, tree, establishment):
    for url in admin_pages(tree, establishment):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]
    before = snapshot()
    for url, data in admin_posts(tree, establishment):
        response = client.post(url, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert snapshot() == before


def test_admin_opens_every_page(admin_client, tree, establishment):
    for url in admin_pages(tree, establishment):
        assert admin_client.get(url).status_code == 200, url


def test_tree_page_links_to_establishments_and_to_a_new_region(admin_client, tree):
    tree_page = admin_client.get("/admin/territories")
    assert 'href="/admin/establishments"' in tree_page.text
    assert 'href="/admin/territories/new"' in tree_page.text


@pytest.mark.parametrize("who", ["visitor", "citizen", "admin"])
def test_public_list_of_establishments_is_readable_by_everyone(client, make_user, tree, establishment, who):
    if who != "visitor":
        client.login(make_user(admin=(who == "admin")))
    page = client.get("/establishments")
    assert page.status_code == 200
    assert "CSSS du Centre-Est" in page.text
    assert "Montréal" in page.text  # its region
    assert "RLS du Centre-Est" in page.text and "CLSC des Faubourgs" in page.text  # its territories
    assert ('href="/admin/establishments"' in page.text) is (who == "admin")
