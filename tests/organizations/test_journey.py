"""The issue's "done when", in one go: an organization registers itself, invites a member, records its
stance toward the establishment and sees its mission funding and its service agreement in two separate
sections; a planner sees the same relationship with both sides' judgements kept apart."""

from __future__ import annotations

import re

from sqlalchemy import select

from consult.core.db import db
from consult.organizations.models import MemberRole, Organization, OrganizationMember, Relationship
from tests.fixtures.app import link_in


def test_an_organization_and_a_planner_see_the_same_relationship_each_from_their_side(world, as_user, make_user,
                                                                                   outbox):
    founder = make_user("fondatrice@exemple.ca", locale="en", name="Sylvie Fondatrice")
    client = as_user(founder)
    client.post("/organizations/new", data={"name": "Répit du Plateau", "kind": "autonomous_community",
                                            "mission": "Du répit pour les proches aidants."})
    organization = db.session.scalar(select(Organization).filter_by(name="Répit du Plateau"))
    client.post(f"/organizations/{organization.id}/invitations", data={"email": "benevole@exemple.ca",
                                                                       "role": "member"})
    volunteer = make_user("benevole@exemple.ca", locale="en")
    as_user(volunteer).post(link_in(outbox()[-1], "/organizations/invitations/"), data={"answer": "accept"})
    assert db.session.scalar(select(OrganizationMember.role).filter_by(user_id=volunteer.id)) is MemberRole.member

    client = as_user(founder)
    opened = client.post(f"/organizations/{organization.id}/relationships",
                         data={"establishment_id": world.establishment.id})
    relationship_url = opened.headers["Location"]
    client.post(f"{relationship_url}/stance", data={"stance": "both"})
    client.post(f"{relationship_url}/judgement/organization", data={"organization-quality": "unequal"})

    planner = as_user(world.planner)
    planner.post(f"{relationship_url}/mission-funding/new", data={
        "programme": "PSOC", "amount": "72 000", "starts_on": "2025-04-01", "ends_on": "2026-03-31"})
    planner.post(f"{relationship_url}/service-agreements/new", data={
        "title": "Répit de fin de semaine", "amount": "18 500", "starts_on": "2025-04-01",
        "ends_on": "2026-03-31", "services": "Répit à domicile, 400 heures"})
    planner.post(f"{relationship_url}/judgement/establishment", data={"establishment-quality": "balanced"})

    seen_by_member = as_user(volunteer).get(f"/organizations/{organization.id}/relationships").text
    mission = re.search(r'<section id="mission-funding".*?</section>', seen_by_member, re.S).group(0)
    contract = re.search(r'<section id="service-agreements".*?</section>', seen_by_member, re.S).group(0)
    assert "$72,000.00" in mission and "Répit de fin de semaine" not in mission
    assert "$18,500.00" in contract and "Répit de fin de semaine" in contract
    assert "90,500" not in seen_by_member
    assert "Both partner and service provider" in seen_by_member

    seen_by_planner = as_user(world.planner).get(relationship_url).text
    ours = seen_by_planner[seen_by_planner.index("judgement-establishment-title"):
                           seen_by_planner.index("judgement-organization-title")]
    theirs = seen_by_planner[seen_by_planner.index("judgement-organization-title"):]
    assert "<strong>Balanced: mostly equitable" in ours and "<strong>Unequal" not in ours
    assert "<strong>Unequal: the other side is heard" in theirs.split("</section>")[0]
    assert "Répit du Plateau" in seen_by_planner and "Both partner and service provider" in seen_by_planner
    record = db.session.scalar(select(Relationship))
    assert record.establishment_id == world.establishment.id and record.organization_id == organization.id
