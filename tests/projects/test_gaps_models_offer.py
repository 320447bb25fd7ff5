"""Steps 3 to 6: gaps and the needs × resources grid, care models with their decisions, offer elements
with agreement proposals written by both sides, and the roles and responsibilities matrix."""

from __future__ import annotations

from sqlalchemy import select

from consult.core.db import db
from consult.projects import services
from consult.projects.models import (
    AgreementProposal,
    CareModel,
    Decision,
    Dimension,
    Gap,
    Level3,
    Listing,
    ModelKind,
    OfferProvider,
    ProviderKind,
    RoleLevel,
)
from tests.projects.conftest import add_need


def add_service(project, name, organization=None, needs=()):
    service = services.save_item(project, "service", None, {
        "name": name, "description": "", "organization": organization,
        "provider_kind": ProviderKind.community if organization else ProviderKind.public, "programme": None,
        "areas": [], "capacity": None, "access_conditions": "", "languages": None, "needs": list(needs)})
    db.session.commit()
    return service


def add_gap(project, need, title="Attente trop longue", services_=()):
    gap = services.save_item(project, "gap", None, {
        "title": title, "description": "", "need": need, "services": list(services_),
        "dimension": Dimension.access, "severity": Level3.high, "evidence": "Listes d'attente", "areas": []})
    db.session.commit()
    return gap


def test_the_grid_shows_what_is_covered_and_what_is_not(client, planner, project):
    covered = add_need(project, "Repas")
    add_need(project, "Transport")
    add_service(project, "Popote roulante", needs=[covered])
    client.login(planner)
    client.get("/lang/en")
    page = client.get(f"/projects/{project.id}/grid")
    assert page.status_code == 200
    repas = page.text[page.text.index("<th scope=\"row\">Repas"):].split("</tr>")[0]
    assert "1 resource" in repas and "Popote roulante" in repas
    transport = page.text[page.text.index("<th scope=\"row\">Transport"):].split("</tr>")[0]
    assert "Not covered" in transport and "Popote roulante" not in transport
    # A column per kind of provider: the establishment's own service sits under "Public".
    header = page.text[page.text.index("<thead>"):page.text.index("</thead>")]
    assert [h.split("<")[0] for h in header.split('scope="col">')[1:]] == [
        "Need", "Coverage", "Public", "Community", "Social economy", "Private"]
    cells = repas.split("<td>")
    assert "Popote roulante" in cells[2] and all("Popote" not in cell for cell in cells[3:])
    assert "<caption>" in page.text


def test_a_gap_is_added_through_its_form(client, planner, project, world):
    need = add_need(project)
    service = add_service(project, "Popote", needs=[need])
    client.login(planner)
    response = client.post(f"/projects/{project.id}/work/gap/new", data={
        "title": "Pas de service le soir", "need_id": need.id, "service_ids": [service.id],
        "dimension": "continuity", "severity": "medium", "area_ids": [world.areas[1].id]})
    assert response.status_code == 302
    gap = db.session.scalar(select(Gap))
    assert gap.need is need and gap.services == [service] and gap.dimension is Dimension.continuity


def test_a_need_with_gaps_cannot_be_removed(client, planner, project):
    need = add_need(project)
    add_gap(project, need)
    client.login(planner)
    page = client.post(f"/projects/{project.id}/work/need/{need.id}/delete",
                       data={"lock_version": need.lock_version}, follow_redirects=True)
    assert "This need is analysed by 1 gap(s)." in page.text
    assert db.session.get(type(need), need.id) is not None


def test_setting_a_model_aside_requires_a_reason(client, planner, project, world):
    need = add_need(project)
    gap = add_gap(project, need)
    client.login(planner)
    data = {"kind": "add", "name": "Centre de jour", "partner_ids": [world.organization.id],
            "origin": "Développé d'abord par un organisme communautaire", "gap_ids": [gap.id],
            "decision": "set_aside", "decision_reason": ""}
    refused = client.post(f"/projects/{project.id}/work/model/new", data=data)
    assert refused.status_code == 422
    assert "Give the reason why this model is set aside." in refused.text
    data["decision_reason"] = "Coût trop élevé pour l'instant"
    assert client.post(f"/projects/{project.id}/work/model/new", data=data).status_code == 302
    model = db.session.scalar(select(CareModel))
    assert model.kind is ModelKind.add and model.decision is Decision.set_aside
    assert model.partners == [world.organization]
    listing = client.get(f"/projects/{project.id}/work/model?step=5")
    assert "Centre de jour" in listing.text and "Coût trop élevé" in listing.text
    assert "Centre de jour" not in client.get(f"/projects/{project.id}/work/model?step=4").text


def test_models_to_keep_and_to_add_are_published_in_their_own_step(project):
    need = add_need(project)
    gap = add_gap(project, need)
    for kind, name in ((ModelKind.keep, "Guichet unique"), (ModelKind.add, "Centre de jour")):
        services.save_item(project, "model", None, {
            "kind": kind, "name": name, "description": "", "partners": [], "origin": None, "gaps": [gap],
            "evidence": "", "decision": Decision.chosen, "decision_reason": ""})
    db.session.commit()
    keep = services.transition(project.step(4), "publish", None)
    add = services.transition(project.step(5), "publish", None)
    db.session.commit()
    assert keep.item_count == 1 and add.item_count == 1


def _offer(project, world, planner_user=None):
    need = add_need(project)
    gap = add_gap(project, need)
    offer = services.save_item(project, "offer", None, {
        "name": "Repas à domicile", "description": "", "gaps": [gap], "models": [],
        "providers": [None, world.organization]})
    db.session.commit()
    return offer


def test_both_sides_write_agreement_parameters_and_every_version_is_kept(client, planner, representative,
                                                                         project, world):
    offer = _offer(project, world)
    link = db.session.scalar(select(OfferProvider).where(OfferProvider.organization_id == world.organization.id))
    url = f"/projects/{project.id}/agreements/{link.id}"
    client.login(planner)
    client.get("/lang/en")
    page = client.get(url)
    assert page.status_code == 200
    assert "the establishment is both a partner and the funder" in page.text
    assert "Response times" in page.text and "Quality control" in page.text
    client.post(f"{url}/propose", data={"parameter": "response_times", "response_times-parameter":
                                        "response_times", "response_times-based_on": "0",
                                        "response_times-action": "amend",
                                        "response_times-text": "Sous 48 heures"})
    client.logout()
    client.login(representative)
    own = client.post(f"{url}/propose", data={"parameter": "response_times", "response_times-parameter":
                                              "response_times", "response_times-based_on": "1",
                                              "response_times-action": "amend",
                                              "response_times-text": "Sous 72 heures, 5 jours sur 7"})
    assert own.status_code == 302
    client.logout()
    client.login(planner)
    stale = client.post(f"{url}/propose", data={"parameter": "response_times", "response_times-parameter":
                                                "response_times", "response_times-based_on": "1",
                                                "response_times-action": "accept"})
    assert stale.status_code == 409 and "The other side changed this parameter" in stale.text
    accepted = client.post(f"{url}/propose", data={"parameter": "response_times", "response_times-parameter":
                                                   "response_times", "response_times-based_on": "2",
                                                   "response_times-action": "accept"})
    assert accepted.status_code == 302
    rows = db.session.scalars(select(AgreementProposal).order_by(AgreementProposal.revision)).all()
    assert [(r.revision, r.side, r.action.value) for r in rows] == [
        (1, "establishment", "propose"), (2, "organization", "amend"), (3, "establishment", "accept")]
    assert rows[2].text == "Sous 72 heures, 5 jours sur 7"
    history = client.get(url).text
    assert "Sous 48 heures" in history and "Sous 72 heures" in history
    version = services.transition(project.step(6), "publish", None)
    db.session.commit()
    published = client.get(f"/projects/{project.id}/steps/6/versions/{version.number}")
    assert "Sous 72 heures, 5 jours sur 7" in published.text and "accepted by the other side" in published.text
    assert offer.uid in published.text


def test_a_side_cannot_accept_its_own_proposal_and_strangers_cannot_write(client, planner, project, world,
                                                                          make_user):
    _offer(project, world)
    link = db.session.scalar(select(OfferProvider).where(OfferProvider.organization_id == world.organization.id))
    url = f"/projects/{project.id}/agreements/{link.id}"
    client.login(planner)
    client.post(f"{url}/propose", data={"parameter": "competence", "competence-parameter": "competence",
                                        "competence-based_on": "0", "competence-action": "amend",
                                        "competence-text": "Intervenantes formées"})
    own = client.post(f"{url}/propose", data={"parameter": "competence", "competence-parameter": "competence",
                                              "competence-based_on": "1", "competence-action": "accept"})
    assert own.status_code == 422
    assert "accepted by the other side, not by the side that wrote it" in own.text
    client.logout()
    client.login(make_user("passant@exemple.ca"))
    assert client.get(url).status_code == 403
    assert client.post(f"{url}/propose", data={"parameter": "competence"}).status_code == 403


def test_the_roles_matrix_lists_actors_by_level(client, planner, project, world):
    offer = _offer(project, world)
    client.login(planner)
    response = client.post(f"/projects/{project.id}/work/responsibility/new", data={
        "description": "Évaluer les besoins à domicile", "offer_element_id": offer.id,
        "decides": [0], "carries_out": [world.organization.id], "informed": [0]})
    assert response.status_code == 302
    client.get("/lang/en")
    page = client.get(f"/projects/{project.id}/roles")
    assert page.status_code == 200
    row = page.text[page.text.index("<th scope=\"row\">Évaluer"):].split("</tr>")[0]
    assert "Decides, Is informed" in row and "Carries out" in row
    assert "the establishment is both a partner and the funder" in page.text
    levels = {a.level for r in offer.responsibilities for a in r.assignments}
    assert levels == {RoleLevel.decides, RoleLevel.carries_out, RoleLevel.informed}


def test_step_six_states_the_double_register(client, planner, project):
    client.login(planner)
    client.get("/lang/en")
    page = client.get(f"/projects/{project.id}/steps/6")
    assert "the establishment is both a partner and the funder" in page.text


def test_declined_services_are_not_offered_as_gap_resources(client, planner, project, world):
    need = add_need(project)
    declined = add_service(project, "Service refusé", world.organization, [need])
    declined.listing = Listing.declined
    db.session.commit()
    client.login(planner)
    assert "Service refusé" not in client.get(f"/projects/{project.id}/work/gap/new").text
