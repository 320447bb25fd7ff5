"""Demo data of the partnership registry, on top of consult/seed.py's organizations and sign-ins.

`load(report)` fills the demo organizations' profiles, links a coalition and a round table to their
confirmed members, and records relationships with the first Montréal establishment: one organization
holding both mission funding (PSOC) and a service agreement, with both sides' judgements; one that
declined partnership; a social-economy enterprise that is only a service provider; a coalition; a
users' committee; and a handover between two planners (a manager replaced mid-process).

Idempotent like the seed: every row is looked up by its natural key (organization name, e-mail address,
establishment and organization pair, handover date) and created only when missing; what exists is left
as it is. Relationships go through the registry's services, so their history reads like real use.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from consult.accounts.models import User
from consult.accounts.services import find_by_email
from consult.core.db import db, now_utc
from consult.organizations import registry
from consult.organizations.models import (
    CONDITIONS,
    CoalitionMembership,
    CoalitionStatus,
    Handover,
    Instrument,
    Lead,
    Organization,
    OrganizationProgramme,
    Parties,
    PartnershipType,
    Quality,
    Relationship,
    RelationshipCategory,
    RulesOrigin,
    Sector,
    Side,
    Stance,
)
from consult.territories.models import Establishment, TerritoryNode

CARREFOUR = "Carrefour des aînés du Centre-Sud"
CDC = "Corporation de développement communautaire du Centre-Est"
POPOTE = "Popote roulante de la Petite-Bourgogne"
EESAD = "Coopérative de soutien à domicile Aide-Chez-Soi (EÉSAD)"
RESIDENCE = "Résidence pour aînés Les Jardins Sainte-Marie"
USERS_COMMITTEE = "Comité des usagers du CSSS du Centre-Est"
REPIT = "Répit Proches aidants du Canal"
HOUSING_TABLE = "Table de concertation en habitation du Sud-Ouest"

PLANNER = "planif@demo.consult.ca"
NEXT_PLANNER = "planif2@demo.consult.ca"
REPRESENTATIVE = "representant@demo.consult.ca"
COALITION_REPRESENTATIVE = "coalition@demo.consult.ca"
ADMIN = "admin@demo.consult.ca"

# name → profile fields (territory codes and programme codes); filled only while the mission is empty.
PROFILES: dict[str, dict[str, Any]] = {
    CARREFOUR: {
        "legal_name": "Carrefour des aînés du Centre-Sud inc.", "neq": "1141234567",
        "mission": "Briser l'isolement des personnes aînées du Centre-Sud et les soutenir pour qu'elles "
                   "vivent chez elles le plus longtemps possible : visites d'amitié, accompagnement-transport, "
                   "cafés-rencontres.\n\nNous sommes un organisme d'action communautaire autonome, géré par "
                   "et pour les aînés du quartier.",
        "territories": ["06111-01", "06111-02"], "programmes": ["palv"],
        "contact_email": "info@carrefour-aines.example", "contact_phone": "514 555-0142",
        "website": "https://carrefour-aines.example"},
    "Répit Proches aidants du Canal": {
        "mission": "Offrir du répit et du soutien aux proches aidants d'aînés du Sud-Ouest.",
        "territories": ["06121", "06122", "06123"], "programmes": ["palv", "mental_health"]},
    "Entraide Le Fjord": {
        "mission": "Entraide, dépannage et accompagnement des familles et des aînés du Fjord.",
        "territories": ["02212"], "programmes": ["palv", "general_services"]},
    POPOTE: {
        "mission": "Livrer des repas chauds, préparés par des bénévoles, aux personnes en perte d'autonomie.",
        "territories": ["06121-02", "06111-01"], "programmes": ["palv"],
        "contact_phone": "514 555-0177"},
    EESAD: {
        "legal_name": "Coopérative de solidarité Aide-Chez-Soi", "neq": "1169876543",
        "mission": "Entreprise d'économie sociale en aide à domicile : entretien ménager, préparation de repas, "
                   "répit.", "territories": ["0611", "0612"], "programmes": ["palv", "physical_disability"]},
    RESIDENCE: {
        "mission": "Résidence privée pour aînés autonomes et semi-autonomes (120 unités).",
        "territories": ["06111"], "programmes": ["palv"]},
    "Centre de réadaptation Le Phare": {
        "mission": "Services de réadaptation en déficience physique.", "territories": ["06"],
        "programmes": ["physical_disability"]},
    "Municipalité de Lac-des-Aulnes": {
        "mission": "Municipality services, recreation and community life.", "territories": ["94255"],
        "programmes": ["public_health"]},
    "Centre de services scolaire des Rives-du-Fjord": {
        "mission": "Éducation primaire et secondaire, formation des adultes.", "territories": ["0221"],
        "programmes": ["youth"]},
    CDC: {
        "mission": "Regrouper les organismes communautaires du Centre-Est pour le développement social du "
                   "territoire et la reconnaissance de l'action communautaire autonome.",
        "territories": ["0611"], "programmes": ["palv", "mental_health", "youth", "general_services"],
        "contact_email": "cdc@cdc-centre-est.example"},
    HOUSING_TABLE: {
        "mission": "Table multipartite sur le logement social et l'habitation des aînés du Sud-Ouest.",
        "territories": ["0612"], "programmes": ["palv", "mental_health"]},
    USERS_COMMITTEE: {
        "mission": "Défendre les droits des usagers du CSSS et veiller à la qualité des services.",
        "territories": ["0611"], "programmes": ["palv", "mental_health", "physical_health"]},
}

ALL_CONDITIONS = dict.fromkeys(CONDITIONS, True)


def _first_montreal_establishment() -> Establishment | None:
    return db.session.scalar(select(Establishment).join(Establishment.region)
                             .where(TerritoryNode.code == "06").order_by(Establishment.id).limit(1))


def _organization(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name == name).limit(1))


def _fill_profiles(report) -> None:
    for name, profile in PROFILES.items():
        organization = _organization(name)
        if organization is None:
            continue
        empty = organization.mission is None
        report.count("organization profiles", empty)
        if not empty:
            continue
        organization.mission = profile["mission"]
        for key in ("legal_name", "neq", "contact_email", "contact_phone", "website"):
            if profile.get(key):
                setattr(organization, key, profile[key])
        codes = profile.get("territories", [])
        organization.territories = list(db.session.scalars(
            select(TerritoryNode).where(TerritoryNode.code.in_(codes)).order_by(TerritoryNode.code)))
        organization.programmes = [OrganizationProgramme(programme_code=c) for c in profile.get("programmes", [])]
    db.session.flush()


def _coalition(report, coalition_name: str, confirmed: list[str], pending: list[str],
               listed_by: User | None) -> None:
    coalition = _organization(coalition_name)
    if coalition is None:
        return
    for names, status in ((confirmed, CoalitionStatus.confirmed), (pending, CoalitionStatus.pending)):
        for name in names:
            member = _organization(name)
            if member is None:
                continue
            link = db.session.scalar(select(CoalitionMembership).filter_by(coalition_id=coalition.id,
                                                                           member_id=member.id))
            report.count("coalition members", link is None)
            if link is None:
                db.session.add(CoalitionMembership(
                    coalition=coalition, member=member, status=status,
                    listed_by_id=listed_by.id if listed_by else None,
                    answered_at=now_utc() if status is CoalitionStatus.confirmed else None))
    db.session.flush()


def _relationship(report, establishment: Establishment, name: str, opener: User | None,
                  side: Side) -> Relationship | None:
    """A new record for the pair, or None when it exists already (left as it is) or the organization is
    missing."""
    organization = _organization(name)
    if organization is None:
        return None
    existing = registry.find_relationship(establishment, organization)
    report.count("relationships", existing is None)
    if existing is not None:
        return None
    relationship, _created = registry.open_relationship(establishment, organization, opener, side)  # type: ignore[arg-type]
    return relationship


def _conditions(**overrides: bool) -> dict[str, bool]:
    return {**ALL_CONDITIONS, **overrides}


def load(report) -> None:
    establishment = _first_montreal_establishment()
    if establishment is None:
        return
    people = {email: find_by_email(email) for email in (PLANNER, NEXT_PLANNER, REPRESENTATIVE,
                                                        COALITION_REPRESENTATIVE, ADMIN)}
    planner, next_planner = people[PLANNER], people[NEXT_PLANNER]
    representative, coalition_rep = people[REPRESENTATIVE], people[COALITION_REPRESENTATIVE]
    _fill_profiles(report)

    # A coalition with confirmed members (and one waiting), and a round table.
    _coalition(report, CDC, [CARREFOUR, POPOTE, EESAD], [RESIDENCE], coalition_rep)
    _coalition(report, HOUSING_TABLE, [POPOTE, REPIT], [], None)

    # Both registers for one organization, judged by both sides, with its representative's stance.
    carrefour = _relationship(report, establishment, CARREFOUR, planner, Side.establishment)
    if carrefour is not None and planner is not None and representative is not None:
        registry.describe(carrefour, registry.Description(
            category=RelationshipCategory.partnership, conditions=_conditions(),
            partnership_type=PartnershipType.operational_programme, parties=Parties.bilateral,
            sector=Sector.intrasectoral, instruments=(Instrument.signed_protocol, Instrument.service_agreement),
            rules_origin=RulesOrigin.built_by_parties, lead=Lead.shared), planner, Side.establishment)
        registry.set_stance(carrefour, Stance.both, "Partenaire pour le PALV, et fournisseur de services pour "
                            "l'accompagnement-transport, sous une entente distincte.", representative)
        registry.save_mission_funding(carrefour, None, programme="PSOC", amount_cents=9_250_000,
                                      starts_on=date(2024, 4, 1), ends_on=date(2025, 3, 31),
                                      note="Soutien à la mission globale.", actor=planner)
        agreement = registry.save_service_agreement(
            carrefour, None, title="Accompagnement-transport des aînés (PALV)", amount_cents=3_800_000,
            starts_on=date(2024, 4, 1), ends_on=date(2025, 3, 31),
            services="Accompagnement-transport vers les rendez-vous médicaux : 1 200 déplacements par année.\n"
                     "Appels d'amitié hebdomadaires à 60 personnes aînées isolées.",
            note=None, actor=planner)
        done = registry.add_accountability_item(agreement, "Nombre de déplacements effectués, par trimestre",
                                                date(2024, 10, 15), planner)
        registry.add_accountability_item(agreement, "Rapport annuel d'activités de l'entente",
                                         date(2025, 5, 31), planner)
        registry.mark_reported(done, representative)
        registry.set_judgement(carrefour, Side.establishment, Quality.balanced,
                               "Une collaboration solide; les rôles restent à préciser pour le soutien à domicile.",
                               planner)
        registry.set_judgement(carrefour, Side.organization, Quality.cooperative,
                               "On nous consulte, mais les décisions sur l'entente se prennent encore surtout au "
                               "CSSS.", representative)

    # Declined partnership: a right, without consequence. No representative account in the demo, so the
    # stance is recorded as the organization's without a named person.
    popote = _relationship(report, establishment, POPOTE, planner, Side.establishment)
    if popote is not None and planner is not None:
        registry.describe(popote, registry.Description(
            category=RelationshipCategory.concertation,
            conditions=_conditions(cond_structured=False, cond_agreed_process=False)), planner, Side.establishment)
        popote.stance = Stance.neither
        popote.stance_note = ("Nous participons volontiers à la table de concertation, mais nous ne souhaitons "
                              "être ni partenaire du CSSS ni fournisseur de services.")
        popote.stance_set_at = now_utc()
        db.session.add(popote)
        db.session.flush()
        registry.set_judgement(popote, Side.establishment, Quality.cooperative, None, planner)

    # Only a service provider: a contract without partnership.
    eesad = _relationship(report, establishment, EESAD, planner, Side.establishment)
    if eesad is not None and planner is not None:
        registry.describe(eesad, registry.Description(
            category=RelationshipCategory.collaboration,
            conditions=_conditions(cond_agreed_process=False)), planner, Side.establishment)
        eesad.stance = Stance.service_provider
        eesad.stance_set_at = now_utc()
        agreement = registry.save_service_agreement(
            eesad, None, title="Aide à domicile : entretien ménager et repas", amount_cents=12_000_000,
            starts_on=date(2024, 4, 1), ends_on=date(2026, 3, 31),
            services="Entretien ménager léger et préparation de repas pour 150 usagers du PALV.", note=None,
            actor=planner)
        registry.add_accountability_item(agreement, "Heures de service rendues par usager, chaque mois",
                                         None, planner)

    # The coalition: a territorial partnership, its own judgement recorded by its representative.
    cdc = _relationship(report, establishment, CDC, coalition_rep, Side.organization)
    if cdc is not None and planner is not None and coalition_rep is not None:
        registry.describe(cdc, registry.Description(
            category=RelationshipCategory.partnership, conditions=_conditions(),
            partnership_type=PartnershipType.operational_territory, parties=Parties.multilateral,
            sector=Sector.intersectoral, instruments=(Instrument.signed_protocol,),
            rules_origin=RulesOrigin.built_by_parties, lead=Lead.shared), planner, Side.establishment)
        registry.set_stance(cdc, Stance.partner, "Nous tenons à participer à la rédaction du projet clinique, "
                            "pas seulement à sa mise en œuvre.", coalition_rep)
        registry.set_judgement(cdc, Side.organization, Quality.balanced,
                               "Les organismes ont été associés dès l'étape du portrait.", coalition_rep)
        organization = cdc.organization
        organization.relationships_public = True

    # The users' committee: regular concertation.
    committee = _relationship(report, establishment, USERS_COMMITTEE, planner, Side.establishment)
    if committee is not None and planner is not None:
        registry.describe(committee, registry.Description(
            category=RelationshipCategory.concertation,
            conditions=_conditions(cond_structured=True, cond_services_purpose=True)), planner,
            Side.establishment)

    # A manager replaced mid-process: the relationships stay with the establishment.
    if planner is not None and next_planner is not None:
        on = date(2025, 1, 13)
        exists = db.session.scalar(select(Handover).filter_by(
            establishment_id=establishment.id, from_user_id=planner.id, to_user_id=next_planner.id,
            handed_over_on=on))
        report.count("handovers", exists is None)
        if exists is None:
            db.session.add(Handover(
                establishment_id=establishment.id, from_user_id=planner.id, to_user_id=next_planner.id,
                handed_over_on=on, recorded_by_id=people[ADMIN].id if people[ADMIN] else planner.id,
                note="Geneviève part en congé de maternité. Martin reprend le suivi des ententes (Carrefour, "
                     "Aide-Chez-Soi) et la démarche PALV; l'historique de chaque relation est dans son dossier."))
    db.session.flush()
