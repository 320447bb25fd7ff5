"""The two funding registers: mission funding and service agreements, always apart, never added up;
accountability items only on agreements; amounts seen only by the two sides and administrators."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from consult.core.db import db
from consult.organizations import registry
from consult.organizations.forms import parse_amount
from consult.organizations.models import AccountabilityItem, MissionFunding, ServiceAgreement, Side


@pytest.fixture
def record(world):
    relationship, _ = registry.open_relationship(world.establishment, world.organization, world.planner,
                                                 Side.establishment)
    db.session.commit()
    return relationship


@pytest.fixture
def funded(world, record):
    registry.save_mission_funding(record, None, programme="PSOC", amount_cents=5_000_000,
                                  starts_on=date(2024, 4, 1), ends_on=date(2025, 3, 31), note=None,
                                  actor=world.planner)
    agreement = registry.save_service_agreement(record, None, title="Transport des aînés", amount_cents=3_000_000,
                                                starts_on=date(2024, 4, 1), ends_on=date(2025, 3, 31),
                                                services="Accompagnement", note=None, actor=world.planner)
    registry.add_accountability_item(agreement, "Bilan trimestriel", date(2024, 7, 15), world.planner)
    db.session.commit()
    return record, agreement


def section(text: str, anchor: str) -> str:
    found = re.search(rf'<section id="{anchor}".*?</section>', text, re.S)
    assert found, anchor
    return found.group(0)


def test_a_planner_records_both_registers_through_their_own_forms(world, record, as_user):
    client = as_user(world.planner)
    assert client.get(f"/relationships/{record.id}/mission-funding/new").status_code == 200
    saved = client.post(f"/relationships/{record.id}/mission-funding/new", data={
        "programme": "PSOC", "amount": "50 000,00 $", "starts_on": "2024-04-01", "ends_on": "2025-03-31"})
    assert saved.status_code == 302
    saved = client.post(f"/relationships/{record.id}/service-agreements/new", data={
        "title": "Transport", "amount": "30,000.50", "starts_on": "2024-04-01", "ends_on": "2025-03-31",
        "services": "Accompagnement-transport"})
    assert saved.status_code == 302
    agreement = db.session.scalar(select(ServiceAgreement))
    assert db.session.scalar(select(MissionFunding.amount_cents)) == 5_000_000
    assert agreement.amount_cents == 3_000_050
    client.post(f"/service-agreements/{agreement.id}/items", data={"item-description": "Rapport annuel",
                                                                   "item-due_on": "2025-05-31"})
    assert db.session.scalar(select(AccountabilityItem.description)) == "Rapport annuel"
    history = [c.field for c in db.session.scalars(select(registry.RelationshipChange))]
    assert {"mission_funding", "service_agreement", "accountability_item"} <= set(history)


def test_the_organization_sees_its_two_registers_in_separate_sections_never_added(world, funded, as_user):
    record, _agreement = funded
    for url in (f"/relationships/{record.id}", f"/organizations/{world.organization.id}/relationships"):
        page = as_user(world.representative).get(url)
        assert page.status_code == 200
        mission = section(page.text, "mission-funding")
        contract = section(page.text, "service-agreements")
        assert "<h2 id=\"mission-funding-title\">Mission funding</h2>" in mission
        assert "<h2 id=\"service-agreements-title\">Service agreements</h2>" in contract
        assert "$50,000.00" in mission and "$30,000.00" not in mission
        assert "$30,000.00" in contract and "$50,000.00" not in contract
        assert "Transport des aînés" in contract and "Transport des aînés" not in mission
        for combined in ("80,000", "80 000", "80000"):
            assert combined not in page.text, url
        assert "total" not in page.text.lower()


def test_accountability_items_exist_only_on_agreements(world, funded, as_user):
    _record, agreement = funded
    assert not hasattr(MissionFunding, "items")
    referenced = {fk.column.table.name for fk in AccountabilityItem.__table__.foreign_keys}
    assert "service_agreements" in referenced and "mission_funding" not in referenced
    page = as_user(world.member).get(f"/service-agreements/{agreement.id}")
    assert "Accountability items" in page.text and "Bilan trimestriel" in page.text
    assert "Mark as reported" not in page.text  # a member reads; a representative reports
    item = db.session.scalar(select(AccountabilityItem))
    assert as_user(world.member).post(f"/accountability-items/{item.id}/reported").status_code == 403
    assert as_user(world.planner).post(f"/accountability-items/{item.id}/reported").status_code == 403
    client = as_user(world.representative)
    assert "Mark as reported" in client.get(f"/service-agreements/{agreement.id}").text
    client.post(f"/accountability-items/{item.id}/reported")
    db.session.expire_all()
    assert db.session.get(AccountabilityItem, item.id).reported_by_id == world.representative.id


def test_amounts_are_seen_only_by_members_planners_and_admins(world, funded, as_user, make_user):
    _record, agreement = funded
    stranger = make_user("ailleurs@exemple.ca", planner=world.other_establishment)
    for person in (world.citizen, stranger):
        assert as_user(person).get(f"/service-agreements/{agreement.id}").status_code == 403
    for person in (world.member, world.representative, world.planner, world.admin):
        assert as_user(person).get(f"/service-agreements/{agreement.id}").status_code == 200
    world.organization.relationships_public = True
    db.session.commit()
    public = as_user(None).get(f"/organizations/{world.organization.id}")
    assert "CSSS du Centre-Est" in public.text
    assert "50,000" not in public.text and "30,000" not in public.text and "PSOC" not in public.text


def test_only_planners_record_funding(world, funded, as_user):
    record, agreement = funded
    funding = db.session.scalar(select(MissionFunding))
    posts = [
        (f"/relationships/{record.id}/mission-funding/new", {"programme": "PSOC", "amount": "1",
                                                             "starts_on": "2024-04-01", "ends_on": "2025-03-31"}),
        (f"/mission-funding/{funding.id}", {"programme": "PSOC", "amount": "1", "starts_on": "2024-04-01",
                                            "ends_on": "2025-03-31"}),
        (f"/mission-funding/{funding.id}/delete", {}),
        (f"/service-agreements/{agreement.id}", {"title": "X", "amount": "1", "starts_on": "2024-04-01",
                                                 "ends_on": "2025-03-31", "services": "X"}),
        (f"/service-agreements/{agreement.id}/delete", {}),
        (f"/service-agreements/{agreement.id}/items", {"item-description": "X"}),
    ]
    for person in (world.representative, world.member, world.admin, world.citizen):
        for url, data in posts:
            assert as_user(person).post(url, data=data).status_code == 403, (person.email, url)
    assert db.session.scalar(select(MissionFunding.amount_cents)) == 5_000_000
    assert db.session.scalar(select(func.count(ServiceAgreement.id))) == 1
    assert db.session.scalar(select(func.count(AccountabilityItem.id))) == 1


def test_bad_amounts_and_periods_get_a_message(world, record, as_user):
    client = as_user(world.planner)
    for amount in ("abc", "-5", "0", "1,2,3.4.5", "12.345", "9" * 20):
        page = client.post(f"/relationships/{record.id}/mission-funding/new", data={
            "programme": "PSOC", "amount": amount, "starts_on": "2024-04-01", "ends_on": "2025-03-31"})
        assert page.status_code == 422, amount
        assert "Enter an amount" in page.text or "at most 30 characters" in page.text
    backwards = client.post(f"/relationships/{record.id}/mission-funding/new", data={
        "programme": "PSOC", "amount": "10", "starts_on": "2025-04-01", "ends_on": "2024-03-31"})
    assert backwards.status_code == 422 and "The end of the period must come after its start." in backwards.text
    no_date = client.post(f"/relationships/{record.id}/mission-funding/new", data={
        "programme": "PSOC", "amount": "10", "starts_on": "pas une date", "ends_on": ""})
    assert no_date.status_code == 422 and "Enter a date such as 2025-04-01." in no_date.text
    assert "Enter the end of the period as a date." in no_date.text
    assert db.session.scalar(select(func.count(MissionFunding.id))) == 0


def test_amounts_are_read_in_french_and_english_styles():
    assert parse_amount("45 000") == 4_500_000
    assert parse_amount("45 000,50 $") == 4_500_050
    assert parse_amount("45,000.50") == 4_500_050
    assert parse_amount("45,000") == 4_500_000
    assert parse_amount("1.234,5") == 123_450
    with pytest.raises(ValueError):
        parse_amount("4,5.6.7")


def test_removing_an_entry_keeps_a_trace_in_the_history(world, funded, as_user):
    record, agreement = funded
    client = as_user(world.planner)
    client.post(f"/service-agreements/{agreement.id}/delete")
    assert db.session.scalar(select(func.count(AccountabilityItem.id))) == 0
    page = client.get(f"/relationships/{record.id}")
    assert "(removed)" in page.text and "Transport des aînés · 30000.00 $" in page.text


def test_huge_numbers_are_refused_not_crashed():
    for text in ("9" * 40, "1" * 21, "123456789012345678901234567890123456789"):
        with pytest.raises(ValueError):
            parse_amount(text)
