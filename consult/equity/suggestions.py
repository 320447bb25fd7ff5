"""Suggested tags: which dimensions, social relations, community types and sides an input seems to speak of,
from the keywords of the taxonomy. Deterministic (the same texts give the same suggestions, in the same
order), cheap (a dictionary lookup per word), and only ever a suggestion: a person confirms or rejects it.

Matching is on folded words (lower case, no accents, so "ainee" typed without accents meets "aînée"): a
keyword word matches the same word or its plural ("seule" / "seules"), a word ending in "*" matches every
word it starts, and a phrase matches its words in a row ("faible revenu"). Both languages' keywords are
tried on every text: participants mix them, and a keyword of the other language rarely matches by chance.
A tag's score is the number of distinct keywords found, saturating at `SATURATION` (score 1.0).

`store_suggestions` writes them as `InputTag` rows in state "suggested" when the summary is compiled. It
never touches a tag a person confirmed or rejected, and it replaces the pipeline's own earlier suggestions
on the same inputs, so running it twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from consult.core.db import db
from consult.equity import taxonomy
from consult.equity.models import InputTag, TagOrigin, TagState
from consult.participation.models import InputKind
from consult.rounds.models import ConsultationRound
from consult.summaries.analysis import fold

SATURATION = 3
_WORD = re.compile(r"[a-z0-9]+\*?|%")
_PREFIX_KEY = 3
_CHUNK = 500

Keywords = Mapping[str, Mapping[str, Sequence[str]]]   # tag key → language → keywords


def words(text: str) -> list[str]:
    """The folded words of a text (keyword stars kept)."""
    return _WORD.findall(fold(text))


def singular(word: str) -> str:
    """"seules" → "seule", "loyers" → "loyer", "travaux" → "travau": enough to meet a keyword's plural."""
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


@dataclass(frozen=True)
class _Rule:
    tag: str
    text: str                                  # the keyword as written, to count distinct ones
    parts: tuple[tuple[str, bool], ...]        # (folded word, is a prefix)

    def matches(self, tokens: list[str], singulars: list[str], at: int) -> bool:
        if at + len(self.parts) > len(tokens):
            return False
        for offset, (part, prefix) in enumerate(self.parts):
            token = tokens[at + offset]
            if prefix:
                if not token.startswith(part):
                    return False
            elif singulars[at + offset] != part:
                return False
        return True


class Matcher:
    """Keyword rules indexed by their first word: exact words by their singular, prefixes by their first
    three letters."""

    def __init__(self, keywords: Keywords) -> None:
        self.order = {key: n for n, key in enumerate(keywords)}
        self._exact: dict[str, list[_Rule]] = {}
        self._prefix: dict[str, list[_Rule]] = {}
        for tag, by_language in keywords.items():
            for language in sorted(by_language):
                for keyword in by_language[language]:
                    parts = tuple((w.rstrip("*"), w.endswith("*")) if w.endswith("*") else (singular(w), False)
                                  for w in words(keyword))
                    parts = tuple((w, prefix) for w, prefix in parts if w)
                    if not parts:
                        continue
                    rule = _Rule(tag, keyword, parts)
                    first, prefix = parts[0]
                    if prefix:
                        self._prefix.setdefault(first[:_PREFIX_KEY], []).append(rule)
                    else:
                        self._exact.setdefault(first, []).append(rule)

    def _prefix_rules(self, token: str) -> list[_Rule]:
        found = self._prefix.get(token[:_PREFIX_KEY], [])
        if len(token) < _PREFIX_KEY:  # a short token can only start a prefix as short as itself
            found = found + [r for key, rules in self._prefix.items() if len(key) < _PREFIX_KEY and
                             token.startswith(key) for r in rules]
        return found

    def scores(self, text: str) -> list[tuple[str, float]]:
        tokens = words(text)
        singulars = [singular(t) for t in tokens]
        hits: dict[str, set[str]] = {}
        for at, token in enumerate(tokens):
            for rule in self._exact.get(singulars[at], []) + self._prefix_rules(token):
                if rule.matches(tokens, singulars, at):
                    hits.setdefault(rule.tag, set()).add(rule.text)
        scored = [(tag, round(min(1.0, len(found) / SATURATION), 3)) for tag, found in hits.items()]
        return sorted(scored, key=lambda pair: (-pair[1], self.order.get(pair[0], len(self.order)), pair[0]))


_BUILTIN_MATCHER: Matcher | None = None


def _builtin_matcher() -> Matcher:
    global _BUILTIN_MATCHER
    if _BUILTIN_MATCHER is None:
        _BUILTIN_MATCHER = Matcher({tag.key: tag.keywords for tag in taxonomy.BUILTIN_TAGS})
    return _BUILTIN_MATCHER


def suggest(texts: list[str], keywords: Keywords | None = None) -> list[list[tuple[str, float]]]:
    """For each text, the tags it seems to speak of as (tag key, score), best first; [] when none.
    `keywords` defaults to the built-in taxonomy's (see `taxonomy.keywords_of` for an establishment's)."""
    matcher = _builtin_matcher() if keywords is None else Matcher(keywords)
    return [matcher.scores(text or "") for text in texts]


def _kind(value: InputKind | str) -> InputKind:
    return value if isinstance(value, InputKind) else InputKind(value)


def _existing(inputs: list[tuple[InputKind, int]]) -> dict[tuple[InputKind, int], dict[str, InputTag]]:
    found: dict[tuple[InputKind, int], dict[str, InputTag]] = {}
    by_kind: dict[InputKind, list[int]] = {}
    for kind, input_id in inputs:
        by_kind.setdefault(kind, []).append(input_id)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            for row in db.session.scalars(select(InputTag).where(InputTag.input_kind == kind,
                                                                 InputTag.input_id.in_(chunk))):
                found.setdefault((kind, row.input_id), {})[row.tag] = row
    return found


def store_suggestions(round_: ConsultationRound,
                      inputs: Iterable[tuple[InputKind | str, int, str]]) -> int:
    """Write the suggested tags of `inputs` — (kind, id, text) — of `round_`; returns how many are new.

    A tag a person confirmed or rejected on an input is left as it is (never suggested again); the
    pipeline's earlier suggestions on these inputs are updated (score) or dropped when the text no longer
    suggests them. Uses the round's establishment's active local tags as well as the built-in ones.
    Flushes, never commits."""
    unique = {(_kind(kind), int(input_id)): text or "" for kind, input_id, text in inputs}  # the last text wins
    rows = [(kind, input_id, text) for (kind, input_id), text in unique.items()]
    if not rows:
        return 0
    keywords = taxonomy.keywords_of(round_.establishment_id)
    suggested = suggest([text for _k, _i, text in rows], keywords)
    existing = _existing([(kind, input_id) for kind, input_id, _t in rows])
    created = 0
    for (kind, input_id, _text), tags in zip(rows, suggested, strict=True):
        current = existing.get((kind, input_id), {})
        wanted = dict(tags)
        for key, row in current.items():
            if row.state is TagState.suggested and row.origin is TagOrigin.pipeline and key not in wanted:
                db.session.delete(row)
        for key, score in tags:
            row = current.get(key)
            if row is None:
                db.session.add(InputTag(round_id=round_.id, input_kind=kind, input_id=input_id, tag=key,
                                        state=TagState.suggested, origin=TagOrigin.pipeline, score=score))
                created += 1
            elif row.state is TagState.suggested:
                row.score = score
    db.session.flush()
    return created
