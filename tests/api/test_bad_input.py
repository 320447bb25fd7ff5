"""Bad input never writes anything and always gets the right 4xx problem: malformed JSON, wrong types,
unknown fields, huge payloads, naughty strings, and tokens that are revoked, expired or too narrow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.api import tokens
from consult.api.models import ApiToken
from consult.core.db import db, now_utc
from consult.participation.models import Comment, ProposedNeed
from tests.api.factories import API, bearer
from tests.hostile import naughty_strings


def comments() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def comment_path(c) -> str:
    return f"{API}/rounds/{c.round.id}/items/{c.needs_version.id}/{c.need_uid}/comments"


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert problem["type"].startswith("http://localhost/api#problem-")
    return problem


@pytest.mark.parametrize(("body", "content_type", "status"), [
    (b'{"body": "pas fini"', "application/json", 400),
    (b"\xff\xfe\x00garbage", "application/json", 400),
    (b"", "application/json", 400),
    (b'["une", "liste"]', "application/json", 422),
    (b'{"body": "a\\ud800b"}', "application/json", 422),  # a lone surrogate: not storable text
    (b'{"body": "ok", "\\udfff": 1}', "application/json", 422),
    (b"[" * 30000, "application/json", 400),  # nested deeper than any parser should follow
    (b'{"body": "texte"}', "text/plain", 415),
    (b"body=texte", "application/x-www-form-urlencoded", 415),
])
def test_malformed_bodies(client, consultation, token_for, body, content_type, status):
    response = client.post(comment_path(consultation), data=body, content_type=content_type,
                           headers=bearer(token_for(consultation.citizen)))
    problem_of(response, status)
    assert comments() == 0


def test_wrong_types_and_unknown_fields_name_each_field(client, consultation, token_for):
    headers = bearer(token_for(consultation.citizen), **{"Accept-Language": "en"})
    typed = problem_of(client.post(comment_path(consultation), json={"body": 42}, headers=headers), 422)
    assert typed["errors"] == {"body": ["Give a text."]}
    extra = problem_of(client.post(comment_path(consultation), json={"body": "Bonjour", "author_id": 1},
                                   headers=headers), 422)
    assert extra["errors"] == {"author_id": ["Unknown field: leave it out."]}
    missing = problem_of(client.post(comment_path(consultation), json={}, headers=headers), 422)
    assert missing["errors"] == {"body": ["This field is required."]}
    long = problem_of(client.post(comment_path(consultation), json={"body": "x" * 5001}, headers=headers), 422)
    assert long["errors"] == {"body": ["At most 5000 characters."]}
    need = problem_of(client.post(f"{API}/rounds/{consultation.round.id}/proposed-needs", headers=headers,
                                  json={"title": ["liste"], "description": None, "area_id": "12"}), 422)
    assert need["errors"] == {"title": ["Give a text."], "description": ["Give a text."],
                              "area_id": ["Give a whole number. Or null."]}
    assert comments() == 0 and db.session.scalar(select(func.count(ProposedNeed.id))) == 0


def test_messages_come_in_french_by_default_and_in_english_on_request(client, consultation, token_for):
    headers = bearer(token_for(consultation.citizen))
    french = client.post(comment_path(consultation), json={"body": "   "}, headers=headers)
    assert problem_of(french, 422)["errors"] == {"body": ["Rédigez votre commentaire."]}  # the page's message
    assert french.headers["Content-Language"] == "fr-CA"
    english = client.post(comment_path(consultation), json={"body": "   "},
                          headers={**headers, "Accept-Language": "en-US,en;q=0.8"})
    assert problem_of(english, 422)["errors"] == {"body": ["Write your comment."]}
    assert english.headers["Content-Language"] == "en-CA" and "Accept-Language" in english.headers["Vary"]


def test_a_huge_payload_is_refused_before_it_is_read(client, consultation, token_for):
    huge = '{"body": "' + "x" * (70 * 1024) + '"}'
    problem_of(client.post(comment_path(consultation), data=huge, content_type="application/json",
                           headers=bearer(token_for(consultation.citizen))), 413)
    assert comments() == 0


def test_naughty_strings_are_stored_as_text_or_refused_cleanly(client, consultation, token_for):
    headers = bearer(token_for(consultation.citizen))
    accepted = 0
    for text in naughty_strings():
        response = client.post(comment_path(consultation), json={"body": text}, headers=headers)
        assert response.status_code in (201, 422), (text, response.status_code, response.text)
        if response.status_code == 201:
            accepted += 1
            body = response.get_json()["body"]
            assert "\x00" not in body and body.strip() == body
        else:
            assert response.mimetype == "application/problem+json"
    assert accepted > len(naughty_strings()) // 2
    assert comments() == accepted


def test_a_revoked_expired_or_unknown_token_is_refused_even_to_read(client, consultation, token_for):
    secret = token_for(consultation.citizen)
    token = db.session.scalar(select(ApiToken))
    tokens.revoke(token)
    db.session.commit()
    refused = problem_of(client.post(comment_path(consultation), json={"body": "Bonjour"},
                                     headers=bearer(secret, **{"Accept-Language": "en"})), 401)
    assert "revoked" in refused["detail"]
    assert 'error="invalid_token"' in client.get(f"{API}/rounds", headers=bearer(secret)).headers["WWW-Authenticate"]

    expired = token_for(consultation.citizen, expires_at=now_utc() - timedelta(minutes=1))
    assert "expired" in problem_of(client.post(comment_path(consultation), json={"body": "Bonjour"},
                                               headers=bearer(expired, **{"Accept-Language": "en"})), 401)["detail"]
    for forged in ("cst_" + "A" * 43, "n'importe quoi", ""):
        assert client.get(f"{API}/rounds", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert client.get(f"{API}/rounds", headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401
    assert comments() == 0


def test_a_read_token_cannot_write(client, consultation, token_for):
    headers = bearer(token_for(consultation.citizen, "read"), **{"Accept-Language": "en"})
    refused = problem_of(client.post(comment_path(consultation), json={"body": "Bonjour"}, headers=headers), 403)
    assert refused["title"] == "Token scope too narrow"
    assert 'scope="participate"' in client.post(comment_path(consultation), json={"body": "x"},
                                                headers=headers).headers["WWW-Authenticate"]
    assert client.get(f"{API}/me", headers=headers).get_json()["token"]["scope"] == "read"
    assert comments() == 0


def test_a_session_cookie_is_never_a_credential(client, consultation):
    client.login(consultation.citizen)
    refused = client.post(comment_path(consultation), json={"body": "Par le témoin de session"})
    problem_of(refused, 401)
    assert client.get(f"{API}/me").status_code == 401
    assert comments() == 0


def test_identifiers_out_of_range_are_not_found(client, consultation):
    for path in (f"/rounds/{2**40}", f"/rounds/{2**31}/items", "/comments/0", f"/versions/{10**30}/items"):
        problem_of(client.get(API + path), 404)
    problem_of(client.get(f"{API}/rounds?project_id=abc"), 400)
    problem_of(client.get(f"{API}/organizations?q=" + "x" * 300), 400)
    problem_of(client.get(f"{API}/rounds?limit=0"), 400)
    problem_of(client.get(f"{API}/rounds?limit=101"), 400)
    problem_of(client.get(f"{API}/territories?level=planet"), 400)
