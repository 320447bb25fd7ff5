"""A small territory, an establishment with a planner, a community organization with a representative,
and helpers that build a clinical project through the services (as the pages do)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from consult.core.db import db
from consult.organizations.models import MemberRole, Organization, OrganizationKind, OrganizationMember
from consult.projects import services
from consult.projects.models import ClinicalProject, Determinant, Level3, Programme
from consult.territories.models import Establishment, Level, TerritoryNode


@dataclass
class World:
    region: TerritoryNode
    rls: TerritoryNode
    clsc: TerritoryNode
    areas: list[TerritoryNode]
    establishment: Establishment
    other_establishment: Establishment
    organization: Organization
    programme: Programme


def node(code: str, name: str, level: Level, parent: TerritoryNode | None = None) -> TerritoryNode:
    made = TerritoryNode(code=code, name=name, level=level, parent=parent)
    db.session.add(made)
    return made


@pytest.fixture
def world() -> World:
    region = node("06", "Montréal", Level.region)
    rls = node("0611", "RLS du Centre-Est", Level.rls, region)
    clsc = node("06111", "CLSC des Faubourgs", Level.clsc, rls)
    areas = [node("06111-01", "Centre-Sud", Level.neighbourhood, clsc),
             node("06111-02", "Quartier latin", Level.neighbourhood, clsc)]
    establishment = Establishment(name="CSSS du Centre-Est", kind="CSSS", region=region, territories=[rls])
    other = Establishment(name="CSSS d'ailleurs", kind="CSSS", region=region)
    organization = Organization(name="Carrefour des aînés", kind=OrganizationKind.autonomous_community)
    db.session.add_all([establishment, other, organization])
    services.add_default_programmes()
    db.session.commit()
    return World(region, rls, clsc, areas, establishment, other, organization,
                 services.programme_by_code("palv"))


@pytest.fixture
def planner(make_user, world):
    return make_user("planif@exemple.ca", planner=world.establishment, locale="en")


@pytest.fixture
def representative(make_user, world):
    user = make_user("rep@exemple.ca", locale="en")
    db.session.add(OrganizationMember(organization=world.organization, user=user, role=MemberRole.representative))
    db.session.commit()
    return user


@pytest.fixture
def project(world) -> ClinicalProject:
    made = services.create_project(world.establishment, world.programme, title="Projet clinique PALV",
                                   summary="Vieillir chez soi.", start_date=None, end_date=None,
                                   territories=[world.rls])
    db.session.commit()
    return made


def add_need(project: ClinicalProject, title: str = "Isolement des aînés", **extra):
    values = {"title": title, "description": "Beaucoup d'aînés vivent seuls.", "population_groups": ["aînés"],
              "areas": [], "determinant": Determinant.isolation, "priority": Level3.high, "sources": "ISQ"}
    values.update(extra)
    need = services.save_item(project, "need", None, values)
    db.session.commit()
    return need


def add_indicator(project: ClinicalProject, area: TerritoryNode, value: float, name: str = "Aînés vivant seuls",
                  year: int = 2021):
    indicator = services.save_item(project, "indicator", None, {
        "name": name, "unit": "%", "value": value, "year": year, "territory": area, "source": "Recensement"})
    db.session.commit()
    return indicator


def publish(project: ClinicalProject, number: int, user=None):
    version = services.transition(project.step(number), "publish", user)
    db.session.commit()
    return version
