"""Planners invite organizations from the registry (and the establishment is on the list); the
representatives are told once the round is public and answer on the round page — take part, decline
with a reason, withdraw later — and the list with each answer is public."""

from __future__ import annotations

import html

from sqlalchemy import select

from consult.core.db import db
from consult.organizations.models import Organization, OrganizationKind
from consult.rounds import services
from consult.rounds.models import InvitationState, RoundEvent, RoundInvitation, RoundState
from tests.rounds.conftest import mails_to


def _line(round_, organization) -> RoundInvitation:
    return db.session.scalar(select(RoundInvitation).where(RoundInvitation.round_id == round_.id,
                                                           RoundInvitation.organization_id == organization.id))


def test_invitations_on_a_draft_are_told_when_it_is_scheduled(client, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    client.login(c.planner)
    page = client.get(f"/rounds/{c.round.id}/invitations")
    assert page.status_code == 200 and "Carrefour des aînés" in page.text
    response = client.post(f"/rounds/{c.round.id}/invitations", data={
        "organization_ids": [c.organization.id, c.other_organization.id]}, follow_redirects=True)
    assert "2 organization(s) invited." in response.text
    assert mails_to("rep@exemple.ca") == []  # a draft is not public yet
    db.session.refresh(c.round)
    client.post(f"/rounds/{c.round.id}/transition", data={"action": "schedule",
                                                           "lock_version": c.round.lock_version})
    [notice] = mails_to("rep@exemple.ca")
    assert notice.subject == ("Carrefour des aînés is invited to a consultation: Consultation sur le portrait "
                              "des besoins")
    assert f"/rounds/{c.round.id}" in notice.body_text and "Declining has no other consequence" in notice.body_text
    assert len(mails_to("rep2@exemple.ca")) == 1
    # Inviting again adds no line and sends nothing more.
    client.post(f"/rounds/{c.round.id}/invitations", data={"organization_ids": [c.organization.id]})
    assert len(mails_to("rep@exemple.ca")) == 1
    assert len([i for i in c.round.invitations if i.organization_id == c.organization.id]) == 1


def test_an_invitation_during_an_open_round_is_told_at_once(client, consultation):
    client.login(consultation.planner)
    client.post(f"/rounds/{consultation.round.id}/invitations",
                data={"organization_ids": [consultation.coalition.id]})
    assert len(mails_to("table@exemple.ca")) == 1
    assert _line(consultation.round, consultation.coalition).notified_at is not None


def test_the_registry_search_finds_by_name_and_hides_those_invited(client, app, consultation):
    for n in range(30):
        db.session.add(Organization(name=f"Groupe d'entraide n°{n:02d}", kind=OrganizationKind.community))
    db.session.commit()
    services.invite_organizations(consultation.round, consultation.planner, [consultation.organization])
    db.session.commit()
    client.login(consultation.planner)
    found = client.get(f"/rounds/{consultation.round.id}/invitations", query_string={"q": "POPOTE"})
    assert "Popote roulante" in found.text and "Groupe d'entraide" not in found.text
    everyone = client.get(f"/rounds/{consultation.round.id}/invitations")
    assert "Organizations not invited yet (32)" in everyone.text  # 30 + Popote + the coalition
    assert 'rel="next"' in everyone.text  # paginated
    assert f'id="organization-{consultation.organization.id}"' not in everyone.text
    accents = client.get(f"/rounds/{consultation.round.id}/invitations", query_string={"q": "entraide n°07"})
    assert "n°07" in accents.text and "n°08" not in accents.text


def test_a_representative_declines_with_a_reason_then_takes_part(client, consultation):
    services.invite_organizations(consultation.round, consultation.planner, [consultation.organization])
    db.session.commit()
    line = _line(consultation.round, consultation.organization)
    client.login(consultation.representative)
    page = client.get(f"/rounds/{consultation.round.id}")
    assert "We decline" in page.text and f'action="/rounds/{consultation.round.id}/invitations/{line.id}/answer"' \
        in page.text
    response = client.post(f"/rounds/{consultation.round.id}/invitations/{line.id}/answer", data={
        "answer": "decline", "reason": "Notre conseil ne se réunit pas avant décembre."}, follow_redirects=True)
    assert "Your answer is recorded: Carrefour des aînés — Declined." in response.text
    db.session.refresh(line)
    assert line.state is InvitationState.declined and line.answered_by_id == consultation.representative.id
    client.logout()
    public = client.get(f"/rounds/{consultation.round.id}")  # a visitor sees the page in French
    assert "Notre conseil ne se réunit pas avant décembre." in public.text and "Refusée" in public.text
    client.login(consultation.representative)
    client.post(f"/rounds/{consultation.round.id}/invitations/{line.id}/answer", data={"answer": "take_part"})
    db.session.refresh(line)
    assert line.state is InvitationState.took_part and line.reason is None
    withdrawn = client.post(f"/rounds/{consultation.round.id}/invitations/{line.id}/answer", data={
        "answer": "withdraw", "reason": "Manque de bénévoles."})
    assert withdrawn.status_code == 302
    db.session.refresh(line)
    assert line.state is InvitationState.withdrew and line.reason == "Manque de bénévoles."
    answers = db.session.scalars(select(RoundEvent.detail).where(
        RoundEvent.round_id == consultation.round.id, RoundEvent.kind == "invitation_answered")).all()
    assert [a["state"] for a in answers] == ["declined", "took_part", "withdrew"]


def test_an_answer_that_does_not_fit_is_refused_with_a_message(client, consultation):
    services.invite_organizations(consultation.round, consultation.planner, [consultation.organization])
    db.session.commit()
    line = _line(consultation.round, consultation.organization)
    client.login(consultation.representative)
    withdraw = client.post(f"/rounds/{consultation.round.id}/invitations/{line.id}/answer",
                           data={"answer": "withdraw"})
    assert withdraw.status_code == 422 and "This answer is not possible now" in withdraw.text
    too_long = client.post(f"/rounds/{consultation.round.id}/invitations/{line.id}/answer",
                           data={"answer": "decline", "reason": "x" * 2001})
    assert too_long.status_code == 422 and "At most 2000 characters." in too_long.text
    db.session.refresh(line)
    assert line.state is InvitationState.invited


def test_each_party_answers_only_its_own_line(client, consultation):
    services.invite_organizations(consultation.round, consultation.planner, [consultation.organization])
    db.session.commit()
    services.include_establishment(consultation.round, consultation.planner)
    db.session.commit()
    line = _line(consultation.round, consultation.organization)
    establishment_line = next(i for i in consultation.round.invitations if i.establishment_id)
    url = f"/rounds/{consultation.round.id}/invitations/{line.id}/answer"
    for intruder in (consultation.other_representative, consultation.member, consultation.citizen,
                     consultation.planner):
        client.login(intruder)
        assert client.post(url, data={"answer": "decline"}).status_code == 403
        client.logout()
    assert client.post(url, data={"answer": "decline"}).status_code in (302, 401)
    client.login(consultation.representative)
    own = f"/rounds/{consultation.round.id}/invitations/{establishment_line.id}/answer"
    assert client.post(own, data={"answer": "take_part"}).status_code == 403
    client.logout()
    client.login(consultation.planner)
    assert client.post(own, data={"answer": "take_part"}).status_code == 302
    db.session.refresh(establishment_line)
    db.session.refresh(line)
    assert establishment_line.state is InvitationState.took_part and line.state is InvitationState.invited


def test_a_closed_round_keeps_its_list_as_a_record(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    c.round.invitations.append(RoundInvitation(establishment_id=c.establishment.id))
    db.session.commit()
    try:
        services.include_establishment(c.round, c.planner)
    except services.RoundError as error:
        assert "La ronde est fermée" in error.message  # outside a request: French, the default
    else:
        raise AssertionError("a closed round's list was changed")
    line = next(i for i in c.round.invitations if i.establishment_id)
    client.login(c.planner)
    page = client.get(f"/rounds/{c.round.id}")
    assert "We take part" not in page.text
    assert client.post(f"/rounds/{c.round.id}/invitations/{line.id}/answer",
                       data={"answer": "take_part"}).status_code == 422
    refused = client.post(f"/rounds/{c.round.id}/invitations", data={"organization_ids": [c.organization.id]},
                          follow_redirects=True)
    assert "The round is closed" in refused.text and _line(c.round, c.organization) is None


def test_a_brief_records_participation_even_without_invitation(consultation):
    services.record_participation(consultation.round, consultation.other_organization)
    db.session.commit()
    line = _line(consultation.round, consultation.other_organization)
    assert line.state is InvitationState.took_part


def test_an_unanswered_invitation_can_be_taken_back_before_opening(client, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    services.invite_organizations(c.round, c.planner, [c.organization])
    db.session.commit()
    line = _line(c.round, c.organization)
    client.login(c.planner)
    client.post(f"/rounds/{c.round.id}/invitations/{line.id}/remove")
    assert _line(c.round, c.organization) is None
    kinds = db.session.scalars(select(RoundEvent.kind).where(RoundEvent.round_id == c.round.id)).all()
    assert "uninvited" in kinds


def test_the_establishment_is_on_the_list_and_its_absence_can_be_fixed(client, consultation):
    # The shared fixture builds the round from rows, without the establishment's line.
    assert not any(i.establishment_id for i in consultation.round.invitations)
    client.login(consultation.planner)
    client.post(f"/rounds/{consultation.round.id}/invitations", data={"include_establishment": "1"})
    client.logout()
    public = html.unescape(client.get(f"/rounds/{consultation.round.id}").text)  # a visitor: French
    assert "CSSS du Centre-Est" in public and "(l'établissement)" in public
