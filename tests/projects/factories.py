"""Rows the route × role test (tests/core/test_route_permissions.py) needs for the project pages: a
project of its establishment with step 1 published, an inventory entry proposed for its organization,
an offer element naming that organization as provider, and a programme."""

from __future__ import annotations

from consult.core.db import db
from consult.organizations.models import Organization
from consult.projects import services
from consult.projects.models import Determinant, Level3, OfferProvider, ProviderKind
from consult.territories.models import Establishment


def project_route_values(establishment: Establishment, organization: Organization, planner) -> dict:
    """Create the rows and return the sample URL values: project_id, number, version, version_id, uid,
    kind, item_id, link_id, programme_id."""
    services.add_default_programmes()
    programme = services.programme_by_code("palv")
    project = services.create_project(establishment, programme, title="Projet PALV", summary=None,
                                      start_date=None, end_date=None, territories=[])
    need = services.save_item(project, "need", None, {
        "title": "Isolement", "description": "", "population_groups": [], "areas": [],
        "determinant": Determinant.isolation, "priority": Level3.high, "sources": ""})
    service = services.save_item(project, "service", None, {
        "name": "Visites d'amitié", "description": "", "organization": organization,
        "provider_kind": ProviderKind.community, "programme": None, "areas": [], "capacity": None,
        "access_conditions": "", "languages": None, "needs": [need]}, user=planner)
    offer = services.save_item(project, "offer", None, {"name": "Visites", "description": "", "gaps": [],
                                                        "models": [], "providers": [organization]})
    version = services.transition(project.step(1), "publish", planner)
    db.session.commit()
    link = next(p for p in offer.providers if isinstance(p, OfferProvider))
    return {"project_id": project.id, "number": 1, "version": version.number, "version_id": version.id,
            "uid": need.uid, "kind": "service", "item_id": service.id, "link_id": link.id,
            "programme_id": programme.id}
