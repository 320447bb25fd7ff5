"""Every naughty string (tests/hostile.py) in every text field of a brief: saved or refused with a message,
never a 500, and always shown escaped — on the editor, on the public page after closing, in the lists, in a
file name and in the receipt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.participation.models import Brief
from consult.rounds.models import RoundState
from tests.hostile import naughty_strings
from tests.participation.test_briefs_helpers import (
    attach,
    pdf_bytes,
    reload,
    sign_in,
    speak_english,
    start_draft,
    write,
)


@pytest.fixture(autouse=True)
def _in_english(request):
    if "consultation" in request.fixturenames:
        speak_english(request.getfixturevalue("consultation"))


def shown_safely(text: str, value: str) -> bool:
    return "<script" not in value.lower() or value not in text


def check(failures: list, what: str, value: str, response, ok=(200, 302, 422)) -> None:
    if response.status_code not in ok or not shown_safely(response.text, value):
        failures.append((what, value, response.status_code))


def test_naughty_strings_in_every_text_field_of_a_draft(client, consultation):
    brief = start_draft(client, consultation)
    needs = consultation.needs_version.id
    failures: list = []
    for number, value in enumerate(naughty_strings()):
        if number % 50 == 0:
            sign_in(client, consultation.representative)  # a fresh session: flash messages pile up otherwise
        saved = write(client, brief, title=value, summary=value, body=value, visibility="public")
        check(failures, "text", value, saved, ok=(302, 422))
        amended = client.post(f"/briefs/{brief.id}/positions", data={
            "item": f"{needs}:{consultation.need_uid}", "stance": "amend", "text": value})
        check(failures, "position", value, amended, ok=(302, 422))
        page = client.get(f"/briefs/{brief.id}")  # the editor, the preview and the position's text
        check(failures, "editor", value, page, ok=(200,))
        if number % 3 == 0 or any(ch.isdigit() for ch in value):  # where an id or a choice is expected
            found = client.get(f"/briefs/{brief.id}", query_string={"find": value})
            check(failures, "co-signer search", value, found, ok=(200,))
            saved = write(client, brief, title=value, summary=value, body=value, visibility=value)
            check(failures, "text, bad visibility", value, saved, ok=(422,))
            odd = client.post(f"/briefs/{brief.id}/positions", data={"item": value, "stance": value,
                                                                     "text": value})
            check(failures, "position, bad item", value, odd, ok=(422,))
            asked = client.post(f"/briefs/{brief.id}/cosigners", data={"organization_id": value})
            check(failures, "co-signer id", value, asked, ok=(422,))
            answered = client.post(f"/briefs/{brief.id}/cosign", data={"cosigner_id": value, "answer": value})
            check(failures, "co-sign answer", value, answered, ok=(403,))
    assert not failures, failures[:5]


def test_naughty_strings_as_titles_of_new_briefs_and_file_names(client, consultation):
    sign_in(client, consultation.representative)
    failures: list = []
    brief = start_draft(client, consultation)
    for number, value in enumerate(naughty_strings()):
        if number % 50 == 0:
            sign_in(client, consultation.representative)
        started = client.post(f"/rounds/{consultation.round.id}/briefs/new", data={
            "organization_id": value, "title": value, "form_token": value})
        check(failures, "new, everything", value, started, ok=(422,))
        started = client.post(f"/rounds/{consultation.round.id}/briefs/new", data={
            "organization_id": consultation.organization.id, "title": value,
            "form_token": f"token-{number:05d}-of-forty-characters-xxxxxxxxx"})
        check(failures, "new", value, started, ok=(302, 422))
        if number % 5 == 0:  # file names: a sample, as each upload is stored
            uploaded = attach(client, brief, f"{value}.pdf", pdf_bytes())
            check(failures, "file name", value, uploaded, ok=(302, 422))
            for attachment in reload(brief).attachments:
                client.post(f"/briefs/{brief.id}/attachments/{attachment.id}/remove")
    assert not failures, failures[:5]
    mine = client.get("/briefs/mine?page=2")
    assert mine.status_code == 200


def test_naughty_briefs_are_shown_escaped_to_the_public_after_closing(client, consultation, outbox):
    strings = [s for s in naughty_strings() if "<" in s][:40]
    sign_in(client, consultation.representative)
    for number, value in enumerate(strings):
        token = f"public-{number:05d}-of-forty-characters-xxxxxxxx"
        client.post(f"/rounds/{consultation.round.id}/briefs/new", data={
            "organization_id": consultation.organization.id, "title": "Mémoire", "form_token": token})
        brief = db.session.scalar(select(Brief).where(Brief.form_token == token))
        write(client, brief, title=value, summary=value, body=value, visibility="public")
        assert client.post(f"/briefs/{brief.id}/submit").status_code == 302
    round_ = consultation.round
    round_.state, round_.closes_at = RoundState.closed, now_utc() - timedelta(minutes=1)
    db.session.commit()
    sign_in(client, None)
    failures: list = []
    for brief in db.session.scalars(select(Brief)):
        page = client.get(f"/briefs/{brief.id}")
        check(failures, "public page", brief.title, page, ok=(200,))
    listing = client.get(f"/rounds/{consultation.round.id}/briefs?page=2")
    for value in strings:
        check(failures, "list", value, listing, ok=(200,))
    assert not failures, failures[:5]
    assert outbox()  # the receipts were rendered with the same strings
