"""Self-registration, the profile, the NEQ, duplicate names and the verified mark."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.core.db import db
from consult.organizations.models import MemberRole, Organization, OrganizationKind, OrganizationMember


def count() -> int:
    return db.session.scalar(select(func.count(Organization.id)))


def profile(**overrides) -> dict:
    data = {"name": "Maison des jeunes du Quartier", "kind": "autonomous_community", "legal_name": "",
            "neq": "", "mission": "", "contact_email": "", "contact_phone": "", "website": "", "address": ""}
    data.update(overrides)
    return data


def test_a_verified_person_registers_an_organization_and_becomes_its_representative(world, as_user, make_user):
    founder = make_user("fondatrice@exemple.ca", locale="en")
    client = as_user(founder)
    page = client.get("/organizations/new")
    assert page.status_code == 200 and "the establishment does not choose who takes part" in page.text
    response = client.post("/organizations/new", data=profile(
        neq="1145 678 901", mission="Un lieu pour les *jeunes*.", territory_ids=[world.clsc.id],
        programme_codes=["youth", "mental_health"], contact_email="Info@MDJ.example",
        contact_phone="514 555-0123 poste 12", website="https://mdj.example", address="1 rue Ontario\nMontréal"))
    assert response.status_code == 302, response.text
    organization = db.session.scalar(select(Organization).filter_by(name="Maison des jeunes du Quartier"))
    assert organization.neq == "1145678901" and organization.contact_email == "info@mdj.example"
    assert organization.programme_codes == ["mental_health", "youth"]
    assert [t.code for t in organization.territories] == ["06111"]
    membership = db.session.scalar(select(OrganizationMember).filter_by(organization_id=organization.id))
    assert membership.user_id == founder.id and membership.role is MemberRole.representative
    page = client.get(response.headers["Location"])
    assert "is registered and you are its representative" in page.text
    for shown in ("1145 678 901", "Mental health", "Youth in difficulty", "CLSC des Faubourgs",
                  "<em>jeunes</em>", 'href="https://mdj.example"', 'href="mailto:info@mdj.example"',
                  "1 rue Ontario<br>Montréal", "You are a representative of this organization."):
        assert shown in page.text, shown


def test_an_unverified_person_is_told_to_confirm_first_and_nothing_is_created(world, as_user, make_user):
    client = as_user(make_user("pas-encore@exemple.ca", locale="en", verified=False))
    page = client.get("/organizations/new")
    assert page.status_code == 200
    assert "Confirm your e-mail address first." in page.text
    assert 'action="/verify/resend"' in page.text and "Send me a new link" in page.text
    before = count()
    refused = client.post("/organizations/new", data=profile())
    assert refused.status_code == 403 and "Confirm your e-mail address first." in refused.text
    assert count() == before


def test_visitors_are_sent_to_sign_in(world, as_user):
    response = as_user(None).get("/organizations/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_malformed_neq_gets_a_clear_message(world, as_user):
    client = as_user(world.citizen)
    for bad in ("12345", "11456789012", "1145-678-901", "ABCDEFGHIJ", "١٢٣٤٥٦٧٨٩٠"):
        page = client.post("/organizations/new", data=profile(neq=bad))
        assert page.status_code == 422, bad
        assert "A Québec enterprise number (NEQ) has exactly 10 digits" in page.text
    assert count() == 1


def test_a_duplicate_name_warns_and_shows_the_existing_one_then_registers_when_confirmed(world, as_user):
    client = as_user(world.citizen)
    page = client.post("/organizations/new", data=profile(name="CARREFOUR des Aines !"))
    assert page.status_code == 422
    assert "This organization may already be registered" in page.text
    assert f'href="/organizations/{world.organization.id}"' in page.text
    assert 'name="confirm_new"' in page.text
    assert count() == 1
    done = client.post("/organizations/new", data=profile(name="CARREFOUR des Aines !", confirm_new="y"))
    assert done.status_code == 302
    assert count() == 2


def test_the_same_enterprise_number_also_warns(world, as_user):
    world.organization.neq = "1145678901"
    db.session.commit()
    page = as_user(world.citizen).post("/organizations/new", data=profile(name="Autre nom", neq="1145678901"))
    assert page.status_code == 422 and "Carrefour des aînés" in page.text


def test_representatives_edit_the_profile_and_others_get_a_clear_refusal(world, as_user):
    for person in (world.member, world.planner, world.citizen, world.admin):
        client = as_user(person)
        assert client.get(f"/organizations/{world.organization.id}/edit").status_code == 403
        refused = client.post(f"/organizations/{world.organization.id}/edit", data=profile(name="Pris"))
        assert refused.status_code == 403
        assert "Only the representatives of Carrefour des aînés can do this." in refused.text
    assert db.session.get(Organization, world.organization.id).name == "Carrefour des aînés"
    client = as_user(world.representative)
    page = client.get(f"/organizations/{world.organization.id}/edit")
    assert page.status_code == 200 and 'value="Carrefour des aînés"' in page.text
    saved = client.post(f"/organizations/{world.organization.id}/edit", data=profile(
        name="Carrefour des aînés", kind="community", mission="Notre mission."))
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, world.organization.id).kind is OrganizationKind.community


def test_only_an_admin_gives_the_verified_mark(world, as_user):
    url = f"/organizations/{world.organization.id}/verify"
    for person in (world.representative, world.planner, world.citizen):
        assert as_user(person).post(url, data={"verified": "1"}).status_code == 403
    assert db.session.get(Organization, world.organization.id).verified_at is None
    client = as_user(world.admin)
    assert "Give the verified mark" in client.get(f"/organizations/{world.organization.id}").text
    client.post(url, data={"verified": "1"})
    db.session.expire_all()
    assert db.session.get(Organization, world.organization.id).is_verified
    public = as_user(None).get(f"/organizations/{world.organization.id}")
    assert "Verified by the platform" in public.text
    client = as_user(world.admin)
    client.post(url, data={"verified": "0"})
    db.session.expire_all()
    assert not db.session.get(Organization, world.organization.id).is_verified


def test_the_public_page_is_open_to_visitors_and_escapes_what_organizations_wrote(world, as_user):
    world.organization.mission = "<script>alert(1)</script> **Fort**"
    world.organization.address = "<b>1 rue</b>"
    db.session.commit()
    page = as_user(None).get(f"/organizations/{world.organization.id}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text and "<b>1 rue</b>" not in page.text
    assert "&lt;b&gt;1 rue&lt;/b&gt;" in page.text and "<strong>Fort</strong>" in page.text
    assert "Sign in" in page.text and "Ask to join" not in page.text
