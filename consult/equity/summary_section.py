"""The equity section of a round's summary: the inputs by dimension of inequality, by social relation and by
type of community, with the objective and the perceived sides reported separately, each with a few
verbatim quotes. JSON-ready and language-neutral, like `consult.summaries.content`: keys, counts and
verbatim text; labels are chosen when rendering (`templates/equity/_summary_section.html`), except for an
establishment's local tags, whose labels are data (`label`, both languages).

Only tags a person confirmed count; suggestions waiting for review are only counted (`pending_suggestions`).
Inputs count as the summary counts them: visible comments (replies included), submitted briefs, proposed
needs; hidden ones do not count. Confidential briefs count but are never quoted. An input tagged both
objective and perceived counts on both sides; one tagged neither counts as "unspecified". These are counts
of inputs, not of people, so they are not suppressed (as the answers' counts are not).

Shape::

    {"schema": 1, "round_id": 3, "tagged_inputs": 12, "pending_suggestions": 4,
     "sides": ["objective", "perceived", "unspecified"],
     "dimensions": [Entry, ...], "social_relations": [...], "communities": [...], "local": [...]}

    Entry = {"key": "material", "count": 7,
             "by_side": {"objective": {"count": 3, "quotes": [Quote]}, "perceived": {...},
                         "unspecified": {...}},
             # local tags only:
             "label": {"fr": "...", "en": "..."}, "list_name": "...", "retired": false}

Built-in keys are always listed (zeros included: what nobody spoke of shows too); local tags when used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from consult.core.db import db
from consult.equity import taxonomy
from consult.equity.models import InputTag, LocalGroup, LocalTag, TagState
from consult.equity.suggestions import Matcher
from consult.participation.models import Brief, BriefState, BriefVisibility, Comment, InputKind, ProposedNeed
from consult.rounds.models import ConsultationRound
from consult.summaries.analysis import detect_language

SCHEMA = 1
QUOTES_PER_SIDE = 3
QUOTE_MAX = 600
QUOTE_CANDIDATES = 200   # inputs read for quotes per side, oldest first: enough to choose, bounded on big rounds
SIDE_KEYS = ("objective", "perceived", "unspecified")
GROUP_LISTS = {"dimension": "dimensions", "social_relation": "social_relations", "community": "communities",
               "local": "local"}
_CHUNK = 500
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def _load(kind: InputKind, ids: list[int]) -> dict[int, Any]:
    model: Any = {InputKind.brief: Brief, InputKind.comment: Comment, InputKind.proposed_need: ProposedNeed}[kind]
    found: dict[int, Any] = {}
    for start in range(0, len(ids), _CHUNK):
        stmt = select(model).where(model.id.in_(ids[start:start + _CHUNK]), model.hidden_at.is_(None))
        if kind is InputKind.brief:
            stmt = stmt.where(Brief.state == BriefState.submitted).options(joinedload(Brief.organization))
        found.update({obj.id: obj for obj in db.session.scalars(stmt)})
    return found


def paragraphs(text: str | None) -> list[str]:
    """Non-empty paragraphs (blank-line separated), each stripped; numbered from 1 in sources."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _quotable_text(kind: InputKind, obj: Any) -> str:
    if kind is InputKind.brief:
        return obj.body or obj.summary or ""
    if kind is InputKind.comment:
        return obj.body or ""
    return obj.description or ""


def _passage(text: str, matcher: Matcher | None, key: str) -> tuple[int, str, float] | None:
    """(paragraph number, verbatim passage, score): the paragraph — or, when too long, the sentence — that
    speaks most of the tag; None when nothing short enough is found."""
    best: tuple[int, str, float] | None = None
    for number, paragraph in enumerate(paragraphs(text), 1):
        if paragraph.startswith("#") and "\n" not in paragraph:
            continue  # a Markdown heading says too little to quote
        pieces = [paragraph] if len(paragraph) <= QUOTE_MAX else [s for s in _SENTENCE.split(paragraph)
                                                                   if 0 < len(s) <= QUOTE_MAX]
        for piece in pieces:
            score = dict(matcher.scores(piece)).get(key, 0.0) if matcher is not None else 0.0
            if best is None or score > best[2]:
                best = (number, piece, score)
    return best


def _source(kind: InputKind, obj: Any, paragraph: int) -> dict[str, Any]:
    return {"kind": kind.value, "id": obj.id, "attachment_id": None, "page": None,
            "paragraph": paragraph if kind is InputKind.brief else None,
            "label": obj.organization.name if kind is InputKind.brief else ""}


def _quotes(key: str, inputs: Iterable[tuple[InputKind, Any]], matcher: Matcher | None) -> list[dict[str, Any]]:
    candidates = []
    quotable = [(k, o) for k, o in inputs
                if not (k is InputKind.brief and o.visibility is BriefVisibility.confidential)]
    for kind, obj in quotable[:QUOTE_CANDIDATES]:
        found = _passage(_quotable_text(kind, obj), matcher, key)
        if found is not None:
            number, text, score = found
            candidates.append((-score, kind.value, obj.id, number, text, kind, obj))
    candidates.sort(key=lambda c: c[:3])
    return [{"text": text, "language": detect_language(text), "source": _source(kind, obj, number)}
            for _score, _k, _id, number, text, kind, obj in candidates[:QUOTES_PER_SIDE]]


def equity_section(round_: ConsultationRound) -> dict[str, Any]:
    rows = list(db.session.scalars(select(InputTag).where(InputTag.round_id == round_.id,
                                                          InputTag.state == TagState.confirmed)
                                   .order_by(InputTag.input_kind, InputTag.input_id, InputTag.tag)))
    ids: dict[InputKind, list[int]] = {kind: [] for kind in InputKind}
    for row in rows:
        ids[row.input_kind].append(row.input_id)
    objects = {kind: _load(kind, sorted(set(found))) for kind, found in ids.items() if found}
    tags_by_input: dict[tuple[InputKind, int], set[str]] = {}
    for row in rows:
        if row.input_id in objects.get(row.input_kind, {}):
            tags_by_input.setdefault((row.input_kind, row.input_id), set()).add(row.tag)

    keywords = taxonomy.keywords_of(round_.establishment_id)
    local_ids = {i for keys in tags_by_input.values() for i in (taxonomy.local_id(k) for k in keys) if i}
    locals_ = {t.id: t for t in db.session.scalars(select(LocalTag).where(LocalTag.id.in_(local_ids)))} \
        if local_ids else {}
    for tag in locals_.values():  # retired local tags still find their quotes
        keywords.setdefault(tag.key, tag.keywords())
    matchers = {key: Matcher({key: words}) for key, words in keywords.items()}

    members: dict[str, dict[str, list[tuple[InputKind, Any]]]] = {}
    for (kind, input_id), keys in sorted(tags_by_input.items(), key=lambda pair: (pair[0][0].value, pair[0][1])):
        sides = [side for side in ("objective", "perceived") if side in keys] or ["unspecified"]
        for key in keys:
            if key in taxonomy.SIDES:
                continue
            for side in sides:
                members.setdefault(key, {s: [] for s in SIDE_KEYS})[side].append((kind, objects[kind][input_id]))

    def entry(key: str) -> dict[str, Any]:
        by_side = members.get(key, {s: [] for s in SIDE_KEYS})
        counted = {(k, o.id) for side in by_side.values() for k, o in side}
        return {"key": key, "count": len(counted),
                "by_side": {side: {"count": len(by_side[side]),
                                   "quotes": _quotes(key, by_side[side], matchers.get(key))}
                            for side in SIDE_KEYS}}

    section: dict[str, Any] = {"schema": SCHEMA, "round_id": round_.id, "tagged_inputs": len(tags_by_input),
                               "pending_suggestions": db.session.scalar(
                                   select(func.count()).select_from(InputTag).where(
                                       InputTag.round_id == round_.id, InputTag.state == TagState.suggested)) or 0,
                               "sides": list(SIDE_KEYS)}
    for group, name in GROUP_LISTS.items():
        section[name] = [entry(tag.key) for tag in taxonomy.BUILTIN_TAGS if tag.group == group]
    for key in sorted(members, key=lambda k: (taxonomy.local_id(k) or 0, k)):
        if key in taxonomy.BUILTIN:
            continue
        tag = locals_.get(taxonomy.local_id(key) or 0)
        group = tag.group.value if tag is not None else LocalGroup.local.value
        item = entry(key)
        item["label"] = {"fr": tag.label_fr, "en": tag.label_en} if tag is not None else {"fr": key, "en": key}
        item["list_name"] = (tag.list_name or "") if tag is not None else ""
        item["retired"] = bool(tag is None or tag.is_retired)
        section[GROUP_LISTS[group]].append(item)
    return section


def quote_url(round_id: int, source: dict[str, Any]) -> str | None:
    """The link that opens a quote's source: the summaries' source page when it exists (it shows a brief's
    passage in context), otherwise the input's own page. Outside a request (a worker rendering the PDF),
    an absolute link from CONSULT_BASE_URL."""
    from flask import current_app, has_request_context, url_for

    from consult.notifications.services import external_url

    if source.get("id") is None or source.get("kind") not in {k.value for k in InputKind}:
        return None
    link = url_for if has_request_context() else external_url
    if "summaries.source" in current_app.view_functions:
        from consult.summaries.content import source_url

        return source_url(round_id, source, external=not has_request_context())  # type: ignore[arg-type]
    if source["kind"] == "brief":
        return link("participation.brief", brief_id=source["id"])
    if source["kind"] == "proposed_need":
        return link("participation.proposed_need", proposed_need_id=source["id"])
    comment = db.session.get(Comment, source["id"])
    if comment is None:
        return None
    return link("participation.item", round_id=comment.round_id, version_id=comment.version_id,
                uid=comment.item_uid, _anchor=f"comment-{comment.id}")
