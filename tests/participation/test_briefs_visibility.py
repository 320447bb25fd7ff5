"""Who reads a brief, before and after the round closes: the establishment always, the organization and its
co-signers always, everyone else only after closing and only public briefs; moderation hides the content
with its reason. The round's list and "my briefs" follow the same rules."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest

from consult.core.db import db, now_utc
from consult.participation.models import Brief, BriefState
from consult.rounds.models import RoundState
from tests.participation.test_briefs_helpers import (
    attach,
    pdf_bytes,
    reload,
    sign_in,
    speak_english,
    start_draft,
    write,
)

PUBLIC_TEXT = "Texte public du Carrefour."
SECRET_TEXT = "Texte confidentiel de la Popote."


@pytest.fixture(autouse=True)
def _in_english(request):
    if "consultation" in request.fixturenames:
        speak_english(request.getfixturevalue("consultation"))


@pytest.fixture
def briefs(client, consultation):
    """A public brief by Carrefour (co-signed by the coalition) and a confidential one by Popote, both
    submitted, each with a PDF."""
    public = start_draft(client, consultation, title="Mémoire public")
    write(client, public, title="Mémoire public", body=PUBLIC_TEXT, visibility="public")
    attach(client, public, "public.pdf", pdf_bytes())
    client.post(f"/briefs/{public.id}/cosigners", data={"organization_id": consultation.coalition.id})
    client.post(f"/briefs/{public.id}/submit")
    sign_in(client, consultation.coalition_representative)
    cosigner = reload(public).cosigners[0]
    client.post(f"/briefs/{public.id}/cosign", data={"cosigner_id": cosigner.id, "answer": "confirm"})
    sign_in(client, consultation.other_representative)
    client.post(f"/rounds/{consultation.round.id}/briefs/new", data={
        "organization_id": consultation.other_organization.id, "title": "Mémoire confidentiel",
        "form_token": "confidential-token-of-forty-characters-x"})


    secret = db.session.scalar(db.select(Brief).filter_by(organization_id=consultation.other_organization.id))
    write(client, secret, title="Mémoire confidentiel", body=SECRET_TEXT, visibility="confidential")
    attach(client, secret, "secret.pdf", pdf_bytes(2))
    client.post(f"/briefs/{secret.id}/submit")
    sign_in(client, None)
    return reload(public), reload(secret)


def close(consultation) -> None:
    round_ = consultation.round
    round_.state, round_.closes_at = RoundState.closed, now_utc() - timedelta(minutes=1)
    db.session.commit()


def status(client, user, url: str) -> int:
    sign_in(client, user)
    return client.get(url).status_code


def test_before_closing_only_the_establishment_and_the_organizations_read(client, consultation, briefs):
    public, _secret = briefs
    url = f"/briefs/{public.id}"
    for user in (consultation.planner, consultation.moderator, consultation.representative, consultation.member,
                 consultation.coalition_representative):
        assert status(client, user, url) == 200, user.email
    for user in (consultation.citizen, consultation.other_representative):
        assert status(client, user, url) == 403, user.email
    page = client.get(url)
    assert "until the round closes on" in page.text
    sign_in(client, None)
    assert "/login" in client.get(url).headers["Location"]
    attachment = f"/briefs/{public.id}/attachments/{public.attachments[0].id}"
    assert status(client, consultation.planner, attachment) == 200
    assert status(client, consultation.citizen, attachment) == 403


def test_after_closing_public_briefs_are_read_by_everyone(client, consultation, briefs):
    public, _secret = briefs
    close(consultation)
    url = f"/briefs/{public.id}"
    for user in (None, consultation.citizen, consultation.other_representative, consultation.planner):
        sign_in(client, user)
        page = client.get(url)
        assert page.status_code == 200, user
        assert PUBLIC_TEXT in page.text
        assert "Table de concertation des aînés" in unescape(page.text)  # the confirmed co-signer signs
    assert client.get(f"/briefs/{public.id}/attachments/{public.attachments[0].id}").status_code == 200


def test_confidential_briefs_stay_with_the_establishment_and_the_organization(client, consultation, briefs):
    _public, secret = briefs
    close(consultation)
    url = f"/briefs/{secret.id}"
    for user in (consultation.planner, consultation.moderator, consultation.other_representative):
        assert status(client, user, url) == 200, user.email
    for user in (consultation.citizen, consultation.representative, consultation.member):
        sign_in(client, user)
        page = client.get(url)
        assert page.status_code == 403, user.email
        assert "confidential to the establishment" in page.text
        assert SECRET_TEXT not in page.text
    assert status(client, consultation.citizen, f"/briefs/{secret.id}/attachments/{secret.attachments[0].id}") == 403


def test_a_planner_of_another_establishment_reads_nothing_early(client, consultation, briefs, make_user):
    public, _secret = briefs
    stranger = make_user("ailleurs@exemple.ca", planner=consultation.other_establishment, locale="en")
    assert status(client, stranger, f"/briefs/{public.id}") == 403


def test_hidden_by_moderation_shows_the_reason_instead_of_the_content(client, consultation, briefs):
    public, _secret = briefs
    close(consultation)
    public.hidden_at, public.hidden_reason = now_utc(), "Propos injurieux <b>envers</b> une personne"
    db.session.commit()
    sign_in(client, consultation.citizen)
    page = client.get(f"/briefs/{public.id}")
    assert page.status_code == 200
    assert "Hidden by moderation: Propos injurieux &lt;b&gt;envers&lt;/b&gt; une personne" in page.text
    assert PUBLIC_TEXT not in page.text and "Mémoire public" not in page.text
    assert client.get(f"/briefs/{public.id}/attachments/{public.attachments[0].id}").status_code == 403
    listing = client.get(f"/rounds/{consultation.round.id}/briefs")
    assert "Hidden by moderation" in listing.text and "Mémoire public" not in listing.text
    for user in (consultation.moderator, consultation.representative):
        sign_in(client, user)
        page = client.get(f"/briefs/{public.id}")
        assert "Hidden by moderation" in page.text and PUBLIC_TEXT in page.text


def test_the_round_list_before_and_after_closing(client, consultation, briefs):
    url = f"/rounds/{consultation.round.id}/briefs"
    sign_in(client, None)
    early = client.get(url)  # a visitor reads French, the default
    assert early.status_code == 200
    assert "Mémoire public" not in early.text
    assert "restent à l'établissement jusqu'à la clôture de la ronde" in unescape(early.text)
    sign_in(client, consultation.planner)
    planner = unescape(client.get(url).text)
    assert "Mémoire public" in planner and "Mémoire confidentiel" in planner
    assert "2 briefs submitted" in planner and "1 of them confidential" in planner
    close(consultation)
    sign_in(client, consultation.citizen)
    late = unescape(client.get(url).text)
    assert "Mémoire public" in late and "Mémoire confidentiel" not in late


def test_planners_see_withdrawn_briefs_marked_moderators_do_not(client, consultation, briefs):
    public, _secret = briefs
    sign_in(client, consultation.representative)
    client.post(f"/briefs/{public.id}/withdraw")
    assert reload(public).state is BriefState.withdrawn
    url = f"/rounds/{consultation.round.id}/briefs"
    sign_in(client, consultation.planner)
    planner = client.get(url).text
    assert "Mémoire public" in planner and "1 brief withdrawn" in planner and "Withdrawn" in planner
    sign_in(client, consultation.moderator)
    assert "Mémoire public" not in client.get(url).text
    close(consultation)
    sign_in(client, consultation.citizen)
    assert "Mémoire public" not in client.get(url).text


def test_drafts_never_appear_in_the_round_list(client, consultation):
    start_draft(client, consultation, title="Brouillon secret")
    close(consultation)
    sign_in(client, consultation.planner)
    assert "Brouillon secret" not in client.get(f"/rounds/{consultation.round.id}/briefs").text


def test_my_briefs_lists_the_organizations_briefs_and_waiting_cosignatures(client, consultation, briefs):
    sign_in(client, consultation.member)
    mine = unescape(client.get("/briefs/mine").text)
    assert "Mémoire public" in mine and "Mémoire confidentiel" not in mine
    draft = start_draft(client, consultation, title="Deuxième mémoire",
                        token="second-token-of-forty-characters-xxxxxxx")
    client.post(f"/briefs/{draft.id}/cosigners", data={"organization_id": consultation.other_organization.id})
    sign_in(client, consultation.other_representative)
    mine = unescape(client.get("/briefs/mine").text)
    assert "Mémoire confidentiel" in mine
    assert "Co-signatures waiting for your answer" in mine and "Deuxième mémoire" in mine
    sign_in(client, None)
    assert "/login" in client.get("/briefs/mine").headers["Location"]


def test_the_round_list_paginates(client, consultation, app, monkeypatch, briefs):
    monkeypatch.setitem(app.config, "CONSULT_PAGE_SIZE", 1)
    sign_in(client, consultation.planner)
    first = client.get(f"/rounds/{consultation.round.id}/briefs")
    assert "Page 1 of 2" in first.text
    assert client.get(f"/rounds/{consultation.round.id}/briefs?page=2").status_code == 200
    assert client.get(f"/rounds/{consultation.round.id}/briefs?page=3").status_code == 404
