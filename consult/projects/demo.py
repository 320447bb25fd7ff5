"""Demo data: the standard programme-services and a complete six-step PALV clinical project for the CSSS du
Centre-Est de Montréal, built through the same services as the pages.

Idempotent: programmes are looked up by code and the project by establishment and title; what exists is
left as it is. Runs after consult.seed has created the territory, establishments, organizations and
sign-ins, and commits nothing (the caller does).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from consult.accounts.models import User
from consult.core.db import db
from consult.organizations.models import Organization
from consult.projects import services
from consult.projects.models import (
    ClinicalProject,
    Decision,
    Determinant,
    Dimension,
    Level3,
    ModelKind,
    OfferProvider,
    Parameter,
    ProjectStatus,
    ProposalAction,
    ProviderKind,
    RoleLevel,
)
from consult.territories.models import Establishment, TerritoryNode

ESTABLISHMENT = "CSSS du Centre-Est de Montréal"
TITLE = "Projet clinique PALV 2026-2029 du Centre-Est"
PLANNER = "planif@demo.consult.ca"
REPRESENTATIVE = "representant@demo.consult.ca"  # speaks for the Carrefour des aînés du Centre-Sud
CARREFOUR = "Carrefour des aînés du Centre-Sud"
POPOTE = "Popote roulante de la Petite-Bourgogne"
COOP = "Coopérative de soutien à domicile Aide-Chez-Soi (EÉSAD)"
RESIDENCE = "Résidence pour aînés Les Jardins Sainte-Marie"
NEIGHBOURHOODS = ["06111-01", "06111-02", "06112-01", "06112-02", "06113-01"]

NEEDS = [
    ("isolement", "Isolement social des aînés vivant seuls",
     "Près d'une personne de 65 ans et plus sur deux vit seule dans Centre-Sud. L'isolement augmente le "
     "risque de dépression, de chutes non signalées et d'hospitalisations évitables.",
     ["aînés vivant seuls", "hommes âgés"], Determinant.isolation, Level3.high, ["06111-01", "06112-01"],
     "Recensement 2021; consultations de la Table des aînés, 2025"),
    ("logement", "Logement abordable et adapté",
     "Les loyers augmentent plus vite que les revenus de retraite; les logements sans ascenseur empêchent "
     "le maintien à domicile.",
     ["locataires âgés", "personnes à mobilité réduite"], Determinant.housing, Level3.high,
     ["06111-01", "06111-02"], "Table de concertation en habitation, 2024"),
    ("revenu", "Revenu insuffisant des aînés",
     "Une part importante des aînés du territoire vit sous le seuil de faible revenu.",
     ["femmes âgées seules"], Determinant.income, Level3.medium, ["06111-01"], "ISQ, 2022"),
    ("domicile", "Accès aux services de soutien à domicile",
     "Les délais pour une première évaluation à domicile dépassent souvent trois mois.",
     ["aînés en perte d'autonomie", "proches aidants"], Determinant.access_to_services, Level3.high, [],
     "Tableau de bord du CSSS, 2025"),
    ("chutes", "Prévention des chutes à domicile",
     "Les chutes sont la première cause d'hospitalisation pour blessure chez les 65 ans et plus.",
     ["aînés de 75 ans et plus"], Determinant.health_status, Level3.medium, [], "INSPQ, 2023"),
    ("transport", "Transport adapté vers les services",
     "Seniors without a car struggle to reach day programmes and clinics, especially in winter.",
     ["aînés sans voiture"], Determinant.environment, Level3.low, ["06112-02", "06113-01"],
     "Public meeting, March 2025"),
]

# (name, unit, year, source, values by neighbourhood code)
INDICATORS = [
    ("Personnes de 65 ans et plus vivant seules", "%", 2021, "Statistique Canada, recensement 2021",
     [46.2, 41.8, 38.5, 33.9, 44.1]),
    ("Aînés sous le seuil de faible revenu", "%", 2021, "Statistique Canada, recensement 2021",
     [31.4, 22.7, 18.9, 15.2, 27.6]),
    ("Hospitalisations pour chute, 65 ans et plus", "pour 1 000", 2023, "MED-ÉCHO",
     [14.8, 12.1, 11.5, 9.7, 13.2]),
]


def _organization(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name == name).limit(1))


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def load(report: Any) -> None:
    """Add what is missing of the demo programmes and PALV project. `report.count(what, created)`."""
    for code, _fr, _en in services.DEFAULT_PROGRAMMES:
        report.count("programmes", services.programme_by_code(code) is None)
    services.add_default_programmes()
    establishment = db.session.scalar(select(Establishment).where(Establishment.name == ESTABLISHMENT))
    if establishment is None:
        return
    exists = db.session.scalar(select(ClinicalProject).where(ClinicalProject.establishment_id == establishment.id,
                                                             ClinicalProject.title == TITLE))
    report.count("clinical projects", exists is None)
    if exists is None:
        _build(establishment)


def _build(establishment: Establishment) -> None:
    nodes = {n.code: n for n in db.session.scalars(select(TerritoryNode))}
    planner = _user(PLANNER)
    project = services.create_project(
        establishment, services.programme_by_code("palv"), title=TITLE,
        summary="Comment répondre, d'ici 2029, aux besoins des aînés en perte d'autonomie du Centre-Est, "
                "de la prévention jusqu'à la fin de vie, avec les organismes du territoire.",
        start_date=date(2026, 1, 15), end_date=date(2029, 3, 31),
        territories=[n for n in (nodes.get("0611"),) if n is not None])
    project.status = ProjectStatus.in_progress

    # Step 1: needs and indicators; published, consolidated, then adopted (two versions to compare).
    needs = {}
    for key, title, description, groups, determinant, priority, areas, sources in NEEDS:
        needs[key] = services.save_item(project, "need", None, {
            "title": title, "description": description, "population_groups": groups,
            "areas": [nodes[c] for c in areas if c in nodes], "determinant": determinant, "priority": priority,
            "sources": sources})
    for name, unit, year, source, values in INDICATORS:
        for code, value in zip(NEIGHBOURHOODS, values, strict=True):
            if code in nodes:
                services.save_item(project, "indicator", None, {
                    "name": name, "unit": unit, "value": value, "year": year, "territory": nodes[code],
                    "source": source})
    step1 = project.step(1)
    step1.summary = ("Ce portrait réunit les besoins des aînés du territoire, y compris leurs conditions de "
                     "vie: revenu, logement, isolement.")
    services.transition(step1, "publish", planner)
    services.transition(step1, "close", planner)
    need = needs["transport"]
    services.save_item(project, "need", need, {
        "priority": Level3.medium,
        "description": need.description + " Ajout après consultation: les personnes en fauteuil roulant "
                                          "attendent souvent plus d'une heure le transport adapté."},
        need.lock_version)
    services.transition(step1, "adopt", planner)

    # Step 2: the inventory; the Carrefour confirmed (and corrected) its entry, the others have not answered.
    carrefour, coop = _organization(CARREFOUR), _organization(COOP)
    popote, residence = _organization(POPOTE), _organization(RESIDENCE)
    palv = services.programme_by_code("palv")

    def service(name, organization, kind, answers, **extra):
        values = {"name": name, "description": extra.pop("description", ""), "organization": organization,
                  "provider_kind": kind, "programme": palv, "areas": [], "capacity": extra.pop("capacity", None),
                  "access_conditions": extra.pop("access", ""), "languages": "français, anglais",
                  "needs": [needs[k] for k in answers]}
        return services.save_item(project, "service", None, values, user=planner)

    home = service("Soutien à domicile du CLSC", None, ProviderKind.public, ["domicile", "chutes"],
                   description="Soins infirmiers, aide à la personne et réadaptation à domicile.",
                   capacity="1 200 usagers par année", access="Évaluation par le guichet d'accès PALV")
    visits = service("Visites d'amitié", carrefour, ProviderKind.community, ["isolement"],
                     description="Des bénévoles visitent chaque semaine des aînés isolés.")
    service("Aide domestique", coop, ProviderKind.social_economy, ["domicile"],
                        description="Entretien ménager et préparation de repas.", capacity="300 ménages")
    service("Repas livrés à domicile", popote, ProviderKind.community, ["revenu", "isolement"],
                    description="Repas chauds à prix modique, livrés trois fois par semaine.")
    # The coop and the residence have not answered yet: their entries wait, marked as such.
    service("Unités de soins privées", residence, ProviderKind.private, ["logement"])
    representative = _user(REPRESENTATIVE)
    if visits.organization is not None and representative is not None:
        services.respond_to_service(visits, representative, "confirm", visits.lock_version, {
            "name": "Visites d'amitié et appels de bienveillance",
            "description": "Des bénévoles formés visitent ou appellent chaque semaine des aînés isolés.",
            "capacity": "85 aînés suivis", "access_conditions": "Sur simple appel ou référence du CLSC",
            "languages": "français, anglais, espagnol"})
    services.transition(project.step(2), "publish", planner)

    # Step 3: gaps on access, continuity and quality.
    def gap(title, key, dimension, severity, resources, evidence):
        return services.save_item(project, "gap", None, {
            "title": title, "description": "", "need": needs[key], "services": resources,
            "dimension": dimension, "severity": severity, "evidence": evidence, "areas": []})

    wait = gap("Délais d'accès au soutien à domicile", "domicile", Dimension.access, Level3.high, [home],
               "Délai médian de 97 jours pour une première évaluation (2025).")
    lonely = gap("Aînés isolés non rejoints", "isolement", Dimension.access, Level3.high, [visits],
                 "Les visites d'amitié ont une liste d'attente de 40 personnes.")
    handoff = gap("Rupture de suivi au retour d'hospitalisation", "chutes", Dimension.continuity,
                  Level3.medium, [home], "Un aîné sur trois n'a pas de visite dans la semaine du retour.")
    gap("Logements sans adaptation", "logement", Dimension.quality, Level3.medium, [],
        "Table de concertation en habitation, 2024.")
    services.transition(project.step(3), "publish", planner)

    # Steps 4 and 5: models to keep and to add.
    def model(kind, name, gaps, decision, origin="", reason="", partners=()):
        return services.save_item(project, "model", None, {
            "kind": kind, "name": name, "description": "", "partners": [p for p in partners if p],
            "origin": origin or None, "gaps": gaps, "evidence": "", "decision": decision,
            "decision_reason": reason})

    friendly = model(ModelKind.keep, "Réseau de visites d'amitié", [lonely], Decision.chosen,
                     "Développé d'abord par le Carrefour des aînés, en 1998", partners=[carrefour])
    model(ModelKind.keep, "Guichet d'accès PALV", [wait], Decision.chosen, "CLSC des Faubourgs")
    day = model(ModelKind.add, "Centre de jour de proximité", [lonely, handoff], Decision.chosen,
                partners=[carrefour, popote])
    model(ModelKind.add, "Télésurveillance à domicile", [handoff], Decision.set_aside,
          reason="Coût élevé et peu de données probantes pour cette population; à revoir en 2027.")
    services.transition(project.step(4), "publish", planner)
    services.transition(project.step(5), "publish", planner)

    # Step 6: offer elements, an agreement negotiated by both sides, and who does what.
    integrated = services.save_item(project, "offer", None, {
        "name": "Soutien à domicile intégré", "description": "Évaluation en 30 jours et aide domestique "
                                                             "coordonnée.",
        "gaps": [wait, handoff], "models": [], "providers": [None, coop]})
    visits_offer = services.save_item(project, "offer", None, {
        "name": "Rejoindre les aînés isolés", "description": "", "gaps": [lonely], "models": [friendly, day],
        "providers": [carrefour]})
    # With the Carrefour: the establishment proposes, the organization amends, the establishment accepts.
    link = next((p for p in visits_offer.providers if p.organization is not None), None)
    if isinstance(link, OfferProvider) and planner is not None and representative is not None:
        services.propose(link, Parameter.response_times, ProposalAction.propose,
                         "Première visite dans les 5 jours ouvrables suivant la référence.", planner,
                         "establishment", 0)
        services.propose(link, Parameter.response_times, ProposalAction.amend,
                         "Premier appel dans les 5 jours ouvrables; première visite quand un bénévole "
                         "jumelé est disponible, au plus tard en 15 jours.", representative, "organization", 1)
        services.propose(link, Parameter.response_times, ProposalAction.accept, None, planner,
                         "establishment", 2)
        services.propose(link, Parameter.information_exchange, ProposalAction.propose,
                         "Le CLSC informe le Carrefour de tout changement au plan d'intervention, avec "
                         "l'accord de la personne.", representative, "organization", 0)
    # With the coop: a first proposal of the establishment, waiting for the coop's answer.
    coop_link = next((p for p in integrated.providers if p.organization is not None), None)
    if isinstance(coop_link, OfferProvider) and planner is not None:
        services.propose(coop_link, Parameter.response_times, ProposalAction.propose,
                         "Aide domestique débutée dans les 10 jours ouvrables suivant la demande.", planner,
                         "establishment", 0)
    services.save_item(project, "responsibility", None, {
        "description": "Évaluer les besoins et ouvrir le dossier", "offer_element": integrated,
        "assignments": {RoleLevel.decides: [None], RoleLevel.carries_out: [None],
                        RoleLevel.informed: [coop]}})
    services.save_item(project, "responsibility", None, {
        "description": "Offrir l'aide domestique", "offer_element": integrated,
        "assignments": {RoleLevel.decides: [None], RoleLevel.carries_out: [coop],
                        RoleLevel.consulted: [None]}})
    services.save_item(project, "responsibility", None, {
        "description": "Recruter et former les bénévoles", "offer_element": visits_offer,
        "assignments": {RoleLevel.decides: [carrefour], RoleLevel.carries_out: [carrefour],
                        RoleLevel.informed: [None]}})
    services.transition(project.step(6), "publish", planner)
    db.session.flush()
