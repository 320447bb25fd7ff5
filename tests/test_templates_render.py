"""Every page and e-mail template renders for the people who see it, and shows what they need.

Pages are read in English (msgids are English, so the text does not move when the French catalog
changes); the French privacy notice is checked separately.
"""

from __future__ import annotations

import email
import re
from email import policy

import pytest

from consult.accounts import tokens
from consult.accounts.models import User
from consult.core.db import db
from consult.organizations.models import MemberRole, Organization, OrganizationKind, OrganizationMember
from consult.territories.models import Establishment
from tests.fixtures.app import PASSWORD, link_in


def _english(client) -> None:
    client.get("/lang/en")


def _subjects_and_bodies(outbox) -> list[tuple[str, str, str]]:
    found = []
    for raw in outbox():
        msg = email.message_from_string(raw, policy=policy.default)
        found.append((msg["To"], msg["Subject"], msg.get_body().get_content()))
    return found


@pytest.fixture
def establishment() -> Establishment:
    place = Establishment(name="CIUSSS du Nord-de-l'Île", kind="CIUSSS")
    db.session.add(place)
    db.session.commit()
    return place


# ---------- Visitor pages ----------

def test_home_explains_the_six_steps_to_a_visitor(client):
    _english(client)
    page = client.get("/")
    assert page.status_code == 200
    steps = re.search(r'<ol class="steps">(.*?)</ol>', page.text, re.S)
    assert steps and steps.group(1).count("<li>") == 6
    for text in ("Needs portrait", "Gap analysis", "Service offer and roles", "Every input gets an answer",
                 "Create an account"):
        assert text in page.text
    assert "What you can do" not in page.text
    assert page.text.count("<h1") == 1


def test_home_tells_a_signed_in_person_what_they_can_do(client, make_user, establishment):
    user = make_user(locale="en", planner=establishment, verified=False)
    client.login(user)
    page = client.get("/")
    assert "What you can do" in page.text
    assert "You are planner for CIUSSS du Nord-de-l&#39;Île." in page.text
    assert "Confirm your e-mail address" in page.text
    assert "Open the administration" not in page.text


def test_home_offers_administration_to_an_admin(client, make_user):
    client.login(make_user(locale="en", admin=True))
    page = client.get("/")
    assert 'href="/admin/"' in page.text and "Open the administration" in page.text


def test_sign_in_page_links_to_reset_and_register_and_keeps_next(client):
    _english(client)
    page = client.get("/login?next=/account")
    assert page.status_code == 200
    assert 'href="/password/forgot"' in page.text and 'href="/register"' in page.text
    assert 'action="/login?next=/account"' in page.text
    wrong = client.post("/login", data={"email": "nobody@exemple.ca", "password": "x"})
    assert wrong.status_code == 422
    assert 'class="error-summary"' in wrong.text and 'href="#password"' in wrong.text


def test_register_errors_are_summarised_and_tied_to_their_fields(client):
    _english(client)
    assert client.get("/register").status_code == 200
    page = client.post("/register", data={"email": "not an address", "password": "short", "language": "en"})
    assert page.status_code == 422
    assert 'href="#email"' in page.text and 'href="#accept_privacy"' in page.text
    assert 'aria-describedby="password-hint password-error"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert '="None"' not in page.text  # an absent attribute is left out, not written as "None"
    assert 'href="/privacy"' in page.text


def test_check_email_page_after_registering_and_after_asking_for_a_reset(client):
    _english(client)
    page = client.post("/register", data={"email": "Nouvelle@Exemple.ca", "password": PASSWORD,
                                          "language": "en", "accept_privacy": "y"})
    assert page.status_code == 200
    assert "We sent a message to nouvelle@exemple.ca" in page.text
    reset = client.post("/password/forgot", data={"email": "inconnue@exemple.ca"})
    assert reset.status_code == 200
    assert "If an account exists for inconnue@exemple.ca" in reset.text
    assert "valid for 24 hours" in reset.text


def test_forgot_and_reset_password_pages(client, make_user):
    _english(client)
    assert "Send me a link" in client.get("/password/forgot").text
    user = make_user(locale="en")
    token = tokens.make(user, "reset")
    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 200
    assert f'action="/password/reset/{token}"' in page.text and "New password" in page.text
    short = client.post(f"/password/reset/{token}", data={"password": "court"})
    assert short.status_code == 422 and 'class="error-summary"' in short.text


def test_privacy_notice_in_french(client):
    french = client.get("/privacy", headers={"Accept-Language": "fr-CA"})
    assert french.status_code == 200
    assert 'lang="fr-CA"' in french.text
    for text in ("renseignements personnels", "Vos droits", "Commission d’accès à l’information",
                 "Retrait du consentement", "Personne responsable"):
        assert text in french.text


def test_privacy_notice_in_english(client):
    _english(client)
    english = client.get("/privacy")
    for text in ("What we collect", "Your rights", "Withdrawal of consent", "How long we keep it",
                 "person in charge of the protection of personal information"):
        assert text in english.text
    assert "renseignements personnels" not in english.text


def test_error_page_is_readable_with_a_way_home(client):
    _english(client)
    page = client.get("/nowhere")
    assert page.status_code == 404
    assert "Page not found" in page.text and "Error 404" in page.text
    assert 'href="/"' in page.text


# ---------- Account pages ----------

def test_account_page_shows_status_roles_and_the_three_forms(client, make_user, establishment):
    user = make_user("compte@exemple.ca", locale="en", verified=False, name="Anne", planner=establishment)
    organization = Organization(name="Popote roulante", kind=OrganizationKind.community)
    db.session.add(OrganizationMember(organization=organization, user=user, role=MemberRole.representative))
    user.pending_email = "nouvelle@exemple.ca"
    db.session.commit()
    client.login(user)
    page = client.get("/account")
    assert page.status_code == 200
    text = page.text
    assert "compte@exemple.ca" in text and "Not verified yet" in text
    assert 'action="/verify/resend"' in text and "Send a new link" in text
    assert "nouvelle@exemple.ca" in text
    assert "CIUSSS du Nord-de-l&#39;Île — Planner" in text
    assert "Popote roulante — Representative" in text
    for action in ('action="/account"', 'action="/account/email"', 'action="/account/password"'):
        assert action in text
    for name in ("profile-display_name", "email-email", "email-current_password", "password-password"):
        assert f'name="{name}"' in text
    assert 'href="/account/data"' in text and 'href="/account/delete"' in text


def test_account_page_shows_the_errors_of_the_form_that_was_sent(client, make_user):
    client.login(make_user(locale="en"))
    page = client.post("/account/password", data={"password-current_password": "wrong",
                                                   "password-password": "une autre phrase assez longue"})
    assert page.status_code == 422
    assert 'href="#password-current_password"' in page.text
    assert "The password is incorrect." in page.text


def test_a_verified_person_sees_no_resend_button(client, make_user):
    client.login(make_user(locale="en"))
    page = client.get("/account")
    assert "Verified on" in page.text and "Send a new link" not in page.text
    assert "You take part as a citizen" in page.text


def test_delete_page_says_what_is_erased_and_what_stays(client, make_user):
    client.login(make_user(locale="en"))
    page = client.get("/account/delete")
    assert page.status_code == 200
    assert "What is erased" in page.text and "former participant" in page.text
    refused = client.post("/account/delete", data={"current_password": PASSWORD})
    assert refused.status_code == 422 and 'href="#confirm"' in refused.text


# ---------- Administration ----------

def test_dashboard_counts_and_links(client, make_user, establishment):
    client.login(make_user(locale="en", admin=True))
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "1 account" in page.text and "1 establishment" in page.text
    for href in ("/admin/users", "/admin/territories", "/admin/establishments", "/admin/outbox"):
        assert f'href="{href}"' in page.text


def test_people_list_searches_and_pages(client, make_user, app, monkeypatch):
    admin = make_user("admin@exemple.ca", locale="en", admin=True)
    for n in range(3):
        make_user(f"gens{n}@exemple.ca", name="<b>Gens</b>")
    monkeypatch.setitem(app.config, "CONSULT_PAGE_SIZE", 2)
    client.login(admin)
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert "<caption>" in page.text and "4 people" in page.text
    assert 'class="table-wrap"' in page.text and "Page 1 of 2" in page.text and 'rel="next"' in page.text
    found = client.get("/admin/users?q=gens")
    assert "3 people match" in found.text and 'href="/admin/users?page=2&amp;q=gens"' in found.text
    assert "&lt;b&gt;Gens&lt;/b&gt;" in found.text and "<b>Gens</b>" not in found.text
    assert "Nobody matches this search." in client.get("/admin/users?q=zzz").text


def test_person_page_grants_and_revokes_roles(client, make_user, establishment):
    admin = make_user(locale="en", admin=True)
    person = make_user("role@exemple.ca", moderator=establishment)
    client.login(admin)
    page = client.get(f"/admin/users/{person.id}")
    assert page.status_code == 200
    role_id = person.establishment_roles[0].id
    assert f'action="/admin/users/{person.id}/roles/{role_id}/revoke"' in page.text
    assert 'name="grant-establishment_id"' in page.text and 'name="grant-role"' in page.text
    missing = client.post(f"/admin/users/{person.id}", data={"grant-role": "planner"})
    assert missing.status_code == 422 and 'class="error-summary"' in missing.text


def test_person_page_without_establishments_points_to_creating_one(client, make_user):
    admin = make_user(locale="en", admin=True)
    client.login(admin)
    page = client.get(f"/admin/users/{admin.id}")
    assert "There is no establishment yet." in page.text and 'href="/admin/establishments"' in page.text


def test_outbox_lists_messages_and_shows_links_as_links(client, make_user):
    client.post("/register", data={"email": "lien@exemple.ca", "password": PASSWORD, "language": "en",
                                   "accept_privacy": "y", "display_name": "<i>x</i>"})
    client.login(make_user(locale="en", admin=True))
    listing = client.get("/admin/outbox")
    assert listing.status_code == 200
    assert "Confirm your e-mail address" in listing.text and "lien@exemple.ca" in listing.text
    message_id = re.search(r'href="/admin/outbox/(\d+)"', listing.text).group(1)
    page = client.get(f"/admin/outbox/{message_id}")
    assert page.status_code == 200
    assert re.search(r'<pre class="email-body">.*<a href="http://localhost/verify/[^"]+"', page.text, re.S)


def test_a_citizen_gets_a_clear_access_denied_page(client, make_user):
    client.login(make_user(locale="en"))
    page = client.get("/admin/")
    assert page.status_code == 403
    assert "Access denied" in page.text and 'href="/account"' in page.text


# ---------- E-mails: first line is the subject, then a polite body with its link ----------

def test_account_emails_have_a_subject_and_their_links(client, make_user, outbox):
    _english(client)
    client.post("/register", data={"email": "deux@exemple.ca", "password": PASSWORD, "language": "en",
                                   "accept_privacy": "y"})
    client.post("/register", data={"email": "deux@exemple.ca", "password": PASSWORD, "language": "en",
                                   "accept_privacy": "y"})
    client.post("/password/forgot", data={"email": "deux@exemple.ca"})
    make_user("occupee@exemple.ca", locale="en")
    mover = db.session.scalar(db.select(User).filter_by(email="deux@exemple.ca"))
    client.login(mover)
    for address in ("occupee@exemple.ca", "libre@exemple.ca"):
        client.post("/account/email", data={"email-email": address, "email-current_password": PASSWORD})
    mails = _subjects_and_bodies(outbox)
    subjects = [subject for _, subject, _ in mails]
    assert subjects == ["Confirm your e-mail address", "You already have an account", "Choose a new password",
                        "Someone tried to use your e-mail address", "Confirm your new e-mail address",
                        "Your e-mail address is about to change"]
    bodies = dict(zip(subjects, (body for _, _, body in mails), strict=True))
    assert bodies["Confirm your e-mail address"].startswith("Hello,")
    assert "http://localhost/verify/" in bodies["Confirm your e-mail address"]
    assert "http://localhost/login" in bodies["You already have an account"]
    assert "http://localhost/password/forgot" in bodies["You already have an account"]
    assert "http://localhost/password/reset/" in bodies["Choose a new password"]
    assert "http://localhost/account/email/confirm/" in bodies["Confirm your new e-mail address"]
    assert "libre@exemple.ca" in bodies["Your e-mail address is about to change"]
    assert "24 hours" in bodies["Confirm your e-mail address"]
    assert link_in(outbox()[0], "/verify/").startswith("/verify/")
