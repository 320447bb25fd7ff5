"""Analyse each participant's text once: language, sentences, lemmas, keyphrases, and a content digest.

Pure functions over strings, no database and no Flask, so Celery tasks, the compile step and the evaluation
command share them. `analyse_many` is the one to call on many inputs: it batches spaCy, analyses each distinct
text once (a campaign of 3,000 identical letters costs one analysis) and keeps a bounded in-process cache by
digest. Callers that store analyses key them by `Analysis.cache_key` (digest + `PIPELINE_VERSION`) and
serialize them with `to_dict` / `Analysis.from_dict`.

Why lookup lemmas rather than the tagged pipeline: French uses spaCy's ``fr_core_news_sm`` tokenizer, stop
words and lemma table, but not its tok2vec/morphologizer (which would let the rule lemmatizer use parts of
speech). Measured on one core with generated comments, the tagged pipeline analyses about 420 comments per
second and the lookup path about 8,000; a round of 50,000 comments and 1,500 briefs must compile in two
minutes on two workers, and the summaries need lemmas as features, not a grammatical analysis. English uses
``spacy.blank("en")`` with the lookup table of ``spacy-lookups-data``: nothing is downloaded at run time.

`near_duplicates` groups form letters and campaign texts (MinHash over word shingles, verified by exact
Jaccard similarity), so a summary shows a campaign once with its count.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
import zlib
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")

# Bumped whenever the output of `analyse` changes for the same text, so stored analyses are recomputed.
PIPELINE_VERSION = "1"

FRENCH_MODEL = "fr_core_news_sm"

# ---------------------------------------------------------------------------------------------- normalization

_HSPACE = re.compile(r"[^\S\n]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def normalize(text: str) -> str:
    """The text an analysis is made of: NFC, one kind of newline, single spaces, at most one blank line.

    Characters are otherwise kept as written (quotes are shown from this text)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_HSPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def digest(text: str) -> str:
    """SHA-256 (hex) of the normalized text: two inputs with the same digest have the same analysis."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def fold(text: str) -> str:
    """Lowercase without accents, so "sante" typed without accents meets "santé"."""
    text = text.lower()
    if text.isascii():
        return text
    text = text.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss").replace("’", "'")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


# ------------------------------------------------------------------------------------------ language detection


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words that are frequent in one language and rare or absent in the other (ambiguous ones such as
# "a", "on", "me", "son", "pour" are left out). A stop-word ratio is enough between two languages, costs
# microseconds, and needs no model; on a tie the accents decide, then French, the platform's default.
_FRENCH_MARKERS = _words(
    "le la les des du de un une et est sont pas nous vous je il elle ils elles au aux avec dans sur ce cette ces "
    "mais ou où très sans leur leurs notre nos votre vos mon ma mes qui que qu c d l j n y se ne être été "
    "fait faut aussi plus moins depuis quand comme parce puis alors donc chez entre tout tous toutes"
)
_ENGLISH_MARKERS = _words(
    "the and is are was were be been for that this these those which who not we you they he she it its "
    "to of in with but or very without their our your my do does did have has had can could would should "
    "will there here from by at as what when because than them us just also more less since"
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ACCENTS = re.compile(r"[éèêëàâçùûüôîïœ]", re.IGNORECASE)


def detect_language(text: str) -> Language:
    """"fr" or "en" from the share of each language's function words."""
    french = english = 0
    for word in _WORD.findall(text.lower()):
        french += word in _FRENCH_MARKERS
        english += word in _ENGLISH_MARKERS
    if french != english:
        return "fr" if french > english else "en"
    return "en" if english and not _ACCENTS.search(text) else "fr"


# ------------------------------------------------------------------------------------------------ data types


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int                      # character offsets in `Analysis.text`
    end: int
    text: str
    lemmas: tuple[str, ...]         # content lemmas, lowercase, in order


@dataclass(frozen=True, slots=True)
class Keyphrase:
    key: str                        # its lemmas joined by spaces: the same for every inflection
    text: str                       # as first written in this input, e.g. "listes d'attente"
    count: int


@dataclass(frozen=True, slots=True)
class Analysis:
    digest: str
    language: Language
    text: str                       # the normalized text; sentence offsets point into it
    sentences: tuple[Sentence, ...]
    keyphrases: tuple[Keyphrase, ...]   # candidates (runs of content words, 1–3 of them); ranked in themes

    @property
    def lemmas(self) -> tuple[str, ...]:
        return tuple(lemma for sentence in self.sentences for lemma in sentence.lemmas)

    @property
    def cache_key(self) -> str:
        return cache_key(self.digest)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for storing the analysis next to its input."""
        return {
            "version": PIPELINE_VERSION,
            "digest": self.digest,
            "language": self.language,
            "text": self.text,
            "sentences": [[s.start, s.end, list(s.lemmas)] for s in self.sentences],
            "keyphrases": [[k.key, k.text, k.count] for k in self.keyphrases],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        if data.get("version") != PIPELINE_VERSION:
            raise ValueError("analysis made by another pipeline version; analyse the text again")
        text = data["text"]
        return cls(
            digest=data["digest"],
            language=data["language"],
            text=text,
            sentences=tuple(Sentence(start, end, text[start:end], tuple(lemmas))
                            for start, end, lemmas in data["sentences"]),
            keyphrases=tuple(Keyphrase(key, surface, count) for key, surface, count in data["keyphrases"]),
        )


def cache_key(text_digest: str) -> str:
    return f"{PIPELINE_VERSION}:{text_digest}"


# ---------------------------------------------------------------------------------------------- the pipelines

# Stop words that carry meaning in what participants write about services ("personnes seules", "proches
# aidants", "people who live alone", "check-in calls").
_KEEP = {"fr": {"seul", "seule", "seuls", "seules", "proche", "suivre", "suivi"},
         "en": {"alone", "call", "empty", "nobody"}}
# Inside a French keyphrase: "soutien à domicile", "liste d'attente".
_FRENCH_LINKS = frozenset({"de", "d'", "d’", "du", "des", "à", "au", "aux"})
# Words that are not stop words but never make a keyphrase on their own: verbs of asking and saying, hedges.
_NOT_KEYPHRASES = {
    "fr": _words("demander devoir falloir pouvoir vouloir faire dire aller venir voir savoir penser croire "
                    "trouver mettre prendre donner rester passer permettre sembler exister arriver aimer "
                    "proposer souhaiter espérer chose façon fois beaucoup vraiment svp bonjour oui non "
                    "important besoin cas niveau part exemple"),
    "en": _words("ask need want make get go come see know think believe find put take give stay seem exist "
                    "happen like propose wish hope thing way time lot really please hello yes important case "
                    "level part example"),
}
# English "-ing" nouns that the lookup table turns into verbs ("housing" → "house", "training" → "train").
_ENGLISH_ING_NOUNS = _words(
    "housing funding training meeting building nursing screening counselling counseling planning waiting "
    "spending staffing wellbeing understanding morning evening clothing parking lodging offering setting "
    "hearing timing listing gathering programming schooling parenting bullying gambling vaping drinking "
    "smoking suffering mentoring tutoring outreach fundraising"
)
_IRREGULAR_FRENCH_PLURALS = (("aux", "al"), ("eaux", "eau"))
# Past participles work as adjectives in keyphrases: "transport adapté", "logements subventionnés".
_PARTICIPLES = ("é", "ée", "és", "ées", "i", "ie", "is", "ies", "u", "ue", "us", "ues", "it", "ite", "its")


# What each distinct lowercase word is to the pipeline, worked out once per process.
_SPACE, _SENTENCE_END, _PUNCT, _OPENING, _LINK, _OTHER, _CONTENT, _CONTENT_BREAK = range(8)
_SENTENCE_END_CHARS = frozenset(".!?…‼⁉")
_OPENING_CHARS = "«“‘([{¿¡"


class _Pipeline:
    """One language's tokenizer, lemma table and stop words, loaded once per process.

    Only spaCy's tokenizer runs; sentences are split here (end punctuation or a line break, as spaCy's
    sentencizer does) and tokens are read as arrays, because building a Python object per token cost more
    than everything else together."""

    def __init__(self, language: Language) -> None:
        import spacy

        if language == "fr":
            # Only the tokenizer and the lemmatizer's lookup table are used (see the module docstring).
            nlp = spacy.load(FRENCH_MODEL, exclude=["tok2vec", "morphologizer", "parser", "senter",
                                                    "attribute_ruler", "ner"])
            lookups = nlp.get_pipe("lemmatizer").lookups
            table = lookups.get_table("lemma_lookup")
            index = lookups.get_table("lemma_index")    # known lemmas by part of speech
            nouns = set(index.get("noun", ()))
            self.not_nouns = (set(index.get("verb", ())) | set(index.get("adv", ()))) - nouns
            self.nouns = nouns
        else:
            from spacy.lookups import load_lookups

            nlp = spacy.blank("en")
            table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LIKE_NUM, LOWER

        self.attrs = [LOWER, IS_SPACE, IS_PUNCT, LIKE_NUM, IDX, LENGTH]
        self.language: Language = language
        self.tokenizer = nlp.tokenizer
        self.strings = nlp.vocab.strings
        self.table = table
        self.stop_words = frozenset(nlp.Defaults.stop_words) - _KEEP[language]
        self.not_keyphrases = _NOT_KEYPHRASES[language]
        self.words: dict[int, tuple[int, str]] = {}     # LOWER hash → (kind, lemma)

    def lemma(self, lower: str) -> str:
        if self.language == "en" and lower in _ENGLISH_ING_NOUNS:
            return lower
        found = self.table.get(lower)
        if isinstance(found, list):
            found = found[0] if found else None
        lemma = found or self._guess(lower)
        if self.language == "fr" and lower.endswith("es") and lemma == lower[:-2] + "er" and len(lower) > 4:
            # "listes" → "lister", "drogues" → "droguer": the table prefers the verb, but a form in -es is
            # nearly always a plural noun here (the second person singular is rare in consultations).
            lemma = lower[:-1]
        return lemma

    def _guess(self, lower: str) -> str:
        # Words missing from the table are mostly plurals of rare nouns ("aidants", "surdoses").
        if self.language == "fr":
            for plural, singular in _IRREGULAR_FRENCH_PLURALS:
                if lower.endswith(plural) and self.table.get(lower[: -len(plural)] + singular):
                    return lower[: -len(plural)] + singular
            if len(lower) > 3 and lower[-1] in "sx" and lower[-2] not in "sxu":
                return lower[:-1]
        elif len(lower) > 3 and lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
            return lower[:-1]
        return lower

    def is_verb_form(self, lower: str, lemma: str) -> bool:
        """A verb or an adverb ("manquent", "intégrer", "rapidement", "growing"): a lemma, but no part of a
        keyphrase."""
        if self.language == "fr":
            if lemma in self.not_nouns or (lemma == lower and lemma.endswith(("er", "ir"))
                                           and lemma not in self.nouns):
                return True             # verbs and adverbs the table knows; infinitives it does not
            return lemma != lower and lemma.endswith(("er", "ir", "re")) and not lower.endswith(_PARTICIPLES)
        return lower.endswith("ing") and lower not in _ENGLISH_ING_NOUNS

    def word(self, key: int, is_space: int, is_punct: int, like_num: int) -> tuple[int, str]:
        found = self.words.get(key)
        if found is not None:
            return found
        lower = self.strings[key]
        if is_space:
            found = (_SPACE, "\n" if "\n" in lower else " ")
        elif is_punct:
            if any(c in _SENTENCE_END_CHARS for c in lower):
                found = (_SENTENCE_END, "")
            else:
                found = (_OPENING if lower.startswith(tuple(_OPENING_CHARS)) else _PUNCT, "")
        elif self.language == "fr" and lower in _FRENCH_LINKS:
            found = (_LINK, "")
        elif like_num or len(lower) < 2 or lower in self.stop_words or not _WORD.search(lower):
            found = (_OTHER, "")
        else:
            lemma = self.lemma(lower)
            breaks = lemma in self.not_keyphrases or self.is_verb_form(lower, lemma)
            found = (_CONTENT_BREAK if breaks else _CONTENT, lemma)
        if len(self.words) < 500_000:
            self.words[key] = found
        return found

    def analyse(self, texts: list[str], digests: list[str], batch_size: int) -> list[Analysis]:
        out = []
        for doc, text, text_digest in zip(self.tokenizer.pipe(texts, batch_size=batch_size), texts, digests,
                                          strict=True):
            rows = doc.to_array(self.attrs).tolist() if len(doc) else []
            out.append(self.make(rows, text, text_digest))
        return out

    def make(self, rows: list[list[int]], text: str, text_digest: str) -> Analysis:
        sentences: list[Sentence] = []
        counts: dict[str, int] = {}
        surfaces: dict[str, str] = {}
        start = end = -1
        lemmas: list[str] = []
        run: list[tuple[str, int, int]] = []            # (lemma, start, end) of a run of content words
        pending_link = ended = False

        def close() -> None:
            nonlocal start, lemmas, run, pending_link, ended
            _flush(run, text, counts, surfaces)
            if start >= 0:
                sentences.append(Sentence(start, end, text[start:end], tuple(lemmas)))
            start, lemmas, run, pending_link, ended = -1, [], [], False, False

        for key, is_space, is_punct, like_num, idx, length in rows:
            kind, lemma = self.word(key, is_space, is_punct, like_num)
            if kind == _SPACE:
                if lemma == "\n":          # a line break ends a sentence, whatever the punctuation
                    close()
                continue
            if ended and kind not in (_SENTENCE_END, _PUNCT):
                close()                     # closing quotes and brackets stay with the sentence they end;
                                            # an opening one starts the next
            if start < 0:
                start = idx
            end = idx + length
            if kind == _CONTENT:
                lemmas.append(lemma)
                run.append((lemma, idx, end))
                pending_link = False
            elif kind == _CONTENT_BREAK:
                lemmas.append(lemma)
                _flush(run, text, counts, surfaces)
                run, pending_link = [], False
            elif kind == _LINK and run and not pending_link:
                pending_link = True
            else:
                _flush(run, text, counts, surfaces)
                run, pending_link = [], False
                if kind == _SENTENCE_END:
                    ended = True
        close()
        keyphrases = tuple(Keyphrase(key, surfaces[key], count) for key, count in counts.items())
        return Analysis(text_digest, self.language, text, tuple(sentences), keyphrases)


def _flush(run: list[tuple[str, int, int]], text: str, counts: dict[str, int], surfaces: dict[str, str]) -> None:
    # Every n-gram of 1 to 3 content words in the run; the words linking them stay in the surface form.
    for size in (1, 2, 3):
        for i in range(len(run) - size + 1):
            gram = run[i:i + size]
            key = gram[0][0] if size == 1 else " ".join(lemma for lemma, _, _ in gram)
            counts[key] = counts.get(key, 0) + 1
            if key not in surfaces:
                surfaces[key] = text[gram[0][1]:gram[-1][2]]


_PIPELINES: dict[str, _Pipeline] = {}
_LOCK = threading.Lock()


def pipeline(language: Language) -> _Pipeline:
    """The process's pipeline for a language, loaded on first use (about a second for French)."""
    found = _PIPELINES.get(language)
    if found is None:
        with _LOCK:
            found = _PIPELINES.get(language)
            if found is None:
                found = _PIPELINES[language] = _Pipeline(language)
    return found


# --------------------------------------------------------------------------------------------------- analyse

_CACHE: OrderedDict[str, Analysis] = OrderedDict()
CACHE_SIZE = 20_000


def analyse(text: str) -> Analysis:
    """The analysis of one text (see `analyse_many` for many)."""
    return analyse_many([text])[0]


def analyse_many(texts: Iterable[str], *, batch_size: int = 256) -> list[Analysis]:
    """One analysis per text, in order. Equal texts (after normalization) are analysed once."""
    normalized = [normalize(text) for text in texts]
    digests = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in normalized]
    found: dict[str, Analysis] = {}
    todo: dict[Language, dict[str, str]] = {"fr": {}, "en": {}}
    for text, text_digest in zip(normalized, digests, strict=True):
        if text_digest in found or any(text_digest in pending for pending in todo.values()):
            continue
        cached = _CACHE.get(text_digest)
        if cached is not None:
            found[text_digest] = cached
        else:
            todo[detect_language(text)][text_digest] = text
    for language, pending in todo.items():
        if not pending:
            continue
        analyses = pipeline(language).analyse(list(pending.values()), list(pending), batch_size)
        found.update(zip(pending, analyses, strict=True))
    with _LOCK:
        for text_digest, analysis in found.items():
            _CACHE[text_digest] = analysis
            _CACHE.move_to_end(text_digest)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return [found[text_digest] for text_digest in digests]


# -------------------------------------------------------------------------------------------- near duplicates


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    members: tuple[int, ...]        # indices into the texts given, ascending; the first one stands for all

    @property
    def representative(self) -> int:
        return self.members[0]

    @property
    def count(self) -> int:
        return len(self.members)


SHINGLE_WORDS = 3
NEAR_DUPLICATE_THRESHOLD = 0.8
_ANCHORS_PER_GROUP = 8
_BANDS, _ROWS = 20, 4               # 80 MinHash values; a pair at Jaccard 0.7 becomes a candidate 99.6 % of times
_PRIME = np.uint64(4_294_967_311)   # the first prime above 2**32
_rng = np.random.default_rng(20_240_601)
_A = _rng.integers(1, 2**32, size=_BANDS * _ROWS, dtype=np.uint64)
_B = _rng.integers(0, 2**32, size=_BANDS * _ROWS, dtype=np.uint64)


_WORD_HASHES: dict[str, int] = {}


def shingles(text: str) -> frozenset[int]:
    """The text's runs of three words (accents, case and punctuation ignored), hashed to 32 bits.

    Words are hashed with CRC-32 and runs with Python's tuple-of-int hash, both the same in every process
    (unlike str hashing), so groups do not change from one worker to another."""
    words = []
    for word in _WORD.findall(fold(text)):
        value = _WORD_HASHES.get(word)
        if value is None:
            value = zlib.crc32(word.encode("utf-8"))
            if len(_WORD_HASHES) < 1_000_000:
                _WORD_HASHES[word] = value
        words.append(value)
    if len(words) <= SHINGLE_WORDS:
        return frozenset([hash(tuple(words)) & 0xFFFFFFFF]) if words else frozenset()
    return frozenset(hash(gram) & 0xFFFFFFFF for gram in zip(words, words[1:], words[2:], strict=False))


def near_duplicates(texts: Sequence[str], *, threshold: float = NEAR_DUPLICATE_THRESHOLD,
                    min_words: int = 8) -> list[DuplicateGroup]:
    """Groups of two or more texts whose word shingles have a Jaccard similarity of at least `threshold`.

    A signed form letter with a line of one's own ("Merci de nous écouter.") stays in its campaign; two
    comments that merely share a phrase do not. Texts shorter than `min_words` words only group when they
    are equal after normalization (short replies like "D'accord." say little about a campaign). Groups are
    sorted by size, then by first member; the result is the same in every process (no salted hashing)."""
    sets = [shingles(text) for text in texts]
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    # Equal shingle sets first: the many identical copies of a campaign collapse before any comparison.
    first_of: dict[frozenset[int], int] = {}
    unique: list[int] = []
    for i, shingle_set in enumerate(sets):
        if not shingle_set:
            continue
        if shingle_set in first_of:
            union(first_of[shingle_set], i)
        else:
            first_of[shingle_set] = i
            if len(_WORD.findall(texts[i])) >= min_words:
                unique.append(i)

    signatures: dict[int, np.ndarray] = {}
    buckets: dict[bytes, list[int]] = {}
    for chunk_start in range(0, len(unique), 2_000):
        chunk = unique[chunk_start:chunk_start + 2_000]
        for i, signature in zip(chunk, _minhashes([sets[i] for i in chunk]), strict=True):
            signatures[i] = signature
            for band in range(_BANDS):
                key = band.to_bytes(1, "little") + signature[band * _ROWS:(band + 1) * _ROWS].tobytes()
                buckets.setdefault(key, []).append(i)
    dissimilar: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        # Compare each member with a few members of each group found so far in this bucket (linear in
        # practice, where all pairs would be quadratic in a campaign's size); a few, not one, because an
        # edited letter may be close to the plain letter and not to another signer's variant. The share of
        # equal MinHash values estimates the Jaccard similarity (standard error under 0.05 with 80 values):
        # pairs three errors away from the threshold are decided on it, the others exactly.
        rows = np.stack([signatures[i] for i in members])
        anchors: list[int] = []
        per_group: Counter[int] = Counter()
        for position, i in enumerate(members):
            matched = False
            if anchors:
                estimates = (rows[anchors] == rows[position]).mean(axis=1)
                for k, estimate in zip(anchors, estimates.tolist(), strict=True):
                    anchor = members[k]
                    if root(anchor) == root(i):
                        matched = True
                        break
                    if estimate < threshold - 0.15 or (anchor, i) in dissimilar:
                        continue
                    if estimate >= threshold + 0.15 or _jaccard(sets[anchor], sets[i]) >= threshold:
                        union(anchor, i)
                        matched = True
                        break
                    dissimilar.add((anchor, i))     # the same pair meets again in other bands
            group = root(i)
            if not matched or per_group[group] < _ANCHORS_PER_GROUP:
                anchors.append(position)
                per_group[group] += 1

    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(root(i), []).append(i)
    found = [DuplicateGroup(tuple(members)) for members in groups.values() if len(members) > 1]
    return sorted(found, key=lambda group: (-group.count, group.members[0]))


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _minhashes(shingle_sets: list[frozenset[int]]) -> np.ndarray:
    """One row of MinHash values per set, computed for all sets of the chunk at once."""
    lengths = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    values = np.fromiter((h for s in shingle_sets for h in s), dtype=np.uint64, count=int(lengths.sum()))
    hashed = (values[:, None] * _A[None, :] + _B[None, :]) % _PRIME
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    return np.minimum.reduceat(hashed, starts, axis=0)
