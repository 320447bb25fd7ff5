"""Demo data: an open consultation round on the PALV project's needs portrait, with its mandate, guiding
questions in French, and an invitation list where some organizations and the establishment took part and
the others have not answered yet.

Idempotent: the round is looked up by project and title and created only when missing; what exists is
left as it is. Runs after consult.projects.demo and consult.organizations.demo and commits nothing.
Rows are written directly, dated as if the round had opened ten days ago (through the services, the
opening would be dated today and the demo organizations would be e-mailed while seeding).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.organizations.models import Organization
from consult.projects import demo as projects_demo
from consult.projects.models import ClinicalProject
from consult.rounds.models import (
    Audience,
    ConsultationRound,
    GuidingQuestion,
    InvitationState,
    ParticipationLevel,
    RoundEvent,
    RoundInvitation,
    RoundState,
)
from consult.territories.models import Establishment

TITLE = "Portrait des besoins — consultation d'automne 2026"
PLANNER = "planif@demo.consult.ca"

MANDATE = """\
Le CSSS du Centre-Est vous consulte sur son **portrait des besoins** des aînés en perte d'autonomie.

**Ce que nous vous demandons.** Le portrait reflète-t-il ce que vivent les aînés du territoire et leurs
proches? Quels besoins manquent, lesquels sont mal décrits, lesquels devraient passer en priorité?

**Ce qui se décide ailleurs.** Les budgets du programme PALV sont fixés par le ministère et ne sont pas
en jeu dans cette consultation.

**Ce que nous nous engageons à faire.** Chaque mémoire, chaque commentaire et chaque besoin proposé
recevra une réponse motivée : retenu, retenu en partie, non retenu ou hors mandat. Les réponses seront
publiées dans la page « Ce que nous avons entendu, ce que nous en avons fait »."""

QUESTIONS = [
    "Le portrait décrit-il bien la réalité des aînés de votre quartier? Qu'est-ce qui manque?",
    "Parmi les besoins décrits, lesquels devraient être traités en priorité, et pourquoi?",
    "Quelles conditions de vie (revenu, logement, isolement) pèsent le plus sur l'autonomie des aînés que "
    "vous connaissez?",
    "Quels groupes d'aînés risquent d'être oubliés : hommes seuls, personnes immigrantes, proches aidants?",
]

CARREFOUR = "Carrefour des aînés du Centre-Sud"
CDC = "Corporation de développement communautaire du Centre-Est"
# (organization, state, days ago it answered). Only organizations with a representative account in the
# demo have answered (an answer is always a representative's); the others have not answered yet.
INVITED: list[tuple[str, InvitationState, int | None]] = [
    (CARREFOUR, InvitationState.took_part, 8),
    (CDC, InvitationState.took_part, 7),
    ("Popote roulante de la Petite-Bourgogne", InvitationState.invited, None),
    ("Coopérative de soutien à domicile Aide-Chez-Soi (EÉSAD)", InvitationState.invited, None),
    ("Résidence pour aînés Les Jardins Sainte-Marie", InvitationState.invited, None),
    ("Comité des usagers du CSSS du Centre-Est", InvitationState.invited, None),
    ("Répit Proches aidants du Canal", InvitationState.invited, None),
    ("Table de concertation en habitation du Sud-Ouest", InvitationState.invited, None),
]


def _project() -> ClinicalProject | None:
    establishment = db.session.scalar(select(Establishment).where(Establishment.name == projects_demo.ESTABLISHMENT))
    if establishment is None:
        return None
    return db.session.scalar(select(ClinicalProject).where(ClinicalProject.establishment_id == establishment.id,
                                                           ClinicalProject.title == projects_demo.TITLE))


def load(report: Any) -> None:
    """Add the demo round if it is missing. `report.count(what, created)`."""
    project = _project()
    if project is None:
        return
    step = project.step(1)
    if step.latest_version is None:
        return
    exists = db.session.scalar(select(ConsultationRound).where(ConsultationRound.project_id == project.id,
                                                               ConsultationRound.title == TITLE))
    report.count("consultation rounds", exists is None)
    if exists is None:
        _build(project, step.latest_version)


def _build(project: ClinicalProject, version) -> None:
    now = now_utc().replace(second=0, microsecond=0)
    planner = db.session.scalar(select(User).where(User.email == PLANNER))
    created, opened = now - timedelta(days=24), now - timedelta(days=10)
    round_ = ConsultationRound(
        project=project, title=TITLE, mandate=MANDATE, participation_level=ParticipationLevel.consultation,
        budgets_in_scope=False, audience=Audience.both, opens_at=opened, closes_at=now + timedelta(days=35),
        state=RoundState.open, state_changed_at=opened, created_by_id=planner.id if planner else None,
        versions=[version])
    db.session.add(round_)
    round_.questions = [GuidingQuestion(step_number=1, position=i, text=text) for i, text in enumerate(QUESTIONS)]
    actor = planner.id if planner else None

    def event(kind: str, at, by: int | None = actor, **detail: Any) -> None:
        db.session.add(RoundEvent(round=round_, kind=kind, at=at, actor_id=by, detail=detail))

    event("created", created)
    for n in range(len(QUESTIONS)):
        event("question_added", created + timedelta(minutes=5 + n), step=1)
    invited_names = []
    for name, state, days_ago in INVITED:
        organization = db.session.scalar(select(Organization).where(Organization.name == name).limit(1))
        if organization is None:
            continue
        invited_names.append(organization.name)
        representative = next((m.user_id for m in organization.representatives()), None)
        answered = now - timedelta(days=days_ago) if days_ago is not None and representative else None
        round_.invitations.append(RoundInvitation(
            organization=organization, state=state if answered else InvitationState.invited, answered_at=answered,
            answered_by_id=representative if answered else None, notified_at=created + timedelta(days=1)))
        if answered is not None:
            event("invitation_answered", answered, representative, party=organization.name, state=state.value,
                  reason="")
    event("invited", created + timedelta(hours=1), parties=invited_names)
    round_.invitations.append(RoundInvitation(
        establishment_id=project.establishment_id, state=InvitationState.took_part,
        answered_at=opened, answered_by_id=actor))
    event("scheduled", created + timedelta(days=1), opens_at=opened.isoformat(),
          closes_at=round_.closes_at.isoformat())
    event("opened", opened, None)
    event("invitation_answered", opened + timedelta(minutes=1), party=project.establishment.name,
          state=InvitationState.took_part.value, reason="")
    db.session.flush()
