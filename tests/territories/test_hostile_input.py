"""Every naughty string (tests/hostile.py) in every text field of the territory pages: saved or refused
with a message, never a 500, and always shown escaped."""

from __future__ import annotations

from markupsafe import escape
from sqlalchemy import select

from consult.core.db import db
from consult.territories.models import Establishment, TerritoryNode
from tests.hostile import naughty_strings


def shown_safely(text: str, value: str) -> bool:
    return "<script" not in value.lower() or value not in text


def test_naughty_names_and_codes_of_territories(admin_client, tree):
    failures = []
    for number, value in enumerate(naughty_strings()):
        saved = admin_client.post("/admin/territories/new", data={
            "level": "neighbourhood", "parent_id": tree.clsc.id, "code": f"N{number}", "name": value})
        coded = admin_client.post("/admin/territories/new", data={
            "level": "neighbourhood", "parent_id": tree.clsc.id, "code": value, "name": value})
        # The search shows what was just saved, so a stored name is checked on the way out too.
        found = admin_client.get("/admin/territories", query_string={"q": value})
        for what, response in (("saved", saved), ("coded", coded), ("found", found)):
            if response.status_code not in (200, 302, 422) or not shown_safely(response.text, value):
                failures.append((value, what, response.status_code))
    assert not failures, failures[:5]
    assert admin_client.get("/admin/territories").status_code == 200
    assert admin_client.get(f"/admin/territories/{tree.clsc.id}").status_code == 200


def test_naughty_establishment_names_and_types(admin_client, tree):
    failures = []
    for value in naughty_strings():
        response = admin_client.post("/admin/establishments/new", data={
            "name": value, "kind": value[:40], "region_id": tree.region.id, "territory_ids": [tree.clsc.id]})
        if response.status_code not in (302, 422) or not shown_safely(response.text, value):
            failures.append((value, response.status_code))
    assert not failures, failures[:5]
    for url in ("/admin/establishments", "/establishments"):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert "<script>alert(" not in page.text


def test_script_in_a_name_is_shown_as_text(admin_client, tree):
    script = "<script>alert(1)</script>"
    admin_client.post(f"/admin/territories/{tree.clsc.id}", data={
        "level": "clsc", "parent_id": tree.rls.id, "code": "06111", "name": script})
    admin_client.post("/admin/establishments/new", data={"name": script, "kind": "CSSS",
                                                         "region_id": tree.region.id,
                                                         "territory_ids": [tree.clsc.id]})
    for url in ("/admin/territories", f"/admin/territories/{tree.clsc.id}", "/establishments"):
        page = admin_client.get(url)
        assert script not in page.text, url
        assert str(escape(script)) in page.text, url


def test_control_characters_are_dropped_and_overlong_input_gets_a_message(admin_client, tree):
    response = admin_client.post("/admin/establishments/new", data={
        "name": "CSSS\x00 du\x1b[31m  Nord\n", "kind": "CSSS", "region_id": tree.region.id})
    assert response.status_code == 302
    assert db.session.scalar(select(Establishment.name)) == "CSSS du [31m Nord"
    long = admin_client.post("/admin/territories/new", data={
        "level": "neighbourhood", "parent_id": tree.clsc.id, "code": "9" * 300, "name": "n" * 5000})
    assert long.status_code == 422
    assert "A code has at most 20 characters." in long.text
    assert "A name has at most 200 characters." in long.text
    assert db.session.scalar(select(TerritoryNode).filter_by(name="n" * 5000)) is None
