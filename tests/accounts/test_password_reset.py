from __future__ import annotations

from consult.core.db import db
from tests.fixtures.app import link_in

NEW = "un tout nouveau mot de passe"


def test_reset_changes_password_and_link_dies(client, make_user, outbox):
    user = make_user("oubli@exemple.ca")
    page = client.post("/password/forgot", data={"email": "oubli@exemple.ca"})
    assert page.status_code == 200
    link = link_in(outbox()[0], "/password/reset/")
    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": NEW})
    assert done.status_code == 302
    client.login(user, password=NEW)
    client.logout()
    reused = client.get(link, follow_redirects=True)
    assert "déjà été utilisé" in reused.text


def test_reset_for_unknown_address_looks_the_same_and_sends_nothing(client, outbox):
    page = client.post("/password/forgot", data={"email": "personne@exemple.ca"})
    assert page.status_code == 200
    assert "personne@exemple.ca" in page.text
    assert outbox() == []


def test_expired_reset_link_is_refused(app, client, make_user, outbox):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    link = link_in(outbox()[0], "/password/reset/")
    app.config["CONSULT_TOKEN_HOURS"] = -1  # any age is too old
    try:
        page = client.get(link, follow_redirects=True)
    finally:
        app.config["CONSULT_TOKEN_HOURS"] = 24
    assert "expiré" in page.text


def test_reset_signs_out_other_sessions(app, client, make_user, outbox):
    user = make_user()
    other = app.test_client_class(app)  # another browser
    other.login(user)
    assert other.get("/account").status_code == 200
    client.post("/password/forgot", data={"email": user.email})
    client.post(link_in(outbox()[0], "/password/reset/"), data={"password": NEW})
    db.session.expire_all()
    assert other.get("/account").status_code == 302
