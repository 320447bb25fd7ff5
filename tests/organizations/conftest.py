"""A small territory, an establishment with its planner, an organization with a representative and a
member, and a citizen. People read pages in English, the language the msgids are written in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from consult.accounts.models import User
from consult.core.db import db
from consult.organizations.models import MemberRole, Organization, OrganizationKind, OrganizationMember
from consult.territories.models import Establishment, Level, TerritoryNode


@dataclass
class World:
    region: TerritoryNode
    rls: TerritoryNode
    clsc: TerritoryNode
    neighbourhood: TerritoryNode
    other_region: TerritoryNode
    establishment: Establishment
    other_establishment: Establishment
    organization: Organization
    representative: User
    member: User
    planner: User
    other_planner: User
    admin: User
    citizen: User


def node(code: str, name: str, level: Level, parent: TerritoryNode | None = None) -> TerritoryNode:
    made = TerritoryNode(code=code, name=name, level=level, parent=parent)
    db.session.add(made)
    return made


@pytest.fixture
def world(make_user) -> World:
    region = node("06", "Montréal", Level.region)
    rls = node("0611", "RLS du Centre-Est", Level.rls, region)
    clsc = node("06111", "CLSC des Faubourgs", Level.clsc, rls)
    neighbourhood = node("06111-01", "Centre-Sud", Level.neighbourhood, clsc)
    other_region = node("02", "Saguenay–Lac-Saint-Jean", Level.region)
    establishment = Establishment(name="CSSS du Centre-Est", kind="CSSS", region=region, territories=[rls])
    other = Establishment(name="CSSS du Fjord", kind="CSSS", region=other_region)
    organization = Organization(name="Carrefour des aînés", kind=OrganizationKind.autonomous_community)
    db.session.add_all([establishment, other, organization])
    db.session.commit()
    people = {
        "representative": make_user("rep@exemple.ca", locale="en", name="Louise Rep"),
        "member": make_user("membre@exemple.ca", locale="en", name="Karim Membre"),
        "planner": make_user("planif@exemple.ca", locale="en", name="Geneviève Planif", planner=establishment),
        "other_planner": make_user("planif2@exemple.ca", locale="en", name="Martin Planif", planner=establishment),
        "admin": make_user("admin@exemple.ca", locale="en", admin=True, name="Admin"),
        "citizen": make_user("citoyen@exemple.ca", locale="en", name="Réjean Citoyen"),
    }
    db.session.add_all([
        OrganizationMember(organization=organization, user=people["representative"], role=MemberRole.representative),
        OrganizationMember(organization=organization, user=people["member"], role=MemberRole.member),
    ])
    db.session.commit()
    return World(region, rls, clsc, neighbourhood, other_region, establishment, other, organization, **people)


@pytest.fixture
def as_user(client):
    """Sign `client` in as someone (None: a visitor reading in English) and return it. The session is
    written directly, as Flask-Login would after signing in: hashing a password for each of the many
    sign-ins below would make the suite crawl; tests/accounts covers signing in itself."""

    def sign_in(user: User | None):
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
            else:
                session["lang"] = "en"
        return client

    return sign_in
