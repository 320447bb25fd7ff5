from __future__ import annotations

from consult.accounts.models import User
from consult.core.db import db
from tests.fixtures.app import PASSWORD, link_in


def test_profile_name_and_language_are_saved(client, make_user):
    user = make_user()
    client.login(user)
    page = client.post("/account", data={"profile-display_name": "Jean", "profile-language": "en"},
                       follow_redirects=True)
    assert "Your profile was saved." in page.text  # the page now speaks English
    db.session.refresh(user)
    assert (user.display_name, user.locale) == ("Jean", "en")


def test_email_change_needs_the_password_and_the_new_address_confirmed(client, make_user, outbox):
    user = make_user("ancien@exemple.ca")
    client.login(user)
    wrong = client.post("/account/email", data={"email-email": "nouveau@exemple.ca",
                                                "email-current_password": "pas le mot de passe"})
    assert wrong.status_code == 422
    assert "mot de passe est incorrect" in wrong.text

    client.post("/account/email", data={"email-email": "nouveau@exemple.ca", "email-current_password": PASSWORD})
    db.session.refresh(user)
    assert user.email == "ancien@exemple.ca" and user.pending_email == "nouveau@exemple.ca"
    messages = outbox()
    confirm = next(m for m in messages if "To: nouveau@exemple.ca" in m)
    assert any("To: ancien@exemple.ca" in m for m in messages)  # the old address is told
    client.get(link_in(confirm, "/account/email/confirm/"))
    db.session.refresh(user)
    assert user.email == "nouveau@exemple.ca" and user.pending_email is None


def test_email_change_to_a_taken_address_reveals_nothing(client, make_user, outbox):
    make_user("prise@exemple.ca")
    user = make_user("moi@exemple.ca")
    client.login(user)
    page = client.post("/account/email", data={"email-email": "prise@exemple.ca",
                                               "email-current_password": PASSWORD}, follow_redirects=True)
    assert "prise@exemple.ca" in page.text
    assert db.session.get(User, user.id).email == "moi@exemple.ca"


def test_password_change_keeps_this_session(client, make_user):
    user = make_user()
    client.login(user)
    page = client.post("/account/password", data={"password-current_password": PASSWORD,
                                                   "password-password": "une autre phrase assez longue"})
    assert page.status_code == 302
    assert client.get("/account").status_code == 200


def test_account_page_lists_roles(client, make_user):
    from consult.territories.models import Establishment

    establishment = Establishment(name="CSSS de la Montagne", kind="CSSS")
    db.session.add(establishment)
    db.session.commit()
    user = make_user(planner=establishment)
    client.login(user)
    page = client.get("/account")
    assert "CSSS de la Montagne" in page.text
    assert "Planificat" in page.text
