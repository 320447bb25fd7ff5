"""Establishments, territories and organizations' public profiles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from consult.api import serializers
from consult.api.blueprint import bp
from consult.api.pagination import page, scope_of
from consult.api.schemas import identifier
from consult.api.spec import Param, operation
from consult.api.views_common import LIST_PARAMS, choice_arg, get_or_404, int_arg, one_line_arg
from consult.core.db import db
from consult.organizations import queries as organization_queries
from consult.organizations.models import (
    CoalitionMembership,
    CoalitionStatus,
    Organization,
    OrganizationKind,
    fold,
    organization_territories,
)
from consult.territories.models import Establishment, Level, TerritoryNode

TAG = "directory"


@bp.get("/establishments")
@operation(operation_id="listEstablishments", tag=TAG, summary=_l("List establishments"),
           description=_l("Every establishment (CSSS, CISSS, CIUSSS, …), by name."), params=LIST_PARAMS,
           response="Establishment", many=True, problems=(400,))
def establishments():
    stmt = select(Establishment).options(joinedload(Establishment.region), selectinload(Establishment.territories))
    return page(stmt, (Establishment.id,), lambda e: (e.id,), serializers.establishment, scope_of())


@bp.get("/establishments/<int:establishment_id>")
@operation(operation_id="getEstablishment", tag=TAG, summary=_l("One establishment"), response="Establishment",
           problems=(404,))
def establishment(establishment_id: int):
    return serializers.establishment(get_or_404(Establishment, establishment_id))


LEVEL_PARAM = Param("level", {"type": "string", "enum": [level.value for level in Level]},
                    _l("Only territories of this level."))
PARENT_PARAM = Param("parent_id", identifier(), _l("Only the territories directly under this one."))


@bp.get("/territories")
@operation(operation_id="listTerritories", tag=TAG, summary=_l("List territories"),
           description=_l("The territory tree: regions, local services networks (RLS), CLSC territories, "
                          "municipalities and neighbourhoods, by code."),
           params=(*LIST_PARAMS, LEVEL_PARAM, PARENT_PARAM), response="Territory", many=True, problems=(400,))
def territories():
    stmt = select(TerritoryNode)
    level = choice_arg("level", [lv.value for lv in Level])
    if level is not None:
        stmt = stmt.where(TerritoryNode.level == Level(level))
    parent = int_arg("parent_id")
    if parent is not None:
        stmt = stmt.where(TerritoryNode.parent_id == parent)
    return page(stmt, (TerritoryNode.code, TerritoryNode.id), lambda n: (n.code, n.id), serializers.territory,
                scope_of(level, parent))


@bp.get("/territories/<int:node_id>")
@operation(operation_id="getTerritory", tag=TAG, summary=_l("One territory"), response="Territory",
           problems=(404,))
def territory(node_id: int):
    return serializers.territory(get_or_404(TerritoryNode, node_id))


KIND_PARAM = Param("kind", {"type": "string", "enum": [k.value for k in OrganizationKind]},
                   _l("Only organizations of this kind."))
TEXT_PARAM = Param("q", {"type": "string", "maxLength": 200}, _l("Words of the name (case and accents ignored)."))
TERRITORY_PARAM = Param("territory_id", identifier(), _l("Only organizations serving this territory (or a "
                                                         "territory inside or around it)."))


def _organization_page(found: Organization) -> dict:
    member_of = [link.coalition for link in organization_queries.coalitions_of(found)]
    members = organization_queries.confirmed_members(found) if found.is_grouping else []
    return serializers.organization(found, member_of, members)


@bp.get("/organizations")
@operation(operation_id="listOrganizations", tag=TAG, summary=_l("List organizations"),
           description=_l("Public profiles of the organizations registered on the platform, by identifier."),
           params=(*LIST_PARAMS, KIND_PARAM, TEXT_PARAM, TERRITORY_PARAM), response="Organization", many=True,
           problems=(400,))
def organizations():
    stmt = select(Organization).options(selectinload(Organization.territories),
                                        selectinload(Organization.programmes))
    kind = choice_arg("kind", [k.value for k in OrganizationKind])
    if kind is not None:
        stmt = stmt.where(Organization.kind == OrganizationKind(kind))
    text = one_line_arg("q", 200)
    if text:
        needle = fold(text)
        by_name = Organization.name_key.contains(needle, autoescape=True) if needle else \
            func.lower(Organization.name).contains(text.lower(), autoescape=True)
        stmt = stmt.where(or_(by_name, func.lower(Organization.legal_name).contains(text.lower(), autoescape=True)))
    territory_id = int_arg("territory_id")
    if territory_id is not None:
        node = db.session.get(TerritoryNode, territory_id)
        scope = organization_queries.territory_scope(node) if node is not None else []  # unknown: nobody serves it
        serving = select(organization_territories.c.organization_id).where(
            organization_territories.c.territory_id.in_(scope))
        stmt = stmt.where(Organization.id.in_(serving))
    result = page(stmt, (Organization.id,), lambda o: (o.id,), lambda o: o, scope_of(kind, text, territory_id))
    rows: list[Organization] = result["items"]
    links = _confirmed_links([o.id for o in rows])
    result["items"] = [serializers.organization(o, links["member_of"].get(o.id, []),
                                                links["members"].get(o.id, []) if o.is_grouping else [])
                       for o in rows]
    return result


def _confirmed_links(ids: list[int]) -> dict[str, dict[int, list[Organization]]]:
    """For one page: each organization's coalitions and each coalition's members, in one query."""
    found: dict[str, dict[int, list[Organization]]] = {"member_of": {}, "members": {}}
    if not ids:
        return found
    links = db.session.scalars(
        select(CoalitionMembership).where(CoalitionMembership.status == CoalitionStatus.confirmed,
                                          or_(CoalitionMembership.member_id.in_(ids),
                                              CoalitionMembership.coalition_id.in_(ids)))
        .options(joinedload(CoalitionMembership.coalition), joinedload(CoalitionMembership.member))
        .order_by(CoalitionMembership.id))
    for link in links:
        if link.member_id in ids:
            found["member_of"].setdefault(link.member_id, []).append(link.coalition)
        if link.coalition_id in ids:
            found["members"].setdefault(link.coalition_id, []).append(link.member)
    return found


@bp.get("/organizations/<int:organization_id>")
@operation(operation_id="getOrganization", tag=TAG, summary=_l("One organization's public profile"),
           response="Organization", problems=(404,))
def organization(organization_id: int):
    return _organization_page(get_or_404(Organization, organization_id))
