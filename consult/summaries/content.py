"""The shape of a compiled summary: one JSON document (`Summary.content`), language-neutral.

The compiler (`compile.py`) writes it; the renderers (`render/`) turn it into the HTML page, the PDF, the
DOCX and the data exports; the API serves it. It holds keys, counts and verbatim text, never translated
labels: UI labels are chosen when rendering, in the reader's language, while quotes stay in their own.

Every quote carries a `Source`: the exact place it comes from, turned into a link by `source_url`. Counts
of people are `Count`s: a value under `SUPPRESS_BELOW` is not shown (`value` null, `suppressed` true), so
that nobody can be singled out of a small group.

Confidential briefs count in every number but are never quoted, and their organizations are named as
holding a position only for planners (`holders` entries with `"confidential": true` are dropped from
public renderings by `public_view`).
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from flask import url_for

SCHEMA = 1
SUPPRESS_BELOW = 5
# Kept by the pipeline for its next periodic run (campaign members, newest ids), never shown or exported.
INTERNAL_KEYS = ("campaign_digests", "watermark")

SourceKind = Literal["comment", "brief", "proposed_need", "planner"]


class Source(TypedDict):
    kind: SourceKind
    id: int | None
    attachment_id: int | None      # brief: the attachment quoted, or null for the brief's own text
    page: int | None               # 1-based PDF page
    paragraph: int | None          # 1-based paragraph (of the page for a PDF, of the text otherwise)
    label: NotRequired[str]        # who wrote it, as shown: an organization's name, or "" for a citizen
    filename: NotRequired[str]     # of the attachment


class Quote(TypedDict):
    text: str                      # verbatim
    language: str                  # "fr" | "en"
    source: Source


class Count(TypedDict):
    key: str | None                # an enum value, a territory node id as text, or None for "not stated"
    label: NotRequired[str]        # only for keys with no label in the code (territory names)
    value: int | None              # None when suppressed
    suppressed: bool


class Holder(TypedDict):
    organization_id: int
    name: str
    brief_id: int
    confidential: bool


class Position(TypedDict):
    stance: Literal["support", "oppose", "amend"]
    holder: Holder
    text: str                      # the position's own words (for "amend", the wording asked for); may be ""


class ThemeRef(TypedDict):
    id: int
    label: str
    count: int


class Item(TypedDict):
    version_id: int
    uid: str
    kind: str                      # consult.projects.kinds key: need, gap, model, offer, ...
    step: int                      # 1–6
    title: str                     # label_of(data) in the version's language
    supports: int
    comments: int                  # threads and replies, visible ones
    positions: dict[str, list[Position]]    # "support" | "oppose" | "amend" → positions, in brief order
    # consensus: positions all one way (at least two); disagreement: support and oppose both held;
    # mixed: amendments with no opposition; none: no position taken.
    agreement: Literal["consensus", "disagreement", "mixed", "none"]
    minority: list[Position]       # the positions of the smaller side, verbatim, never averaged away
    themes: list[ThemeRef]         # themes of the comments on this item, most frequent first
    quotes: list[Quote]            # a few comments on this item, verbatim


class ThemeEntry(TypedDict):
    id: int
    key: str
    label: str
    description: str
    state: Literal["approved", "proposed"]
    count: int                     # distinct inputs carrying it (a campaign counts once per copy)
    comments: int
    briefs: int
    proposed_needs: int
    languages: dict[str, int]
    keyphrases: list[str]
    quotes: list[Quote]            # representative passages, verbatim, each with its source


class Campaign(TypedDict):
    text: str                      # one copy, verbatim
    language: str
    count: int                     # copies received
    source: Source                 # the first copy
    themes: list[ThemeRef]


class ProposedNeedEntry(TypedDict):
    id: int
    title: str
    description: str
    state: str                     # ProposedNeedState value
    area: str | None
    source: Source


class ExtractionProblem(TypedDict):
    brief_id: int
    attachment_id: int
    filename: str
    status: str                    # extraction.STATUSES other than "ok"
    pages: int
    reason: str | None             # with status and pages/limit, rebuilds the planner's message (message_for)
    limit: int


class Participation(TypedDict):
    by_kind: list[Count]                   # keys: citizen | organization
    by_organization_kind: list[Count]      # OrganizationKind values (organizations that submitted a brief)
    by_area: list[Count]                   # citizens by consented profile area; organizations by territory
    by_age_band: list[Count]               # ParticipantProfile.AGE_BANDS keys, None = not stated
    by_gender: list[Count]
    by_population_group: list[Count]


class Answers(TypedDict):
    by_outcome: list[Count]                # Outcome values (never suppressed: they count inputs, not people)
    answered: int
    unanswered: int


class Totals(TypedDict):
    comments: int                  # visible comments, replies included
    threads: int
    briefs: int                    # submitted, not withdrawn
    confidential_briefs: int
    attachments: int
    pages_read: int
    proposed_needs: int
    supports: int
    participants: int | None       # distinct people and organizations; None when a kind is suppressed
    unthemed: int                  # inputs (comments, briefs, proposed needs) that carry no theme
    campaigns: int                 # groups of near-identical texts
    campaign_copies: int


class Content(TypedDict):
    schema: int
    round_id: int
    title: str                     # the round's title
    project: str                   # the clinical project's title
    compiled_at: str               # ISO 8601, UTC
    inputs_until: str              # ISO 8601: the newest input taken into account
    round_state: str               # RoundState value when compiled
    themes_reviewed: bool          # no theme still "proposed"
    totals: Totals
    participation: Participation
    themes: list[ThemeEntry]       # approved first, then proposed; largest first
    items: list[Item]              # in step order, then position: those that received any input
    items_without_input: dict[str, int]    # item kind → how many items in consultation received nothing
    agreements: list[dict[str, Any]]     # {"version_id", "uid", "title", "holders": [Holder]}
    disagreements: list[dict[str, Any]]  # {"version_id", "uid", "title", "support": [...], "oppose": [...],
    #                                       "amend": [...]} each a list of Position
    campaigns: list[Campaign]      # the largest (at most 100); totals.campaigns counts them all
    proposed_needs: list[ProposedNeedEntry]
    answers: Answers
    extraction_problems: list[ExtractionProblem]
    equity: NotRequired[dict[str, Any]]     # consult.equity.summary_section.equity_section


def source_url(round_id: int, source: Source, *, external: bool = False) -> str | None:
    """The link that opens a quote's source: the comment in its thread, the proposed need, or the brief's
    passage shown in context (`summaries.source`). None for a planner's own example."""
    if source["kind"] == "planner" or source.get("id") is None:
        return None
    values: dict[str, Any] = {"round_id": round_id, "kind": source["kind"], "source_id": source["id"]}
    for key in ("attachment_id", "page", "paragraph"):
        if source.get(key) is not None:
            values[key] = source[key]
    if external:
        from consult.notifications.services import external_url

        return external_url("summaries.source", **values)
    return url_for("summaries.source", **values)


def public_view(content: Content) -> Content:
    """The content as the public may read it: positions held in confidential briefs are not attributed, and
    themes still only proposed by the workers are left out."""
    def visible(positions: list[Position]) -> list[Position]:
        return [p for p in positions if not p["holder"]["confidential"]]

    # Themes the workers proposed and no planner reviewed are suggestions for the draft, never published.
    proposed = {theme["id"] for theme in content.get("themes", []) if theme["state"] == "proposed"}

    def reviewed(refs: list[ThemeRef]) -> list[ThemeRef]:
        return [ref for ref in refs if ref["id"] not in proposed]

    out: dict[str, Any] = {key: value for key, value in content.items() if key not in INTERNAL_KEYS}
    out["themes"] = [theme for theme in content.get("themes", []) if theme["id"] not in proposed]
    out["campaigns"] = [{**campaign, "themes": reviewed(campaign.get("themes", []))}
                        for campaign in content.get("campaigns", [])]
    out["items"] = [{**item, "positions": {k: visible(v) for k, v in item["positions"].items()},
                     "minority": visible(item["minority"]), "themes": reviewed(item.get("themes", []))}
                    for item in content["items"]]
    out["agreements"] = [{**entry, "holders": [h for h in entry["holders"] if not h["confidential"]]}
                         for entry in content["agreements"]]
    out["disagreements"] = [{**entry, **{side: visible(entry[side]) for side in ("support", "oppose", "amend")}}
                            for entry in content["disagreements"]]
    return out  # type: ignore[return-value]
