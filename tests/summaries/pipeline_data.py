"""Inputs for pipeline tests: comments on two needs, a brief with a PDF attachment, a hostile attachment."""

from __future__ import annotations

import io
import random

from consult.core.db import db, now_utc
from consult.participation.models import (
    Brief,
    BriefAttachment,
    BriefState,
    BriefVisibility,
    Comment,
)
from consult.sampledata import texts
from consult.sampledata.pdf import make_pdf
from consult.storage import get_storage

ISOLATION = [
    "Les aînés seuls à domicile manquent de visites d'amitié et d'appels de bienveillance.",
    "Mon père vit seul depuis deux ans et personne ne l'appelle jamais, il s'isole de plus en plus.",
    "Il faut plus de bénévoles pour les visites d'amitié auprès des personnes âgées isolées.",
    "Seniors living alone need friendly visits and regular check-in calls from volunteers.",
    "L'isolement des aînés dans Centre-Sud est criant : les appels de bienveillance devraient être offerts à tous.",
]
TRANSPORT = [
    "Le transport adapté est trop rare pour se rendre aux rendez-vous médicaux à l'hôpital.",
    "Sans voiture, impossible d'aller à la clinique : l'autobus ne passe qu'une fois par heure.",
    "Il faudrait un service d'accompagnement-transport pour les rendez-vous des aînés.",
    "Adapted transport is so hard to book that my mother misses her medical appointments.",
    "Les délais de réservation du transport adapté empêchent d'aller aux traitements.",
]


def add_comments(consultation, *, extra: int = 0, seed: int = 0) -> list[Comment]:
    made = []
    for number, body in enumerate(ISOLATION):
        made.append(_comment(consultation, consultation.need_uid, consultation.needs_version.id, body, number))
    for number, body in enumerate(TRANSPORT):
        made.append(_comment(consultation, consultation.other_need_uid, consultation.needs_version.id, body,
                             number))
    rng = random.Random(seed)
    for number in range(extra):
        made.append(_comment(consultation, consultation.need_uid, consultation.needs_version.id,
                             texts.comment(rng), number))
    db.session.flush()
    return made


def _comment(consultation, uid: str, version_id: int, body: str, number: int) -> Comment:
    comment = Comment(round_id=consultation.round.id, version_id=version_id, item_uid=uid, item_kind="need",
                      author_id=consultation.citizen.id, body=body)
    db.session.add(comment)
    return comment


def add_brief(consultation, *, pdf: bytes | None = None, media_type: str = "application/pdf",
              visibility: BriefVisibility = BriefVisibility.public, filename: str = "memoire.pdf") -> Brief:
    brief = Brief(round_id=consultation.round.id, organization_id=consultation.organization.id,
                  author_id=consultation.representative.id, title="Mémoire du Carrefour des aînés",
                  body="Nous demandons des visites d'amitié pour les aînés isolés du quartier.\n\n"
                       "Le transport adapté doit être plus facile à réserver pour les rendez-vous.",
                  visibility=visibility, state=BriefState.submitted, submitted_at=now_utc())
    db.session.add(brief)
    db.session.flush()
    data = pdf if pdf is not None else make_pdf([
        "Les aînés isolés ont besoin de visites d'amitié chaque semaine.\n\n"
        "Les appels de bienveillance rejoignent les personnes seules.",
        "Le transport adapté manque pour aller aux rendez-vous médicaux.",
    ], title="Mémoire")
    key = get_storage().put(io.BytesIO(data))
    db.session.add(BriefAttachment(brief_id=brief.id, storage_key=key, filename=filename, media_type=media_type,
                                   size=len(data)))
    db.session.flush()
    return brief
