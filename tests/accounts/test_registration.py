from __future__ import annotations

from consult.accounts.models import User
from consult.core.db import db
from tests.fixtures.app import PASSWORD, link_in


def _register(client, **overrides):
    data = {"email": "Marie.Tremblay@Exemple.ca", "password": PASSWORD, "display_name": "Marie",
            "language": "fr", "accept_privacy": "y"}
    data.update(overrides)
    return client.post("/register", data=data)


def test_newcomer_registers_verifies_and_signs_in(client, outbox):
    page = _register(client)
    assert page.status_code == 200
    assert "marie.tremblay@exemple.ca" in page.text
    user = db.session.scalar(db.select(User))
    assert user.email == "marie.tremblay@exemple.ca"
    assert not user.is_verified
    assert user.privacy_accepted_at is not None

    [message] = outbox()
    follow = client.get(link_in(message, "/verify/"))
    assert follow.status_code == 302
    db.session.refresh(user)
    assert user.is_verified

    client.login(user)
    assert "marie.tremblay@exemple.ca" in client.get("/account").text


def test_verification_link_cannot_be_reused(client, outbox):
    _register(client)
    link = link_in(outbox()[0], "/verify/")
    client.get(link)
    again = client.get(link, follow_redirects=True)
    assert "déjà été utilisé" in again.text or "already used" in again.text


def test_tampered_verification_link_is_refused(client, outbox):
    _register(client)
    link = link_in(outbox()[0], "/verify/")
    page = client.get(link[:-3] + "abc", follow_redirects=True)
    assert page.status_code == 200
    assert db.session.scalar(db.select(User)).email_verified_at is None


def test_weak_and_common_passwords_are_refused_with_a_message(client):
    short = _register(client, password="court")
    assert short.status_code == 422
    assert "12 caractères" in short.text
    common = _register(client, password="motdepasse123")
    assert common.status_code == 422
    assert "trop courant" in common.text
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_invalid_email_gets_a_clear_message(client):
    page = _register(client, email="pas-une-adresse")
    assert page.status_code == 422
    assert "adresse courriel valide" in page.text


def test_privacy_notice_must_be_accepted(client):
    page = _register(client, accept_privacy="")
    assert page.status_code == 422
    assert "avis de confidentialité" in page.text


def test_duplicate_email_reveals_nothing_and_warns_the_owner(client, make_user, outbox):
    owner = make_user("deja@exemple.ca")
    page = _register(client, email="DEJA@exemple.ca")
    assert page.status_code == 200  # same page as a new registration
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    [message] = outbox()
    assert owner.email in message


def test_english_registration_gets_english_mail(client, outbox):
    _register(client, language="en", email="jane@example.ca")
    assert "Confirm your e-mail" in outbox()[0] or "confirm" in outbox()[0].lower()
    assert db.session.scalar(db.select(User)).locale == "en"
