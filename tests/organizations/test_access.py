"""Every route of the organizations module × every role, on a world where each object exists: a page
answers 200 only to the roles listed, a refused action is refused (403, or sign-in for visitors) and
changes nothing. A new route fails here until it is listed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from consult.core.db import db
from consult.organizations import registry, services
from consult.organizations.models import (
    AccountabilityItem,
    CoalitionMembership,
    Handover,
    JoinRequest,
    MemberRole,
    MissionFunding,
    Organization,
    OrganizationInvitation,
    OrganizationKind,
    OrganizationMember,
    Relationship,
    RelationshipChange,
    RelationshipJudgement,
    ServiceAgreement,
    Side,
)

ROLES = ("anonymous", "citizen", "member", "representative", "moderator", "planner", "admin")
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
NOBODY: set[str] = set()
MEMBERS = {"member", "representative"}
SEES_RECORD = {"member", "representative", "planner", "admin"}

EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "organizations.directory": (EVERYONE, NOBODY),
    "organizations.show": (EVERYONE, NOBODY),
    "organizations.new": (SIGNED_IN, SIGNED_IN),
    "organizations.edit": ({"representative"}, {"representative"}),
    "organizations.verify": (NOBODY, {"admin"}),
    "organizations.members": (MEMBERS | {"admin"}, NOBODY),
    "organizations.invite": (NOBODY, {"representative"}),
    "organizations.revoke_invitation": (NOBODY, {"representative"}),
    "organizations.change_role": (NOBODY, {"representative"}),
    "organizations.transfer": (NOBODY, {"representative"}),
    "organizations.remove_member": (NOBODY, {"representative"}),
    "organizations.leave": (NOBODY, MEMBERS),
    "organizations.request_join": (NOBODY, {"citizen", "moderator", "planner", "admin"}),
    "organizations.approve_request": (NOBODY, {"representative"}),
    "organizations.refuse_request": (NOBODY, {"representative"}),
    "organizations.invitation": (EVERYONE, SIGNED_IN),  # the link is the authorization
    "organizations.coalitions": (MEMBERS | {"admin"}, NOBODY),
    "organizations.list_member": (NOBODY, NOBODY),  # the world's organization is not a coalition
    "organizations.confirm_coalition": (NOBODY, {"representative"}),
    "organizations.decline_coalition": (NOBODY, {"representative"}),
    "organizations.withdraw_coalition": (NOBODY, {"representative"}),
    "organizations.organization_relationships": (MEMBERS | {"admin"}, NOBODY),
    "organizations.open_from_organization": (NOBODY, {"representative"}),
    "organizations.visibility": (NOBODY, {"representative"}),
    "organizations.establishment_relationships": ({"planner", "admin"}, NOBODY),
    "organizations.open_from_establishment": (NOBODY, {"planner"}),
    "organizations.handovers": ({"planner", "admin"}, {"planner", "admin"}),
    "organizations.relationship": (SEES_RECORD, NOBODY),
    "organizations.describe": ({"representative", "planner"}, {"representative", "planner"}),
    "organizations.stance": (NOBODY, {"representative"}),
    "organizations.judge_establishment": (NOBODY, {"planner"}),
    "organizations.judge_organization": (NOBODY, {"representative"}),
    "organizations.new_funding": ({"planner"}, {"planner"}),
    "organizations.edit_funding": ({"planner"}, {"planner"}),
    "organizations.delete_funding": (NOBODY, {"planner"}),
    "organizations.new_agreement": ({"planner"}, {"planner"}),
    "organizations.agreement": (SEES_RECORD, {"planner"}),
    "organizations.delete_agreement": (NOBODY, {"planner"}),
    "organizations.add_item": (NOBODY, {"planner"}),
    "organizations.item_reported": (NOBODY, {"representative"}),
    "organizations.delete_item": (NOBODY, {"planner"}),
}


@pytest.fixture
def full_world(world, make_user, app):
    users = {"citizen": world.citizen, "member": world.member, "representative": world.representative,
             "planner": world.planner, "admin": world.admin,
             "moderator": make_user("mod@exemple.ca", moderator=world.establishment)}
    org = world.organization
    coalition = Organization(name="CDC", kind=OrganizationKind.coalition)
    db.session.add(coalition)
    link = CoalitionMembership(coalition=coalition, member=org)
    db.session.add(link)
    relationship, _ = registry.open_relationship(world.establishment, org, world.planner, Side.establishment)
    funding = registry.save_mission_funding(relationship, None, programme="PSOC", amount_cents=100, actor=world.planner,
                                            starts_on=date(2024, 4, 1), ends_on=date(2025, 3, 31), note=None)
    agreement = registry.save_service_agreement(relationship, None, title="Entente", amount_cents=100,
                                                starts_on=date(2024, 4, 1), ends_on=date(2025, 3, 31),
                                                services="Services", note=None, actor=world.planner)
    item = registry.add_accountability_item(agreement, "Bilan", None, world.planner)
    invitation = OrganizationInvitation(organization=org, email="invitee@exemple.ca", role=MemberRole.member,
                                        nonce="n0nce")
    request = JoinRequest(organization=org, user=make_user("demande@exemple.ca"))
    db.session.add_all([invitation, request])
    db.session.commit()
    with app.test_request_context():
        token = services.invitation_token(invitation)
    member = db.session.scalar(select(OrganizationMember).filter_by(user_id=world.member.id))
    values = {"organization_id": org.id, "establishment_id": world.establishment.id, "membership_id": member.id,
              "invitation_id": invitation.id, "request_id": request.id, "token": token, "link_id": link.id,
              "relationship_id": relationship.id, "funding_id": funding.id, "agreement_id": agreement.id,
              "item_id": item.id}
    return users, values


def state() -> tuple:
    """What a refused action must leave as it was."""
    db.session.expire_all()
    counted = (OrganizationMember, OrganizationInvitation, JoinRequest, CoalitionMembership, Relationship,
               RelationshipChange, RelationshipJudgement, MissionFunding, ServiceAgreement, AccountabilityItem,
               Handover, Organization)
    counts = tuple(db.session.scalar(select(func.count()).select_from(model)) for model in counted)
    roles = tuple(db.session.execute(select(OrganizationMember.id, OrganizationMember.role)).all())
    orgs = tuple(db.session.execute(select(Organization.name, Organization.verified_at,
                                           Organization.relationships_public)).all())
    links = tuple(db.session.execute(select(CoalitionMembership.status)).all())
    invitations = tuple(db.session.execute(select(OrganizationInvitation.status)).all())
    requests = tuple(db.session.execute(select(JoinRequest.status)).all())
    records = tuple(db.session.execute(select(Relationship.category, Relationship.stance)).all())
    items = tuple(db.session.execute(select(AccountabilityItem.reported_at)).all())
    return counts, roles, orgs, links, invitations, requests, records, items


def _routes(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("organizations.")]


def test_every_route_is_in_the_table(app):
    assert sorted({r.endpoint for r in _routes(app)} - set(EXPECTED)) == []
    assert sorted(set(EXPECTED) - {r.endpoint for r in _routes(app)}) == []


@pytest.mark.parametrize("role", ROLES)
def test_route_access_by_role(app, full_world, role):
    users, values = full_world
    before = state()
    unexpected = []
    for rule in _routes(app):
        allowed_get, allowed_post = EXPECTED[rule.endpoint]
        client = app.test_client()
        if role != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = users[role].get_id()
        url = rule.build({k: values[k] for k in rule.arguments})[1]
        if "GET" in rule.methods:
            status = client.get(url).status_code
            if (status == 200) != (role in allowed_get):
                unexpected.append(f"GET {url} → {status}")
        if "POST" in rule.methods and role not in allowed_post:
            response = client.post(url, data={})
            refused = response.status_code in (403, 404, 405, 400) or (
                role == "anonymous" and response.status_code == 302
                and "/login" in response.headers.get("Location", ""))
            if not refused:
                unexpected.append(f"POST {url} → {response.status_code} (should be refused)")
    assert not unexpected, f"{role}: " + "; ".join(unexpected)
    assert state() == before
