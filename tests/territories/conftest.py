"""A small territory and an English-speaking administrator (so that messages are checked in the
language the msgids are written in, whatever the French catalog says)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from consult.core.db import db
from consult.territories.models import Establishment, Level, TerritoryNode


@dataclass
class Tree:
    region: TerritoryNode
    rls: TerritoryNode
    clsc: TerritoryNode
    neighbourhood: TerritoryNode
    other_region: TerritoryNode
    other_rls: TerritoryNode


def node(code: str, name: str, level: Level, parent: TerritoryNode | None = None) -> TerritoryNode:
    made = TerritoryNode(code=code, name=name, level=level, parent=parent)
    db.session.add(made)
    return made


@pytest.fixture
def tree() -> Tree:
    region = node("06", "Montréal", Level.region)
    rls = node("0611", "RLS du Centre-Est", Level.rls, region)
    clsc = node("06111", "CLSC des Faubourgs", Level.clsc, rls)
    neighbourhood = node("06111-01", "Centre-Sud", Level.neighbourhood, clsc)
    other_region = node("02", "Saguenay–Lac-Saint-Jean", Level.region)
    other_rls = node("0221", "RLS du Haut-Saguenay", Level.rls, other_region)
    db.session.commit()
    return Tree(region, rls, clsc, neighbourhood, other_region, other_rls)


@pytest.fixture
def establishment(tree: Tree) -> Establishment:
    made = Establishment(name="CSSS du Centre-Est", kind="CSSS", region=tree.region,
                         territories=[tree.rls, tree.clsc])
    db.session.add(made)
    db.session.commit()
    return made


@pytest.fixture
def admin(make_user):
    return make_user("admin@exemple.ca", admin=True, locale="en")


@pytest.fixture
def admin_client(client, admin):
    client.login(admin)
    return client
