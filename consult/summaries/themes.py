"""Themes: propose them from the inputs alone, then assign the themes a planner approved to every input.

`propose_themes` clusters the analyses (TF-IDF over bilingual lemma "concepts", non-negative matrix
factorization, k chosen by silhouette) and labels each cluster from its distinctive keyphrases; each theme
carries the indices of its members and representative quotes (the sentences closest to the cluster's centre,
each with the index of its input and of the sentence, so the caller links the exact source).

The measured quality and how the settings were chosen are in docs/summaries.md.

`assign` scores each input against each approved theme (its label, description and the examples a planner
kept) and returns every theme that fits, best first, or none when nothing fits.

Both work on French and English together. English lemmas are mapped to French ones through a small
embedded lexicon of the vocabulary of health and social services (`_LEXICON`), and French derived forms to
one lemma of their family (`_FAMILIES`), so "caregivers are exhausted" and "l'épuisement des proches aidants"
share features. Character n-grams of the lemmas catch what the lexicon misses (cognates, typos, words typed
without accents). Everything runs locally and is deterministic for a given seed.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from consult.summaries.analysis import Analysis, Language, analyse_many, fold

# --------------------------------------------------------------------------------------- bilingual concepts

# English lemma (as `analysis` produces it) → French lemma. General vocabulary of health and social services
# and of community life, written for this platform (see docs/summaries.md); one pair per line.
_LEXICON_TEXT = """
abuse abus|access accès|accessible accessible|accommodation hébergement|accompany accompagnement
accompaniment accompagnement|accountability reddition|activity activité|addict dépendance
addiction dépendance|adolescent adolescent|adult adulte|advice conseil|advocacy défense|affordable abordable
age âge|aged aîné|agency agence|ageing vieillissement|aging vieillissement|agreement entente|aid aide
alcohol alcool|alone seul|ambulance ambulance|anxiety anxiété|appointment rendez-vous|area secteur
assessment évaluation|assistance aide|assistant auxiliaire|autism autisme|autonomy autonomie|baby bébé
basket panier|bath bain|bathe bain|bed lit|belong appartenance|benefit prestation|bilingual bilingue
birth naissance|blood sang|board conseil|book livre|boy garçon|breakfast déjeuner|budget budget
building immeuble|burnout épuisement|bus autobus|cafeteria cafétéria|call appel|cancer cancer|car voiture
care soin|career carrière|caregiver aidant|caregiving aidant|carer aidant|center centre|centre centre
charity charité|check vérification|child enfant|childcare garde|childhood enfance|chronic chronique
church église|citizen citoyen|city ville|clean propre|client usager|clinic clinique|coalition regroupement
cold froid|committee comité|community communauté|companion compagnon|companionship compagnie
consumption consommation|continuity continuité|contract contrat|cook cuisine|cooking cuisine|cost coût
counsel conseil|counseling counselling|counsellor intervenant|counselor intervenant|country campagne
countryside campagne|county comté|crime crime|crisis crise|cultural culturel|culture culture|cut coupure
daughter fille|daycare garderie|deaf sourd|death décès|debt dette|decision décision|delay délai
dementia démence|dental dentaire|dentist dentiste|depression dépression|detox désintoxication
development développement|diabetes diabète|dialysis dialyse|diet alimentation|dignity dignité
disability handicap|disable handicap|disabled handicap|discharge congé|discrimination discrimination
distance distance|distress détresse|doctor médecin|donation don|drink boire|drinking alcool|drive conduire
driver chauffeur|dropout décrochage|drug drogue|early précoce|eat manger|education éducation|elder aîné
elderly aîné|emergency urgence|employee employé|employment emploi|empty vide|english anglais
equipment équipement|evaluation évaluation|evening soir|eviction éviction|exhaust épuisement
exhausted épuisement|exhaustion épuisement|expertise expertise|family famille|farm ferme|farmer agriculteur
father père|fatigue fatigue|fear peur|fee frais|female femme|financial financier|fire incendie|floor étage
follow-up suivi|food aliment|fragile fragile|fraud fraude|free gratuit|french français|fridge réfrigérateur
friend ami|friendly amical|friendship amitié|fund financement|funding financement|gambling jeu|gap écart
garden jardin|gas essence|girl fille|government gouvernement|grandchild petit-enfant|grandmother grand-mère
grant subvention|grocery épicerie|group groupe|guide guide|harm méfait|health santé|healthy sain
hearing audition|heat chauffage|help aide|helpline ligne|highway route|home domicile|homecare domicile
homeless itinérance|homelessness itinérance|hospital hôpital|hospitalization hospitalisation|hour heure
house logement|household ménage|housing logement|hunger faim|hungry faim|hygiene hygiène|illness maladie
immigrant immigrant|immigration immigration|income revenu|independence autonomie|independent autonome
indigenous autochtone|inequality inégalité|infant nourrisson|information information|injection injection
insurance assurance|intake accueil|internet internet|interpret interprète|interpreter interprète
interpreting interprète|intervention intervention|isolate isolement|isolated isolement|isolation isolement
job emploi|kid enfant|kitchen cuisine|landlord propriétaire|language langue|lease bail|leave congé
licence permis|license permis|line ligne|list liste|literacy littératie|loneliness isolement
lonely isolement|long-term longue|lunch dîner|maintenance entretien|male homme|meal repas|medical médical
medication médicament|medicine médicament|meeting rencontre|member membre|mental mental|midwife sage-femme
mileage kilométrage|minority minorité|mission mission|mobile mobile|mobility mobilité|money argent
month mois|mother mère|mould moisissure|mold moisissure|move déménagement|municipality municipalité
naloxone naloxone|neighbour voisin|neighbor voisin|neighbourhood quartier|neighborhood quartier
newcomer nouvel|night nuit|nurse infirmier|nursing soin|nutrition nutrition|nutritionist nutritionniste
office bureau|old vieux|online ligne|opioid opioïde|organization organisme|organisation organisme
overdose surdose|overload surcharge|paperwork paperasse|parent parent|parenting parentalité|park parc
parking stationnement|partner partenaire|partnership partenariat|patient patient|pay payer|peer pair
pension pension|people personne|permanent permanent|person personne|pharmacist pharmacien
pharmacy pharmacie|phone téléphone|physician médecin|physiotherapy physiothérapie|plan plan
planning planification|police police|poor pauvre|population population|poverty pauvreté|pregnancy grossesse
pregnant grossesse|premise local|prescription ordonnance|prevention prévention|prison prison|program programme
programme programme|project projet|protection protection|province province|psychiatric psychiatrique
psychiatrist psychiatre|psychologist psychologue|psychotherapy psychothérapie|public public|queue attente
recognition reconnaissance|recovery rétablissement|reduction réduction|referral référence|refugee réfugié
region région|rehabilitation réadaptation|relief soulagement|remote éloigné|rent loyer|report rapport
reporting reddition|residence résidence|resident résident|resource ressource|respite répit|rest repos
retirement retraite|ride transport|right droit|risk risque|road route|room chambre|rural rural|safe sécuritaire
safety sécurité|salary salaire|school école|screening dépistage|security sécurité|senior aîné|service service
shelter hébergement|shift quart|shopping course|shortage pénurie|shuttle navette|sick malade|sign signe
social social|son fils|specialist spécialiste|speech parole|staff personnel|stigma stigmatisation
stigmatization stigmatisation|street rue|stress stress|student étudiant|subsidized subventionné
subsidy subvention|substance substance|suicide suicide|supervised supervisé|supply approvisionnement
support soutien|surgery chirurgie|taxi taxi|teacher enseignant|teen adolescent|teenager adolescent
telephone téléphone|tenant locataire|therapist thérapeute|therapy thérapie|town ville|train formation
training formation|transit transport|translate traduction|translation traduction|transport transport
transportation transport|trauma traumatisme|travel déplacement|treatment traitement|trip déplacement
unemployment chômage|unit unité|university université|user usager|vaccine vaccin|vaccination vaccination
village village|violence violence|visit visite|volunteer bénévole|vulnerable vulnérable|wage salaire
wait attente|waiting attente|walk-in sans-rendez-vous|week semaine|weekend fin-de-semaine|welfare aide
wheelchair fauteuil|wife conjoint|husband conjoint|winter hiver|woman femme|work travail|worker travailleur
workshop atelier|year année|young jeune|youth jeune|weekly hebdomadaire|daily quotidien|lunchtime dîner
"""

# French lemmas of one family → the lemma that stands for it (verbs and adjectives → the noun; feminine
# forms the lookup table leaves → masculine). One family per line: target, then its members.
_FAMILIES_TEXT = """
aliment alimentaire alimentation nourriture nourrir
isolement isoler isolé solitude solitaire
itinérance itinérant
handicap handicapé
financement financer financier subventionner subvention
transport transporter déplacement déplacer
logement loger logis
hébergement héberger
épuisement épuiser épuisé
consommation consommer consommateur
aide aider
soin soigner soignant
attente attendre
aîné âgé vieillir vieillissement
jeune jeunesse adolescent ado adolescence
interprète interprétariat interpréter interprétation
traduction traduire
médecin docteur
rendez-vous rdv
travailleur travailleuse
intervenant intervenante
infirmier infirmière
réfugié réfugier
usager usagère
bénévole bénévolat
autonomie autonome
dépendance dépendant
accompagnement accompagner accompagnateur
fin-de-semaine weekend
"""


def _pairs(text: str) -> dict[str, str]:
    pairs = {}
    for item in re.split(r"[|\n]", text):
        if item.strip():
            english, french = item.split()
            pairs[fold(english)] = fold(french)
    return pairs


def _families(text: str) -> dict[str, str]:
    families = {}
    for line in text.strip().splitlines():
        target, *members = (fold(word) for word in line.split())
        for member in members:
            families[member] = target
    return families


_LEXICON = _pairs(_LEXICON_TEXT)
_FAMILIES = _families(_FAMILIES_TEXT)


@functools.lru_cache(maxsize=200_000)
def concept(lemma: str, language: Language, *, bilingual: bool = True) -> str:
    """The language-neutral form of a lemma: folded, English mapped to French, a family to one lemma."""
    word = fold(lemma)
    if not bilingual:
        return word
    if language == "en":
        word = _LEXICON.get(word, word)
    return _FAMILIES.get(word, word)


# ------------------------------------------------------------------------------------------------ features


@dataclass(frozen=True)
class Settings:
    """How texts become vectors and how scores become themes. The defaults are the measured choice
    (docs/summaries.md); the functions of consult/summaries/evaluate.py take others to compare."""

    bilingual: bool = True          # map English to French through the lexicon
    bigrams: bool = True            # adjacent concepts within a sentence
    char_weight: float = 1.5        # weight of the character n-gram block against the concept block (0 = none)…
    cluster_char_weight: float = 0.5    # …in assignment, and in proposal
    min_df: int = 1
    # propose_themes
    min_themes: int = 4
    sample: int = 1_000             # inputs on which the number of themes is chosen
    # assign
    description_share: float = 0.7      # weight of the label and description in a theme's centre, vs examples
    neighbours: int = 3                 # mean of the k most similar examples of a theme
    centroid_weight: float = 0.8        # score = w · centroid similarity + (1 − w) · neighbour similarity
    threshold: float = 0.10             # a theme fits when its score reaches this…
    relative: float = 0.9               # …and this share of the best theme's score


DEFAULT = Settings()


def _concept_sentences(analysis: Analysis, settings: Settings) -> list[list[str]]:
    return [[concept(lemma, analysis.language, bilingual=settings.bilingual) for lemma in sentence.lemmas]
            for sentence in analysis.sentences]


def _terms(sentences: list[list[str]], settings: Settings) -> list[str]:
    terms = [word for sentence in sentences for word in sentence]
    if settings.bigrams:
        terms += [f"{a} {b}" for sentence in sentences for a, b in itertools.pairwise(sentence)
                  if a != b]
    return terms


def _identity(items: list[str]) -> list[str]:
    return items


class Vectorizer:
    """TF-IDF over concepts (and their pairs), plus TF-IDF over character n-grams of the concepts (3 to 5
    characters, within words), the two blocks weighted by `settings.char_weight`, rows L2-normalized.

    The character counts of a text are its word counts times each word's n-gram counts: the same numbers as
    running a character analyzer over every text, computed once per distinct word (fifty times faster on
    50,000 comments)."""

    def __init__(self, settings: Settings = DEFAULT) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.settings = settings
        self.words = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=settings.min_df, norm="l2")
        self.use_chars = settings.char_weight > 0

    def fit(self, documents: Sequence[list[list[str]]]) -> Vectorizer:
        from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

        self.words.fit([_terms(sentences, self.settings) for sentences in documents])
        if self.use_chars:
            unigrams = [[word for sentence in sentences for word in sentence] for sentences in documents]
            self.vocabulary = CountVectorizer(analyzer=_identity).fit(unigrams)
            spelled = self.vocabulary.get_feature_names_out().tolist()
            self.spelling = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(spelled)
            counts = (self.vocabulary.transform(unigrams) @ self.spelling).tocsr()
            document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
            self.kept = np.flatnonzero(document_frequency >= 2)    # an n-gram of one text links nothing
            self.chars = TfidfTransformer(sublinear_tf=True, norm="l2").fit(counts[:, self.kept])
        return self

    def transform(self, documents: Sequence[list[list[str]]]) -> sparse.csr_matrix:
        matrix = self.words.transform([_terms(sentences, self.settings) for sentences in documents])
        if self.use_chars:
            unigrams = [[word for sentence in sentences for word in sentence] for sentences in documents]
            counts = (self.vocabulary.transform(unigrams) @ self.spelling).tocsr()[:, self.kept]
            weight = self.settings.char_weight
            matrix = sparse.hstack([matrix * math.sqrt(1 / (1 + weight)),
                                    self.chars.transform(counts) * math.sqrt(weight / (1 + weight))]).tocsr()
        return _normalize_rows(matrix)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm else vector


def _normalize_rows(matrix):
    from sklearn.preprocessing import normalize

    return normalize(matrix, norm="l2", axis=1)


# ----------------------------------------------------------------------------------------- proposed themes


@dataclass(frozen=True, slots=True)
class Quote:
    input: int                  # index of the analysis (the caller's input) the sentence comes from
    sentence: int               # index of the sentence in that analysis
    text: str
    score: float                # cosine similarity to the theme's centre


@dataclass(frozen=True, slots=True)
class ProposedTheme:
    key: str                    # stable within one proposal: derived from the label
    label: str
    language: Language          # of the label: the majority language of the members
    keyphrases: tuple[str, ...]     # distinctive keyphrases as participants wrote them, best first
    members: tuple[int, ...]        # indices of the analyses, ascending
    quotes: tuple[Quote, ...]
    languages: dict[str, int] = field(default_factory=dict)    # members per language

    @property
    def size(self) -> int:
        return len(self.members)


def propose_themes(analyses: Sequence[Analysis], *, seed: int = 0, max_themes: int = 12, quotes: int = 3,
                   settings: Settings = DEFAULT) -> list[ProposedTheme]:
    """Themes found in the analyses alone, largest first (see the module docstring).

    Non-negative matrix factorization of the TF-IDF matrix; each input belongs to its strongest component.
    The number of themes is the k between `settings.min_themes` and `max_themes` whose partition has the best
    cosine silhouette (chosen on a sample of `settings.sample` inputs when there are more). Inputs without
    any content word belong to no theme. Pass each campaign once (see `analysis.near_duplicates`), or a form
    letter signed 3,000 times becomes a theme of its own."""
    indices = [i for i, analysis in enumerate(analyses) if analysis.lemmas]
    if len(indices) < 2:
        return []
    settings = dataclasses.replace(settings, char_weight=settings.cluster_char_weight)
    documents = [_concept_sentences(analyses[i], settings) for i in indices]
    vectorizer = Vectorizer(settings).fit(documents)
    matrix = vectorizer.transform(documents)
    labels = _cluster(matrix, seed=seed, low=settings.min_themes, high=max_themes, sample=settings.sample)

    themes = []
    taken: set[str] = set()
    clustered = labels >= 0
    keyphrase_scores, surfaces = _keyphrase_scores([analyses[i] for i, ok in zip(indices, clustered, strict=True)
                                                    if ok], labels[clustered])
    for cluster in sorted(set(labels[clustered].tolist()), key=lambda c: (-int((labels == c).sum()), c)):
        rows = np.flatnonzero(labels == cluster)
        members = tuple(indices[r] for r in rows)
        language_counts = Counter(analyses[i].language for i in members)
        language: Language = "fr" if language_counts["fr"] >= language_counts["en"] else "en"
        phrases = _top_keyphrases(keyphrase_scores[cluster], surfaces, language)
        label = _label(phrases)
        key = _unique_key(_slug(label) or f"theme-{cluster + 1}", taken)
        centre = np.asarray(matrix[rows].mean(axis=0)).ravel()
        themes.append(ProposedTheme(
            key=key, label=label, language=language, keyphrases=tuple(phrases[:8]), members=members,
            quotes=_quotes(analyses, members, matrix[rows], vectorizer, centre, settings, quotes),
            languages=dict(sorted(language_counts.items())),
        ))
    return themes


def _factorize(matrix, k: int, seed: int):
    from sklearn.decomposition import NMF

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # not converging to 1e-4 in max_iter changes no argmax that matters
        return NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=200).fit(matrix)


def _labels(model, matrix) -> np.ndarray:
    weights = model.transform(matrix)
    labels = weights.argmax(axis=1)
    labels[weights.max(axis=1) <= 0] = -1
    return labels


def _cluster(matrix, *, seed: int, low: int, high: int, sample: int) -> np.ndarray:
    """Component labels (−1: none) for the k in [low, high] with the best cosine silhouette."""
    from sklearn.metrics import silhouette_score

    n = matrix.shape[0]
    high = max(2, min(high, n - 1))
    low = max(2, min(low, high))
    rows = np.arange(n)
    if n > sample:
        rows = np.sort(np.random.default_rng(seed).choice(n, size=sample, replace=False))
    part = matrix[rows]
    best: tuple[float, int] | None = None
    for k in range(low, high + 1):
        labels = _labels(_factorize(part, k, seed), part)
        kept = labels >= 0
        # The silhouette needs 2 to (inputs − 1) groups: two inputs in two groups, say, have none.
        if not 2 <= len(set(labels[kept].tolist())) < int(kept.sum()):
            continue
        score = float(silhouette_score(part[kept], labels[kept], metric="cosine"))
        if best is None or score > best[0] + 1e-9:
            best = (score, k)
    if best is None:
        return np.zeros(n, dtype=int)
    # The components are learnt on at most `fit_rows` inputs; every input is then projected on them.
    fit_rows = np.arange(n)
    if n > _FIT_ROWS:
        fit_rows = np.sort(np.random.default_rng(seed + 1).choice(n, size=_FIT_ROWS, replace=False))
    return _labels(_factorize(matrix[fit_rows], best[1], seed), matrix)


_FIT_ROWS = 5_000


Phrase = tuple[str, str]       # (language, lemma key)


def _keyphrase_scores(analyses: Sequence[Analysis], labels: np.ndarray
                      ) -> tuple[dict[int, dict[Phrase, float]], dict[Phrase, str]]:
    """Class-based TF-IDF of keyphrases: frequent in the cluster (by members using it), rare in the others.

    Keys are (language, lemma key); longer phrases get a small bonus since they read better as labels."""
    clusters = sorted(set(labels.tolist()))
    usage: dict[int, Counter] = {c: Counter() for c in clusters}
    for analysis, cluster in zip(analyses, labels.tolist(), strict=True):
        usage[cluster].update({(analysis.language, k.key) for k in analysis.keyphrases})
    spread = Counter()
    for counter in usage.values():
        spread.update(counter.keys())
    sizes = Counter(labels.tolist())
    scores: dict[int, dict[Phrase, float]] = {}
    for cluster, counter in usage.items():
        scores[cluster] = {
            phrase: (count / sizes[cluster]) * math.log(1 + len(clusters) / spread[phrase])
            * (1 + 0.25 * phrase[1].count(" "))
            for phrase, count in counter.items() if count >= 2 or sizes[cluster] < 4
        }
    # The surface form most often written, per phrase.
    surfaces: dict[Phrase, Counter] = {}
    for analysis in analyses:
        for keyphrase in analysis.keyphrases:
            surfaces.setdefault((analysis.language, keyphrase.key), Counter())[keyphrase.text.lower()] += 1
    return scores, {phrase: counter.most_common(1)[0][0] for phrase, counter in surfaces.items()}


def _top_keyphrases(scores: dict[Phrase, float], surfaces: dict[Phrase, str], language: Language,
                    limit: int = 12) -> list[str]:
    """The best phrases in the label's language; a phrase inside a better one is skipped."""
    chosen: list[str] = []
    keys: list[str] = []
    for (phrase_language, key), _score in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
        if phrase_language != language:
            continue
        if any(key in other or other in key for other in keys):
            continue
        keys.append(key)
        chosen.append(surfaces.get((phrase_language, key), key))
        if len(chosen) >= limit:
            break
    return chosen


def _label(phrases: list[str]) -> str:
    if not phrases:
        return "—"
    label = phrases[0] if len(phrases) == 1 else f"{phrases[0]}, {phrases[1]}"
    return label[:1].upper() + label[1:]


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(label)).strip("-")[:60]


def _unique_key(key: str, taken: set[str]) -> str:
    candidate, number = key, 2
    while candidate in taken:
        candidate, number = f"{key}-{number}", number + 1
    taken.add(candidate)
    return candidate


_QUOTE_POOL = 200


def _quotes(analyses: Sequence[Analysis], members: tuple[int, ...], member_vectors, vectorizer: Vectorizer,
            centre: np.ndarray, settings: Settings, limit: int) -> tuple[Quote, ...]:
    """The member sentences closest to the centre, at most one per input, of a length fit to quote.

    Sentences are looked for in the `_QUOTE_POOL` members closest to the centre, not in all of them."""
    candidates: list[tuple[int, int, str]] = []
    documents: list[list[list[str]]] = []
    if len(members) > _QUOTE_POOL:
        closeness = np.asarray(member_vectors @ centre).ravel()
        pool = sorted(np.argsort(-closeness, kind="stable")[:_QUOTE_POOL].tolist())
        members = tuple(members[p] for p in pool)
    for i in members:
        analysis = analyses[i]
        for number, (sentence, words) in enumerate(zip(analysis.sentences, _concept_sentences(analysis, settings),
                                                       strict=True)):
            if 4 <= len(sentence.text.split()) <= 60 and words:
                candidates.append((i, number, sentence.text))
                documents.append([words])
    if not candidates:
        return ()
    scores = vectorizer.transform(documents) @ (centre / (np.linalg.norm(centre) or 1))
    order = sorted(range(len(candidates)), key=lambda c: (-scores[c], candidates[c][0], candidates[c][1]))
    quotes: list[Quote] = []
    used: set[int] = set()
    for c in order:
        i, number, text = candidates[c]
        if i in used:
            continue
        used.add(i)
        quotes.append(Quote(i, number, text, round(float(scores[c]), 4)))
        if len(quotes) >= limit:
            break
    return tuple(quotes)


# --------------------------------------------------------------------------------------------- assignment


@dataclass(frozen=True, slots=True)
class ApprovedTheme:
    key: str
    label: str
    description: str = ""
    examples: tuple[str, ...] = ()      # texts the planner kept as examples of the theme


Assignment = list[tuple[str, float]]


def assign(analyses: Sequence[Analysis], approved: Sequence[ApprovedTheme], *,
           settings: Settings = DEFAULT) -> list[Assignment]:
    """For each analysis, the approved themes that fit it as (key, score), best first; [] when none fits.

    A theme's score mixes the cosine similarity to the centre of its examples (with its label and
    description) and the mean similarity to its `settings.neighbours` closest examples. A theme fits when
    its score reaches `settings.threshold` (texts that share no content with any theme stay unassigned)
    and is within `settings.relative` of the best theme's (a text clearly about two themes gets both)."""
    if not approved or not analyses:
        return [[] for _ in analyses]
    return _fits(score_themes(analyses, approved, settings=settings), [theme.key for theme in approved], settings)


def _fits(scores: np.ndarray, keys: list[str], settings: Settings) -> list[Assignment]:
    out: list[Assignment] = []
    for row in scores:
        best = float(row.max())
        out.append([(keys[t], round(float(row[t]), 4)) for t in np.argsort(-row, kind="stable")
                    if row[t] >= settings.threshold and row[t] >= settings.relative * best])
    return out


def score_themes(analyses: Sequence[Analysis], approved: Sequence[ApprovedTheme], *,
                 settings: Settings = DEFAULT) -> np.ndarray:
    """The score matrix behind `assign`: one row per analysis, one column per approved theme."""
    return ThemeScorer.fit(analyses, approved, settings=settings).score(analyses)


class ThemeScorer:
    """The fitted state of assignment: the vectorizer, each theme's centre and its examples' vectors.

    Fitted on the inputs and the examples together (their vocabulary weighs what distinguishes themes in this
    consultation); then any input's scores depend only on its own text. Keeping one scorer per set of approved
    themes lets a recompilation score new inputs alone and find, for the others, the scores a full run would
    give. Picklable."""

    def __init__(self, keys: list[str], vectorizer: Vectorizer, centres: np.ndarray, examples, descriptions,
                 owners: np.ndarray, settings: Settings) -> None:
        self.keys = keys
        self.vectorizer = vectorizer
        self.centres = centres
        self.examples = examples
        self.descriptions = descriptions
        self.owners = owners
        self.settings = settings

    @classmethod
    def fit(cls, analyses: Sequence[Analysis], approved: Sequence[ApprovedTheme], *,
            settings: Settings = DEFAULT) -> ThemeScorer:
        example_texts = [text for theme in approved for text in theme.examples]
        described = [f"{theme.label}.\n{theme.description}".strip() for theme in approved]
        example_analyses = analyse_many(example_texts + described)
        owners = np.array([t for t, theme in enumerate(approved) for _ in theme.examples], dtype=int)

        inputs = [_concept_sentences(a, settings) for a in analyses]
        examples = [_concept_sentences(a, settings) for a in example_analyses]
        vectorizer = Vectorizer(settings).fit(inputs + examples)
        width = len(vectorizer.words.vocabulary_) + (len(vectorizer.kept) if vectorizer.use_chars else 0)
        e = (vectorizer.transform(examples[:len(example_texts)]) if example_texts
             else sparse.csr_matrix((0, width)))
        d = vectorizer.transform(examples[len(example_texts):])

        centres = np.zeros((len(approved), d.shape[1]))
        for t in range(len(approved)):
            rows = np.flatnonzero(owners == t)
            examples_centre = _unit(np.asarray(e[rows].sum(axis=0)).ravel()) if rows.size else None
            description = _unit(d[t].toarray().ravel())
            if examples_centre is None:
                centres[t] = description
            else:
                share = settings.description_share
                centres[t] = _unit((1 - share) * examples_centre + share * description)
        return cls([theme.key for theme in approved], vectorizer, centres, e, d, owners, settings)

    def score(self, analyses: Sequence[Analysis]) -> np.ndarray:
        settings = self.settings
        x = self.vectorizer.transform([_concept_sentences(a, settings) for a in analyses])
        centroid = np.asarray(x @ self.centres.T)
        e, d, owners = self.examples, self.descriptions, self.owners
        similarity = (x @ e.T).toarray() if e.shape[0] else np.zeros((x.shape[0], 0))
        description_similarity = (x @ d.T).toarray()
        neighbour = np.zeros_like(centroid)
        for t in range(len(self.keys)):
            columns = np.flatnonzero(owners == t)
            block = np.concatenate([similarity[:, columns], description_similarity[:, [t]]], axis=1)
            k = min(settings.neighbours, block.shape[1])
            top = -np.sort(-block, axis=1)[:, :k]
            neighbour[:, t] = top.mean(axis=1)
        w = settings.centroid_weight
        return w * centroid + (1 - w) * neighbour

    def assign(self, analyses: Sequence[Analysis]) -> list[Assignment]:
        """As `assign`, with this fitted state."""
        return _fits(self.score(analyses), self.keys, self.settings) if analyses else []
