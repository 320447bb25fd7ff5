"""Submitting: a receipt by e-mail with the time and the content's digest, the organization recorded as
having taken part, nothing editable afterwards; a late (or early) submission refused with the closing time
and the draft kept; withdrawal while the round is open, kept for audit."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.participation.briefs import services
from consult.participation.models import BriefState, BriefVisibility
from consult.rounds.models import InvitationState, RoundInvitation, RoundState
from tests.participation.test_briefs_helpers import (
    attach,
    mails_to,
    pdf_bytes,
    position,
    reload,
    sign_in,
    speak_english,
    start_draft,
    text_of,
    write,
)


@pytest.fixture(autouse=True)
def _in_english(request):
    if "consultation" in request.fixturenames:
        speak_english(request.getfixturevalue("consultation"))


def ready(client, consultation):
    """A draft with text, a position and a PDF."""
    brief = start_draft(client, consultation)
    write(client, brief, summary="Résumé.", body="Nous demandons des visites le soir.", visibility="public")
    position(client, brief, consultation.gaps_version.id, consultation.gap_uid, "amend", "Ajouter la nuit.")
    attach(client, brief, "mémoire.pdf", pdf_bytes())
    return reload(brief)


def test_submitting_sends_a_receipt_with_time_and_digest(client, consultation, outbox):
    brief = ready(client, consultation)
    response = client.post(f"/briefs/{brief.id}/submit")
    assert response.status_code == 302
    brief = reload(brief)
    assert brief.state is BriefState.submitted
    assert brief.submitted_at is not None and brief.submitted_by_id == consultation.representative.id
    assert len(brief.digest) == 64
    [(subject, body)] = mails_to(outbox, consultation.representative.email)
    assert "Receipt" in subject and consultation.round.title in subject
    assert brief.digest in body
    assert "Carrefour des aînés" in body and "mémoire.pdf" in body
    local = brief.submitted_at.astimezone(__import__("zoneinfo").ZoneInfo("America/Montreal"))
    assert f"{local:%-I:%M:%S}" in body  # the time, to the second, in Montréal
    assert f"/briefs/{brief.id}" in body
    page = client.get(f"/briefs/{brief.id}")
    assert brief.digest in page.text and "Save the draft" not in page.text


def test_the_digest_is_sha256_of_the_canonical_content(client, consultation):
    brief = ready(client, consultation)
    client.post(f"/briefs/{brief.id}/submit")
    brief = reload(brief)
    [p] = brief.positions
    canonical = json.dumps({
        "title": brief.title, "summary": "Résumé.", "body": "Nous demandons des visites le soir.",
        "visibility": "public",
        "positions": [{"version_id": p.version_id, "item_uid": p.item_uid, "item_kind": "gap", "stance": "amend",
                       "text": "Ajouter la nuit."}],
        "attachments": [hashlib.sha256(pdf_bytes()).hexdigest()],
    }, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert brief.digest == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    brief.summary = "Autre résumé."
    assert services.content_digest(brief) != brief.digest  # any change changes the digest
    db.session.rollback()


def test_the_organization_is_recorded_as_having_taken_part(client, consultation):
    brief = ready(client, consultation)
    client.post(f"/briefs/{brief.id}/submit")
    invitation = db.session.scalar(select(RoundInvitation).filter_by(
        round_id=consultation.round.id, organization_id=consultation.organization.id))
    assert invitation is not None and invitation.state is InvitationState.took_part


def test_a_double_clicked_submit_sends_one_receipt(client, consultation, outbox):
    brief = ready(client, consultation)
    client.post(f"/briefs/{brief.id}/submit")
    again = client.post(f"/briefs/{brief.id}/submit", follow_redirects=True)
    assert again.status_code == 200 and "already submitted" in again.text
    assert len(mails_to(outbox, consultation.representative.email)) == 1


def test_an_empty_brief_is_not_submitted(client, consultation):
    brief = start_draft(client, consultation)
    response = client.post(f"/briefs/{brief.id}/submit")
    assert response.status_code == 422 and "The brief is empty" in response.text
    assert reload(brief).state is BriefState.draft


def test_a_submitted_brief_cannot_be_edited(client, consultation):
    brief = ready(client, consultation)
    client.post(f"/briefs/{brief.id}/submit")
    digest = reload(brief).digest
    response = write(client, brief, body="Changé après coup")
    assert response.status_code == 403 and "can no longer be changed" in response.text
    assert position(client, brief, consultation.needs_version.id, consultation.need_uid, "support").status_code == 403
    assert client.post(f"/briefs/{brief.id}/cosigners",
                       data={"organization_id": consultation.coalition.id}).status_code == 403
    brief = reload(brief)
    assert brief.body == "Nous demandons des visites le soir." and brief.digest == digest
    assert len(brief.positions) == 1


def test_a_submission_one_second_late_is_refused_and_the_draft_kept(client, consultation, outbox):
    brief = ready(client, consultation)
    round_ = consultation.round
    round_.closes_at = now_utc() - timedelta(seconds=1)  # the scheduler has not closed it yet
    db.session.commit()
    response = client.post(f"/briefs/{brief.id}/submit")
    assert response.status_code == 422
    message = text_of(unescape(response.text))
    assert "This round closed on" in message and "briefs can no longer be submitted" in message
    assert "Only the establishment can change the round's dates, and a change applies to everyone." in message
    assert "Your draft is kept as it is." in message
    kept = reload(brief)
    assert kept.state is BriefState.draft and kept.submitted_at is None and kept.digest is None
    assert kept.body == "Nous demandons des visites le soir." and len(kept.attachments) == 1
    assert mails_to(outbox, consultation.representative.email) == []
    # The page says it before anyone tries.
    assert "This round closed on" in unescape(client.get(f"/briefs/{brief.id}").text)


def test_the_message_names_the_closing_time(client, consultation, app):
    brief = ready(client, consultation)
    round_ = consultation.round
    round_.state = RoundState.closed
    round_.closes_at = now_utc() - timedelta(hours=1)
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from consult.core.timefmt import datetime_filter

        shown = datetime_filter(round_.closes_at)
    response = client.post(f"/briefs/{brief.id}/submit")
    assert response.status_code == 422 and shown in unescape(response.text)


def test_an_extension_by_the_establishment_lets_the_draft_be_submitted(client, consultation):
    brief = ready(client, consultation)
    round_ = consultation.round
    round_.closes_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    assert client.post(f"/briefs/{brief.id}/submit").status_code == 422
    round_.closes_at = now_utc() + timedelta(days=3)
    db.session.commit()
    assert client.post(f"/briefs/{brief.id}/submit").status_code == 302
    assert reload(brief).state is BriefState.submitted


def test_a_submission_before_the_round_opens_is_refused(client, consultation):
    brief = ready(client, consultation)
    round_ = consultation.round
    round_.state, round_.opens_at = RoundState.scheduled, now_utc() + timedelta(days=1)
    db.session.commit()
    response = client.post(f"/briefs/{brief.id}/submit")
    assert response.status_code == 422 and "This round is not open yet" in unescape(response.text)
    assert reload(brief).state is BriefState.draft


def test_withdrawal_keeps_the_brief_for_the_planners_only(client, consultation):
    brief = ready(client, consultation)
    client.post(f"/briefs/{brief.id}/submit")
    response = client.post(f"/briefs/{brief.id}/withdraw")
    assert response.status_code == 302
    brief = reload(brief)
    assert brief.state is BriefState.withdrawn and brief.withdrawn_at and brief.digest
    assert brief.withdrawn_by_id == consultation.representative.id
    sign_in(client, consultation.planner)
    page = client.get(f"/briefs/{brief.id}")
    assert page.status_code == 200 and "Withdrawn by its organization" in page.text
    assert "Nous demandons des visites le soir." in page.text
    for user in (consultation.moderator, consultation.representative, consultation.member, consultation.citizen):
        sign_in(client, user)
        assert client.get(f"/briefs/{brief.id}").status_code == 403, user.email
    mine = client.get("/briefs/mine")
    assert "href=\"/briefs/" not in mine.text


def test_withdrawing_after_the_round_closed_is_refused(client, consultation):
    brief = ready(client, consultation)
    client.post(f"/briefs/{brief.id}/submit")
    consultation.round.closes_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(f"/briefs/{brief.id}/withdraw")
    assert response.status_code == 422 and "can no longer be withdrawn" in response.text
    assert reload(brief).state is BriefState.submitted


def test_a_draft_cannot_be_withdrawn_and_others_cannot_withdraw(client, consultation):
    brief = ready(client, consultation)
    assert client.post(f"/briefs/{brief.id}/withdraw").status_code == 403
    client.post(f"/briefs/{brief.id}/submit")
    for user in (consultation.member, consultation.planner, consultation.other_representative):
        sign_in(client, user)
        assert client.post(f"/briefs/{brief.id}/withdraw").status_code == 403
    assert reload(brief).state is BriefState.submitted


def test_the_visibility_choice_is_recorded_with_the_submission(client, consultation, outbox):
    brief = ready(client, consultation)
    write(client, brief, body="Texte.", visibility="confidential")
    client.post(f"/briefs/{brief.id}/submit")
    assert reload(brief).visibility is BriefVisibility.confidential
    [(_subject, body)] = mails_to(outbox, consultation.representative.email)
    assert "confidential to the establishment" in body
