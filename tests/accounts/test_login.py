from __future__ import annotations

from consult.core.db import db
from tests.fixtures.app import PASSWORD


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    make_user("connu@exemple.ca")
    wrong = client.post("/login", data={"email": "connu@exemple.ca", "password": "pas le bon mot de passe"})
    unknown = client.post("/login", data={"email": "inconnu@exemple.ca", "password": "pas le bon mot de passe"})
    assert wrong.status_code == unknown.status_code == 422
    assert "courriel ou le mot de passe est incorrect" in wrong.text
    assert "courriel ou le mot de passe est incorrect" in unknown.text


def test_login_then_logout(client, make_user):
    user = make_user()
    client.login(user)
    assert client.get("/account").status_code == 200
    client.logout()
    assert client.get("/account").status_code == 302


def test_login_redirects_to_a_safe_next_only(client, make_user):
    user = make_user()
    outside = client.post("/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert outside.headers["Location"] == "/"
    client.logout()
    inside = client.post("/login?next=/account", data={"email": user.email, "password": PASSWORD})
    assert inside.headers["Location"] == "/account"


def test_remember_me_sets_a_lasting_cookie(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))


def test_deleted_account_cannot_sign_in(client, make_user):
    from consult.accounts.privacy import delete_account

    user = make_user()
    email = user.email
    delete_account(user)
    db.session.commit()
    page = client.post("/login", data={"email": email, "password": PASSWORD})
    assert page.status_code == 422


def test_login_is_rate_limited(app, client, make_user):
    from consult.extensions import limiter

    user = make_user()
    app.config["CONSULT_LOGIN_LIMIT"] = "10 per minute"
    limiter.reset()
    try:
        codes = [client.post("/login", data={"email": user.email, "password": "mauvais mot de passe"}).status_code
                 for _ in range(12)]
    finally:
        app.config["CONSULT_LOGIN_LIMIT"] = "100000 per minute"
        limiter.reset()
    assert codes[0] == 422
    assert codes[-1] == 429
