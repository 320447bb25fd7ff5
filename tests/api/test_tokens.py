"""Personal API tokens: created on the account page (shown once) or from the command line, stored as a
digest, revoked, their last use recorded at most once a minute, and part of the person's data."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import timedelta

from sqlalchemy import func, select

from consult.accounts import privacy
from consult.api import tokens
from consult.api.cli import tokens as tokens_command
from consult.api.models import ApiToken, Scope
from consult.core.db import db, now_utc
from tests.api.factories import API, bearer

SECRET = re.compile(r"cst_[A-Za-z0-9_-]{43}")


def english(client) -> None:
    client.get("/lang/en")


def test_a_token_is_created_shown_once_and_stored_as_a_digest(client, make_user):
    user = make_user("script@exemple.ca")
    client.login(user)
    english(client)
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "You have no API token." in page.text
    assert page.text.count("<h1") == 1 and 'for="name"' in page.text
    created = client.post("/account/tokens", data={"name": "Tableau de bord", "scope": "participate",
                                                    "lifetime": "30"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    [secret] = SECRET.findall(created.text)
    assert "Copy it now: it is shown only this once" in created.text
    stored = db.session.scalar(select(ApiToken))
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps([stored.name, stored.prefix, stored.secret_hash])
    assert secret.startswith(stored.prefix)
    assert stored.scope is Scope.participate and stored.expires_at > now_utc() + timedelta(days=29)
    again = client.get("/account/tokens")
    assert secret not in again.text and stored.prefix in again.text and "Tableau de bord" in again.text
    assert client.get(f"{API}/me", headers=bearer(secret)).get_json()["token"]["name"] == "Tableau de bord"


def test_the_form_says_what_is_wrong(client, make_user):
    client.login(make_user())
    english(client)
    refused = client.post("/account/tokens", data={"name": "", "scope": "admin", "lifetime": "7"})
    assert refused.status_code == 422
    assert "Name the token" in refused.text and "Choose one of the options." in refused.text
    assert db.session.scalar(select(ApiToken)) is None


def test_revoking_from_the_page_stops_the_token_at_once(client, make_user, token_for):
    user = make_user()
    secret = token_for(user)
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 200
    client.login(user)
    token = db.session.scalar(select(ApiToken))
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 401
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_nobody_sees_or_revokes_someone_elses_token(client, make_user, token_for):
    owner, other = make_user(), make_user()
    secret = token_for(owner, name="Secret du propriétaire")
    token = db.session.scalar(select(ApiToken))
    client.login(other)
    assert "Secret du propriétaire" not in client.get("/account/tokens").text
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 200


def test_the_page_needs_a_signed_in_person(client):
    assert client.get("/account/tokens").status_code == 302


def test_last_use_is_recorded_at_most_once_a_minute(client, make_user, token_for):
    secret = token_for(make_user())
    token = db.session.scalar(select(ApiToken))
    assert token.last_used_at is None
    client.get(f"{API}/rounds", headers=bearer(secret))
    db.session.refresh(token)
    first = token.last_used_at
    assert first is not None and now_utc() - first < timedelta(seconds=10)
    client.get(f"{API}/rounds", headers=bearer(secret))
    db.session.refresh(token)
    assert token.last_used_at == first  # within the minute: not written again
    token.last_used_at = now_utc() - timedelta(minutes=2)
    db.session.commit()
    client.get(f"{API}/rounds", headers=bearer(secret))
    db.session.refresh(token)
    assert now_utc() - token.last_used_at < timedelta(seconds=10)


def test_tokens_are_in_the_persons_data_and_deleted_with_the_account(client, make_user, token_for):
    user = make_user()
    secret = token_for(user, "read", name="Mon script")
    client.login(user)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data").data))
    exported = json.loads(archive.read("api_tokens.json"))
    assert [(t["name"], t["scope"]) for t in exported] == [("Mon script", "read")]
    assert secret not in archive.read("api_tokens.json").decode()
    privacy.delete_account(user)
    db.session.commit()
    assert db.session.scalar(select(ApiToken)) is None
    assert client.get(f"{API}/rounds", headers=bearer(secret)).status_code == 401


def test_a_deleted_account_token_stops_working(client, make_user):
    user = make_user()
    created = tokens.create(user, name="x", scope=Scope.read)
    user.deleted_at = now_utc()
    db.session.commit()
    assert client.get(f"{API}/rounds", headers=bearer(created.secret)).status_code == 401


def test_the_command_line_creates_a_token_printed_once(app, make_user, client):
    user = make_user("ligne@exemple.ca")
    runner = app.test_cli_runner()
    result = runner.invoke(tokens_command, ["create", "LIGNE@exemple.ca", "--scope", "participate",
                                            "--name", "Import", "--days", "10"])
    assert result.exit_code == 0, result.output
    [secret] = SECRET.findall(result.stdout)
    assert result.stdout.strip() == secret  # the secret alone on stdout, for scripts
    token = db.session.scalar(select(ApiToken))
    assert token.user_id == user.id and token.scope is Scope.participate and token.name == "Import"
    assert client.get(f"{API}/me", headers=bearer(secret)).get_json()["user"]["id"] == user.id
    revoked = runner.invoke(tokens_command, ["revoke", token.prefix])
    assert revoked.exit_code == 0 and "1 token(s) revoked." in revoked.output
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 401
    unknown = runner.invoke(tokens_command, ["create", "personne@exemple.ca", "--scope", "read"])
    assert unknown.exit_code != 0 and "no account" in unknown.output
    wrong_scope = runner.invoke(tokens_command, ["create", "ligne@exemple.ca", "--scope", "admin"])
    assert wrong_scope.exit_code != 0


def test_the_token_forms_need_csrf_and_the_api_does_not(app, client, consultation, token_for):
    secret = token_for(consultation.citizen)
    client.login(consultation.citizen)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        forged = client.post("/account/tokens", data={"name": "Forgé", "scope": "participate", "lifetime": ""})
        assert forged.status_code == 400
        token = db.session.scalar(select(ApiToken))
        assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
        path = (f"{API}/rounds/{consultation.round.id}/items/{consultation.needs_version.id}/"
                f"{consultation.need_uid}/comments")
        assert client.post(path, json={"body": "Par un script"}, headers=bearer(secret)).status_code == 201
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.refresh(token)
    assert token.revoked_at is None and db.session.scalar(select(func.count(ApiToken.id))) == 1
