"""Every naughty string (tests/hostile.py) in every text field of the organization and registry forms:
saved or refused with a message, never a 500, and always shown escaped."""

from __future__ import annotations

from datetime import date

import pytest
from markupsafe import escape
from sqlalchemy import select

from consult.core.db import db
from consult.organizations import registry
from consult.organizations.models import Organization, ServiceAgreement, Side
from tests.hostile import naughty_strings


def shown_safely(text: str, value: str) -> bool:
    return "<script" not in value.lower() or value not in text


def check(failures: list, what: str, value: str, response, ok=(200, 302, 422)) -> None:
    if response.status_code not in ok or not shown_safely(response.text, value):
        failures.append((what, value, response.status_code))


@pytest.fixture
def record(world):
    relationship, _ = registry.open_relationship(world.establishment, world.organization, world.planner,
                                                 Side.establishment)
    agreement = registry.save_service_agreement(relationship, None, title="Entente", amount_cents=100,
                                                starts_on=date(2024, 4, 1), ends_on=date(2025, 3, 31),
                                                services="Services", note=None, actor=world.planner)
    db.session.commit()
    return relationship, agreement


def test_naughty_strings_in_every_profile_field_and_the_directory_search(world, as_user):
    client = as_user(world.citizen)
    failures: list = []
    for number, value in enumerate(naughty_strings()):
        if number % 50 == 0:
            as_user(world.citizen)  # a fresh session: unread flash messages would pile up in the cookie
        everything = client.post("/organizations/new", data={
            "name": value, "kind": value, "legal_name": value, "neq": value, "mission": value,
            "contact_email": value, "contact_phone": value, "website": value, "address": value,
            "territory_ids": value, "programme_codes": value})
        check(failures, "all fields", value, everything, ok=(302, 422))
        saved = client.post("/organizations/new", data={
            "name": value, "kind": "community", "legal_name": value, "mission": value, "address": value,
            "confirm_new": "y"})
        check(failures, "text fields", value, saved, ok=(302, 422))
        found = client.get("/organizations", query_string={"q": value})
        check(failures, "search", value, found, ok=(200,))
    assert not failures, failures[:5]
    organizations = list(db.session.scalars(select(Organization).where(Organization.name.contains("<"))))
    assert organizations
    for organization in organizations:
        page = client.get(f"/organizations/{organization.id}")
        assert page.status_code == 200 and shown_safely(page.text, organization.name)
    assert as_user(None).get("/organizations").status_code == 200


def test_naughty_strings_in_member_and_relationship_forms(world, record, as_user):
    relationship, _agreement = record
    rid, org = relationship.id, world.organization.id
    failures: list = []
    rep = as_user(world.representative)
    for number, value in enumerate(naughty_strings()):
        if number % 50 == 0:
            as_user(world.representative)  # a fresh session: unread flash messages pile up in the cookie
        check(failures, "invite", value, rep.post(f"/organizations/{org}/invitations",
                                                  data={"email": value, "role": value}), ok=(302, 422))
        check(failures, "stance", value, rep.post(f"/relationships/{rid}/stance",
                                                  data={"stance": "partner", "note": value}), ok=(302, 422))
        check(failures, "judgement", value, rep.post(f"/relationships/{rid}/judgement/organization", data={
            "organization-quality": "balanced", "organization-note": value}), ok=(302, 422))
        check(failures, "describe", value, rep.post(f"/relationships/{rid}/describe", data={
            "category": "collaboration", "instruments": ["other"], "instrument_other": value,
            "partnership_type": value, "lead": value}), ok=(302, 422))
    page = rep.get(f"/relationships/{rid}")
    assert page.status_code == 200
    citizen = as_user(world.citizen)
    for number, value in enumerate(naughty_strings()):
        if number % 50 == 0:
            as_user(world.citizen)
        check(failures, "join", value, citizen.post(f"/organizations/{org}/join", data={"message": value}),
              ok=(302, 422))
    assert not failures, failures[:5]
    assert as_user(world.representative).get(f"/organizations/{org}/members").status_code == 200


def test_naughty_strings_in_funding_and_handover_forms(world, record, as_user):
    relationship, agreement = record
    rid = relationship.id
    failures: list = []
    client = as_user(world.planner)
    for number, value in enumerate(naughty_strings()):
        if number % 50 == 0:
            as_user(world.planner)  # a fresh session: unread flash messages pile up in the cookie
        check(failures, "funding", value, client.post(f"/relationships/{rid}/mission-funding/new", data={
            "programme": value, "amount": value, "starts_on": value, "ends_on": "2025-03-31", "note": value}),
            ok=(302, 422))
        if any(ch in value for ch in "<>&\"'"):  # what escaping is about: saved, then shown below
            check(failures, "funding saved", value, client.post(f"/relationships/{rid}/mission-funding/new", data={
                "programme": value, "amount": "10", "starts_on": "2024-04-01", "ends_on": "2025-03-31",
                "note": value}), ok=(302, 422))
        check(failures, "agreement", value, client.post(f"/relationships/{rid}/service-agreements/new", data={
            "title": value, "amount": "10", "starts_on": "2024-04-01", "ends_on": "2025-03-31",
            "services": value, "note": value}), ok=(302, 422))
        check(failures, "item", value, client.post(f"/service-agreements/{agreement.id}/items", data={
            "item-description": value, "item-due_on": value}), ok=(302, 422))
        check(failures, "handover", value, client.post(f"/establishments/{world.establishment.id}/handovers", data={
            "from_user_id": world.planner.id, "to_user_id": world.other_planner.id, "handed_over_on": "2025-01-13",
            "note": value}), ok=(302, 422))
    assert not failures, failures[:5]
    for url in (f"/relationships/{rid}", f"/service-agreements/{agreement.id}",
                f"/establishments/{world.establishment.id}/handovers",
                f"/establishments/{world.establishment.id}/relationships"):
        page = client.get(url)
        assert page.status_code == 200 and "<script>alert(" not in page.text, url
    assert len(list(db.session.scalars(select(ServiceAgreement)))) >= 1


def test_a_script_in_a_name_is_shown_as_text_everywhere(world, record, as_user):
    relationship, agreement = record
    script = "<script>alert(1)</script>"
    world.organization.name = script
    world.organization.mission = script
    registry.set_stance(relationship, registry.Stance.neither, script, world.representative)
    db.session.commit()
    for person, url in ((None, "/organizations"), (None, f"/organizations/{world.organization.id}"),
                        (world.planner, f"/relationships/{relationship.id}"),
                        (world.planner, f"/establishments/{world.establishment.id}/relationships"),
                        (world.representative, f"/organizations/{world.organization.id}/relationships"),
                        (world.representative, f"/service-agreements/{agreement.id}")):
        page = as_user(person).get(url)
        assert page.status_code == 200, url
        assert script not in page.text, url
        assert str(escape(script)) in page.text, url


def test_overlong_input_gets_a_message_and_saves_nothing(world, as_user):
    page = as_user(world.citizen).post("/organizations/new", data={
        "name": "n" * 201, "kind": "community", "mission": "m" * 5001, "neq": "1" * 41})
    assert page.status_code == 422
    for message in ("A name has at most 200 characters.", "The mission has at most 5,000 characters.",
                    "A Québec enterprise number (NEQ) has exactly 10 digits."):
        assert message in page.text
    assert db.session.scalar(select(Organization).filter_by(name="n" * 201)) is None
