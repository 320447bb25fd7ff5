"""A compiled summary written by hand, shaped like `consult.summaries.content.Content`: a closed round on a PALV
needs portrait and gap analysis, with French and English quotes (from comments, a brief's own text and a
page of an attached PDF), suppressed counts, a lasting disagreement whose minority side includes an
organization whose brief is confidential, a form-letter campaign, a proposed need, answers, and a scanned
annex that could not be read.

`sample_content(round_id=…)` returns a fresh copy each time; keyword arguments replace top-level keys. The
names below let tests find what they assert on.
"""

from __future__ import annotations

import copy
from typing import Any

FRENCH_QUOTE = "Ma mère manque ses rendez-vous à l'hôpital parce que le transport adapté ne passe plus après 18 h."
ENGLISH_QUOTE = "There is no adapted bus after 6 p.m. in Hochelaga, so my father misses his evening appointments."
BRIEF_QUOTE = ("Les bénévoles de nos visites d'amitié rencontrent chaque semaine des aînés qui n'ont parlé à "
               "personne depuis plusieurs jours.")
ATTACHMENT_QUOTE = ("Nous recommandons un service de répit le soir pour les proches aidants des personnes en perte "
                    "d'autonomie.")
CAREGIVER_QUOTE = "Caregivers need respite in the evening, not only during office hours."
MINORITY_TEXT = "Nos services de soir couvrent déjà ce besoin pour nos résidents."
PUBLIC_MINORITY_TEXT = "Les visites du soir existent déjà par la coopérative; il faut les financer, pas les doubler."
AMEND_TEXT = "Préciser que l'isolement touche aussi les proches aidants."
CAMPAIGN_TEXT = ("Je demande un service de transport adapté le soir et la fin de semaine pour les aînés de mon "
                 "quartier.")
CONFIDENTIAL_NAME = "Résidence Les Jardins fleuris"
PROBLEM_FILENAME = "annexe-numerisee.pdf"

THEME_TRANSPORT = "Transport adapté"
THEME_ISOLATION = "Isolement social des aînés"
THEME_CAREGIVERS = "Soutien aux proches aidants"
ITEM_DISAGREEMENT = "Pas de visites à domicile le soir"
ITEM_CONSENSUS = "Accès au transport"
ITEM_SILENT = "Maladies chroniques non suivies"

CARREFOUR = {"organization_id": 1, "name": "Carrefour des aînés", "brief_id": 101, "confidential": False}
POPOTE = {"organization_id": 2, "name": "Popote roulante", "brief_id": 102, "confidential": False}
TABLE = {"organization_id": 3, "name": "Table de concertation des aînés", "brief_id": 103, "confidential": False}
COOP = {"organization_id": 4, "name": "Coopérative de soutien à domicile", "brief_id": 104, "confidential": False}
JARDINS = {"organization_id": 5, "name": CONFIDENTIAL_NAME, "brief_id": 105, "confidential": True}


def _source(kind: str, id_: int, *, attachment_id: int | None = None, page: int | None = None,
            paragraph: int | None = None, label: str = "", filename: str | None = None) -> dict[str, Any]:
    source: dict[str, Any] = {"kind": kind, "id": id_, "attachment_id": attachment_id, "page": page,
                              "paragraph": paragraph, "label": label}
    if filename:
        source["filename"] = filename
    return source


def _count(key: str | None, value: int | None, label: str | None = None) -> dict[str, Any]:
    count: dict[str, Any] = {"key": key, "value": value, "suppressed": value is None}
    if label:
        count["label"] = label
    return count


def _position(stance: str, holder: dict[str, Any], text: str = "") -> dict[str, Any]:
    return {"stance": stance, "holder": dict(holder), "text": text}


_SAMPLE: dict[str, Any] = {
    "schema": 1,
    "round_id": 1,
    "title": "Consultation sur le portrait des besoins",
    "project": "Projet clinique PALV",
    "compiled_at": "2026-03-02T14:30:00+00:00",
    "inputs_until": "2026-03-01T22:10:00+00:00",
    "round_state": "closed",
    "themes_reviewed": True,
    "totals": {"comments": 148, "threads": 97, "briefs": 12, "confidential_briefs": 2, "attachments": 9,
               "pages_read": 64, "proposed_needs": 6, "supports": 230, "participants": 131, "campaigns": 1,
               "campaign_copies": 23},
    "participation": {
        "by_kind": [_count("citizen", 119), _count("organization", 12)],
        "by_organization_kind": [_count("autonomous_community", 6), _count("community", 3),
                                 _count("social_economy", None), _count("coalition", None)],
        "by_area": [_count("12", 41, "Centre-Sud"), _count("13", 27, "Hochelaga"), _count(None, 51)],
        "by_age_band": [_count("under_18", None), _count("18_34", 14), _count("35_49", 22), _count("50_64", 31),
                        _count("65_74", 28), _count("75_plus", 11), _count(None, 13)],
        "by_gender": [_count("woman", 71), _count("man", 38), _count("another", None), _count("undisclosed", 6),
                      _count(None, 12)],
        "by_population_group": [_count("seniors", 44), _count("caregivers", 29), _count("low_income", 17),
                                _count("newcomers", None), _count(None, 40)],
    },
    "themes": [
        {"id": 11, "key": "transport-adapte", "label": THEME_TRANSPORT,
         "description": "Se rendre aux rendez-vous médicaux le soir et la fin de semaine.", "state": "approved",
         "count": 61, "comments": 54, "briefs": 6, "proposed_needs": 1, "languages": {"fr": 57, "en": 4},
         "keyphrases": ["transport adapté", "rendez-vous médicaux", "autobus du soir"],
         "quotes": [
             {"text": FRENCH_QUOTE, "language": "fr", "source": _source("comment", 5001)},
             {"text": ENGLISH_QUOTE, "language": "en", "source": _source("comment", 5002)},
         ]},
        {"id": 12, "key": "isolement-social", "label": THEME_ISOLATION,
         "description": "Des aînés seuls chez eux, sans visite ni appel.", "state": "approved",
         "count": 38, "comments": 31, "briefs": 7, "proposed_needs": 0, "languages": {"fr": 38},
         "keyphrases": ["visites d'amitié", "aînés seuls"],
         "quotes": [
             {"text": BRIEF_QUOTE, "language": "fr",
              "source": _source("brief", 101, paragraph=2, label="Carrefour des aînés")},
         ]},
        {"id": 13, "key": "proches-aidants", "label": THEME_CAREGIVERS, "description": "", "state": "proposed",
         "count": 19, "comments": 14, "briefs": 4, "proposed_needs": 1, "languages": {"fr": 15, "en": 4},
         "keyphrases": ["répit", "proches aidants", "respite"],
         "quotes": [
             {"text": ATTACHMENT_QUOTE, "language": "fr",
              "source": _source("brief", 101, attachment_id=71, page=3, paragraph=2, label="Carrefour des aînés",
                                filename="memoire-carrefour.pdf")},
             {"text": CAREGIVER_QUOTE, "language": "en", "source": _source("comment", 5003)},
         ]},
    ],
    "items": [
        {"version_id": 21, "uid": "need-isolement", "kind": "need", "step": 1, "title": "Isolement des aînés",
         "supports": 57, "comments": 41,
         "positions": {"support": [_position("support", CARREFOUR), _position("support", TABLE)], "oppose": [],
                       "amend": [_position("amend", POPOTE, AMEND_TEXT)]},
         "agreement": "mixed", "minority": [],
         "themes": [{"id": 12, "label": THEME_ISOLATION, "count": 29}, {"id": 13, "label": THEME_CAREGIVERS,
                                                                         "count": 6}],
         "quotes": [{"text": "On se sent oubliés dès qu'on ne conduit plus.", "language": "fr",
                     "source": _source("comment", 5004)}]},
        {"version_id": 21, "uid": "need-transport", "kind": "need", "step": 1, "title": ITEM_CONSENSUS,
         "supports": 12, "comments": 30,
         "positions": {"support": [_position("support", CARREFOUR), _position("support", POPOTE)], "oppose": [],
                       "amend": []},
         "agreement": "consensus", "minority": [],
         "themes": [{"id": 11, "label": THEME_TRANSPORT, "count": 24}],
         "quotes": [{"text": ENGLISH_QUOTE, "language": "en", "source": _source("comment", 5002)}]},
        {"version_id": 21, "uid": "need-chroniques", "kind": "need", "step": 1, "title": ITEM_SILENT,
         "supports": 3, "comments": 0, "positions": {"support": [], "oppose": [], "amend": []},
         "agreement": "none", "minority": [], "themes": [], "quotes": []},
        {"version_id": 23, "uid": "gap-soir", "kind": "gap", "step": 3, "title": ITEM_DISAGREEMENT,
         "supports": 44, "comments": 18,
         "positions": {"support": [_position("support", CARREFOUR), _position("support", TABLE),
                                   _position("support", POPOTE)],
                       "oppose": [_position("oppose", COOP, PUBLIC_MINORITY_TEXT),
                                  _position("oppose", JARDINS, MINORITY_TEXT)],
                       "amend": []},
         "agreement": "disagreement",
         "minority": [_position("oppose", COOP, PUBLIC_MINORITY_TEXT), _position("oppose", JARDINS, MINORITY_TEXT)],
         "themes": [{"id": 13, "label": THEME_CAREGIVERS, "count": 7}],
         "quotes": [{"text": "Le soir, il n'y a personne pour aider mon conjoint à se coucher.", "language": "fr",
                     "source": _source("comment", 5005)}]},
    ],
    "agreements": [
        {"version_id": 21, "uid": "need-transport", "title": ITEM_CONSENSUS,
         "holders": [dict(CARREFOUR), dict(POPOTE)]},
    ],
    "disagreements": [
        {"version_id": 23, "uid": "gap-soir", "title": ITEM_DISAGREEMENT,
         "support": [_position("support", CARREFOUR), _position("support", TABLE), _position("support", POPOTE)],
         "oppose": [_position("oppose", COOP, PUBLIC_MINORITY_TEXT), _position("oppose", JARDINS, MINORITY_TEXT)],
         "amend": []},
    ],
    "campaigns": [
        {"text": CAMPAIGN_TEXT, "language": "fr", "count": 23, "source": _source("comment", 5100),
         "themes": [{"id": 11, "label": THEME_TRANSPORT, "count": 23}]},
    ],
    "proposed_needs": [
        {"id": 301, "title": "Soutien psychologique aux proches aidants",
         "description": "Des groupes de soutien le soir, près de chez nous.", "state": "proposed", "area": "Centre-Sud",
         "source": _source("proposed_need", 301)},
    ],
    "answers": {"by_outcome": [_count("retained", 14), _count("partly_retained", 9), _count("not_retained", 3),
                               _count("out_of_scope", 2)], "answered": 28, "unanswered": 137},
    "extraction_problems": [
        {"brief_id": 104, "attachment_id": 72, "filename": PROBLEM_FILENAME, "status": "no_text_layer", "pages": 4,
         "reason": None, "limit": 0},
    ],
}


def sample_content(round_id: int = 1, **changes: Any) -> dict[str, Any]:
    """A fresh copy of the sample, for `round_id`; keyword arguments replace top-level keys."""
    content = copy.deepcopy(_SAMPLE)
    content["round_id"] = round_id
    content.update(copy.deepcopy(changes))
    return content
