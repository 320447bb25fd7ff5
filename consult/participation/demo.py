"""Demo participation on the PALV project of the CSSS du Centre-Est de Montréal.

`load(report)` adds an earlier consultation round on the first published version of the needs portrait,
closed ten days ago, with what people gave it: comments in French and one in English with replies,
supports, a proposed need, a public brief of the Carrefour des aînés du Centre-Sud with a PDF, co-signed
by the Corporation de développement communautaire, with positions on two needs, and a confidential brief
of the Popote roulante (which declined partnership and still took part). The establishment answered every
input but one (without mailing the demo accounts) and published its results: the page "What we heard,
what we did" shows the unanswered one.
When the open round of the rounds demo exists ("Portrait des besoins…"), a citizen adds two comments and a
proposed need to it.

Idempotent like the other demos: the closed round is looked up by project and title, the additions to the
open round by their author and text; what exists is left as it is. Runs after consult.seed's people and
organizations, the projects demo and the rounds demo; commits nothing (the caller does).
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.organizations.models import Organization
from consult.participation.answers import services as answers
from consult.participation.models import (
    Brief,
    BriefAttachment,
    BriefCosigner,
    BriefPosition,
    BriefState,
    BriefVisibility,
    Comment,
    CosignState,
    InputKind,
    Outcome,
    ProposedNeed,
    Stance,
    Support,
)
from consult.projects.models import ClinicalProject, ProjectStep, StepVersion, VersionItem
from consult.rounds import services as rounds
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
from consult.storage import get_storage
from consult.territories.models import Establishment, TerritoryNode

ESTABLISHMENT = "CSSS du Centre-Est de Montréal"
PROJECT = "Projet clinique PALV 2026-2029 du Centre-Est"
ROUND_TITLE = "Première consultation sur les besoins des aînés du Centre-Est"
OPEN_ROUND_PREFIX = "Portrait des besoins"

PLANNER = "planif@demo.consult.ca"
REPRESENTATIVE = "representant@demo.consult.ca"
COALITION_REPRESENTATIVE = "coalition@demo.consult.ca"
MEMBER = "membre@demo.consult.ca"
CITOYEN = "citoyen@demo.consult.ca"
CITIZEN = "citizen@demo.consult.ca"

CARREFOUR = "Carrefour des aînés du Centre-Sud"
CDC = "Corporation de développement communautaire du Centre-Est"
POPOTE = "Popote roulante de la Petite-Bourgogne"
EESAD = "Coopérative de soutien à domicile Aide-Chez-Soi (EÉSAD)"
RESIDENCE = "Résidence pour aînés Les Jardins Sainte-Marie"

# Needs of the portrait, by the start of their title in the demo project.
ISOLATION, HOUSING, INCOME, HOME_CARE, TRANSPORT = ("Isolement", "Logement", "Revenu", "Accès aux services",
                                                    "Transport")

BRIEF_TITLE = "Briser l'isolement des aînés du Centre-Sud"
BRIEF_SUMMARY = ("Le Carrefour appuie la priorité donnée à l'isolement et demande que le portrait nomme la "
                 "liste d'attente des visites d'amitié et le point de vue des proches aidants.")
BRIEF_BODY = """## Ce que nous voyons

Chaque semaine, nos bénévoles visitent 85 aînés du Centre-Sud. Quarante autres attendent un jumelage.

## Ce que nous demandons

1. Garder l'isolement social parmi les besoins prioritaires.
2. Mesurer les délais d'accès au soutien à domicile du point de vue des proches aidants.
3. Reconnaître l'accompagnement-transport comme une réponse à l'isolement, et pas seulement un service.
"""

PDF_LINES = [
    "Mémoire déposé dans la consultation sur les besoins des aînés du Centre-Est.",
    "",
    "1. L'isolement social doit rester un besoin prioritaire du portrait.",
    "2. Quarante aînés attendent un jumelage pour les visites d'amitié.",
    "3. Les délais du soutien à domicile pèsent d'abord sur les proches aidants.",
    "",
    "Cosigné par la Corporation de développement communautaire du Centre-Est.",
]


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF (Helvetica, WinAnsi text), written by hand so the demo needs no library."""

    def text(value: str) -> bytes:
        escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("cp1252", errors="replace") + b")"

    ops = [b"BT", b"/F1 16 Tf", b"72 740 Td", text(title) + b" Tj", b"/F1 11 Tf", b"0 -30 Td"]
    for line in lines:
        ops += [text(line) + b" Tj", b"0 -16 Td"]
    ops.append(b"ET")
    content = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _organization(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name == name).limit(1))


def _project() -> ClinicalProject | None:
    return db.session.scalar(select(ClinicalProject).join(Establishment)
                             .where(Establishment.name == ESTABLISHMENT, ClinicalProject.title == PROJECT))


def _needs_versions(project: ClinicalProject) -> list[StepVersion]:
    return list(db.session.scalars(select(StepVersion).join(ProjectStep)
                                   .where(ProjectStep.project_id == project.id, ProjectStep.number == 1)
                                   .order_by(StepVersion.number)))


def _needs(version: StepVersion) -> dict[str, VersionItem]:
    """The needs of a version by the start of their title."""
    items = db.session.scalars(select(VersionItem).where(VersionItem.version_id == version.id,
                                                         VersionItem.kind == "need"))
    found: dict[str, VersionItem] = {}
    for item in items:
        title = str(item.data.get("title", ""))
        for key in (ISOLATION, HOUSING, INCOME, HOME_CARE, TRANSPORT):
            if key in title:
                found.setdefault(key, item)
    return found


def _comment(round_: ConsultationRound, item: VersionItem, author: User, body: str, at,
             parent: Comment | None = None) -> Comment:
    comment = Comment(round_id=round_.id, version_id=item.version_id, item_uid=item.uid, item_kind=item.kind,
                      author_id=author.id, body=body, parent_id=parent.id if parent else None,
                      root_id=parent.id if parent else None, created_at=at, updated_at=at)
    db.session.add(comment)
    db.session.flush()
    if parent is None:
        comment.root_id = comment.id
    else:
        parent.reply_count = (parent.reply_count or 0) + 1
    db.session.flush()
    return comment


def _support(round_: ConsultationRound, item: VersionItem, user: User | None) -> None:
    if user is None:
        return
    exists = db.session.scalar(select(Support.id).filter_by(version_id=item.version_id, item_uid=item.uid,
                                                            user_id=user.id))
    if exists is None:
        db.session.add(Support(round_id=round_.id, version_id=item.version_id, item_uid=item.uid,
                               item_kind=item.kind, user_id=user.id))
        db.session.flush()


def _digest(brief: Brief) -> str:
    content = {"title": brief.title, "summary": brief.summary, "body": brief.body,
               "visibility": brief.visibility.value,
               "positions": [[p.item_uid, p.stance.value, p.text] for p in brief.positions],
               "attachments": [a.storage_key for a in brief.attachments]}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def load(report: Any) -> None:
    """Add what is missing of the demo participation. `report.count(what, created)`."""
    project = _project()
    planner = _user(PLANNER)
    if project is None or planner is None:
        return
    versions = _needs_versions(project)
    if versions:
        _closed_round(report, project, versions[0], planner)
    _open_round(report, project)


def _closed_round(report: Any, project: ClinicalProject, version: StepVersion, planner: User) -> None:
    exists = db.session.scalar(select(ConsultationRound).where(ConsultationRound.project_id == project.id,
                                                               ConsultationRound.title == ROUND_TITLE))
    report.count("consultation rounds", exists is None)
    if exists is not None:
        return
    needs = _needs(version)
    people = {email: _user(email) for email in (REPRESENTATIVE, COALITION_REPRESENTATIVE, MEMBER, CITOYEN,
                                                CITIZEN)}
    citoyen, citizen, member = people[CITOYEN], people[CITIZEN], people[MEMBER]
    now = now_utc()
    opens, closes = now - timedelta(days=55), now - timedelta(days=10)
    round_ = ConsultationRound(
        project_id=project.id, title=ROUND_TITLE,
        mandate="Le CSSS vous consulte sur la première version du portrait des besoins des aînés. Il décide "
                "du contenu final du portrait et répond à chaque contribution, avec ses raisons. Les budgets "
                "ne font pas partie de cette consultation.",
        participation_level=ParticipationLevel.consultation, budgets_in_scope=False, audience=Audience.both,
        opens_at=opens, closes_at=closes, state=RoundState.closed, state_changed_at=closes,
        versions=[version], created_by_id=planner.id)
    db.session.add(round_)
    db.session.flush()
    db.session.add(GuidingQuestion(round_id=round_.id, step_number=1, position=1,
                                   text="Le portrait reflète-t-il la réalité des aînés de votre quartier? "
                                        "Quel besoin manque?"))
    db.session.add_all([
        RoundEvent(round_id=round_.id, at=opens - timedelta(days=14), kind="created", actor_id=planner.id),
        RoundEvent(round_id=round_.id, at=opens - timedelta(days=7), kind="scheduled", actor_id=planner.id,
                   detail={"opens_at": opens.isoformat(), "closes_at": closes.isoformat()}),
        RoundEvent(round_id=round_.id, at=opens, kind="opened"),
        RoundEvent(round_id=round_.id, at=closes, kind="closed"),
        # The establishment's own teams take part too, and the list says so.
        RoundInvitation(round_id=round_.id, establishment_id=project.establishment_id,
                        state=InvitationState.took_part, answered_at=opens, answered_by_id=planner.id)])
    day = timedelta(days=1)
    inputs: list[tuple[InputKind, Any, Outcome | None, str]] = []

    # Comment threads, in French and one in English with replies.
    if citoyen is not None and ISOLATION in needs:
        first = _comment(round_, needs[ISOLATION], citoyen,
                         "Dans mon immeuble, plusieurs voisins de plus de 80 ans ne sortent plus de l'hiver. "
                         "Les visites d'amitié font une vraie différence, mais il faut attendre des mois.",
                         opens + 3 * day)
        if member is not None:
            _comment(round_, needs[ISOLATION], member,
                     "Au Carrefour, nous le constatons aussi : une quarantaine de personnes attendent un jumelage.",
                     opens + 4 * day, parent=first)
        inputs.append((InputKind.comment, first, Outcome.retained,
                       "Le portrait adopté nomme la liste d'attente des visites d'amitié, et l'analyse des "
                       "écarts en fait un écart d'accès prioritaire."))
    if citoyen is not None and HOUSING in needs:
        housing = _comment(round_, needs[HOUSING], citoyen,
                           "Le portrait parle des loyers, mais pas des évictions pour rénovation, qui chassent les "
                           "aînés du quartier.", opens + 6 * day)
        inputs.append((InputKind.comment, housing, Outcome.partly_retained,
                       "Les évictions sont mentionnées dans la description du besoin. Les mesures pour les "
                       "prévenir relèvent de la Ville et de la Table en habitation, à qui nous avons transmis "
                       "votre commentaire."))
    if citizen is not None and TRANSPORT in needs:
        transport = _comment(round_, needs[TRANSPORT], citizen,
                             "Adapted transport is the main reason I miss medical appointments: the wait is often "
                             "over an hour, and in winter the sidewalks to the pick-up point are not cleared.",
                             opens + 8 * day)
        if citoyen is not None:
            _comment(round_, needs[TRANSPORT], citoyen, "Même chose pour ma mère, à Milton-Parc.",
                     opens + 9 * day, parent=transport)
        _comment(round_, needs[TRANSPORT], planner,
                 "Thank you. Could you tell us which clinics are the hardest to reach? We are collecting "
                 "examples for the portrait.", opens + 10 * day, parent=transport)
        inputs.append((InputKind.comment, transport, Outcome.retained,
                       "The adopted portrait now says that people in wheelchairs often wait more than an hour "
                       "for adapted transport, and the priority of this need was raised to medium."))
    if citoyen is not None and INCOME in needs:
        # The one input the establishment has not answered yet: the page says so.
        income = _comment(round_, needs[INCOME], citoyen,
                          "Avec la pension de vieillesse seulement, il faut choisir entre les médicaments et "
                          "l'épicerie à la fin du mois.", opens + 12 * day)
        inputs.append((InputKind.comment, income, None, ""))

    # Supports.
    for key, user in ((ISOLATION, citoyen), (ISOLATION, member), (ISOLATION, citizen), (HOUSING, citoyen),
                      (TRANSPORT, citizen), (TRANSPORT, citoyen)):
        if key in needs:
            _support(round_, needs[key], user)

    # A proposed need.
    if citoyen is not None:
        centre_sud = db.session.scalar(select(TerritoryNode).where(TerritoryNode.code == "06111-01"))
        proposal = ProposedNeed(
            round_id=round_.id, version_id=version.id, author_id=citoyen.id,
            title="Soutien aux proches aidants âgés",
            description="Beaucoup de proches aidants ont eux-mêmes plus de 75 ans et s'épuisent. Le portrait "
                        "ne les nomme pas.", area=centre_sud, created_at=opens + 14 * day,
            updated_at=opens + 14 * day)
        db.session.add(proposal)
        db.session.flush()
        inputs.append((InputKind.proposed_need, proposal, Outcome.partly_retained,
                       "Les proches aidants âgés sont maintenant nommés dans le besoin « Accès aux services de "
                       "soutien à domicile ». Un besoin distinct sera examiné à la prochaine version du "
                       "portrait, avec le Répit Proches aidants."))

    # The Carrefour's public brief with a PDF, co-signed by the CDC, with positions on two needs.
    carrefour, cdc = _organization(CARREFOUR), _organization(CDC)
    if carrefour is not None:
        submitted_at = closes - 5 * day
        brief = Brief(round_id=round_.id, organization_id=carrefour.id,
                      author_id=people[REPRESENTATIVE].id if people[REPRESENTATIVE] else None,
                      title=BRIEF_TITLE, summary=BRIEF_SUMMARY, body=BRIEF_BODY,
                      visibility=BriefVisibility.public, state=BriefState.submitted, submitted_at=submitted_at,
                      created_at=submitted_at - 3 * day, updated_at=submitted_at)
        db.session.add(brief)
        db.session.flush()
        pdf = demo_pdf(BRIEF_TITLE, PDF_LINES)
        key = get_storage().put(io.BytesIO(pdf))
        db.session.add(BriefAttachment(brief_id=brief.id, position=0, storage_key=key,
                                       filename="memoire-carrefour-des-aines.pdf", media_type="application/pdf",
                                       size=len(pdf), uploaded_at=submitted_at - day))
        if cdc is not None:
            db.session.add(BriefCosigner(brief_id=brief.id, organization_id=cdc.id, state=CosignState.confirmed,
                                         answered_at=submitted_at - day,
                                         answered_by_id=people[COALITION_REPRESENTATIVE].id
                                         if people[COALITION_REPRESENTATIVE] else None))
        if ISOLATION in needs:
            db.session.add(BriefPosition(brief_id=brief.id, version_id=version.id, item_uid=needs[ISOLATION].uid,
                                         item_kind="need", stance=Stance.support,
                                         text="Nous appuyons la priorité élevée donnée à ce besoin."))
        if HOME_CARE in needs:
            db.session.add(BriefPosition(brief_id=brief.id, version_id=version.id, item_uid=needs[HOME_CARE].uid,
                                         item_kind="need", stance=Stance.amend,
                                         text="Ajouter les délais vécus par les proches aidants, et pas seulement "
                                              "ceux du guichet d'accès."))
        db.session.flush()
        db.session.refresh(brief)
        brief.digest = _digest(brief)
        rounds.record_participation(round_, carrefour)
        if cdc is not None:
            rounds.record_participation(round_, cdc)
        inputs.append((InputKind.brief, brief, Outcome.partly_retained,
                       "Retenu : l'isolement reste prioritaire et la liste d'attente des visites d'amitié est "
                       "nommée. En partie : les délais vécus par les proches aidants seront mesurés à partir de "
                       "2027, quand le guichet d'accès saura les compter."))

    # A confidential brief from an organization that declined partnership and still took part.
    popote = _organization(POPOTE)
    if popote is not None:
        at = closes - 2 * day
        confidential = Brief(round_id=round_.id, organization_id=popote.id, author_id=None,
                             title="Repas livrés : ce que nos bénévoles voient",
                             summary="Observations de nos livreurs sur la santé des aînés que nous servons.",
                             body="Nos bénévoles sont souvent les seules personnes que certains aînés voient "
                                  "dans la semaine.", visibility=BriefVisibility.confidential,
                             state=BriefState.submitted, submitted_at=at, created_at=at, updated_at=at)
        db.session.add(confidential)
        db.session.flush()
        confidential.digest = _digest(confidential)
        rounds.record_participation(round_, popote)
        inputs.append((InputKind.brief, confidential, Outcome.retained,
                       "Les observations des bénévoles de livraison sont ajoutées comme source du besoin « "
                       "Isolement social des aînés vivant seuls »."))

    # Invited, not heard from; and a declined invitation, recorded without consequence.
    for name, state, reason in ((EESAD, InvitationState.invited, None),
                                (RESIDENCE, InvitationState.declined,
                                 "Nous n'avons pas pu préparer de mémoire dans les délais.")):
        organization = _organization(name)
        if organization is not None:
            db.session.add(RoundInvitation(round_id=round_.id, organization_id=organization.id, state=state,
                                           reason=reason, answered_at=closes - 20 * day if reason else None))
    db.session.flush()

    # The establishment's answers, every input but one, then its published results. Loading demo data
    # mails nobody: the answers are on the page, not in the demo accounts' inboxes.
    for kind, target, outcome, reason in inputs:
        if outcome is not None:
            answers.answer(round_, kind, target, outcome, reason, planner, notify_author=False)
    answers.publish(round_, planner)


def _open_round(report: Any, project: ClinicalProject) -> None:
    """A citizen's first contributions to the open round of the rounds demo, when there is one."""
    round_ = db.session.scalar(select(ConsultationRound).where(
        ConsultationRound.project_id == project.id, ConsultationRound.title.like(OPEN_ROUND_PREFIX + "%"))
        .order_by(ConsultationRound.id.desc()).limit(1))
    citoyen = _user(CITOYEN)
    if round_ is None or citoyen is None:
        return
    version = next((v for v in round_.versions if v.step.number == 1), None)
    if version is None:
        return
    needs = _needs(version)
    now = now_utc()
    for key, body in ((HOME_CARE, "Ma voisine attend depuis quatre mois une première visite du CLSC. Est-ce "
                                  "que ce délai va être mesuré dans le portrait?"),
                      (ISOLATION, "Les cafés-rencontres du Carrefour devraient être nommés : c'est souvent le "
                                  "premier contact avec des aînés isolés.")):
        if key not in needs:
            continue
        exists = db.session.scalar(select(Comment.id).where(Comment.round_id == round_.id,
                                                            Comment.author_id == citoyen.id, Comment.body == body))
        report.count("comments", exists is None)
        if exists is None:
            _comment(round_, needs[key], citoyen, body, now)
    title = "Accès à Internet pour les aînés"
    exists = db.session.scalar(select(ProposedNeed.id).where(ProposedNeed.round_id == round_.id,
                                                             ProposedNeed.title == title))
    report.count("proposed needs", exists is None)
    if exists is None:
        centre_sud = db.session.scalar(select(TerritoryNode).where(TerritoryNode.code == "06111-01"))
        db.session.add(ProposedNeed(round_id=round_.id, version_id=version.id, author_id=citoyen.id, title=title,
                                    description="De plus en plus de rendez-vous se prennent en ligne; beaucoup "
                                                "d'aînés n'ont ni ordinateur ni aide pour s'en servir.",
                                    area=centre_sud))
        db.session.flush()
