"""What the module hands over on "download my data" and erases on "delete my account"; and the
mission-drift question step 6 will ask."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from consult.accounts import privacy
from consult.core.db import db
from consult.organizations import queries
from consult.organizations.models import (
    JoinRequest,
    MemberRole,
    OrganizationInvitation,
    OrganizationProgramme,
)


def exported(user) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(privacy.export_zip(user)))
    return {name[:-5]: json.loads(archive.read(name)) for name in archive.namelist() if name.endswith(".json")}


def test_the_export_holds_invitations_requests_and_registry_actions(world, as_user):
    db.session.add_all([
        OrganizationInvitation(organization=world.organization, email=world.citizen.email, role=MemberRole.member,
                               nonce="a", invited_by_id=world.representative.id),
        JoinRequest(organization=world.organization, user=world.citizen, message="Je veux aider"),
    ])
    db.session.commit()
    data = exported(world.citizen)
    assert data["organization_invitations"]["received"][0]["organization"] == "Carrefour des aînés"
    assert data["organization_join_requests"][0]["message"] == "Je veux aider"
    sent = exported(world.representative)["organization_invitations"]["sent"]
    assert sent[0]["to"] == world.citizen.email
    assert exported(world.representative)["organization_memberships"][0]["role"] == "representative"


def test_deleting_an_account_erases_its_invitations_requests_and_memberships(world):
    db.session.add_all([
        OrganizationInvitation(organization=world.organization, email=world.member.email, role=MemberRole.member,
                               nonce="a"),
        JoinRequest(organization=world.organization, user=world.member),
    ])
    db.session.commit()
    privacy.delete_account(world.member)
    db.session.commit()
    assert db.session.scalar(select(func.count(OrganizationInvitation.id))) == 0
    assert db.session.scalar(select(func.count(JoinRequest.id))) == 0
    assert queries.memberships_of(world.member) == []


def test_an_offer_element_outside_the_declared_programmes_or_territories_is_noticed(world):
    organization = world.organization
    assert not queries.declared_scope_check(organization, programme_code="youth", territory=world.region).outside
    organization.programmes = [OrganizationProgramme(programme_code="palv")]
    organization.territories = [world.clsc]
    db.session.commit()
    inside = queries.declared_scope_check(organization, programme_code="palv", territory=world.neighbourhood)
    assert not inside.outside
    other_programme = queries.declared_scope_check(organization, programme_code="youth", territory=world.clsc)
    assert other_programme.outside_programme and not other_programme.outside_territory
    elsewhere = queries.declared_scope_check(organization, programme_code="palv", territory=world.other_region)
    assert elsewhere.outside_territory and elsewhere.outside
    wider = queries.declared_scope_check(organization, territory=world.region)  # the whole region: wider
    assert wider.outside_territory
