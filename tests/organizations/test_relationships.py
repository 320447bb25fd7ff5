"""Relationship records between an establishment and an organization: the partnership checklist, the
organization's stance, each side's own judgement, the history of changes, and who sees what."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.core.db import db
from consult.organizations import registry
from consult.organizations.models import (
    AppendOnly,
    Quality,
    Relationship,
    RelationshipCategory,
    RelationshipChange,
    Side,
    Stance,
)

PARTNERSHIP = {"category": "partnership", "cond_structured": "y", "cond_community_party": "y",
               "cond_public_party": "y", "cond_agreed_process": "y", "cond_services_purpose": "y",
               "partnership_type": "operational_programme", "parties": "bilateral", "sector": "intrasectoral",
               "instruments": ["signed_protocol", "service_agreement"], "rules_origin": "built_by_parties",
               "lead": "shared"}


@pytest.fixture
def record(world) -> Relationship:
    relationship, _ = registry.open_relationship(world.establishment, world.organization, world.planner,
                                                 Side.establishment)
    db.session.commit()
    return relationship


def fresh(relationship: Relationship) -> Relationship:
    db.session.expire_all()
    return db.session.get(Relationship, relationship.id)


def changes(relationship: Relationship) -> list[tuple[str, str | None, str | None, Side, int | None]]:
    rows = db.session.scalars(select(RelationshipChange).where(RelationshipChange.relationship_id == relationship.id)
                              .order_by(RelationshipChange.id))
    return [(c.field, c.old_value, c.new_value, c.side, c.user_id) for c in rows]


def test_the_organization_states_its_stance_and_the_planner_sees_both_judgements_apart(world, as_user):
    rep = as_user(world.representative)
    opened = rep.post(f"/organizations/{world.organization.id}/relationships",
                      data={"establishment_id": world.establishment.id})
    assert opened.status_code == 302
    relationship = db.session.scalar(select(Relationship))
    page = rep.get(opened.headers["Location"])
    assert "The record of your relationship with CSSS du Centre-Est is open." in page.text
    assert f'action="/relationships/{relationship.id}/stance"' in page.text
    assert f'action="/relationships/{relationship.id}/judgement/establishment"' not in page.text
    rep.post(f"/relationships/{relationship.id}/stance", data={"stance": "neither",
                                                                "note": "Nous préférons rester autonomes."})
    rep.post(f"/relationships/{relationship.id}/judgement/organization",
             data={"organization-quality": "paternalistic", "organization-note": "On nous dit quoi faire."})
    planner = as_user(world.planner)
    planner.post(f"/relationships/{relationship.id}/judgement/establishment",
                 data={"establishment-quality": "real_partnership", "establishment-note": "Tout va bien."})
    relationship = fresh(relationship)
    assert relationship.stance is Stance.neither
    assert relationship.judgement(Side.organization).quality is Quality.paternalistic
    assert relationship.judgement(Side.establishment).quality is Quality.real_partnership
    listing = planner.get(f"/establishments/{world.establishment.id}/relationships")
    assert "Neither: the organization declines partnership" in listing.text
    page = planner.get(f"/relationships/{relationship.id}")
    text = page.text
    establishment_card = text.index("judgement-establishment-title")
    organization_card = text.index("judgement-organization-title")
    assert establishment_card < text.index("Real partnership: equitable", establishment_card) < organization_card
    assert text.index("Paternalistic: one side manages", organization_card) > organization_card
    assert "Tout va bien." in text and "On nous dit quoi faire." in text
    assert "Nous préférons rester autonomes." in text
    assert f'action="/relationships/{relationship.id}/stance"' not in text
    assert f'action="/relationships/{relationship.id}/judgement/organization"' not in text


def test_neither_side_can_set_the_others_judgement(world, record, as_user):
    registry.set_judgement(record, Side.organization, Quality.balanced, "Nous", world.representative)
    registry.set_judgement(record, Side.establishment, Quality.unequal, "Eux", world.planner)
    db.session.commit()
    attempts = [
        (world.planner, "organization"), (world.other_planner, "organization"),
        (world.representative, "establishment"), (world.member, "establishment"), (world.member, "organization"),
        (world.admin, "establishment"), (world.admin, "organization"), (world.citizen, "organization"),
    ]
    for person, side in attempts:
        response = as_user(person).post(f"/relationships/{record.id}/judgement/{side}",
                                        data={f"{side}-quality": "paternalistic", f"{side}-note": "Forcé"})
        assert response.status_code == 403, (person.email, side)
    relationship = fresh(record)
    assert relationship.judgement(Side.organization).quality is Quality.balanced
    assert relationship.judgement(Side.organization).note == "Nous"
    assert relationship.judgement(Side.establishment).quality is Quality.unequal
    refused = as_user(world.planner).post(f"/relationships/{record.id}/judgement/organization",
                                          data={"organization-quality": "paternalistic"})
    assert "Only the representatives of Carrefour des aînés can record the organization&#39;s judgement." in \
        refused.text


def test_only_the_organization_sets_its_stance(world, record, as_user):
    for person in (world.planner, world.member, world.admin, world.citizen):
        response = as_user(person).post(f"/relationships/{record.id}/stance", data={"stance": "partner"})
        assert response.status_code == 403
    assert fresh(record).stance is None
    refused = as_user(world.planner).post(f"/relationships/{record.id}/stance", data={"stance": "partner"})
    assert "the establishment never sets it" in refused.text
    missing = as_user(world.representative).post(f"/relationships/{record.id}/stance", data={})
    assert missing.status_code == 422 and "Choose your organization's stance." in missing.text


def test_partnership_is_refused_while_a_condition_is_unticked_naming_it(world, record, as_user):
    client = as_user(world.planner)
    data = {**PARTNERSHIP, "cond_agreed_process": "", "cond_structured": ""}
    refused = client.post(f"/relationships/{record.id}/describe", data=data)
    assert refused.status_code == 422
    assert "A partnership needs all five conditions." in refused.text
    assert "It is a structured exchange." in refused.text and "Both parties agreed to the process." in refused.text
    assert fresh(record).category is None
    no_type = client.post(f"/relationships/{record.id}/describe", data={**PARTNERSHIP, "partnership_type": ""})
    assert no_type.status_code == 422 and "Choose the type of partnership." in no_type.text
    done = client.post(f"/relationships/{record.id}/describe", data=PARTNERSHIP)
    assert done.status_code == 302
    relationship = fresh(record)
    assert relationship.category is RelationshipCategory.partnership
    assert relationship.instrument_codes == ["service_agreement", "signed_protocol"]


def test_partnership_is_refused_when_the_organization_declined(world, record, as_user):
    registry.set_stance(record, Stance.neither, None, world.representative)
    db.session.commit()
    refused = as_user(world.representative).post(f"/relationships/{record.id}/describe", data=PARTNERSHIP)
    assert refused.status_code == 422
    assert "it has not agreed to a partnership" in refused.text and "Both parties agreed to the process." in \
        refused.text
    assert fresh(record).category is None
    concertation = as_user(world.planner).post(f"/relationships/{record.id}/describe",
                                               data={"category": "concertation", "cond_public_party": "y"})
    assert concertation.status_code == 302


def test_declining_after_a_partnership_is_allowed_and_flagged_for_review(world, record, as_user):
    as_user(world.planner).post(f"/relationships/{record.id}/describe", data=PARTNERSHIP)
    client = as_user(world.representative)
    assert client.post(f"/relationships/{record.id}/stance", data={"stance": "neither"}).status_code == 302
    assert fresh(record).stance is Stance.neither
    page = client.get(f"/relationships/{record.id}")
    assert "yet this record is described as a partnership. The description should be reviewed." in page.text


def test_leaving_partnership_clears_its_attributes(world, record, as_user):
    client = as_user(world.planner)
    client.post(f"/relationships/{record.id}/describe", data=PARTNERSHIP)
    client.post(f"/relationships/{record.id}/describe", data={**PARTNERSHIP, "category": "collaboration"})
    relationship = fresh(record)
    assert relationship.category is RelationshipCategory.collaboration
    assert relationship.partnership_type is None and relationship.instruments == []
    assert relationship.cond_structured  # the checklist stays as ticked
    other = client.post(f"/relationships/{record.id}/describe", data={**PARTNERSHIP, "instruments": ["other"]})
    assert other.status_code == 422 and "Say which other instrument" in other.text


def test_the_history_keeps_every_change_with_who_and_which_side(world, record, as_user):
    as_user(world.planner).post(f"/relationships/{record.id}/describe",
                                data={"category": "concertation", "cond_public_party": "y"})
    as_user(world.representative).post(f"/relationships/{record.id}/describe",
                                       data={"category": "collaboration", "cond_public_party": "y"})
    as_user(world.representative).post(f"/relationships/{record.id}/stance", data={"stance": "partner"})
    history = changes(record)
    assert history[0] == ("created", None, "created", Side.establishment, world.planner.id)
    assert ("category", None, "concertation", Side.establishment, world.planner.id) in history
    assert ("cond_public_party", "false", "true", Side.establishment, world.planner.id) in history
    assert ("category", "concertation", "collaboration", Side.organization, world.representative.id) in history
    assert ("stance", None, "partner", Side.organization, world.representative.id) in history
    assert not any(field == "cond_public_party" and side is Side.organization for field, *_, side, _u in history)
    page = as_user(world.member).get(f"/relationships/{record.id}")
    assert "Concertation" in page.text and "Karim" not in page.text
    assert "Geneviève Planif <span class=\"muted\">(Establishment)</span>" in page.text
    assert "Louise Rep <span class=\"muted\">(Organization)</span>" in page.text


def test_the_history_cannot_be_rewritten(world, record):
    change = db.session.scalar(select(RelationshipChange))
    change.new_value = "forged"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    change = db.session.scalar(select(RelationshipChange))
    db.session.delete(change)
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count(RelationshipChange.id))) == 1


def test_the_record_is_private_to_both_sides_and_admins(world, record, as_user, make_user):
    stranger = make_user("ailleurs@exemple.ca", locale="en", planner=world.other_establishment)
    for person in (world.citizen, stranger):
        refused = as_user(person).get(f"/relationships/{record.id}")
        assert refused.status_code == 403 and "This relationship record is seen only by" in refused.text
    for person in (world.member, world.representative, world.planner, world.other_planner, world.admin):
        assert as_user(person).get(f"/relationships/{record.id}").status_code == 200
    visitor = as_user(None).get(f"/relationships/{record.id}")
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    assert as_user(world.admin).get(f"/relationships/{record.id}/describe").status_code == 403
    assert as_user(world.member).get(f"/relationships/{record.id}/describe").status_code == 403


def test_opening_twice_gives_the_same_record_from_either_side(world, record, as_user):
    client = as_user(world.planner)
    page = client.get(f"/organizations/{world.organization.id}")
    assert "Open the record of this relationship" in page.text
    again = client.post(f"/establishments/{world.establishment.id}/relationships",
                        data={"organization_id": world.organization.id})
    assert again.headers["Location"].endswith(f"/relationships/{record.id}")
    rep = as_user(world.representative)
    again = rep.post(f"/organizations/{world.organization.id}/relationships",
                     data={"establishment_id": world.establishment.id})
    assert again.headers["Location"].endswith(f"/relationships/{record.id}")
    assert db.session.scalar(select(func.count(Relationship.id))) == 1
    assert as_user(world.citizen).post(f"/establishments/{world.establishment.id}/relationships",
                                       data={"organization_id": world.organization.id}).status_code == 403


def test_the_organization_decides_whether_its_relationships_are_public(world, record, as_user):
    registry.set_stance(record, Stance.partner, None, world.representative)
    db.session.commit()
    public = as_user(None).get(f"/organizations/{world.organization.id}")
    assert "Relationships with establishments" not in public.text
    assert as_user(world.planner).post(f"/organizations/{world.organization.id}/visibility",
                                       data={"relationships_public": "y"}).status_code == 403
    as_user(world.representative).post(f"/organizations/{world.organization.id}/visibility",
                                       data={"relationships_public": "y"})
    public = as_user(None).get(f"/organizations/{world.organization.id}")
    assert "Relationships with establishments" in public.text and "CSSS du Centre-Est" in public.text
    assert "Partner" in public.text
    as_user(world.representative).post(f"/organizations/{world.organization.id}/visibility", data={})
    assert "CSSS du Centre-Est" not in as_user(None).get(f"/organizations/{world.organization.id}").text


def test_a_choice_outside_the_list_gets_a_plain_message(world, record, as_user):
    page = as_user(world.representative).post(f"/relationships/{record.id}/stance", data={"stance": "boss"})
    assert page.status_code == 422 and "Choose one of the options." in page.text
    assert "Invalid Choice" not in page.text and "Not a valid choice" not in page.text
    assert fresh(record).stance is None
