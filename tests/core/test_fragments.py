"""Pieces rendered once and reused for every reader: nobody gets another reader's links or CSRF token, and
a change to a comment, its author or its answer shows at once."""

from __future__ import annotations

import re

from consult.core.db import db, now_utc
from consult.participation.models import Comment
from tests.fixtures.app import PASSWORD


def item_url(c) -> str:
    return f"/rounds/{c.round.id}/items/{c.needs_version.id}/{c.need_uid}"


def post_comment(client, c, body: str) -> Comment:
    assert client.post(item_url(c) + "/comments", data={"body": body}).status_code == 302
    return db.session.query(Comment).filter_by(body=body).one()


def reply_token(page: str, comment_id: int) -> str:
    found = re.search(rf'name="reply{comment_id}-csrf_token" type="hidden" value="([^"]+)"', page)
    assert found, "the reply form carries a CSRF token"
    return found.group(1)


def test_only_the_author_sees_the_edit_link_whoever_read_the_comment_first(client, consultation, make_user):
    other = make_user("autre.lecteur@exemple.ca")
    client.login(consultation.citizen)
    mine = post_comment(client, consultation, "Mon commentaire à moi.")
    client.logout()
    edit = f"/comments/{mine.id}/edit"
    client.login(other)
    assert "Mon commentaire à moi." in client.get(item_url(consultation)).text
    assert edit not in client.get(item_url(consultation)).text
    client.logout()
    client.login(consultation.citizen)
    assert edit in client.get(item_url(consultation)).text
    client.logout()
    client.login(other)
    assert edit not in client.get(item_url(consultation)).text


def test_each_reader_gets_their_own_token_in_the_kept_reply_form(client, app, consultation, make_user, monkeypatch):
    client.login(consultation.citizen)
    comment = post_comment(client, consultation, "Un commentaire auquel répondre.")
    client.logout()
    other = make_user("repondant@exemple.ca")
    tokens = []
    for reader in (consultation.citizen, other):
        client.login(reader)
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
        tokens.append(reply_token(client.get(item_url(consultation)).text, comment.id))
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
        client.logout()
    assert tokens[0] != tokens[1]
    client.login(other)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(item_url(consultation)).text
    sent = client.post(f"/comments/{comment.id}/reply", data={
        f"reply{comment.id}-csrf_token": reply_token(page, comment.id), f"reply{comment.id}-body": "Ma réponse."})
    assert sent.status_code == 302


def test_an_edit_a_hiding_and_a_new_display_name_show_at_once(client, consultation):
    client.login(consultation.citizen)
    comment = post_comment(client, consultation, "Première version du texte.")
    assert "Première version du texte." in client.get(item_url(consultation)).text
    sent = client.post(f"/comments/{comment.id}/edit", data={"body": "Deuxième version du texte."})
    assert sent.status_code == 302
    page = client.get(item_url(consultation)).text
    assert "Deuxième version du texte." in page and "Première version du texte." not in page

    consultation.citizen.display_name = "Nom tout neuf"
    db.session.commit()
    assert "Nom tout neuf" in client.get(item_url(consultation)).text

    comment = db.session.get(Comment, comment.id)
    comment.hidden_reason = "Propos hors sujet"
    comment.hidden_at = now_utc()
    db.session.commit()
    page = client.get(item_url(consultation)).text
    assert "Propos hors sujet" in page and "Deuxième version du texte." not in page


def test_a_kept_comment_is_shown_in_the_readers_language(client, consultation):
    client.login(consultation.citizen)
    post_comment(client, consultation, "Un commentaire bilingue.")
    assert "Répondre" in client.get(item_url(consultation)).text
    client.get("/lang/en")
    page = client.get(item_url(consultation)).text
    assert "Un commentaire bilingue." in page and "Reply" in page and "Répondre" not in page


def test_the_kept_sign_in_form_carries_each_visitors_own_token(app, consultation, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    first, second = app.test_client(), app.test_client()
    tokens = []
    for visitor in (first, second):
        page = visitor.get("/login").text
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert found and "csrf-" not in found.group(1)  # never the placeholder
        tokens.append(found.group(1))
    assert tokens[0] != tokens[1]
    signed_in = second.post("/login", data={"csrf_token": tokens[1], "email": consultation.citizen.email,
                                            "password": PASSWORD})
    assert signed_in.status_code == 302
