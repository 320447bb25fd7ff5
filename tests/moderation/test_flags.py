"""Readers report content: one report per person per item, never their own, and they are brought back
to the page they came from."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.core.db import db, now_utc
from consult.moderation.models import Flag, FlagReason, TargetKind
from consult.rounds.models import RoundState
from tests.moderation.conftest import add_brief, add_proposed_need


def flags() -> list[Flag]:
    return list(db.session.scalars(select(Flag).order_by(Flag.id)))


def test_a_reader_reports_a_comment_and_goes_back_where_they_were(client, world, comment):
    client.login(world.member)
    form = client.get(f"/report/comment/{comment.id}?next=/projects/{world.project.id}")
    assert form.status_code == 200
    assert "Les aînés du Centre-Sud sont seuls le soir." in form.text
    assert "Insults, harassment or hate" in form.text

    sent = client.post(f"/report/comment/{comment.id}", data={
        "reason": "abuse", "note": "Il vise une personne nommée.", "next": f"/projects/{world.project.id}"})
    assert sent.status_code == 302
    assert sent.headers["Location"] == f"/projects/{world.project.id}"
    assert "Thank you" in client.get(sent.headers["Location"]).text
    [made] = flags()
    assert (made.target_kind, made.target_id, made.reason) == (TargetKind.comment, comment.id, FlagReason.abuse)
    assert made.note == "Il vise une personne nommée."
    assert made.establishment_id == world.establishment.id
    assert made.reporter_id == world.member.id


def test_the_page_that_linked_to_the_form_is_where_the_reader_returns(client, world, comment):
    client.login(world.member)
    page = f"/projects/{world.project.id}?tab=needs"
    form = client.get(f"/report/comment/{comment.id}", headers={"Referer": f"http://localhost{page}"})
    assert f'value="{page}"'.replace("&", "&amp;") in form.text
    sent = client.post(f"/report/comment/{comment.id}", data={"reason": "spam", "next": page})
    assert sent.headers["Location"] == page


def test_a_next_on_another_site_is_ignored(client, world, comment):
    client.login(world.member)
    sent = client.post(f"/report/comment/{comment.id}", data={"reason": "spam",
                                                             "next": "https://evil.example/phish"})
    assert sent.status_code == 302
    assert "evil.example" not in sent.headers["Location"]
    sent_twice = client.post(f"/report/proposed_need/{add_proposed_need(world, world.citizen).id}",
                             data={"reason": "spam", "next": "//evil.example/x"})
    assert "evil.example" not in sent_twice.headers["Location"]
    assert len(flags()) == 2


def test_a_second_report_by_the_same_person_says_it_is_already_reported(client, world, comment):
    client.login(world.member)
    data = {"reason": "spam", "next": "/"}
    assert client.post(f"/report/comment/{comment.id}", data=data).status_code == 302
    again = client.post(f"/report/comment/{comment.id}", data=data, follow_redirects=True)
    assert again.status_code == 200
    assert "You already reported this content" in again.text
    assert len(flags()) == 1
    form = client.get(f"/report/comment/{comment.id}")
    assert form.status_code == 200 and "You already reported this content" in form.text
    assert 'name="reason"' not in form.text


def test_another_reader_may_report_the_same_comment(client, world, comment):
    for reader in (world.member, world.representative):
        client.logout()
        client.login(reader)
        assert client.post(f"/report/comment/{comment.id}", data={"reason": "off_topic"}).status_code == 302
    assert len(flags()) == 2


def test_nobody_reports_their_own_content(client, world, comment):
    client.login(world.citizen)
    page = client.get(f"/report/comment/{comment.id}")
    assert page.status_code == 403
    assert "You cannot report what you wrote yourself" in page.text
    refused = client.post(f"/report/comment/{comment.id}", data={"reason": "spam"})
    assert refused.status_code == 403
    assert flags() == []


def test_a_report_needs_a_reason(client, world, comment):
    client.login(world.member)
    page = client.post(f"/report/comment/{comment.id}", data={"reason": "", "note": "?"})
    assert page.status_code == 422
    assert "Choose a reason." in page.text
    page = client.post(f"/report/comment/{comment.id}", data={"reason": "not-a-reason"})
    assert page.status_code == 422
    assert flags() == []


def test_a_long_note_is_refused_with_a_message(client, world, comment):
    client.login(world.member)
    page = client.post(f"/report/comment/{comment.id}", data={"reason": "other", "note": "x" * 1001})
    assert page.status_code == 422
    assert "at most 1000 characters" in page.text
    assert flags() == []


def test_visitors_are_asked_to_sign_in(client, world, comment):
    page = client.get(f"/report/comment/{comment.id}")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert client.post(f"/report/comment/{comment.id}", data={"reason": "spam"}).status_code == 302
    assert flags() == []


def test_unknown_kinds_and_missing_content_are_not_found(client, world, comment):
    client.login(world.member)
    assert client.get(f"/report/service/{comment.id}").status_code == 404
    assert client.get("/report/comment/999999").status_code == 404
    assert client.post("/report/brief/999999", data={"reason": "spam"}).status_code == 404


def test_a_brief_is_reportable_only_once_the_public_can_read_it(client, world):
    brief = add_brief(world, world.representative, world.organization)
    client.login(world.other_representative)  # of another organization: reads it only once it is public
    # While the round is open, briefs are private to the establishment: not even their existence shows.
    assert client.get(f"/report/brief/{brief.id}").status_code == 404
    assert client.post(f"/report/brief/{brief.id}", data={"reason": "spam"}).status_code == 404
    world.round.state = RoundState.closed
    db.session.commit()
    assert client.get(f"/report/brief/{brief.id}").status_code == 200
    assert client.post(f"/report/brief/{brief.id}", data={"reason": "personal_information"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Flag).where(
        Flag.target_kind == TargetKind.brief)) == 1


def test_hidden_content_is_not_reported_again(client, world, comment):
    comment.hidden_at, comment.hidden_reason = now_utc(), "Propos injurieux."
    db.session.commit()
    client.login(world.member)
    page = client.get(f"/report/comment/{comment.id}")
    assert "already hidden by moderation" in page.text
    assert client.post(f"/report/comment/{comment.id}", data={"reason": "spam"}).status_code == 302
    assert flags() == []


def test_the_reports_a_person_raised_are_in_their_data_download(client, world, comment):
    import io
    import json
    import zipfile

    client.login(world.member)
    client.post(f"/report/comment/{comment.id}", data={"reason": "personal_information",
                                                       "note": "Son adresse est écrite en entier."})
    download = client.get("/account/data")
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        name = next(n for n in archive.namelist() if "moderation_reports" in n)
        [report] = json.loads(archive.read(name))
    assert report["content"] == "comment" and report["content_id"] == comment.id
    assert report["reason"] == "personal_information" and report["note"] == "Son adresse est écrite en entier."
