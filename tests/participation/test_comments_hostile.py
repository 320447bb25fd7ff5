"""Every naughty string (tests/hostile.py) as a comment, a reply and a proposed need: published or refused
with a message, never a 500, and always shown as text."""

from __future__ import annotations

import re

from sqlalchemy import select

from consult.core.db import db
from consult.participation.models import Comment, ProposedNeed
from tests.hostile import naughty_strings

RAW_MARKUP = re.compile(r"<(script|img|iframe|svg|body|a href=\"javascript)", re.I)


def _pages(client, url: str) -> list[str]:
    found, number = [], 1
    while True:
        page = client.get(url, query_string={"page": number})
        if page.status_code == 404:
            return found
        assert page.status_code == 200
        found.append(page.text)
        number += 1


def _without_layout(text: str) -> str:
    return text.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def test_naughty_comments_and_replies_are_shown_as_text(client, consultation):
    c = consultation
    item = f"/rounds/{c.round.id}/items/{c.needs_version.id}/{c.need_uid}"
    client.login(c.citizen)
    client.post(item + "/comments", data={"body": "Le fil des réponses."})
    root = db.session.scalar(select(Comment))
    failures = []
    for n, value in enumerate(naughty_strings()):
        # Every string as a comment; every other one as a reply too (same form, same filters).
        attempts = [(item + "/comments", {"body": value})]
        if n % 2:
            attempts.append((f"/comments/{root.id}/reply", {f"reply{root.id}-body": value}))
        for url, data in attempts:
            response = client.post(url, data=data)
            if response.status_code not in (302, 422):
                failures.append((value, url, response.status_code))
            elif response.status_code == 422 and RAW_MARKUP.search(_without_layout(response.text)):
                failures.append((value, url, "markup shown"))
    assert not failures, failures[:5]
    assert db.session.scalar(select(db.func.count(Comment.id))) > len(naughty_strings())
    for text in _pages(client, item) + _pages(client, f"/comments/{root.id}/replies"):
        assert not RAW_MARKUP.search(_without_layout(text))
    escaped = "&lt;script&gt;alert(123)&lt;/script&gt;"
    assert any(escaped in text for text in _pages(client, item))


def test_naughty_proposed_needs_are_shown_as_text(client, consultation):
    c = consultation
    client.login(c.citizen)
    failures = []
    for n, value in enumerate(naughty_strings()):
        # The string in every field; one time in five in the area's field too, where it is refused.
        area = value[:20] if n % 5 == 0 else str(c.area.id)
        response = client.post(f"/rounds/{c.round.id}/proposed-needs/new", data={
            "title": value, "description": value, "area_id": area})
        if response.status_code not in (302, 422):
            failures.append((value, response.status_code))
        elif response.status_code == 422 and RAW_MARKUP.search(_without_layout(response.text)):
            failures.append((value, "markup shown"))
    assert not failures, failures[:5]
    made = list(db.session.scalars(select(ProposedNeed.id)))
    assert len(made) > len(naughty_strings()) // 2
    for text in _pages(client, f"/rounds/{c.round.id}/proposed-needs"):
        assert not RAW_MARKUP.search(_without_layout(text))
    for ident in made[::25]:
        assert not RAW_MARKUP.search(_without_layout(client.get(f"/proposed-needs/{ident}").text))
