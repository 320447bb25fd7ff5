"""French and English text of the kind participants write about health and social services planning,
assembled from sentence parts with a seeded random generator. Used for benchmark data only: realistic
length, vocabulary and repetition (including a form-letter campaign), never shown as real opinions."""

from __future__ import annotations

import random

TOPICS_FR = [
    ("l'isolement des aînés", "les visites d'amitié et les appels de bienveillance"),
    ("le transport adapté", "des navettes vers les cliniques et un transport adapté plus souple"),
    ("le soutien à domicile", "plus d'heures de soins à domicile le soir et la fin de semaine"),
    ("l'épuisement des proches aidants", "du répit et un accompagnement pour les proches aidants"),
    ("l'accès en santé mentale", "des services de santé mentale sans liste d'attente de plusieurs mois"),
    ("le logement abordable", "des logements sociaux adaptés près des services"),
    ("la sécurité alimentaire", "des popotes roulantes et des cuisines collectives"),
    ("les barrières linguistiques", "de l'interprétariat et des documents dans plusieurs langues"),
    ("les délais d'attente", "des délais d'attente publiés et des suivis plus rapides"),
    ("la fracture numérique", "un accès aux services sans obligation de passer par Internet"),
]
TOPICS_EN = [
    ("isolation among seniors", "friendly visits and regular check-in calls"),
    ("adapted transport", "shuttles to clinics and more flexible adapted transport"),
    ("home care", "more home care hours in the evenings and on weekends"),
    ("caregiver burnout", "respite and support for family caregivers"),
    ("access to mental health care", "mental health services without months of waiting"),
    ("affordable housing", "adapted social housing close to services"),
    ("food security", "meals on wheels and community kitchens"),
    ("language barriers", "interpreters and documents in several languages"),
    ("waiting times", "published waiting times and faster follow-up"),
    ("the digital divide", "access to services without having to go online"),
]
AREAS = ["Centre-Sud", "Hochelaga", "Mercier-Est", "Rosemont", "Saint-Michel", "Villeray", "Ahuntsic",
         "Montréal-Nord", "Pointe-aux-Trembles", "Anjou"]

OPENERS_FR = ["Dans notre quartier, {topic} est un problème quotidien.",
              "Je constate depuis des années que {topic} touche surtout les personnes seules.",
              "Le portrait oublie {topic}, pourtant c'est ce dont on parle le plus à {area}.",
              "Notre organisme voit chaque semaine les effets de {topic}.",
              "À {area}, {topic} empêche bien des gens de recevoir les soins dont ils ont besoin."]
MIDDLES_FR = ["Les familles nous disent qu'elles ne savent pas à qui s'adresser.",
              "Les listes d'attente s'allongent et les personnes abandonnent.",
              "Les organismes communautaires compensent, mais sans financement stable.",
              "Les aînés qui vivent seuls sont les premiers touchés.",
              "Les données du CLSC ne montrent pas ce que vivent les gens sur le terrain."]
ASKS_FR = ["Nous demandons {ask}.", "Il faudrait prévoir {ask} dans l'offre de service.",
           "La priorité devrait être {ask}.", "Nous proposons {ask}, en partenariat avec les organismes du milieu."]
OPENERS_EN = ["In our neighbourhood, {topic} is a daily problem.",
              "For years I have seen {topic} hit people who live alone the hardest.",
              "The portrait leaves out {topic}, yet it is what people in {area} talk about most.",
              "Our organization sees the effects of {topic} every week."]
MIDDLES_EN = ["Families tell us they do not know whom to call.", "Waiting lists grow and people give up.",
              "Community groups fill the gap without stable funding.",
              "Seniors living alone are hit first."]
ASKS_EN = ["We ask for {ask}.", "The service offer should include {ask}.", "The priority should be {ask}."]

CAMPAIGN_FR = ("Je signe cette lettre avec les membres de la Coalition pour le maintien à domicile : nous "
               "demandons au CISSS d'ajouter au projet clinique des heures de soutien à domicile le soir et la fin "
               "de semaine, et de financer à la mission les organismes qui offrent du répit aux proches aidants.")


def comment(rng: random.Random, lang: str = "fr") -> str:
    """A comment of one to four sentences."""
    topics, openers, middles, asks = ((TOPICS_EN, OPENERS_EN, MIDDLES_EN, ASKS_EN) if lang == "en"
                                      else (TOPICS_FR, OPENERS_FR, MIDDLES_FR, ASKS_FR))
    topic, ask = rng.choice(topics)
    parts = [rng.choice(openers).format(topic=topic, area=rng.choice(AREAS))]
    parts += rng.sample(middles, rng.randint(0, 2))
    if rng.random() < 0.7:
        parts.append(rng.choice(asks).format(ask=ask))
    return " ".join(parts)


def campaign_letter(rng: random.Random) -> str:
    """The form letter of a campaign, with the small variations people make when they sign one."""
    variants = ["", " Merci de nous écouter.", " Ma mère attend depuis huit mois.", " — une proche aidante"]
    return CAMPAIGN_FR + rng.choice(variants)


def brief_pages(rng: random.Random, organization: str, pages: int = 5) -> list[str]:
    """The pages of a brief: a title page, then paragraphs of arguments and asks."""
    out = [f"Mémoire de {organization}\n\nConsultation sur le projet clinique\n\n"
           + " ".join(comment(rng) for _ in range(3))]
    for number in range(2, pages + 1):
        paragraphs = [f"{number}. " + " ".join(comment(rng) for _ in range(3)) for _ in range(4)]
        out.append("\n".join(paragraphs))
    return out
