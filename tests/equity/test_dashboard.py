"""The participation dashboard: invitations by kind of party (the establishment included), drafting or only
implementation step by step, who spoke — counted by kind, never ranked by name."""

from __future__ import annotations

from flask_babel import force_locale
from markupsafe import escape

from consult.core.db import db
from consult.equity import dashboard
from consult.organizations.models import Organization, OrganizationKind
from consult.participation.models import BriefPosition, Stance
from consult.projects.models import Listing, ProviderKind, Service
from consult.rounds.models import InvitationState, RoundInvitation
from tests.equity import builders


def _invite(c) -> None:
    db.session.add_all([
        RoundInvitation(round_id=c.round.id, organization_id=c.organization.id, state=InvitationState.took_part),
        RoundInvitation(round_id=c.round.id, organization_id=c.other_organization.id,
                        state=InvitationState.declined, reason="Pas le temps."),
        RoundInvitation(round_id=c.round.id, organization_id=c.coalition.id, state=InvitationState.invited),
        RoundInvitation(round_id=c.round.id, establishment_id=c.establishment.id, state=InvitationState.withdrew),
    ])
    db.session.commit()


def test_invitations_are_counted_by_kind_of_party_the_establishment_included(consultation):
    c = consultation
    _invite(c)
    rows = {row.key: row for row in dashboard.invitations(c.round)}
    assert rows["establishment"].counts[InvitationState.withdrew] == 1
    assert rows["autonomous_community"].counts[InvitationState.took_part] == 1
    assert rows["community"].counts[InvitationState.declined] == 1
    assert rows["coalition"].counts[InvitationState.invited] == 1
    assert rows["private_resource"].total == 0  # every kind is listed: who is missing shows too
    assert dashboard.invitations(c.round)[0].key == "establishment"


def test_drafting_and_implementation_are_told_apart_step_by_step(consultation, make_user):
    c = consultation
    drafted = builders.brief(c)  # the ACA's brief, with a position on a need: drafting step 1
    db.session.add(BriefPosition(brief_id=drafted.id, version_id=c.needs_version.id, item_uid=c.need_uid,
                                 item_kind="need", stance=Stance.support))
    # The community organization is in the inventory (step 2): implementation only.
    db.session.add(Service(project_id=c.project.id, name="Repas livrés", organization_id=c.other_organization.id,
                           provider_kind=ProviderKind.community, listing=Listing.confirmed))
    # A social-economy enterprise whose representative commented on the gap analysis (step 3).
    coop = Organization(name="Coop Aide-Chez-Soi", kind=OrganizationKind.social_economy)
    db.session.add(coop)
    db.session.commit()
    speaker = make_user()
    builders.represent(coop, speaker)
    builders.comment(c, speaker, "Nos préposées voient ces soirs à découvert.", on_gap=True)

    rows = {row.key: row for row in dashboard.involvement(c.round)}
    assert rows["autonomous_community"].cells[1].status == "drafting"
    assert rows["autonomous_community"].cells[3].status == "none"
    assert rows["community"].cells[2].status == "implementation"  # step 2 is not in this round
    assert rows["community"].cells[1].status == "none"
    assert rows["social_economy"].cells[3].status == "drafting"
    assert rows["establishment"].cells[1].status == "drafting" and rows["establishment"].cells[3].status == "drafting"
    assert rows["private_resource"].cells[6].status == "not_in_round"


def test_who_spoke_by_kind_of_speaker_and_by_gender_with_small_groups_hidden(consultation, make_user):
    c = consultation
    for _n in range(5):
        builders.resident(make_user, c, area=c.area, age="65_74", gender="woman", comments=2)
    for _n in range(2):
        builders.resident(make_user, c, area=c.area, age="75_plus", gender="man", comments=1)
    builders.comment(c, c.planner, "Merci.")
    builders.comment(c, c.representative, "Notre avis.")
    speaking = dashboard.speaking(c.round)
    assert speaking.total == 14
    by_speaker = {row.key: row for row in speaking.by_speaker}
    assert by_speaker["other"].people.value == 7 and by_speaker["other"].comments.value == 12
    assert by_speaker["staff"].people.value is None and by_speaker["staff"].comments.value is None
    by_gender = {row.key: row for row in speaking.by_gender}
    assert by_gender["woman"].comments.value == 10 and by_gender["woman"].share == 10 / 13
    assert by_gender["man"].people.value is None and by_gender["man"].comments.value is None
    assert by_gender[None].people.raw == 1  # the representative gave no profile: not stated


def test_the_dashboard_names_no_organization_and_ranks_nobody(client, consultation, make_user):
    c = consultation
    _invite(c)
    builders.brief(c)
    client.login(c.planner)
    client.get("/lang/en")
    page = client.get(f"/rounds/{c.round.id}/equity").text
    dashboard_part = page.split('id="dashboard"')[1].split('id="inequalities"')[0]
    for name in (c.organization.name, c.other_organization.name, c.coalition.name, c.establishment.name,
                 c.planner.email):
        assert name not in dashboard_part
    assert "Autonomous community organization (ACA)" in dashboard_part and "The establishment" in dashboard_part
    # Kinds in their fixed order, whatever the counts.
    with force_locale("en_CA"):
        kinds = [str(escape(label)) for _key, label in dashboard.party_kinds()]
    table = dashboard_part.split('id="table-invitations-caption"')[1].split("</table>")[0]
    positions = [table.index(f'<th scope="row">{label}</th>') for label in kinds]
    assert positions == sorted(positions)


def test_the_lens_is_for_the_rounds_planners_and_administrators(client, consultation, make_user):
    c = consultation
    for person, status in ((c.planner, 200), (make_user(admin=True), 200), (c.moderator, 403), (c.citizen, 403),
                           (c.representative, 403), (make_user(planner=c.other_establishment), 403)):
        client.login(person)
        assert client.get(f"/rounds/{c.round.id}/equity").status_code == status, person.email
        client.logout()
    assert client.get(f"/rounds/{c.round.id}/equity").status_code == 302
