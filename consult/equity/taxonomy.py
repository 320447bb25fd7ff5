"""The taxonomy of the equity lens: built-in tags in four groups, plus each establishment's local tags.

- dimension: material (access to resources: income, housing, services), relational (social ties, stigma,
  self-esteem, isolation), decisional (capacity to act, having a say in planning and services);
- social_relation: the relations that produce inequality: gender, class, ethnicity, age, and others;
- community: territorial (a neighbourhood, a village), of identity, of interest;
- side: objective (unequal access, measured) or perceived (what people experience). Reported separately.

Keys are stable (stored on inputs); labels are translated when shown. Each built-in tag has French and
English keywords for the pipeline's suggestions: a word matches that word and its plural, a word ending in
"*" matches every word it starts ("isol*": isolement, isolé, isolation), a phrase matches its words in a row.

A key that no longer resolves (a built-in tag removed from a later version of the code) is still shown, by
its key, on the inputs that carry it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.core.db import db
from consult.equity.models import LOCAL_PREFIX, LocalGroup, LocalTag

GROUPS = ("dimension", "social_relation", "community", "side", "local")
GROUP_LABELS = {
    "dimension": _l("Dimension of inequality"),
    "social_relation": _l("Social relation"),
    "community": _l("Type of community"),
    "side": _l("Objective or perceived"),
    "local": _l("Local code list"),
}


@dataclass(frozen=True)
class BuiltinTag:
    key: str
    group: str
    label: Any                 # lazy string
    description: Any           # lazy string
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _kw(text: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in text.split(",") if k.strip())


BUILTIN_TAGS: tuple[BuiltinTag, ...] = (
    BuiltinTag("material", "dimension", _l("Material"),
               _l("Access to resources: income, housing, services."),
               {"fr": _kw("revenu*, pauvre*, pauvreté, faible revenu, pension*, argent, coût*, cout*, payer, loyer*, "
                          "logement*, épicerie, insécurité alimentaire, facture*, médicament*, accès, délai*, "
                          "liste* d'attente, attente, transport*, soins à domicile, soutien à domicile"),
                "en": _kw("income*, poverty, poor, pension*, money, cost*, afford*, rent, rents, housing, "
                          "grocer*, food insecurity, bill*, medication*, access*, delay*, waiting list*, wait*, "
                          "transport*, home care")}),
    BuiltinTag("relational", "dimension", _l("Relational"),
               _l("Social ties, stigma, self-esteem, isolation."),
               {"fr": _kw("isol*, seul, seule, solitude, lien* social*, liens sociaux, voisin*, stigmat*, préjugé*, "
                          "honte, estime de soi, exclusion, exclu*, rejet*, famille, ami*, entraide, visite* d'amitié"),
                "en": _kw("isolat*, isolated, alone, lonel*, social tie*, neighbour*, neighbor*, stigma*, "
                          "prejudice*, shame, self-esteem, self esteem, exclu*, friend*, family, visit*")}),
    BuiltinTag("decisional", "dimension", _l("Decisional"),
               _l("Capacity to act, autonomy, having a say in planning, organizing, delivering and evaluating "
                  "services."),
               {"fr": _kw("décid*, décision*, pouvoir d'agir, mot à dire, consult*, particip*, écout*, voix, choix, "
                          "choisir, planification, gouvernance, représent*, comité*, implication, impliqu*"),
                "en": _kw("decid*, decision*, have a say, a say in, consult*, particip*, listen*, voice, choice*, "
                          "choose, empower*, represent*, committee*, involv*, governance")}),
    BuiltinTag("gender", "social_relation", _l("Gender"),
               _l("Inequalities between women, men and people of other gender identities."),
               {"fr": _kw("femme*, homme*, genre, sexe, mère*, père*, veuve*, veuf*, aidante*, masculin*, féminin*"),
                "en": _kw("women, woman, men, man, gender, mother*, father*, widow*, female, male")}),
    BuiltinTag("class", "social_relation", _l("Social class"),
               _l("Income, education, work: inequalities between social classes."),
               {"fr": _kw("pauvreté, pauvre*, faible revenu, revenu*, défavoris*, classe sociale, scolarit*, "
                          "emploi*, chômage, aide sociale, précarit*, riche*, pension de vieillesse"),
                "en": _kw("poverty, poor, low income, low-income, income*, disadvantaged, social class, "
                          "education, employ*, unemploy*, welfare, precarious*, wealth*, old age pension")}),
    BuiltinTag("ethnicity", "social_relation", _l("Ethnicity"),
               _l("Inequalities tied to origin, culture, language, racism, Indigenous peoples."),
               {"fr": _kw("immigr*, nouveaux arrivants, nouvel arrivant, ethni*, culturel*, racis*, autochtone*, "
                          "premières nations, inuit*, langue*, allophone*, réfugié*, discrimination"),
                "en": _kw("immigra*, newcomer*, ethnic*, cultur*, racis*, indigenous, first nations, inuit, "
                          "language*, refugee*, discrimination")}),
    BuiltinTag("age", "social_relation", _l("Age"),
               _l("Inequalities tied to age: seniors, young people."),
               {"fr": _kw("aîné*, aine*, âgé*, agé*, vieill*, jeune*, âge, retraite*, retraité*, 65 ans, 75 ans, "
                          "80 ans"),
                "en": _kw("senior*, elder*, older, aged, ageing, aging, youth, young, retire*")}),
    BuiltinTag("other_relation", "social_relation", _l("Other social relation"),
               _l("Other relations that produce inequality: disability, sexual orientation, mental health, "
                  "housing status."),
               {"fr": _kw("handicap*, incapacit*, fauteuil roulant, mobilité réduite, orientation sexuelle, lgbt*, "
                          "santé mentale, itinéran*"),
                "en": _kw("disabilit*, disabled, wheelchair*, reduced mobility, sexual orientation, lgbt*, "
                          "mental health, homeless*")}),
    BuiltinTag("territorial", "community", _l("Territorial community"),
               _l("A neighbourhood, a village, a local area."),
               {"fr": _kw("quartier*, village*, voisinage, secteur*, municipalit*, rue*, immeuble*, rural*, "
                          "territoire*"),
                "en": _kw("neighbourhood*, neighborhood*, village*, district*, rural, street*, building*, "
                          "sidewalk*")}),
    BuiltinTag("identity", "community", _l("Community of identity"),
               _l("For example LGBTQ people, Indigenous peoples, an immigrant community."),
               {"fr": _kw("lgbt*, autochtone*, premières nations, communauté* culturelle*, ethnoculturel*, "
                          "anglophone*, communauté immigrante"),
                "en": _kw("lgbt*, indigenous, first nations, ethnocultural, anglophone*, francophone*, "
                          "immigrant community")}),
    BuiltinTag("interest", "community", _l("Community of interest"),
               _l("For example users of mental-health services, people experiencing homelessness, caregivers."),
               {"fr": _kw("usager*, proche* aidant*, itinéran*, santé mentale, locataire*, bénévole*"),
                "en": _kw("service user*, users, caregiver*, homeless*, mental health, tenant*, volunteer*")}),
    BuiltinTag("objective", "side", _l("Objective"),
               _l("Unequal access, as measured: figures, rates, waiting times."),
               {"fr": _kw("statistique*, données, taux, pourcentage, %, chiffre*, mesur*, recensement, nombre, "
                          "délai médian, jours, semaines, mois"),
                "en": _kw("statistic*, data, rate, rates, percent*, %, figure*, measur*, census, number, median, "
                          "days, weeks, months")}),
    BuiltinTag("perceived", "side", _l("Perceived"),
               _l("What people experience and feel."),
               {"fr": _kw("je me sens, se sentir, sentiment*, ressen*, vécu*, impression, peur*, crainte*, "
                          "inquiet*, inquiétude*, frustr*, difficile*, honte, expérience*, on se sent"),
                "en": _kw("i feel, feel*, felt, experienc*, fear*, afraid, worr*, frustrat*, hard, difficult*, "
                          "impression, lived")}),
)

BUILTIN: dict[str, BuiltinTag] = {tag.key: tag for tag in BUILTIN_TAGS}
DIMENSIONS = tuple(t.key for t in BUILTIN_TAGS if t.group == "dimension")
SOCIAL_RELATIONS = tuple(t.key for t in BUILTIN_TAGS if t.group == "social_relation")
COMMUNITIES = tuple(t.key for t in BUILTIN_TAGS if t.group == "community")
SIDES = tuple(t.key for t in BUILTIN_TAGS if t.group == "side")


@dataclass(frozen=True)
class TagInfo:
    """A tag as shown: built-in, local, or unknown (removed from the code); `retired` ones stay readable."""

    key: str
    group: str
    label: str
    description: str = ""
    local: bool = False
    retired: bool = False
    known: bool = True
    list_name: str = ""

    @property
    def group_label(self) -> str:
        return str(GROUP_LABELS.get(self.group, ""))

    @property
    def display(self) -> str:
        """The label with what a reader must know: retired, or no longer in the taxonomy."""
        if not self.known:
            return _("%(key)s (no longer in the taxonomy)", key=self.key)
        if self.retired:
            return _("%(label)s (retired)", label=self.label)
        return self.label


def local_id(key: str) -> int | None:
    if not key.startswith(LOCAL_PREFIX):
        return None
    try:
        return int(key[len(LOCAL_PREFIX):])
    except ValueError:
        return None


def _lang() -> str:
    from consult.i18n.locale import current_lang

    try:
        return current_lang()
    except RuntimeError:  # no application context: French, the default
        return "fr"


def local_info(tag: LocalTag, lang: str | None = None) -> TagInfo:
    group = tag.group.value
    return TagInfo(key=tag.key, group=group, label=tag.label_for(lang or _lang()), local=True,
                   retired=tag.is_retired, list_name=tag.list_name or "")


def builtin_info(tag: BuiltinTag) -> TagInfo:
    return TagInfo(key=tag.key, group=tag.group, label=str(tag.label), description=str(tag.description))


def resolve_many(keys: set[str] | list[str]) -> dict[str, TagInfo]:
    """TagInfo of each key, local tags read in one query; unknown keys resolve to a readable stand-in."""
    ids = {i for i in (local_id(k) for k in keys) if i is not None}
    locals_ = {t.id: t for t in db.session.scalars(select(LocalTag).where(LocalTag.id.in_(ids)))} if ids else {}
    found: dict[str, TagInfo] = {}
    for key in keys:
        if key in BUILTIN:
            found[key] = builtin_info(BUILTIN[key])
            continue
        tag_id = local_id(key)
        if tag_id is not None and tag_id in locals_:
            found[key] = local_info(locals_[tag_id])
        else:
            found[key] = TagInfo(key=key, group="local", label=key, known=False)
    return found


def resolve(key: str) -> TagInfo:
    return resolve_many([key])[key]


def local_tags(establishment_id: int, *, active_only: bool = True) -> list[LocalTag]:
    stmt = select(LocalTag).where(LocalTag.establishment_id == establishment_id)
    if active_only:
        stmt = stmt.where(LocalTag.retired_at.is_(None))
    return list(db.session.scalars(stmt.order_by(LocalTag.group, LocalTag.list_name, LocalTag.label_fr,
                                                 LocalTag.id)))


def available(establishment_id: int) -> list[TagInfo]:
    """The tags a person may put on an input of this establishment's rounds: built-in ones, then its active
    local ones, group by group."""
    infos = [builtin_info(t) for t in BUILTIN_TAGS] + [local_info(t) for t in local_tags(establishment_id)]
    order = {group: n for n, group in enumerate(GROUPS)}
    return sorted(infos, key=lambda info: (order.get(info.group, len(GROUPS)), not info.local))


def keywords_of(establishment_id: int | None) -> dict[str, dict[str, tuple[str, ...]]]:
    """Keywords by tag key, for suggestions: built-in tags and the establishment's active local tags."""
    found = {tag.key: tag.keywords for tag in BUILTIN_TAGS}
    if establishment_id is not None:
        for tag in local_tags(establishment_id):
            words = tag.keywords()
            if words["fr"] or words["en"]:
                found[tag.key] = words
    return found


def label(key: str) -> str:
    """For templates: the reader's-language label of a key (built-in, local, or the key itself)."""
    return resolve(key).display


LOCAL_GROUP_LABELS = {
    LocalGroup.social_relation: _l("Another social relation"),
    LocalGroup.community: _l("Another type of community"),
    LocalGroup.local: _l("A code list of the establishment"),
}
