"""A clinical project at the scale of issue 3 (200 needs, 2,000 indicators, 1,000 services), with its gaps,
care models, offer elements, agreement proposals and roles, all six steps published and the needs
portrait revised once (so that two versions can be compared).

It is a second project of the scale establishment: the round project keeps the 60 needs its 50,000
comments and 1,500 briefs are spread over. Rows go in with bulk INSERTs and explicit ids, so the link
tables can be written in bulk too; a seeded generator makes two runs identical. `build` only fills the
working copy, which the query-count tests use at small sizes; `publish` freezes the versions.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update

from consult.core.db import db, now_utc
from consult.projects import search
from consult.projects import services as projects
from consult.projects.models import (
    AgreementProposal,
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
    StepVersion,
    VersionItem,
    gap_areas,
    gap_services,
    model_gaps,
    model_partners,
    need_areas,
    offer_gaps,
    offer_models,
    service_areas,
    service_needs,
)
from consult.sampledata import texts
from consult.territories.models import TerritoryNode

# Charted together by (name, unit, year): one bar per local area.
INDICATOR_NAMES = [
    "Personnes de 65 ans et plus vivant seules", "Ménages consacrant 30 % ou plus de leur revenu au logement",
    "Personnes à faible revenu", "Aînés ayant un médecin de famille", "Proches aidants se disant épuisés",
    "Personnes sans diplôme d'études secondaires", "Aînés déclarant un faible sentiment d'appartenance",
    "Hospitalisations évitables chez les 65 ans et plus", "Personnes ayant des besoins de soutien à domicile",
    "Ménages sans voiture", "Personnes ne parlant ni français ni anglais", "Aînés sans accès à Internet",
]
SERVICE_KINDS = ["Popote roulante", "Visites d'amitié", "Transport-accompagnement", "Répit aux proches aidants",
                 "Centre de jour", "Aide à domicile", "Clinique de proximité", "Soutien téléphonique",
                 "Cuisine collective", "Accompagnement en santé mentale", "Logement communautaire",
                 "Interprétariat", "Halte-répit", "Travail de milieu auprès des aînés"]
MODEL_NAMES = ["Travailleurs de milieu auprès des aînés isolés", "Guichet d'accès unique", "Répit de fin de semaine",
               "Gestion de cas partagée", "Navette vers les cliniques", "Repas livrés et vigilance",
               "Équipe mobile en santé mentale", "Interprètes communautaires", "Cafés-rencontres de quartier",
               "Suivi téléphonique après l'hospitalisation"]
DUTIES = ["Repérer les personnes à rejoindre", "Évaluer les besoins à domicile", "Coordonner les interventions",
          "Offrir le service", "Assurer le suivi des dossiers", "Rendre compte de la qualité"]
GAP_WORDS = ["d'accès", "de continuité", "de qualité"]  # by dimension, in the order of Dimension
GROUPS = ["aînés", "proches aidants", "personnes seules", "personnes immigrantes", "personnes à faible revenu"]
SEARCH_WORD = "isolement"  # a word found in a tenth of the needs and in many descriptions
ADDED_NEEDS = 3  # needs added between the consultation and the adoption of the needs portrait


@dataclass(frozen=True)
class Workspace:
    needs: int
    indicators: int
    services: int
    gaps: int
    models: int
    offers: int
    responsibilities: int
    indicator_areas: int = 20  # bars per indicator chart


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def _next_id(model: Any) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _bulk(table: Any, rows: list[dict[str, Any]], chunk: int = 5_000) -> None:
    for start in range(0, len(rows), chunk):
        db.session.execute(insert(table), rows[start:start + chunk])


def _sync_sequences(*models: Any) -> None:
    """Rows inserted with explicit ids leave PostgreSQL's sequences behind; move them past."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def _capital(value: str) -> str:
    return value[:1].upper() + value[1:]


def build(project: ClinicalProject, size: Workspace, rng: random.Random, areas: list[TerritoryNode],
          organization_ids: list[int]) -> dict[str, int]:
    """Fill the working copy of `project`: every step, with links between them and loose ends (about one
    need in ten without a gap analysis, gaps without a model, offer elements without a responsible
    actor), as a coverage report would find them. Returns the rows created, by kind."""
    now = now_utc()
    common = {"project_id": project.id, "lock_version": 1, "created_at": now, "updated_at": now}
    area_ids = [a.id for a in areas]
    organization_ids = organization_ids or [None]  # type: ignore[list-item]

    # Step 1: needs (with their local areas) and indicators, a chart's worth of local areas per group.
    first_need = _next_id(Need)
    need_ids = list(range(first_need, first_need + size.needs))
    determinants, levels = list(Determinant), list(Level3)
    needs, links = [], []
    for n, need_id in enumerate(need_ids):
        topic, _ask = texts.TOPICS_FR[n % len(texts.TOPICS_FR)]
        needs.append({**common, "id": need_id, "uid": _uid(rng), "position": n + 1,
                      "title": f"{_capital(topic)} — {texts.AREAS[(n // 10) % 10]} ({n + 1})",
                      "description": texts.comment(rng), "population_groups": rng.sample(GROUPS, 2),
                      "determinant": determinants[n % len(determinants)], "priority": levels[n % 3],
                      "sources": "Données générées"})
        links += [{"need_id": need_id, "territory_id": a} for a in rng.sample(area_ids, min(2, len(area_ids)))]
    _bulk(Need.__table__, needs)
    _bulk(need_areas, links)

    per_group = min(size.indicator_areas, len(area_ids))
    indicators = []
    for n in range(size.indicators):
        group = n // per_group
        indicators.append({**common, "uid": _uid(rng), "position": n + 1,
                           "name": INDICATOR_NAMES[group % len(INDICATOR_NAMES)], "unit": "%",
                           "value": round(rng.uniform(1, 60), 1), "year": 2016 + group // len(INDICATOR_NAMES),
                           "territory_id": area_ids[(group + n % per_group) % len(area_ids)],
                           "source": "Données générées"})
    _bulk(Indicator.__table__, indicators)

    # Step 2: services, a fifth of them the establishment's own; the others proposed to, confirmed or
    # declined by their organization.
    first_service = _next_id(Service)
    service_ids = list(range(first_service, first_service + size.services))
    services, links, answers = [], [], []
    answering: dict[int, list[int]] = {}
    kinds = [ProviderKind.community, ProviderKind.community, ProviderKind.social_economy, ProviderKind.private]
    for n, service_id in enumerate(service_ids):
        own = n % 5 == 0
        listing = Listing.own if own else rng.choices([Listing.confirmed, Listing.proposed, Listing.declined],
                                                      [6, 3, 1])[0]
        services.append({**common, "id": service_id, "uid": _uid(rng), "position": n + 1,
                         "name": f"{SERVICE_KINDS[n % len(SERVICE_KINDS)]} — {texts.AREAS[n % 10]} ({n + 1})",
                         "description": texts.comment(rng),
                         "organization_id": None if own else organization_ids[n % len(organization_ids)],
                         "provider_kind": ProviderKind.public if own else kinds[n % len(kinds)],
                         "programme_id": project.programme_id, "capacity": f"{rng.randint(1, 40) * 5} places",
                         "access_conditions": "Sur référence ou sans rendez-vous", "languages": "français, anglais",
                         "listing": listing})
        links += [{"service_id": service_id, "territory_id": a} for a in rng.sample(area_ids, min(2, len(area_ids)))]
        for need_id in rng.sample(need_ids, min(rng.randint(1, 3), len(need_ids))):
            answers.append({"service_id": service_id, "need_id": need_id})
            answering.setdefault(need_id, []).append(service_id)
    _bulk(Service.__table__, services)
    _bulk(service_areas, links)
    _bulk(service_needs, answers)

    # Step 3: gaps on nine needs in ten, each naming services that answer its need.
    analysed = need_ids[:max(1, size.needs * 9 // 10)] if need_ids else []
    first_gap = _next_id(Gap)
    gap_ids = list(range(first_gap, first_gap + (size.gaps if analysed else 0)))
    dimensions = list(Dimension)
    gaps, involved, places = [], [], []
    for n, gap_id in enumerate(gap_ids):
        need_id = analysed[n % len(analysed)]
        dimension = dimensions[n % 3]
        topic = texts.TOPICS_FR[(need_id - first_need) % len(texts.TOPICS_FR)][0]
        gaps.append({**common, "id": gap_id, "uid": _uid(rng), "position": n + 1, "need_id": need_id,
                     "title": f"Écart {GAP_WORDS[n % 3]} : {topic} ({n + 1})",
                     "description": texts.comment(rng), "dimension": dimension, "severity": levels[(n + 1) % 3],
                     "evidence": "Listes d'attente et témoignages"})
        candidates = answering.get(need_id) or service_ids
        involved += [{"gap_id": gap_id, "service_id": s}
                     for s in rng.sample(candidates, min(rng.randint(1, 3), len(candidates)))]
        places.append({"gap_id": gap_id, "territory_id": rng.choice(area_ids)})
    _bulk(Gap.__table__, gaps)
    _bulk(gap_services, involved)
    _bulk(gap_areas, places)

    # Steps 4 and 5: half the models to keep, half to add; nine gaps in ten are addressed.
    first_model = _next_id(CareModel)
    model_ids = list(range(first_model, first_model + size.models))
    addressed = gap_ids[:len(gap_ids) * 9 // 10]
    decisions = [Decision.chosen, Decision.chosen, Decision.proposed, Decision.set_aside]
    models, addresses, partners = [], [], []
    for n, model_id in enumerate(model_ids):
        decision = decisions[n % len(decisions)]
        models.append({**common, "id": model_id, "uid": _uid(rng), "position": n + 1,
                       "kind": ModelKind.keep if n < size.models // 2 else ModelKind.add,
                       "name": f"{MODEL_NAMES[n % len(MODEL_NAMES)]} ({n + 1})", "description": texts.comment(rng),
                       "origin": "Organisme communautaire du territoire" if n % 3 == 0 else None,
                       "evidence": "Évaluation de 2022", "decision": decision,
                       "decision_reason": "Hors du budget de la période" if decision is Decision.set_aside else None})
        chosen = set(addressed[n::len(model_ids)])
        chosen |= set(rng.sample(addressed, min(1, len(addressed))))
        addresses += [{"care_model_id": model_id, "gap_id": g} for g in sorted(chosen)]
        if organization_ids[0] is not None:
            partners += [{"care_model_id": model_id, "organization_id": o}
                         for o in rng.sample(organization_ids, min(n % 3, len(organization_ids)))]
    _bulk(CareModel.__table__, models)
    _bulk(model_gaps, addresses)
    _bulk(model_partners, partners)

    # Step 6: offer elements answering gaps and models, their providers (the establishment and an
    # organization), a few agreement proposals, and responsibilities on nine offer elements in ten.
    first_offer = _next_id(OfferElement)
    offer_ids = list(range(first_offer, first_offer + size.offers))
    first_provider = _next_id(OfferProvider)
    offers, answered_gaps, answered_models, providers, proposals = [], [], [], [], []
    parameters = list(Parameter)
    for n, offer_id in enumerate(offer_ids):
        offers.append({**common, "id": offer_id, "uid": _uid(rng), "position": n + 1,
                       "name": f"{SERVICE_KINDS[(n * 3) % len(SERVICE_KINDS)]} intégré ({n + 1})",
                       "description": texts.comment(rng)})
        answered_gaps += [{"offer_element_id": offer_id, "gap_id": g}
                          for g in rng.sample(gap_ids, min(rng.randint(1, 3), len(gap_ids)))]
        answered_models += [{"offer_element_id": offer_id, "care_model_id": m}
                            for m in rng.sample(model_ids, min(rng.randint(0, 2), len(model_ids)))]
        partners_of = [None] + ([organization_ids[n % len(organization_ids)]]
                                if n % 10 < 7 and organization_ids[0] is not None else [])
        for organization_id in partners_of:
            provider_id = first_provider + len(providers)
            providers.append({"id": provider_id, "offer_element_id": offer_id, "organization_id": organization_id})
            if organization_id is not None and n % 3 == 0:
                parameter = parameters[n % len(parameters)]
                sides = ["establishment", "organization", "establishment"][:rng.randint(1, 3)]
                for revision, side in enumerate(sides, start=1):
                    action = (ProposalAction.propose if revision == 1 else ProposalAction.accept
                              if revision == 3 else ProposalAction.amend)
                    proposals.append({"provider_id": provider_id, "parameter": parameter, "revision": revision,
                                      "action": action, "side": side, "created_at": now,
                                      "text": f"Réponse en {rng.choice([24, 48, 72])} heures, version {revision}."})
    _bulk(OfferElement.__table__, offers)
    _bulk(offer_gaps, answered_gaps)
    _bulk(offer_models, answered_models)
    _bulk(OfferProvider.__table__, providers)
    _bulk(AgreementProposal.__table__, proposals)

    staffed = offer_ids[:max(1, len(offer_ids) * 9 // 10)] if offer_ids else []
    first_duty = _next_id(CareResponsibility)
    duties, assignments = [], []
    for n in range(size.responsibilities if staffed else 0):
        duty_id = first_duty + n
        duties.append({**common, "id": duty_id, "uid": _uid(rng), "position": n + 1,
                       "offer_element_id": staffed[n % len(staffed)],
                       "description": f"{DUTIES[n % len(DUTIES)]} ({n + 1})"})
        actors = [(None, RoleLevel.decides), (None, RoleLevel.informed)]
        if organization_ids[0] is not None:
            actors += [(organization_ids[(n * 7) % len(organization_ids)], RoleLevel.carries_out),
                       (organization_ids[(n * 11 + 1) % len(organization_ids)], RoleLevel.consulted)]
        assignments += [{"responsibility_id": duty_id, "organization_id": o, "level": level}
                        for o, level in dict.fromkeys(actors)]
    _bulk(CareResponsibility.__table__, duties)
    _bulk(CareRoleAssignment.__table__, assignments)

    _sync_sequences(Need, Service, Gap, CareModel, OfferElement, OfferProvider, CareResponsibility)
    db.session.flush()
    db.session.expire_all()
    return {"needs": len(needs), "indicators": len(indicators), "services": len(services), "gaps": len(gaps),
            "models": len(models), "offer elements": len(offers), "responsibilities": len(duties),
            "agreement proposals": len(proposals)}


def _revise_needs_portrait(project: ClinicalProject, rng: random.Random) -> None:
    """What a planner does between the consultation and adoption: reprioritize some needs, correct some
    indicator values, drop a few indicators and add a few needs."""
    now = now_utc()
    needs = list(db.session.execute(select(Need.id, Need.priority).where(Need.project_id == project.id)
                                    .order_by(Need.position)))
    changed = [{"b_id": need_id, "b_priority": Level3.high if priority is not Level3.high else Level3.medium}
               for need_id, priority in needs[::7]]
    if changed:
        db.session.execute(update(Need.__table__).where(Need.__table__.c.id == bindparam("b_id"))
                           .values(priority=bindparam("b_priority"), updated_at=now), changed)
    indicators = list(db.session.scalars(select(Indicator.id).where(Indicator.project_id == project.id)
                                         .order_by(Indicator.position)))
    corrected = [{"b_id": i, "b_value": round(rng.uniform(1, 60), 1)} for i in indicators[::13]]
    if corrected:
        db.session.execute(update(Indicator.__table__).where(Indicator.__table__.c.id == bindparam("b_id"))
                           .values(value=bindparam("b_value"), updated_at=now), corrected)
    dropped = indicators[5::97]
    if dropped:
        db.session.execute(delete(Indicator).where(Indicator.id.in_(dropped)))
    position = len(needs)
    for n in range(ADDED_NEEDS):
        projects.save_item(project, "need", None, {
            "uid": _uid(rng),  # as every other row: two runs give the same data
            "title": f"Besoin ajouté après la consultation : {texts.TOPICS_FR[n][0]} ({position + n + 1})",
            "description": texts.comment(rng), "population_groups": ["aînés"], "areas": [],
            "determinant": Determinant.isolation, "priority": Level3.high, "sources": "Consultation"})
    db.session.flush()
    db.session.expire_all()


def publish(project: ClinicalProject, rng: random.Random) -> dict[int, StepVersion]:
    """Publish the six steps; revise and adopt the needs portrait (version 2). The working copy's search
    entries are written from the frozen text, which is the working text at this point."""
    for number in range(1, 7):
        projects.transition(project.step(number), "publish", None)
    db.session.flush()
    _revise_needs_portrait(project, rng)
    project = db.session.get(ClinicalProject, project.id)  # type: ignore[assignment]
    for action in ("close", "adopt"):
        projects.transition(project.step(1), action, None)
    db.session.flush()
    latest = {s.number: db.session.get(StepVersion, s.latest_version_id) for s in project.steps}
    projects.purge_working_index(project.id)
    rows = db.session.execute(select(VersionItem.kind, VersionItem.uid, VersionItem.data).where(
        VersionItem.version_id.in_([v.id for v in latest.values()])))
    search.index_version(project.id, None, [(kind, uid, data) for kind, uid, data in rows])  # type: ignore[arg-type]
    db.session.flush()
    return latest  # type: ignore[return-value]


def pages(project: ClinicalProject, latest: dict[int, StepVersion]) -> list[tuple[str, str, bool]]:
    """(name, path, planner only) of the workspace pages a benchmark loads."""
    base = f"/projects/{project.id}"
    found = [("project", base, False)]
    for number, version in sorted(latest.items()):
        found.append((f"step {number} published version {version.number}",
                      f"{base}/steps/{number}/versions/{version.number}", False))
    found += [
        ("indicator charts published", f"{base}/steps/1/versions/{latest[1].number}?kind=indicator", False),
        ("working copy needs", f"{base}/work/need", True),
        ("working copy indicators", f"{base}/work/indicator", True),
        ("working copy services", f"{base}/work/service", True),
        ("working copy indicator charts", f"{base}/work/indicator?view=charts", True),
        ("traceability", f"{base}/traceability", False),
        ("coverage", f"{base}/coverage", False),
        ("needs x resources grid", f"{base}/grid", False),
        ("roles matrix", f"{base}/roles", False),
        ("version compare", f"{base}/steps/1/compare", False),
        (f"search {SEARCH_WORD}", f"{base}/search?q={SEARCH_WORD}", False),
        ("traceability working copy", f"{base}/traceability", True),
        ("coverage working copy", f"{base}/coverage", True),
        ("needs x resources grid working copy", f"{base}/grid", True),
        ("roles matrix working copy", f"{base}/roles", True),
        (f"search {SEARCH_WORD} working copy", f"{base}/search?q={SEARCH_WORD}", True),
    ]
    return found


def report_pages(project: ClinicalProject, latest: dict[int, StepVersion], planner: str,
                 report: Callable[[str], Any]) -> None:
    """One line per page, `Workspace page: <name>: <path>`; pages for planners end their name with
    "(planner)" and need the sign-in printed on the line before."""
    report(f"Workspace project {project.id}; planner pages need the sign-in: {planner}")
    for name, path, planner_only in pages(project, latest):
        report(f"Workspace page: {name}{' (planner)' if planner_only else ''}: {path}")
