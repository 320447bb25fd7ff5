"""Every naughty string in every account text field: a clear answer, never a 500, always escaped."""

from __future__ import annotations

from markupsafe import escape

from consult.core.db import db
from tests.hostile import naughty_strings


def _shown_safely(page, value: str) -> bool:
    return "<script" not in value.lower() or value not in page.text


def test_every_naughty_name_is_saved_or_refused_clearly_and_shown_escaped(client, make_user):
    user = make_user()
    client.login(user)
    failures = []
    for value in naughty_strings():
        response = client.post("/account", data={"profile-display_name": value, "profile-language": "fr"})
        if response.status_code not in (302, 422):
            failures.append((value, response.status_code))
            continue
        page = client.get("/account")
        if page.status_code != 200 or not _shown_safely(page, value):
            failures.append((value, page.status_code))
    assert not failures, failures[:5]
    db.session.refresh(user)


def test_naughty_strings_in_sign_in_and_reset_forms(client):
    failures = []
    for value in naughty_strings():
        for url, data in (("/login", {"email": value, "password": value or "x"}),
                          ("/password/forgot", {"email": value}),
                          ("/register", {"email": value, "password": value, "display_name": value,
                                         "language": "fr", "accept_privacy": "y"})):
            response = client.post(url, data=data)
            if response.status_code >= 500 or not _shown_safely(response, value):
                failures.append((url, value, response.status_code))
    assert not failures, failures[:5]


def test_script_in_name_is_shown_as_text(client, make_user):
    user = make_user()
    client.login(user)
    client.post("/account", data={"profile-display_name": "<script>alert(1)</script>", "profile-language": "fr"})
    page = client.get("/account")
    assert "<script>alert(1)</script>" not in page.text
    assert str(escape("<script>alert(1)</script>")) in page.text


def test_oversized_fields_get_a_message(client):
    page = client.post("/register", data={"email": "a" * 300 + "@exemple.ca", "password": "x" * 300,
                                          "display_name": "n" * 500, "language": "fr", "accept_privacy": "y"})
    assert page.status_code == 422
    assert "254 caractères" in page.text
