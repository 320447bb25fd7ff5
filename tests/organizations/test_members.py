"""Members and representatives: invitations by e-mail, requests to join, leaving, handing over the
representative role; the last representative stays; non-members are refused with a message."""

from __future__ import annotations

import email
import time
from email import policy

from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.core.db import db
from consult.organizations import services
from consult.organizations.models import (
    InvitationStatus,
    JoinRequest,
    MemberRole,
    OrganizationInvitation,
    OrganizationMember,
    RequestStatus,
)
from tests.fixtures.app import PASSWORD, link_in


def role_of(organization, user) -> MemberRole | None:
    db.session.expire_all()
    membership = db.session.scalar(select(OrganizationMember).filter_by(organization_id=organization.id,
                                                                       user_id=user.id))
    return membership.role if membership else None


def membership(organization, user) -> OrganizationMember:
    return db.session.scalar(select(OrganizationMember).filter_by(organization_id=organization.id,
                                                                 user_id=user.id))


def mails(outbox) -> list[tuple[str, str, str]]:
    found = []
    for raw in outbox():
        message = email.message_from_string(raw, policy=policy.default)
        found.append((message["To"], message["Subject"], message.get_body().get_content()))
    return found


# Invitations ---------------------------------------------------------------------------------------


def test_an_invited_newcomer_registers_then_accepts_and_joins(world, as_user, outbox, client):
    org = world.organization
    sent = as_user(world.representative).post(f"/organizations/{org.id}/invitations",
                                              data={"email": "Nouvelle@Exemple.ca", "role": "member"})
    assert sent.status_code == 302
    to, subject, body = mails(outbox)[-1]
    assert to == "nouvelle@exemple.ca" and subject == "Invitation to join Carrefour des aînés"
    assert "Louise Rep invites you to join Carrefour des aînés on consult, as member." in body
    assert "valid for 14 days" in body
    link = link_in(outbox()[-1], "/organizations/invitations/")
    visitor = as_user(None).get(link)
    assert visitor.status_code == 200 and "Sign in to answer" in visitor.text
    assert f'href="/login?next={link}"' in visitor.text.replace("%2F", "/")
    # Registers with the invited address; following the invitation link proves the address too.
    client.post("/register", data={"email": "nouvelle@exemple.ca", "password": PASSWORD, "language": "en",
                                   "accept_privacy": "y"})
    newcomer = db.session.scalar(select(User).filter_by(email="nouvelle@exemple.ca"))
    assert not newcomer.is_verified
    client.login(newcomer)
    page = client.get(link)
    assert "Join Carrefour des aînés" in page.text
    joined = client.post(link, data={"answer": "accept"})
    assert joined.status_code == 302 and joined.headers["Location"].endswith(f"/organizations/{org.id}")
    assert role_of(org, newcomer) is MemberRole.member
    assert db.session.get(User, newcomer.id).is_verified
    again = client.get(link)
    assert again.status_code == 410 and "This invitation was already accepted." in again.text


def test_an_invitation_as_representative_and_a_declined_one(world, as_user, outbox):
    org = world.organization
    as_user(world.representative).post(f"/organizations/{org.id}/invitations",
                                       data={"email": world.citizen.email, "role": "representative"})
    link = link_in(outbox()[-1], "/organizations/invitations/")
    client = as_user(world.citizen)
    assert "as representative" in client.get(link).text
    client.post(link, data={"answer": "accept"})
    assert role_of(org, world.citizen) is MemberRole.representative
    as_user(world.representative).post(f"/organizations/{org.id}/invitations",
                                       data={"email": "autre@exemple.ca", "role": "member"})
    invitation = db.session.scalar(select(OrganizationInvitation).filter_by(email="autre@exemple.ca"))
    other = as_user(world.planner)  # signed in with another address: told, and may still answer
    link = link_in(outbox()[-1], "/organizations/invitations/")
    assert "This invitation was sent to autre@exemple.ca and you are signed in as planif@exemple.ca" in \
        other.get(link).text
    other.post(link, data={"answer": "decline"})
    db.session.expire_all()
    assert db.session.get(OrganizationInvitation, invitation.id).status is InvitationStatus.declined
    assert role_of(org, world.planner) is None


def test_an_unverified_account_with_another_address_cannot_accept(world, as_user, outbox, make_user):
    stranger = make_user("inconnu@exemple.ca", locale="en", verified=False)
    as_user(world.representative).post(f"/organizations/{world.organization.id}/invitations",
                                       data={"email": "invitee@exemple.ca", "role": "member"})
    link = link_in(outbox()[-1], "/organizations/invitations/")
    page = as_user(stranger).post(link, data={"answer": "accept"})
    assert "Confirm your e-mail address first" in page.text
    assert role_of(world.organization, stranger) is None


def test_inviting_again_replaces_the_link_and_withdrawing_kills_it(world, as_user, outbox):
    org = world.organization
    client = as_user(world.representative)
    client.post(f"/organizations/{org.id}/invitations", data={"email": "x@exemple.ca", "role": "member"})
    first = link_in(outbox()[-1], "/organizations/invitations/")
    client.post(f"/organizations/{org.id}/invitations", data={"email": "x@exemple.ca", "role": "member"})
    second = link_in(outbox()[-1], "/organizations/invitations/")
    assert first != second
    assert db.session.scalar(select(func.count(OrganizationInvitation.id))) == 1
    stale = client.get(first)
    assert stale.status_code == 404 and "replaced by a newer one" in stale.text
    invitation = db.session.scalar(select(OrganizationInvitation))
    client.post(f"/organizations/{org.id}/invitations/{invitation.id}/revoke")
    gone = client.get(second)
    assert gone.status_code == 410 and "withdrawn by the organization" in gone.text


def test_an_expired_or_forged_link_is_refused_with_a_message(world, as_user, monkeypatch, app):
    invitation = OrganizationInvitation(organization=world.organization, email="x@exemple.ca",
                                        role=MemberRole.member, nonce="abc")
    db.session.add(invitation)
    db.session.commit()
    with app.test_request_context():
        real = TimestampSigner.get_timestamp
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 15 * 86400)
        old = services.invitation_token(invitation)
        monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    client = as_user(world.citizen)
    expired = client.get(f"/organizations/invitations/{old}")
    assert expired.status_code == 410 and "This invitation has expired." in expired.text
    assert client.post(f"/organizations/invitations/{old}", data={"answer": "accept"}).status_code == 410
    forged = client.get("/organizations/invitations/not-a-token")
    assert forged.status_code == 404 and "This invitation link is not valid." in forged.text
    assert role_of(world.organization, world.citizen) is None


def test_inviting_a_member_again_or_a_bad_address_gets_a_message(world, as_user, outbox):
    client = as_user(world.representative)
    page = client.post(f"/organizations/{world.organization.id}/invitations",
                       data={"email": world.member.email, "role": "member"})
    assert page.status_code == 422 and "membre@exemple.ca is already a member of the organization." in page.text
    bad = client.post(f"/organizations/{world.organization.id}/invitations", data={"email": "pas une adresse"})
    assert bad.status_code == 422 and "Enter a valid e-mail address" in bad.text
    assert outbox() == []


# Requests to join ------------------------------------------------------------------------------------


def test_a_request_to_join_is_approved_by_a_representative(world, as_user, outbox):
    org = world.organization
    client = as_user(world.citizen)
    page = client.get(f"/organizations/{org.id}")
    assert "Ask to join Carrefour des aînés" in page.text
    client.post(f"/organizations/{org.id}/join", data={"message": "Bénévole depuis 2019"})
    assert "You asked to join this organization" in client.get(f"/organizations/{org.id}").text
    to, subject, body = mails(outbox)[-1]
    assert to == world.representative.email and subject == "Réjean Citoyen asks to join Carrefour des aînés"
    assert "Bénévole depuis 2019" in body
    twice = client.post(f"/organizations/{org.id}/join", data={})
    assert "You already asked to join this organization." in client.get(twice.headers["Location"]).text
    assert db.session.scalar(select(func.count(JoinRequest.id))) == 1
    request = db.session.scalar(select(JoinRequest))
    rep = as_user(world.representative)
    members_page = rep.get(f"/organizations/{org.id}/members")
    assert "Bénévole depuis 2019" in members_page.text
    rep.post(f"/organizations/{org.id}/requests/{request.id}/approve")
    assert role_of(org, world.citizen) is MemberRole.member
    assert mails(outbox)[-1][1] == "You are now a member of Carrefour des aînés"


def test_a_refused_request_adds_no_one(world, as_user, outbox):
    org = world.organization
    as_user(world.citizen).post(f"/organizations/{org.id}/join", data={})
    request = db.session.scalar(select(JoinRequest))
    assert as_user(world.member).post(f"/organizations/{org.id}/requests/{request.id}/approve").status_code == 403
    as_user(world.representative).post(f"/organizations/{org.id}/requests/{request.id}/refuse")
    db.session.expire_all()
    assert db.session.get(JoinRequest, request.id).status is RequestStatus.refused
    assert role_of(org, world.citizen) is None
    assert "did not approve your request" in mails(outbox)[-1][2]


def test_members_cannot_ask_to_join_again_and_unverified_people_are_told_why(world, as_user, make_user):
    org = world.organization
    refused = as_user(world.member).post(f"/organizations/{org.id}/join", data={})
    assert refused.status_code == 403 and "You are already a member of Carrefour des aînés." in refused.text
    unverified = make_user("nv@exemple.ca", locale="en", verified=False)
    client = as_user(unverified)
    assert "Confirm your e-mail address to ask to join" in client.get(f"/organizations/{org.id}").text
    assert client.post(f"/organizations/{org.id}/join", data={}).status_code == 403
    assert db.session.scalar(select(func.count(JoinRequest.id))) == 0


# Roles, leaving and the last representative ---------------------------------------------------------


def test_the_last_representative_cannot_leave_step_down_or_be_removed(world, as_user):
    org = world.organization
    rep = membership(org, world.representative)
    client = as_user(world.representative)
    page = client.get(f"/organizations/{org.id}/members")
    assert "You are the only representative: name another one before stepping down or leaving." in page.text
    left = client.post(f"/organizations/{org.id}/leave")
    assert "You are the only representative of Carrefour des aînés, so you cannot leave it yet." in \
        client.get(left.headers["Location"]).text
    client.post(f"/organizations/{org.id}/members/{rep.id}/role", data={"role": "member"})
    client.post(f"/organizations/{org.id}/members/{rep.id}/remove")
    page = client.get(f"/organizations/{org.id}/members")
    assert "An organization always keeps at least one representative." in page.text
    assert role_of(org, world.representative) is MemberRole.representative


def test_the_representative_role_is_handed_over_and_then_the_former_one_may_leave(world, as_user):
    org = world.organization
    target = membership(org, world.member)
    client = as_user(world.representative)
    assert "Hand over my representative role" in client.get(f"/organizations/{org.id}/members").text
    client.post(f"/organizations/{org.id}/members/{target.id}/transfer")
    assert role_of(org, world.member) is MemberRole.representative
    assert role_of(org, world.representative) is MemberRole.member
    client.post(f"/organizations/{org.id}/leave")
    assert role_of(org, world.representative) is None


def test_a_representative_names_another_then_steps_down(world, as_user):
    org = world.organization
    target = membership(org, world.member)
    mine = membership(org, world.representative)
    client = as_user(world.representative)
    client.post(f"/organizations/{org.id}/members/{target.id}/role", data={"role": "representative"})
    client.post(f"/organizations/{org.id}/members/{mine.id}/role", data={"role": "member"})
    assert role_of(org, world.member) is MemberRole.representative
    assert role_of(org, world.representative) is MemberRole.member


def test_a_member_leaves_and_a_representative_removes_a_member(world, as_user, make_user):
    org = world.organization
    as_user(world.member).post(f"/organizations/{org.id}/leave")
    assert role_of(org, world.member) is None
    other = make_user("autre@exemple.ca")
    db.session.add(OrganizationMember(organization=org, user=other, role=MemberRole.member))
    db.session.commit()
    as_user(world.representative).post(f"/organizations/{org.id}/members/{membership(org, other).id}/remove")
    assert role_of(org, other) is None


def test_non_members_get_a_clear_refusal_and_nothing_changes(world, as_user, outbox):
    org = world.organization
    rep, member = membership(org, world.representative), membership(org, world.member)
    attempts = [
        ("get", f"/organizations/{org.id}/members", None),
        ("post", f"/organizations/{org.id}/invitations", {"email": "x@exemple.ca", "role": "member"}),
        ("post", f"/organizations/{org.id}/members/{member.id}/role", {"role": "representative"}),
        ("post", f"/organizations/{org.id}/members/{rep.id}/remove", {}),
        ("post", f"/organizations/{org.id}/members/{member.id}/transfer", {}),
        ("post", f"/organizations/{org.id}/leave", {}),
        ("get", f"/organizations/{org.id}/relationships", None),
        ("get", f"/organizations/{org.id}/coalitions", None),
    ]
    for person in (world.citizen, world.planner):
        client = as_user(person)
        for method, url, data in attempts:
            response = client.get(url) if method == "get" else client.post(url, data=data)
            assert response.status_code == 403, (person.email, url)
            assert "Carrefour des aînés" in response.text and "Access denied" in response.text
    # A member may see the members but not manage them.
    client = as_user(world.member)
    assert client.get(f"/organizations/{org.id}/members").status_code == 200
    for _method, url, data in attempts[1:5]:
        assert client.post(url, data=data).status_code == 403, url
    assert role_of(org, world.representative) is MemberRole.representative
    assert role_of(org, world.member) is MemberRole.member
    assert outbox() == []
    visitor = as_user(None).post(f"/organizations/{org.id}/leave")
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]


def test_an_admin_can_name_a_representative_only_when_there_is_none(world, as_user):
    org = world.organization
    member = membership(org, world.member)
    client = as_user(world.admin)
    assert client.post(f"/organizations/{org.id}/members/{member.id}/role",
                       data={"role": "representative"}).status_code == 403
    db.session.delete(membership(org, world.representative))  # e.g. the representative deleted their account
    db.session.commit()
    page = client.get(f"/organizations/{org.id}/members")
    assert "This organization has no representative at the moment." in page.text
    client.post(f"/organizations/{org.id}/members/{member.id}/role", data={"role": "representative"})
    assert role_of(org, world.member) is MemberRole.representative


def test_sending_invitations_is_rate_limited(world, as_user, app, outbox):
    from consult.extensions import limiter

    client = as_user(world.representative)
    previous = app.config["CONSULT_POST_LIMIT"]
    app.config["CONSULT_POST_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        codes = [client.post(f"/organizations/{world.organization.id}/invitations",
                             data={"email": f"n{n}@exemple.ca", "role": "member"}).status_code for n in range(5)]
    finally:
        app.config["CONSULT_POST_LIMIT"] = previous
        limiter.reset()
    assert codes == [302, 302, 302, 429, 429]
    assert len(outbox()) == 3
