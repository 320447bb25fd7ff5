"""Starting and writing a brief: who may start one and when, one draft per form even when double-clicked,
the text with its visibility choice, positions on items in consultation, and who may read a draft."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select

from consult.core.db import db
from consult.organizations.models import MemberRole, OrganizationMember
from consult.participation.models import Brief, BriefPosition, BriefState, BriefVisibility, Stance
from consult.rounds.models import Audience, RoundState
from tests.participation.test_briefs_helpers import (
    TOKEN,
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


def brief_count() -> int:
    return db.session.scalar(select(func.count(Brief.id))) or 0


# Starting ------------------------------------------------------------------------------------------


def test_a_representative_starts_a_draft_from_the_form(client, consultation):
    sign_in(client, consultation.representative)
    page = client.get(f"/rounds/{consultation.round.id}/briefs/new")
    assert page.status_code == 200
    assert "Carrefour des aînés" in unescape(page.text)
    assert 'name="form_token"' in page.text
    brief = start_draft(client, consultation)
    assert brief.state is BriefState.draft and brief.organization_id == consultation.organization.id
    assert brief.author_id == consultation.representative.id
    assert brief.visibility is BriefVisibility.public
    shown = client.get(f"/briefs/{brief.id}")
    assert shown.status_code == 200 and "Mémoire sur l&#39;isolement des aînés" in shown.text
    assert "Save the draft" in shown.text


def test_a_double_clicked_create_makes_one_brief_and_lands_on_it(client, consultation):
    first = start_draft(client, consultation)
    again = client.post(f"/rounds/{consultation.round.id}/briefs/new", data={
        "organization_id": consultation.organization.id, "title": "Mémoire sur l'isolement des aînés",
        "form_token": TOKEN})
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/briefs/{first.id}")
    assert brief_count() == 1


def test_a_form_without_its_token_is_refused_and_given_a_new_one(client, consultation):
    sign_in(client, consultation.representative)
    response = client.post(f"/rounds/{consultation.round.id}/briefs/new", data={
        "organization_id": consultation.organization.id, "title": "Mémoire"})
    assert response.status_code == 422
    assert brief_count() == 0
    assert 'name="form_token" type="hidden" value="' in response.text


def test_a_representative_of_several_organizations_chooses(client, consultation):
    db.session.add(OrganizationMember(organization=consultation.other_organization,
                                      user=consultation.representative, role=MemberRole.representative))
    db.session.commit()
    sign_in(client, consultation.representative)
    page = client.get(f"/rounds/{consultation.round.id}/briefs/new")
    assert '<select' in page.text and "Popote roulante" in page.text
    missing = client.post(f"/rounds/{consultation.round.id}/briefs/new", data={
        "organization_id": "", "title": "Mémoire", "form_token": TOKEN})
    assert missing.status_code == 422 and brief_count() == 0
    chosen = client.post(f"/rounds/{consultation.round.id}/briefs/new", data={
        "organization_id": consultation.other_organization.id, "title": "Mémoire", "form_token": TOKEN})
    assert chosen.status_code == 302
    assert db.session.scalar(select(Brief)).organization_id == consultation.other_organization.id


def test_someone_who_represents_nobody_cannot_start_a_brief(client, consultation):
    for user in (consultation.citizen, consultation.member, consultation.planner):
        sign_in(client, user)
        page = client.get(f"/rounds/{consultation.round.id}/briefs/new")
        assert page.status_code == 403
        assert "representatives of an organization" in page.text
        assert client.post(f"/rounds/{consultation.round.id}/briefs/new", data={
            "organization_id": consultation.organization.id, "title": "X", "form_token": TOKEN}).status_code == 403
    assert brief_count() == 0
    client.logout()
    assert "/login" in client.get(f"/rounds/{consultation.round.id}/briefs/new").headers["Location"]


def test_a_representative_cannot_write_for_an_organization_they_do_not_represent(client, consultation):
    sign_in(client, consultation.representative)
    response = client.post(f"/rounds/{consultation.round.id}/briefs/new", data={
        "organization_id": consultation.other_organization.id, "title": "Mémoire", "form_token": TOKEN})
    assert response.status_code == 422
    assert brief_count() == 0


def test_no_brief_is_started_in_a_closed_round_or_a_round_for_citizens(client, make_consultation):
    closed = make_consultation(round_state=RoundState.closed)
    sign_in(client, closed.representative)
    page = client.get(f"/rounds/{closed.round.id}/briefs/new")
    assert page.status_code == 403 and "closed on" in page.text
    assert "Only the establishment can change the round" in unescape(page.text)
    citizens = closed.round
    citizens.state, citizens.audience = RoundState.open, Audience.citizens
    db.session.commit()
    page = client.get(f"/rounds/{citizens.id}/briefs/new")
    assert page.status_code == 403 and "does not take briefs" in page.text


def test_a_round_in_preparation_has_no_brief_pages(client, make_consultation):
    draft = make_consultation(round_state=RoundState.draft)
    sign_in(client, draft.representative)
    assert client.get(f"/rounds/{draft.round.id}/briefs/new").status_code == 404
    assert client.get(f"/rounds/{draft.round.id}/briefs").status_code == 404


# Writing -------------------------------------------------------------------------------------------


def test_the_draft_keeps_title_summary_body_and_visibility(client, consultation):
    brief = start_draft(client, consultation)
    saved = write(client, brief, title="Nouveau titre", summary="Deux phrases.\n\nEt une autre.",
                  body="## Nos constats\n\n- **isolement**\n- transport", visibility="confidential")
    assert saved.status_code == 302
    brief = reload(brief)
    assert (brief.title, brief.visibility) == ("Nouveau titre", BriefVisibility.confidential)
    assert brief.body.startswith("## Nos constats")
    page = client.get(f"/briefs/{brief.id}")
    assert "<strong>isolement</strong>" in page.text  # the preview renders the Markdown


def test_an_empty_title_or_oversized_text_is_refused_and_nothing_is_lost(client, consultation):
    brief = start_draft(client, consultation)
    write(client, brief, body="Texte conservé.")
    response = write(client, brief, title="   ", body="x" * 200_001)
    assert response.status_code == 422
    assert "Give the brief a title" in response.text or "titre" in response.text
    assert reload(brief).body == "Texte conservé."


def test_scripts_in_the_body_are_shown_as_text(client, consultation):
    brief = start_draft(client, consultation)
    write(client, brief, body="Avant <script>alert('x')</script> après [lien](javascript:alert(1))")
    page = client.get(f"/briefs/{brief.id}")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert" in page.text
    assert 'href="javascript:' not in page.text


def test_two_representatives_editing_at_once_do_not_overwrite_each_other(client, consultation):
    brief = start_draft(client, consultation)
    old_version = reload(brief).lock_version
    write(client, brief, body="Première version", lock_version=old_version)
    late = write(client, brief, body="Version écrite en parallèle", lock_version=old_version)
    assert late.status_code == 422
    assert "Someone else changed this draft" in late.text
    assert "Version écrite en parallèle" in late.text  # what they typed is given back
    assert reload(brief).body == "Première version"


def test_members_read_the_draft_but_only_representatives_edit_it(client, consultation):
    brief = start_draft(client, consultation)
    write(client, brief, body="Le texte du mémoire.")
    sign_in(client, consultation.member)
    page = client.get(f"/briefs/{brief.id}")
    assert page.status_code == 200 and "Le texte du mémoire." in page.text
    assert "Save the draft" not in page.text
    assert write(client, brief, body="Changé par un membre").status_code == 403
    assert client.post(f"/briefs/{brief.id}/submit").status_code == 403
    assert reload(brief).body == "Le texte du mémoire."


def test_a_draft_is_private_to_its_organization(client, consultation):
    brief = start_draft(client, consultation)
    for user in (consultation.other_representative, consultation.citizen, consultation.planner,
                 consultation.moderator):
        sign_in(client, user)
        page = client.get(f"/briefs/{brief.id}")
        assert page.status_code == 403, user.email
        assert "draft" in page.text
    client.logout()
    assert "/login" in client.get(f"/briefs/{brief.id}").headers["Location"]


# Positions ------------------------------------------------------------------------------------------


def test_positions_support_oppose_and_amend_with_text(client, consultation):
    brief = start_draft(client, consultation)
    page = client.get(f"/briefs/{brief.id}")
    assert "Isolement des aînés" in unescape(page.text) and "Pas de visites à domicile le soir" in unescape(page.text)
    needs, gaps = consultation.needs_version.id, consultation.gaps_version.id
    assert position(client, brief, needs, consultation.need_uid, "support").status_code == 302
    assert position(client, brief, gaps, consultation.gap_uid, "amend",
                    "Ajouter les fins de semaine.").status_code == 302
    assert position(client, brief, needs, consultation.other_need_uid, "oppose", "Pas prioritaire.").status_code == 302
    stances = {p.item_uid: (p.stance, p.text, p.item_kind) for p in reload(brief).positions}
    assert stances[consultation.need_uid] == (Stance.support, None, "need")
    assert stances[consultation.gap_uid] == (Stance.amend, "Ajouter les fins de semaine.", "gap")
    assert stances[consultation.other_need_uid][0] is Stance.oppose
    page = text_of(unescape(client.get(f"/briefs/{brief.id}").text))
    assert "Amend" in page and "Ajouter les fins de semaine." in page


def test_an_amendment_without_its_text_is_refused(client, consultation):
    brief = start_draft(client, consultation)
    response = position(client, brief, consultation.needs_version.id, consultation.need_uid, "amend", "   ")
    assert response.status_code == 422
    assert "an amendment needs its text" in response.text
    assert reload(brief).positions == []


def test_one_position_per_item_a_new_one_replaces_it(client, consultation):
    brief = start_draft(client, consultation)
    needs = consultation.needs_version.id
    position(client, brief, needs, consultation.need_uid, "support")
    position(client, brief, needs, consultation.need_uid, "amend", "Préciser les quartiers.")
    positions = reload(brief).positions
    assert len(positions) == 1 and positions[0].stance is Stance.amend


def test_a_position_only_on_items_of_the_round(client, consultation):
    brief = start_draft(client, consultation)
    assert position(client, brief, consultation.needs_version.id, "not-an-item", "support").status_code == 422
    assert position(client, brief, 999_999, consultation.need_uid, "support").status_code == 422
    assert reload(brief).positions == []


def test_a_position_can_be_removed_from_the_draft(client, consultation):
    brief = start_draft(client, consultation)
    position(client, brief, consultation.needs_version.id, consultation.need_uid, "support")
    kept = reload(brief).positions[0]
    assert client.post(f"/briefs/{brief.id}/positions/{kept.id}/remove").status_code == 302
    assert db.session.scalar(select(func.count(BriefPosition.id))) == 0


def test_another_organizations_position_cannot_be_removed_through_this_brief(client, consultation):
    brief = start_draft(client, consultation)
    position(client, brief, consultation.needs_version.id, consultation.need_uid, "support")
    kept = reload(brief).positions[0]
    other = start_draft(client, consultation, token="another-token-of-forty-characters-xxxxxx")
    assert client.post(f"/briefs/{other.id}/positions/{kept.id}/remove").status_code == 404
    assert reload(brief).positions
