"""The kinds of item a step holds, in one table: which model, which step, how an item is frozen into a
version (a plain dict, with other items referred to by uid and label), how its fields are labelled and
shown, and what text search reads.

Working pages and published pages render the same dicts with the same templates, so what a planner
sees before publishing is exactly what readers will see after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from consult.projects.models import (
    DECISION_LABELS,
    DETERMINANT_LABELS,
    DIMENSION_LABELS,
    LISTING_LABELS,
    MODEL_KIND_LABELS,
    PARAMETER_LABELS,
    PRIORITY_LABELS,
    PROVIDER_KIND_LABELS,
    ROLE_LEVEL_LABELS,
    CareModel,
    CareResponsibility,
    CareRoleAssignment,
    ClinicalProject,
    Decision,
    Determinant,
    Dimension,
    Gap,
    Indicator,
    Level3,
    Listing,
    ModelKind,
    Need,
    OfferElement,
    OfferProvider,
    Parameter,
    ProposalAction,
    ProviderKind,
    RoleLevel,
    Service,
)


def _area(node) -> dict[str, str]:
    return {"code": node.code, "name": node.name}


def _ref(item, label_attr: str) -> dict[str, str]:
    return {"uid": item.uid, "label": getattr(item, label_attr)}


def actor_name(organization, establishment_name: str) -> str:
    return organization.name if organization is not None else establishment_name


# Serializers: ORM item → the dict frozen in a version ------------------------------------------------


def need_data(need: Need) -> dict[str, Any]:
    return {"title": need.title, "description": need.description or "",
            "population_groups": list(need.population_groups or []),
            "determinant": need.determinant.value, "priority": need.priority.value,
            "areas": [_area(a) for a in need.areas], "sources": need.sources or ""}


def indicator_data(indicator: Indicator) -> dict[str, Any]:
    return {"name": indicator.name, "unit": indicator.unit, "value": indicator.value, "year": indicator.year,
            "territory": _area(indicator.territory), "source": indicator.source or ""}


def service_data(service: Service) -> dict[str, Any]:
    programme = service.programme
    return {"name": service.name, "description": service.description or "",
            "provider": actor_name(service.organization, service.project.establishment.name),
            "provider_is_establishment": service.organization is None,
            "provider_kind": service.provider_kind.value,
            "programme": ({"code": programme.code, "fr": programme.name_fr, "en": programme.name_en}
                          if programme else None),
            "areas": [_area(a) for a in service.areas], "capacity": service.capacity or "",
            "access_conditions": service.access_conditions or "", "languages": service.languages or "",
            "needs": [_ref(n, "title") for n in service.needs], "listing": service.listing.value}


def gap_data(gap: Gap) -> dict[str, Any]:
    return {"title": gap.title, "description": gap.description or "", "need": _ref(gap.need, "title"),
            "services": [_ref(s, "name") for s in gap.services], "dimension": gap.dimension.value,
            "severity": gap.severity.value, "evidence": gap.evidence or "",
            "areas": [_area(a) for a in gap.areas]}


def model_data(model: CareModel) -> dict[str, Any]:
    return {"kind": model.kind.value, "name": model.name, "description": model.description or "",
            "partners": [p.name for p in model.partners], "origin": model.origin or "",
            "gaps": [_ref(g, "title") for g in model.gaps], "evidence": model.evidence or "",
            "decision": model.decision.value, "decision_reason": model.decision_reason or ""}


def current_terms(provider: OfferProvider) -> dict[str, dict[str, Any]]:
    """Per parameter, the latest version and whether the other side accepted it."""
    terms: dict[str, dict[str, Any]] = {}
    for proposal in provider.proposals:  # ordered by revision
        key = proposal.parameter.value
        if proposal.action is ProposalAction.accept:
            if key in terms:
                terms[key]["accepted"] = True
            continue
        terms[key] = {"text": proposal.text, "revision": proposal.revision, "side": proposal.side,
                      "action": proposal.action.value, "accepted": False}
    return terms


def offer_data(offer: OfferElement) -> dict[str, Any]:
    establishment = offer.project.establishment.name
    return {"name": offer.name, "description": offer.description or "",
            "gaps": [_ref(g, "title") for g in offer.gaps], "models": [_ref(m, "name") for m in offer.models],
            "providers": [{"name": actor_name(p.organization, establishment),
                           "establishment": p.organization is None,
                           "terms": current_terms(p) if p.organization is not None else {}}
                          for p in offer.providers]}


def responsibility_data(responsibility: CareResponsibility) -> dict[str, Any]:
    establishment = responsibility.project.establishment.name
    return {"description": responsibility.description,
            "offer": _ref(responsibility.offer_element, "name"),
            "assignments": [{"actor": actor_name(a.organization, establishment),
                             "establishment": a.organization is None, "level": a.level.value}
                            for a in responsibility.assignments]}


# The registry --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    key: str
    model: type
    label: Any            # one item
    plural: Any           # the list
    title_field: str      # the field naming an item
    serialize: Callable[[Any], dict[str, Any]]
    loaders: tuple = ()   # eager loads for lists and freezing
    fields: dict[str, Any] = field(default_factory=dict)  # field → label, in display order
    order: tuple = ()

    def label_of(self, data: dict[str, Any]) -> str:
        return str(data.get(self.title_field, ""))


KINDS: dict[str, Kind] = {
    "need": Kind(
        "need", Need, _l("Need"), _l("Needs"), "title", need_data,
        (selectinload(Need.areas),),
        {"title": _l("Title"), "description": _l("Description"), "population_groups": _l("Population groups"),
         "areas": _l("Local areas"), "determinant": _l("Determinant category"), "priority": _l("Priority"),
         "sources": _l("Sources")}),
    "indicator": Kind(
        "indicator", Indicator, _l("Indicator"), _l("Indicators"), "name", indicator_data,
        (joinedload(Indicator.territory),),
        {"name": _l("Name"), "unit": _l("Unit"), "value": _l("Value"), "year": _l("Year"),
         "territory": _l("Territory"), "source": _l("Source")}),
    "service": Kind(
        "service", Service, _l("Service"), _l("Services"), "name", service_data,
        (joinedload(Service.organization), joinedload(Service.programme), selectinload(Service.areas),
         selectinload(Service.needs), joinedload(Service.project).joinedload(ClinicalProject.establishment)),
        {"name": _l("Name"), "description": _l("Description"), "provider": _l("Provider"),
         "provider_kind": _l("Provider kind"), "programme": _l("Programme"), "areas": _l("Local areas served"),
         "capacity": _l("Capacity"), "access_conditions": _l("Access conditions"), "languages": _l("Languages"),
         "needs": _l("Needs it answers"), "listing": _l("Listing")}),
    "gap": Kind(
        "gap", Gap, _l("Gap"), _l("Gaps"), "title", gap_data,
        (joinedload(Gap.need), selectinload(Gap.services), selectinload(Gap.areas)),
        {"title": _l("Title"), "description": _l("Description"), "need": _l("Need"),
         "services": _l("Resources involved"), "dimension": _l("Dimension"), "severity": _l("Severity"),
         "evidence": _l("Evidence"), "areas": _l("Local areas")}),
    "model": Kind(
        "model", CareModel, _l("Care model"), _l("Care models"), "name", model_data,
        (selectinload(CareModel.partners), selectinload(CareModel.gaps)),
        {"kind": _l("Kind"), "name": _l("Name"), "description": _l("Description"),
         "partners": _l("Partners involved"), "origin": _l("Origin"), "gaps": _l("Gaps addressed"),
         "evidence": _l("Evidence"), "decision": _l("Decision"), "decision_reason": _l("Reason")}),
    "offer": Kind(
        "offer", OfferElement, _l("Offer element"), _l("Offer elements"), "name", offer_data,
        (selectinload(OfferElement.gaps), selectinload(OfferElement.models),
         selectinload(OfferElement.providers).joinedload(OfferProvider.organization),
         selectinload(OfferElement.providers).selectinload(OfferProvider.proposals),
         joinedload(OfferElement.project).joinedload(ClinicalProject.establishment)),
        {"name": _l("Name"), "description": _l("Description"), "gaps": _l("Gaps it answers"),
         "models": _l("Models it answers"), "providers": _l("Providers")}),
    "responsibility": Kind(
        "responsibility", CareResponsibility, _l("Responsibility"), _l("Roles and responsibilities"),
        "description", responsibility_data,
        (joinedload(CareResponsibility.offer_element),
         selectinload(CareResponsibility.assignments).joinedload(CareRoleAssignment.organization),
         joinedload(CareResponsibility.project).joinedload(ClinicalProject.establishment)),
        {"description": _l("Responsibility"), "offer": _l("Offer element"), "assignments": _l("Actors")}),
}

# Which kinds each step freezes, in display order.
STEP_KINDS: dict[int, tuple[str, ...]] = {1: ("need", "indicator"), 2: ("service",), 3: ("gap",),
                                          4: ("model",), 5: ("model",), 6: ("offer", "responsibility")}


def step_of(kind: str, item: Any = None) -> int:
    if kind == "model":
        return 4 if item is None or item.kind is ModelKind.keep else 5
    return next(n for n, kinds in STEP_KINDS.items() if kind in kinds)


def working_items(project_id: int, kind: str, step: int | None = None) -> Select:
    """The working items of `kind` in a project, eager-loaded and in their order. For care models, the
    step (4 or 5) chooses keep or add; declined inventory entries are never frozen."""
    spec = KINDS[kind]
    model = spec.model
    stmt = select(model).where(model.project_id == project_id).options(*spec.loaders)
    if kind == "model" and step in (4, 5):
        stmt = stmt.where(CareModel.kind == (ModelKind.keep if step == 4 else ModelKind.add))
    return stmt.order_by(model.position, model.id)


def group_key(kind: str, data: dict[str, Any]) -> str | None:
    """Indicators are charted together when they share name, unit and year."""
    if kind != "indicator":
        return None
    return f"{data['name']}\x1f{data['unit']}\x1f{data['year']}"[:400]


def search_text(kind: str, data: dict[str, Any]) -> tuple[str, str]:
    """(title, body) of an item for the search index."""
    spec = KINDS[kind]
    title = spec.label_of(data)
    parts: list[str] = []
    for key in spec.fields:
        value = data.get(key)
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts += [v if isinstance(v, str) else v.get("label") or v.get("name") or v.get("actor") or ""
                      for v in value]
        elif isinstance(value, dict):
            parts.append(value.get("label") or value.get("name") or "")
    return title, " ".join(p for p in parts if p)


# Display -------------------------------------------------------------------------------------------

ENUM_LABELS: dict[str, dict[str, Any]] = {
    "determinant": {d.value: DETERMINANT_LABELS[d] for d in Determinant},
    "priority": {p.value: PRIORITY_LABELS[p] for p in Level3},
    "severity": {p.value: PRIORITY_LABELS[p] for p in Level3},
    "provider_kind": {p.value: PROVIDER_KIND_LABELS[p] for p in ProviderKind},
    "listing": {p.value: LISTING_LABELS[p] for p in Listing},
    "dimension": {p.value: DIMENSION_LABELS[p] for p in Dimension},
    "kind": {p.value: MODEL_KIND_LABELS[p] for p in ModelKind},
    "decision": {p.value: DECISION_LABELS[p] for p in Decision},
    "level": {p.value: ROLE_LEVEL_LABELS[p] for p in RoleLevel},
    "parameter": {p.value: PARAMETER_LABELS[p] for p in Parameter},
}


def label(field_name: str, value: str | None) -> str:
    """The reader's-language label of a stored enum value."""
    if value is None:
        return ""
    found = ENUM_LABELS.get(field_name, {}).get(value)
    return str(found) if found is not None else value


def labels_of(*field_names: str) -> dict[str, dict[str, str]]:
    """The reader's-language labels of every value of some enum fields, translated once: a page naming
    hundreds of values looks them up instead of translating each."""
    return {name: {value: str(text) for value, text in ENUM_LABELS[name].items()} for name in field_names}


def number(value: float | int | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##")


def programme_name(value: dict[str, str] | None, lang: str) -> str:
    if not value:
        return ""
    return value["en"] if lang == "en" else value["fr"]


def display(field_name: str, value: Any, lang: str = "fr") -> str:
    """A field of a frozen item as one line of text, for the comparison page and CSV exports."""
    if value is None or value == "" or value == []:
        return ""
    if field_name in ENUM_LABELS:
        return label(field_name, value)
    if field_name == "value":
        return number(value)
    if field_name == "programme":
        return programme_name(value, lang)
    if field_name in ("areas", "territory"):
        nodes = value if isinstance(value, list) else [value]
        return "; ".join(f"{n['code']} {n['name']}" for n in nodes)
    if field_name == "providers":
        return "; ".join(p["name"] for p in value)
    if field_name == "assignments":
        return "; ".join(f"{a['actor']} ({label('level', a['level'])})" for a in value)
    if isinstance(value, list):
        return "; ".join(v if isinstance(v, str) else v.get("label", "") for v in value)
    if isinstance(value, dict):
        return value.get("label") or value.get("name") or ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)
