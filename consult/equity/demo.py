"""Demo data for the equity lens, on the PALV project of the CSSS du Centre-Est de Montréal and its open round
("Portrait des besoins — consultation d'automne 2026").

`load(report)` adds what is missing:
- population figures to the needs portrait (total, 65 to 74, 75 and over, for each of the five
  neighbourhoods): step 1 is reopened, the figures added, and the step published, closed and adopted again,
  so the portrait's latest version holds them (the round keeps reading the version it was opened on, and
  the lens reads the latest one that has population figures);
- thirty residents who took part in the open round (supports, comments, a proposed need), most with a
  consented profile: the comparison shows Plateau-Est, Mile End and Milton-Parc under-represented, and the
  75 and over too;
- a brief of the Corporation de développement communautaire with a position on the isolation need, so the
  dashboard shows a coalition taking part in drafting the portrait;
- a local code list of the establishment ("Priorités du CSSS": caregivers), tags confirmed by the planner
  on some comments, and the pipeline's suggestions on every input, left for review.

Idempotent: people by e-mail, comments by author and text, the brief by organization and title, the local
tag by code, population figures by their presence in a published version. Runs after consult.seed's people
and organizations and the projects, rounds and participation demos; commits nothing (the caller does).
Residents have no password: they are people in the numbers, not demo sign-ins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.equity import services, suggestions
from consult.equity.models import InputTag, LocalGroup, LocalTag, Target
from consult.equity.representativeness import is_population
from consult.organizations.models import Organization
from consult.participation.models import (
    Brief,
    BriefPosition,
    BriefState,
    BriefVisibility,
    Comment,
    InputKind,
    ParticipantProfile,
    ProposedNeed,
    Stance,
    Support,
)
from consult.projects import services as projects
from consult.projects.models import ClinicalProject, ProjectStep, StepState, StepVersion, VersionItem
from consult.rounds import services as rounds
from consult.rounds.models import ConsultationRound
from consult.territories.models import Establishment, TerritoryNode

ESTABLISHMENT = "CSSS du Centre-Est de Montréal"
PROJECT = "Projet clinique PALV 2026-2029 du Centre-Est"
ROUND_PREFIX = "Portrait des besoins"
PLANNER = "planif@demo.consult.ca"
CDC_REPRESENTATIVE = "coalition@demo.consult.ca"
CDC = "Corporation de développement communautaire du Centre-Est"

# Neighbourhood code → (total population, 65 to 74, 75 and over), census 2021 style.
POPULATION = {
    "06111-01": (22000, 2100, 2300),   # Centre-Sud
    "06111-02": (9500, 600, 700),      # Quartier latin
    "06112-01": (40000, 2700, 2900),   # Plateau-Est
    "06112-02": (11000, 580, 620),     # Mile End
    "06113-01": (8500, 430, 470),      # Milton-Parc
}
POPULATION_NAMES = ("Population totale", "Population, 65 à 74 ans", "Population, 75 ans et plus")
POPULATION_SOURCE = "Statistique Canada, recensement 2021"

# Residents: (area code or None, age band or None, gender or None, population group or None); None is
# "not stated". Thirty of them, so that the comparison has something to say.
_R = [
    *[("06111-01", "65_74", "woman", "seniors")] * 6,
    *[("06111-01", "65_74", "man", "seniors")] * 2,
    *[("06111-01", "50_64", "woman", "caregivers")] * 3,
    ("06111-01", "75_plus", "woman", "low_income"),
    ("06111-01", "75_plus", "man", "low_income"),
    *[("06111-02", "65_74", "woman", "seniors")] * 3,
    *[("06111-02", "65_74", "man", "low_income")] * 2,
    ("06111-02", "50_64", "woman", "caregivers"),
    ("06111-02", "75_plus", "woman", "seniors"),
    *[("06112-01", "65_74", "woman", "seniors")] * 2,
    ("06112-01", "65_74", "man", "seniors"),
    ("06112-01", "75_plus", "woman", "seniors"),
    ("06112-01", "35_49", "undisclosed", "caregivers"),
    (None, "75_plus", "woman", "low_income"),
    (None, "50_64", "man", "caregivers"),
    (None, None, None, "newcomers"),
    (None, None, None, None),
    (None, None, None, None),
]
RESIDENTS = [(f"residente{n:02d}@demo.consult.ca", *row) for n, row in enumerate(_R, 1)]

NEEDS = ("Isolement", "Logement", "Revenu", "Accès aux services", "Transport", "Prévention des chutes")

# (resident number, need title start, text): what some residents wrote, and the tags the planner confirmed.
COMMENTS: list[tuple[int, str, str, tuple[str, ...]]] = [
    (1, "Isolement", "Depuis le décès de mon mari, je me sens très seule. L'hiver, je ne sors plus : les trottoirs "
     "de ma rue ne sont pas déneigés.", ("relational", "gender", "territorial", "perceived")),
    (2, "Revenu", "Mon loyer a augmenté de 12 % cette année. Avec la pension de vieillesse, il ne reste presque rien "
     "pour l'épicerie.", ("material", "class", "objective")),
    (7, "Accès aux services", "Les personnes immigrantes âgées ne connaissent pas les services, et les dépliants "
     "sont seulement en français.", ("material", "ethnicity", "age")),
    (9, "Accès aux services", "Comme proche aidante de ma mère, personne ne me demande mon avis sur son plan "
     "d'intervention. On a l'impression que tout est décidé sans nous.", ("decisional", "gender", "perceived")),
    (15, "Transport", "Dans mon quartier, il n'y a plus de CLSC à distance de marche, et le transport adapté "
     "arrive souvent avec une heure de retard.", ("material", "territorial", "objective")),
    (16, "Isolement", "Les hommes âgés qui vivent seuls ne viennent pas aux activités. Il faudrait aller vers eux, "
     "chez eux.", ("relational", "gender", "age")),
    (24, "Accès aux services", "As a caregiver I feel invisible: nobody asked us what help we need at night.",
     ()),
    (20, "Logement", "Les logements sans ascenseur obligent des aînés à quitter le quartier où ils ont vécu toute "
     "leur vie.", ()),
    (11, "Prévention des chutes", "Ma voisine en fauteuil roulant a chuté deux fois cet hiver; personne n'est "
     "venu vérifier son logement.", ()),
]
PROPOSED = (10, "Répit de nuit pour les proches aidants",
            "Les proches aidants épuisés n'ont aucun répit la nuit. Un service de garde de nuit, même deux fois par "
            "mois, éviterait des hébergements.")

BRIEF_TITLE = "Les aînés isolés et leurs proches aidants"
BRIEF_BODY = ("La Corporation appuie la priorité donnée à l'isolement social.\n\n"
              "Nous demandons que le portrait nomme les quartiers où les aînés sont le plus isolés, et que les "
              "proches aidants soient invités aux décisions sur les services qui les concernent.")


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _project() -> ClinicalProject | None:
    return db.session.scalar(select(ClinicalProject).join(Establishment).where(
        Establishment.name == ESTABLISHMENT, ClinicalProject.title == PROJECT))


def load(report: Any) -> None:
    """Add what is missing of the equity demo. `report.count(what, created)`."""
    project = _project()
    planner = _user(PLANNER)
    if project is None or planner is None:
        return
    _population(report, project, planner)
    round_ = db.session.scalar(select(ConsultationRound).where(
        ConsultationRound.project_id == project.id, ConsultationRound.title.like(ROUND_PREFIX + "%"))
        .order_by(ConsultationRound.id.desc()).limit(1))
    if round_ is None:
        return
    version = next((v for v in round_.versions if v.step.number == 1), None)
    if version is None:
        return
    needs = _needs(version)
    local = _local_tag(report, project, planner)
    residents = _residents(report)
    _participation(report, round_, needs, residents)
    _brief(report, round_, version, needs)
    _tags(report, round_, residents, planner, local)


def _has_population(project: ClinicalProject) -> bool:
    items = db.session.scalars(select(VersionItem).join(StepVersion, StepVersion.id == VersionItem.version_id)
                               .join(ProjectStep, ProjectStep.id == StepVersion.step_id)
                               .where(ProjectStep.project_id == project.id, ProjectStep.number == 1,
                                      VersionItem.kind == "indicator"))
    return any(is_population(item.data, services.DEFAULT_KEYWORD) for item in items)


def _population(report: Any, project: ClinicalProject, planner: User) -> None:
    missing = not _has_population(project)
    report.count("population figures", missing)
    if not missing:
        return
    nodes = {n.code: n for n in db.session.scalars(select(TerritoryNode).where(
        TerritoryNode.code.in_(list(POPULATION))))}
    if not nodes:
        return
    step = project.step(1)
    if step.state is StepState.adopted:
        projects.transition(step, "reopen", planner)
    for code, values in POPULATION.items():
        if code not in nodes:
            continue
        for name, value in zip(POPULATION_NAMES, values, strict=True):
            projects.save_item(project, "indicator", None, {
                "name": name, "unit": "personnes", "value": float(value), "year": 2021,
                "territory": nodes[code], "source": POPULATION_SOURCE})
    for action, state in (("publish", StepState.draft), ("close", StepState.in_consultation),
                          ("adopt", StepState.consolidating)):
        if step.state is state:
            projects.transition(step, action, planner)


def _needs(version: StepVersion) -> dict[str, VersionItem]:
    found: dict[str, VersionItem] = {}
    for item in db.session.scalars(select(VersionItem).where(VersionItem.version_id == version.id,
                                                             VersionItem.kind == "need")):
        for key in NEEDS:
            if key.lower() in str(item.data.get("title", "")).lower():
                found.setdefault(key, item)
    return found


def _residents(report: Any) -> list[User]:
    nodes = {n.code: n for n in db.session.scalars(select(TerritoryNode).where(
        TerritoryNode.code.in_(list(POPULATION))))}
    people = []
    now = now_utc()
    for number, (email, area, age, gender, group) in enumerate(RESIDENTS, 1):
        user = _user(email)
        report.count("residents", user is None)
        if user is None:
            user = User(email=email, password_hash="!", display_name=f"Résident·e {number}",
                        locale="en" if number == 24 else "fr", email_verified_at=now, privacy_accepted_at=now)
            db.session.add(user)
            db.session.flush()
            if any(value is not None for value in (area, age, gender, group)):
                db.session.add(ParticipantProfile(user_id=user.id, consented_at=now, age_band=age, gender=gender,
                                                  area_id=nodes[area].id if area in nodes else None,
                                                  population_group=group))
        people.append(user)
    db.session.flush()
    return people


def _participation(report: Any, round_: ConsultationRound, needs: dict[str, VersionItem],
                   residents: list[User]) -> None:
    order = [needs[k] for k in NEEDS if k in needs]
    if not order:
        return
    for index, user in enumerate(residents):
        item = order[index % len(order)]
        exists = db.session.scalar(select(Support.id).filter_by(version_id=item.version_id, item_uid=item.uid,
                                                                user_id=user.id))
        if exists is None:
            db.session.add(Support(round_id=round_.id, version_id=item.version_id, item_uid=item.uid,
                                   item_kind=item.kind, user_id=user.id))
    for number, key, body, _tags in COMMENTS:
        item = needs.get(key)
        author = residents[number - 1]
        if item is None:
            continue
        exists = db.session.scalar(select(Comment.id).where(Comment.round_id == round_.id,
                                                            Comment.author_id == author.id, Comment.body == body))
        report.count("comments", exists is None)
        if exists is None:
            comment = Comment(round_id=round_.id, version_id=item.version_id, item_uid=item.uid,
                              item_kind=item.kind, author_id=author.id, body=body)
            db.session.add(comment)
            db.session.flush()
            comment.root_id = comment.id
    number, title, description = PROPOSED
    exists = db.session.scalar(select(ProposedNeed.id).where(ProposedNeed.round_id == round_.id,
                                                             ProposedNeed.title == title))
    report.count("proposed needs", exists is None)
    if exists is None:
        db.session.add(ProposedNeed(round_id=round_.id, version_id=order[0].version_id,
                                    author_id=residents[number - 1].id, title=title, description=description))
    db.session.flush()


def _brief(report: Any, round_: ConsultationRound, version: StepVersion, needs: dict[str, VersionItem]) -> None:
    cdc = db.session.scalar(select(Organization).where(Organization.name == CDC).limit(1))
    if cdc is None:
        return
    exists = db.session.scalar(select(Brief.id).where(Brief.round_id == round_.id, Brief.organization_id == cdc.id,
                                                      Brief.title == BRIEF_TITLE))
    report.count("briefs", exists is None)
    if exists is not None:
        return
    author = _user(CDC_REPRESENTATIVE)
    now = now_utc()
    brief = Brief(round_id=round_.id, organization_id=cdc.id, author_id=author.id if author else None,
                  submitted_by_id=author.id if author else None, title=BRIEF_TITLE,
                  summary="Nommer les quartiers où l'isolement est le plus fort; inviter les proches aidants aux "
                          "décisions.", body=BRIEF_BODY, visibility=BriefVisibility.public,
                  state=BriefState.submitted, submitted_at=now)
    db.session.add(brief)
    db.session.flush()
    if "Isolement" in needs:
        db.session.add(BriefPosition(brief_id=brief.id, version_id=version.id, item_uid=needs["Isolement"].uid,
                                     item_kind="need", stance=Stance.support,
                                     text="Nous appuyons la priorité élevée de ce besoin."))
    rounds.record_participation(round_, cdc)
    db.session.flush()


def _local_tag(report: Any, project: ClinicalProject, planner: User) -> LocalTag:
    found = db.session.scalar(select(LocalTag).where(LocalTag.establishment_id == project.establishment_id,
                                                     LocalTag.code == "proches-aidants"))
    report.count("local equity tags", found is None)
    if found is not None:
        return found
    return services.add_local_tag(project.establishment, {
        "group": LocalGroup.local, "list_name": "Priorités du CSSS", "code": "proches-aidants",
        "label_fr": "Proches aidants", "label_en": "Caregivers",
        "keywords_fr": "proche* aidant*, proches aidantes, répit", "keywords_en": "caregiver*, respite"}, planner)


def _tags(report: Any, round_: ConsultationRound, residents: list[User], planner: User, local: LocalTag) -> None:
    confirmed = 0
    for number, _key, body, keys in COMMENTS:
        comment = db.session.scalar(select(Comment).where(Comment.round_id == round_.id,
                                                          Comment.author_id == residents[number - 1].id,
                                                          Comment.body == body))
        if comment is None:
            continue
        target = Target(InputKind.comment, comment)
        for key in keys:
            exists = db.session.scalar(select(InputTag.id).where(InputTag.input_kind == InputKind.comment,
                                                                 InputTag.input_id == comment.id, InputTag.tag == key))
            if exists is None:
                services.add_tag(target, key, None, planner)
                confirmed += 1
        if number == 9:
            exists = db.session.scalar(select(InputTag.id).where(InputTag.input_kind == InputKind.comment,
                                                                 InputTag.input_id == comment.id,
                                                                 InputTag.tag == local.key))
            if exists is None:
                services.add_tag(target, local.key, "Une proche aidante parle de sa place dans les décisions.",
                                 planner)
                confirmed += 1
    report.count("confirmed equity tags", bool(confirmed))
    inputs: list[tuple[InputKind, int, str]] = []
    for comment in db.session.scalars(select(Comment).where(Comment.round_id == round_.id)):
        inputs.append((InputKind.comment, comment.id, services.input_text(InputKind.comment, comment)))
    for need in db.session.scalars(select(ProposedNeed).where(ProposedNeed.round_id == round_.id)):
        inputs.append((InputKind.proposed_need, need.id, services.input_text(InputKind.proposed_need, need)))
    for brief in db.session.scalars(select(Brief).where(Brief.round_id == round_.id,
                                                        Brief.state == BriefState.submitted)):
        inputs.append((InputKind.brief, brief.id, services.input_text(InputKind.brief, brief)))
    report.count("suggested equity tags", bool(suggestions.store_suggestions(round_, inputs)))
