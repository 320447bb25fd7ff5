"""Co-signers: the organization's coalitions suggested first, any organization of the registry found by
name; each asked organization's representatives get a notice, read the draft and confirm or decline;
only confirmed co-signers sign."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from consult.core.db import db, now_utc
from consult.notifications.models import Delivery, NotificationSetting
from consult.participation.models import BriefCosigner, CosignState
from tests.participation.test_briefs_helpers import (
    mails_to,
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


def ask(client, brief, organization):
    return client.post(f"/briefs/{brief.id}/cosigners", data={"organization_id": organization.id})


def answer(client, brief, cosigner_id: int, what: str):
    return client.post(f"/briefs/{brief.id}/cosign", data={"cosigner_id": cosigner_id, "answer": what})


def test_the_organizations_coalitions_are_suggested_first(client, consultation):
    brief = start_draft(client, consultation)
    page = unescape(client.get(f"/briefs/{brief.id}").text)
    suggestions = page.split("Your coalitions and round tables")[1].split("Another organization")[0]
    assert "Table de concertation des aînés" in suggestions
    assert "Popote roulante" not in suggestions  # not a coalition Carrefour belongs to


def test_any_organization_of_the_registry_is_found_by_name(client, consultation):
    brief = start_draft(client, consultation)
    page = unescape(client.get(f"/briefs/{brief.id}", query_string={"find": "POPOTE"}).text)
    assert "Popote roulante" in page.split("Another organization")[1]
    none = unescape(client.get(f"/briefs/{brief.id}", query_string={"find": "Carrefour"}).text)
    assert "No organization not yet asked matches" in none  # its own organization is not offered


def test_asking_a_coalition_sends_a_notice_to_its_representatives(client, consultation, outbox):
    brief = start_draft(client, consultation)
    response = ask(client, brief, consultation.coalition)
    assert response.status_code == 302
    cosigner = reload(brief).cosigners[0]
    assert (cosigner.organization_id, cosigner.state) == (consultation.coalition.id, CosignState.requested)
    assert cosigner.requested_by_id == consultation.representative.id
    [(subject, body)] = mails_to(outbox, consultation.coalition_representative.email)
    assert "Carrefour des aînés" in subject and "Table de concertation des aînés" in subject
    assert f"/briefs/{brief.id}" in body
    assert "Mémoire sur l'isolement des aînés" in body


def test_a_notice_follows_the_representatives_delivery_choice(client, consultation, outbox):
    db.session.add(NotificationSetting(user_id=consultation.coalition_representative.id, delivery=Delivery.none))
    db.session.commit()
    brief = start_draft(client, consultation)
    ask(client, brief, consultation.coalition)
    assert mails_to(outbox, consultation.coalition_representative.email) == []


def test_asking_twice_or_asking_oneself_is_refused(client, consultation):
    brief = start_draft(client, consultation)
    ask(client, brief, consultation.coalition)
    again = ask(client, brief, consultation.coalition)
    assert again.status_code == 422 and "already asked" in again.text
    itself = ask(client, brief, consultation.organization)
    assert itself.status_code == 422 and "signs it already" in itself.text
    missing = client.post(f"/briefs/{brief.id}/cosigners", data={"organization_id": 999_999})
    assert missing.status_code == 422
    assert len(reload(brief).cosigners) == 1


def test_the_coalition_reads_the_draft_and_confirms(client, consultation, outbox):
    brief = start_draft(client, consultation)
    write(client, brief, body="Nous demandons des visites le soir.")
    ask(client, brief, consultation.coalition)
    cosigner = reload(brief).cosigners[0]
    sign_in(client, consultation.coalition_representative)
    page = client.get(f"/briefs/{brief.id}")
    assert page.status_code == 200
    assert "Nous demandons des visites le soir." in page.text
    assert "Save the draft" not in page.text  # it reads, it does not edit
    assert write(client, brief, body="Changé").status_code == 403
    response = answer(client, brief, cosigner.id, "confirm")
    assert response.status_code == 302
    cosigner = reload(brief).cosigners[0]
    assert cosigner.state is CosignState.confirmed
    assert cosigner.answered_by_id == consultation.coalition_representative.id
    signed = text_of(unescape(client.get(f"/briefs/{brief.id}").text))
    assert "Signed by Carrefour des aînés , Table de concertation des aînés" in signed
    [(subject, _body)] = mails_to(outbox, consultation.representative.email)
    assert "co-signs your brief" in subject


def test_a_decline_is_recorded_and_does_not_sign(client, consultation, outbox):
    brief = start_draft(client, consultation)
    ask(client, brief, consultation.coalition)
    cosigner = reload(brief).cosigners[0]
    sign_in(client, consultation.coalition_representative)
    assert answer(client, brief, cosigner.id, "decline").status_code == 302
    assert reload(brief).cosigners[0].state is CosignState.declined
    assert reload(brief).signatories == []
    signed = text_of(unescape(client.get(f"/briefs/{brief.id}").text))
    assert "Signed by Carrefour des aînés State" in signed
    [(subject, _body)] = mails_to(outbox, consultation.representative.email)
    assert "declined to co-sign" in subject
    # A later change of mind is possible while the brief is open.
    assert answer(client, brief, cosigner.id, "confirm").status_code == 302
    assert reload(brief).cosigners[0].state is CosignState.confirmed


def test_only_a_representative_of_the_asked_organization_answers(client, consultation):
    brief = start_draft(client, consultation)
    ask(client, brief, consultation.coalition)
    cosigner = reload(brief).cosigners[0]
    for user in (consultation.representative, consultation.other_representative, consultation.member,
                 consultation.citizen):
        sign_in(client, user)
        assert answer(client, brief, cosigner.id, "confirm").status_code == 403, user.email
    sign_in(client, consultation.coalition_representative)
    assert answer(client, brief, cosigner.id, "maybe").status_code == 422
    assert answer(client, brief, 999_999, "confirm").status_code == 404
    assert reload(brief).cosigners[0].state is CosignState.requested


def test_a_request_can_be_withdrawn_while_drafting(client, consultation):
    brief = start_draft(client, consultation)
    ask(client, brief, consultation.other_organization)
    cosigner = reload(brief).cosigners[0]
    assert client.post(f"/briefs/{brief.id}/cosigners/{cosigner.id}/remove").status_code == 302
    assert reload(brief).cosigners == []
    assert db.session.scalar(select(func.count(BriefCosigner.id))) == 0
    sign_in(client, consultation.other_representative)
    assert client.get(f"/briefs/{brief.id}").status_code == 403  # no longer asked: no longer reads


def test_a_co_signer_may_confirm_after_submission_until_the_round_closes(client, consultation):
    brief = start_draft(client, consultation)
    write(client, brief)
    ask(client, brief, consultation.coalition)
    client.post(f"/briefs/{brief.id}/submit")
    cosigner = reload(brief).cosigners[0]
    sign_in(client, consultation.coalition_representative)
    assert answer(client, brief, cosigner.id, "confirm").status_code == 302
    round_ = consultation.round
    round_.closes_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    late = answer(client, brief, cosigner.id, "decline")
    assert late.status_code == 422 and "can no longer change" in late.text
    assert reload(brief).cosigners[0].state is CosignState.confirmed
