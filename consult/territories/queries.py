"""Read helpers for territories and establishments: paginated, with what the pages show loaded up front."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import EstablishmentRole, EstablishmentRoleKind, User
from consult.core.db import db
from consult.core.pagination import paginate
from consult.territories.models import Establishment, Level, TerritoryNode, establishment_territories

# The tree is four levels deep; a fifth pass would only find a corrupted cycle.
MAX_DEPTH = 5


def children_by_parent(root_ids: Iterable[int]) -> dict[int, list[TerritoryNode]]:
    """Every node below `root_ids`, grouped by parent id and sorted by code: one query per level."""
    tree: dict[int, list[TerritoryNode]] = defaultdict(list)
    frontier, seen = list(root_ids), set(root_ids)
    for _depth in range(MAX_DEPTH):
        if not frontier:
            break
        rows = db.session.scalars(select(TerritoryNode).where(TerritoryNode.parent_id.in_(frontier))
                                  .order_by(TerritoryNode.code))
        frontier = []
        for node in rows:
            if node.id in seen:
                continue
            seen.add(node.id)
            tree[node.parent_id].append(node)  # type: ignore[index]
            frontier.append(node.id)
    return dict(tree)


def descendants(node: TerritoryNode) -> list[TerritoryNode]:
    return [n for group in children_by_parent([node.id]).values() for n in group]


def children_counts(ids: Iterable[int]) -> dict[int, int]:
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(select(TerritoryNode.parent_id, func.count(TerritoryNode.id))
                              .where(TerritoryNode.parent_id.in_(ids)).group_by(TerritoryNode.parent_id))
    return {parent: count for parent, count in rows}


def regions_page() -> Pagination:
    return paginate(select(TerritoryNode).where(TerritoryNode.level == Level.region)
                    .order_by(TerritoryNode.code))


def _with_ancestors():
    # Region → RLS → CLSC → municipality: three hops up is the whole path.
    return selectinload(TerritoryNode.parent).selectinload(TerritoryNode.parent).selectinload(
        TerritoryNode.parent)


def search_nodes(text: str) -> Pagination:
    """Nodes whose code or name contains `text`, ignoring case (SQL wildcards in `text` are literal)."""
    needle = text.strip().lower()
    stmt = (select(TerritoryNode)
            .where(or_(func.lower(TerritoryNode.code).contains(needle, autoescape=True),
                       func.lower(TerritoryNode.name).contains(needle, autoescape=True)))
            .options(_with_ancestors()).order_by(TerritoryNode.code))
    return paginate(stmt)


def establishments_using(node: TerritoryNode) -> list[Establishment]:
    used_as_territory = select(establishment_territories.c.establishment_id).where(
        establishment_territories.c.territory_id == node.id)
    stmt = select(Establishment).where(or_(Establishment.region_id == node.id,
                                           Establishment.id.in_(used_as_territory))).order_by(Establishment.name)
    return list(db.session.scalars(stmt))


def nodes_of_levels(*levels: Level) -> list[TerritoryNode]:
    return list(db.session.scalars(select(TerritoryNode).where(TerritoryNode.level.in_(levels))
                                   .options(_with_ancestors()).order_by(TerritoryNode.code)))


def establishments_page() -> Pagination:
    stmt = (select(Establishment).options(joinedload(Establishment.region),
                                          selectinload(Establishment.territories))
            .order_by(Establishment.name))
    return paginate(stmt)


def staff_of(establishment: Establishment) -> list[EstablishmentRole]:
    """Planners and moderators of `establishment`, planners first."""
    stmt = (select(EstablishmentRole).join(EstablishmentRole.user)
            .where(EstablishmentRole.establishment_id == establishment.id, User.deleted_at.is_(None))
            .options(joinedload(EstablishmentRole.user)))
    roles = db.session.scalars(stmt)
    return sorted(roles, key=lambda r: (r.role is not EstablishmentRoleKind.planner, r.user.email))
