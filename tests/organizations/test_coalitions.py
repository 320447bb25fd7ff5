"""A coalition lists its member organizations; each one's representative confirms; only confirmed
members count (for co-signing briefs in the participation module)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.core.db import db
from consult.organizations import queries
from consult.organizations.models import (
    CoalitionMembership,
    CoalitionStatus,
    MemberRole,
    Organization,
    OrganizationKind,
    OrganizationMember,
)


@pytest.fixture
def coalition(world, make_user):
    cdc = Organization(name="CDC du Centre-Est", kind=OrganizationKind.coalition)
    rep = make_user("cdc@exemple.ca", locale="en", name="Julie Coalition")
    db.session.add_all([cdc, OrganizationMember(organization=cdc, user=rep, role=MemberRole.representative)])
    db.session.commit()
    return cdc, rep


def link() -> CoalitionMembership | None:
    db.session.expire_all()
    return db.session.scalar(select(CoalitionMembership))


def test_a_member_organization_confirms_and_then_counts(world, coalition, as_user, outbox):
    cdc, rep = coalition
    org = world.organization
    client = as_user(rep)
    page = client.get(f"/organizations/{org.id}")
    assert "List Carrefour des aînés as a member of CDC du Centre-Est" in page.text
    client.post(f"/organizations/{cdc.id}/coalition/members", data={"organization_id": org.id})
    assert link().status is CoalitionStatus.pending
    assert not queries.is_confirmed_member(cdc, org) and queries.confirmed_members(cdc) == []
    assert "Waiting for the organization&#39;s confirmation" in client.get(f"/organizations/{cdc.id}/coalitions").text
    assert "CDC du Centre-Est lists your organization as a member" in outbox()[-1]
    # Listing twice says so; the coalition's representative cannot confirm for the member.
    again = client.post(f"/organizations/{cdc.id}/coalition/members", data={"organization_id": org.id})
    assert "is already listed as a member" in client.get(again.headers["Location"]).text
    assert client.post(f"/coalition-members/{link().id}/confirm").status_code == 403
    member_side = as_user(world.representative)
    page = member_side.get(f"/organizations/{org.id}/coalitions")
    assert f'action="/coalition-members/{link().id}/confirm"' in page.text
    member_side.post(f"/coalition-members/{link().id}/confirm")
    assert link().status is CoalitionStatus.confirmed
    assert queries.confirmed_members(cdc) == [db.session.get(Organization, org.id)]
    public = as_user(None).get(f"/organizations/{cdc.id}")
    assert "Member organizations" in public.text and "Carrefour des aînés" in public.text
    assert "CDC du Centre-Est" in as_user(None).get(f"/organizations/{org.id}").text
    listed = as_user(None).get(f"/organizations?coalition={cdc.id}")
    assert "Showing the organizations that confirmed their membership in CDC du Centre-Est." in listed.text


def test_a_member_declines_or_leaves_and_stops_counting(world, coalition, as_user):
    cdc, rep = coalition
    org = world.organization
    as_user(rep).post(f"/organizations/{cdc.id}/coalition/members", data={"organization_id": org.id})
    assert as_user(world.member).post(f"/coalition-members/{link().id}/decline").status_code == 403
    as_user(world.representative).post(f"/coalition-members/{link().id}/decline")
    assert link().status is CoalitionStatus.declined
    as_user(rep).post(f"/organizations/{cdc.id}/coalition/members", data={"organization_id": org.id})
    as_user(world.representative).post(f"/coalition-members/{link().id}/confirm")
    as_user(world.representative).post(f"/coalition-members/{link().id}/withdraw")
    assert link().status is CoalitionStatus.withdrawn
    assert not queries.is_confirmed_member(cdc, org)
    assert as_user(world.citizen).post(f"/coalition-members/{link().id}/withdraw").status_code == 403


def test_only_a_coalitions_representatives_list_members_and_only_coalitions_have_members(world, coalition,
                                                                                     as_user):
    cdc, _rep = coalition
    for person in (world.representative, world.citizen, world.admin):
        refused = as_user(person).post(f"/organizations/{cdc.id}/coalition/members",
                                       data={"organization_id": world.organization.id})
        assert refused.status_code == 403
    # A representative of an ordinary organization cannot make it a coalition by posting.
    assert as_user(world.representative).post(f"/organizations/{world.organization.id}/coalition/members",
                                              data={"organization_id": cdc.id}).status_code == 403
    assert link() is None


def test_a_coalition_cannot_list_itself(world, coalition, as_user):
    cdc, rep = coalition
    client = as_user(rep)
    response = client.post(f"/organizations/{cdc.id}/coalition/members", data={"organization_id": cdc.id})
    assert "An organization cannot be a member of itself." in client.get(response.headers["Location"]).text
    assert link() is None
